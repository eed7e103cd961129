"""``tracelight extract``: what the extractors find in a source, without storing anything."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracelight.cli.common import JsonOpt, failures
from tracelight.cli.render import emit_json, safe, stderr
from tracelight.extract import extract_post
from tracelight.ingest import ReadOptions, read_source
from tracelight.model import Post, Reject


def extract(
    sources: Annotated[
        list[Path],
        typer.Argument(help="Files or folders: JSON Lines, CSV, Parquet, saved HTML, WARC."),
    ],
    country: Annotated[
        str | None,
        typer.Option(help="Default ISO 3166-1 alpha-2 country for records without one."),
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Site name for records without a 'source' field.")
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="Only these mention kinds (repeatable).")
    ] = None,
    as_json: JsonOpt = True,  # accepted for uniformity: this command always prints JSON
) -> None:
    """Print every post's mentions, one JSON object per post: {"id", "mentions"}.

    Reads any ingestible source and stores nothing: for checking what Tracelight would
    extract from a scrape before ingesting it, or for feeding other tools.
    """
    with failures():
        if country is not None and (len(country) != 2 or not country.isalpha()):
            raise typer.BadParameter("expected a two-letter country code", param_hint="--country")
        options = ReadOptions(default_country=country and country.upper(), source=source)
        wanted = set(kind or [])
        rejected = 0
        for path in sources:
            for item in read_source(path, options):
                if isinstance(item, Reject):
                    rejected += 1
                    stderr.print(
                        f"rejected {safe(item.origin)} {safe(item.locator)}: {safe(item.reason)}"
                    )
                    continue
                if not isinstance(item, Post):
                    continue
                mentions = [m for m in extract_post(item) if not wanted or m.kind in wanted]
                emit_json(
                    {
                        "id": item.id,
                        "source": item.source,
                        "external_id": item.external_id,
                        "mentions": [
                            {
                                "kind": m.kind,
                                "value": m.value,
                                "field": m.field,
                                "start": m.start,
                                "end": m.end,
                                "text": m.text,
                                "method": m.method,
                                "confidence": m.confidence,
                            }
                            for m in mentions
                        ],
                    }
                )
        if rejected:
            stderr.print(f"{rejected} records rejected (not extracted)")
