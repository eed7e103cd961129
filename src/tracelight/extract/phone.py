"""Phone numbers as E.164: our own candidate finder, libphonenumber's validation.

Why not ``phonenumbers.PhoneNumberMatcher``: it refuses a number glued to a word
(``weekend7086315843``, ``7864865044tengo``), reads dates such as ``2016 06 17 - 21`` as
a number, and was three quarters of the extraction time. Here the text is normalised
once (:mod:`tracelight.extract.normalize`: number words, look-alikes, keycaps, emoji
separators), and a single pass finds *digit groups* joined by the separators people write
inside numbers (space, ``- . / ( )``). Each run of groups is split into numbers by trying
consecutive groups whose digit count can be a number in the region, longest first, and
asking libphonenumber (``parse`` + ``is_valid_number``, its public API) whether they are
one. A digit group is never split: ``4155550123212`` is not two numbers.

Region: the post's ``country``; numbers written with ``+`` or ``00`` (or in a ``wa.me/``
or WhatsApp link, which are international without the ``+``) need none. A number that
starts with a trunk ``0`` cannot be North American; when the region is NANP (or absent)
and such a number does not parse, the countries of places named in the post decide
(``Pune ... 09921488 433`` is Indian).

Not phones (each a rule on the groups, not on the digits alone): dates (a year beside a
month and a day), prices (a currency sign or a unit such as ``hr``/``min`` glued to the
group), runs of four-digit groups (card numbers), posting and order ids (an ``id``,
``ref``, ``order`` label just before), and anything that libphonenumber does not accept
as a valid number of its region, which removes most ZIP codes, times, years, heights and
body measurements by length and numbering plan.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Final

import phonenumbers

from tracelight.extract.evidence import mention
from tracelight.extract.location import countries_in_text
from tracelight.extract.normalize import Normalized, normalize
from tracelight.model import Mention, Post

METHOD = "phonenumbers"
MAX_PARSES = 256
"""Bound on libphonenumber calls per field, so a hostile run of thousands of digit
groups costs a bounded time (libphonenumber's own matcher bounds its tries the same way)."""

MIN_DIGITS = 4
"""No valid number anywhere has fewer digits; a field with fewer needs no search."""

MAX_DIGITS = 17
"""E.164 allows 15 digits; ``00`` or a trunk prefix adds up to two more."""

TRUNK_DIGITS = (8, 13)
"""Digit counts of a national number written with its trunk ``0`` (shortest and longest
in the numbering plans we have seen in ads); shorter runs are prices or times."""

NANP = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])
"""Regions of the North American Numbering Plan, where no number starts with ``0``."""

_FOUR_DIGITS = re.compile(rf"[0-9](?:[^0-9]*+[0-9]){{{MIN_DIGITS - 1}}}")
"""Found exactly when the text has :data:`MIN_DIGITS` ASCII digits, the only digits
:func:`find_numbers` reads (the normaliser turns the others into them): stops at the
fourth instead of listing every digit (``len(re.findall("[0-9]", text)) >= 4``, twice
as slow on ads full of prices). ``[^0-9]*+`` gives nothing back, so each try is linear.
ASCII classes rather than ``\\d``: no Unicode digit lookup per character (most ads hold
emoji, so they are stored at four bytes a character and every one would be looked up)."""
_GROUPS = re.compile(r"[(0-9](?:(?<=\()[0-9]+|(?<=[0-9])[0-9]*)(?:[ .\-/()]{1,4}[0-9]+)*")
"""A run of digit groups joined by separators written inside numbers (at most four
characters of them, so ``415 - 555 - 0123`` is one run but a table of prices is not),
optionally opened by ``(``. Written ``[(0-9]`` then a look-behind rather than an optional ``(``
(same matches) so that the pattern starts with a character class, which lets the regex
engine skip in C to the next digit or bracket instead of trying every position."""
_DIGITS = re.compile(r"[0-9]+")
_INTERNATIONAL = re.compile(r"(?:\+|\b00)\s?$")
_LINK = re.compile(r"(?i)(?:wa\.me/|whatsapp\.com/send\?phone=|\bphone=)$")
_ID_LABEL = re.compile(
    r"(?i)(?:\b(?:id|ref|reference|order|invoice|post|posting|ad|case|ticket|zip|"
    r"postal|postcode|cp|plz|cep)\b|\bn[°ºo]|#)\s{0,2}[:#.]?\s{0,2}$"
)
"""Labels that make the digits after them an identifier, not a contact."""
_ID_LABEL_REVERSED = re.compile(
    r"(?i)\n?\s{0,2}[:#.]?\s{0,2}(?:\b(?:di|fer|ecnerefer|redro|eciovni|tsop|gnitsop|da|esac|"
    r"tekcit|piz|latsop|edoctsop|pc|zlp|pec)\b|[°ºo]n\b|#)"
)
""":data:`_ID_LABEL` read backwards: ``_ID_LABEL.search(head)`` holds exactly when this
matches at the start of ``head[::-1]`` (``\\b`` looks at the same two characters either
way; the leading ``\\n?`` is the final newline ``$`` may stand before). One anchored
attempt instead of a search that tries every branch at each of the head's 24 positions,
for every digit group of every run (an eighth of the time of :func:`find_numbers`)."""
_CURRENCY_BEFORE = re.compile(r"[$€£¥₹¢]\s?$")
_CURRENCIES = frozenset("$€£¥₹¢")
_UNIT_AFTER = re.compile(
    r"(?i)\s?(?:[$€£¥₹¢](?!\s?[0-9])|(?:usd|eur|cad|dollars?|roses)\b)"
    r"|(?:hh?rs?|hours?|h|mins?|minutes?|cm|kg|lbs?|yo|y/o|%)(?![^\W\d_])"
)
"""A price or a measure glued to the digits (``95hr``, ``150$``, ``60min``, ``34yo``)."""
_LETTER = re.compile(r"[^\W\d_]")


class _Group:
    """One digit group: built for every group of every run, so a plain class, which is
    built natively when compiled (a named tuple or a dataclass runs Python code to be
    built)."""

    __slots__ = ("digits", "end", "start")

    def __init__(self, start: int, end: int, digits: str) -> None:
        self.start: Final = start
        self.end: Final = end
        self.digits: Final = digits


@functools.lru_cache(maxsize=512)
def _lengths(region: str | None) -> frozenset[int]:
    """Digit counts a number may have when written for ``region`` (national, with a trunk
    prefix, or with the country code but no ``+``), from libphonenumber's metadata."""
    if region is None:
        return frozenset()
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None:
        return frozenset()
    national = set(meta.general_desc.possible_length or ()) if meta.general_desc else set()
    trunk = len(meta.national_prefix or "")
    code = len(str(meta.country_code))
    out = set(national)
    out |= {n + trunk for n in national if trunk}
    out |= {n + code for n in national}
    return frozenset(out)


@functools.lru_cache(maxsize=1 << 16)
def _parse(digits: str, region: str | None, international: bool) -> str | None:
    """E.164 of ``digits`` if libphonenumber calls it a valid number, else ``None``.

    Cached: libphonenumber's validation is the costliest step here (tens of µs), and a
    corpus repeats its numbers (a poster reposts the same contact many times)."""
    try:
        number = phonenumbers.parse("+" + digits if international else digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _is_date(groups: list[_Group], i: int) -> bool:
    """Whether groups ``i``..``i+2`` read as a date (``2016 06 17``, ``17/06/2016``)."""
    if i + 2 >= len(groups):
        return False
    a, b, c = (g.digits for g in groups[i : i + 3])
    return (_year(a) and _day_or_month(b) and _day_or_month(c)) or (
        _day_or_month(a) and _day_or_month(b) and _year(c)
    )


def _year(s: str) -> bool:
    return len(s) == 4 and 1900 <= int(s) <= 2099


def _day_or_month(s: str) -> bool:
    return 1 <= len(s) <= 2 and 1 <= int(s) <= 31


def _blocked(text: str, groups: list[_Group]) -> list[bool]:
    """Groups that cannot be part of a phone number (dates, prices, card numbers)."""
    n = len(groups)
    blocked = [False] * n
    for i in range(n):
        if _is_date(groups, i):
            blocked[i] = blocked[i + 1] = blocked[i + 2] = True
        g = groups[i]
        # ``_CURRENCY_BEFORE.search(text, g.start - 2, g.start)`` read off the two
        # characters it can see (``\s`` is ``str.isspace``): a regex call per group less.
        start = g.start
        before = text[start - 1] if start else ""
        if (
            before in _CURRENCIES
            or (start > 1 and before.isspace() and text[start - 2] in _CURRENCIES)
            or _UNIT_AFTER.match(text, g.end)
        ):
            blocked[i] = True
    run = 0
    for i in range(n + 1):
        if i < n and len(groups[i].digits) == 4:
            run += 1
            continue
        if run >= 4:  # 4111 1111 1111 1111: a card number, not four short numbers
            for k in range(i - run, i):
                blocked[k] = True
        run = 0
    return blocked


class Found:
    """A number in the normalised text: its span there, E.164 value and how it was read.

    A plain class with ``Final`` attributes, built natively when compiled (a dataclass
    would run its generated ``__init__`` in the interpreter)."""

    __slots__ = ("end", "glued", "international", "start", "value")

    def __init__(self, start: int, end: int, value: str, international: bool, glued: bool):
        self.start: Final = start
        self.end: Final = end
        self.value: Final = value
        self.international: Final = international
        self.glued: Final = glued

    def __repr__(self) -> str:
        return f"Found({self.start}, {self.end}, {self.value!r})"


def find_numbers(
    text: str,
    region: str | None,
    fallback: Callable[[], list[str]] | None = None,
    *,
    start: int = 0,
) -> list[Found]:
    """Every phone number in ``text`` (already normalised), left to right.

    ``fallback`` yields further regions to try, lazily, for a number that starts with a
    trunk ``0`` and is not valid in ``region`` (only called when such a number is seen).
    ``start``: no digit stands before this offset (the scan for runs begins there, less
    one for an opening bracket; the text before it is still read as context).
    """
    found: list[Found] = []
    budget = MAX_PARSES
    lengths = _lengths(region)
    fallback_regions: list[str] | None = None

    def regions_for_trunk() -> list[str]:
        nonlocal fallback_regions
        if fallback_regions is None:
            fallback_regions = [r for r in (fallback() if fallback else []) if r not in NANP]
        return fallback_regions

    for run in _GROUPS.finditer(text, max(0, start - 1)):
        if run.end() - run.start() < MIN_DIGITS:
            continue  # fewer characters than digits needed: most runs (prices, ages)
        groups = [
            _Group(m.start(), m.end(), m.group())
            for m in _DIGITS.finditer(text, run.start(), run.end())
        ]
        if sum(len(g.digits) for g in groups) < MIN_DIGITS:
            continue
        blocked = _blocked(text, groups)
        i = 0
        while i < len(groups) and budget > 0:
            first = groups[i]
            head = text[max(0, first.start - 24) : first.start]
            if blocked[i] or _ID_LABEL_REVERSED.match(head[::-1]):
                i += 1
                continue
            # The suffix tests guard the anchored searches (``+``/``00`` and ``/``/``=``
            # end the head, give or take a space and the newline ``$`` allows), which
            # would otherwise be tried at every position of the head.
            tail = head[-4:]
            linked = (
                ("+" in tail[-3:] or "00" in tail) and _INTERNATIONAL.search(head) is not None
            ) or (("/" in tail[-2:] or "=" in tail[-2:]) and _LINK.search(head) is not None)
            digits = ""
            best: tuple[int, str, bool] | None = None
            for j in range(i, len(groups)):
                if blocked[j] or budget <= 0:
                    break
                digits += groups[j].digits
                if len(digits) > MAX_DIGITS:
                    break
                intl = linked or (digits.startswith("00") and len(digits) > 9)
                body = digits[2:] if intl and digits.startswith("00") and not linked else digits
                trunk = (
                    body.startswith("0")
                    and TRUNK_DIGITS[0] <= len(body) <= TRUNK_DIGITS[1]
                    and (region is None or region in NANP)
                )
                if not intl and (region is None or len(body) not in lengths) and not trunk:
                    continue
                value = None
                if intl or region is not None:
                    budget -= 1
                    value = _parse(body, region, intl)
                if value is None and not intl and trunk:
                    for other in regions_for_trunk():
                        if len(body) not in _lengths(other):
                            continue
                        budget -= 1
                        value = _parse(body, other, False)
                        if value is not None:
                            break
                if value is not None:
                    best = (j, value, intl)
            if best is None:
                i += 1
                continue
            j, value, intl = best
            last = groups[j]
            span_start = first.start
            if span_start > 0 and text[span_start - 1] == "(":
                span_start -= 1
            elif intl and head.rstrip().endswith("+"):
                span_start = text.rindex("+", 0, first.start)
            glued = (first.start > 0 and _LETTER.match(text, first.start - 1) is not None) or (
                _LETTER.match(text, last.end) is not None
            )
            found.append(Found(span_start, last.end, value, intl, glued))
            i = j + 1
    return found


def _trunk_regions(post: Post) -> Callable[[], list[str]]:
    """The countries of places named in the post, computed only when needed."""

    def regions() -> list[str]:
        text = "\n".join(t for t in (post.title, post.body) if t)
        return countries_in_text(text)

    return regions


def extract_phones(post: Post, field: str, text: str) -> list[Mention]:
    """Numbers as a reader sees them, each mapped back to exactly what was written.

    Confidence: 0.9 for a number written in international form, 0.8 for a national one
    written plainly, 0.7 when reading it needed the normaliser (words, look-alikes,
    emoji separators), less 0.1 when the digits are glued to a word.
    """
    region = post.country or None
    norm: Normalized = normalize(text)
    four = _FOUR_DIGITS.search(norm.text)
    if four is None:
        return []
    mentions: list[Mention] = []
    # The match starts at the first ASCII digit of the text, so no run starts before.
    for hit in find_numbers(norm.text, region, _trunk_regions(post), start=four.start()):
        o_start, o_end = norm.span(hit.start, hit.end)
        plain = text[o_start:o_end] == norm.text[hit.start : hit.end]
        confidence = (0.9 if hit.international else 0.8) if plain else 0.7
        if hit.glued:
            confidence -= 0.1
        mentions.append(
            mention(
                post_id=post.id,
                kind="phone",
                value=hit.value,
                field=field,
                original=text,
                start=o_start,
                end=o_end,
                method=METHOD if plain else METHOD + "+normalized",
                confidence=round(confidence, 2),
            )
        )
    return mentions
