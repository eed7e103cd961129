"""Handles, URLs and obfuscated e-mail: labelled cases, hard negatives, hostile input, speed."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import text_post
from tracelight.extract.handle import extract_handles
from tracelight.extract.obfuscated_email import extract_obfuscated_emails
from tracelight.extract.url import extract_urls
from tracelight.model import Mention, Post

POSTS_CSV = (
    Path(__file__).resolve().parents[2] / "shared/data/backpage_ca_womenseekmen_posts/posts.csv"
)


def make_post(body: str) -> Post:
    return text_post(body)


def run(extractor: object, text: str) -> list[Mention]:
    mentions: list[Mention] = extractor(make_post(text), "body", text)  # type: ignore[operator]
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert m.text == text[m.start : m.end]
    return mentions


HANDLES: list[tuple[str, list[str]]] = [
    # links
    ("https://www.instagram.com/jen.ny/?hl=en", ["instagram:jen.ny"]),
    ("Instagram.com/Jen_Ny", ["instagram:jen_ny"]),
    ("t.me/lolaxx12", ["telegram:lolaxx12"]),
    ("https://telegram.me/Lola_Xx", ["telegram:lola_xx"]),
    ("www.snapchat.com/add/lola_x", ["snapchat:lola_x"]),
    ("twitter.com/lola", ["twitter:lola"]),
    ("https://mobile.twitter.com/Lola_22/status/123", ["twitter:lola_22"]),
    ("x.com/lola", ["twitter:lola"]),
    ("onlyfans.com/lolaxo", ["onlyfans:lolaxo"]),
    ("kik.me/babydoll22", ["kik:babydoll22"]),
    ("line.me/ti/p/~lola12", ["line:lola12"]),
    ("tiktok.com/@lola.x", ["tiktok:lola.x"]),
    ("facebook.com/lola.smith", ["facebook:lola.smith"]),
    ("m.facebook.com/profile.php?id=1000123", ["facebook:1000123"]),
    ("wa.me/14155550123", ["whatsapp:+14155550123"]),
    ("api.whatsapp.com/send?phone=14155550123", ["whatsapp:+14155550123"]),
    # labels
    ("sc: kitty_22 now", ["snapchat:kitty_22"]),
    ("SC - kitty_22", ["snapchat:kitty_22"]),
    ("snap: kitty22", ["snapchat:kitty22"]),
    ("snapchat sexykitty22", ["snapchat:sexykitty22"]),
    ("snap 👻 lola.x", ["snapchat:lola.x"]),
    ("👻 lola_x", ["snapchat:lola_x"]),
    ("IG @jen.ny", ["instagram:jen.ny"]),
    ("IG: jen_ny", ["instagram:jen_ny"]),
    ("insta: jen_1", ["instagram:jen_1"]),
    ("instagram: @Jen.Ny.", ["instagram:jen.ny"]),
    ("kik: babydoll22", ["kik:babydoll22"]),
    ("kik me babydoll22", ["kik:babydoll22"]),
    ("tg @lolaxx12", ["telegram:lolaxx12"]),
    ("telegram: lola_xx", ["telegram:lola_xx"]),
    ("twitter @lola", ["twitter:lola"]),
    ("OF: lolaxo", ["onlyfans:lolaxo"]),
    ("onlyfans: lolaxo", ["onlyfans:lolaxo"]),
    ("wechat: lola123", ["wechat:lola123"]),
    ("wechat id lola123", ["wechat:lola123"]),
    ("line id: lola12", ["line:lola12"]),
    ("lineid: kitty22", ["line:kitty22"]),  # the label written as one word
    ("LINEID kitty22", ["line:kitty22"]),
    ("line: lola12", ["line:lola12"]),
    ("signal: lola.42", ["signal:lola.42"]),
    ("mi snap es lola_x", ["snapchat:lola_x"]),
    ("insta é: lola.x", ["instagram:lola.x"]),
    ("mon snap: lola_x", ["snapchat:lola_x"]),
    ("snapchat ist lola_x", ["snapchat:lola_x"]),
    # short labels with a copula (once missed: their pre-check wanted a separator)
    ("my ig is kitty_22", ["instagram:kitty_22"]),
    ("Mi IG es lola_99", ["instagram:lola_99"]),
    ("sc es kitty_22", ["snapchat:kitty_22"]),
    ("tg is kitty22", ["telegram:kitty22"]),
    ("fb is kitty.22", ["facebook:kitty.22"]),
    ("📷 est lola.x", ["instagram:lola.x"]),
    # hard negatives
    ("ig is the best", []),
    ("the line is open 24/7", []),
    ("of is a preposition", []),
    ("this is big", []),
    ("snap me now", []),
    ("snap me babe", []),
    ("IG only", []),
    ("kik me now", []),
    ("snapchat available", []),
    ("text me on snapchat", []),
    ("of course", []),
    ("Greenville, SC - outcall", []),
    ("signal: 4155550123", []),
    ("instagram.com/p/abc", []),
    ("instagram.com/explore", []),
    ("x.com/home", []),
    ("twitter.com/intent/tweet", []),
    ("facebook.com/sharer.php", []),
    ("fox.com/lola", []),
    ("nightlife big night", []),
    ("online line-up", []),
    ("sc: 4155550123", []),
    ("telegram: abc", []),
    ("jen@instagram.com", []),
]


@pytest.mark.parametrize(("text", "expected"), HANDLES)
def test_handles(text: str, expected: list[str]) -> None:
    assert [m.value for m in run(extract_handles, text)] == expected


def test_handle_span_includes_label_and_confidence_by_form() -> None:
    text = "xx IG @jen.ny, snapchat kitty22 and instagram.com/lola"
    found = {m.value: m for m in run(extract_handles, text)}
    assert found["instagram:jen.ny"].text == "IG @jen.ny"
    assert found["snapchat:kitty22"].text == "snapchat kitty22"
    assert found["instagram:lola"].text == "instagram.com/lola"
    conf = [found[v].confidence for v in ("instagram:lola", "instagram:jen.ny", "snapchat:kitty22")]
    assert conf == sorted(conf, reverse=True)
    assert all(m.kind == "handle" for m in found.values())


URLS: list[tuple[str, list[str]]] = [
    (
        "see https://Www.Example.COM:443/a/b?utm_source=x&q=1#frag).",
        ["https://www.example.com/a/b?q=1"],
    ),
    ("visit www.site.com.", ["http://www.site.com/"]),
    ("go to mysite.com/page, ok", ["http://mysite.com/page"]),
    ("(http://bücher.de/x)", ["http://xn--bcher-kva.de/x"]),
    ("http://example.com:8080/x", ["http://example.com:8080/x"]),
    ("HTTP://EXAMPLE.COM", ["http://example.com/"]),
    ("a http://a.com/x b https://b.org/y!", ["http://a.com/x", "https://b.org/y"]),
    ("https://x.com/p?fbclid=1&gclid=2&id=3", ["https://x.com/p?id=3"]),
    ("https://site.com/a(b)", ["https://site.com/a(b)"]),
    ("mail jen@gmail.com/x", []),
    ("jen@gmail.com", []),
    ("100/hr a.m./p.m.", []),
    ("http://x", []),
    ("1.5/hr", []),
    ("roses 200/hh 300/h", []),
    ("http://[::1/x", []),
    ("https://" + "a" * 3000 + ".com", []),
]


@pytest.mark.parametrize(("text", "expected"), URLS)
def test_urls(text: str, expected: list[str]) -> None:
    assert [m.value for m in run(extract_urls, text)] == expected


EMAILS: list[tuple[str, list[str]]] = [
    ("jenny [at] gmail [dot] com", ["jenny@gmail.com"]),
    ("jen(at)mail(dot)com", ["jen@mail.com"]),
    ("jen {at} x {dot} com", ["jen@x.com"]),
    ("Jen AT Gmail DOT com", ["jen@gmail.com"]),
    ("jen at gmail dot com", ["jen@gmail.com"]),
    ("jen @ gmail . com", ["jen@gmail.com"]),
    ("jen@gmail dot com", ["jen@gmail.com"]),
    ("maria arroba gmail punto com", ["maria@gmail.com"]),
    ("maria arroba hotmail ponto com ponto br", ["maria@hotmail.com.br"]),
    ("jean arobase free point fr", ["jean@free.fr"]),
    ("jen＠gmail．com", ["jen@gmail.com"]),
    ("jen＠gmail.com", ["jen@gmail.com"]),
    ("jen [@] yahoo [.] co [.] uk", ["jen@yahoo.co.uk"]),
    ("email me at jenny at gmail dot com", ["jenny@gmail.com"]),
    ("jenny [at] gmail [dot] com. It is me", ["jenny@gmail.com"]),
    # hard negatives
    ("roses @ 200", []),
    ("me at home", []),
    ("meet at 5 dot com", []),
    ("I'm at work. It is late", []),
    ("special @ incall. No rush", []),
    ("jen@gmail.com", []),
    ("see you at the dot com", []),
    ("jen at gmail", []),
    ("jen [at] gmail [dot] company", []),
    ("available at noon. Call me", []),
]


@pytest.mark.parametrize(("text", "expected"), EMAILS)
def test_obfuscated_emails(text: str, expected: list[str]) -> None:
    found = run(extract_obfuscated_emails, text)
    assert [m.value for m in found] == expected
    assert all(m.method == "obfuscated" and m.kind == "email" for m in found)


def test_obfuscated_email_span_covers_whole_form() -> None:
    text = "write jenny [at] gmail [dot] com now"
    (m,) = run(extract_obfuscated_emails, text)
    assert m.text == "jenny [at] gmail [dot] com"


_PIECES = [
    *"@＠.．[](){}<>:/- \t\n_~👻✈İ",
    *("at", "dot", "www.", "http://", "snap", "ig", "OF", "t.me/", "instagram.com/", ".com/"),
]
hostile = st.lists(
    st.one_of(st.characters(), st.sampled_from(_PIECES), st.text(max_size=8)), max_size=120
).map("".join)


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_never_raises_and_spans_exact(text: str) -> None:
    for extractor in (extract_handles, extract_urls, extract_obfuscated_emails):
        run(extractor, text)


def test_long_runs_are_fast() -> None:
    for text in ("a" * 50_000, "@ " * 20_000, " at " * 10_000, "a." * 20_000, "/" * 50_000):
        started = time.perf_counter()
        for extractor in (extract_handles, extract_urls, extract_obfuscated_emails):
            run(extractor, text)
        assert time.perf_counter() - started < 2.0


@pytest.mark.skipif(not POSTS_CSV.exists(), reason="shared backpage data not present")
def test_speed_on_backpage_bodies() -> None:
    csv.field_size_limit(10**8)
    with POSTS_CSV.open(encoding="utf-8", newline="") as handle:
        bodies = [row.get("body") or "" for row in csv.DictReader(handle)]
    post = make_post("")
    timings = {}
    for extractor in (extract_handles, extract_urls, extract_obfuscated_emails):
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for body in bodies:
                extractor(post, "body", body)
            best = min(best, time.perf_counter() - started)
        timings[extractor.__name__] = best / len(bodies) * 1e6
    print({name: f"{us:.1f} us/post" for name, us in timings.items()})
    # Generous bound for shared CI machines; the target is ~20 us each.
    assert all(us < 200 for us in timings.values())
