"""The JSON API under /api/v1, for scripts: the same views, rules and audit as the pages.

Authenticate with ``Authorization: Bearer <token>`` (``tracelight users token``) or a
browser session plus the ``X-CSRF-Token`` header for changes. The OpenAPI document is
at /openapi.json.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from tracelight.store import repository as repo
from tracelight.store.search import SearchQueryError
from tracelight.web import saved_search, sharing, views
from tracelight.web.accounts import Principal
from tracelight.web.context import api_user, csrf_guard, log, log_denied, log_read, need, web
from tracelight.web.text import plain_snippet

router = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_guard)], tags=["api"])
User = Annotated[Principal, Depends(api_user)]
Json = dict[str, Any]


class ReviewIn(BaseModel):
    status: str = Field(pattern="^(open|reviewed|escalated|dismissed)$")


class CaseIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class CaseItemIn(BaseModel):
    kind: str = Field(pattern="^(post|network)$")
    ref: str = Field(min_length=1, max_length=64)


class NoteIn(BaseModel):
    body: str = Field(min_length=1, max_length=10_000)


class StatusIn(BaseModel):
    status: str = Field(pattern="^(open|closed)$")


class ShareIn(BaseModel):
    kind: str = Field(pattern="^(case|network|post)$")
    ref: str = Field(min_length=1, max_length=64)
    org: str = Field(min_length=1, max_length=64, description="the receiving organisation")


class SavedSearchIn(BaseModel):
    q: str = Field(min_length=1, max_length=500)
    name: str = Field(default="", max_length=200)
    country: str | None = Field(default=None, max_length=2)
    source: str | None = Field(default=None, max_length=200)
    since: datetime | None = None
    until: datetime | None = None


@router.get("/me")
def me(who: User) -> Json:
    """The caller: username, role, organisation and what the role allows."""
    from tracelight.web.security import ROLES

    return {
        "username": who.username,
        "role": who.role,
        "organisation": who.org,
        "permissions": sorted(ROLES[who.role]),
    }


@router.get("/triage")
def triage(request: Request, who: User, limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> Json:
    """The organisation's networks, riskiest first, with reasons and review state."""
    need(who, "read")
    with web(request).engine.begin() as conn:
        view = views.triage(conn, who, limit)
        log(conn, request, who, "view.triage", "triage", {"networks": len(view["networks"])})
    return {"risk": view["risk"], "networks": views.jsonable(view["networks"])}


@router.post("/triage/{network_id}")
def review(request: Request, who: User, network_id: str, body: ReviewIn) -> Json:
    """Record the organisation's decision on a network: reviewed, escalated, dismissed."""
    need(who, "triage.write")
    with web(request).engine.begin() as conn:
        found = repo.network_in_org(conn, network_id, who.org_id)
        if found:
            repo.set_network_review(conn, who.org_id, network_id, body.status, who.user_id)
            log(conn, request, who, "triage.review", f"network/{network_id}",
                {"status": body.status})  # fmt: skip
    if not found:
        log_denied(request, who, f"network/{network_id}")
        raise HTTPException(404, "no such network")
    return {"network": network_id, "review": body.status}


@router.get("/search")
def search(
    request: Request,
    who: User,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    country: Annotated[str | None, Query(max_length=2)] = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> Json:
    """Full-text search over the organisation's posts (words, "phrases", OR, -excluded)."""
    need(who, "search")
    filters = repo.SearchFilters(
        country=country,
        source=source,
        since=_utc(since),
        until=_utc(until),
    )
    with web(request).engine.connect() as conn:
        try:
            hits = repo.org_search(conn, q, who.org_id, limit, filters)
        except SearchQueryError as exc:
            raise HTTPException(422, str(exc)) from exc
    log_read(request, who, "search", q, {"country": country, "source": source})
    return {
        "query": q,
        "hits": [
            {
                "post": h.post_id,
                "source": h.source,
                "title": h.title,
                "location": h.location,
                "posted_at": h.posted_at.isoformat() if h.posted_at else None,
                "snippet": plain_snippet(h.snippet),
            }
            for h in hits
        ],
    }


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@router.get("/posts/{post_id}")
def post(request: Request, who: User, post_id: str) -> Json:
    """A post as collected, with its mentions (exact spans), selectors and networks."""
    need(who, "read")
    with web(request).engine.connect() as conn:
        view = views.post(conn, who, post_id)
    if view is None:
        log_denied(request, who, f"post/{post_id}")
        raise HTTPException(404, "no such post")
    log_read(request, who, "view.post", f"post/{post_id}")
    return views.post_json(view)


@router.get("/networks/{network_id}")
def network(request: Request, who: User, network_id: str) -> Json:
    """A network as the organisation may see it: its posts, selectors, evidence, movement."""
    need(who, "read")
    with web(request).engine.connect() as conn:
        view = views.network(conn, who, network_id)
    if view is None:
        log_denied(request, who, f"network/{network_id}")
        raise HTTPException(404, "no such network")
    log_read(request, who, "view.network", f"network/{network_id}")
    return views.network_json(view)


@router.get("/networks/{network_id}/graph")
def network_graph(request: Request, who: User, network_id: str) -> Json:
    """The network as graph elements (posts and selectors) for the network page."""
    need(who, "read")
    with web(request).engine.connect() as conn:
        view = views.network(conn, who, network_id)
    if view is None:
        log_denied(request, who, f"network/{network_id}")
        raise HTTPException(404, "no such network")
    log_read(request, who, "view.network", f"network/{network_id}", {"part": "graph"})
    return views.graph(view)


@router.get("/cases")
def cases(request: Request, who: User) -> Json:
    need(who, "read")
    with web(request).engine.begin() as conn:
        found = repo.org_cases(conn, who.org_id)
        log(conn, request, who, "view.cases", "cases")
    return {"cases": views.jsonable(found)}


@router.post("/cases", status_code=201)
def case_create(request: Request, who: User, body: CaseIn) -> Json:
    need(who, "case.write")
    with web(request).engine.begin() as conn:
        case_id = repo.insert_case(conn, who.org_id, body.title, who.user_id)
        log(conn, request, who, "case.create", f"case/{case_id}", {"title": body.title})
    return {"case": case_id}


@router.get("/cases/{case_id}")
def case(request: Request, who: User, case_id: int) -> Json:
    need(who, "read")
    with web(request).engine.begin() as conn:
        found = views.case(conn, who, case_id)
        if found is not None:
            log(conn, request, who, "view.case", f"case/{case_id}")
    if found is None:
        log_denied(request, who, f"case/{case_id}")
        raise HTTPException(404, "no such case")
    return dict(views.jsonable(found))


@router.post("/cases/{case_id}/items", status_code=201)
def case_add(request: Request, who: User, case_id: int, body: CaseItemIn) -> Json:
    """Add one of the organisation's posts or networks to one of its cases."""
    need(who, "case.write")
    with web(request).engine.begin() as conn:
        added = views.add_to_case(conn, who, case_id, body.kind, body.ref)
        if added:
            log(conn, request, who, "case.add", f"case/{case_id}",
                {"kind": body.kind, "ref": body.ref})  # fmt: skip
    if not added:
        log_denied(request, who, f"case/{case_id}/{body.kind}/{body.ref}")
        raise HTTPException(404, "no such case, post or network")
    return {"case": case_id, "kind": body.kind, "ref": body.ref}


@router.post("/cases/{case_id}/notes", status_code=201)
def case_note(request: Request, who: User, case_id: int, body: NoteIn) -> Json:
    need(who, "case.write")
    with web(request).engine.begin() as conn:
        found = views.case(conn, who, case_id) is not None
        if found:
            repo.add_case_note(conn, case_id, body.body, who.user_id)
            log(conn, request, who, "case.note", f"case/{case_id}")
    if not found:
        log_denied(request, who, f"case/{case_id}")
        raise HTTPException(404, "no such case")
    return {"case": case_id}


@router.post("/cases/{case_id}/status")
def case_status(request: Request, who: User, case_id: int, body: StatusIn) -> Json:
    need(who, "case.write")
    with web(request).engine.begin() as conn:
        found = views.case(conn, who, case_id) is not None
        if found:
            repo.set_case_status(conn, case_id, body.status)
            log(conn, request, who, "case.status", f"case/{case_id}", {"status": body.status})
    if not found:
        log_denied(request, who, f"case/{case_id}")
        raise HTTPException(404, "no such case")
    return {"case": case_id, "status": body.status}


@router.get("/audit")
def audit(
    request: Request,
    who: User,
    username: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> Json:
    """The organisation's audit entries, newest first (auditors and admins)."""
    need(who, "audit.read")
    with web(request).engine.begin() as conn:
        entries = repo.list_audit(conn, who.org_id, username=username, action=action, limit=limit)
        log(conn, request, who, "view.audit", "audit", {"username": username, "action": action})
    return {"entries": views.jsonable(entries)}


# -- sharing between organisations -----------------------------------------------------


def _share_json(share: dict[str, Any]) -> Json:
    out = {
        "share": share["id"],
        "kind": share["kind"],
        "ref": share["ref"],
        "organisation": share["org"],
        "shared_by": share["shared_by"],
        "created_at": share["created_at"].isoformat() if share["created_at"] else None,
    }
    if share["kind"] == "case":
        out["case_title"] = share["case_title"]
    if "items" in share:
        out["items"] = share["items"]
    return out


@router.get("/shares")
def shares(request: Request, who: User) -> Json:
    """Standing shares: made to the caller's organisation (read-only for it; each names
    the owner) and made by it (each names the receiver)."""
    need(who, "read")
    with web(request).engine.begin() as conn:
        view = views.shared(conn, who)
        log(conn, request, who, "view.shared", "shared", {"with_us": len(view["with_us"])})
    return {
        "shared_with_us": [_share_json(s) for s in view["with_us"]],
        "shared_by_us": [_share_json(s) for s in view["by_us"]],
    }


@router.post("/shares", status_code=201)
def share_create(request: Request, who: User, body: ShareIn) -> Json:
    """Share one of the organisation's own cases (with its posts and networks), networks
    or posts with another organisation, read-only."""
    share_id, ref = sharing.create(request, who, body.kind, body.ref, body.org)
    return {"share": share_id, "kind": body.kind, "ref": ref, "organisation": body.org}


@router.delete("/shares/{share_id}")
def share_revoke(request: Request, who: User, share_id: int) -> Json:
    """End a share the organisation made; the receiver loses access at once."""
    sharing.revoke(request, who, share_id)
    return {"share": share_id, "revoked": True}


# -- saved searches and alerts ---------------------------------------------------------


def _saved_json(saved: dict[str, Any]) -> Json:
    return {
        "saved_search": saved["id"],
        "name": saved["name"],
        "query": saved["query"],
        "filters": saved["filters"],
        "created_at": saved["created_at"].isoformat() if saved["created_at"] else None,
        "unread": saved["unread"],
    }


@router.get("/saved-searches")
def saved_searches(request: Request, who: User) -> Json:
    need(who, "search")
    with web(request).engine.begin() as conn:
        found = repo.user_saved_searches(conn, who.user_id)
    return {"saved_searches": [_saved_json(s) for s in found]}


@router.post("/saved-searches", status_code=201)
def saved_search_create(request: Request, who: User, body: SavedSearchIn) -> Json:
    """Save a search (the query and filters of ``GET /search``): each post that a later
    ingest brings the organisation and that it finds raises an alert."""
    need(who, "search")
    filters = repo.SearchFilters(
        country=body.country or None,
        source=body.source or None,
        since=_utc(body.since),
        until=_utc(body.until),
    )
    try:
        with web(request).engine.begin() as conn:
            saved_id = views.save_search(conn, who, body.name, body.q, filters)
            log(conn, request, who, "search.save", f"saved-search/{saved_id}",
                {"query": body.q})  # fmt: skip
    except SearchQueryError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"saved_search": saved_id}


@router.delete("/saved-searches/{saved_id}")
def saved_search_delete(request: Request, who: User, saved_id: int) -> Json:
    saved_search.delete(request, who, saved_id)
    return {"saved_search": saved_id, "deleted": True}


@router.get("/alerts")
def alerts(
    request: Request,
    who: User,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Json:
    """The caller's alerts, newest first: which saved search found which new post, when."""
    need(who, "search")
    with web(request).engine.begin() as conn:
        found = repo.user_alerts(conn, who.user_id, who.org_id, unread_only=unread, limit=limit)
        count = repo.unread_alert_count(conn, who.user_id, who.org_id)
        log(conn, request, who, "view.alerts", "alerts", {"unread": count})
    return {
        "unread": count,
        "alerts": [
            {
                "alert": a["id"],
                "saved_search": a["saved_search_id"],
                "name": a["name"],
                "query": a["query"],
                "post": a["post_id"],
                "title": a["title"],
                "source": a["source"],
                "raised_at": a["raised_at"].isoformat() if a["raised_at"] else None,
                "read_at": a["read_at"].isoformat() if a["read_at"] else None,
            }
            for a in found
        ],
    }


@router.post("/alerts/read")
def alerts_read_all(request: Request, who: User) -> Json:
    need(who, "search")
    with web(request).engine.begin() as conn:
        changed = repo.mark_alerts_read(conn, who.user_id)
        log(conn, request, who, "alert.read", "alert/all", {"changed": changed})
    return {"read": changed}


@router.post("/alerts/{alert_id}/read")
def alert_read(request: Request, who: User, alert_id: int) -> Json:
    need(who, "search")
    with web(request).engine.begin() as conn:
        found = repo.alert_exists(conn, who.user_id, alert_id)
        if found:
            changed = repo.mark_alerts_read(conn, who.user_id, alert_id)
            log(conn, request, who, "alert.read", f"alert/{alert_id}", {"changed": changed})
    if not found:
        log_denied(request, who, f"alert/{alert_id}")
        raise HTTPException(404, "no such alert")
    return {"alert": alert_id, "read": True}
