"""``tracelight alerts``: unread saved-search alerts, for whoever runs the store.

The web app shows each user their own alerts; this prints every user's (or one user's
with ``--user``) so a nightly ingest job can report what it raised, e.g. from cron.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tracelight.cli.common import DbOpt, JsonOpt, WorkspaceOpt, failures, workspace_of
from tracelight.cli.render import emit_json, safe, stdout
from tracelight.store import repository as repo
from tracelight.store.db import open_engine


def alerts(
    user: Annotated[
        str | None, typer.Option("--user", help="Only this user's alerts.", show_default=False)
    ] = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Unread alerts raised by saved searches on newly ingested posts, oldest first."""
    with failures():
        engine = open_engine(workspace_of(workspace, db).db_url)
        try:
            with engine.connect() as conn:
                found = repo.all_alerts(conn, user)
        finally:
            engine.dispose()
        if as_json:
            for a in found:
                emit_json({**a, "raised_at": a["raised_at"].isoformat()})
            return
        if not found:
            stdout.print("no unread alerts")
            return
        for a in found:
            stdout.print(
                f"{a['raised_at']:%Y-%m-%d %H:%M}  {safe(a['username'])} ({safe(a['org'])})"
                f"  {safe(a['name'])}: post {safe(a['post_id'])}  {safe(a['title'] or '', 80)}",
                soft_wrap=True,
            )
