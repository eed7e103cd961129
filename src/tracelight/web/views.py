"""What each page and API answer shows, built from organisation-scoped store reads.

Pages and the JSON API call the same functions here, so both show exactly the same data
to the same caller. A function returns ``None`` when the thing does not exist *or* is
not the caller's organisation's: the two look alike, so ids of other organisations'
data reveal nothing.
"""

from __future__ import annotations

import importlib.util
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection

from tracelight.store import repository as repo
from tracelight.store.search import fts5_query
from tracelight.web.accounts import Principal
from tracelight.web.text import Piece, pieces

REVIEW_STATES = ("open", "reviewed", "escalated", "dismissed")
CASE_STATES = ("open", "closed")


def risk_status(networks: list[dict[str, Any]]) -> str:
    """``absent`` (no risk module in this build), ``unscored`` or ``scored``.

    The triage queue says plainly which one holds, rather than showing unscored
    networks as if they had been ranked.
    """
    if importlib.util.find_spec("tracelight.risk") is None:
        return "absent"
    return "scored" if any(n.get("risk") is not None for n in networks) else "unscored"


def triage(conn: Connection, who: Principal, limit: int = 200) -> dict[str, Any]:
    networks = repo.org_networks(conn, who.org_id, limit)
    return {"networks": networks, "risk": risk_status(networks)}


def post(conn: Connection, who: Principal, post_id: str) -> dict[str, Any] | None:
    found = repo.org_post(conn, post_id, who.org_id)
    if found is None:
        return None
    mentions = repo.post_mentions(conn, post_id)
    by_field: dict[str, list[dict[str, Any]]] = {"title": [], "body": []}
    for mention in mentions:
        by_field.setdefault(mention["field"], []).append(mention)
    return {
        "post": found,
        "title_pieces": pieces(found.title, by_field["title"]),
        "body_pieces": pieces(found.body, by_field["body"]),
        "mentions": mentions,
        "selectors": repo.post_selectors(conn, post_id, who.org_id),
        "networks": repo.post_networks(conn, post_id),
        "images": repo.post_image_refs(conn, post_id),
        # Shared with us, not ours: read-only (no adding to a case, no passing it on).
        "shared_only": not repo.post_held(conn, post_id, who.org_id),
    }


def post_json(view: dict[str, Any]) -> dict[str, Any]:
    p = view["post"]
    return {
        "id": p.id,
        "source": p.source,
        "url": p.url,
        "posted_at": _iso(p.posted_at),
        "collected_at": _iso(p.collected_at),
        "title": p.title,
        "body": p.body,
        "location": p.location,
        "country": p.country,
        "language": p.language,
        "mentions": [
            {
                "kind": m["kind"],
                "value": m["value"],
                "field": m["field"],
                "start": m["span_start"],
                "end": m["span_end"],
                "text": m["text"],
                "method": m["method"],
                "confidence": m["confidence"],
            }
            for m in view["mentions"]
        ],
        "selectors": view["selectors"],
        "networks": view["networks"],
        "images": [
            {"uri": i["uri"], "sha256": i["sha256"], "status": i["status"]} for i in view["images"]
        ],
    }


def network(conn: Connection, who: Principal, network_id: str) -> dict[str, Any] | None:
    found = repo.org_network(conn, network_id, who.org_id)
    if found is None:
        return None
    found["movement"] = movement(found["posts"])
    # Seen only through a share: read-only here (no review, no case, no onward share).
    found["shared_only"] = not repo.network_in_org(conn, network_id, who.org_id)
    return found


def movement(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive stays in one place, in time order: how a network moves between cities."""
    stays: list[dict[str, Any]] = []
    for item in posts:
        place = item["location"] or "unknown place"
        if stays and stays[-1]["place"] == place:
            stays[-1]["last"] = item["posted_at"] or stays[-1]["last"]
            stays[-1]["posts"] += 1
        else:
            stays.append(
                {"place": place, "first": item["posted_at"], "last": item["posted_at"], "posts": 1}
            )
    return stays


def graph(view: dict[str, Any]) -> dict[str, Any]:
    """Cytoscape elements: one node per post and per selector, an edge per post-selector tie.

    Labels are plain data drawn on a canvas by cytoscape, never inserted as HTML.
    """
    nodes: list[dict[str, Any]] = [
        {"data": {"id": f"post:{p['id']}", "label": p["title"] or p["id"], "type": "post"}}
        for p in view["posts"]
    ]
    edges: list[dict[str, Any]] = []
    for s in view["selectors"]:
        sid = f"{s['kind']}:{s['value']}"
        nodes.append({"data": {"id": sid, "label": s["value"], "type": s["kind"]}})
        edges.extend(
            {"data": {"id": f"{sid}|{post_id}", "source": f"post:{post_id}", "target": sid}}
            for post_id in s["posts"]
        )
    return {"nodes": nodes, "edges": edges}


def network_json(view: dict[str, Any]) -> dict[str, Any]:
    out = dict(view)
    out["first_seen"] = _iso(view["first_seen"])
    out["last_seen"] = _iso(view["last_seen"])
    out["posts"] = [{**p, "posted_at": _iso(p["posted_at"])} for p in view["posts"]]
    out["movement"] = [
        {**m, "first": _iso(m["first"]), "last": _iso(m["last"])} for m in view["movement"]
    ]
    return out


def case(conn: Connection, who: Principal, case_id: int) -> dict[str, Any] | None:
    return repo.org_case(conn, case_id, who.org_id)


def add_to_case(conn: Connection, who: Principal, case_id: int, kind: str, ref: str) -> bool:
    """Add the organisation's own post or network to its own case; ``False`` if either
    is absent or another organisation's (nothing is written then). Data only shared with
    the organisation is read-only: it cannot enter the receiver's cases, where it would
    outlive a revoked share."""
    if repo.org_case(conn, case_id, who.org_id) is None:
        return False
    if kind == "post":
        owned = repo.post_held(conn, ref, who.org_id)
    elif kind == "network":
        owned = repo.network_in_org(conn, ref, who.org_id)
    else:
        return False
    if owned:
        repo.add_case_item(conn, case_id, kind, ref, who.user_id)
    return owned


# -- sharing between organisations ----------------------------------------------------

SHARE_PERMISSION = "case.write"
"""Sharing hands the organisation's data to another: the roles that work cases may."""


class ShareRefused(ValueError):
    """A share that cannot be made as asked (unknown or own organisation, bad kind)."""


def share_ref(kind: str, ref: str) -> str:
    """The reference as stored: trimmed, and a case id without leading zeros."""
    ref = ref.strip()
    return str(int(ref)) if kind == "case" and ref.isdigit() and len(ref) <= 18 else ref


def share(conn: Connection, who: Principal, kind: str, ref: str, org: str) -> int | None:
    """Share the organisation's own case, network or post with organisation ``org``.

    ``None`` when the thing is absent or not the organisation's own (shared with it
    counts as not its own: shares are not passed on), so the caller answers 404 as for
    any foreign id. Raises :class:`ShareRefused` for a request that cannot be right.
    """
    if kind not in repo.SHARE_KINDS:
        raise ShareRefused(f"kind must be one of {', '.join(repo.SHARE_KINDS)}")
    if not repo.share_target_held(conn, who.org_id, kind, ref):
        return None
    target = repo.org_by_name(conn, org.strip().lower())
    if target is None:
        raise ShareRefused(f"there is no organisation named {org!r}")
    if target == who.org_id:
        raise ShareRefused("that is your own organisation")
    return repo.add_share(conn, who.org_id, target, kind, ref, user_id=who.user_id)


def shared(conn: Connection, who: Principal) -> dict[str, Any]:
    """What other organisations share with the caller's, and what it shares with them."""
    return {
        "with_us": repo.shares_with(conn, who.org_id),
        "by_us": repo.shares_by(conn, who.org_id),
    }


# -- saved searches and alerts ---------------------------------------------------------


def save_search(
    conn: Connection, who: Principal, name: str, query: str, filters: repo.SearchFilters
) -> int:
    """Save a search of the caller's; the query must parse (the same parser as search),
    else :class:`tracelight.store.search.SearchQueryError`."""
    fts5_query(query)
    label = name.strip() or query.strip()
    return repo.insert_saved_search(
        conn, who.org_id, who.user_id, name=label, query=query, filters=filters
    )


def alerts(conn: Connection, who: Principal, *, unread_only: bool = False) -> dict[str, Any]:
    return {
        "alerts": repo.user_alerts(conn, who.user_id, who.org_id, unread_only=unread_only),
        "saved": repo.user_saved_searches(conn, who.user_id),
        "unread": repo.unread_alert_count(conn, who.user_id, who.org_id),
    }


def search_link(saved: dict[str, Any]) -> str:
    """The /search address that runs a saved search again, filters and all."""
    filters = saved.get("filters") or {}
    params = {"q": saved["query"]}
    for key in ("country", "source"):
        if filters.get(key):
            params[key] = filters[key]
    for key in ("since", "until"):
        if filters.get(key):
            params[key] = str(filters[key])[:10]
    return "/search?" + urlencode(params)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def jsonable(value: Any) -> Any:
    """Datetimes as ISO text, recursively, for JSON answers built from store rows."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Piece):
        return value.text
    return value
