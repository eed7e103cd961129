"""The triage queue's first page, found by walking networks in index order, equals the
first page of ranking every network (SQLite and PostgreSQL).

The walk (``repository._triage_candidates``) only reads ``networks`` in (risk, size)
order and adds the networks tied at the boundary risk; a mistake there shows up as a
network missing from, or wrongly placed on, a page. The store is filled directly with
many ties in risk and size, unscored networks and networks split between two
organisations, so the boundary cases occur at many page sizes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from random import Random
from typing import Any

from sqlalchemy import insert, select

from tracelight.store import repository as repo
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _fill(conn: Any, rng: Random) -> tuple[int, int]:
    orgs = []
    for name in ("north", "south"):
        orgs.append(
            conn.execute(
                insert(t.organisations).values(name=name, created_at=NOW)
            ).inserted_primary_key[0]
        )
    posts: list[dict[str, Any]] = []
    holders: list[dict[str, Any]] = []
    networks: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    scores: list[dict[str, Any]] = []
    serial = 0
    for k in range(260):
        size = rng.choice([2, 2, 3, 3, 4, 5, 8])
        risk = rng.choice([None, 0.2, 0.5, 0.5, 0.5, 0.9, 0.9])
        nid = f"n{k:04d}"
        networks.append({"id": nid, "size": size, "selector_count": 1, "risk": risk, "reasons": []})
        if risk is not None:
            scores.append(
                {"network_id": nid, "risk": risk, "reasons": [], "model": "m", "scored_at": NOW}
            )
        for _ in range(size):
            serial += 1
            pid = f"p{serial:05d}"
            posts.append({"id": pid, "source": "s", "extra": {}, "origin": "o", "locator": pid})
            members.append({"network_id": nid, "post_id": pid})
            for org in orgs:
                if rng.random() < 0.45:
                    holders.append({"post_id": pid, "org_id": org, "added_at": NOW})
    conn.execute(insert(t.posts), posts)
    conn.execute(insert(t.post_orgs), holders)
    conn.execute(insert(t.networks), networks)
    conn.execute(insert(t.network_posts), members)
    conn.execute(insert(t.network_risk), scores)
    return orgs[0], orgs[1]


def _ranked_in_full(conn: Any, org_id: int) -> list[str]:
    """Every network with one of the organisation's posts, ordered as the queue is:
    risk (unscored last), then the organisation's own posts in it, then id."""
    held = {
        row.post_id
        for row in conn.execute(select(t.post_orgs.c.post_id).where(t.post_orgs.c.org_id == org_id))
    }
    risk = {row.id: row.risk for row in conn.execute(select(t.networks.c.id, t.networks.c.risk))}
    own: dict[str, int] = {}
    for row in conn.execute(select(t.network_posts)):
        own[row.network_id] = own.get(row.network_id, 0) + (row.post_id in held)
    mine = [n for n, count in own.items() if count > 0]
    return sorted(mine, key=lambda n: (risk[n] is None, -(risk[n] or 0.0), -own[n], n))


def test_first_page_equals_ranking_every_network(workspace: Workspace) -> None:
    engine = open_engine(workspace.db_url)
    try:
        with engine.begin() as conn:
            north, south = _fill(conn, Random(5))
        with engine.connect() as conn:
            for org in (north, south):
                full = _ranked_in_full(conn, org)
                assert len(full) > 200  # more than one walking window at small pages
                for limit in (1, 2, 7, 25, 60, 140, 400):
                    page = [n["id"] for n in repo.org_networks(conn, org, limit)]
                    assert page == full[:limit], (org, limit)
    finally:
        engine.dispose()
