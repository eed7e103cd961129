"""Users and their organisations, logins with rate limiting, sessions and API tokens.

Login failures are counted from the audit log itself (``login.failed`` entries per
username and per client address in a sliding window), so the limit holds across server
processes and restarts, and every throttled attempt is on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from tracelight.store import repository as repo
from tracelight.web import audit
from tracelight.web.security import (
    AccountError,
    allowed,
    check_name,
    check_role,
    digest,
    hash_password,
    needs_rehash,
    new_api_token,
    new_secret,
    verify_password,
)

SESSION_LIFETIME = timedelta(hours=12)
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a user of one organisation, signed in by session or by API token."""

    user_id: int
    username: str
    role: str
    org_id: int
    org: str
    csrf: str | None = None
    via: str = "session"

    def can(self, permission: str) -> bool:
        return allowed(self.role, permission)


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """``ok`` (with the principal), ``failed`` or ``throttled``.

    A value rather than an exception so that the caller commits the audit entry of a
    refused attempt: that entry is what the rate limit counts.
    """

    status: str
    principal: Principal | None = None


def _principal(row: Any, *, csrf: str | None = None, via: str = "session") -> Principal:
    return Principal(
        user_id=int(row.id),
        username=str(row.username),
        role=str(row.role),
        org_id=int(row.org_id),
        org=str(row.org_name),
        csrf=csrf,
        via=via,
    )


def add_user(conn: Connection, org: str, role: str, username: str, password: str) -> int:
    """Create a user in organisation ``org`` (made on first use); names must be new."""
    check_name(org, "the organisation name")
    check_name(username, "the username")
    check_role(role)
    password_hash = hash_password(password)
    if repo.user_by_username(conn, username) is not None:
        raise AccountError(f"user {username!r} already exists")
    return repo.insert_user(conn, repo.get_or_create_org(conn, org), username, password_hash, role)


def login(
    conn: Connection, username: str, password: str, client: str, ledger_root: Path | None
) -> LoginOutcome:
    """Check a password. Every attempt is audited.

    Once the username or the client address has too many recent failures the answer is
    ``throttled`` before the password is even checked, so guessing is capped at
    ``MAX_FAILURES_PER_USER`` tries per window whatever the password.
    """
    username = username.strip().lower()[:64]
    since = datetime.now(UTC) - LOGIN_WINDOW
    row = repo.user_by_username(conn, username)
    org_id = int(row.org_id) if row is not None else None
    org = str(row.org_name) if row is not None else None
    user_failures = repo.count_audit_since(conn, "login.failed", since, username=username)
    client_failures = repo.count_audit_since(conn, "login.failed", since, client=client)
    if user_failures >= MAX_FAILURES_PER_USER or client_failures >= MAX_FAILURES_PER_CLIENT:
        audit.record(
            conn,
            ledger_root,
            None,
            "login.throttled",
            username,
            client,
            username=username,
            org_id=org_id,
            org=org,
        )
        return LoginOutcome("throttled")
    active = row is not None and bool(row.active)
    if not verify_password(row.password_hash if active and row is not None else None, password):
        audit.record(
            conn,
            ledger_root,
            None,
            "login.failed",
            username,
            client,
            username=username,
            org_id=org_id,
            org=org,
        )
        return LoginOutcome("failed")
    assert row is not None
    if needs_rehash(row.password_hash):
        repo.set_user_password(conn, int(row.id), hash_password(password))
    principal = _principal(row)
    audit.record(conn, ledger_root, principal, "login.ok", username, client)
    return LoginOutcome("ok", principal)


def start_session(conn: Connection, principal: Principal) -> tuple[str, str]:
    """A new session for a signed-in user: ``(session id, CSRF token)``.

    Only the session id's SHA-256 is stored; the id itself lives in the signed cookie.
    """
    session_id, csrf = new_secret(), new_secret()
    expires = datetime.now(UTC) + SESSION_LIFETIME
    repo.insert_session(conn, digest(session_id), principal.user_id, csrf, expires)
    return session_id, csrf


def resolve_session(conn: Connection, session_id: str) -> Principal | None:
    row = repo.session_user(conn, digest(session_id), datetime.now(UTC))
    return None if row is None else _principal(row, csrf=str(row.csrf))


def end_session(conn: Connection, session_id: str) -> None:
    repo.delete_session(conn, digest(session_id))


def create_api_token(conn: Connection, username: str, label: str) -> str:
    """A new API token for ``username``, shown once; the store keeps only its hash."""
    row = repo.user_by_username(conn, username)
    if row is None:
        raise AccountError(f"no user {username!r}")
    token = new_api_token()
    repo.insert_api_token(conn, int(row.id), digest(token), label[:200])
    return token


def resolve_token(conn: Connection, token: str) -> Principal | None:
    row = repo.token_user(conn, digest(token))
    return None if row is None else _principal(row, via="token")
