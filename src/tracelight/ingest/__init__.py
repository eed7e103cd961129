"""Readers that turn investigators' files into posts.

A source is a file or a folder. Each file's format is recognised from its name and
first bytes by asking every registered reader in turn; adding a format is adding a
module with a ``READER`` and naming it in :data:`READER_MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from tracelight.ingest.base import Item, Reader, ReadOptions, origin_of
from tracelight.ingest.records import IMAGE_SUFFIXES, reject

READER_MODULES = (
    "tracelight.ingest.parquet",
    "tracelight.ingest.warc",
    "tracelight.ingest.jsonl",
    "tracelight.ingest.delimited",
    "tracelight.ingest.html",
)
"""Order matters: content-based formats (Parquet magic, WARC) are asked first."""

SNIFF_BYTES = 4096

# Files that travel with scrapes but are not posts themselves: images are read when a
# post references them; these are documentation and ground-truth beside the data.
COMPANION_SUFFIXES = IMAGE_SUFFIXES | {".md", ".txt", ".log"}
COMPANION_NAMES = frozenset({"PROVENANCE.md", "README.md", ".DS_Store"})


@cache
def readers() -> tuple[Reader, ...]:
    return tuple(importlib.import_module(name).READER for name in READER_MODULES)


def detect(path: Path) -> Reader | None:
    """The reader for ``path``, or None when no format recognises it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return None
    for reader in readers():
        if reader.sniff(path, head):
            return reader
    return None


def source_files(source: Path) -> Iterator[Path]:
    """The files of a source in a stable order (sorted), so reruns see the same order."""
    if source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            if any(part.startswith(".") for part in path.relative_to(source).parts):
                continue
            yield path
    else:
        yield source


def read_source(source: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Every item of a file or folder; unknown files become rejects, never silence."""
    options = options or ReadOptions()
    if not source.exists():
        yield reject(origin_of(source), "file", "no such file or folder")
        return
    for path in source_files(source):
        if source.is_dir() and (
            path.name in COMPANION_NAMES or path.suffix.lower() in COMPANION_SUFFIXES
        ):
            continue
        reader = detect(path)
        if reader is None:
            yield reject(
                origin_of(path),
                "file",
                "unrecognised format (not JSON Lines, CSV, Parquet, HTML or WARC)",
            )
            continue
        yield from reader.read(path, options)


__all__ = ["Item", "ReadOptions", "Reader", "detect", "read_source", "readers", "source_files"]
