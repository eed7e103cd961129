"""A small two-organisation store for the web tests: generated ads, users of every role.

Organisation ``north`` collects four ads sharing one (fictional, 555) phone plus one
hostile ad; ``south`` collects three ads sharing another. Each organisation's posts form
its own network, so isolation can be checked on posts, networks and cases alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import ad, write_jsonl
from tracelight.pipeline.analyze import analyze
from tracelight.pipeline.engine import make_engine
from tracelight.pipeline.ingest import ingest_sources
from tracelight.store import repository as repo
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace
from tracelight.web import accounts

PASSWORD = "correct horse battery"
ROLES = ("admin", "analyst", "viewer", "auditor")

HOSTILE_TITLE = '<b onmouseover="window.__pwned=5">Hi</b> \u202egnp.exe'
HOSTILE_BODY = (
    "<script>window.__pwned=1;alert(1)</script> "
    '<img src=x onerror="window.__pwned=2"> '
    '<a href="javascript:window.__pwned=3">click</a> '
    '<svg onload="window.__pwned=4"><script>alert(4)</script></svg> '
    "call (415) 555-0101 \u202eevil\u202c now"
)


@dataclass
class WebWorld:
    workspace: Workspace
    posts: dict[str, list[str]] = field(default_factory=dict)
    networks: dict[str, list[str]] = field(default_factory=dict)
    hostile: str = ""


def build_world(root: Path) -> WebWorld:
    workspace = Workspace.resolve(root / "ws")
    north = [
        ad(i, body=f"Sweet girl {i} new in town call (415) 555-0101 kisses") for i in range(1, 5)
    ]
    north.append(
        ad(
            99,
            title=HOSTILE_TITLE,
            body=HOSTILE_BODY,
            url="javascript:alert(document.cookie)",
        )
    )
    south = [
        ad(
            i,
            title=f"Spa {i}",
            body=f"Relaxing massage {i} downtown call (212) 555-0199",
            location="New York",
        )
        for i in range(11, 14)
    ]
    world = WebWorld(workspace)
    engine = open_engine(workspace.db_url)
    try:
        for org, records in (("north", north), ("south", south)):
            source = write_jsonl(root / f"{org}.jsonl", records)
            ingest_sources(workspace, [source], engine=engine, org=org)
            with engine.begin() as conn:
                org_id = repo.org_by_name(conn, org)
                assert org_id is not None
                world.posts[org] = sorted(
                    conn.scalars(
                        select(t.post_orgs.c.post_id).where(t.post_orgs.c.org_id == org_id)
                    )
                )
        analyze(workspace, make_engine("serial"), db=engine)
        with engine.begin() as conn:
            for org in ("north", "south"):
                org_id = repo.org_by_name(conn, org)
                assert org_id is not None
                world.networks[org] = [n["id"] for n in repo.org_networks(conn, org_id, 50)]
                for role in ROLES:
                    accounts.add_user(conn, org, role, f"{org}-{role}", PASSWORD)
            world.hostile = next(
                p
                for p in conn.scalars(select(t.posts.c.id).where(t.posts.c.title == HOSTILE_TITLE))
            )
    finally:
        engine.dispose()
    return world


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> int:
    """Sign in through the login form as a browser would; returns the final status."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    return int(response.status_code)


def page_csrf(client: TestClient, path: str = "/cases") -> str:
    return csrf_of(client.get(path).text)
