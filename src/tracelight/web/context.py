"""Who is asking, and the checks every route relies on: sign-in, role, CSRF, audit.

Routes get the caller from :func:`page_user` or :func:`api_user`; each router carries
:func:`csrf_guard` as a dependency, so no state-changing route can be added without the
CSRF check. An API token (``Authorization: Bearer``) is not ambient like a cookie, so
token requests need no CSRF token, and a request that presents a token is judged by the
token alone, never by a cookie that happens to travel with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from tracelight.store.workspace import Workspace
from tracelight.web import accounts, audit
from tracelight.web.accounts import SESSION_LIFETIME, Principal
from tracelight.web.security import same

SESSION_COOKIE = "tl_session"
LOGIN_COOKIE = "tl_login"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_CSRF_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class WebState:
    """What the app was started with; one per application, shared by all requests."""

    workspace: Workspace
    engine: Engine
    signer: URLSafeTimedSerializer
    ledger_root: Path | None
    secure_cookies: bool
    audit_writer: audit.AuditWriter


class LoginRequired(Exception):
    """A page was asked for without a valid session: the app redirects to /login."""


def web(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def session_id(request: Request) -> str | None:
    """The session id from the signed cookie; ``None`` when absent, forged or too old."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        value = web(request).signer.loads(
            raw, salt="session", max_age=int(SESSION_LIFETIME.total_seconds())
        )
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def current(request: Request) -> Principal | None:
    """The signed-in caller, resolved once per request."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    principal: Principal | None = None
    with web(request).engine.connect() as conn:
        token = _bearer(request)
        if token is not None:
            principal = accounts.resolve_token(conn, token)
        else:
            sid = session_id(request)
            if sid is not None:
                principal = accounts.resolve_session(conn, sid)
    request.state.principal = principal
    return principal


def page_user(request: Request) -> Principal:
    principal = current(request)
    if principal is None:
        raise LoginRequired
    return principal


def api_user(request: Request) -> Principal:
    principal = current(request)
    if principal is None:
        raise HTTPException(
            401, "sign in or send an API token", headers={"WWW-Authenticate": "Bearer"}
        )
    return principal


def need(principal: Principal, permission: str) -> None:
    if not principal.can(permission):
        raise HTTPException(403, f"the {principal.role} role may not do this")


def login_csrf(request: Request) -> str | None:
    raw = request.cookies.get(LOGIN_COOKIE)
    if not raw:
        return None
    try:
        value = web(request).signer.loads(raw, salt="login", max_age=LOGIN_CSRF_SECONDS)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


async def csrf_guard(request: Request) -> None:
    """Refuse a state-changing request whose CSRF token is missing or wrong.

    Signed-in callers must send their session's token (form field ``csrf_token`` or
    header ``X-CSRF-Token``); signed-out callers (the login form) the token bound to
    their signed pre-login cookie. A cross-site ``Origin`` is refused outright.
    """
    if request.method in SAFE_METHODS or _bearer(request) is not None:
        return
    origin = request.headers.get("origin")
    if origin and origin not in {"null", f"{request.url.scheme}://{request.url.netloc}"}:
        raise HTTPException(403, "cross-site request refused")
    principal = await run_in_threadpool(current, request)
    expected = principal.csrf if principal is not None else login_csrf(request)
    sent = request.headers.get("x-csrf-token")
    content_type = request.headers.get("content-type", "")
    if sent is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not same(sent, expected):
        raise HTTPException(403, "CSRF check failed: reload the page and try again")


def log(
    conn: Connection,
    request: Request,
    who: Principal | None,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Audit one action of this request, in the caller's transaction."""
    detail = dict(detail or {})
    if request.url.path.startswith("/api/"):
        detail.setdefault("via", "api")
    audit.record(conn, web(request).ledger_root, who, action, target, client_of(request), detail)


def log_read(
    request: Request,
    who: Principal,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Audit a read of this request through the app's group commit
    (:class:`~tracelight.web.audit.AuditWriter`): returns once the entry is committed,
    so call it before answering, after the read succeeded."""
    detail = dict(detail or {})
    if request.url.path.startswith("/api/"):
        detail.setdefault("via", "api")
    web(request).audit_writer.record(who, action, target, client_of(request), detail)


def log_denied(request: Request, who: Principal | None, target: str) -> None:
    """Audit a request for something absent or not the caller's, in its own transaction
    (the request's own transaction is rolled back by the 404)."""
    with web(request).engine.begin() as conn:
        log(conn, request, who, "denied", target, {"path": request.url.path})
