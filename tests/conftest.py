"""Shared fixtures: stores on SQLite and on a real PostgreSQL server, and corpora."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from pg_server import PostgresUnavailable, postgres_server
from tracelight.store.workspace import Workspace

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for the session: $TRACELIGHT_TEST_PG_URL or a throwaway one."""
    external = os.environ.get("TRACELIGHT_TEST_PG_URL")
    if external:
        yield external
        return
    try:
        with postgres_server() as url:
            yield url
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")


def _fresh_database(server_url: str) -> str:
    name = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server: str = request.getfixturevalue("postgres_url")
    return _fresh_database(server)


@pytest.fixture
def workspace(tmp_path: Path, db_url: str) -> Workspace:
    return Workspace.resolve(tmp_path / "ws", db_url)


@pytest.fixture
def sqlite_workspace(tmp_path: Path) -> Workspace:
    return Workspace.resolve(tmp_path / "ws")
