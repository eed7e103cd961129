"""Running the web app under uvicorn, in one process or several.

One Python process runs one request's Python code at a time (the GIL): SQLite releases
it while a query runs, but sessions, SQLAlchemy, audit records and templates do not, so
on a machine with several cores a single process leaves them idle under load.
``workers`` > 1 starts that many server processes on the same port (uvicorn's
supervisor; the kernel spreads connections among them).

Nothing a request relies on lives in one process only: sessions, API tokens, the login
failure counts, audit entries and the ledger are in the store, the cookie key is
``$TRACELIGHT_SECRET_KEY`` or the workspace's key file, and the store's writes (audit
entries, ledger appends) serialise in the database. The parent process migrates the
store and makes the key file once before any worker starts, so workers never race to
do either.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from tracelight.store.workspace import Workspace

CONFIG_ENV = "TRACELIGHT_WEB_SERVE"
"""Environment variable through which the parent passes its options to the workers
(uvicorn starts them fresh, by import string)."""


def serve(
    workspace: Workspace,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    secure_cookies: bool = False,
    max_upload_bytes: int,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Serve the app on ``host:port`` until interrupted (Ctrl+C or SIGTERM).

    Each worker finishes its requests in flight before it exits, so every audit
    entry of an answered request is committed (entries are written in the request's
    own transaction, never buffered). ``on_ready`` runs once the store is open, just
    before the server starts listening.
    """
    import uvicorn

    from tracelight.web.app import create_app

    options: dict[str, Any] = {
        "root": str(workspace.root),
        "db_url": workspace.db_url,
        "secure_cookies": secure_cookies,
        "max_upload_bytes": max_upload_bytes,
    }
    # Opening the app migrates the store and makes the key file: once, here.
    app = create_app(workspace, secure_cookies=secure_cookies, max_upload_bytes=max_upload_bytes)
    if on_ready is not None:
        on_ready()
    if workers <= 1:
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
        return
    app.state.web.engine.dispose()
    os.environ[CONFIG_ENV] = json.dumps(options)
    uvicorn.run(
        f"{__name__}:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=False,
    )


def worker_app() -> FastAPI:
    """The app of one worker process, from the options its parent left in
    :data:`CONFIG_ENV` (uvicorn calls this in each worker)."""
    from tracelight.web.app import create_app

    raw = os.environ.get(CONFIG_ENV)
    if not raw:
        raise RuntimeError(f"{CONFIG_ENV} is not set: start workers with tracelight serve")
    options = json.loads(raw)
    workspace = Workspace(root=Path(options["root"]), db_url=options["db_url"])
    return create_app(
        workspace,
        secure_cookies=bool(options["secure_cookies"]),
        max_upload_bytes=int(options["max_upload_bytes"]),
    )
