"""E-mail addresses, lower-cased.

This is the plain form only; the obfuscation-aware extractor of the extraction issue
reads ``name [at] gmail [dot] com`` and friends on top of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tracelight.extract.evidence import mention
from tracelight.model import Mention, Post

METHOD = "regex"
_LOCAL_PART = r"(?<![\w.+-])([A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?)"
"""The local part (group 1), not glued to a word or address before it."""
# Local part per the common subset of RFC 5322 seen in ads; domain labels with a
# 2+ letter TLD. Bounded quantifiers keep matching linear on hostile input.
_EMAIL = re.compile(
    _LOCAL_PART
    + r"@"
    + r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24})"
    + r"(?![\w-])"
)
_LOCAL_BEFORE_AT = re.compile(_LOCAL_PART + "(?=@)")
"""The local part of :data:`_EMAIL` up to its ``@``: searched in the few characters
before one ``@`` to find where a match through that ``@`` starts."""
_LOCAL_MAX = 64
"""The longest local part :data:`_EMAIL` takes."""


def _matches(text: str) -> Iterator[re.Match[str]]:
    """``_EMAIL.finditer(text)``, looked for only before each ``@``.

    The full pattern starts with a look-behind, so a scan of it tries a local part at
    every position of the field. Here each ``@`` is taken in turn: a match through it
    has its local part (at most :data:`_LOCAL_MAX` characters, no ``@``) just before
    it, after ``start`` (the end of the last match, or the ``@`` before), so the
    leftmost match not before ``start`` starts in that window or after that ``@``. The
    window is searched for the leftmost start (its look-behind still reads the character
    before the window) and the full pattern matched there once: the domain after an
    ``@`` does not depend on where the local part starts, so when that match fails no
    match goes through that ``@``. Same matches as ``finditer`` (none is empty, so each
    resumes where the last ended).
    """
    start = 0
    at = text.find("@")
    while at != -1:
        local = _LOCAL_BEFORE_AT.search(text, max(start, at - _LOCAL_MAX), at + 1)
        match = None if local is None else _EMAIL.match(text, local.start())
        if match is not None:
            yield match
            start = match.end()
        else:
            start = at + 1
        at = text.find("@", start)


def extract_emails(post: Post, field: str, text: str) -> list[Mention]:
    if "@" not in text:
        return []  # the usual field: one C-speed search, not even a generator made
    mentions: list[Mention] = []
    for match in _matches(text):
        local, domain = match.group(1), match.group(2)
        if ".." in local:
            continue
        mentions.append(
            mention(
                post_id=post.id,
                kind="email",
                value=f"{local}@{domain}".lower(),
                field=field,
                original=text,
                start=match.start(),
                end=match.end(),
                method=METHOD,
                confidence=0.95,
            )
        )
    return mentions
