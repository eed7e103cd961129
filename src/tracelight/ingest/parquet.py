"""Parquet exports: columnar files from data pipelines and Spark jobs.

Read in row-group batches so a file larger than memory streams through.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tracelight.ingest.base import Item, ReadOptions, origin_of
from tracelight.ingest.records import record_items, reject

BATCH_ROWS = 4096


class ParquetReader:
    name = "parquet"

    def sniff(self, path: Path, head: bytes) -> bool:
        return path.suffix.lower() in {".parquet", ".pq"} or head.startswith(b"PAR1")

    def read(self, path: Path, options: ReadOptions) -> Iterator[Item]:
        import json

        import pyarrow as pa
        import pyarrow.parquet as pq

        from tracelight.model import sha256_hex

        origin = origin_of(path)
        default_source = options.source or path.stem
        try:
            parquet = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as exc:
            yield reject(origin, "file", f"unreadable Parquet file: {exc}")
            return
        row = 0
        try:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                for record in batch.to_pylist():
                    row += 1
                    locator = f"row {row}"
                    raw = json.dumps(record, default=str, sort_keys=True).encode("utf-8")
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
        except (pa.ArrowException, OSError) as exc:
            yield reject(origin, f"after row {row}", f"unreadable Parquet data: {exc}")


READER = ParquetReader()
