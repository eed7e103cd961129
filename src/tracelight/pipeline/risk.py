"""The score stage: network risk with reasons, and the analysts' triage marks.

:func:`score_networks` runs at the end of ``analyze``, in the link transaction, so the
scores always belong to the networks just built. It can also run on its own
(:func:`ensure_scored`): when an organisation changes its weights (``risk.json`` in the
workspace) every stored score carries the fingerprint of an older model, and the next
read scores the networks again rather than show numbers the configuration no longer
gives.

Triage marks (reviewed, escalated, dismissed, or open again) are appended, never
updated, and each made here is also written to the evidence ledger: an analyst's
decision on a network is an action a court may ask about. They are an organisation's
decisions and share one table with the web app's reviews (whose audit entries enter the
ledger), so either interface shows the other's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as DbEngine

from tracelight.ledger.evidence import Item, canonical_json, evidence_store, record
from tracelight.model import Mention
from tracelight.risk import LinkRef, RiskModel, RiskScore, load_model, score_network
from tracelight.risk.model import CONFIG_NAME
from tracelight.store import repository as repo
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace

RISK_KINDS = ("indicator", "age", "name", "phone", "location")
"""The mention kinds the network features read."""
STATES = ("reviewed", "escalated", "dismissed", "open")
PAGE = 500


@dataclass(frozen=True, slots=True)
class RiskSummary:
    networks: int
    model: str
    above_half: int


def risk_model(workspace: Workspace) -> RiskModel:
    """The shipped model with the workspace's ``risk.json`` overrides, if any."""
    return load_model(workspace.root / CONFIG_NAME)


def iter_scores(
    conn: Connection, model: RiskModel, network_ids: Sequence[str] | None = None
) -> Iterator[tuple[str, RiskScore]]:
    """Score every stored network (or those of ``network_ids``) from its mentions,
    profile and link evidence.

    Networks are read a page at a time, so memory follows the page, not the store.
    """
    members = repo.network_members_by_time(conn, network_ids)
    ids = sorted(members)
    for start in range(0, len(ids), PAGE):
        page = ids[start : start + PAGE]
        details = repo.network_details(conn, page)
        found: dict[str, list[Mention]] = defaultdict(list)
        for network_id, mention in repo.iter_network_mentions(conn, RISK_KINDS, page):
            found[network_id].append(mention)
        for network_id in page:
            evidence, profile, _ = details.get(network_id, ([], {}, None))
            links = [LinkRef(e["kind"], e["value"], tuple(e["posts"])) for e in evidence]
            yield (
                network_id,
                score_network(
                    members[network_id], found.get(network_id, []), profile, links, model
                ),
            )


def score_networks(
    conn: Connection,
    *,
    model: RiskModel | None = None,
    run_id: int | None = None,
    only: Collection[str] | None = None,
) -> RiskSummary:
    """Score networks in ``conn``'s transaction and store the scores with their reasons:
    all of them, or ``only`` those (plus any network without a score of this model).

    A score depends only on the network's own members, their mentions, its profile
    and its evidence, so an incremental ``analyze`` passes the networks it rewrote and
    those holding a post it extracted again; every other network keeps its score.
    Rescoring every network each run cost a third of a 10k batch's ``analyze`` at 100k
    posts. The summary counts the networks scored now."""
    model = model or load_model(None)
    ids: list[str] | None = None
    if only is not None:
        ids = sorted(set(only) | set(repo.unscored_networks(conn, model.fingerprint())))
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = [
        {
            "network_id": network_id,
            "risk": round(score.risk, 6),
            "reasons": [r.as_json() for r in score.reasons],
            "model": score.model,
            "scored_at": now,
            "run_id": run_id,
        }
        for network_id, score in iter_scores(conn, model, ids)
    ]
    if ids is None:
        repo.replace_network_risk(conn, rows)
    else:
        repo.rescore_network_risk(conn, rows)
    return RiskSummary(
        networks=len(rows),
        model=model.fingerprint(),
        above_half=sum(1 for r in rows if float(r["risk"]) >= 0.5),
    )


def ensure_scored(store: DbEngine, model: RiskModel) -> RiskSummary | None:
    """Score again when any network lacks a score by ``model``; None when all are fresh."""
    with store.connect() as conn:
        stale = repo.risk_staleness(conn, model.fingerprint())
    if not stale:
        return None
    with store.begin() as conn:
        return score_networks(conn, model=model)


def mark_network(
    workspace: Workspace,
    network_id: str,
    state: str,
    analyst: str,
    note: str = "",
    *,
    org: str = repo.DEFAULT_ORG,
) -> dict[str, Any]:
    """Record an analyst's decision on a network for organisation ``org``, in the store
    and in the ledger. When ``analyst`` is the username of one of the organisation's
    accounts the mark names that user too, as a web review does."""
    if state not in STATES:
        raise ValueError(f"state must be one of {', '.join(STATES)}")
    store = open_engine(workspace.db_url)
    try:
        with store.begin() as conn:
            found = repo.network_exists(conn, network_id)
            if found is None:
                raise LookupError(f"no network {network_id!r}")
            size, risk = found
            org_id = repo.get_or_create_org(conn, org)
            account = repo.user_by_username(conn, analyst)
            user_id = int(account.id) if account is not None and account.org_id == org_id else None
            when = repo.add_triage_mark(
                conn,
                network_id,
                state=state,
                analyst=analyst,
                note=note,
                risk=risk,
                size=size,
                org_id=org_id,
                user_id=user_id,
            )
            mark = {
                "network": network_id,
                "state": state,
                "analyst": analyst,
                "note": note,
                "marked_at": when.isoformat(),
                "risk": risk,
                "size": size,
                "org": org,
            }
            item = Item(canonical_json(mark), "triage", network_id)
            record(conn, evidence_store(workspace.root), [item], actor=analyst)
        return mark
    finally:
        store.dispose()


def marks_history(
    workspace: Workspace, network_id: str, org: str | None = None
) -> Sequence[dict[str, Any]]:
    """Every mark on a network, oldest first: of one organisation, or of all of them
    (each names its ``org``), from the CLI and the web app alike."""
    store = open_engine(workspace.db_url)
    try:
        with store.connect() as conn:
            org_id = repo.org_by_name(conn, org) if org is not None else None
            if org is not None and org_id is None:
                return []
            return repo.triage_marks(conn, network_id, org_id)
    finally:
        store.dispose()
