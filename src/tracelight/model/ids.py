"""Content-addressed identities.

Posts are immutable evidence, so their identity is derived from what was
collected rather than assigned by a database: ingesting the same file twice,
on any engine or machine, yields the same identifiers and therefore nothing new.
"""

from __future__ import annotations

import hashlib

# Unit separator: cannot appear in a normal field, so ("ab", "c") and ("a", "bc")
# never hash alike.
_SEP = "\x1f"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def post_id_for(
    source: str,
    external_id: str | None,
    url: str | None,
    title: str | None,
    body: str | None,
) -> str:
    """Identity of a post: the site's own id when it gave one, else its content.

    A site's id is stable across re-scrapes of the same ad (the text may be edited
    by the poster, but it is the same listing), so it takes precedence. Without it,
    source, URL and text are hashed: a re-post with any change is a new post, as the
    domain rules require. 32 hex digits (128 bits) keep collisions out of reach for
    any corpus while staying readable in a terminal.
    """
    if external_id:
        material = _SEP.join(("id", source, external_id))
    else:
        material = _SEP.join(("content", source, url or "", title or "", body or ""))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]
