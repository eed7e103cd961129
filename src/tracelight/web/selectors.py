"""The selector page and its API: one phone, e-mail, handle, wallet, image or face
across the organisation's posts.

An analyst asks of a phone number: where else does it appear, since when, in which
cities, under which names and ages, in which networks, and is it a hub the linker set
aside. Only the organisation's posts answer (the query is org-scoped in
:mod:`tracelight.store.investigate`); a selector none of its posts carries is a 404
exactly like one that does not exist, and is audited as ``denied``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, Response

from tracelight.store import investigate
from tracelight.web.accounts import Principal
from tracelight.web.context import api_user, csrf_guard, log, log_denied, need, page_user, web
from tracelight.web.render import templates
from tracelight.web.views import jsonable

pages = APIRouter(dependencies=[Depends(csrf_guard)], default_response_class=HTMLResponse)
api = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_guard)], tags=["api"])
router = APIRouter()

Kind = Annotated[str, Path(max_length=16)]
Value = Annotated[str, Path(min_length=1, max_length=500)]


def selector_view(request: Request, who: Principal, kind: str, value: str) -> dict[str, Any]:
    """The selector as the caller's organisation sees it, read and audited together;
    a 404 (audited as ``denied``) when none of its posts carries it."""
    need(who, "read")
    target = f"selector/{kind}/{value}"
    with web(request).engine.begin() as conn:
        view = investigate.org_selector(conn, kind, value, who.org_id)
        if view is not None:
            log(conn, request, who, "view.selector", target, {"posts": len(view["posts"])})
    if view is None:
        log_denied(request, who, target)
        raise HTTPException(404, "no such selector")
    return view


@pages.get("/selectors/{kind}/{value:path}")
def selector_page(
    request: Request,
    who: Annotated[Principal, Depends(page_user)],
    kind: Kind,
    value: Value,
) -> Response:
    view = selector_view(request, who, kind, value)
    context = {"user": who, "csrf": who.csrf, "s": view}
    return templates.TemplateResponse(request, "selector.html", context)


@api.get("/selectors/{kind}/{value:path}")
def selector_api(
    request: Request,
    who: Annotated[Principal, Depends(api_user)],
    kind: Kind,
    value: Value,
) -> dict[str, Any]:
    """Every post of the organisation carrying the selector, with first and last seen,
    places, personas (names, ages), networks and the hub verdict."""
    return dict(jsonable(selector_view(request, who, kind, value)))


router.include_router(pages)
router.include_router(api)
