"""Posts and extraction results as Arrow record batches, the form Spark hands to Python.

``mapInArrow`` gives a partition's rows to Python as Arrow batches and takes Arrow
batches back, so the pure stage functions run once per batch of thousands of posts with
no per-row Python UDF and no pickling of row objects. These codecs are exact: a post
rebuilt from its batch extracts to the same mentions as the original.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from tracelight.model import Mention, Post

POST_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("external_id", pa.string()),
        ("url", pa.string()),
        ("posted_at", pa.timestamp("us", tz="UTC")),
        ("collected_at", pa.timestamp("us", tz="UTC")),
        ("title", pa.string()),
        ("body", pa.string()),
        ("location", pa.string()),
        ("country", pa.string()),
        ("language", pa.string()),
        ("metadata", pa.string()),
        ("origin", pa.string()),
        ("locator", pa.string()),
        ("raw_sha256", pa.string()),
    ]
)
"""A post as a row. Images are not carried: no extractor reads them (the store's
``row_to_post`` does not load them either); ``metadata`` is JSON text."""

MENTION_TYPE = pa.struct(
    [
        ("kind", pa.string()),
        ("value", pa.string()),
        ("field", pa.string()),
        ("span_start", pa.int32()),
        ("span_end", pa.int32()),
        ("text", pa.string()),
        ("method", pa.string()),
        ("confidence", pa.float64()),
    ]
)

RESULT_SCHEMA = pa.schema([("post_id", pa.string()), ("mentions", pa.list_(MENTION_TYPE))])
"""One row per post, with all its mentions (possibly none: the post is still done)."""

RESULT_DDL = (
    "post_id string, mentions array<struct<kind:string,value:string,field:string,"
    "span_start:int,span_end:int,text:string,method:string,confidence:double>>"
)
""":data:`RESULT_SCHEMA` in Spark's DDL, the return schema given to ``mapInArrow``."""


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def posts_to_arrow(posts: Sequence[Post]) -> pa.RecordBatch:
    columns: dict[str, list[Any]] = {name: [] for name in POST_SCHEMA.names}
    for post in posts:
        columns["id"].append(post.id)
        columns["source"].append(post.source)
        columns["external_id"].append(post.external_id)
        columns["url"].append(post.url)
        columns["posted_at"].append(_utc(post.posted_at))
        columns["collected_at"].append(_utc(post.collected_at))
        columns["title"].append(post.title)
        columns["body"].append(post.body)
        columns["location"].append(post.location)
        columns["country"].append(post.country)
        columns["language"].append(post.language)
        columns["metadata"].append(
            json.dumps(post.metadata, sort_keys=True, default=str) if post.metadata else None
        )
        columns["origin"].append(post.origin)
        columns["locator"].append(post.locator)
        columns["raw_sha256"].append(post.raw_sha256)
    return pa.RecordBatch.from_pydict(columns, schema=POST_SCHEMA)


def arrow_to_posts(batch: pa.RecordBatch | pa.Table) -> list[Post]:
    """Posts from a batch with (at least) the columns of :data:`POST_SCHEMA`."""
    rows: list[dict[str, Any]] = batch.select(POST_SCHEMA.names).to_pylist()
    return [
        Post(
            id=row["id"],
            source=row["source"] or "",
            external_id=row["external_id"],
            url=row["url"],
            posted_at=_utc(row["posted_at"]),
            collected_at=_utc(row["collected_at"]),
            title=row["title"],
            body=row["body"],
            location=row["location"],
            country=row["country"],
            language=row["language"],
            metadata=json.loads(row["metadata"]) if row["metadata"] else {},
            origin=row["origin"] or "",
            locator=row["locator"] or "",
            raw_sha256=row["raw_sha256"],
        )
        for row in rows
    ]


def results_to_arrow(results: Sequence[tuple[str, Sequence[Mention]]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(
        {
            "post_id": [post_id for post_id, _ in results],
            "mentions": [
                [
                    {
                        "kind": m.kind,
                        "value": m.value,
                        "field": m.field,
                        "span_start": m.start,
                        "span_end": m.end,
                        "text": m.text,
                        "method": m.method,
                        "confidence": m.confidence,
                    }
                    for m in found
                ]
                for _, found in results
            ],
        },
        schema=RESULT_SCHEMA,
    )


def arrow_to_results(batch: pa.RecordBatch | pa.Table) -> list[tuple[str, list[Mention]]]:
    out: list[tuple[str, list[Mention]]] = []
    for row in batch.select(RESULT_SCHEMA.names).to_pylist():
        post_id = row["post_id"]
        out.append(
            (
                post_id,
                [
                    Mention(
                        post_id=post_id,
                        kind=m["kind"],
                        value=m["value"],
                        field=m["field"],
                        start=m["span_start"],
                        end=m["span_end"],
                        text=m["text"],
                        method=m["method"],
                        confidence=m["confidence"],
                    )
                    for m in row["mentions"] or ()
                ],
            )
        )
    return out
