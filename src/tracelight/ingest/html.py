"""Saved web pages: one HTML file is one post.

An analyst's "Save page as…" of an ad is the least structured source there is, so this
module reads what the page says about itself (Open Graph, ``<link rel=canonical>``,
geo and date meta) and falls back gracefully: an unparsable date or an unknown charset
label is recorded, not fatal, because a saved page is not a structured record. Only
bytes that cannot be decoded at all make the file a reject, since guessing would put
text in the evidence store that the page never contained.

The extraction itself (:func:`decode_html`, :func:`extract_page`) is shared with the
WARC reader, so a page reads the same whether it was saved by a browser or by a crawler.

Times: a saved page carries no capture time of its own, so ``collected_at`` is the
file's modification time in UTC. That is the best evidence available for a loose file;
a WARC record's ``WARC-Date`` is used instead when the page came from an archive.

Ad HTML is hostile input. It is parsed by Lexbor (through selectolax), which builds a
tree and runs nothing; script, style and other non-text subtrees are never read, and
attribute values (``onerror=`` and friends) never enter the text.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tracelight.ingest.base import Item, ReadOptions, origin_of
from tracelight.ingest.records import RecordError, parse_time, record_items, reject
from tracelight.model import sha256_hex

MAX_HTML_BYTES = 20 * 1024 * 1024
"""A page above this is not an ad; the bound keeps parsing time and memory predictable."""

MAX_META_ENTRIES = 50
MAX_META_CHARS = 1_000
MAX_META_KEY_CHARS = 100
MAX_IMAGES = 100
"""Meta and image lists are attacker-sized; bounding them bounds every stored post."""

MAX_NESTING_WORK = 100_000_000
"""Bound on the parser's work for nested markup (see :func:`_check_nesting`)."""

EXTRACTED_BY = "selectolax"

_PRESCAN_BYTES = 4096
# The HTML spec prescans 1024 bytes for a charset; real pages often put it later, after
# long comments or script tags, and a wider window costs nothing.

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_LABEL = re.compile(r"^[a-z0-9_.:-]{1,40}$")
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _words(text: str) -> tuple[str, ...]:
    """Long constant word lists, written as prose so they stay readable when formatted."""
    return tuple(text.split())


def _labels(names: str, codec: str) -> dict[str, str]:
    return dict.fromkeys(_words(names), codec)


# WHATWG Encoding: browsers decode these labels with a superset codec; following them
# keeps pages that every browser shows from being rejected as undecodable.
_LABEL_ALIASES = {
    **_labels(
        "ascii us-ascii iso-8859-1 iso8859-1 iso_8859-1 latin1 latin-1 l1 cp819 ibm819 "
        "windows-1252 cp1252 x-cp1252",
        "windows-1252",
    ),
    **_labels("gb2312 gb_2312 gb_2312-80 x-gbk gbk chinese", "gbk"),
    **_labels("euc-kr ks_c_5601-1987 korean windows-949 cp949", "cp949"),
    **_labels("shift_jis shift-jis sjis x-sjis ms_kanji windows-31j cp932", "cp932"),
    **_labels("big5 big5-hkscs x-x-big5 cn-big5", "big5hkscs"),
    **_labels("iso-8859-9 latin5 windows-1254", "cp1254"),
    **_labels("tis-620 iso-8859-11 windows-874", "cp874"),
}
# Codecs Python knows that no browser uses for pages: some reinterpret escapes or are
# classic script-injection vectors (UTF-7), so a page naming them is read as UTF-8.
_REFUSED_CODECS = frozenset(
    _words("utf-7 unicode-escape raw-unicode-escape idna punycode undefined mbcs oem charmap")
)

_SKIP_TAGS = frozenset(
    _words("script style noscript template nav form iframe svg head title object embed math canvas")
)
# Page-level header and footer are site chrome (ARIA banner / contentinfo); inside
# sectioning content they are the ad's own heading or signature and are kept.
_LANDMARK_TAGS = frozenset({"header", "footer"})
_SECTIONING_TAGS = frozenset({"article", "aside", "main", "nav", "section"})
_BLOCK_TAGS = frozenset(
    _words(
        "address article aside blockquote body caption center dd details dialog dir div "
        "dl dt fieldset figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup hr html "
        "legend li listing main menu ol p pre section summary table tbody tfoot thead tr "
        "ul xmp option textarea"
    )
)
_CELL_TAGS = frozenset({"td", "th"})
_PRE_TAGS = frozenset({"pre", "textarea", "listing", "xmp"})

_MAIN_SELECTORS = (
    "article",
    "[itemprop=articleBody]",
    "main",
    "#postingbody",
    ".posting-body",
    ".postingbody",
    "#ad-body",
    ".ad-body",
    ".ad-description",
    ".ad-text",
    ".listing-description",
    ".post-body",
)
"""Where the ad's own text lives, most specific page structure first."""
_MAX_CANDIDATES = 20

_POSTED_AT_META = _words(
    "article:published_time og:published_time datepublished date dc.date dc.date.issued "
    "dcterms.date dcterms.created dcterms.issued pubdate publishdate publish_date "
    "publish-date"
)
"""Meta names that carry a publication time, in order of trust."""

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# Elements whose start tag does not deepen the tree for long: void elements, and those
# whose end tag is optional (the parser closes them at the next sibling).
_FLAT_TAGS = frozenset(
    _words(
        "area base br col embed hr img input link meta param source track wbr keygen "
        "p li dt dd tr td th thead tbody tfoot option optgroup rb rt rp caption colgroup "
        "html head body"
    )
)

_ASCII_SPACE = re.compile(r"[ \t\n\r\f]+")
_SPACES = re.compile(r" {2,}")
_LANGUAGE = re.compile(r"^([A-Za-z]{2,3})(?:[-_].*)?$")
_REGION = re.compile(r"^([A-Za-z]{2})(?:-[A-Za-z0-9]{1,3})?$")
_TRACKER_SIZES = frozenset({"0", "1", "0px", "1px"})
_MAX_SRC_CHARS = 4096
# Browsers mark a saved page with the address it came from ("mark of the web").
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)


class HtmlTooDeepError(RecordError):
    """Markup nested so deeply that parsing it would take unbounded time."""


class HtmlDecodeError(RecordError):
    """Bytes that the page's charset cannot decode; ``offset`` points at the first one."""

    def __init__(self, charset: str, offset: int) -> None:
        super().__init__(f"undecodable bytes (charset {charset}) at byte {offset}")
        self.charset = charset
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Page:
    """What one HTML document says about itself, before any source-specific choice.

    Readers decide the URL, source and capture time (a file and a WARC record know
    different things); everything that only depends on the markup is here.
    """

    title: str | None
    body: str | None
    canonical_url: str | None
    og_url: str | None
    saved_from_url: str | None
    base_href: str | None
    site_name: str | None
    posted_at: datetime | None
    posted_at_raw: tuple[str, ...]
    language: str | None
    location: str | None
    country: str | None
    image_srcs: tuple[str, ...]
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str | None:
        """The page's address when it states one as an absolute web URL.

        The site's own claims come first; the browser's "saved from" mark is the
        fallback, since redirects or session parameters may have shaped it.
        """
        for candidate in (self.canonical_url, self.og_url, self.saved_from_url):
            if candidate and _is_web_url(candidate):
                return candidate
        return None

    def record_fields(self) -> dict[str, Any]:
        """The fields of a :func:`post_from_record` record that the markup decides.

        Page meta is nested under ``meta`` rather than spread into the record: a page
        with ``<meta name="id">`` or ``<meta name="url">`` must not be able to set the
        post's identity or known fields.
        """
        fields: dict[str, Any] = {
            "title": self.title,
            "body": self.body,
            "posted_at": self.posted_at,
            "location": self.location,
            "country": self.country,
            "language": self.language,
            "meta": dict(self.meta),
            "extracted_by": EXTRACTED_BY,
        }
        if self.posted_at_raw:
            fields["posted_at_raw"] = list(self.posted_at_raw)
        if self.canonical_url:
            fields["canonical_url"] = self.canonical_url
        if self.saved_from_url:
            fields["saved_from_url"] = self.saved_from_url
        return fields


def decode_html(data: bytes, transport_charset: str | None = None) -> tuple[str, str]:
    """Decode a page strictly, returning ``(text, charset)``.

    Precedence follows the HTML spec: byte order mark, then the transport's charset
    (an HTTP ``Content-Type`` from a WARC), then ``<meta charset>``, then UTF-8. An
    unknown label falls through to the next source instead of failing, but bytes that
    the chosen charset cannot decode raise :class:`HtmlDecodeError`.
    """
    for bom, charset in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], charset, len(bom)), charset
    declared = _codec_for(transport_charset, from_meta=False) if transport_charset else None
    if declared is None:
        match = _META_CHARSET.search(data[:_PRESCAN_BYTES])
        if match:
            declared = _codec_for(match.group(1).decode("ascii"), from_meta=True)
    charset = declared or "utf-8"
    return _decode(data, charset, 0), charset


def _codec_for(label: str, *, from_meta: bool) -> str | None:
    name = label.strip().strip("\"'").lower()
    if name in _LABEL_ALIASES:
        return _LABEL_ALIASES[name]
    if from_meta and name.startswith(("utf-16", "utf16")):
        # The spec's rule: a page that could be prescanned as ASCII is not UTF-16.
        return "utf-8"
    if not _LABEL.match(name):
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED_CODECS:
        return None
    return "utf-8" if info.name == "utf-8" else info.name


def _decode(data: bytes, charset: str, base: int) -> str:
    if charset == "windows-1252":
        # WHATWG windows-1252 maps the five bytes Python's cp1252 leaves undefined to
        # the C1 controls, so it never fails; do the same instead of rejecting.
        text = data.decode("cp1252", errors="surrogateescape")
        return re.sub("[\udc80-\udcff]", lambda m: chr(ord(m.group()) - 0xDC00), text)
    try:
        return data.decode(charset)
    except UnicodeDecodeError as exc:
        raise HtmlDecodeError(charset, base + exc.start) from exc


def extract_page(text: str) -> Page:
    """Read title, main text, dates, places and images from decoded HTML.

    Raises :class:`HtmlTooDeepError` for markup that would stall the parser.
    """
    _check_nesting(text)
    tree = LexborHTMLParser(text)
    meta = _meta_pairs(tree)
    body, images = _main_text(tree)
    posted_at, posted_raw = _posted_at(tree, meta)
    og_images = [
        value for key, value in _all_meta(tree) if key == "og:image" and _usable_src(value)
    ]
    saved_from = _SAVED_FROM.search(text[:_PRESCAN_BYTES])
    region = meta.get("geo.region", "")
    region_match = _REGION.match(region.strip())
    canonical = _attr(tree.css_first("link[rel~=canonical]"), "href")
    return Page(
        title=_title(tree, meta),
        body=body or None,
        canonical_url=_clean_inline(canonical) if canonical else None,
        og_url=_clean_inline(meta["og:url"]) if meta.get("og:url") else None,
        saved_from_url=saved_from.group(1) if saved_from else None,
        base_href=_attr(tree.css_first("base[href]"), "href"),
        site_name=_clean_inline(meta.get("og:site_name", "")) or None,
        posted_at=posted_at,
        posted_at_raw=tuple(posted_raw),
        language=_language(tree, meta),
        location=_clean_inline(meta.get("geo.placename", "")) or None,
        country=region_match.group(1).upper() if region_match else None,
        image_srcs=tuple(_dedupe([*og_images, *images])[:MAX_IMAGES]),
        meta=_bounded_meta(meta),
    )


def _check_nesting(text: str) -> None:
    """Refuse pathological nesting before the parser sees it.

    A spec-compliant parser checks the open-element stack at each block start tag, so
    its time grows with the sum of the nesting depths: 20,000 nested ``<div>`` take
    seconds, and a 20 MB page of them would take hours. That sum is estimated here
    from the tags alone, in one linear scan (tags inside scripts and comments are
    counted too; they are usually balanced, so the estimate stays close).
    """
    tags = text.count("<")
    if tags * (tags + 1) // 2 <= MAX_NESTING_WORK:
        return  # even fully nested, this few tags are harmless
    depth = 0
    work = 0
    for closing, name in _TAG.findall(text):
        if name.lower() in _FLAT_TAGS:
            continue
        if closing:
            depth = max(0, depth - 1)
            continue
        depth += 1
        work += depth
        if work > MAX_NESTING_WORK:
            raise HtmlTooDeepError(f"markup nested too deeply to parse safely (depth {depth})")


def _attr(node: LexborNode | None, name: str) -> str | None:
    if node is None:
        return None
    value = node.attributes.get(name)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _all_meta(tree: LexborHTMLParser) -> Iterator[tuple[str, str]]:
    for node in tree.css("meta"):
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        content = attrs.get("content")
        if isinstance(key, str) and isinstance(content, str) and key.strip():
            yield key.strip().lower()[:MAX_META_KEY_CHARS], content.strip()


def _meta_pairs(tree: LexborHTMLParser) -> dict[str, str]:
    """First value per meta name/property; the first is what a browser or crawler uses."""
    pairs: dict[str, str] = {}
    for key, value in _all_meta(tree):
        pairs.setdefault(key, value)
    return pairs


def _bounded_meta(meta: dict[str, str]) -> dict[str, str]:
    return {key: value[:MAX_META_CHARS] for key, value in list(meta.items())[:MAX_META_ENTRIES]}


def _title(tree: LexborHTMLParser, meta: dict[str, str]) -> str | None:
    candidates = [meta.get("og:title")]
    for selector in ("title", "h1"):
        node = tree.css_first(selector)
        candidates.append(node.text(deep=True) if node is not None else None)
    for candidate in candidates:
        cleaned = _clean_inline(candidate or "")
        if cleaned:
            return cleaned
    return None


def _language(tree: LexborHTMLParser, meta: dict[str, str]) -> str | None:
    candidates = [
        _attr(tree.css_first("html"), "lang"),
        _attr(tree.css_first("meta[http-equiv=content-language i]"), "content"),
        meta.get("og:locale"),
    ]
    for candidate in candidates:
        match = _LANGUAGE.match((candidate or "").strip())
        if match and match.group(1).lower() != "und":
            return match.group(1).lower()
    return None


def _posted_at(tree: LexborHTMLParser, meta: dict[str, str]) -> tuple[datetime | None, list[str]]:
    """The first parsable publication time; unparsable ones are kept as text.

    A page is not a structured record, so a date like "3 days ago" is not a reason to
    lose the post; the raw strings go to metadata for the analyst instead.
    """
    raw: list[str] = [meta[key] for key in _POSTED_AT_META if meta.get(key)]
    for node in tree.css("time[datetime], [itemprop=datePublished]")[:_MAX_CANDIDATES]:
        value = _attr(node, "datetime") or _attr(node, "content")
        if value:
            raw.append(value)
    unparsed: list[str] = []
    for value in raw:
        try:
            parsed = parse_time(value, "posted_at")
        except RecordError:
            parsed = None
        if parsed is not None:
            return parsed, unparsed
        if value[:MAX_META_CHARS] not in unparsed:
            unparsed.append(value[:MAX_META_CHARS])
    return None, unparsed


def _main_text(tree: LexborHTMLParser) -> tuple[str, list[str]]:
    """Text and images of the element holding the ad's own text.

    Among several matches of one selector (a page of related ads, nested articles) the
    one with the most text is taken: on a saved ad the ad itself is the longest. Images
    come from the same element, so site logos and banners outside it do not tie every
    post of a site together by image hash.
    """
    for selector in _MAIN_SELECTORS:
        best: tuple[str, list[str]] = ("", [])
        for node in tree.css(selector)[:_MAX_CANDIDATES]:
            found = _walk(node)
            if len(found[0]) > len(best[0]):
                best = found
        if best[0]:
            return best
    container = tree.body or tree.root
    return _walk(container) if container is not None else ("", [])


class _Exit:
    """Marks the end of an element during the iterative walk (no recursion, so a
    hostile page nested thousands deep cannot exhaust the Python stack)."""

    __slots__ = ("pre", "section", "separator")

    def __init__(self, separator: str, pre: bool, section: bool) -> None:
        self.separator = separator
        self.pre = pre
        self.section = section


def _walk(container: LexborNode) -> tuple[str, list[str]]:
    """Visible text with block boundaries as line breaks, and image sources.

    Line breaks are kept because contacts are often split across lines
    ("call me" / "555 0100") and later extraction needs to see where lines end.
    """
    forms = _page_forms(container)
    parts: list[str] = []
    images: list[str] = []
    pre_depth = 0
    section_depth = 1 if _in_section(container) else 0
    stack: list[LexborNode | _Exit] = [container]
    while stack:
        item = stack.pop()
        if isinstance(item, _Exit):
            parts.append(item.separator)
            pre_depth -= item.pre
            section_depth -= item.section
            continue
        if item.is_text_node:
            value = item.text_content or ""
            parts.append(value if pre_depth else _ASCII_SPACE.sub(" ", value))
            continue
        tag = item.tag or ""
        if not item.is_element_node or tag.startswith(("-", "#")):
            continue  # comments, doctype, processing instructions
        if tag in _SKIP_TAGS and not (tag == "form" and item.mem_id in forms):
            continue
        if tag in _LANDMARK_TAGS and section_depth == 0:
            continue
        if tag == "br":
            parts.append("\n")
            continue
        if tag == "img":
            src = _image_src(item)
            if src:
                images.append(src)
            continue
        separator = "\n" if tag in _BLOCK_TAGS else " " if tag in _CELL_TAGS else ""
        pre = tag in _PRE_TAGS
        section = tag in _SECTIONING_TAGS
        parts.append(separator)
        stack.append(_Exit(separator, pre, section))
        pre_depth += pre
        section_depth += section
        children: list[LexborNode] = []
        child = item.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend(reversed(children))
    raw_lines = "".join(parts).split("\n")
    lines = (_SPACES.sub(" ", line.replace("\t", " ")).strip() for line in raw_lines)
    return "\n".join(line for line in lines if line), images


def _in_section(node: LexborNode) -> bool:
    current: LexborNode | None = node
    while current is not None:
        if current.tag in _SECTIONING_TAGS:
            return True
        current = current.parent
    return False


def _page_forms(container: LexborNode) -> set[int]:
    """Forms that *are* the page (ASP.NET wraps the whole body in one) are read through.

    Forms are skipped as search boxes and reply widgets, but a form holding most of the
    text is the page layout, and skipping it would lose the ad.
    """
    total = len(container.text(deep=True))
    keep: set[int] = set()
    for form in container.css("form")[:_MAX_CANDIDATES]:
        if total and len(form.text(deep=True)) * 2 > total:
            keep.add(form.mem_id)
    return keep


def _image_src(node: LexborNode) -> str | None:
    """The picture an ``<img>`` shows, looking through lazy-loading placeholders.

    Inline ``data:`` images are not recorded (their bytes would be the URI) and 1-pixel
    trackers are not pictures of anyone.
    """
    attrs = node.attributes
    if attrs.get("width") in _TRACKER_SIZES or attrs.get("height") in _TRACKER_SIZES:
        return None
    for name in ("src", "data-src", "data-original", "data-lazy-src"):
        value = attrs.get(name)
        if isinstance(value, str) and _usable_src(value):
            return value.strip()
    return None


def _usable_src(value: str) -> bool:
    """A reference worth recording: not empty, not inline bytes, not absurdly long."""
    value = value.strip()
    return bool(value) and not value.lower().startswith("data:") and len(value) <= _MAX_SRC_CHARS


def _clean_inline(value: str) -> str:
    return " ".join(value.split())


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. a malformed IPv6 host: hostile or broken, not an address
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def absolute_url(base: str, ref: str) -> str | None:
    """``ref`` resolved against ``base`` as a browser would, without its fragment.

    None when the result is not a web URL (``javascript:``, ``mailto:``) or cannot be
    parsed at all; page markup is attacker-written and must not stop a reader.
    """
    try:
        joined = urldefrag(urljoin(base, ref)).url
    except ValueError:
        return None
    return joined if _is_web_url(joined) else None


def host_of(url: str | None) -> str | None:
    """The host of a web URL, used to name a source the page does not name itself."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host or None


def local_image_paths(srcs: tuple[str, ...], page_url: str | None) -> list[str]:
    """Image references of a saved page, in the form :func:`resolve_images` expects.

    Relative references are files saved beside the page; their query and fragment are
    not part of the file name and percent-escapes are decoded, as a browser does when
    saving. Site-root paths (``/img/a.jpg``) point at the website, not the folder, so
    with a known page URL they become remote URLs rather than refused local paths.
    """
    out: list[str] = []
    for src in srcs:
        try:
            parts = urlsplit(src)
        except ValueError:
            out.append(src)  # recorded as written; resolve_images never fetches it
            continue
        if parts.scheme or src.startswith("//"):
            out.append(src)
        elif src.startswith("/") and page_url:
            out.append(absolute_url(page_url, src) or src)
        elif parts.path:
            out.append(unquote(parts.path))
    return _dedupe(out)


class HtmlReader:
    name = "html"

    def sniff(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() in {".html", ".htm", ".xhtml"}:
            return True
        start = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\f")
        while start.startswith(b"<!--"):  # e.g. a browser's "saved from url=" mark
            end = start.find(b"-->")
            if end < 0:
                return False
            start = start[end + 3 :].lstrip(b" \t\r\n\f")
        return start[:16].lower().startswith((b"<!doctype html", b"<html"))

    def read(self, path: Path, options: ReadOptions) -> Iterator[Item]:
        origin = origin_of(path)
        locator = f"file {path.name}"
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_HTML_BYTES + 1)
                mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError as exc:
            yield reject(origin, locator, f"unreadable: {exc.strerror or exc}")
            return
        if len(data) > MAX_HTML_BYTES:
            yield reject(origin, locator, f"page larger than {MAX_HTML_BYTES} bytes", data[:200])
            return
        try:
            text, charset = decode_html(data)
        except HtmlDecodeError as exc:
            yield reject(origin, locator, str(exc), data[max(0, exc.offset - 60) : exc.offset])
            return
        try:
            page = extract_page(text)
        except HtmlTooDeepError as exc:
            yield reject(origin, locator, str(exc), data[:200])
            return
        url = page.url
        record = page.record_fields()
        record.update(
            {
                "url": url,
                "source": page.site_name,
                "collected_at": mtime,
                "images": local_image_paths(page.image_srcs, url),
                "charset": charset,
            }
        )
        # The analyst's name for the site beats guesses from the URL or the folder.
        default_source = options.source or host_of(url) or path.absolute().parent.name or "html"
        yield from record_items(
            record,
            origin=origin,
            locator=locator,
            base_dir=path.parent,
            default_source=default_source,
            default_country=options.default_country,
            raw_sha256=sha256_hex(data),
            raw=page.title or page.body or "",
        )


READER = HtmlReader()
