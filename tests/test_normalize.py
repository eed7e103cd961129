"""Text normalisation for matching: disguised digits back to digits, spans back to the original."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracelight.extract.normalize import Normalized, normalize, normalize_email_tokens
from tracelight.extract.numberwords import PIECES

DIGITS = re.compile(r"[0-9]")

# (input, expected digits of the normalised text, original substring the digits map to)
CASES: list[tuple[str, str, str]] = [
    ("2O2-555-O1two3", "2025550123", "2O2-555-O1two3"),
    ("call 2O2-555-O1two3 now", "2025550123", "2O2-555-O1two3"),
    ("four one five . five five five", "415555", "four one five . five five five"),
    ("4️⃣1️⃣5️⃣5️⃣5️⃣5️⃣", "415555", "4️⃣1️⃣5️⃣5️⃣5️⃣5️⃣"),
    ("#️⃣4️⃣1️⃣5️⃣", "415", "4️⃣1️⃣5️⃣"),
    ("４１５５５５", "415555", "４１５５５５"),
    ("④①⑤⑤⑤⑤", "415555", "④①⑤⑤⑤⑤"),
    ("⑩ ⑳", "1020", "⑩ ⑳"),
    ("𝟒𝟏𝟓𝟓𝟓𝟓", "415555", "𝟒𝟏𝟓𝟓𝟓𝟓"),
    ("𝟺𝟷𝟻", "415", "𝟺𝟷𝟻"),
    ("❹❶❺", "415", "❹❶❺"),
    ("➃➀➄", "415", "➃➀➄"),
    ("٤١٥", "415", "٤١٥"),
    ("415\u200b555\u200b0123", "4155550123", "415\u200b555\u200b0123"),
    ("415\u00ad555\u200d0123", "4155550123", "415\u00ad555\u200d0123"),
    ("call 415🔥555🔥0123", "4155550123", "415🔥555🔥0123"),
    ("702*605*1961~Draya", "7026051961", "702*605*1961"),
    ("4\n1\n5\n555\n0123", "4155550123", "4\n1\n5\n555\n0123"),
    ("415_555_0123", "4155550123", "415_555_0123"),
    ("9l7-362-4031", "9173624031", "9l7-362-4031"),
    ("4I5-555-0I23", "4155550123", "4I5-555-0I23"),
    ("41|5 555", "4115555", "41|5 555"),
    ("four one five five five five", "415555", "four one five five five five"),
    ("Four One Five 555", "415555", "Four One Five 555"),
    ("FOUR ONE FIVE", "", ""),
    ("four one five six", "4156", "four one five six"),
    ("cuatro uno cinco cinco cinco cinco", "415555", "cuatro uno cinco cinco cinco cinco"),
    ("cuatro, uno, cinco, dos", "4152", "cuatro, uno, cinco, dos"),
    ("quatre un cinq deux", "4152", "quatre un cinq deux"),
    ("quatro um cinco dois", "4152", "quatro um cinco dois"),
    ("vier eins fünf zwo", "4152", "vier eins fünf zwo"),
    ("vier eins fuenf null", "4150", "vier eins fuenf null"),
    ("trente-quatre 12 55", "341255", "trente-quatre 12 55"),
    ("soixante-dix-huit 12 55", "781255", "soixante-dix-huit 12 55"),
    ("quatre-vingt-dix-neuf 12 55", "991255", "quatre-vingt-dix-neuf 12 55"),
    ("quatre-vingt-un 12 55", "811255", "quatre-vingt-un 12 55"),
    ("soixante et onze 12 55", "711255", "soixante et onze 12 55"),
    ("vingt et un 12 55", "211255", "vingt et un 12 55"),
    ("dix-sept 12 55", "171255", "dix-sept 12 55"),
    ("vierundreißig 12 55", "341255", "vierundreißig 12 55"),
    ("vierunddreissig 12 55", "341255", "vierunddreissig 12 55"),
    ("dreiundzwanzig 12 55", "231255", "dreiundzwanzig 12 55"),
    ("vinte e três 12 55", "231255", "vinte e três 12 55"),
    ("veintitrés 12 55", "231255", "veintitrés 12 55"),
    ("treinta y cuatro 12 55", "341255", "treinta y cuatro 12 55"),
    ("twenty-three 12 55", "231255", "twenty-three 12 55"),
    ("twenty three 12 55", "231255", "twenty three 12 55"),
    ("tres trés três 5", "3335", "tres trés três 5"),
    ("dieciséis diecisiete 5 5", "161755", "dieciséis diecisiete 5 5"),
    ("double five triple 7 one", "557771", "double five triple 7 one"),
    ("zero oh one two", "0012", "zero oh one two"),
    ("cero uno dos tres", "0123", "cero uno dos tres"),
]

NEGATIVES = [
    "Hello Olivia",
    "lol BOOK",
    "I have one friend",
    "vingt ans",
    "one or two",
    "the one and only, one night",
    "34-24-36",
    "$1,500,000 ok",
    "$150 $200 $300",
    "Room 12 is 5'2 tall",
    "m² 1º ³",
    "привет как дела",
    "double room",
    "lol 555 1234",
]


def digits(text: str) -> str:
    return "".join(DIGITS.findall(text))


@pytest.mark.parametrize(("raw", "expected", "covered"), CASES)
def test_disguised_digits(raw: str, expected: str, covered: str) -> None:
    norm = normalize(raw)
    assert digits(norm.text) == expected
    if expected:
        runs = [m for m in re.finditer(r"[0-9](?:[^A-Za-z0-9]{0,3}[0-9])*", norm.text)]
        start, end = runs[0].start(), runs[-1].end()
        assert raw[slice(*norm.span(start, end))] == covered


@pytest.mark.parametrize("raw", NEGATIVES)
def test_prose_and_measurements_stay(raw: str) -> None:
    assert normalize(raw).text == raw


def test_lol_next_to_number_keeps_letters() -> None:
    assert normalize("lol 555 1234").text.startswith("lol")


def test_zero_width_dropped_and_confusables_in_latin_words() -> None:
    assert normalize("gm\u0430il").text == "gmail"  # Cyrillic a
    assert normalize("п\u0430ра").text == "п\u0430ра"  # Russian word untouched
    assert normalize("a\u200bb").text == "ab"


def test_keycap_maps_whole_sequence() -> None:
    raw = "x 4️⃣"
    norm = normalize(raw)
    assert norm.text == "x 4"
    assert norm.span(2, 3) == (2, len(raw))


def test_case_preserved() -> None:
    assert normalize("Jenny ＧＭＡＩＬ").text == "Jenny GMAIL"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("name [at] gmail [dot] com", "name@gmail.com"),
        ("name(at)gmail(dot)com", "name@gmail.com"),
        ("name {at} gmail {dot} com", "name@gmail.com"),
        ("name at gmail dot com", "name@gmail.com"),
        ("maria arroba gmail punto com", "maria@gmail.com"),
        ("meet me at home", "meet me at home"),
    ],
)
def test_email_tokens(raw: str, expected: str) -> None:
    norm = normalize_email_tokens(normalize(raw))
    assert norm.text == expected
    assert raw[slice(*norm.span(0, len(norm.text)))] == raw


def test_phone_matcher_reads_spelled_number() -> None:
    raw = "text me: four one five, five five five, zero one two three xx"
    norm = normalize(raw)
    found = list(phonenumbers.PhoneNumberMatcher(norm.text, "US"))
    assert len(found) == 1
    value = phonenumbers.format_number(found[0].number, phonenumbers.PhoneNumberFormat.E164)
    assert value == "+14155550123"
    start, end = norm.span(found[0].start, found[0].end)
    assert raw[start:end] == "four one five, five five five, zero one two three"


def test_span_rejects_empty() -> None:
    with pytest.raises(ValueError, match="bad span"):
        normalize("abc").span(1, 1)


def check_map(norm: Normalized) -> None:
    n, original = len(norm.text), norm.original
    assert len(norm.starts) == len(norm.ends) == n
    prev_s = prev_e = 0
    for i in range(n):
        s, e = norm.starts[i], norm.ends[i]
        assert 0 <= s < e <= len(original)
        assert s >= prev_s and e >= prev_e
        prev_s, prev_e = s, e
    for i in range(0, n, max(1, n // 7)):
        j = min(n, i + 3)
        s, e = norm.span(i, j)
        assert 0 <= s < e <= len(original)
        # Characters copied unchanged appear in the original span.
        for k in range(i, j):
            ch = norm.text[k]
            if norm.ends[k] - norm.starts[k] == 1 and original[norm.starts[k]] == ch:
                assert ch in original[s:e]


_ALPHABET = st.sampled_from(
    [
        *"0123456789 -.,/*~_\nOolI|abcxyz",
        *["one", "five", "vingt", "et", "y", "twenty", "4️⃣", "④", "⑩", "🔥", "\u200b", "а", "ü"],
        *["\ud800", "\x00", "\ufe0f", "\u20e3"],
    ]
)


@settings(deadline=None, max_examples=300)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_map_properties_on_disguise_soup(raw: str) -> None:
    check_map(normalize(raw))
    check_map(normalize(raw, digits=False))
    check_map(normalize(raw, words=False))
    check_map(normalize_email_tokens(normalize(raw)))


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=200))
def test_map_properties_on_any_text(raw: str) -> None:
    check_map(normalize(raw))


@settings(deadline=None, max_examples=200)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_identity_for_plain_ascii_without_disguises(raw: str) -> None:
    plain = re.sub(r"[0-9OolI|]", "x", raw)
    norm = normalize(plain)
    words = re.findall(r"[A-Za-z]+", plain.lower())
    if not PIECES.intersection(words):
        assert norm.text == plain
        assert list(norm.starts) == list(range(len(plain)))


def test_one_megabyte_completes() -> None:
    import random

    rng = random.Random(7)
    pool = [*"0123456789 -.\nOolI|abc", "one ", "vingt ", "🔥", "④", "\u200b", "\ud800"]
    raw = "".join(rng.choice(pool) for _ in range(300_000))[:1_000_000]
    norm = normalize(raw)
    assert len(norm.starts) == len(norm.text)
    norm2 = normalize("9" * 1_000_000)
    assert norm2.text == "9" * 1_000_000


def test_variation_selector_after_emoji_is_kept_without_an_edit() -> None:
    assert not normalize("❣️I TRAVEL ☎️ call").changed
    assert normalize("4155\ufe0f550123").text == "4155550123"  # after a digit: dropped
    assert normalize("€\ufe0f4155550123").text == "€4155550123"  # after a currency sign
    # An emoji and its selector are one separator: gap lengths are unchanged.
    assert normalize("702🔥️🔥️🔥️🔥️🔥️605🔥️1961").text == "702 605 1961"
