"""``tracelight ingest``: read sources into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracelight.cli.common import DbOpt, JsonOpt, WorkspaceOpt, failures, workspace_of
from tracelight.cli.render import emit_json, safe, stdout
from tracelight.ingest import ReadOptions
from tracelight.pipeline.ingest import ingest_sources
from tracelight.pipeline.progress import NullReporter, Reporter, RichReporter
from tracelight.store.repository import DEFAULT_ORG


def ingest(
    sources: Annotated[
        list[Path],
        typer.Argument(help="Files or folders: JSON Lines, CSV, Parquet, saved HTML, WARC."),
    ],
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    country: Annotated[
        str | None,
        typer.Option(
            help="Default ISO 3166-1 alpha-2 country for records without one "
            "(the region for national phone numbers)."
        ),
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Site name for records without a 'source' field.")
    ] = None,
    org: Annotated[
        str,
        typer.Option(help="Organisation that collected these posts (it alone sees them)."),
    ] = DEFAULT_ORG,
    as_json: JsonOpt = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Read posts from SOURCES into the store; bad records go to a rejects file."""
    with failures():
        if country is not None and (len(country) != 2 or not country.isalpha()):
            raise typer.BadParameter("expected a two-letter country code", param_hint="--country")
        ws = workspace_of(workspace, db)
        reporter: Reporter = RichReporter() if progress and not as_json else NullReporter()
        try:
            summary = ingest_sources(
                ws,
                sources,
                ReadOptions(default_country=country and country.upper(), source=source),
                reporter,
                org=org,
            )
        finally:
            reporter.close()
        if as_json:
            emit_json(summary.as_dict())
            return
        stdout.print(
            f"ingested: [bold]{summary.accepted}[/] new, {summary.duplicate} duplicate, "
            f"{summary.rejected} rejected, {summary.images} images"
        )
        if summary.rejects_file:
            stdout.print(f"rejected records and reasons: {safe(summary.rejects_file)}")
