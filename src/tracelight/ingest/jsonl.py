"""JSON Lines exports of scrapes: one post per line.

Lines are read as bytes and decoded one at a time, so a single undecodable or
malformed line becomes a reject with its line number and byte offset while the rest
of the file goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from tracelight.ingest.base import Item, ReadOptions, origin_of
from tracelight.ingest.records import record_items, reject
from tracelight.model import sha256_hex

MAX_LINE_BYTES = 8 * 1024 * 1024


class JsonLinesReader:
    name = "jsonl"

    def sniff(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() in {".jsonl", ".ndjson", ".jsonlines"}:
            return True
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return path.suffix.lower() == ".json" and stripped.startswith(b"{")

    def read(self, path: Path, options: ReadOptions) -> Iterator[Item]:
        origin = origin_of(path)
        default_source = options.source or path.stem
        offset = 0
        with path.open("rb") as handle:
            for number, raw in enumerate(_bounded_lines(handle), start=1):
                start = offset
                offset += len(raw)
                locator = f"line {number}"
                if len(raw) > MAX_LINE_BYTES:
                    yield reject(origin, locator, f"line longer than {MAX_LINE_BYTES} bytes", raw)
                    continue
                line = raw.strip()
                if number == 1:
                    line = line.removeprefix(b"\xef\xbb\xbf")
                if not line:
                    continue  # blank lines are layout, not records
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    yield reject(
                        origin,
                        locator,
                        f"undecodable bytes (not UTF-8) at byte {start + exc.start}",
                        raw,
                    )
                    continue
                try:
                    record = json.loads(text)
                except json.JSONDecodeError as exc:
                    yield reject(origin, locator, f"bad JSON: {exc.msg} (column {exc.colno})", raw)
                    continue
                yield from record_items(
                    record,
                    origin=origin,
                    locator=locator,
                    base_dir=path.parent,
                    default_source=default_source,
                    default_country=options.default_country,
                    raw_sha256=sha256_hex(line),
                    raw=raw,
                )


def _bounded_lines(handle: BinaryIO) -> Iterator[bytes]:
    """Lines of a binary file, each cut at MAX_LINE_BYTES + 1 so one huge line can't
    exhaust memory; the remainder of an over-long line is consumed and discarded (the
    whole line is rejected, with its number, by the caller)."""
    while True:
        chunk = handle.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            return
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while True:
                rest = handle.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
        yield chunk


READER = JsonLinesReader()
