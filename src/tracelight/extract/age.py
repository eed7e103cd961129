"""Stated ages (``19 yrs``, ``age: 19``, ``j'ai 19 ans``, ``... - 21`` after a title).

An ad that states an age under 18 is the most important thing an analyst can be shown,
so ages 16 and 17 are reported like any other, with the value as written; the
plausible range is :data:`MIN_AGE`-:data:`MAX_AGE`. The value is the age as a decimal
string (``"19"``); the span covers the number with the words that make it an age.

Patterns, each with its own confidence (:data:`CONFIDENCE`):

* ``unit``: a number followed by a unit word: ``19 yrs``, ``19 years old``, ``19yo``,
  ``19 y/o``, ``19 y.o.``, ``19 años``, ``19 ans``, ``19 anos``, ``19 Jahre (alt)``;
  with ``old``/``alt``/``of age`` it is ``unit_old`` (surer).
* ``label``: a label before the number: ``age: 19``, ``Poster's age: 19``, ``aged 19``,
  ``edad``, ``idade``, ``Alter``, ``âge``.
* ``self``: a first-person statement: ``I'm 19``, ``I am 19``, ``tengo 19``,
  ``j'ai 19``, ``tenho 19``, ``ich bin 19``; weaker, since ``I'm 5'4`` or ``I am 34D``
  use the same words (those are rejected by what follows the number).
* ``title``: Backpage's convention of ``title - 21``: `` - 21`` closing the title field
  (or `` - 21 -`` inside a page where the title was pasted with the body).
* ``range``: ``18-25 yrs``, ``Age 25-29``: both ends, with a low confidence (a
  recruiting range is not one person's age, but a range that starts under 18 is
  exactly what must not be missed).
* ``spelled``: a spelled number before a unit word (``nineteen years old``,
  ``diecinueve años``, ``dix-neuf ans``, ``vinte e dois anos``, ``neunzehn Jahre``),
  read with the vocabulary of :mod:`tracelight.extract.numberwords`.

Not ages: limits and durations (``at least 18 years``, ``18+``, ``over 40 years old``,
``21 or older``, ``for 20 years``, ``20 years of experience``, ``5 years ago``),
``24/7``, measurements (``34-24-36``), heights (``5'6``), percentages, prices,
times, and numbers glued to letters (``34D``). Every quantifier is bounded and each
match does a constant amount of Python work, so time is linear in the text.
"""

from __future__ import annotations

import re

from tracelight.extract.numberwords import WORDS, Kind, fold
from tracelight.model import Mention, Post

METHOD = "pattern"
MIN_AGE = 16
MAX_AGE = 70

CONFIDENCE = {
    "unit_old": 0.9,
    "label": 0.9,
    "unit": 0.8,
    "title_end": 0.85,
    "title": 0.7,
    "spelled": 0.75,
    "self": 0.6,
    "range": 0.5,
}

_L = r"[^\W\d_]"  # a letter (any script)
_UNIT = (
    r"(?:years?|yrs?|yr|y\.\s?o\b\.?|y/o|yo|a[ñn]os|ans|jahren?|jahre|jährige?r?|j\.)"
    rf"(?!{_L})"
)
_OLD = r"(?P<old>[\s-]{1,2}(?:old|of\sage|de\sedad|de\sidade|d'[âa]ge|alt)(?!" + _L + "))?"
_RANGE = r"(?:\s{0,2}(?:-|–|to|a|à|bis|till|until)\s{0,2}(?P<b>\d{1,2})(?!\d))?"
_LABEL = (
    r"(?:poster'?s\sage|my\sage\sis|age\sis|aged?|edad|idade|alter|[âa]ge)"
    r"(?:\s{0,2}[:=\-]+)?\s{0,3}"
)
_SELF = (
    r"(?:i'?m|i’m|i\sam|im|tengo|j'ai|j’ai|tenho|ich\sbin|soy|sou)\s{1,3}"
    r"(?:(?:just|only|now|a)\s{1,2})?"
)
_AGES = re.compile(
    rf"(?P<num>(?<![\w.,'’/$€£#+])\d{{1,2}}(?!\d)){_RANGE}[\s-]{{0,2}}(?P<unit>{_UNIT}){_OLD}"
    rf"|(?<!{_L})(?:(?P<label>{_LABEL})|(?P<self>{_SELF}))(?P<num2>\d{{1,2}})(?!\d)"
    rf"(?:{_RANGE.replace('<b>', '<b2>')})"
    rf"(?:[\s-]{{0,2}}(?P<unit2>{_UNIT}){_OLD.replace('<old>', '<old2>')})?"
    r"|(?<=[^\d\s\-])\s{1,3}-\s{1,3}(?P<title>\d{2})(?=\s{0,3}(?:-|$))",
    re.IGNORECASE,
)

_NOT_AFTER_YEARS = re.compile(
    r"\s{1,3}(?:of\s(?!age)|in\b|ago\b|exp|experience|experiencia|d'exp|de\sexp|with\b|doing\b"
    r"|as\b|at\b|on\b|or\s(?:older|over|more|above)|and\s(?:older|over|up)|\+|y\sm[áa]s|ou\splus)"
    r"|\+",
    re.IGNORECASE,
)
"""After ``19 years``: a duration, an experience, or a lower bound, not an age."""

_LIMIT_BEFORE = re.compile(
    r"(?:least|over|under|than|above|below|minimum|min\.?|atleast|up\sto|upto|for|past|last"
    r"|since|almost|nearly|about|mayor(?:es)?\sde|menos\sde|m[áa]s\sde|plus\sde|moins\sde"
    r"|über|unter|ab|within|after|before|every)\s{1,3}$",
    re.IGNORECASE,
)
"""Before the number: a limit or a duration (``at least 18``, ``for 20 years``)."""

_BAD_AFTER_BARE = re.compile(
    r"[^\W\d_'’\"%+/]|['’\"%+/]"
    r"|\s{0,2}[,.:/\-x]?\s{0,2}\d"
    r"|\s{1,3}(?:lbs?|pounds?|kgs?|kilos?|cm|ft|feet|foot|inch(?:es)?|in\b|min|mins|minutes?"
    r"|hrs?|hours?|h\b|hh|roses?|dollars?|bucks|girls?|guys?|miles?|mi\b|years?\sof\s(?!age)"
    r"|%|dd?\b|[a-k]{1,2}\scup)",
    re.IGNORECASE,
)
"""After a labelled or first-person number without a unit: a height, weight, size,
measurement, price or count, not an age."""

_CUE = re.compile(
    r"\d\s?[-\s]?(?:y|a[ñn]|an|j)|age|i'?m\b|i’m|i\sam\b|tengo|j'ai|j’ai|tenho|ich\sbin|edad|idade"
    r"|alter|soy|sou\s|\s-\s{1,3}\d\d|years|yrs|a[ñn]os|ans\b|jahre",
    re.IGNORECASE,
)
"""Cheap pre-check: no age pattern can match a text without one of these."""

_UNIT_WORD = re.compile(rf"(?<!{_L}){_UNIT}", re.IGNORECASE)
_WORD = re.compile(rf"{_L}+")
_CONJ = frozenset({"y", "e", "et", "und", "and"})


def _in_range(value: int) -> bool:
    return MIN_AGE <= value <= MAX_AGE


def _spelled_before(text: str, end: int) -> tuple[int, int] | None:
    """``(start, value)`` of a spelled age ending at most 2 characters before ``end``."""
    lo = max(0, end - 48)
    words = [(m.start() + lo, m.end() + lo, fold(m.group())) for m in _WORD.finditer(text, lo, end)]
    if not words or end - words[-1][1] > 2 or text[words[-1][1] : end].strip(" -") != "":
        return None
    words = words[-4:]

    def joined(i: int, j: int) -> bool:  # words i and j are separated by a space or hyphen
        gap = text[words[i][1] : words[j][0]]
        return 0 < len(gap) <= 2 and gap.strip(" -") == ""

    last_start, _, last = words[-1]
    # Two words that form one number form: "dix neuf", "soixante dix", "quatre vingt".
    if len(words) >= 2 and joined(-2, -1):
        pair = WORDS.get(f"{words[-2][2]} {words[-1][2]}")
        if pair is not None and pair[0] in (Kind.TEEN, Kind.TENS):
            return (words[-2][0], pair[1]) if _in_range(pair[1]) else None
    info = WORDS.get(last)
    if info is None:
        return None
    kind, value = info
    if kind is Kind.UNIT and 1 <= value <= 9 and len(words) >= 2:
        i = -2
        if words[i][2] in _CONJ and len(words) >= 3 and joined(-3, -2) and joined(-2, -1):
            i = -3
        elif not joined(-2, -1):
            i = 0  # no tens word
        if i:
            tens = WORDS.get(words[i][2])
            if tens is not None and tens[0] in (Kind.TENS, Kind.TENS_TEEN):
                total = tens[1] + value
                return (words[i][0], total) if _in_range(total) else None
        return None
    if kind in (Kind.TEEN, Kind.TENS, Kind.TENS_TEEN) and _in_range(value):
        return last_start, value
    return None


def _limited(text: str, start: int, end: int) -> bool:
    """Whether the number at ``[start, end)`` is a limit or duration, not someone's age."""
    return (
        _LIMIT_BEFORE.search(text, max(0, start - 24), start) is not None
        or _NOT_AFTER_YEARS.match(text, end) is not None
    )


def _candidates(text: str, field: str) -> list[tuple[int, int, int, str]]:
    """``(start, end, value, pattern)`` for every age found, possibly overlapping."""
    found: list[tuple[int, int, int, str]] = []
    for m in _AGES.finditer(text):
        if m.group("title") is not None:
            value = int(m.group("title"))
            if _in_range(value):
                at_end = field == "title" and not text[m.end() :].strip(" -")
                found.append(
                    (m.start("title"), m.end("title"), value, "title_end" * at_end or "title")
                )
            continue
        if m.group("num") is not None:
            a, b, old = m.group("num"), m.group("b"), m.group("old")
            start, end = m.start("num"), m.end()
            prefixed = False
        else:
            a, b, old = m.group("num2"), m.group("b2"), m.group("old2")
            start, end = m.start(), m.end()
            prefixed = True
            if m.group("unit2") is None:
                # No unit: the number must stand alone (not 5'4, 34D, 34-24-36, 120 lbs).
                tail_at = m.end("b2") if b is not None else m.end("num2")
                if _BAD_AFTER_BARE.match(text, tail_at):
                    continue
                if m.group("label") is None and b is not None:
                    continue  # "I'm 18-25"? not a statement of one's age
            elif old is None and _NOT_AFTER_YEARS.match(text, end):
                continue
        if not prefixed and _limited(text, start, end):
            continue
        if prefixed and _NOT_AFTER_YEARS.match(text, end):
            continue
        if b is not None:
            low, high = int(a), int(b)
            if low < high <= low + 40 and _in_range(low) and _in_range(high):
                span_b = m.span("b") if m.group("b") is not None else m.span("b2")
                found.append((start, end, low, "range"))
                found.append((span_b[0], end, high, "range"))
            continue
        value = int(a)
        if not _in_range(value):
            continue
        if prefixed:
            unit = m.group("unit2") is not None
            kind = "label" if m.group("label") is not None else "unit_old" if old else "self"
            if unit and kind == "self":
                kind = "unit_old" if old else "unit"
        else:
            kind = "unit_old" if old else "unit"
        found.append((start, end, value, kind))
    return found


def _spelled(text: str) -> list[tuple[int, int, int, str]]:
    found = []
    for m in _UNIT_WORD.finditer(text):
        start = m.start()
        if start == 0 or (not text[start - 1].isspace() and text[start - 1] != "-"):
            continue
        if not text[:start].rstrip(" -")[-1:].isalpha():
            continue
        hit = _spelled_before(text, start)
        if hit is None:
            continue
        old = re.match(_OLD, text[m.end() : m.end() + 16], re.IGNORECASE)
        end = m.end() + (old.end() if old and old.group("old") else 0)
        if _limited(text, hit[0], end):
            continue
        found.append((hit[0], end, hit[1], "spelled"))
    return found


def extract_ages(post: Post, field: str, text: str) -> list[Mention]:
    """Every stated age in ``text`` (one mention per age statement). Never raises."""
    if not text or _CUE.search(text) is None:
        return []
    found = _candidates(text, field)
    found.extend(_spelled(text))
    # Overlaps: keep the surest reading of each stretch of text.
    found.sort(key=lambda c: (-CONFIDENCE[c[3]], c[0]))
    kept: list[tuple[int, int, int, str]] = []
    for cand in found:
        start, end, _, kind = cand
        if any(
            start < k_end and k_start < end and not (kind == k_kind == "range")
            for k_start, k_end, _, k_kind in kept
        ):
            continue
        kept.append(cand)
    kept.sort(key=lambda c: (c[0], c[1]))
    return [
        Mention(
            post_id=post.id,
            kind="age",
            value=str(value),
            field=field,
            start=start,
            end=end,
            text=text[start:end],
            method=METHOD,
            confidence=CONFIDENCE[kind],
        )
        for start, end, value, kind in kept
    ]


__all__ = ["MAX_AGE", "MIN_AGE", "extract_ages"]
