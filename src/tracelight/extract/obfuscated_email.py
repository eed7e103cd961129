"""E-mail addresses written to dodge scrapers: ``name [at] gmail [dot] com`` and kin.

``email.py`` reads the plain form; this reader only emits when the written text is
*not* a plain address, so the two never produce the same mention under two methods.

How a candidate is found: every "at" marker (``@``/``＠`` with spaces around, a
bracketed ``[at]``/``(@)``/``{arroba}``, or a spelled-out ``at``/``arroba``/``arobase``/
``ät`` between spaces) anchors a match; the domain is read forward label by label
through "dot" markers (``.``/``．``/``。``, ``[dot]``, ``(.)``, spelled-out
``dot``/``punto``/``ponto``/``point``/``punkt``) and the local part backward. Anchoring
on the marker instead of scanning every start keeps the cost at a few µs per post.

False positives are the danger (``roses @ 200``, ``me at home``, ``meet at 5 dot com``,
``I'm at work. It is``), so:

* the domain must end in a known TLD (``url.COMMON_TLDS`` or any two-letter ccTLD);
  after a sentence-like ``. `` separator only a strict gTLD (``com``, ``net``…) counts;
* the spelled-out ``at`` form also needs a local part of 2+ characters that is not a
  prose word (``me``, ``meet``, ``you``…), a second-level label with a letter, and no
  ``. `` separators at all.

The value is ``local@domain`` lower-cased; the span runs from the local part to the TLD.
"""

from __future__ import annotations

import re

from tracelight.extract.evidence import mention
from tracelight.extract.tokens import letter_set, lowered
from tracelight.extract.url import GTLD_STRICT, known_tld
from tracelight.model import Mention, Post

METHOD = "obfuscated"
MAX_LABELS = 6
"""Domain labels read at most (``a.b.c.d.e.tld`` is already unusual)."""

_AT_BRACKET = re.compile(
    r"[\[\(\{<][ \t]{0,2}(?:at|@|＠|arroba|arobase|ät)[ \t]{0,2}[\]\)\}>]", re.IGNORECASE
)
_AT_WORDS = (" at ", " arroba ", " arobase ", " ät ")
_AT_RUNS = frozenset(word.strip() for word in _AT_WORDS)
"""The spelled-out markers as letter runs: a word between spaces is a whole run."""
_AT_SYMBOLS = ("@", "＠")
_DOT = re.compile(
    r"(?P<br>[ \t]{0,2}[\[\(\{<][ \t]{0,2}(?:dot|\.|．|punto|ponto|point|punkt)"
    r"[ \t]{0,2}[\]\)\}>][ \t]{0,2})"
    r"|(?P<word>[ \t]{1,3}(?:dot|punto|ponto|point|punkt)[ \t]{1,3})"
    r"|(?P<sym>[ \t]{0,3}[.．。][ \t]{0,3})",
    re.IGNORECASE,
)
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?![A-Za-z0-9_])")
_LOCAL = re.compile(r"[A-Za-z0-9._%+-]{1,64}\Z")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_PROSE_LOCALS = frozenset(
    [
        "me",
        "us",
        "you",
        "u",
        "him",
        "her",
        "them",
        "it",
        "we",
        "i",
        "im",
        "i'm",
        "meet",
        "see",
        "find",
        "reach",
        "contact",
        "email",
        "mail",
        "text",
        "call",
        "here",
        "there",
        "is",
        "be",
        "hit",
        "message",
        "msg",
        "dm",
        "write",
        "available",
        "avail",
        "be",
        "only",
        "just",
        "now",
        "home",
        "work",
        "yo",
        "mi",
        "nos",
        "te",
        "le",
        "la",
        "el",
        "lo",
        "moi",
        "toi",
        "nous",
        "je",
        "eu",
        "voce",
        "você",
        "ich",
        "mich",
    ]
)


def _plain(written: str) -> bool:
    """True when the text is an ordinary address that ``email.py`` already reads."""
    return (
        written.isascii()
        and not any(ch.isspace() for ch in written)
        and all(ch not in written for ch in "[](){}<>")
    )


def _domain(text: str, pos: int) -> tuple[list[str], list[str], list[int]]:
    """Labels, the kind of dot before each label after the first, and each label's end."""
    labels: list[str] = []
    dots: list[str] = []
    ends: list[int] = []
    first = _LABEL.match(text, pos)
    if first is None:
        return labels, dots, ends
    labels.append(first.group(0))
    ends.append(first.end())
    cursor = first.end()
    while len(labels) < MAX_LABELS:
        dot = _DOT.match(text, cursor)
        if dot is None:
            break
        label = _LABEL.match(text, dot.end())
        if label is None:
            break
        kind = dot.lastgroup or "sym"
        if kind == "sym" and dot.group(0).strip() != dot.group(0):
            kind = "spaced"
        dots.append(kind)
        labels.append(label.group(0))
        ends.append(label.end())
        cursor = label.end()
    return labels, dots, ends


def _spaces_out(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a marker over up to three spaces or tabs on each side."""
    for _ in range(3):
        if start > 0 and text[start - 1] in " \t":
            start -= 1
    for _ in range(3):
        if end < len(text) and text[end] in " \t":
            end += 1
    return start, end


def _at_markers(text: str, low: str) -> list[tuple[int, int, str]]:
    """Every "at" marker as ``(start, end, kind)``, spaces around included, in order.

    Found with ``str.find`` and one bracket pattern rather than one big case-insensitive
    alternation: Python's ``re`` scans those at ~50 µs per ad, ``find`` at well under 1.
    A spelled-out marker is only looked for when its word is one of the field's letter
    runs (a set test on runs shared with the other extractors), and the bracket pattern
    only when a bracket and something it could enclose are there: ``@``, a marker word
    (in any case; ``ſ`` is the one letter outside them that the pattern takes for one of
    their letters, ``s``), so most fields need no scan at all.
    """
    found: list[tuple[int, int, str]] = []
    for symbol in _AT_SYMBOLS:
        pos = low.find(symbol)
        while pos != -1:
            found.append((*_spaces_out(text, pos, pos + 1), "sym"))
            pos = low.find(symbol, pos + 1)
    runs = letter_set(low)
    spelled = not runs.isdisjoint(_AT_RUNS)
    if spelled:
        for word in _AT_WORDS:
            if word[1:-1] not in runs:
                continue
            pos = low.find(word)
            while pos != -1:
                found.append((*_spaces_out(text, pos + 1, pos + len(word) - 1), "word"))
                pos = low.find(word, pos + len(word) - 1)
    # ``low is text``: the lower case changed length, so the runs are not lower case.
    enclosed = bool(found) or spelled or low is text or "ſ" in low
    if enclosed and ("(" in text or "[" in text or "{" in text or "<" in text):
        for match in _AT_BRACKET.finditer(text):
            found.append((*_spaces_out(text, match.start(), match.end()), "br"))
    found.sort()
    return found


def extract_obfuscated_emails(post: Post, field: str, text: str) -> list[Mention]:
    """Obfuscated e-mail mentions; plain addresses are left to ``extract_emails``."""
    mentions: list[Mention] = []
    last_end = 0
    low = lowered(text)  # shared with the handle and URL readers, and the run caches' key
    if len(low) != len(text):
        low = text  # a lengthening lower-case (``İ``) would shift offsets; match as written
    for at_start, at_end, at_kind in _at_markers(text, low):
        if at_start < last_end:
            continue
        labels, dots, ends = _domain(text, at_end)
        if len(labels) < 2:
            continue
        local_match = _LOCAL.search(text, max(0, at_start - 64), at_start)
        if local_match is None:
            continue
        local_start = local_match.start()
        local = local_match.group(0)
        # The local part must start at a token boundary and with a letter or digit.
        if local_start > 0 and text[local_start - 1] in _LOCAL_CHARS:
            continue
        stripped = local.lstrip("._%+-")
        local_start += len(local) - len(stripped)
        local = stripped.rstrip(".")
        if not local or local != text[local_start:at_start] or ".." in local:
            continue
        # Longest prefix of the domain that ends in an acceptable TLD.
        chosen = 0
        for n in range(len(labels), 1, -1):
            tld = labels[n - 1]
            if not (tld.isalpha() and known_tld(tld)):
                continue
            if dots[n - 2] == "spaced" and tld.lower() not in GTLD_STRICT:
                continue
            chosen = n
            break
        if chosen == 0:
            continue
        if at_kind == "word" and (
            len(local) < 2
            or local.lower() in _PROSE_LOCALS
            or "spaced" in dots[: chosen - 1]
            or not any(ch.isalpha() for ch in labels[chosen - 2])
        ):
            continue
        end = ends[chosen - 1]
        written = text[local_start:end]
        if _plain(written):
            continue
        value = f"{local}@{'.'.join(labels[:chosen])}".lower()
        confidence = {"br": 0.85, "sym": 0.8, "word": 0.7}.get(at_kind, 0.7)
        mentions.append(
            mention(
                post_id=post.id,
                kind="email",
                value=value,
                field=field,
                original=text,
                start=local_start,
                end=end,
                method=METHOD,
                confidence=confidence,
            )
        )
        last_end = end
    return mentions
