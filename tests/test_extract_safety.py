"""Hostile input through the whole extractor set: it never raises and never hangs.

Ad text is attacker-controlled. Each case here is built to trip a naive extractor:
catastrophic regex backtracking, huge digit runs, separators between every
character, control characters and lone surrogates. Hangs are caught by the
per-test timeout (a bound on runaway behaviour, not a speed measurement).
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import text_post
from tracelight.extract import extract_post
from tracelight.model import Post


def post(body: str, title: str | None = None, country: str | None = "US") -> Post:
    return text_post(body, title=title, country=country, post_id="p")


def check(p: Post) -> None:
    for mention in extract_post(p):
        text = p.text(mention.field)
        assert 0 <= mention.start < mention.end <= len(text)
        assert text[mention.start : mention.end] == mention.text
        assert 0.0 <= mention.confidence <= 1.0


PIECES = [
    "4",
    "1",
    "5",
    " ",
    "-",
    ".",
    "(",
    ")",
    "+",
    "00",
    "O",
    "l",
    "four",
    "cinco",
    "trente",
    "-quatre",
    "\n",
    "4\ufe0f\u20e3",
    "\uff14",
    "\u2463",
    "@",
    "[at]",
    " dot ",
    "gmail",
    ".com",
    "t.me/",
    "IG @",
    "snap \U0001f47b ",
    "0x",
    "bc1q",
    "1A1zP1",
    "www.",
    "http://",
    "$",
    "roses",
    "hr",
    "\u200b",
    "\x00",
    "\ud800",
    "\u202e",
    "é",
    "ß",
    "🌹",
    "yo",
    "age",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=200), st.sampled_from(["US", "FR", None]))
def test_adversarial_mixtures_never_raise_and_spans_are_exact(
    pieces: list[str], country: str | None
) -> None:
    text = "".join(pieces)
    check(post(text, title=text[:80], country=country))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_arbitrary_unicode(text: str) -> None:
    check(post(text, title=text[:100]))


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "body",
    [
        "5" * 1_000_000,
        "5-" * 300_000,
        ". " * 400_000,
        "a@" * 300_000,
        "@" + "a." * 300_000,
        "[at] " * 150_000,
        "four " * 200_000,
        "0x" + "a" * 500_000,
        "1" + "A" * 500_000,
        "http://" + "a" * 500_000,
        "\u200b" * 500_000,
        "4\ufe0f\u20e3" * 200_000,
    ],
    ids=lambda b: repr(b[:12]),
)
def test_pathological_megabyte_inputs_complete(body: str) -> None:
    check(post(body))


@pytest.mark.timeout(120)
def test_one_megabyte_of_random_ad_like_text_completes() -> None:
    rng = random.Random(7)
    body = "".join(rng.choice(PIECES) for _ in range(250_000))[:1_000_000]
    check(post(body))
