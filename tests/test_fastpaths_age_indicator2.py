"""The age extractor's second-round fast paths agree exactly with what they replaced.

Titles: the numbers after a title dash are found with ``str.find`` and character tests
(``_title_numbers``) instead of a scanner; where no label or first-person cue can be
read, the title dash before a number is recognised forwards (``_after_title_dash``)
instead of matching the reversed window; and ``_candidates`` reads the groups by number.
Each is compared with a compact copy of the original (the oracle).
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from test_fastpaths_name_age import read_at_starts
from tracelight.extract import age
from tracelight.extract.tokens import letter_set

# Spaces of every kind the patterns' ``\s`` takes, digits of other scripts (``\d``),
# dashes, and letters that are not part of any label or cue.
_TITLE_ALPHABET = "- \t\n\u3000\u00a00123456789٣４xb–."


def _title_numbers_oracle(low: str) -> list[int]:
    """``_number_starts``'s title branch as first written."""
    if "-" not in low:
        return []
    return [
        dash.end() for dash in age._TITLE_DASH.finditer(low) if age._NUM_AT.match(low, dash.end())
    ]


@settings(deadline=None, max_examples=1500)
@given(st.text(alphabet=_TITLE_ALPHABET, max_size=24))
@example("Sexy Jessy - 21")
@example("a -    21 - 123 -\t4 -  ٣٣ -")
@example("-1 - 1 -  12 -   123 -    12")
def test_title_numbers_as_the_scanner(low: str) -> None:
    assert age._title_numbers(low) == _title_numbers_oracle(low)


def _after_title_dash_oracle(low: str, start: int, lo: int) -> bool:
    """What ``_match_at`` decides with the reversed window, where no label or cue is."""
    before = age._PREFIX_REV.match(low[max(0, lo - 1) : start][::-1])
    return before is not None and before.end() <= start - lo


@settings(deadline=None, max_examples=1500)
@given(st.text(alphabet=_TITLE_ALPHABET, max_size=16), st.data())
@example("x - 21", None)
def test_after_title_dash_as_the_reversed_match(low: str, data: st.DataObject | None) -> None:
    starts = range(len(low) + 1) if data is None else [data.draw(st.integers(0, len(low)))]
    for start in starts:
        lo = 0 if data is None else data.draw(st.integers(0, start))
        want = _after_title_dash_oracle(low, start, lo)
        assert age._after_title_dash(low, start, lo) == want, (low, start, lo)


_PIECES = [
    "19", "21", "5", "34", "120", "٣٣", "４", "yrs", "years old", "yo", "y/o", "años",
    "ans", "Jahre", "-", " - ", "–", "to", "at least", "for", "of experience", "lbs",
    "D", "'", "$", "Sexy", "Jessy", "😀", "x",
]  # fmt: skip
_GAPS = ["", " ", "  ", "    ", "\n", ": ", "-", " - ", ", ", ".", "\t"]


@st.composite
def _unprefixed_text(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_GAPS)), max_size=9))
    return "".join(word + gap for word, gap in parts).lower()


@settings(deadline=None, max_examples=1000)
@given(_unprefixed_text(), st.sampled_from(["title", "body"]), st.booleans())
@example("sexy jessy - 21", "title", False)
@example("x - 21 - 19 yrs -  22 years old", "body", True)
@example("😀 - 21 -    19 - ٣٣ yrs", "title", True)
def test_unprefixed_candidates_as_first_written(low: str, field: str, unit: bool) -> None:
    """With no label or cue among the letter runs, the forward title test and the reading
    of groups by number give what ``_match_at`` and ``groupdict`` gave, at every number."""
    runs = letter_set(low)
    assert runs.isdisjoint(age._PREFIX_RUNS)
    unit_runs = unit or age._has_unit_runs(runs)
    starts = [m.start() for m in age._NUM_AT.finditer(low)]
    got = age._candidates(low, field, starts, unit_runs, False)
    assert got == read_at_starts(low, field, starts, unit_runs=unit_runs)


def test_age_groups_are_numbered_alike() -> None:
    """``_candidates`` reads the groups of both number patterns by the same numbers."""
    names = ("num", "b", "unit", "old")
    assert [age._UNIT_AT.groupindex[n] for n in names] == [1, 2, 3, 4]
    assert [age._PREFIXED_AT.groupindex[n + "2"] for n in names] == [1, 2, 3, 4]
    assert age._UNIT_AT.groups == age._PREFIXED_AT.groups == 4
    assert age._TITLE_AT.groups == 1 and re.compile(age._TITLE_AT.pattern).groupindex == {
        "title": 1
    }


# Letters of every label and cue, and others; spaces; the label punctuation; digits.
_PREFIX_ALPHABET = "agedisymtrlpo'’nbhjucwx :=-\t\n\u3000–.,0123456789"


@settings(deadline=None, max_examples=2000)
@given(st.text(alphabet=_PREFIX_ALPHABET, max_size=20), st.data())
@example("i'm 19", None)
@example("age:::: 19", None)
@example("i am just  19", None)
def test_prefix_pre_check_never_misses(low: str, data: st.DataObject | None) -> None:
    """Wherever the reversed prefix pattern matches, the pre-check lets it be tried; and
    the one-copy reversal is the slice reversed."""
    starts = range(len(low) + 1) if data is None else [data.draw(st.integers(0, len(low)))]
    for start in starts:
        for first in range(start + 1):
            assert age._reversed(low, first, start) == low[first:start][::-1]
            if age._PREFIX_REV.match(low[first:start][::-1]) is not None:
                assert age._may_follow_prefix(low, start), (low, first, start)


def _spelled_oracle(low: str) -> list[tuple[int, int, int, str]]:
    """``_spelled`` as first written (the letter before the unit found with ``rstrip``)."""
    found: list[tuple[int, int, int, str]] = []
    for m in age._UNIT_WORD.finditer(low):
        start = m.start()
        if not low[:start].rstrip(" -")[-1:].isalpha():
            continue
        hit = age._spelled_before(low, start)
        if hit is None:
            continue
        old = age._OLD_AT.match(low, m.end(), m.end() + 16)
        end = m.end() + (old.end() - m.end() if old and old.group("old") else 0)
        if age._limited(low, hit[0], end):
            continue
        found.append((hit[0], end, hit[1], "spelled"))
    return found


_SPELLED_PIECES = [
    "nineteen", "twenty", "one", "dix", "neuf", "vinte", "e", "dois", "neunzehn", "und",
    "years", "yrs", "old", "ans", "años", "jahre", "y/o", "19", "for", "-", "😀", "x",
]  # fmt: skip


@settings(deadline=None, max_examples=800)
@given(
    st.lists(
        st.tuples(st.sampled_from(_SPELLED_PIECES), st.sampled_from(["", " ", "  ", "-", " - "])),
        max_size=8,
    )
)
@example([("nineteen", " "), ("years", " "), ("old", "")])
@example([("dix", "-"), ("neuf", " - "), ("ans", "")])
def test_spelled_as_first_written(parts: list[tuple[str, str]]) -> None:
    low = "".join(word + gap for word, gap in parts)
    assert age._spelled(low) == _spelled_oracle(low)


_CUE_PIECES = [
    "I'm", "i’m", "i am", "im", "tengo", "j'ai", "j’ai", "tenho", "ich bin", "soy", "sou",
    "just", "only", "now", "a", "him", "name", "19", "21", "5", "٣٣", "120", "-", "x",
    "😀", "'", "sexy",
]  # fmt: skip
_CUE_GAPS = ["", " ", "  ", "   ", "    ", "\n", "\t", "\u3000", "-", " - ", "'"]


@settings(deadline=None, max_examples=1500)
@given(
    st.lists(st.tuples(st.sampled_from(_CUE_PIECES), st.sampled_from(_CUE_GAPS)), max_size=10),
    st.data(),
)
@example([("i'm", " "), ("just", "  "), ("19", "")], None)
@example([("i’m", "   "), ("only", "  "), ("19", "")], None)  # the farthest reach
@example([("ich bin", "\t"), ("a", " "), ("21", "")], None)
def test_cue_numbers_hold_every_number_read(
    parts: list[tuple[str, str]], data: st.DataObject | None
) -> None:
    """Where only first-person cues can be read, every number that ``_match_at`` reads
    (from any earlier ``prev_end``) is among the numbers after a cue or a title dash."""
    low = "".join(word + gap for word, gap in parts).lower()
    runs = letter_set(low)
    if age._has_unit_runs(runs) or not runs.isdisjoint(age._LABEL_RUNS):
        return
    starts = age._number_starts(low, runs, False)
    assert starts == sorted(set(starts))
    for run in age._NUM_AT.finditer(low):
        p = run.start()
        prev_end = 0 if data is None else data.draw(st.integers(0, p))
        if age._match_at(low, p, prev_end, False)[2] is not None:
            assert p in starts, (low, p, prev_end)
