"""The application factory: one FastAPI app over one workspace's store.

Security headers are set on every answer: a strict Content-Security-Policy (scripts and
styles only from this server, no inline code, no plugins, no framing), no MIME sniffing
and no referrer, because the app shows hostile text and runs on investigation networks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from itsdangerous import URLSafeTimedSerializer
from starlette.exceptions import HTTPException as StarletteHTTPException

from tracelight import __version__
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace
from tracelight.web import api, export, images, pages, selectors
from tracelight.web.audit import AuditWriter
from tracelight.web.context import LoginRequired, WebState, current
from tracelight.web.render import templates
from tracelight.web.security import load_secret_key
from tracelight.web.uploads import DEFAULT_MAX_UPLOAD_BYTES, BodyLimit

STATIC = Path(__file__).with_name("static")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def create_app(
    workspace: Workspace,
    *,
    ledger: bool = True,
    secure_cookies: bool = False,
    secret_key: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
) -> FastAPI:
    """The web app over ``workspace`` (its store is migrated on open).

    ``ledger`` mirrors audit entries into the evidence ledger; ``secure_cookies`` marks
    cookies ``Secure`` (set it whenever the app is served over HTTPS);
    ``max_upload_bytes`` bounds every request body (413 beyond it; 10 MiB by default).
    """
    workspace.ensure()
    engine = open_engine(workspace.db_url)
    key = secret_key or load_secret_key(workspace.root)

    writer = AuditWriter(engine, workspace.root if ledger else None)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        writer.close()  # the server has finished its requests: write what is queued
        engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="Tracelight",
        version=__version__,
        description="Counter-human-trafficking intelligence: the investigator API.",
        docs_url=None,  # the interactive docs pages load scripts from a CDN
        redoc_url=None,
    )
    app.state.web = WebState(
        workspace=workspace,
        engine=engine,
        signer=URLSafeTimedSerializer(key),
        ledger_root=workspace.root if ledger else None,
        secure_cookies=secure_cookies,
        audit_writer=writer,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(selectors.router)
    app.include_router(images.router)
    app.include_router(export.router)
    app.state.max_upload_bytes = max_upload_bytes
    app.add_middleware(BodyLimit, max_bytes=max_upload_bytes)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(pages.login_url(target), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def errors(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith(("/api/", "/static/", "/openapi.json")):
            return await http_exception_handler(request, exc)
        principal = current(request) if hasattr(request.state, "principal") else None
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": exc.status_code, "detail": exc.detail, "user": principal, "csrf": None},
            status_code=exc.status_code,
        )

    return app
