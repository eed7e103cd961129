"""Posts as collected, their images, and the records that could not become posts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FIELDS = ("title", "body")
"""The text fields of a post that extraction reads and whose offsets mentions use."""


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image referenced by a post, as written in the source.

    ``uri`` is what the source said (a relative path or a URL). ``sha256`` is set when
    the bytes were available in the source itself (a file beside it, a WARC record);
    URLs are recorded and never fetched, so their ``status`` is ``remote``.
    """

    uri: str
    sha256: str | None = None
    status: str = "remote"  # local | remote | missing | unreadable | archived


@dataclass(frozen=True, slots=True)
class ImageBlob:
    """Image bytes found in a source, kept by content hash as evidence."""

    sha256: str
    uri: str
    media_type: str | None
    data: bytes
    origin: str
    locator: str


@dataclass(frozen=True, slots=True)
class Post:
    """One collected item: an ad, listing, profile or message. Never edited after ingest."""

    id: str
    source: str
    external_id: str | None
    url: str | None
    posted_at: datetime | None
    collected_at: datetime | None
    title: str | None
    body: str | None
    location: str | None
    country: str | None
    language: str | None
    images: tuple[ImageRef, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    origin: str = ""
    locator: str = ""
    raw_sha256: str | None = None

    def text(self, name: str) -> str:
        """The named text field, empty when absent, so extractors need no None checks."""
        value = self.title if name == "title" else self.body if name == "body" else None
        return value or ""


@dataclass(frozen=True, slots=True)
class Reject:
    """A record that could not become a post, with where it was and why.

    ``locator`` names the record inside ``origin`` (``line 12``, ``row 40``,
    ``offset 1834``, ``file page.html``) so an analyst can find and fix it.
    """

    origin: str
    locator: str
    reason: str
    excerpt: str = ""
