"""What every source reader yields and promises.

A reader turns one file into a stream of :data:`Item`: posts, the image bytes found
in the source, and rejects for records that could not be read. Readers only read
their own source (no database, no network), so the same reader runs in the CLI, in
a worker process and, later, on a Spark executor.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tracelight.model import ImageBlob, Post, Reject

Item = Post | ImageBlob | Reject


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Choices the analyst makes for a whole ingest, not per record.

    ``default_country`` is the region for national phone numbers when a record has
    no ``country`` of its own; ``source`` names the site when records don't.
    """

    default_country: str | None = None
    source: str | None = None


class Reader(Protocol):
    """A source format. Adding a format is adding one module with one of these."""

    name: str

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when this format recognises the file from its name and first bytes."""
        ...

    def read(self, path: Path, options: ReadOptions) -> Iterator[Item]:
        """Every record of ``path``, in order, as posts, image blobs or rejects."""
        ...


def origin_of(path: Path) -> str:
    """How rejects and posts name their file: the path as given, stable across runs."""
    return str(path)
