"""``tracelight search``: full-text search over post titles and bodies."""

from __future__ import annotations

from typing import Annotated

import typer

from tracelight.cli.common import DbOpt, JsonOpt, WorkspaceOpt, failures, workspace_of
from tracelight.cli.render import emit_json, highlighted, plain_snippet, safe, stdout
from tracelight.pipeline import reports


def search(
    query: Annotated[str, typer.Argument(help='Words, "exact phrases", OR, and -excluded words.')],
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Most results to show.")] = 20,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find posts by their text, best matches first."""
    with failures():
        hits = reports.search(workspace_of(workspace, db), query, limit)
        if as_json:
            for hit in hits:
                emit_json(
                    {
                        "post": hit.post_id,
                        "source": hit.source,
                        "title": hit.title,
                        "location": hit.location,
                        "posted_at": hit.posted_at.isoformat() if hit.posted_at else None,
                        "snippet": plain_snippet(hit.snippet),
                    }
                )
            return
        if not hits:
            stdout.print("no posts match")
            return
        for hit in hits:
            when = f"{hit.posted_at:%Y-%m-%d}" if hit.posted_at else ""
            stdout.print(
                f"[bold]{hit.post_id}[/] {safe(hit.source, 30)} {safe(hit.location, 40)} {when}"
            )
            stdout.print(f"    {highlighted(hit.snippet)}")
