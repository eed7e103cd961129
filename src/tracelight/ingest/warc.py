"""WARC and WARC.gz web archives: archived ad pages become posts, archived images blobs.

A crawler's WARC holds much more than ads. Only two kinds of record are evidence posts
or their pictures:

* ``response`` records with HTTP status 2xx and an HTML content type (``text/html``,
  ``application/xhtml+xml``) are the pages the site served; each is one post, read by
  the same extraction as a saved HTML file (:mod:`tracelight.ingest.html`).
* ``response`` (2xx) and ``resource`` records with an ``image/*`` content type are the
  pictures; each becomes an :class:`ImageBlob` under its target URI.

Everything else is skipped and counted (see :meth:`WarcReader.read`), never turned into
a post: ``request`` records are what the crawler asked, not what the site said;
``warcinfo`` and ``metadata`` describe the crawl (the warcinfo's ``WARC-Filename`` is
kept on later posts); ``revisit`` records carry no payload of their own and point at an
earlier capture, which is the post; ``conversion`` and ``continuation`` records are
derived or partial; ``resource`` records that are not images are browser snapshots and
crawler artefacts, not what the site served; non-2xx responses are redirects, errors
and not-modified answers rather than ad pages; CSS, JavaScript, JSON and fonts are not
ads.

Posts refer to their pictures by absolute URL (``ImageRef(status="archived")``,
``sha256=None``): the loader ties them to the blobs by URI once the whole file is read,
so the order of records in the archive does not matter and one pass suffices.

``raw_sha256`` of a post is the SHA-256 of the record block as stored: HTTP status
line, headers and payload with its transfer and content encodings, i.e. exactly the
bytes ``WARC-Block-Digest`` covers. That lets anyone check the post against the archive
byte for byte without re-implementing our decoding. Locators are ``offset N``: the
record's byte offset in the file (in the compressed file for ``.warc.gz``, as CDX
indexes use), so ``warcio extract FILE N`` shows the record.

Archives are streamed with warcio; only one bounded payload is in memory at a time. A
record whose block is shorter than its ``Content-Length``, or headers that cannot be
parsed, end the file with a reject: a truncated or corrupt archive cannot be
resynchronised reliably, and guessing where the next record starts could attribute
bytes to the wrong capture. A record whose HTML cannot be decoded is rejected alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParser

from tracelight.ingest.base import Item, ReadOptions, origin_of
from tracelight.ingest.html import (
    MAX_HTML_BYTES,
    MAX_IMAGES,
    HtmlDecodeError,
    HtmlTooDeepError,
    absolute_url,
    decode_html,
    extract_page,
    host_of,
)
from tracelight.ingest.records import MAX_IMAGE_BYTES, RecordError, post_from_record, reject
from tracelight.model import ImageBlob, ImageRef, sha256_hex

logger = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

MAX_HTTP_LINE_BYTES = 64 * 1024
"""One HTTP header line; longer ones are cut so a hostile header cannot fill memory."""

_CHUNK_SLACK = 64 * 1024
# A payload is checked against its bound before decoding (so a chunked body with a
# huge declared chunk cannot be buffered); chunk framing adds a little, hence the slack.

_READ_SIZE = 64 * 1024
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^\s;"']+)""", re.I)
_HTTP_PARSER = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False)


class _Broken(Exception):
    """The archive stream cannot be trusted past this record; reading stops."""


class _Block:
    """A record's block as read: counted (to detect truncation) and hashed when wanted.

    It offers the ``read``/``readline`` that warcio's header parser and payload decoders
    use, so the bytes they consume are exactly the bytes that are hashed.
    """

    def __init__(self, stream: Any, declared: int) -> None:
        self.stream = stream
        self.declared = declared
        self.count = 0
        self.hasher: hashlib._Hash | None = hashlib.sha256()

    def _take(self, data: bytes) -> bytes:
        self.count += len(data)
        if self.hasher is not None:
            self.hasher.update(data)
        return data

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes; without a size, one buffer's worth, never the whole block.

        warcio's decoders always pass a size; capping the unsized case keeps a stray
        ``read()`` from buffering a multi-gigabyte video record.
        """
        if size is None or size < 0:
            size = _READ_SIZE
        return self._take(self.stream.read(size))

    def readline(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > MAX_HTTP_LINE_BYTES:
            size = MAX_HTTP_LINE_BYTES
        return self._take(self.stream.readline(size))

    def remaining(self) -> int:
        return self.declared - self.count

    def finish(self) -> None:
        """Read what is left of the block and fail when it is shorter than declared."""
        while self.read(_READ_SIZE):
            pass
        if self.count != self.declared:
            raise _Broken(
                f"record truncated: block has {self.count} of {self.declared} bytes "
                "(truncated or corrupt archive)"
            )


@dataclass(slots=True)
class _Context:
    origin: str
    options: ReadOptions
    default_source: str
    skipped: Counter[str]
    warc_filename: str | None = None


class WarcReader:
    name = "warc"

    def sniff(self, path: Path, head: bytes) -> bool:
        if path.name.lower().endswith((".warc", ".warc.gz")):
            return True
        if head.startswith(b"WARC/1."):
            return True
        if head.startswith(b"\x1f\x8b"):
            try:
                start = zlib.decompressobj(wbits=31).decompress(head, 16)
            except zlib.error:
                return False
            return start.startswith(b"WARC/")
        return False

    def read(
        self, path: Path, options: ReadOptions, skipped: Counter[str] | None = None
    ) -> Iterator[Item]:
        """Posts, image blobs and rejects of one archive, in record order.

        Records that are not evidence yield nothing; pass ``skipped`` to learn how many
        of each kind there were (keys like ``request`` or ``response text/css``), so a
        crawl that captured no pages can be told apart from one that was not read.
        """
        origin = origin_of(path)
        context = _Context(
            origin=origin,
            options=options,
            default_source=options.source or path.absolute().parent.name or "warc",
            skipped=skipped if skipped is not None else Counter(),
        )
        try:
            handle = path.open("rb")
        except OSError as exc:
            yield reject(origin, "file", f"unreadable: {exc.strerror or exc}")
            return
        with handle:
            size = path.stat().st_size
            records = ArchiveIterator(handle, no_record_parse=True)
            while True:
                try:
                    record = next(records)
                except StopIteration:
                    break
                except Exception as exc:  # warcio's failures on corrupt input are not a closed set
                    yield reject(
                        origin, f"offset {records.offset}", f"unreadable WARC record: {_say(exc)}"
                    )
                    return
                # ``get_record_offset()`` would read the record to its end first; the
                # iterator's ``offset`` is the same value before anything is consumed.
                locator = f"offset {records.offset}"
                try:
                    item = _record_item(record, locator, context)
                except _Broken as exc:
                    yield reject(origin, locator, str(exc))
                    return
                if item is not None:
                    yield item
            if records.offset < size:
                # warcio ends quietly when the last gzip member is cut short.
                yield reject(
                    origin,
                    f"offset {records.offset}",
                    f"{size - records.offset} bytes after the last complete record are not "
                    "a WARC record (truncated or corrupt archive)",
                )
        logger.debug("%s: records skipped: %s", origin, dict(context.skipped))


@dataclass(slots=True)
class _Capture:
    """One record being read: where it is, what it says, and its block."""

    block: _Block
    headers: Any
    uri: str
    locator: str
    context: _Context

    def reject(self, reason: str, raw: bytes | str = b"") -> Item:
        return reject(self.context.origin, self.locator, reason, raw)


def _record_item(record: Any, locator: str, context: _Context) -> Item | None:
    """The item one record contributes, or None for records that are not evidence."""
    if record.format != "warc":
        raise _Broken(f"not a WARC record ({record.format})")
    headers = record.rec_headers
    capture = _Capture(
        block=_Block(record.raw_stream, _content_length(headers.get_header("Content-Length"))),
        headers=headers,
        uri=headers.get_header("WARC-Target-URI") or "",
        locator=locator,
        context=context,
    )
    rec_type = (record.rec_type or "untyped").lower()
    content_type = headers.get_header("Content-Type")
    item: Item | None = None
    if rec_type == "warcinfo":
        context.warc_filename = headers.get_header("WARC-Filename") or context.warc_filename
        context.skipped[rec_type] += 1
    elif rec_type == "response" and capture.uri.lower().startswith(("http:", "https:")):
        item = _response_item(capture)
    elif rec_type == "resource" and _media_type(content_type).startswith("image/"):
        capture.block.hasher = None
        item = _image(capture, capture.block, content_type)
    else:
        context.skipped[rec_type] += 1
    capture.block.finish()  # a truncated record is never evidence, whatever was read of it
    return item


def _response_item(capture: _Capture) -> Item | None:
    block = capture.block
    try:
        http = _HTTP_PARSER.parse(block)
    except EOFError:
        return capture.reject("response record without HTTP headers")
    status_text = http.get_statuscode() or ""
    if not (status_text.isascii() and status_text.isdigit()):
        return capture.reject(f"bad HTTP status line: {status_text[:40]!r}")
    status = int(status_text)
    if not 200 <= status < 300:
        capture.context.skipped["response non-2xx"] += 1
        return None
    content_type = http.get_header("Content-Type")
    media_type = _media_type(content_type)
    # Decode exactly as warcio (and pywb replay) would: de-chunk, then content-encoding.
    payload = ArcWarcRecord(
        "warc", "response", capture.headers, block, http, content_type, block.declared
    ).content_stream()
    if media_type in HTML_TYPES:
        return _page(capture, payload, content_type, status)
    block.hasher = None  # only posts need the block digest
    if media_type.startswith("image/"):
        return _image(capture, payload, content_type)
    capture.context.skipped[f"response {media_type or 'without content type'}"[:100]] += 1
    return None


def _page(capture: _Capture, payload: Any, content_type: str | None, status: int) -> Item:
    """One archived HTML page as a post, its images referenced by absolute URL."""
    block, context = capture.block, capture.context
    too_big = f"HTML payload larger than {MAX_HTML_BYTES} bytes"
    if block.remaining() > MAX_HTML_BYTES + _CHUNK_SLACK:
        return capture.reject(too_big)
    data = _read_at_most(payload, MAX_HTML_BYTES)
    if len(data) > MAX_HTML_BYTES:
        return capture.reject(too_big)
    block.finish()  # the digest covers the whole block, chunk trailers and all
    raw_sha256 = block.hasher.hexdigest() if block.hasher is not None else None
    charset_match = _CHARSET.search(content_type or "")
    try:
        text, charset = decode_html(data, charset_match.group(1) if charset_match else None)
    except HtmlDecodeError as exc:
        return capture.reject(str(exc), data[max(0, exc.offset - 60) : exc.offset])
    try:
        page = extract_page(text)
    except HtmlTooDeepError as exc:
        return capture.reject(str(exc), data[:200])
    headers = capture.headers
    record = page.record_fields()
    record.update(
        {
            "url": capture.uri,
            "source": page.site_name,
            "collected_at": headers.get_header("WARC-Date"),
            "charset": charset,
            "http_status": status,
            "warc_record_id": headers.get_header("WARC-Record-ID"),
            "warc_filename": context.warc_filename,
            "warc_truncated": headers.get_header("WARC-Truncated"),
        }
    )
    try:
        post, _ = post_from_record(
            record,
            origin=context.origin,
            locator=capture.locator,
            base_dir=None,  # nothing in an archive is a local file
            default_source=context.options.source or host_of(capture.uri) or context.default_source,
            default_country=context.options.default_country,
            raw_sha256=raw_sha256,
        )
    except RecordError as exc:
        return capture.reject(str(exc), page.title or page.body or "")
    images = _image_refs(page.image_srcs, page.base_href, capture.uri)
    return dataclasses.replace(post, images=images)


def _image_refs(
    srcs: tuple[str, ...], base_href: str | None, page_url: str
) -> tuple[ImageRef, ...]:
    """Image references as absolute URLs, the key the loader matches archived blobs on.

    ``<base href>`` changes what relative sources mean, exactly as in a browser.
    Anything that does not resolve to a web URL (``javascript:``, ``data:``) is not a
    picture the crawler could have archived.
    """
    base = (absolute_url(page_url, base_href) if base_href else None) or page_url
    refs: dict[str, ImageRef] = {}
    for src in srcs:
        absolute = absolute_url(base, src)
        if absolute is not None and absolute not in refs:
            refs[absolute] = ImageRef(uri=absolute, sha256=None, status="archived")
    return tuple(refs.values())[:MAX_IMAGES]


def _image(capture: _Capture, payload: Any, content_type: str | None) -> Item:
    """An archived picture, bounded like images beside a file."""
    too_big = f"image larger than {MAX_IMAGE_BYTES} bytes"
    if capture.block.remaining() > MAX_IMAGE_BYTES + _CHUNK_SLACK:
        return capture.reject(too_big)
    data = _read_at_most(payload, MAX_IMAGE_BYTES)
    if len(data) > MAX_IMAGE_BYTES:
        return capture.reject(too_big)
    return ImageBlob(
        sha256=sha256_hex(data),
        uri=capture.uri,
        media_type=_media_type(content_type) or None,
        data=data,
        origin=capture.context.origin,
        locator=capture.locator,
    )


def _read_at_most(stream: Any, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes, so the caller can tell "exactly at" from "over"."""
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(_READ_SIZE, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def _content_length(value: str | None) -> int:
    """The declared block length; without it the next record cannot be found."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()):
        raise _Broken(
            f"missing or invalid Content-Length {text[:40]!r} (truncated or corrupt archive)"
        )
    return int(text)


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _say(exc: BaseException) -> str:
    """warcio's messages span lines and carry advice; one line is enough for a reject."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


READER = WarcReader()
