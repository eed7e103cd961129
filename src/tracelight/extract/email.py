"""E-mail addresses, lower-cased.

This is the plain form only; the obfuscation-aware extractor of the extraction issue
reads ``name [at] gmail [dot] com`` and friends on top of it.
"""

from __future__ import annotations

import re

from tracelight.model import Mention, Post

METHOD = "regex"
# Local part per the common subset of RFC 5322 seen in ads; domain labels with a
# 2+ letter TLD. Bounded quantifiers keep matching linear on hostile input.
_EMAIL = re.compile(
    r"(?<![\w.+-])"
    r"([A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?)"
    r"@"
    r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24})"
    r"(?![\w-])"
)


def extract_emails(post: Post, field: str, text: str) -> list[Mention]:
    if "@" not in text:
        # Without an ``@`` the pattern can only fail, but it would still try a local
        # part at every letter: a C-speed membership test saves nearly all the time.
        return []
    mentions: list[Mention] = []
    for match in _EMAIL.finditer(text):
        local, domain = match.group(1), match.group(2)
        if ".." in local:
            continue
        mentions.append(
            Mention(
                post_id=post.id,
                kind="email",
                value=f"{local}@{domain}".lower(),
                field=field,
                start=match.start(),
                end=match.end(),
                text=match.group(0),
                method=METHOD,
                confidence=0.95,
            )
        )
    return mentions
