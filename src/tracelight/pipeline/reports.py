"""Read-side services: what the CLI, and later the web app, show about a store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from tracelight.store import repository as repo
from tracelight.store.db import open_engine
from tracelight.store.search import SearchHit, search_posts
from tracelight.store.workspace import Workspace

T = TypeVar("T")


def _read(workspace: Workspace, fn: Callable[[Connection], T]) -> T:
    engine = open_engine(workspace.db_url)
    try:
        with engine.connect() as conn:
            return fn(conn)
    finally:
        engine.dispose()


def stats(workspace: Workspace) -> dict[str, int]:
    return _read(workspace, repo.stats)


@dataclass(frozen=True, slots=True)
class NetworkReport:
    id: str
    size: int
    posts: list[str]
    selectors: list[tuple[str, str]]
    places: list[str]
    first_seen: datetime | None
    last_seen: datetime | None
    risk: float | None
    reasons: list[str]
    evidence: list[dict[str, Any]] = field(default_factory=list)
    """The links that join the network, one per join: kind, value, weight, the two posts."""
    features: dict[str, Any] = field(default_factory=dict)
    template: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        """The stable, documented JSON shape of ``tracelight networks --json``."""
        return {
            "network": self.id,
            "posts": self.posts,
            "selectors": [{"kind": kind, "value": value} for kind, value in self.selectors],
            "risk": self.risk,
            "reasons": self.reasons,
            "size": self.size,
            "places": self.places,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "evidence": self.evidence,
            "features": self.features,
            "template": self.template,
        }


def networks(workspace: Workspace, top: int | None) -> list[NetworkReport]:
    def query(conn: Connection) -> list[NetworkReport]:
        views = repo.list_networks(conn, top)
        places = repo.network_cities(conn, [v.id for v in views])
        details = repo.network_details(conn, [v.id for v in views])
        return [
            NetworkReport(
                id=v.id,
                size=v.size,
                posts=v.post_ids,
                selectors=v.selectors,
                places=places.get(v.id, []),
                first_seen=v.first_seen,
                last_seen=v.last_seen,
                risk=v.risk,
                reasons=v.reasons,
                evidence=details.get(v.id, ([], {}, None))[0],
                features=details.get(v.id, ([], {}, None))[1],
                template=details.get(v.id, ([], {}, None))[2],
            )
            for v in views
        ]

    return _read(workspace, query)


def hubs(workspace: Workspace) -> list[tuple[str, str, int]]:
    return _read(workspace, repo.list_hubs)


def hub_details(workspace: Workspace) -> list[dict[str, Any]]:
    """Hubs with the reason each was set aside (degree, diverse, placeholder)."""
    return _read(workspace, repo.list_hub_details)


def search(workspace: Workspace, query: str, limit: int = 20) -> list[SearchHit]:
    return _read(workspace, lambda conn: search_posts(conn, query, limit))
