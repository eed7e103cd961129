"""Stated ages (``19 yrs``, ``age: 19``, ``j'ai 19 ans``, ``... - 21`` after a title).

An ad that states an age under 18 is the most important thing an analyst can be shown,
so minors are reported like any other age, with the value as written. The plausible
range depends on how sure the form is: a strong form (a unit word, ``14 years old``,
``14yo``, ``14 ans``, ``tengo 14 años``; or a label, ``age: 14``) is read from
:data:`MIN_STRONG_AGE` (12) to :data:`MAX_AGE`; the weak forms (a bare first-person
number, ``I'm 14``; the title convention, ``... - 14``; a range; a spelled number) keep
:data:`MIN_AGE` (16), because there a small number is far more often something else:
a height or size (``I'm 5``), a count or a date in a title (``Specials - 14``). The value
is the age as a decimal string (``"19"``); the span covers the number with the words
that make it an age.

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

Speed: the text is lower-cased once (shared with the other extractors); the scan looks
only at runs of one or two digits (a pattern that starts with a character class, which
the regex engine skips to in C), reads a label or cue before each with one anchored
match on the reversed text before it, and a unit after it with one anchored match; the
field's letter runs (shared) decide which of these can match at all: without a unit
word no unit is read and no spelled age looked for (:func:`_may_have_unit`), and
without a label or cue word only the numbers after a title dash are read, and with cue
words only, those just after one too (:func:`_number_starts`).
"""

from __future__ import annotations

import re

from tracelight.extract.evidence import mention
from tracelight.extract.numberwords import WORDS, Kind, fold
from tracelight.extract.tokens import letter_set, lowered
from tracelight.model import Mention, Post

METHOD = "pattern"
MIN_AGE = 16
"""Lowest age read from a weak form (``I'm 16``, ``... - 16``, a range, a spelled number)."""
MIN_STRONG_AGE = 12
"""Lowest age read from a strong form (``14 years old``, ``14yo``, ``age: 14``)."""
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
_NUM_AT = re.compile(r"\d(?<!\d\d)\d?(?!\d)")
"""Every run of one or two digits (an age is one), at its start. Starting with a plain
class lets the regex engine skip ahead in C; the look-behind after the first digit (the
digit before it is not one) and the look-ahead skip longer runs (phone numbers,
prices) in C too, where matching their last two digits and rejecting them in Python
cost a Python iteration each."""
_NUM_AT_ASCII = re.compile(r"[0-9](?<![0-9][0-9])[0-9]?(?![0-9])")
""":data:`_NUM_AT` for ASCII text, where ``\\d`` is ``[0-9]``: a range test per character
instead of a Unicode category look-up (a fifth faster)."""
_TITLE_DASH = re.compile(r"-\s{1,3}(?=\d)")
"""The `` - `` of the title convention, ending right before a number. It starts with a
literal, which the regex engine skips to in a tight loop."""

_UNIT_AT = re.compile(
    rf"(?<![\w.,'’/$€£#+])(?P<num>\d{{1,2}})(?!\d){_RANGE}[\s-]{{0,2}}(?P<unit>{_UNIT}){_OLD}"
)
"""At a number: ``19 yrs``, ``18-25 years old`` (the text is lower-cased first)."""

_PREFIX_REV = re.compile(
    # A label: (poster's age|my age is|age is|aged?|edad|idade|alter|[âa]ge)[ ]{0,2}[:=-]+[ ]{0,3}
    r"\s{0,3}(?:[:=\-]+\s{0,2})?"
    r"(?P<label>ega\ss'?retsop|si\sega\sym|si\sega|d?ega|dade|edadi|retla|eg[âa])"
    rf"(?!{_L})"
    # A first-person cue: (i'?m|i’m|i am|im|tengo|j'ai|tenho|ich bin|soy|sou) (just|only..)
    r"|(?:\s{1,2}(?:tsuj|ylno|won|a))?\s{1,3}"
    r"(?P<self>m'?i|m’i|ma\si|mi|ognet|ia'j|ia’j|ohnet|nib\shci|yos|uos)"
    rf"(?!{_L})"
    # The title convention: "<not a digit, space or dash> - "
    r"|\s{1,3}-\s{1,3}(?=[^\d\s\-])"
)
"""What may end right before a number, read backwards (on the reversed text before it, so
one anchored match does the work of a backwards search): a label (``age: ``), a
first-person cue (``i'm ``) or the `` - `` of the title convention."""
_LABEL_RUNS = frozenset({"age", "aged", "âge", "edad", "idade", "alter"})
_CUE_FORMS = {
    "m": ("'m", "’m"),
    "im": ("im",),
    "am": ("am",),
    "tengo": ("tengo",),
    "ai": ("'ai", "’ai"),
    "tenho": ("tenho",),
    "bin": ("bin",),
    "soy": ("soy",),
    "sou": ("sou",),
}
"""The last letter run of each first-person cue of :data:`_PREFIX_REV` (``i'm``, ``i am``,
``im``, ``tengo``, ``j'ai``, ``tenho``, ``ich bin``, ``soy``, ``sou``), with text that
every such cue ends with (``i'm`` and ``i’m`` end with ``'m`` and ``’m``)."""
_CUE_RUNS = frozenset(_CUE_FORMS)
_CUE_REACH = 9
"""Most characters from the end of a cue to the number it states: ``\\s{1,3}``, then
maybe ``just``, ``only``, ``now`` or ``a`` and ``\\s{1,2}``."""
_PREFIX_RUNS = _LABEL_RUNS | _CUE_RUNS
"""A letter run of every label (``age``: ``poster's age``, ``my age is``) and every
first-person cue (``m``: ``i'm``, ``am``: ``i am``, ``ai``: ``j'ai``) that
:data:`_PREFIX_REV` reads: a text with none of them has neither before a number."""
_PREFIX_WINDOW = 40
"""Longer than any label or first-person cue with its spaces (``poster's age :``)."""

_PREFIXED_AT = re.compile(
    rf"(?P<num2>\d{{1,2}})(?!\d)(?:{_RANGE.replace('<b>', '<b2>')})"
    rf"(?:[\s-]{{0,2}}(?P<unit2>{_UNIT}){_OLD.replace('<old>', '<old2>')})?"
)
_TITLE_AT = re.compile(r"(?P<title>\d{2})(?=\s{0,3}(?:-|$))")
_NOT_AFTER_YEARS = re.compile(
    r"\s{1,3}(?:of\s(?!age)|in\b|ago\b|exp|experience|experiencia|d'exp|de\sexp|with\b|doing\b"
    r"|as\b|at\b|on\b|or\s(?:older|over|more|above)|and\s(?:older|over|up)|\+|y\sm[áa]s|ou\splus)"
    r"|\+",
)
"""After ``19 years``: a duration, an experience, or a lower bound, not an age."""

_LIMIT_BEFORE = re.compile(
    r"(?:least|over|under|than|above|below|minimum|min\.?|atleast|up\sto|upto|for|past|last"
    r"|since|almost|nearly|about|mayor(?:es)?\sde|menos\sde|m[áa]s\sde|plus\sde|moins\sde"
    r"|über|unter|ab|within|after|before|every)\s{1,3}$",
)
"""Before the number: a limit or a duration (``at least 18``, ``for 20 years``)."""

_BAD_AFTER_BARE = re.compile(
    r"[^\W\d_'’\"%+/]|['’\"%+/]"
    r"|\s{0,2}[,.:/\-x]?\s{0,2}\d"
    r"|\s{1,3}(?:lbs?|pounds?|kgs?|kilos?|cm|ft|feet|foot|inch(?:es)?|in\b|min|mins|minutes?"
    r"|hrs?|hours?|h\b|hh|roses?|dollars?|bucks|girls?|guys?|miles?|mi\b|years?\sof\s(?!age)"
    r"|%|dd?\b|[a-k]{1,2}\scup)",
)
"""After a labelled or first-person number without a unit: a height, weight, size,
measurement, price or count, not an age."""

_UNIT_WORD = re.compile(
    r"(?:y(?<=[\s-]y)(?:ears?|rs?|r|\.\s?o\b\.?|/o|o)|a(?<=[\s-]a)(?:[ñn]os|ns)"
    rf"|j(?<=[\s-]j)(?:ahren?|ahre|ährige?r?|\.))(?!{_L})"
)
"""A unit word after a space or hyphen (where a spelled number can end); starting with a
character class lets the regex engine skip ahead in C instead of trying every position."""
_OLD_AT = re.compile(_OLD)
_UNIT_RUNS = frozenset(
    {
        "year",
        "years",
        "yr",
        "yrs",
        "yo",
        "años",
        "anos",
        "ans",
        "jahre",
        "jahren",
        "jährig",
        "jährige",
        "jährigr",
        "jähriger",
    }
)
"""What :data:`_UNIT_WORD` matches, when it is one word: it starts after a space or a
hyphen and is not followed by a letter, so it is a whole letter run of the text. The
other forms (``y.o``, ``y. o``, ``y/o``, ``j.``) are the runs ``y`` and ``o``, or ``j``."""
_UNIT_CUES = ("year", "yr", "y.o", "y. o", "y/o", "años", "anos", "ans", "jahr", "jähr", "j.")
"""Every unit word contains one of these, or is a ``yo`` that does not start ``you``:
a text without them has no spelled age, and a scan for them is far cheaper than the
unit-word scan."""
_UNIT_CUE = re.compile("yo(?!u)|" + "|".join(map(re.escape, _UNIT_CUES)))
"""Found exactly when a text has a ``yo`` that does not start ``you`` or one of
:data:`_UNIT_CUES`: the substring form of the pre-check, which :func:`_may_have_unit`
refines with a set test (the scan stops at every ``a`` and ``y``); the tests keep it
as a reference."""
_WORD = re.compile(rf"{_L}+")
_CONJ = frozenset({"y", "e", "et", "und", "and"})


def _in_range(value: int) -> bool:
    return MIN_AGE <= value <= MAX_AGE


def _in_strong_range(value: int) -> bool:
    return MIN_STRONG_AGE <= value <= MAX_AGE


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


_PREFIX_LAST = ":=-" + "esdr" + "tywa" + "moinu"
"""The characters :data:`_PREFIX_REV` can read first after the spaces before a number:
the punctuation after a label, the last letter of a label (``age``, ``my age is``,
``aged``, ``edad``, ``alter``), of ``just``, ``only``, ``now``, ``a``, or of a
first-person cue (``i'm``, ``tengo``, ``j'ai``, ``ich bin``, ``sou``), and the
title dash."""


def _may_follow_prefix(low: str, start: int) -> bool:
    """Whether :data:`_PREFIX_REV` can match before ``start`` (False only when it cannot):
    every alternative reads at most three spaces, then a character of
    :data:`_PREFIX_LAST`. Most numbers fail this, and skip the reversed copy and the
    match. ``str.isspace`` is the pattern's ``\\s``."""
    i = start - 1
    while i >= 0 and i >= start - 4 and low[i].isspace():
        i -= 1
    return i >= 0 and start - 1 - i <= 3 and low[i] in _PREFIX_LAST


def _reversed(low: str, first: int, start: int) -> str:
    """``low[first:start][::-1]`` with one copy instead of two."""
    if first:
        return low[start - 1 : first - 1 : -1]
    return low[start - 1 :: -1] if start else ""


def _match_at(
    low: str, start: int, prev_end: int, unit_runs: bool
) -> tuple[str, int, re.Match[str] | None]:
    """The age pattern that reads the number at ``start``, as a left-to-right scan would:
    ``(prefix, prefix_start, match)`` where ``prefix`` is ``"label"`` or ``"self"`` for a
    label or first-person cue before the number, else ``""``.

    A label, cue or title dash before the number starts earlier than the number itself,
    so it is tried first; then a unit after the number, where one can be
    (``unit_runs``, see :func:`_may_have_unit`). Nothing before ``prev_end`` (the end of
    the previous match) may be used again.
    """
    lo = max(prev_end, start - _PREFIX_WINDOW)
    # One character more than may be used, for the "not after a letter" checks.
    before = (
        _PREFIX_REV.match(_reversed(low, max(0, lo - 1), start))
        if _may_follow_prefix(low, start)
        else None
    )
    if before is not None and before.end() <= start - lo:
        if before.group("label") is not None:
            return "label", start - before.end(), _PREFIXED_AT.match(low, start)
        if before.group("self") is not None:
            return "self", start - before.end(), _PREFIXED_AT.match(low, start)
        title = _TITLE_AT.match(low, start)
        if title is not None:
            return "", start, title
    return "", start, _UNIT_AT.match(low, start) if unit_runs else None


def _number_starts(low: str, runs: frozenset[str], unit_runs: bool) -> list[int]:
    """Where the runs of one or two digits that may be read as an age start, in order
    (``runs``: the letter runs of ``low``).

    A run where :func:`_match_at` finds nothing changes nothing (:func:`_candidates`
    moves on), so leaving it out is exact. :func:`_match_at` finds a unit after the
    number only where one can be (``unit_runs``, see :func:`_may_have_unit`: a unit is a
    whole letter run); a label or first-person cue only where one of
    :data:`_PREFIX_RUNS` is a letter run (the pattern requires no letter before the
    label or cue, and a space, ``:``, ``=``, ``-`` or the number after it); else only
    the title convention, right after :data:`_TITLE_DASH`. Most titles and over a
    quarter of the bodies of Backpage ads (a third of their text) have no such runs.
    See :func:`_starts`.
    """
    return _starts(low, unit_runs, not runs.isdisjoint(_LABEL_RUNS), runs.intersection(_CUE_RUNS))


def _starts(low: str, unit_runs: bool, label_runs: bool, cue_runs: frozenset[str]) -> list[int]:
    """:func:`_number_starts` once its letter-run tests are done (:func:`extract_ages`
    needs them itself): every run of one or two digits where a unit or a label can be
    read; where only first-person cues can (``cue_runs``, the letter runs of
    :data:`_CUE_RUNS` that the field has), those after a cue or a title dash
    (:func:`_cue_numbers`); else those after a title dash."""
    if unit_runs or label_runs:
        pattern = _NUM_AT_ASCII if low.isascii() else _NUM_AT
        return [run.start() for run in pattern.finditer(low)]
    if cue_runs:
        return _cue_numbers(low, cue_runs)
    return _title_numbers(low)


def _cue_numbers(low: str, cue_runs: frozenset[str]) -> list[int]:
    """The runs of one or two digits (:data:`_NUM_AT`) that start at most
    :data:`_CUE_REACH` characters after a possible cue, or right after a title dash
    (:func:`_title_numbers`), in order: where no unit and no label can be read, these
    are all the numbers :func:`_match_at` can read, so the rest of the field is not
    scanned for digits (two in three Backpage bodies have a cue and no unit or label).

    A cue ends with one of its :data:`_CUE_FORMS` and a space follows (the pattern wants
    one to three); every place where one does is looked at, a superset of the cues.
    """
    found = _title_numbers(low)
    size = len(low)
    for run in cue_runs:
        for form in _CUE_FORMS[run]:
            at = low.find(form)
            while at >= 0:
                end = at + len(form)
                if end < size and low[end].isspace():
                    for start in range(end + 1, min(end + 1 + _CUE_REACH, size)):
                        if (
                            low[start].isdecimal()
                            and not low[start - 1].isdecimal()
                            and _NUM_AT.match(low, start) is not None
                        ):
                            found.append(start)
                at = low.find(form, at + 1)
    return sorted(set(found)) if len(found) > 1 else found


def _title_numbers(low: str) -> list[int]:
    """``[dash.end() for dash in _TITLE_DASH.finditer(low) if _NUM_AT.match(low,
    dash.end())]``, with ``str.find`` and character tests instead of a scanner and a
    match object per dash (most Backpage titles have one): ``-\\s{1,3}(?=\\d)`` holds at
    a dash exactly when the run of spaces after it is one to three long and a digit
    follows (a longer run leaves a space where the digit must be, however it
    backtracks), and :data:`_NUM_AT` then matches exactly when that digit starts a run
    of one or two. A match takes the dash and its spaces only, so the next is looked
    for after them, as ``finditer`` does. ``str.isspace`` and ``str.isdecimal`` are the
    patterns' ``\\s`` and ``\\d``.
    """
    starts: list[int] = []
    size = len(low)
    dash = low.find("-")
    while dash >= 0:
        end = dash + 1
        while end < size and end <= dash + 4 and low[end].isspace():
            end += 1
        if (
            1 <= end - dash - 1 <= 3
            and end < size
            and low[end].isdecimal()
            and not (end + 2 < size and low[end + 1].isdecimal() and low[end + 2].isdecimal())
        ):
            starts.append(end)
            dash = low.find("-", end)
        else:
            dash = low.find("-", dash + 1)
    return starts


def _after_title_dash(low: str, start: int, lo: int) -> bool:
    """Whether the title convention's alternative of :data:`_PREFIX_REV` matches before
    ``start`` in :func:`_match_at` (whose window starts at ``lo``), read forwards.

    That alternative, ``\\s{1,3}-\\s{1,3}(?=[^\\d\\s\\-])`` on the reversed text, holds
    exactly when the run of spaces right before the number is one to three long, a
    ``-`` is before it, the run of spaces before that is one to three long, and a
    character that is no digit, space or dash is before that (a longer run leaves a space
    where the pattern wants the dash or that character, however it backtracks). All of it
    must lie in the text :func:`_match_at` reverses (from ``lo - 1``); all but that last
    character then lies from ``lo`` on, as :func:`_match_at` also requires.
    ``str.isspace`` and ``str.isdecimal`` are the pattern's ``\\s`` and ``\\d``. Where
    no label or first-person cue can be read (see :func:`_number_starts`), this saves
    reversing a copy of the window and a match.
    """
    first = max(0, lo - 1)
    i = start - 1
    while i >= first and i >= start - 4 and low[i].isspace():
        i -= 1
    if not 1 <= start - 1 - i <= 3 or i < first or low[i] != "-":
        return False
    dash = i
    i -= 1
    while i >= first and i >= dash - 4 and low[i].isspace():
        i -= 1
    spaces = dash - 1 - i
    if not 1 <= spaces <= 3 or i < first:
        return False
    return not (low[i].isdecimal() or low[i] == "-")


def _match_unprefixed(low: str, start: int, prev_end: int, unit_runs: bool) -> re.Match[str] | None:
    """:func:`_match_at`'s match for a text where no label or first-person cue can be
    read (none of :data:`_PREFIX_RUNS` is a letter run): the title convention or a unit."""
    if _after_title_dash(low, start, max(prev_end, start - _PREFIX_WINDOW)):
        title = _TITLE_AT.match(low, start)
        if title is not None:
            return title
    return _UNIT_AT.match(low, start) if unit_runs else None


def _candidates(
    low: str, field: str, starts: list[int], unit_runs: bool, prefix_runs: bool
) -> list[tuple[int, int, int, str]]:
    """``(start, end, value, pattern)`` for every age found, possibly overlapping, at the
    numbers that start at ``starts`` (:func:`_number_starts`; ``unit_runs`` as there,
    ``prefix_runs``: one of :data:`_PREFIX_RUNS` is a letter run).

    The groups are read by number, not with ``groupdict`` (a dict per match):
    :data:`_UNIT_AT` and :data:`_PREFIXED_AT` both have, in this order, the number, the
    second number of a range, the unit and ``old``; :data:`_TITLE_AT` has the number.
    """
    found: list[tuple[int, int, int, str]] = []
    prev_end = 0
    for n_start in starts:  # never after a digit: see _NUM_AT, and _TITLE_DASH ends in a space
        if n_start < prev_end:
            continue
        if prefix_runs:
            prefix, p_start, m = _match_at(low, n_start, prev_end, unit_runs)
        else:
            prefix, p_start, m = "", n_start, _match_unprefixed(low, n_start, prev_end, unit_runs)
        if m is None:
            continue
        prev_end = m.end()
        if m.re is _TITLE_AT:
            value = int(m.group(1))
            if _in_range(value):
                at_end = field == "title" and not low[m.end() :].strip(" -")
                found.append((n_start, m.end(), value, "title_end" * at_end or "title"))
            continue
        strong = True
        a, b, unit, old = m.groups()
        if not prefix:
            start, end = n_start, m.end()
        else:
            start, end = p_start, m.end()
            if unit is None:
                # No unit: the number must stand alone (not 5'4, 34D, 34-24-36, 120 lbs).
                tail_at = m.end(2) if b is not None else m.end(1)
                if _BAD_AFTER_BARE.match(low, tail_at):
                    continue
                if prefix == "self":
                    if b is not None:
                        continue  # "I'm 18-25"? not a statement of one's age
                    strong = False  # "I'm 14" is too often a height, a size or a count
            elif old is None and _NOT_AFTER_YEARS.match(low, end):
                continue
        if not prefix and _limited(low, start, end):
            continue
        if prefix and _NOT_AFTER_YEARS.match(low, end):
            continue
        if b is not None:
            low_v, high_v = int(a), int(b)
            if low_v < high_v <= low_v + 40 and _in_range(low_v) and _in_range(high_v):
                found.append((start, end, low_v, "range"))
                found.append((m.start(2), end, high_v, "range"))
            continue
        value = int(a)
        if not (_in_strong_range(value) if strong else _in_range(value)):
            continue
        if prefix:
            kind = "label" if prefix == "label" else "unit_old" if old else "self"
            if unit is not None and kind == "self":
                kind = "unit_old" if old else "unit"
        else:
            kind = "unit_old" if old else "unit"
        found.append((start, end, value, kind))
    return found


def _may_have_unit(low: str) -> bool:
    """Whether :data:`_UNIT_WORD` can match in ``low`` (False only when it cannot): a
    set test on the field's letter runs (shared with the phone normaliser and the place
    matcher; see :data:`_UNIT_RUNS`), where a scan for the unit words' letters would
    stop at every ``a`` and ``y`` of the text."""
    return _has_unit_runs(letter_set(low))


def _has_unit_runs(runs: frozenset[str]) -> bool:
    """:func:`_may_have_unit` of a text whose letter runs are ``runs``."""
    if not runs.isdisjoint(_UNIT_RUNS):
        return True
    return "j" in runs or ("y" in runs and "o" in runs)


def _spelled(low: str) -> list[tuple[int, int, int, str]]:
    """Spelled ages (a text where :func:`_may_have_unit` holds; in others there are none)."""
    found: list[tuple[int, int, int, str]] = []
    for m in _UNIT_WORD.finditer(low):
        start = m.start()
        before = start - 1  # low[:start].rstrip(" -")[-1:].isalpha(), without the copies
        while before >= 0 and low[before] in " -":
            before -= 1
        if before < 0 or not low[before].isalpha():
            continue
        hit = _spelled_before(low, start)
        if hit is None:
            continue
        old = _OLD_AT.match(low, m.end(), m.end() + 16)
        end = m.end() + (old.end() - m.end() if old and old.group("old") else 0)
        if _limited(low, hit[0], end):
            continue
        found.append((hit[0], end, hit[1], "spelled"))
    return found


def _surest(found: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, str]]:
    """Overlaps: keep the surest reading of each stretch of text, in text order."""
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
    return kept


def extract_ages(post: Post, field: str, text: str) -> list[Mention]:
    """Every stated age in ``text`` (one mention per age statement). Never raises."""
    if not text:
        return []
    low = lowered(text)
    if len(low) != len(text):  # a few characters lower-case to two: keep offsets exact
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    runs = letter_set(low)
    unit_runs = _has_unit_runs(runs)
    label_runs = not runs.isdisjoint(_LABEL_RUNS)
    cue_runs = runs.intersection(_CUE_RUNS)
    starts = _starts(low, unit_runs, label_runs, cue_runs)
    found = _candidates(low, field, starts, unit_runs, label_runs or bool(cue_runs))
    if unit_runs:
        found.extend(_spelled(low))
    if not found:
        return []
    kept = found if len(found) == 1 else _surest(found)  # most fields state one age
    return [
        mention(
            post_id=post.id,
            kind="age",
            value=str(value),
            field=field,
            original=text,
            start=start,
            end=end,
            method=METHOD,
            confidence=CONFIDENCE[kind],
        )
        for start, end, value, kind in kept
    ]


__all__ = ["MAX_AGE", "MIN_AGE", "MIN_STRONG_AGE", "extract_ages"]
