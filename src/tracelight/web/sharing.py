"""Making and revoking shares: one implementation behind the page forms and the API.

Both front ends must check the same permission, audit the same actions and refuse a
foreign or missing id with the same 404, so the steps live here and the routes only
turn the outcome into a redirect or a JSON answer.
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from tracelight.store import repository as repo
from tracelight.web import views
from tracelight.web.accounts import Principal
from tracelight.web.context import log, log_denied, need, web


def create(request: Request, who: Principal, kind: str, ref: str, org: str) -> tuple[int, str]:
    """Share the organisation's own ``kind``/``ref`` with ``org``: (share id, clean ref).

    422 for a refused target (unknown organisation, one's own), 404 for something the
    organisation does not hold.
    """
    need(who, views.SHARE_PERMISSION)
    ref = views.share_ref(kind, ref)
    try:
        with web(request).engine.begin() as conn:
            share_id = views.share(conn, who, kind, ref, org)
            if share_id is not None:
                log(conn, request, who, "share.create", f"{kind}/{ref}",
                    {"to": org.strip().lower(), "share": share_id})  # fmt: skip
    except views.ShareRefused as exc:
        raise HTTPException(422, str(exc)) from exc
    if share_id is None:
        log_denied(request, who, f"{kind}/{ref}")
        raise HTTPException(404, f"no such {kind}")
    return share_id, ref


def revoke(request: Request, who: Principal, share_id: int) -> None:
    """End a share the organisation made; 404 for a share it did not make."""
    need(who, views.SHARE_PERMISSION)
    with web(request).engine.begin() as conn:
        found = repo.get_share(conn, share_id, who.org_id)
        revoked = found is not None and repo.revoke_share(conn, share_id, who.org_id, who.user_id)
        if found is not None and revoked:
            log(conn, request, who, "share.revoke", f"{found['kind']}/{found['ref']}",
                {"share": share_id})  # fmt: skip
    if not revoked:
        log_denied(request, who, f"share/{share_id}")
        raise HTTPException(404, "no such share")
