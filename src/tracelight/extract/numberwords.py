"""Spelled-out numbers 0-99 in English, Spanish, French, Portuguese and German.

Ads disguise phone numbers as words (``four one five``, ``cuatro uno cinco``,
``quatre-vingt-dix-neuf``) so that naive digit scanners miss them. This module only
holds the vocabulary and builds one regular expression for it; deciding *when* a word
is a number (numeric context) is :mod:`tracelight.extract.normalize`'s job.

All forms are stored *folded*: lower case, accents stripped (``três`` -> ``tres``),
``ß`` kept (with an ``ss`` spelling added), because matching runs on a folded copy of
the text of the same length, so offsets carry over unchanged.

Each form has a :class:`Kind`, which drives how adjacent words compose:

* ``UNIT`` 0-9: stands alone as one digit, or ends a composite (``twenty`` + ``three``).
* ``TEEN`` 10-19 and single-word composites (``veintitres``, ``dreiundzwanzig``): two
  digits, complete in themselves.
* ``TENS`` 20, 30 ... 90: may be followed by a unit (``twenty-three``, ``treinta y
  cuatro``, ``vinte e tres``, ``vingt et un``); alone it is two digits (``20``).
* ``TENS_TEEN`` French 60 and 80 (``soixante``, ``quatre-vingt``): may be followed by a
  unit *or* a teen (``soixante-dix-huit`` = 60 + 18, ``quatre-vingt-onze`` = 80 + 11).
* ``MULT`` ``double``/``triple`` (English): repeats the next digit.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable


class Kind(enum.IntEnum):
    UNIT = 0
    TEEN = 1
    TENS = 2
    TENS_TEEN = 3
    MULT = 4


_UNITS: dict[int, tuple[str, ...]] = {
    0: ("zero", "oh", "cero", "zéro", "null", "nul"),
    1: ("one", "uno", "una", "un", "une", "um", "uma", "eins", "ein", "eine"),
    2: ("two", "dos", "deux", "dois", "duas", "zwei", "zwo"),
    3: ("three", "tres", "trois", "drei"),
    4: ("four", "cuatro", "quatre", "quatro", "vier"),
    5: ("five", "cinco", "cinq", "fünf", "fuenf"),
    6: ("six", "seis", "sechs"),
    7: ("seven", "siete", "sept", "sete", "sieben"),
    8: ("eight", "ocho", "huit", "oito", "acht"),
    9: ("nine", "nueve", "neuf", "nove", "neun"),
}

_TEENS: dict[int, tuple[str, ...]] = {
    10: ("ten", "diez", "dix", "dez", "zehn"),
    11: ("eleven", "once", "onze", "elf"),
    12: ("twelve", "doce", "douze", "doze", "zwölf", "zwoelf"),
    13: ("thirteen", "trece", "treize", "treze", "dreizehn"),
    14: ("fourteen", "catorce", "quatorze", "catorze", "vierzehn"),
    15: ("fifteen", "quince", "quinze", "fünfzehn", "fuenfzehn"),
    16: ("sixteen", "dieciséis", "seize", "dezesseis", "dezasseis", "sechzehn"),
    17: ("seventeen", "diecisiete", "dix-sept", "dezessete", "dezassete", "siebzehn"),
    18: ("eighteen", "dieciocho", "dix-huit", "dezoito", "achtzehn"),
    19: ("nineteen", "diecinueve", "dix-neuf", "dezenove", "dezanove", "neunzehn"),
}

_TENS: dict[int, tuple[str, ...]] = {
    20: ("twenty", "veinte", "vingt", "vinte", "zwanzig"),
    30: ("thirty", "treinta", "trente", "trinta", "dreißig"),
    40: ("forty", "fourty", "cuarenta", "quarante", "quarenta", "vierzig"),
    50: ("fifty", "cincuenta", "cinquante", "cinquenta", "fünfzig", "fuenfzig"),
    60: ("sixty", "sesenta", "sessenta", "sechzig"),
    70: ("seventy", "setenta", "septante", "soixante-dix", "siebzig"),
    80: ("eighty", "ochenta", "oitenta", "huitante", "octante", "achtzig"),
    90: ("ninety", "noventa", "nonante", "quatre-vingt-dix", "quatre-vingts-dix", "neunzig"),
}

_TENS_TEEN: dict[int, tuple[str, ...]] = {
    60: ("soixante",),
    80: ("quatre-vingt", "quatre-vingts"),
}

_MULT: dict[int, tuple[str, ...]] = {2: ("double",), 3: ("triple",)}

CONJUNCTIONS = ("y", "e", "et", "und")
"""Words that may join tens and units inside one composite (es, pt, fr, de as a word)."""


def fold(word: str) -> str:
    """Lower-case and strip accents exactly as :data:`FOLD_TABLE` does to text."""
    return word.translate(FOLD_TABLE)


def _fold_table() -> dict[int, str]:
    """One-to-one code point map (so the folded text has the same offsets)."""
    import unicodedata

    table: dict[int, str] = {}
    for cp in range(0x41, 0x5B):
        table[cp] = chr(cp + 32)
    for cp in range(0xC0, 0x250):
        ch = chr(cp)
        if ch == "ß":
            continue
        base = unicodedata.normalize("NFD", ch)[0].lower()
        if len(base) == 1 and base.isascii() and base.isalpha():
            table[cp] = base
    return table


FOLD_TABLE: dict[int, str] = _fold_table()


def _spellings(word: str) -> Iterable[str]:
    """A word's accepted spellings: hyphens as hyphen, space or nothing; ß or ss."""
    base = fold(word)
    forms = {base, base.replace("-", " "), base.replace("-", "")}
    forms |= {f.replace("ß", "ss") for f in forms}
    return forms


def _german_composites() -> dict[str, int]:
    """``einundzwanzig`` ... ``neunundneunzig`` as single words (with common misspellings).

    ``vierundreißig`` (one ``d``) is a common slip for ``vierunddreißig``: accepted.
    """
    units = {1: ("ein",), 2: ("zwei", "zwo"), 3: ("drei",), 4: ("vier",), 5: ("fünf", "fuenf")}
    units |= {6: ("sechs",), 7: ("sieben",), 8: ("acht",), 9: ("neun",)}
    tens = {20: ("zwanzig",), 30: ("dreißig",), 40: ("vierzig",), 50: ("fünfzig", "fuenfzig")}
    tens |= {60: ("sechzig",), 70: ("siebzig",), 80: ("achtzig",), 90: ("neunzig",)}
    out: dict[str, int] = {}
    for u, uwords in units.items():
        for t, twords in tens.items():
            for uw in uwords:
                for tw in twords:
                    for joined in (f"{uw}und{tw}", f"{uw}und{tw[1:]}" if tw[0] == "d" else ""):
                        if joined:
                            for form in _spellings(joined):
                                out[form] = t + u
    return out


def _spanish_veinti() -> dict[str, int]:
    """``veintiuno`` ... ``veintinueve`` (single words, with or without the accent)."""
    units = ("uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")
    out = {f"veinti{w}": 21 + i for i, w in enumerate(units)}
    out["veintiun"] = 21
    out["veintiuna"] = 21
    return out


def _build() -> dict[str, tuple[Kind, int]]:
    forms: dict[str, tuple[Kind, int]] = {}
    groups = (
        (Kind.UNIT, _UNITS),
        (Kind.TEEN, _TEENS),
        (Kind.TENS, _TENS),
        (Kind.TENS_TEEN, _TENS_TEEN),
        (Kind.MULT, _MULT),
    )
    for kind, table in groups:
        for value, words in table.items():
            for word in words:
                for form in _spellings(word):
                    forms[form] = (kind, value)
    for extra in (_german_composites(), _spanish_veinti()):
        for form, value in extra.items():
            forms[form] = (Kind.TEEN, value)
    return forms


WORDS: dict[str, tuple[Kind, int]] = _build()
"""Folded spelling -> (kind, value)."""


def _letter_class(ch: str) -> str:
    """A folded letter as a class of every character that folds to it (any case, accent),
    so the text itself can be matched without building a folded copy of it."""
    if ch == "ß":
        return "[ßẞ]"
    variants = [chr(cp) for cp, to in FOLD_TABLE.items() if to == ch]
    if not variants and not ch.isalpha():
        return re.escape(ch)
    return "[" + re.escape(ch) + "".join(variants) + "]"


def trie_pattern(words: Iterable[str]) -> str:
    """A regex alternation shaped as a trie, so matching fails on the first wrong letter.

    A flat alternation of ~500 words would try every branch at every position; the
    trie tries one branch per letter. Greedy optional tails make it prefer the longest
    form (``quatre-vingt-dix`` over ``quatre-vingt`` over ``quatre``), and the caller's
    end-of-word check backtracks to a shorter form when the longer one ends mid-word.
    """
    trie: dict[str, object] = {}
    for word in words:
        node: dict[str, object] = trie
        for ch in word:
            node = node.setdefault(ch, {})  # type: ignore[assignment]
        node[""] = {}

    def emit(node: dict[str, object]) -> str:
        branches = []
        terminal = False
        for ch in sorted(node):
            if ch == "":
                terminal = True
                continue
            child = node[ch]
            assert isinstance(child, dict)
            branches.append(_letter_class(ch) + emit(child))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if terminal else body

    return emit(trie)


def trie_after_first(words: Iterable[str]) -> tuple[str, str]:
    """``(first, pattern)`` for a match of :func:`trie_pattern` whose first letter has
    already been consumed: ``first`` lists every character a word may start with (the
    inside of a character class, escaped), and ``pattern``, tried right after such a
    character, matches the rest of a word, reading which letter it was through a
    look-behind.

    ``[first]`` followed by ``pattern`` matches exactly what the trie matches, trying
    the same branches in the same order (the first-letter classes are disjoint, so one
    look-behind holds). It lets a pattern that may start with a number word start with a
    character class, which the regex engine skips to in C instead of trying the trie at
    every position of the text.
    """
    rests: dict[str, list[str]] = {}
    for word in words:
        rests.setdefault(word[0], []).append(word[1:])
    first: list[str] = []
    branches: list[str] = []
    for ch in sorted(rests):
        cls = _letter_class(ch)
        first.append(re.escape(ch))
        first.extend(re.escape(chr(cp)) for cp, to in FOLD_TABLE.items() if to == ch)
        if ch == "ß":
            first.append("ẞ")
        branches.append(f"(?<={cls}){trie_pattern(rests[ch])}")
    return "".join(first), "(?:" + "|".join(branches) + ")"


PIECES: frozenset[str] = frozenset(
    piece for form in WORDS for piece in form.replace("-", " ").split(" ") if piece
)
"""Every folded single word that occurs in a number form (for a cheap pre-check)."""

WORD_PATTERN: str = trie_pattern(WORDS)
"""Regex source (no anchors) matching any folded number word."""

WORD_FIRST, WORD_AFTER_FIRST = trie_after_first(WORDS)
""":data:`WORD_PATTERN` split after its first character (see :func:`trie_after_first`)."""

HOMOPHONES: dict[str, tuple[Kind, int]] = {
    "to": (Kind.UNIT, 2),
    "too": (Kind.UNIT, 2),
    "for": (Kind.UNIT, 4),
    "fore": (Kind.UNIT, 4),
    "won": (Kind.UNIT, 1),
    "ate": (Kind.UNIT, 8),
}
"""English words ads glue into numbers for their sound (``3tothree``, ``for80``). Only
ever read inside a glued word that also holds digits or number words: as words of their
own they are prose."""

_NOT_GLUED = frozenset({"un", "um", "une", "una", "ein", "eine", "oh", "nul", "null", "double"})
"""Number words too short or too common inside other words to be read when glued
(``unum``, ``einfach``...); as separate words they still count."""

GLUE_WORDS: dict[str, tuple[Kind, int]] = {
    **{
        form: kv
        for form, kv in WORDS.items()
        if " " not in form
        and "-" not in form
        and len(form) >= 3
        and form not in _NOT_GLUED
        and kv[0] is not Kind.MULT
    },
    **HOMOPHONES,
}
"""Folded forms that may be glued together or to digits (``twotwoeight``, ``6seven8``)."""

STRONG_GLUE = frozenset(form for form in GLUE_WORDS if form not in HOMOPHONES)
"""Glued pieces that are number words in their own right."""

GLUE_PATTERN: str = trie_pattern(GLUE_WORDS)
"""Regex source matching one glued piece that is a word."""

__all__ = [
    "CONJUNCTIONS",
    "FOLD_TABLE",
    "GLUE_PATTERN",
    "GLUE_WORDS",
    "HOMOPHONES",
    "PIECES",
    "STRONG_GLUE",
    "WORDS",
    "WORD_AFTER_FIRST",
    "WORD_FIRST",
    "WORD_PATTERN",
    "Kind",
    "fold",
    "trie_after_first",
    "trie_pattern",
]
