"""Letter runs of a lower-cased field, computed once for the extractors that read words.

The phone normaliser (glued numbers, number words), the place, name, handle, age and
e-mail matchers all split the lower-cased field into runs of letters; on most fields
they split the very same string, and the split is one of the costlier C calls per field.
A small cache keyed by the string lets the later readers reuse the first one's list, and
the set of its distinct runs, which turns "is any of these words in that vocabulary"
into one C-level set test. It holds :data:`FIELDS_KEPT` fields: ``extract_batch`` runs
the extractors over chunks of posts with no more fields than that, so every extractor
of a chunk finds them here.
"""

from __future__ import annotations

import functools
import re
from typing import Final

LETTER_RUN = re.compile(r"[^\W\d_]+")
"""A run of letters (no digits, no underscore)."""


_ASCII_LETTERS_ONLY = bytes(
    byte if chr(byte).isascii() and chr(byte).isalpha() else ord(" ") for byte in range(256)
)
"""``bytes.translate`` table keeping the ASCII letters and turning every other byte into
a space."""
_NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")
"""A character :data:`LETTER_RUN` takes that is not ASCII (a letter, or a number such as
``²``). Ads with emoji and typographic quotes usually have none."""

FIELDS_KEPT = 64
"""Fields whose lower case and letter runs are kept: ``extract_batch`` reads chunks of
half as many posts. Measured against 32 (compiled, the two builds run concurrently so
that both see the same machine): 3-5% more posts/s, from each extractor running over
more fields before the next one evicts its tables from the processor's caches; 128
gained nothing more."""

LONGEST_KEPT = 1 << 16
"""Longest field (in characters) whose lower case and letter runs are kept. A longer one
(no ad is that long; a hostile or broken post may be megabytes) is worked out again by
each reader, so that what the caches hold stays bounded however large the posts."""


def lowered(text: str) -> str:
    """``text.lower()``, shared: most extractors lower the same field, and a cached copy
    also saves hashing a new string of the field's length for each cache below."""
    return text.lower() if len(text) > LONGEST_KEPT else _lowered_kept(text)


@functools.lru_cache(maxsize=FIELDS_KEPT)
def _lowered_kept(text: str) -> str:
    return text.lower()


class Letters:
    """What the word readers need of one lower-cased field, computed together.

    A plain class with ``Final`` attributes: compiled, it is built natively, where a
    named tuple would run its generated ``__new__`` in the interpreter.
    """

    __slots__ = ("distinct", "plain", "runs")

    def __init__(self, plain: bool, runs: list[str], distinct: frozenset[str]) -> None:
        self.plain: Final = plain
        """Every character :data:`LETTER_RUN` takes is ASCII (so every run is ASCII,
        and ``[A-Za-z]`` finds the same runs)."""
        self.runs: Final = runs
        """``LETTER_RUN.findall(low)``; callers must not modify the list."""
        self.distinct: Final = distinct
        """The distinct runs."""


def letters(low: str) -> Letters:
    """The letter runs of ``low``, shared.

    One cache entry for the three, not a cache each: readers ask for them in different
    orders, and with separate least-recently-used caches a hit in one does not refresh
    the others, so a chunk's fields pushed each other out of the cache of runs (1.7
    splits per field, measured) while the set's cache still held them.
    """
    return _split(low) if len(low) > LONGEST_KEPT else _letters_kept(low)


@functools.lru_cache(maxsize=FIELDS_KEPT)
def _letters_kept(low: str) -> Letters:
    return _split(low)


def _split(low: str) -> Letters:
    plain = low.isascii() or _NON_ASCII_LETTER.search(low) is None
    runs = _plain_runs(low) if plain else LETTER_RUN.findall(low)
    return Letters(plain, runs, frozenset(runs))


def _plain_runs(low: str) -> list[str]:
    """``LETTER_RUN.findall(low)`` for a text whose letter runs are all ASCII.

    Every character the pattern takes is then an ASCII letter. ASCII encoding turns each
    other character into one ``?``, the table every byte but a letter into a space, and
    splitting on spaces leaves the runs of ASCII letters, in order: the same list, built
    by three passes in C and a split, where the regex engine makes one match object per
    run (3.5 against 7.9 us per Backpage post, most of whose fields are wide strings
    with emoji and all-ASCII words).
    """
    return low.encode("ascii", "replace").translate(_ASCII_LETTERS_ONLY).decode("ascii").split()


def ascii_letters(low: str) -> bool:
    """Whether every letter run of ``low`` is ASCII (see :attr:`Letters.plain`)."""
    return letters(low).plain


def letter_runs(low: str) -> list[str]:
    """``LETTER_RUN.findall(low)``, shared: callers must not modify the list."""
    return letters(low).runs


def letter_set(low: str) -> frozenset[str]:
    """The distinct runs of :func:`letter_runs`, shared the same way."""
    return letters(low).distinct


__all__ = [
    "FIELDS_KEPT",
    "LETTER_RUN",
    "LONGEST_KEPT",
    "Letters",
    "ascii_letters",
    "letter_runs",
    "letter_set",
    "letters",
    "lowered",
]
