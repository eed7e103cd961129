"""The extractors' cheap pre-checks and rewritten scans agree exactly with what they
stand for.

Each fast path (a set test before a regex scan, a pattern rewritten to start with a
character class) is only allowed if it never changes a result; these properties compare
it with the plain formulation on inputs built to hit the edge cases.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tracelight.extract import age, handle, name, normalize, tokens, wallet
from tracelight.extract.numberwords import GLUE_WORDS, PIECES, fold

_GLUE_PIECES = [*sorted(GLUE_WORDS)[::7], "to", "for", "six", "seven", "ate", "tres", "acht"]
_NOISE = ["hello", "x", "İ", "ẞ", "dreiẞig", "Sëvén", "SIX", "1", "42", "0", "555", "a"]
_SEPARATORS = ["", "", " ", "-", "_", ".", "\u200b", "😀", "\n", "$", "é", "Ⅰ", "²"]


@st.composite
def _glued_text(draw: st.DrawFn) -> str:
    parts = draw(
        st.lists(
            st.tuples(st.sampled_from(_GLUE_PIECES + _NOISE), st.sampled_from(_SEPARATORS)),
            max_size=10,
        )
    )
    text = "".join(word + sep for word, sep in parts)
    return draw(st.sampled_from([text, text.upper(), text.title()]))


@settings(deadline=None, max_examples=400)
@given(_glued_text())
def test_glue_precheck_never_hides_a_glued_number(text: str) -> None:
    if not normalize._may_glue(text):
        assert normalize._glued_word_edits(text) == []


def test_glue_precheck_passes_glued_numbers() -> None:
    for text in ("call 6seven8 now", "twotwoeight", "3tothree", "SIXsix", "fünf8"):
        assert normalize._may_glue(text), text
    assert not normalize._may_glue("to be or not to be, 4 you")


def _number_words_near_reference(text: str) -> bool:
    """The check as first written: every letter run counted, folded when not ASCII."""
    found = re.findall(r"[^\W\d_]+", text.lower())
    hits = sum(run in PIECES for run in found)
    hits += sum(fold(run) in PIECES for run in found if not run.isascii())
    return hits >= normalize.MIN_TOKENS or (hits > 0 and re.search("[0-9]", text) is not None)


@settings(deadline=None, max_examples=400)
@given(_glued_text())
def test_number_word_precheck_counts_as_before(text: str) -> None:
    spaced = text.replace("", " ")[1:]  # words apart as well as glued
    for candidate in (text, spaced):
        assert normalize._number_words_near(candidate) == _number_words_near_reference(candidate)


_LOOK_TEXT = st.text(alphabet="0123456789OoIl|x -\n", max_size=30)


@settings(deadline=None, max_examples=300)
@given(_LOOK_TEXT)
def test_look_alike_near_digit_as_two_alternatives(text: str) -> None:
    plain = re.search(r"[0-9][OoIl|]|[OoIl|][0-9]", text) is not None
    assert (normalize._LOOK_NEAR_DIGIT.search(text) is not None) == plain


def test_capital_sharp_s_in_a_number_run_does_not_raise() -> None:
    for text in ("DREIẞIG 4155550123", "vier dreiẞig eins 5", "dreiẞig zwei drei 1"):
        norm = normalize.normalize(text)
        assert norm.original == text


_LABEL_PIECES = [*handle._LABEL_TRIGGERS, "sc", "ig", "tg", "fb", "of", "line", "x", "_", "0"]
_LABEL_PIECES += [" ", "\t", ":", "：", "=", "-", "–", "—", ">", "|", "~", "@", "📷", "📸", "✈"]
_LABEL_PIECES += ["\ufe0f"]
_LABEL_TEXT = st.lists(st.sampled_from(_LABEL_PIECES), max_size=12).map("".join)


@settings(deadline=None, max_examples=400)
@given(_LABEL_TEXT)
def test_label_precheck_is_the_trigger_words_or_a_short_label(text: str) -> None:
    plain = any(word in text for word in handle._LABEL_TRIGGERS)
    plain = plain or handle._SHORT_LABEL.search(text) is not None
    assert (handle._ANY_LABEL.search(text) is not None) == plain


_WALLET_TEXT = st.lists(
    st.sampled_from(["a", "B", "7", " ", "-", "\n", "é", "_", "x" * 13, "Z" * 20, "1" * 60]),
    max_size=20,
).map("".join)


@settings(deadline=None, max_examples=400)
@given(_WALLET_TEXT)
def test_wallet_candidates_are_the_candidate_pattern(text: str) -> None:
    plain = [(m.start(), m.end(), m.group()) for m in wallet._CANDIDATE.finditer(text)]
    assert list(wallet._candidates(text)) == plain


_RUN_TEXT = st.text(alphabet="abcXYZ019 _-.😀’éßİ²Ⅷ½\u0301\n", max_size=40)


@settings(deadline=None, max_examples=400)
@given(_RUN_TEXT)
def test_letter_runs_as_the_unicode_pattern(text: str) -> None:
    for candidate in (text, text.lower()):
        assert tokens.letter_runs(candidate) == tokens.LETTER_RUN.findall(candidate)


_AGE_PIECES = ["y", "o", "u", "you", "yo", *age._UNIT_CUES, " ", "a", "n", "s", "j", ".", "ñ"]


@settings(deadline=None, max_examples=400)
@given(st.lists(st.sampled_from(_AGE_PIECES), max_size=10).map("".join))
def test_spelled_age_precheck_as_substring_counts(text: str) -> None:
    plain = text.count("yo") == text.count("you") and not any(c in text for c in age._UNIT_CUES)
    assert (age._UNIT_CUE.search(text) is None) == plain


_BEFORE_TEXT = st.lists(
    st.sampled_from([*"abZé ß²-–~:\t\n _09", "Mary", "Jane", "x-y", "--", "  "]), max_size=14
).map("".join)


@settings(deadline=None, max_examples=500)
@given(_BEFORE_TEXT, st.data())
def test_name_before_a_phone_as_the_pattern_search(text: str, data: st.DataObject) -> None:
    hi = data.draw(st.integers(0, len(text)))
    lo = data.draw(st.integers(0, hi))
    match = name._BEFORE_PHONE.search(text, lo, hi)
    assert name._name_before(text, lo, hi) == (match.span("name") if match else None)
