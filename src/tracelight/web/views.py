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

from sqlalchemy import Connection

from tracelight.store import repository as repo
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
    is absent or another organisation's (nothing is written then)."""
    if repo.org_case(conn, case_id, who.org_id) is None:
        return False
    if kind == "post":
        owned = repo.org_post(conn, ref, who.org_id) is not None
    elif kind == "network":
        owned = repo.network_in_org(conn, ref, who.org_id)
    else:
        return False
    if owned:
        repo.add_case_item(conn, case_id, kind, ref, who.user_id)
    return owned


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
