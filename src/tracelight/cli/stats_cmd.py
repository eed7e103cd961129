"""``tracelight stats``: what the store holds."""

from __future__ import annotations

from tracelight.cli.common import DbOpt, JsonOpt, WorkspaceOpt, failures, workspace_of
from tracelight.cli.render import emit_json, stdout
from tracelight.pipeline import reports


def stats(workspace: WorkspaceOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Count posts, images, mentions, selectors, networks and rejected records."""
    with failures():
        counts = reports.stats(workspace_of(workspace, db))
        if as_json:
            emit_json(counts)
            return
        for name, value in counts.items():
            stdout.print(f"{name:<10} {value:>10,}")
