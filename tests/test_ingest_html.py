"""Saved HTML pages become one post each, with the text a reader would see."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracelight.ingest import html as html_mod
from tracelight.ingest.base import Item, ReadOptions
from tracelight.ingest.html import READER, HtmlTooDeepError, decode_html, extract_page
from tracelight.model import ImageBlob, Post, Reject

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

AD_PAGE = """<!DOCTYPE html>
<html lang="en-US">
<head>
  <meta charset="utf-8">
  <title>Page title | Example Ads</title>
  <meta property="og:title" content="Sweet new girl in town">
  <meta property="og:site_name" content="Example Ads">
  <meta property="og:image" content="https://cdn.example.test/og.jpg">
  <meta name="description" content="New in town, call now">
  <meta name="keywords" content="massage, new">
  <meta name="geo.region" content="US-CA">
  <meta name="geo.placename" content="Los Angeles">
  <meta property="article:published_time" content="2024-03-01T10:00:00-08:00">
  <meta name="id" content="attacker-chosen-id">
  <link rel="canonical" href="https://ads.example.test/ad/123">
  <meta property="og:image" content="http://[broken/og.jpg">
  <style>body { color: red } .secret-style {}</style>
  <script>var tracking = "secret-script";</script>
</head>
<body>
  <header><img src="logo.png"><a href="/">Example Ads home</a></header>
  <nav>Escorts | Massage | Jobs</nav>
  <article>
    <h1>Sweet new girl in town</h1>
    <p>Call me   at
       555</p>
    <p>0100 <b>anytime</b><br>ask for Anna</p>
    <img src="photos/one.png" onerror="alert('img-onerror')">
    <img src="https://cdn.example.test/two.jpg">
    <img src="missing.png">
    <img src="../outside.png">
    <img src="pixel.gif" width="1" height="1">
    <img src="data:image/png;base64,AAAA">
    <script>alert(1)</script>
    <ul><li>Incall</li><li>Outcall</li></ul>
    <table><tr><td>Phone</td><td>555-0100</td></tr></table>
    <form><input value="search-box">Search the site</form>
  </article>
  <footer>Copyright Example Ads</footer>
</body>
</html>
"""


def _write(path: Path, content: str | bytes, mtime: float = 1_700_000_000.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    os.utime(path, (mtime, mtime))
    return path


def _read(path: Path, options: ReadOptions | None = None) -> list[Item]:
    return list(READER.read(path, options or ReadOptions()))


def _one_post(items: list[Item]) -> Post:
    posts = [item for item in items if isinstance(item, Post)]
    assert len(posts) == 1, items
    return posts[0]


@pytest.fixture
def ad_page(tmp_path: Path) -> Path:
    page = _write(tmp_path / "saved" / "ad.html", AD_PAGE)
    _write(tmp_path / "saved" / "photos" / "one.png", PNG)
    _write(tmp_path / "outside.png", PNG)
    return page


def test_reads_fields_of_a_saved_ad(ad_page: Path) -> None:
    items = _read(ad_page)
    post = _one_post(items)

    assert post.title == "Sweet new girl in town"  # og:title wins over <title>
    assert post.url == "https://ads.example.test/ad/123"
    assert post.source == "Example Ads"
    assert post.posted_at == datetime(2024, 3, 1, 18, 0, tzinfo=UTC)
    assert post.collected_at == datetime.fromtimestamp(1_700_000_000, UTC)
    assert post.language == "en"
    assert post.location == "Los Angeles"
    assert post.country == "US"
    assert post.external_id is None  # <meta name="id"> cannot set identity
    assert post.origin == str(ad_page)
    assert post.locator == "file ad.html"
    assert post.metadata["extracted_by"] == "selectolax"
    assert post.metadata["charset"] == "utf-8"
    meta = post.metadata["meta"]
    assert meta["description"] == "New in town, call now"
    assert meta["keywords"] == "massage, new"
    assert meta["og:site_name"] == "Example Ads"
    assert meta["id"] == "attacker-chosen-id"


def test_body_keeps_block_lines_and_drops_chrome_and_code(ad_page: Path) -> None:
    post = _one_post(_read(ad_page))

    assert post.body == (
        "Sweet new girl in town\n"
        "Call me at 555\n"
        "0100 anytime\n"
        "ask for Anna\n"
        "Incall\n"
        "Outcall\n"
        "Phone 555-0100"
    )
    for hidden in (
        "secret-script",
        "secret-style",
        "alert",
        "onerror",
        "Example Ads home",
        "Escorts",
        "Copyright",
        "search-box",
        "Search the site",
    ):
        assert hidden not in (post.body or "")


def test_images_resolve_beside_the_page_and_stay_confined(ad_page: Path) -> None:
    items = _read(ad_page)
    post = _one_post(items)
    blobs = [item for item in items if isinstance(item, ImageBlob)]

    by_uri = {ref.uri: ref for ref in post.images}
    assert list(by_uri) == [
        "https://cdn.example.test/og.jpg",
        "http://[broken/og.jpg",
        "photos/one.png",
        "https://cdn.example.test/two.jpg",
        "missing.png",
        "../outside.png",
    ]  # the header logo, the tracking pixel and inline data: are not the ad's pictures
    assert by_uri["http://[broken/og.jpg"].status == "remote"  # kept as written, never fetched
    assert by_uri["photos/one.png"].status == "local"
    assert by_uri["photos/one.png"].sha256 == hashlib.sha256(PNG).hexdigest()
    assert by_uri["https://cdn.example.test/two.jpg"].status == "remote"
    assert by_uri["missing.png"].status == "missing"
    assert by_uri["../outside.png"].status == "refused"
    assert [blob.uri for blob in blobs] == ["photos/one.png"]
    assert blobs[0].data == PNG
    assert items.index(blobs[0]) < items.index(post)


def test_raw_hash_is_the_file_and_ids_are_stable(ad_page: Path) -> None:
    first = _one_post(_read(ad_page))
    second = _one_post(_read(ad_page))

    assert first.raw_sha256 == hashlib.sha256(ad_page.read_bytes()).hexdigest()
    assert first.id == second.id
    assert first == second


def test_title_falls_back_to_title_tag_then_h1(tmp_path: Path) -> None:
    with_title = _write(tmp_path / "a.html", "<title> Only\n title </title><p>text</p>")
    with_h1 = _write(tmp_path / "b.html", "<body><h1>Heading <i>one</i></h1><p>x</p></body>")

    assert _one_post(_read(with_title)).title == "Only title"
    assert _one_post(_read(with_h1)).title == "Heading one"


def test_loose_page_uses_folder_time_default_country_and_raw_dates(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "city-ads" / "page.htm",
        '<html lang="es-MX"><head><meta name="date" content="last tuesday"></head>'
        '<body><div>Hola</div><time datetime="ayer">ayer</time></body></html>',
    )
    post = _one_post(_read(page, ReadOptions(default_country="mx")))

    assert post.source == "city-ads"
    assert post.url is None
    assert post.posted_at is None
    assert post.metadata["posted_at_raw"] == ["last tuesday", "ayer"]
    assert post.country == "MX"
    assert post.language == "es"
    assert post.body == "Hola\nayer"


def test_browser_saved_from_mark_is_the_fallback_url(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "saved.html",
        "<!DOCTYPE html>\r\n<!-- saved from url=(0029)https://ads.example.test/ad/9 -->\r\n"
        "<html><body><p>Ad text</p></body></html>",
    )
    post = _one_post(_read(page))

    assert post.url == "https://ads.example.test/ad/9"
    assert post.source == "ads.example.test"
    assert post.metadata["saved_from_url"] == "https://ads.example.test/ad/9"


def test_source_prefers_the_analysts_name_over_the_url_host(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "p.html",
        '<head><meta property="og:url" content="https://www.site.test/x"></head><p>t</p>',
    )
    assert _one_post(_read(page)).source == "www.site.test"
    assert _one_post(_read(page, ReadOptions(source="site"))).source == "site"


def test_undecodable_page_is_rejected_with_charset_and_offset(tmp_path: Path) -> None:
    page = _write(tmp_path / "bad.html", b"<html><body><p>caf\xe9 ok</p></body></html>")
    items = _read(page)

    assert len(items) == 1
    rejected = items[0]
    assert isinstance(rejected, Reject)
    assert rejected.locator == "file bad.html"
    assert rejected.origin == str(page)
    assert rejected.reason == "undecodable bytes (charset utf-8) at byte 18"


def test_declared_charsets_are_honoured(tmp_path: Path) -> None:
    latin = _write(
        tmp_path / "latin.html",
        b'<meta charset="ISO-8859-1"><p>caf\xe9 \x93quoted\x94</p>',
    )
    bom = _write(tmp_path / "bom.html", "\ufeff<p>naïve</p>".encode())

    assert _one_post(_read(latin)).body == "caf\u00e9 \u201cquoted\u201d"
    assert _one_post(_read(latin)).metadata["charset"] == "windows-1252"
    assert _one_post(_read(bom)).body == "naïve"
    text, charset = decode_html(b"<p>x</p>", "text/html; nonsense")
    assert (text, charset) == ("<p>x</p>", "utf-8")  # an unknown label is not fatal


def test_page_without_text_is_rejected(tmp_path: Path) -> None:
    page = _write(tmp_path / "empty.html", "<html><body><script>x()</script></body></html>")
    items = _read(page)

    assert len(items) == 1
    assert isinstance(items[0], Reject)
    assert items[0].reason.startswith("missing text")


def test_oversized_page_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_mod, "MAX_HTML_BYTES", 100)
    page = _write(tmp_path / "big.html", "<p>" + "x" * 200 + "</p>")
    items = _read(page)

    assert len(items) == 1
    assert isinstance(items[0], Reject)
    assert items[0].reason == "page larger than 100 bytes"


def test_page_wrapped_in_one_form_is_still_read(tmp_path: Path) -> None:
    # ASP.NET-style layout: the whole page is a form; its search box is a nested form.
    page = _write(
        tmp_path / "aspx.html",
        "<body><form id=main><div><p>Ad text here</p><p>Call 555 0100</p></div>"
        "<div class=search><input name=q>Go</div></form></body>",
    )
    assert _one_post(_read(page)).body == "Ad text here\nCall 555 0100\nGo"


def test_longest_article_is_the_ad(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "list.html",
        "<article><p>Related ad</p></article>"
        "<article><header><h2>Main ad</h2></header><p>Long text of the main ad</p></article>",
    )
    assert _one_post(_read(page)).body == "Main ad\nLong text of the main ad"


def test_deep_nesting_is_walked_without_recursion() -> None:
    page = extract_page("<div><span>" * 3_000 + "deep" + "</span></div>" * 3_000)
    assert page.body == "deep"


def test_pathological_nesting_is_rejected_before_parsing(tmp_path: Path) -> None:
    # 20,000 nested <div> cost a spec-compliant parser seconds; 20 MB of them, hours.
    page = _write(tmp_path / "deep.html", "<div>" * 20_000 + "deep")
    items = _read(page)

    assert len(items) == 1
    assert isinstance(items[0], Reject)
    assert items[0].reason.startswith("markup nested too deeply to parse safely")
    with pytest.raises(HtmlTooDeepError):
        extract_page("<section>" * 20_000)


def test_meta_is_bounded() -> None:
    metas = "".join(f'<meta name="k{i}" content="{"v" * 2000}">' for i in range(80))
    page = extract_page(f"<head>{metas}</head><p>x</p>")
    assert len(page.meta) == 50
    assert all(len(value) == 1000 for value in page.meta.values())


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.html", b"", True),
        ("a.HTM", b"", True),
        ("a.xhtml", b"", True),
        ("download", b"\xef\xbb\xbf  \n<!DOCTYPE html><html>", True),
        ("download", b"\n<HTML lang=en>", True),
        ("download", b"<!-- saved from url=(0022)https://a.test/ -->\r\n<html>", True),
        ("download", b"<!-- unterminated comment <html>", False),
        ("a.txt", b"hello <html>", False),
        ("a.json", b'{"html": 1}', False),
    ],
)
def test_sniff(name: str, head: bytes, expected: bool) -> None:
    assert READER.sniff(Path(name), head) is expected
    assert READER.name == "html"
