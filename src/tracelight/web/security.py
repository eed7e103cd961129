"""Roles, password hashing, random secrets and the signed cookies of the web app.

Kept free of FastAPI so the CLI (``tracelight users``) and the tests use the very same
rules as the server.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ROLES: dict[str, frozenset[str]] = {
    # admin: runs the organisation's accounts and sees everything it owns.
    "admin": frozenset(
        {
            "read",
            "search",
            "case.write",
            "triage.write",
            "audit.read",
            "users.admin",
            "exif",
            "face_search",
        }
    ),
    # analyst: works the data and the cases.
    "analyst": frozenset({"read", "search", "case.write", "triage.write", "exif", "face_search"}),
    # viewer: reads and searches, changes nothing.
    "viewer": frozenset({"read", "search"}),
    # auditor: oversight of who looked at what; deliberately no access to the data itself.
    "auditor": frozenset({"audit.read"}),
}
"""What each role may do. Sensitive image data (EXIF, GPS, faces) needs ``exif``; searching
by a face photo needs ``face_search`` (a permissioned, audited action)."""

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-@")
ORG_CHARS = USERNAME_CHARS

_HASHER = PasswordHasher()
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

SECRET_FILE = "web-secret.key"  # noqa: S105 - a file name, not a secret
SECRET_ENV = "TRACELIGHT_SECRET_KEY"  # noqa: S105 - a variable name


class AccountError(ValueError):
    """A user, organisation, role or password is not acceptable; the message says why."""


def allowed(role: str, permission: str) -> bool:
    return permission in ROLES.get(role, frozenset())


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: use one of {', '.join(sorted(ROLES))}")
    return role


def check_name(value: str, what: str) -> str:
    """Usernames and organisation names: short, lower-case, no spaces or markup."""
    if not 1 <= len(value) <= 64 or not set(value) <= USERNAME_CHARS:
        raise AccountError(
            f"{what} must be 1-64 characters of a-z, 0-9 and . _ - @ (got {value!r})"
        )
    return value


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    return password


def hash_password(password: str) -> str:
    """Argon2id with argon2-cffi's current recommended parameters."""
    return _HASHER.hash(check_password(password))


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches; ``stored=None`` (no such user) costs the same time."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when the hash was made with weaker parameters than today's defaults."""
    return _HASHER.check_needs_rehash(stored)


def new_secret() -> str:
    """256 random bits, URL-safe: session ids, CSRF tokens and API tokens."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What the store keeps of a session id or API token: its SHA-256, never the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets; a missing one never matches."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


API_TOKEN_PREFIX = "tlk_"  # noqa: S105 - a public prefix


def new_api_token() -> str:
    """An API token; the prefix lets secret scanners and people recognise it."""
    return API_TOKEN_PREFIX + new_secret()


def load_secret_key(folder: Path) -> str:
    """The key that signs cookies: ``$TRACELIGHT_SECRET_KEY`` or a file made once, mode 0600.

    Kept in the workspace so that sessions survive a restart, and several server
    processes over the same workspace accept each other's cookies.
    """
    configured = os.environ.get(SECRET_ENV)
    if configured:
        return configured
    path = folder / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = new_secret()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another server process made it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
