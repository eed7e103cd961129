"""``tracelight serve``: the investigator web app over a workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from tracelight.cli.common import DbOpt, WorkspaceOpt, failures, workspace_of
from tracelight.cli.render import stderr


def serve(
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    secure_cookies: Annotated[
        bool, typer.Option(help="Mark cookies Secure: use whenever the app is behind HTTPS.")
    ] = False,
    max_upload_mib: Annotated[
        float,
        typer.Option(min=0.01, help="Largest request body (image uploads) in MiB; 413 beyond."),
    ] = 10.0,
    workers: Annotated[
        int,
        typer.Option(
            min=1, help="Server processes (about one per core; sessions work across them)."
        ),
    ] = 1,
) -> None:
    """Start the web app (pages at /, JSON API at /api/v1, OpenAPI at /openapi.json).

    Add accounts first with ``tracelight users add``. It listens on 127.0.0.1 by
    default: put it behind an HTTPS reverse proxy before opening it to a network.
    """
    with failures():
        from tracelight.web.server import serve as run_server

        def ready() -> None:
            stderr.print(f"Tracelight on http://{host}:{port}/  (Ctrl+C to stop)", markup=False)

        run_server(
            workspace_of(workspace, db),
            host=host,
            port=port,
            workers=workers,
            secure_cookies=secure_cookies,
            max_upload_bytes=int(max_upload_mib * 1024 * 1024),
            on_ready=ready,
        )
