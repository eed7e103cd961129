"""Undo the disguises ads put on contacts, keeping an exact map back to what was written.

Extractors (phones via ``phonenumbers``, e-mails, handles) run on :attr:`Normalized.text`;
every match is mapped back with :meth:`Normalized.span` to the code-point span of the
*original* text, because evidence must show what was written, not our reading of it.

Two stages, each a list of ``(start, end, replacement)`` edits over its input, so that
unchanged text is copied (and its offsets mapped) in slices rather than per character:

1. **Characters** (context-free, :func:`_char_edits`):

   * keycaps ``4️⃣`` (digit, ``#`` or ``*``, optional U+FE0F, U+20E3) -> the digit; the
     whole sequence maps to that one character;
   * NFKC where it yields short printable ASCII: fullwidth ``４１５``, circled ``④``
     (``⑩``-``⑳`` become two digits, both mapped to the one circled character),
     parenthesised ``⑷``, mathematical ``𝟒``, fullwidth letters and punctuation,
     exotic spaces -> space. **Superscripts and subscripts are kept**: in ordinary text
     ``m²`` or ``1º`` or a footnote ``³`` is not a digit of a phone number, and turning
     them into digits would glue them to neighbouring numbers;
   * dingbat circled digits ``❶``-``❿``, ``➀``-``➓`` and keypad ``🔟`` (NFKC leaves them);
   * other scripts' decimal digits (Arabic-Indic ``٤``...) -> ASCII digits;
   * Unicode dashes -> ``-``;
   * zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen, variation
     selectors) are dropped: they are invisible, so their only use here is to split
     tokens (``4155\u200b550123``). A variation selector right after an emoji
     (``❣️``) is kept, which changes nothing a matcher reads and leaves most posts
     unedited (:func:`_is_emoji_selector`);
   * a small table of Cyrillic and Greek letters that look Latin (``gmаil`` with a
     Cyrillic ``а``) -> Latin, but **only inside a word that also has an ASCII letter or
     digit**, so Russian or Greek prose is left as written.

   Case is preserved: extractors decide about case (e-mails lower-case, handles may not).

2. **Numeric runs** (:func:`_run_edits`): a run is numeric tokens (digits, number words
   from :mod:`tracelight.extract.numberwords`, digit look-alikes) separated only by
   separators (spaces, line breaks, ``- . , / * ~ _ :`` brackets, emoji...). Nothing
   else (a letter, a word that is not a number, ``$``, ``@``, ``+``) joins two runs.
   A run is rewritten only when it is numeric enough to be part of a contact: at least
   :data:`MIN_TOKENS` tokens and :data:`MIN_DIGITS` digits once converted, so
   ``I have one friend``, ``vingt ans`` or ``one or two`` stay words. Inside such a run:

   * number words become digits (``twenty-three`` -> ``23``, ``double five`` -> ``55``);
   * ``O``/``o`` -> ``0`` and ``l``/``I``/``|`` -> ``1`` only for a look-alike standing
     alone (not part of a longer word: ``Hello``, ``Olivia``, ``BOOK`` never change) and
     touching a digit directly (``2O2``, ``O1two3``); ``lol 555`` keeps ``lol``;
   * separators that ``phonenumbers.PhoneNumberMatcher`` reads inside a number (spaces,
     ``-``, ``.``, ``/``, brackets; checked: it reads ``4 1 5 5 5 5 0 1 2 3``,
     ``415 - 555 - 0123``, ``(415) 555-0123``) are kept as written; any other separator
     (emoji, line break, ``*``, ``~``, ``_``, ``, `` ...) becomes one space, which the
     matcher reads and which keeps digit groups apart rather than gluing them. A bare
     ``,`` between two digit groups is kept (``1,500`` is a price, not a phone).

``[at]``/``[dot]`` e-mail disguises are a separate, opt-in step,
:func:`normalize_email_tokens`, since ``at``/``dot``/``point`` are common words and only
the e-mail extractor knows it is looking for an address.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import filterfalse
from typing import Final

from tracelight.extract.numberwords import (
    FOLD_TABLE,
    GLUE_PATTERN,
    GLUE_WORDS,
    PIECES,
    STRONG_GLUE,
    WORD_AFTER_FIRST,
    WORD_FIRST,
    WORD_PATTERN,
    WORDS,
    Kind,
    fold,
    trie_after_first,
    trie_pattern,
)
from tracelight.extract.tokens import Letters, letters, lowered

MIN_TOKENS = 3
"""Numeric tokens (digit groups, number words, look-alikes) a run needs to be rewritten."""
MIN_DIGITS = 4
"""Digits a run needs once converted: below this it is an age, a price or prose."""

Edit = tuple[int, int, str]
"""Replace ``input[start:end]`` (``end > start``) by the string (possibly empty)."""


class Normalized:
    """Normalised text with, for each of its characters, the original span it came from.

    ``starts``/``ends`` are ``range`` objects when nothing changed (the common case, at no
    cost) and ``array('i')`` otherwise (4 bytes per character).

    A plain class with ``Final`` attributes rather than a frozen dataclass: one is built
    for every field, and compiled, a dataclass still runs the ``__init__`` that the
    ``dataclasses`` module generates, in the interpreter (about a microsecond), while a
    plain class is built natively.
    """

    __slots__ = ("ends", "original", "starts", "text")

    def __init__(self, text: str, original: str, starts: Sequence[int], ends: Sequence[int]):
        self.text: Final = text
        self.original: Final = original
        self.starts: Final = starts
        self.ends: Final = ends

    def __repr__(self) -> str:
        return f"Normalized(text={self.text!r}, original={self.original!r})"

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering normalised ``[start, end)`` (``end > start``).

        Both maps are non-decreasing, so the first character's start and the last
        character's end bound everything the slice was made from.
        """
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"bad span [{start}, {end}) for text of length {len(self.text)}")
        return self.starts[start], self.ends[end - 1]

    @property
    def changed(self) -> bool:
        """Whether the text differs from the original (extractors may skip a second pass)."""
        return self.text != self.original


def identity(text: str) -> Normalized:
    """The map of a text onto itself, free (``range`` instead of arrays)."""
    n = len(text)
    return Normalized(text, text, range(n), range(1, n + 1))


_IOTA: list[array[int]] = [array("i", range(1 << 12))]
"""``0, 1, 2 ...`` (one item, replaced by a longer copy when a text needs more)."""


_IOTA_KEPT = 1 << 20
"""Longest shared array kept (4 MiB): a longer text gets one of its own, not kept."""


def _iota(n: int) -> array[int]:
    """An array holding at least ``0 .. n`` (``n`` included)."""
    iota = _IOTA[0]
    if len(iota) <= n:
        iota = array("i", range(max(n + 1, 2 * len(iota))))
        if len(iota) <= _IOTA_KEPT:
            _IOTA[0] = iota
    return iota


def _compose(base: Normalized, edits: list[Edit]) -> Normalized:
    """Apply ``edits`` (sorted, disjoint) to ``base.text``, mapping through ``base``."""
    if not edits:
        return base
    src, bs, be = base.text, base.starts, base.ends
    if all(b - a == 1 and len(rep) == 1 for a, b, rep in edits):
        # One character for one (``—`` -> ``-``, a confusable letter, an exotic space:
        # most edits): every offset stays where it was, so the maps are shared as they
        # are instead of being copied into arrays.
        same: list[str] = []
        pos = 0
        for a, _, rep in edits:
            same.append(src[pos:a])
            same.append(rep)
            pos = a + 1
        same.append(src[pos:])
        return Normalized("".join(same), base.original, bs, be)
    if isinstance(bs, range) and isinstance(be, range) and bs.step == 1 and be.step == 1:
        # Unchanged text so far (the usual base): its maps become slices of one shared
        # array of consecutive integers, so each copied slice below is a memory copy
        # rather than a range converted one integer at a time (three times slower).
        iota = _iota(max(bs.stop, be.stop))
        bs = iota[bs.start : bs.stop]
        be = iota[be.start : be.stop]
    pieces: list[str] = []
    starts = array("i")
    ends = array("i")
    pos = 0
    for a, b, rep in edits:
        if a > pos:
            pieces.append(src[pos:a])
            starts.extend(bs[pos:a])
            ends.extend(be[pos:a])
        if rep:
            pieces.append(rep)
            k = len(rep)
            starts.extend([bs[a]] * k)
            ends.extend([be[b - 1]] * k)
        pos = b
    if pos < len(src):
        pieces.append(src[pos:])
        starts.extend(bs[pos:])
        ends.extend(be[pos:])
    return Normalized("".join(pieces), base.original, starts, ends)


# --- stage 1: characters ---------------------------------------------------------------

_DROP = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e") | frozenset(
    chr(c) for c in (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0))
)
"""Invisible characters: dropped."""

_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63")

_CONFUSABLES: dict[str, str] = {
    # Cyrillic lower and upper case letters drawn like Latin ones.
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ո": "n", "ԛ": "q", "ԝ": "w",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ү": "Y",
    # Greek.
    "ο": "o", "α": "a", "ν": "v", "ρ": "p", "υ": "u", "ι": "i", "κ": "k",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X", "Υ": "Y",
}  # fmt: skip
"""Look-alikes that matter for contacts (e-mail, handles, ``O`` as zero); deliberately
small: a full confusables table would rewrite legitimate non-Latin text."""

_KEEP = ""  # sentinel: the character stays as it is
_CONTEXTUAL = "\x00"  # sentinel: a confusable, decided by its word


@functools.lru_cache(maxsize=4096)
def _char_map(ch: str) -> str:
    """Context-free replacement of one non-ASCII character (``_KEEP`` for none)."""
    if ch in _DROP:
        return "\x01"  # dropped; distinct from _KEEP
    if ch in _CONFUSABLES:
        return _CONTEXTUAL
    if ch in _DASHES:
        return "-"
    cp = ord(ch)
    if 0x2776 <= cp <= 0x2793:  # ❶-❿, ➀-➉, ➊-➓
        return str((cp - 0x2776) % 10 + 1)
    if 0x24EB <= cp <= 0x24F4:  # ⓫-⓴ (NFKC leaves negative circled numbers)
        return str(cp - 0x24EB + 11)
    if 0x24F5 <= cp <= 0x24FE:  # ⓵-⓾ double circled
        return str(cp - 0x24F5 + 1)
    if cp == 0x24FF:  # ⓿
        return "0"
    if cp == 0x1F51F:  # 🔟
        return "10"
    try:
        decomposition = unicodedata.decomposition(ch)
        if decomposition.startswith(("<super>", "<sub>")):
            return _KEEP
        if unicodedata.category(ch) == "Nd":
            return str(unicodedata.decimal(ch))
        folded = unicodedata.normalize("NFKC", ch)
    except (ValueError, TypeError):  # lone surrogates and the like
        return _KEEP
    if folded != ch and folded.isascii() and 0 < len(folded) <= 4 and folded.isprintable():
        return folded
    return _KEEP


def _interesting() -> tuple[str, str]:
    """Regex classes of the non-ASCII characters stage 1 changes, so the scan skips the
    rest (emoji, accented letters) in C. Blocks outside ``_BLOCKS`` are left as written.

    Two classes, Basic Multilingual Plane and astral: a class of BMP characters only
    compiles to a constant-time bitmap, while one astral range makes the engine test
    every character of the text against the whole list of ranges (five times slower).
    """
    ranges: list[list[int]] = []
    for lo, hi in _BLOCKS:
        for cp in range(lo, hi):
            if _char_map(chr(cp)) != _KEEP:
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1][1] = cp
                else:
                    ranges.append([cp, cp])
    _char_map.cache_clear()

    def cls(part: list[list[int]]) -> str:
        # Ranges, not single characters: the engine tests a long list one entry at a time.
        return "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in part) + "]"

    assert all(b < 0x10000 or a >= 0x10000 for a, b in ranges)
    return cls([r for r in ranges if r[1] < 0x10000]), cls([r for r in ranges if r[0] >= 0x10000])


_BLOCKS = (
    (0x80, 0x3100),  # Latin-1 .. CJK punctuation: spaces, Greek, Cyrillic, Nd, enclosed
    (0xE000, 0xE001),
    (0xFE00, 0xFFF0),  # variation selectors, small forms, fullwidth
    (0x1D400, 0x1D800),  # mathematical alphanumerics
    (0x1F100, 0x1F200),  # enclosed alphanumeric supplement
    (0x1F51F, 0x1F520),  # keycap ten
    (0xE0100, 0xE01F0),  # variation selectors supplement
)

_KEYCAP = "\u20e3"
_BMP_CLASS, _ASTRAL_CLASS = _interesting()
_STAGE1 = re.compile(r"[0-9#*]\ufe0f?\u20e3|" + _BMP_CLASS + "|" + _ASTRAL_CLASS)
"""Everything stage 1 rewrites; used as it is only when the text has a keycap."""
_STAGE1_BMP = re.compile(_BMP_CLASS)
_STAGE1_ASTRAL = re.compile(_ASTRAL_CLASS)
_ASTRAL_BLOCKS = re.compile(
    "[" + "".join(f"\\U{lo:08x}-\\U{hi - 1:08x}" for lo, hi in _BLOCKS if lo >= 0x10000) + "]"
)
"""The astral blocks of ``_BLOCKS`` as four ranges: a cheap test that rules out the slow
astral class in nearly every post (emoji lie outside these blocks)."""
_WORDCHARS = re.compile(r"\w*")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")


def _confusable_in_latin_word(text: str, i: int) -> bool:
    """Whether the word around ``text[i]`` has an ASCII letter or digit (bounded scan:
    the 64 characters before it and the 63 after).

    The word characters before ``i`` are matched forwards on the reversed window, those
    after by one match, then one search: three calls in C for what was one call per
    character of the word and a generator over it.
    """
    before = _WORDCHARS.match(text[max(0, i - 64) : i][::-1])
    after = _WORDCHARS.match(text, i + 1, min(len(text), i + 64))
    assert before is not None and after is not None  # ``\w*`` matches anywhere
    return _ASCII_ALNUM.search(text, i - len(before.group()), after.end()) is not None


_SELECTORS = frozenset(chr(c) for c in range(0xFE00, 0xFE10))


def _is_emoji_selector(ch: str, text: str, i: int) -> bool:
    """Whether ``text[i]`` is a variation selector right after a symbol (``❣️``, ``☎️``).

    Kept as written: after an emoji it splits no token (the emoji already does), and
    dropping it was the only edit in about half of all posts, which then cost a copy of
    the text, its offset maps and a second phone-matcher pass. Only category ``So``
    (emoji, dingbats) counts: after a digit, a letter or a currency sign it is dropped,
    so it cannot hide a number or change what the phone matcher sees next to one. Runs
    of numeric tokens read a selector after a separator as part of that separator.
    """
    return ch in _SELECTORS and i > 0 and unicodedata.category(text[i - 1]) == "So"


def _stage1_matches(text: str) -> list[re.Match[str]]:
    """``_STAGE1.finditer(text)`` in order, found by the cheapest patterns that can.

    A keycap (``4️⃣``, rare) needs the combined pattern, since its variation selector
    would otherwise be matched alone. Otherwise the BMP and astral classes match single
    characters, so their matches never overlap and merge by position.
    """
    if _KEYCAP in text:
        return list(_STAGE1.finditer(text))
    found = list(_STAGE1_BMP.finditer(text))
    if _ASTRAL_BLOCKS.search(text) is not None:
        found.extend(_STAGE1_ASTRAL.finditer(text))
        found.sort(key=lambda m: m.start())
    return found


def _char_edits(text: str) -> list[Edit]:
    edits: list[Edit] = []
    for m in _stage1_matches(text):
        start, chunk = m.start(), m.group()
        if chunk[-1] == "\u20e3":
            edits.append((start, m.end(), chunk[0]))
            continue
        rep = _char_map(chunk)
        i = start
        if rep == "\x01":
            if not (_is_emoji_selector(chunk, text, i)):
                edits.append((i, i + 1, ""))
        elif rep == _CONTEXTUAL:
            if _confusable_in_latin_word(text, i):
                edits.append((i, i + 1, _CONFUSABLES[chunk]))
        elif rep:
            edits.append((i, i + 1, rep))
    return edits


# --- stage 1b: glued numbers ------------------------------------------------------------

MAX_PIECES = 16
"""Most pieces a glued number is read in (a phone number is at most 15 digits)."""

_GLUED = re.compile(rf"(?<![^\W_])(?:[0-9]++|{GLUE_PATTERN}){{2,{MAX_PIECES}}}(?![^\W_])")
"""A word made only of digit runs and number words. Digit runs are possessive (no
re-splitting on failure) and the piece count is bounded, which bounds the backtracking
over the few words with two readings (``achtzehn`` = ``acht`` + ``zehn``); most words
fail on their first letter, so the scan costs little more than finding word starts."""
_DOLLAR_SEPARATOR = re.compile(r"\$(?<=[0-9]\$)(?=[0-9])")
"""``773$240$1317``: a ``$`` between digits with no space is a separator, not a price
(a price puts its sign before or after the whole amount). The digit before is a
look-behind after the ``$`` so that the pattern starts with the literal, which the
engine finds by a fast string search instead of trying every position."""
_MAX_PIECE = max(map(len, GLUE_WORDS))


def _segment(word: str) -> list[tuple[int, int, str]] | None:
    """Split a folded glued word into pieces ``(start, end, digits)``, preferring long
    words, or ``None`` when it is not made only of digits and number words."""
    n = len(word)
    tail: list[list[tuple[int, int, Kind | None, int, str]] | None] = [None] * (n + 1)
    tail[n] = []
    for i in range(n - 1, -1, -1):
        if word[i].isdigit():
            j = i
            while j < n and word[j].isdigit():
                j += 1
            rest = tail[j]
            if rest is not None and not (rest and rest[0][2] is None):
                tail[i] = [(i, j, None, 0, word[i:j]), *rest]
            continue
        for length in range(min(_MAX_PIECE, n - i), 1, -1):
            info = GLUE_WORDS.get(word[i : i + length])
            rest = tail[i + length]
            if info is not None and rest is not None:
                tail[i] = [(i, i + length, info[0], info[1], word[i : i + length]), *rest]
                break
    pieces = tail[0]
    if pieces is None or len(pieces) < 2:
        return None
    strong = sum(1 for p in pieces if p[2] is None or p[4] in STRONG_GLUE)
    if strong < 2 and all(p[2] is not None for p in pieces):
        return None
    out: list[tuple[int, int, str]] = []
    k = 0
    while k < len(pieces):
        start, end, kind, value, _ = pieces[k]
        if kind is None:
            out.append((start, end, word[start:end]))
        elif kind in (Kind.TENS, Kind.TENS_TEEN) and k + 1 < len(pieces):
            nkind, nvalue = pieces[k + 1][2], pieces[k + 1][3]
            if (nkind is Kind.UNIT and 1 <= nvalue <= 9) or (
                nkind is Kind.TEEN and kind is Kind.TENS_TEEN and nvalue < 20
            ):
                out.append((start, pieces[k + 1][1], str(value + nvalue)))
                k += 2
                continue
            out.append((start, end, str(value)))
        else:
            out.append((start, end, str(value)))
        k += 1
    return out


@dataclass(frozen=True, slots=True)
class _GlueMemo:
    """Letter runs classified so far: whether each splits into glue words (``any``) and
    into two or more (``multi``). A run enters ``seen`` only after ``any``, ``multi`` and
    ``wordish`` have it, so a reader never sees a half-classified run; a full memo is
    replaced, not cleared, so a reader holding the old one stays consistent (threads
    included).

    ``wordish`` is ``any`` with every single number word (:data:`PIECES`): one probe of
    it per run finds the runs both word stages need (:func:`_word_hits`)."""

    seen: set[str] = field(default_factory=set)
    any: set[str] = field(default_factory=set)
    multi: set[str] = field(default_factory=set)
    wordish: set[str] = field(default_factory=lambda: set(PIECES))


_GLUE_MEMO = [_GlueMemo()]
"""The current memo (one item, replaced as a whole)."""
_GLUE_SEEN_MAX = 1 << 17
"""Classified runs kept at most before the memo is replaced by an empty one: bounds the
memory a stream of distinct words can take; classifying again gives the same answer."""
_LONGEST_GLUED_RUN = MAX_PIECES * _MAX_PIECE
"""A glued number is a whole word of at most :data:`MAX_PIECES` pieces, so a longer run
of letters cannot be part of one."""
_GLUE_HEADS = frozenset(word[:2] for word in GLUE_WORDS)
"""The first two letters of every glue word (all have two or more)."""
_LETTERS_AFTER_DIGIT = re.compile(r"[0-9]([^\W\d_]+)")
"""The letter run right after a digit (on the reversed text: the one right before a
digit). Starts with a class, so the engine skips to the digits in C."""
_ASCII_LETTERS_AFTER_DIGIT = re.compile(r"[0-9]([A-Za-z]+)")
"""The same for a text whose letters are all ASCII (a cheaper class)."""
_LETTER_BESIDE_DIGIT = re.compile(r"[0-9](?:[^\W\d_]|(?<=[^\W\d_][0-9]))")
"""A digit with a letter right after or right before it. Without one no letter run
touches a digit, and one scan saves the two that list the runs on either side (three
quarters of the fields that get this far have a digit only beside spaces and signs)."""


def _classify_glue(runs: Iterable[str]) -> _GlueMemo:
    """Classify the runs the memo lacks (into how many glue words each splits, capped at
    two) and return the memo that holds them all."""
    memo = _GLUE_MEMO[0]
    if len(memo.seen) > _GLUE_SEEN_MAX:
        memo = _GLUE_MEMO[0] = _GlueMemo()
    for run in set(runs).difference(memo.seen):
        n = len(run)
        if n <= _LONGEST_GLUED_RUN:
            # can[i]: run[i:] splits into glue words; multi[i]: into two or more.
            can = [False] * n + [True]
            multi = [False] * (n + 1)
            for i in range(n - 1, -1, -1):
                if run[i : i + 2] not in _GLUE_HEADS:
                    continue  # no glue word starts here (most positions)
                for length in range(2, min(_MAX_PIECE, n - i) + 1):
                    j = i + length
                    if can[j] and run[i:j] in GLUE_WORDS:
                        can[i] = True
                        if j < n:
                            multi[i] = True
                            break
            if can[0]:
                memo.any.add(run)
                memo.wordish.add(run)
                if multi[0]:
                    memo.multi.add(run)
        memo.seen.add(run)
    return memo


def _folded(runs: AbstractSet[str]) -> AbstractSet[str]:
    """The runs with their non-ASCII members also folded (ASCII ones already are); the
    set itself, not a copy, when every run is ASCII (most fields, even with emoji)."""
    extra = set(map(fold, filterfalse(str.isascii, runs)))
    return runs | extra if extra else runs


class _WordHits:
    """What the word stages read of one field: its lower case (``low``, as long as the
    field) and letter runs (``found``), the runs that split into glue words (``glue``),
    whether one of those splits into two or more (``multi``), and the single number
    words (``numbers``).

    Found by one probe per distinct run of a set holding both kinds, where each stage
    probing its own vocabulary cost two, and handed on, where each stage looked the
    field up again in the shared caches (a plain class: built natively when compiled).
    """

    __slots__ = ("found", "glue", "low", "multi", "numbers")

    def __init__(
        self,
        low: str,
        found: Letters,
        glue: AbstractSet[str],
        multi: bool,
        numbers: AbstractSet[str],
    ) -> None:
        self.low: Final = low
        self.found: Final = found
        self.glue: Final = glue
        self.multi: Final = multi
        self.numbers: Final = numbers


_FOLDED_BY_TABLE = re.compile(
    "[" + "".join(f"\\U{cp:08x}" for cp in sorted(FOLD_TABLE) if cp >= 0x80) + "]"
)
"""A character that folding changes in lower-cased text (there, ``A-Z`` are gone)."""


def _word_hits(s1: str) -> _WordHits | None:
    """The :class:`_WordHits` of ``s1``, or ``None`` when lower-casing changes its length
    or folding changes one of its letter runs (the stages then work them out
    themselves). Three quarters of the Backpage fields with letters that are not ASCII
    get hits all the same: most of those letters are Greek ones posing as Latin ones,
    which folding leaves as they are.

    Exact: for such a field the folded form of every run is the run itself, so
    :func:`_may_glue` reads the distinct runs as they are and its ``runs & memo.any``
    is ``glue``, and :func:`_number_words_near` reads ``runs & PIECES``, which is
    ``numbers`` (its folded words are then those of ``numbers`` that are not ASCII);
    ``any`` and :data:`PIECES` are inside ``wordish``, of the same memo.
    """
    low = lowered(s1)
    if len(low) != len(s1):
        return None
    found = letters(low)
    if not found.plain and _FOLDED_BY_TABLE.search(low) is not None:
        return None
    runs = found.distinct
    memo = _GLUE_MEMO[0]
    if not runs <= memo.seen:
        memo = _classify_glue(runs)
    hits = runs & memo.wordish
    if not hits:
        return _WordHits(low, found, hits, False, hits)
    glue = hits & memo.any
    return _WordHits(low, found, glue, not glue.isdisjoint(memo.multi), hits & PIECES)


def _may_glue(s1: str, first: int | None = None, hits: _WordHits | None = None) -> bool:
    """Cheap exact pre-check: could :data:`_GLUED` find a word worth rewriting in ``s1``?

    A glued number is a whole word of digit runs and glue words with at least one word
    (else nothing changes) and two pieces, so it has a run of letters that folds to
    glue words and that is either two words or more, or touches a digit. That is decided
    from the field's lower-cased letter runs (shared with the number-word check and the
    place matcher) by set tests against runs classified once per process, which costs a
    fraction of the scan (the scan tries the glue-word trie at every word).

    Exact because lower-casing keeps every character one character, a letter a letter
    and a non-letter a non-letter, and folds every letter of the glue words' classes as
    folding does (checked for every code point; ``ẞ``, the one exception, is not folded
    at all, so a word with it never splits into glue words). A text whose lower case
    changes length (``İ``) takes the scan. ``first`` is :func:`_first_digit` of ``s1``
    and ``hits`` its :func:`_word_hits` when the caller has them.
    """
    if hits is not None:
        low = hits.low
        plain = hits.found.plain
        glue = hits.glue
        if not glue:
            return False
        if hits.multi:
            return True
    else:
        low = lowered(s1)
        if len(low) != len(s1):
            return True
        found = letters(low)
        plain = found.plain
        runs = found.distinct if plain else _folded(found.distinct)
        memo = _GLUE_MEMO[0]
        if not runs <= memo.seen:
            memo = _classify_glue(runs)
        glue = runs & memo.any
        if not glue:
            return False
        if not glue.isdisjoint(memo.multi):
            return True
    if first is None:
        first = _first_digit(s1)
    # Same offsets in ``low`` (same length), and no digit before ``first``.
    if first < 0 or _LETTER_BESIDE_DIGIT.search(low, first) is None:
        return False
    after = _ASCII_LETTERS_AFTER_DIGIT if plain else _LETTERS_AFTER_DIGIT
    if not glue.isdisjoint(_folded(set(after.findall(low, first)))):
        return True
    before = {run[::-1] for run in after.findall(low[::-1])}
    return not glue.isdisjoint(_folded(before))


def _glued_word_edits(s1: str) -> list[Edit]:
    """The edits of every glued number in ``s1``, found by the full :data:`_GLUED` scan
    (no pre-check)."""
    edits: list[Edit] = []
    for m in _GLUED.finditer(s1):
        pieces = _segment(fold(m.group()))
        if pieces is None:
            continue
        base = m.start()
        for start, end, digits in pieces:
            if s1[base + start : base + end] != digits:
                edits.append((base + start, base + end, digits))
    return edits


def _glue_edits(s1: str, first: int | None = None, hits: _WordHits | None = None) -> list[Edit]:
    """Glued numbers (``6seven8``, ``3tothree``, ``twotwoeight``) become digits, piece by
    piece, so each digit still maps to the word it was written as; ``$`` between digits
    becomes a space."""
    edits = _glued_word_edits(s1) if _may_glue(s1, first, hits) else []
    if "$" in s1:
        edits.extend((m.start(), m.end(), " ") for m in _DOLLAR_SEPARATOR.finditer(s1))
        edits.sort()
    return edits


# --- stage 2: numeric runs -------------------------------------------------------------

_L = r"[^\W\d_]"  # a letter


def _word(pattern: str) -> str:
    """A number word (``pattern``, a trie of forms) standing as a whole word."""
    return rf"(?<!{_L})(?:{pattern})(?!{_L})"


_WORD = _word(WORD_PATTERN)
_LOOK = rf"(?<!{_L})[OoIl|]{{1,4}}(?!{_L})"
_CONJ = rf"(?<!{_L})(?:[yY]|[eE][tT]?|[uU][nN][dD])(?!{_L})"
_GAPCH = r"(?:[\s\-.,/*~_:;()\[\]{}=<>!?'\"^]|[^\x00-\x7f\w€£¥₹¢][\ufe00-\ufe0f]?)"
"""A separator character; a variation selector kept after an emoji belongs to it, so gap
lengths count as if it had been dropped (see :func:`_is_emoji_selector`)."""
_GAP = rf"(?:{_GAPCH}{{1,8}}|{_GAPCH}{{0,3}}{_CONJ}{_GAPCH}{{0,3}})"
_PLAIN = re.compile(r"[0-9 .\-/()]*")
"""A run made of digits and matcher-friendly separators only: nothing to rewrite."""
_LOOK_DIGIT = {"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"}
_BENIGN_GAP = re.compile(r"[ .\-/()]{1,5}")


def _run_pattern(digits: bool, words: bool, vocabulary: AbstractSet[str] | None) -> re.Pattern[str]:
    """Runs of at least :data:`MIN_TOKENS` tokens: digits, number words when ``words``,
    look-alikes when ``digits``; ``words`` also lets a conjunction join two tokens.

    ``vocabulary`` lists the number-word forms the word alternative tries: ``None`` for
    all of :data:`~tracelight.extract.numberwords.WORDS`, or only those a text can hold
    (:func:`_vocabulary`; none at all for a text without number words): the same runs,
    with the trie tried at far fewer letters, or nowhere.

    The first token is written as a character class of every character a token may
    start with, then the alternatives reading that character through look-behinds
    (``(?<!L.)`` is the ``(?<!L)`` before it): same matches, tried in the same order,
    but the pattern starts with a class, so the engine skips in C to the next such
    character instead of trying every position (a fifth of the scan's time). The word
    and the look-alike share that ``(?<!L.)``, tested once, which rejects a letter
    inside a word sooner (no number word is made of look-alikes only, so at most one of
    the two can match at a position and their order cannot change a result).
    """
    first = "0-9"
    starts_word: list[str] = []  # the alternatives that need no letter before them
    alts = ["[0-9]"]
    if words and (vocabulary is None or vocabulary):
        if vocabulary is None:
            word, word_first, word_after_first = _WORD, WORD_FIRST, WORD_AFTER_FIRST
        else:
            word = _word(trie_pattern(vocabulary))
            word_first, word_after_first = trie_after_first(vocabulary)
        first += word_first
        starts_word.append(f"{word_after_first}(?!{_L})")
        alts.append(word)
    if digits:
        first += "OoIl|"
        starts_word.append(rf"(?<=[OoIl|])[OoIl|]{{0,3}}(?!{_L})")
        alts.append(_LOOK)
    reads = ["(?<=[0-9])"]
    if starts_word:
        reads.append(rf"(?<!{_L}[\s\S])(?:" + "|".join(starts_word) + ")")
    lead = f"[{first}](?:" + "|".join(reads) + ")"
    token = "(?:" + "|".join(alts) + ")"
    gap = _GAP if words else f"{_GAPCH}{{1,8}}"
    return re.compile(rf"{lead}(?:{gap}?{token}){{{MIN_TOKENS - 1},}}")


@functools.lru_cache(maxsize=4)
def _patterns(digits: bool, words: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(run finder, token splitter) for the enabled token kinds."""
    tok = ["(?P<d>[0-9]+)"]
    if words:
        tok.append(f"(?P<w>{_WORD})")
        tok.append(f"(?P<c>{_CONJ})")
    if digits:
        tok.append(f"(?P<k>{_LOOK})")
    return _run_pattern(digits, words, None), re.compile("|".join(tok))


def _forms_by_piece() -> dict[str, list[tuple[str, frozenset[str]]]]:
    """Each single word of :data:`~tracelight.extract.numberwords.PIECES` -> the
    number-word forms it is part of, each with all its single words."""
    table: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for form in WORDS:
        pieces = frozenset(form.replace("-", " ").split())
        for piece in pieces:
            table.setdefault(piece, []).append((form, pieces))
    return table


_FORMS_BY_PIECE = _forms_by_piece()


def _vocabulary(found: Letters) -> frozenset[str]:
    """The number-word forms whose every single word is one of the field's letter runs
    ``found`` (of the lower-cased field), folded.

    A form matches only as a whole word (no letter before or after it), so each of its
    single words is then a whole letter run of the text. Lower-cased, which keeps every
    run where it is when it keeps the length (the caller checks), and folded, that run
    is the form's word: every character the word pattern reads as a letter folds to it
    (checked for every code point in the tests). So a form left out here matches nowhere
    in the text, and a pattern over the forms kept finds the same runs: its trie tries
    them in the same order as the full one.
    """
    present = set(found.distinct.intersection(PIECES))
    if not found.plain:
        folded = map(fold, filterfalse(str.isascii, found.distinct))
        present.update(piece for piece in folded if piece in PIECES)
    vocabulary: set[str] = set()
    for piece in present:
        for form, pieces in _FORMS_BY_PIECE[piece]:
            if pieces <= present:
                vocabulary.add(form)
    return frozenset(vocabulary)


@functools.lru_cache(maxsize=256)
def _vocabulary_runs(digits: bool, vocabulary: frozenset[str]) -> re.Pattern[str]:
    """:func:`_run_pattern` of the words in ``vocabulary`` (kept: a corpus holds few
    distinct sets, most of them one to three words)."""
    return _run_pattern(digits, True, vocabulary)


_GAPCH_FEWEST = r"(?:[^\x00-\x7f\w€£¥₹¢][\ufe00-\ufe0f]?|[\s\-.,/*~_:;()\[\]{}=<>!?'\"^])"
""":data:`_GAPCH` with its alternatives swapped: a non-ASCII separator (some are also
``\\s``) takes the variation selector after it, so taking units left to right, with no
going back, spends the fewest of the eight a gap may have."""
_DIGIT_RUN = re.compile(rf"[0-9](?:{_GAPCH_FEWEST}{{0,8}}+[0-9]){{{MIN_DIGITS - 1},}}")
"""Digits-only runs: all most posts need (separator clean-up), found by a pattern that
starts with a digit so the regex engine skips ahead without trying each letter.

The gap is possessive: separators and digits are disjoint, so giving separators back
can only leave a separator where the digit must be, and the fewest units (above) cover
the most separators, so the runs are those of ``(?:{_GAPCH}{0,8}[0-9])``, found with no
backtracking (a sixth of the scan)."""
_LOOK_NEAR_DIGIT = re.compile(r"[0-9](?:[OoIl|]|(?<=[OoIl|][0-9]))")
"""A look-alike right after or right before a digit. Written to start with the digit
(the look-alike before it is a look-behind) so that the regex engine skips to digits in
C: a pattern that starts with an alternation tries every position of the text."""
_ANY_DIGIT = re.compile(r"[0-9]")


def _first_digit(text: str) -> int:
    """Offset of the first ASCII digit of ``text``, ``-1`` for none.

    Found once per text: the scans that start with a digit (look-alikes, digit runs,
    letters beside a digit) then start there, and are skipped in a text with none.
    Exact, since a match of those patterns starts at a digit, and a look-behind still
    reads the text before the start position.
    """
    m = _ANY_DIGIT.search(text)
    return -1 if m is None else m.start()


def _number_words_near(text: str, first: int | None = None, hits: _WordHits | None = None) -> bool:
    """Cheap pre-check: could a numeric run with number words exist here?

    Splitting into words and testing set membership runs in C; the full run pattern
    (number-word trie at every letter) is several times slower, so it only runs when a
    number word is present with a digit or two more number words. ``hits`` is the
    :func:`_word_hits` of ``text`` when the caller has it.
    """
    found = letters(lowered(text)) if hits is None else hits.found
    runs = found.distinct
    # The distinct runs (shared, cached) against the vocabulary in C-level set
    # operations; occurrences are only counted when they decide. ``count`` counts a run
    # once for itself and, when it is not ASCII, once more for its folded form.
    if hits is None:
        words: AbstractSet[str] = runs.intersection(PIECES)
        folded_words = (
            []
            if found.plain
            else [run for run in filterfalse(str.isascii, runs) if fold(run) in PIECES]
        )
    else:
        # Every run is its own folded form (see :func:`_word_hits`).
        words = hits.numbers
        folded_words = [] if found.plain else list(filterfalse(str.isascii, words))
    if not words and not folded_words:
        return False
    if (_first_digit(text) if first is None else first) >= 0:
        return True
    every = found.runs
    count = sum(map(every.count, words)) + sum(map(every.count, folded_words))
    return count >= MIN_TOKENS


_COMPOSITE_GAP = re.compile(r"[ \-]{0,3}")


class _Tok:
    """One numeric token of a run (a plain class: built natively when compiled, see
    :class:`Normalized`)."""

    __slots__ = ("digits", "end", "kind", "start")

    def __init__(self, kind: str, start: int, end: int, digits: str | None) -> None:
        self.kind = kind  # d digits, w number word, c conjunction, k look-alike
        self.start = start
        self.end = end
        self.digits = digits  # the replacement digits; None: not numeric here (a blocker)


def _tokens(s1: str, start: int, end: int, splitter: re.Pattern[str]) -> list[_Tok]:
    """Numeric tokens of one run, with composites and ``double``/``triple`` resolved."""
    raw: list[_Tok] = []
    meta: list[tuple[Kind, int] | None] = []
    for m in splitter.finditer(s1, start, end):
        kind = m.lastgroup or "d"
        if kind == "d":
            raw.append(_Tok("d", m.start(), m.end(), m.group()))
            meta.append(None)
        elif kind == "w":
            # ``.get``: the word pattern matches a capital ``ẞ`` where a form has ``ß``,
            # which folding leaves as it is; such a word is then no number (a blocker).
            raw.append(_Tok("w", m.start(), m.end(), None))
            meta.append(WORDS.get(fold(m.group())))
        else:
            raw.append(_Tok(kind, m.start(), m.end(), None))
            meta.append(None)
    out: list[_Tok] = []
    i = 0
    n = len(raw)
    while i < n:
        tok, info = raw[i], meta[i]
        if tok.kind == "w" and info is not None:
            k, v = info
            if k in (Kind.TENS, Kind.TENS_TEEN):
                j = _composite_tail(s1, raw, meta, i, k)
                if j is not None:
                    tail = meta[j]
                    assert tail is not None
                    out.append(_Tok("w", tok.start, raw[j].end, str(v + tail[1])))
                    i = j + 1
                    continue
                tok.digits = str(v)
            elif k is Kind.MULT:
                if i + 1 < n and _COMPOSITE_GAP.fullmatch(s1, tok.end, raw[i + 1].start):
                    nxt, ninfo = raw[i + 1], meta[i + 1]
                    digit = None
                    if nxt.kind == "d" and nxt.digits is not None and len(nxt.digits) == 1:
                        digit = nxt.digits
                    elif ninfo is not None and ninfo[0] is Kind.UNIT:
                        digit = str(ninfo[1])
                    if digit is not None:
                        out.append(_Tok("w", tok.start, nxt.end, digit * v))
                        i += 2
                        continue
            else:
                tok.digits = str(v)
        out.append(tok)
        i += 1
    for idx, tok in enumerate(out):
        if tok.kind == "k":
            written = s1[tok.start : tok.end]
            touches = (idx > 0 and out[idx - 1].kind == "d" and out[idx - 1].end == tok.start) or (
                idx + 1 < len(out) and out[idx + 1].kind == "d" and out[idx + 1].start == tok.end
            )
            if touches:
                tok.digits = "".join(_LOOK_DIGIT[c] for c in written)
    return out


def _composite_tail(
    s1: str, raw: list[_Tok], meta: list[tuple[Kind, int] | None], i: int, k: Kind
) -> int | None:
    """Index of the unit (or teen) that completes the tens word ``raw[i]``, if any."""
    j = i + 1
    if j >= len(raw) or not _COMPOSITE_GAP.fullmatch(s1, raw[i].end, raw[j].start):
        return None
    if raw[j].kind == "c":
        j += 1
        if j >= len(raw) or not _COMPOSITE_GAP.fullmatch(s1, raw[j - 1].end, raw[j].start):
            return None
    info = meta[j]
    if info is None:
        return None
    tk, tv = info
    if tk is Kind.UNIT and 1 <= tv <= 9:
        return j
    if tk is Kind.TEEN and k is Kind.TENS_TEEN and 10 <= tv <= 19:
        return j
    return None


def _segment_edits(s1: str, seg: list[_Tok]) -> list[Edit]:
    edits: list[Edit] = []
    prev: _Tok | None = None
    for tok in seg:
        if prev is not None and prev.end < tok.start:
            gap = s1[prev.end : tok.start]
            keep = _BENIGN_GAP.fullmatch(gap) is not None or (
                gap == "," and prev.kind == "d" and tok.kind == "d"
            )
            if not keep:
                edits.append((prev.end, tok.start, " "))
        assert tok.digits is not None
        if s1[tok.start : tok.end] != tok.digits:
            edits.append((tok.start, tok.end, tok.digits))
        prev = tok
    return edits


def _run_edits(
    s1: str, digits: bool, words: bool, first: int | None = None, hits: _WordHits | None = None
) -> list[Edit]:
    run, splitter = _patterns(digits, words)
    if first is None:
        first = _first_digit(s1)
    pos = 0
    if not (words and _number_words_near(s1, first, hits)):
        if first < 0 or not (digits and _LOOK_NEAR_DIGIT.search(s1, first)):
            if not digits or first < 0:
                return []
            run = _DIGIT_RUN
            pos = first  # its runs start with a digit
        elif words and (hits is not None or len(lowered(s1)) == len(s1)):
            # No number word, and a digit (beside the look-alike): the check above saw
            # every letter run, which holds as it is written when lower-casing keeps the
            # length, so the word alternative cannot match anywhere.
            run = _vocabulary_runs(digits, frozenset())
    elif hits is not None:
        # Number words: the trie is tried only for the forms the field can hold.
        run = _vocabulary_runs(digits, _vocabulary(hits.found))
    elif len(lowered(s1)) == len(s1):
        run = _vocabulary_runs(digits, _vocabulary(letters(lowered(s1))))
    edits: list[Edit] = []
    for m in run.finditer(s1, pos):
        if _PLAIN.fullmatch(s1, m.start(), m.end()):
            continue
        seg: list[_Tok] = []
        for tok in [*_tokens(s1, m.start(), m.end(), splitter), None]:
            if tok is not None and tok.digits is not None:
                seg.append(tok)
                continue
            if len(seg) >= MIN_TOKENS and sum(len(t.digits or "") for t in seg) >= MIN_DIGITS:
                edits.extend(_segment_edits(s1, seg))
            seg = []
    return edits


def normalize(text: str, *, digits: bool = True, words: bool = True) -> Normalized:
    """Normalise ``text`` for matching (see the module docstring for the rules).

    ``digits`` enables look-alike letters and separator clean-up in numeric runs,
    ``words`` number words; the character stage always runs. Never raises on a ``str``.
    Time is linear in the input: all regex quantifiers are bounded or possessive in
    effect (a run cannot fail after its first tokens), and per-character Python work is
    only done for non-ASCII characters.
    """
    base = identity(text)
    if not text.isascii():
        base = _compose(base, _char_edits(text))
    first = _first_digit(base.text)
    hits = None
    if words:
        hits = _word_hits(base.text)
        glued = _compose(base, _glue_edits(base.text, first, hits))
        if glued is not base:  # words became digits, maybe before the first one
            base = glued
            first = _first_digit(base.text)
            hits = None  # of the text before
    if digits or words:
        base = _compose(base, _run_edits(base.text, digits, words, first, hits))
    return base


# --- e-mail disguises ------------------------------------------------------------------

_AT = r"(?:at|arroba|arobase)"
_DOT = r"(?:dot|punto|point|ponto|punkt)"
_LOCAL = r"[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_BRACKETED = r"\s{0,3}[\[({<]\s{0,2}%s\s{0,2}[\])}>]\s{0,3}"
_EMAIL_TOKENS = re.compile(
    rf"(?i)(?P<at>{_BRACKETED % _AT})"
    rf"|(?P<dot>{_BRACKETED % _DOT})"
    rf"|(?<=[A-Za-z0-9])(?P<sat>\s{{1,3}}{_AT}\s{{1,3}})(?=(?:{_LABEL}\s{{0,3}}(?:\.|[\[({{<]?\s{{0,2}}{_DOT}\s{{0,2}}[\])}}>]?)\s{{0,3}}){{1,4}}[A-Za-z]{{2,24}}(?![\w-]))"
    rf"|(?<=[A-Za-z0-9])(?P<sdot>\s{{1,3}}{_DOT}\s{{1,3}})(?=[A-Za-z]{{2,24}}(?![\w-]))"
)
_HAS_AT = re.compile(rf"(?i)@|{_AT}")


def normalize_email_tokens(norm: Normalized) -> Normalized:
    """``name [at] gmail [dot] com`` -> ``name@gmail.com``, mapped through ``norm``.

    Opt-in, for the e-mail extractor: bracketed ``[at]``/``(dot)`` (and ``arroba``,
    ``punto``, ``point``, ``ponto``, ``punkt``) always; a bare `` at `` only between a
    local part and something shaped like a domain (``label dot tld``); a bare `` dot ``
    only between a word and a TLD-like word. Outside an address these words are prose,
    so the e-mail regex still needs an ``@`` with a domain around it to report anything.
    """
    text = norm.text
    if not _HAS_AT.search(text):
        return norm
    edits: list[Edit] = []
    for m in _EMAIL_TOKENS.finditer(text):
        rep = "@" if (m.lastgroup or "").endswith("at") else "."
        edits.append((m.start(), m.end(), rep))
    return _compose(norm, edits)


__all__ = [
    "MIN_DIGITS",
    "MIN_TOKENS",
    "Normalized",
    "identity",
    "normalize",
    "normalize_email_tokens",
]
