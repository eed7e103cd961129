"""Deleting a saved search: one implementation behind the page form and the API, so
both check the same permission, audit the same action and answer a foreign or missing
id with the same 404 (as :mod:`tracelight.web.sharing` does for shares)."""

from __future__ import annotations

from fastapi import HTTPException, Request

from tracelight.store import repository as repo
from tracelight.web.accounts import Principal
from tracelight.web.context import log, log_denied, need, web


def delete(request: Request, who: Principal, saved_id: int) -> None:
    """Delete one of the user's saved searches; 404 for anyone else's or a missing one."""
    need(who, "search")
    with web(request).engine.begin() as conn:
        deleted = repo.delete_saved_search(conn, saved_id, who.user_id)
        if deleted:
            log(conn, request, who, "search.delete", f"saved-search/{saved_id}")
    if not deleted:
        log_denied(request, who, f"saved-search/{saved_id}")
        raise HTTPException(404, "no such saved search")
