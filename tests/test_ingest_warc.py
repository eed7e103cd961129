"""Web archives: pages become posts, images blobs, and broken archives say where."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import re
import zlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tracelight.ingest import warc as warc_mod
from tracelight.ingest.base import Item, ReadOptions
from tracelight.ingest.warc import READER
from tracelight.model import ImageBlob, ImageRef, Post, Reject

JPEG_BEFORE = b"\xff\xd8\xff\xe0before-image"
JPEG_AFTER = b"\xff\xd8\xff\xe0after-image!"
PNG = b"\x89PNG\r\n\x1a\nresource"

PAGE_A = b"""<!doctype html>
<html lang="de-DE"><head>
<meta charset="utf-8"><title>Ad A</title>
<meta property="og:site_name" content="Ex Ads">
<meta property="article:published_time" content="2024-05-01T12:00:00Z">
<meta name="description" content="Neu hier">
<script>var leak = "script-text";</script><style>.x{}</style>
</head><body>
<nav>Home | Escorts</nav>
<article><h1>Neu in der Stadt</h1><p>Ruf an</p><p>0151 000</p>
<img src="/img/before.jpg" onerror="alert('onerror-attr')">
<img src="../img/after.jpg#zoom"><img src="javascript:alert(1)"><img src="http://[bad/x.jpg">
<script>alert(1)</script></article>
</body></html>"""

PAGE_B = b"<html><body><div>Second ad</div><div>call 555</div></body></html>"
WARC_DATE = "2024-05-02T03:04:05Z"


class Archive:
    """Builds a test archive record by record, the way a crawler writes one."""

    def __init__(self, path: Path, *, gz: bool) -> None:
        self.path = path
        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=gz)

    def warcinfo(self, filename: str) -> Archive:
        self.writer.write_record(self.writer.create_warcinfo_record(filename, {"software": "t"}))
        return self

    def response(
        self,
        uri: str,
        body: bytes,
        content_type: str = "text/html; charset=utf-8",
        status: str = "200 OK",
        extra: tuple[tuple[str, str], ...] = (),
    ) -> Archive:
        http = StatusAndHeaders(
            status, [("Content-Type", content_type), *extra], protocol="HTTP/1.1"
        )
        record = self.writer.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": WARC_DATE},
        )
        self.writer.write_record(record)
        return self

    def request(self, uri: str) -> Archive:
        http = StatusAndHeaders(
            "GET / HTTP/1.1", [("Host", "ex.test")], protocol="HTTP/1.1", is_http_request=True
        )
        self.writer.write_record(self.writer.create_warc_record(uri, "request", http_headers=http))
        return self

    def other(self, uri: str, record_type: str, payload: bytes, content_type: str) -> Archive:
        record = self.writer.create_warc_record(
            uri,
            record_type,
            payload=io.BytesIO(payload),
            length=len(payload),
            warc_content_type=content_type,
        )
        self.writer.write_record(record)
        return self

    def revisit(self, uri: str) -> Archive:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = self.writer.create_revisit_record(
            uri, "sha1:AAAA", uri, WARC_DATE, http_headers=http
        )
        self.writer.write_record(record)
        return self

    def save(self) -> Path:
        self.path.write_bytes(self.buffer.getvalue())
        return self.path


def _crawl(path: Path, *, gz: bool) -> Path:
    """A small crawl: image before its page, a page, noise, a second page, image after."""
    return (
        Archive(path, gz=gz)
        .warcinfo("crawl-0001.warc")
        .request("http://ex.test/ad/a")
        .response("http://ex.test/img/before.jpg", JPEG_BEFORE, "image/jpeg")
        .response("http://ex.test/ad/a", PAGE_A)
        .response("http://ex.test/site.css", b"body{color:red}", "text/css")
        .response("http://ex.test/gone", b"<p>Not found page</p>", status="404 Not Found")
        .other("http://ex.test/ad/a", "metadata", b"outlink: x\r\n", "application/warc-fields")
        .revisit("http://ex.test/ad/a")
        .response("http://ex.test/ad/b", PAGE_B, "application/xhtml+xml")
        .response("http://ex.test/img/after.jpg", JPEG_AFTER, "image/jpeg")
        .other("urn:shot:1", "resource", PNG, "image/png")
        .save()
    )


def _blocks(path: Path) -> dict[int, tuple[bytes, bytes]]:
    """Each record's WARC headers and block by offset, parsed without warcio."""
    data = path.read_bytes()
    records: list[tuple[int, bytes]] = []
    pos = 0
    if data.startswith(b"\x1f\x8b"):
        while pos < len(data):
            member = zlib.decompressobj(wbits=31)
            records.append((pos, member.decompress(data[pos:])))
            pos = len(data) - len(member.unused_data)
    else:
        while pos < len(data):
            end = data.index(b"\r\n\r\n", pos) + 4
            length = _length(data[pos:end])
            records.append((pos, data[pos : end + length]))
            pos = end + length + 4
    out: dict[int, tuple[bytes, bytes]] = {}
    for offset, raw in records:
        end = raw.index(b"\r\n\r\n") + 4
        out[offset] = (raw[:end], raw[end : end + _length(raw[:end])])
    return out


def _length(headers: bytes) -> int:
    match = re.search(rb"Content-Length: (\d+)", headers)
    assert match is not None
    return int(match.group(1))


def _read(path: Path, skipped: Counter[str] | None = None) -> list[Item]:
    return list(READER.read(path, ReadOptions(), skipped))


def _posts(items: list[Item]) -> dict[str | None, Post]:
    return {item.url: item for item in items if isinstance(item, Post)}


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_pages_become_posts_and_images_blobs(tmp_path: Path, gz: bool) -> None:
    path = _crawl(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), gz=gz)
    skipped: Counter[str] = Counter()
    items = _read(path, skipped)

    assert not [item for item in items if isinstance(item, Reject)]
    posts = _posts(items)
    assert list(posts) == ["http://ex.test/ad/a", "http://ex.test/ad/b"]
    post = posts["http://ex.test/ad/a"]
    assert post.title == "Ad A"
    assert post.body == "Neu in der Stadt\nRuf an\n0151 000"
    assert post.source == "Ex Ads"
    assert post.language == "de"
    assert post.posted_at == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert post.collected_at == datetime(2024, 5, 2, 3, 4, 5, tzinfo=UTC)
    assert post.origin == str(path)
    assert post.metadata["http_status"] == 200
    assert post.metadata["warc_filename"] == "crawl-0001.warc"
    assert re.fullmatch(r"<urn:uuid:[0-9a-f-]+>", post.metadata["warc_record_id"])
    assert post.metadata["meta"]["description"] == "Neu hier"
    assert post.metadata["extracted_by"] == "selectolax"
    for hostile in ("script-text", "alert", "onerror", "Home | Escorts"):
        assert hostile not in (post.body or "")
    # Referenced by absolute URL whether the image was archived before or after the page.
    assert post.images == (
        ImageRef(uri="http://ex.test/img/before.jpg", sha256=None, status="archived"),
        ImageRef(uri="http://ex.test/img/after.jpg", sha256=None, status="archived"),
    )
    assert posts["http://ex.test/ad/b"].body == "Second ad\ncall 555"
    assert posts["http://ex.test/ad/b"].source == "ex.test"

    blobs = {item.uri: item for item in items if isinstance(item, ImageBlob)}
    assert set(blobs) == {
        "http://ex.test/img/before.jpg",
        "http://ex.test/img/after.jpg",
        "urn:shot:1",
    }
    assert blobs["http://ex.test/img/before.jpg"].data == JPEG_BEFORE
    assert blobs["http://ex.test/img/after.jpg"].sha256 == hashlib.sha256(JPEG_AFTER).hexdigest()
    assert blobs["http://ex.test/img/after.jpg"].media_type == "image/jpeg"
    assert blobs["urn:shot:1"].media_type == "image/png"
    assert {ref.uri for ref in post.images} <= set(blobs)

    assert skipped == Counter(
        {
            "warcinfo": 1,
            "request": 1,
            "response text/css": 1,
            "response non-2xx": 1,
            "metadata": 1,
            "revisit": 1,
        }
    )


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_locators_and_raw_hashes_point_at_the_stored_records(tmp_path: Path, gz: bool) -> None:
    path = _crawl(tmp_path / "crawl.warc", gz=gz)
    blocks = _blocks(path)
    items = _read(path)

    for item in items:
        assert isinstance(item, Post | ImageBlob)
        offset = int(item.locator.removeprefix("offset "))
        headers, block = blocks[offset]
        uri = item.url if isinstance(item, Post) else item.uri
        assert f"WARC-Target-URI: {uri}".encode() in headers
        if isinstance(item, Post):
            assert item.raw_sha256 == hashlib.sha256(block).hexdigest()
            # The same bytes the archive's own WARC-Block-Digest covers.
            digest = base64.b32encode(hashlib.sha1(block).digest()).decode()
            assert f"WARC-Block-Digest: sha1:{digest}".encode() in headers


def test_ids_are_stable_across_reads_and_compression(tmp_path: Path) -> None:
    plain = _crawl(tmp_path / "a.warc", gz=False)
    packed = _crawl(tmp_path / "a.warc.gz", gz=True)

    first = [item.id for item in _read(plain) if isinstance(item, Post)]
    again = [item.id for item in _read(plain) if isinstance(item, Post)]
    packed_ids = [item.id for item in _read(packed) if isinstance(item, Post)]
    assert first == again == packed_ids
    assert len(set(first)) == 2


def test_encoded_payloads_are_decoded_but_hashed_as_stored(tmp_path: Path) -> None:
    gzipped = gzip.compress(b"<p>compressed ad</p>", mtime=0)
    chunked = b"7\r\n<p>chun\r\na\r\nked ad</p>\r\n0\r\n\r\n"
    path = (
        Archive(tmp_path / "enc.warc", gz=False)
        .response("http://ex.test/gz", gzipped, extra=(("Content-Encoding", "gzip"),))
        .response("http://ex.test/ch", chunked, extra=(("Transfer-Encoding", "chunked"),))
        .save()
    )
    blocks = _blocks(path)
    posts = _posts(_read(path))

    assert posts["http://ex.test/gz"].body == "compressed ad"
    assert posts["http://ex.test/ch"].body == "chunked ad"
    for post in posts.values():
        block = blocks[int(post.locator.removeprefix("offset "))][1]
        assert post.raw_sha256 == hashlib.sha256(block).hexdigest()


def test_truncated_gzip_archive_keeps_earlier_posts_and_says_where(tmp_path: Path) -> None:
    path = (
        Archive(tmp_path / "cut.warc.gz", gz=True)
        .response("http://ex.test/ad/1", b"<p>first ad</p>")
        .response("http://ex.test/img/1.jpg", JPEG_BEFORE, "image/jpeg")
        .response("http://ex.test/ad/2", b"<p>second ad</p>" * 50)
        .save()
    )
    last = max(_blocks(path))
    data = path.read_bytes()
    path.write_bytes(data[: last + (len(data) - last) // 2])
    items = _read(path)

    assert [type(item) for item in items] == [Post, ImageBlob, Reject]
    assert isinstance(items[0], Post)
    assert items[0].body == "first ad"
    rejected = items[-1]
    assert isinstance(rejected, Reject)
    assert rejected.locator == f"offset {last}"
    assert rejected.origin == str(path)
    assert "truncated or corrupt archive" in rejected.reason


def test_gzip_archive_cut_inside_a_member_header_is_reported(tmp_path: Path) -> None:
    path = (
        Archive(tmp_path / "cut.warc.gz", gz=True)
        .response("http://ex.test/ad/1", b"<p>first ad</p>")
        .response("http://ex.test/ad/2", b"<p>second ad</p>")
        .save()
    )
    last = max(_blocks(path))
    path.write_bytes(path.read_bytes()[: last + 8])  # only the gzip header survives
    items = _read(path)

    assert [type(item) for item in items] == [Post, Reject]
    assert items[-1].locator == f"offset {last}"


def test_truncated_plain_archive_rejects_the_short_record(tmp_path: Path) -> None:
    path = (
        Archive(tmp_path / "cut.warc", gz=False)
        .response("http://ex.test/ad/1", b"<p>first ad</p>")
        .response("http://ex.test/ad/2", b"<p>second ad</p>" * 20)
        .save()
    )
    last = max(_blocks(path))
    path.write_bytes(path.read_bytes()[:-100])
    items = _read(path)

    assert [type(item) for item in items] == [Post, Reject]
    rejected = items[-1]
    assert isinstance(rejected, Reject)
    assert rejected.locator == f"offset {last}"
    assert rejected.reason.startswith("record truncated")


def test_undecodable_page_is_rejected_alone(tmp_path: Path) -> None:
    path = (
        Archive(tmp_path / "mixed.warc", gz=False)
        .response("http://ex.test/bad", b"<p>caf\xe9</p>")
        .response("http://ex.test/latin", b"<p>caf\xe9</p>", "text/html; charset=iso-8859-1")
        .save()
    )
    first = min(_blocks(path))
    items = _read(path)

    assert len(items) == 2
    rejected, post = items
    assert isinstance(rejected, Reject)
    assert rejected.locator == f"offset {first}"
    assert rejected.reason == "undecodable bytes (charset utf-8) at byte 6"
    assert isinstance(post, Post)
    assert post.body == "café"
    assert post.metadata["charset"] == "windows-1252"


def test_oversized_payloads_are_rejected_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warc_mod, "MAX_IMAGE_BYTES", 8)
    monkeypatch.setattr(warc_mod, "MAX_HTML_BYTES", 20)
    monkeypatch.setattr(warc_mod, "_CHUNK_SLACK", 0)
    path = (
        Archive(tmp_path / "big.warc", gz=True)
        .response("http://ex.test/big.jpg", JPEG_BEFORE, "image/jpeg")
        .response("http://ex.test/big", b"<p>" + b"x" * 40 + b"</p>")
        .response("http://ex.test/small", b"<p>small</p>")
        .save()
    )
    items = _read(path)

    reasons = [item.reason for item in items if isinstance(item, Reject)]
    assert reasons == ["image larger than 8 bytes", "HTML payload larger than 20 bytes"]
    assert list(_posts(items)) == ["http://ex.test/small"]


def test_deeply_nested_page_is_rejected(tmp_path: Path) -> None:
    path = (
        Archive(tmp_path / "deep.warc", gz=False)
        .response("http://ex.test/deep", b"<div>" * 20_000)
        .response("http://ex.test/ok", b"<p>fine</p>")
        .save()
    )
    items = _read(path)

    assert isinstance(items[0], Reject)
    assert items[0].reason.startswith("markup nested too deeply")
    assert list(_posts(items)) == ["http://ex.test/ok"]


def test_hostile_header_values_are_rejects_not_crashes(tmp_path: Path) -> None:
    # Found by fuzzing: a NUL in a charset label, a superscript digit in a length.
    path = (
        Archive(tmp_path / "odd.warc", gz=False)
        .response("http://ex.test/nul", b"<p>odd charset</p>", "text/html; charset=utf\x008")
        .save()
    )
    good = path.read_bytes()
    path.write_bytes(good + b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 1\xc2\xb9\r\n\r\n")
    items = _read(path)

    assert isinstance(items[0], Post)
    assert items[0].body == "odd charset"
    assert isinstance(items[1], Reject)
    assert items[1].locator == f"offset {len(good)}"
    assert items[1].reason.startswith("missing or invalid Content-Length")


def test_file_that_is_not_an_archive_is_one_reject(tmp_path: Path) -> None:
    path = tmp_path / "notes.warc"
    path.write_bytes(b"these are not the records you are looking for\n")
    items = _read(path)

    assert len(items) == 1
    assert isinstance(items[0], Reject)
    assert items[0].locator == "offset 0"


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("crawl.warc", b"", True),
        ("crawl.WARC.GZ", b"", True),
        ("download", b"WARC/1.0\r\nWARC-Type: warcinfo\r\n", True),
        ("download", gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n"), True),
        ("download.gz", gzip.compress(b"<html></html>"), False),
        ("download", b"\x1f\x8bnot really gzip", False),
        ("page.html", b"<!doctype html>", False),
    ],
)
def test_sniff(name: str, head: bytes, expected: bool) -> None:
    assert READER.sniff(Path(name), head) is expected
    assert READER.name == "warc"
