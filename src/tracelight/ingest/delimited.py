"""CSV and TSV exports of scrapes: a header row, then one post per row.

CSV is the format spreadsheets and many scraping tools emit, so every value is text:
empty cells mean "absent", and list fields such as ``images`` are split on ``|`` or
``;`` (or parsed as a JSON list) by the shared record validation.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from tracelight.ingest.base import Item, ReadOptions, origin_of
from tracelight.ingest.records import record_items, reject
from tracelight.model import sha256_hex

MAX_FIELD_CHARS = 1_000_000


class DelimitedReader:
    name = "csv"

    def sniff(self, path: Path, head: bytes) -> bool:
        return path.suffix.lower() in {".csv", ".tsv"}

    def read(self, path: Path, options: ReadOptions) -> Iterator[Item]:
        origin = origin_of(path)
        default_source = options.source or path.stem
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        csv.field_size_limit(MAX_FIELD_CHARS)
        with path.open("rb") as raw_handle:
            lines = _decoded_lines(raw_handle, origin)
            header_line = next(lines, None)
            if header_line is None:
                return
            if isinstance(header_line, tuple):
                yield reject(origin, "line 1", header_line[1])
                return
            header = next(csv.reader([header_line.lstrip("\ufeff")], delimiter=delimiter))
            header = [name.strip() for name in header]
            row_number = 0
            for entry in _records(lines, delimiter):
                row_number += 1
                first_line, payload = entry
                locator = f"row {row_number} (line {first_line})"
                if isinstance(payload, str):
                    yield reject(origin, locator, payload)
                    continue
                if not any(cell.strip() for cell in payload):
                    continue  # blank line
                if len(payload) != len(header):
                    yield reject(
                        origin,
                        locator,
                        f"expected {len(header)} columns, found {len(payload)}",
                        delimiter.join(payload),
                    )
                    continue
                record = {
                    name: (cell if cell != "" else None)
                    for name, cell in zip(header, payload, strict=True)
                    if name
                }
                raw = delimiter.join(payload).encode("utf-8")
                yield from record_items(
                    record,
                    origin=origin,
                    locator=locator,
                    base_dir=path.parent,
                    default_source=default_source,
                    default_country=options.default_country,
                    raw_sha256=sha256_hex(raw),
                    raw=raw,
                )


def _decoded_lines(handle: io.BufferedReader, origin: str) -> Iterator[str | tuple[int, str]]:
    """Physical lines decoded one by one; an undecodable line yields (number, reason)."""
    decoder = codecs.getincrementaldecoder("utf-8")
    offset = 0
    for number, raw in enumerate(handle, start=1):
        try:
            yield decoder().decode(raw, final=True)
        except UnicodeDecodeError as exc:
            yield (number, f"undecodable bytes (not UTF-8) at byte {offset + exc.start}")
        offset += len(raw)


def _records(
    lines: Iterator[str | tuple[int, str]], delimiter: str
) -> Iterator[tuple[int, list[str] | str]]:
    """Group physical lines into CSV records (quoted fields may span lines).

    Each record is parsed on its own so that a broken row cannot swallow the rest of
    the file: an undecodable line is reported and parsing resumes on the next line.
    """
    line_number = 1
    pending: list[str] = []
    pending_start = 0
    for item in lines:
        line_number += 1
        if isinstance(item, tuple):
            pending.clear()
            yield (line_number, item[1])
            continue
        if not pending:
            pending_start = line_number
        pending.append(item)
        text = "".join(pending)
        if text.count('"') % 2 == 1 and len(text) < MAX_FIELD_CHARS:
            continue  # inside a quoted field that spans lines
        pending.clear()
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
        except csv.Error as exc:
            yield (pending_start, f"bad CSV: {exc}")
            continue
        if len(rows) != 1:
            yield (pending_start, f"bad CSV: {len(rows)} records on one line")
            continue
        yield (pending_start, rows[0])
    if pending:
        yield (pending_start, "bad CSV: unterminated quoted field at end of file")


READER = DelimitedReader()
