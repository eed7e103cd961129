"""Read-side services: what the CLI, and later the web app, show about a store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from tracelight.pipeline.risk import ensure_scored, risk_model
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
    reasons: list[dict[str, Any]]
    """Risk reasons: one sentence each (``text``), the indicator, weight and contribution,
    and the ``spans`` or ``links`` behind it (see :mod:`tracelight.risk.score`)."""
    evidence: list[dict[str, Any]] = field(default_factory=list)
    """The links that join the network, one per join: kind, value, weight, the two posts."""
    features: dict[str, Any] = field(default_factory=dict)
    template: dict[str, Any] | None = None
    state: dict[str, Any] | None = None
    """The analyst's latest triage mark, if any."""
    cities: list[str] = field(default_factory=list)
    """Cities as the location extractor normalised them (``Houston, US``), in time order;
    ``places`` are the posts' location fields as written."""

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
            "triage": self.state,
        }


def _reports(conn: Connection, top: int | None, org: str = repo.DEFAULT_ORG) -> list[NetworkReport]:
    views = repo.list_networks(conn, top)
    ids = [v.id for v in views]
    places = repo.network_cities(conn, ids)
    details = repo.network_details(conn, ids)
    scores = repo.network_risk(conn, ids)
    # Triage marks are an organisation's decisions (the web app's and the CLI's alike).
    marks = repo.latest_triage_marks(conn, repo.org_by_name(conn, org))
    cities = repo.network_mention_values(conn, ids, "location")
    out: list[NetworkReport] = []
    for v in views:
        evidence, features, template = details.get(v.id, ([], {}, None))
        scored = scores.get(v.id)
        mark = marks.get(v.id)
        out.append(
            NetworkReport(
                id=v.id,
                size=v.size,
                posts=v.post_ids,
                selectors=v.selectors,
                places=places.get(v.id, []),
                first_seen=v.first_seen,
                last_seen=v.last_seen,
                risk=scored["risk"] if scored else None,
                reasons=scored["reasons"] if scored else [],
                evidence=evidence,
                features=features,
                template=template,
                state=_mark_json(mark) if mark else None,
                cities=cities.get(v.id, []),
            )
        )
    return out


def _mark_json(mark: dict[str, Any]) -> dict[str, Any]:
    return {
        "state": mark["state"],
        "analyst": mark["analyst"],
        "note": mark["note"],
        "marked_at": mark["marked_at"].isoformat() if mark["marked_at"] else None,
        "risk_then": mark["risk"],
        "size_then": mark["size"],
    }


def _fresh(workspace: Workspace) -> None:
    """Score the networks again if the workspace's risk model changed since they were."""
    engine = open_engine(workspace.db_url)
    try:
        ensure_scored(engine, risk_model(workspace))
    finally:
        engine.dispose()


def networks(
    workspace: Workspace, top: int | None, org: str = repo.DEFAULT_ORG
) -> list[NetworkReport]:
    """Networks, riskiest first (then largest), with risk reasons, link evidence and
    organisation ``org``'s latest triage mark."""
    _fresh(workspace)
    return _read(workspace, lambda conn: _reports(conn, top, org))


REOPEN_GROWTH = 1.5
"""A closed network is back in the queue when it has grown by this factor since the mark."""
REOPEN_RISE = 0.1
"""... or when its risk has risen by this much."""
OPEN_STATES = frozenset({"open", "escalated"})
"""Marks that keep a network in the queue."""


def reopened(report: NetworkReport) -> bool:
    """Whether a reviewed or dismissed network changed enough to be looked at again."""
    mark = report.state
    if mark is None or mark["state"] in OPEN_STATES:
        return False
    size_then = mark.get("size_then") or report.size
    risk_then = mark.get("risk_then")
    grew = report.size >= REOPEN_GROWTH * size_then
    rose = (
        report.risk is not None and risk_then is not None and report.risk >= risk_then + REOPEN_RISE
    )
    return grew or rose


def triage(
    workspace: Workspace,
    top: int | None,
    include_closed: bool = False,
    org: str = repo.DEFAULT_ORG,
) -> list[NetworkReport]:
    """Organisation ``org``'s queue: networks by risk; reviewed and dismissed ones left
    out unless they have changed since (see :func:`reopened`) or ``include_closed``.
    Escalated ones stay, and so do ones marked open again (the web app's "reopen")."""
    _fresh(workspace)

    def query(conn: Connection) -> list[NetworkReport]:
        everything = _reports(conn, None, org)
        queue = [
            r
            for r in everything
            if include_closed or r.state is None or r.state["state"] in OPEN_STATES or reopened(r)
        ]
        return queue[:top] if top else queue

    return _read(workspace, query)


def hubs(workspace: Workspace) -> list[tuple[str, str, int]]:
    return _read(workspace, repo.list_hubs)


def hub_details(workspace: Workspace) -> list[dict[str, Any]]:
    """Hubs with the reason each was set aside (degree, diverse, placeholder)."""
    return _read(workspace, repo.list_hub_details)


def search(workspace: Workspace, query: str, limit: int = 20) -> list[SearchHit]:
    return _read(workspace, lambda conn: search_posts(conn, query, limit))
