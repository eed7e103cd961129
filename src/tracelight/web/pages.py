"""The server-rendered pages: login, triage, search, post, network, cases, sharing,
saved searches and alerts, audit, users.

Handlers are thin: check the role, read through :mod:`tracelight.web.views` in one
transaction together with the audit entry, render. Forms post back to the same paths
with a CSRF token; htmx requests (``HX-Request``) get a fragment instead of a redirect.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tracelight.store import repository as repo
from tracelight.store.search import SearchQueryError
from tracelight.web import accounts, saved_search, sharing, views
from tracelight.web.accounts import Principal
from tracelight.web.context import (
    LOGIN_COOKIE,
    LOGIN_CSRF_SECONDS,
    SESSION_COOKIE,
    csrf_guard,
    current,
    log,
    log_denied,
    log_read,
    need,
    page_user,
    session_id,
    web,
)
from tracelight.web.render import templates
from tracelight.web.security import ROLES, AccountError, check_role, new_secret

router = APIRouter(dependencies=[Depends(csrf_guard)], default_response_class=HTMLResponse)
User = Annotated[Principal, Depends(page_user)]


def login_url(target: str) -> str:
    return "/login?next=" + quote(target, safe="/")


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never ``//host`` or a scheme (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _render(
    request: Request, name: str, who: Principal | None, status: int = 200, **context: Any
) -> Response:
    context.update(user=who, csrf=who.csrf if who else None)
    context.setdefault("alerts_unread", _unread_alerts(request, who))
    return templates.TemplateResponse(request, name, context, status_code=status)


def _unread_alerts(request: Request, who: Principal | None) -> int:
    """The count the navigation shows beside "Alerts" on every page."""
    if who is None or not who.can("search"):
        return 0
    with web(request).engine.connect() as conn:
        return repo.unread_alert_count(conn, who.user_id, who.org_id)


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=web(request).secure_cookies,
        path="/",
    )


# -- sign in and out -------------------------------------------------------------------


def _login_form(
    request: Request, next_path: str, message: str | None = None, status: int = 200
) -> Response:
    token = new_secret()
    response = _render(
        request, "login.html", None, status, login_csrf=token, next=next_path, message=message
    )
    signed = web(request).signer.dumps(token, salt="login")
    _cookie(response, request, LOGIN_COOKIE, str(signed), LOGIN_CSRF_SECONDS)
    return response


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if current(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_form(request, _safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=2000)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    state = web(request)
    client = request.client.host if request.client else "unknown"
    with state.engine.begin() as conn:
        outcome = accounts.login(conn, username, password, client, state.ledger_root)
        if outcome.principal is not None:
            sid, _csrf = accounts.start_session(conn, outcome.principal)
    if outcome.status == "throttled":
        message = "Too many failed sign-ins: wait 15 minutes and try again."
        return _login_form(request, _safe_next(next), message, 429)
    if outcome.principal is None:
        return _login_form(request, _safe_next(next), "Wrong username or password.", 401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    _cookie(response, request, SESSION_COOKIE, str(state.signer.dumps(sid, salt="session")),
            int(accounts.SESSION_LIFETIME.total_seconds()))  # fmt: skip
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, who: User) -> Response:
    sid = session_id(request)
    with web(request).engine.begin() as conn:
        if sid is not None:
            accounts.end_session(conn, sid)
        log(conn, request, who, "logout", who.username)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(who: User) -> Response:
    return RedirectResponse("/audit" if who.role == "auditor" else "/triage", status_code=303)


# -- triage ----------------------------------------------------------------------------


@router.get("/triage")
def triage_page(request: Request, who: User) -> Response:
    need(who, "read")
    with web(request).engine.begin() as conn:
        view = views.triage(conn, who)
        log(conn, request, who, "view.triage", "triage", {"networks": len(view["networks"])})
    return _render(request, "triage.html", who, states=views.REVIEW_STATES, **view)


@router.post("/triage/{network_id}")
def triage_review(
    request: Request,
    who: User,
    network_id: str,
    status: Annotated[str, Form()],
) -> Response:
    need(who, "triage.write")
    if status not in views.REVIEW_STATES:
        raise HTTPException(422, f"status must be one of {', '.join(views.REVIEW_STATES)}")
    with web(request).engine.begin() as conn:
        found = repo.network_in_org(conn, network_id, who.org_id)
        if found:
            repo.set_network_review(conn, who.org_id, network_id, status, who.user_id)
            log(conn, request, who, "triage.review", f"network/{network_id}", {"status": status})
    if not found:
        log_denied(request, who, f"network/{network_id}")
        raise HTTPException(404, "no such network")
    if request.headers.get("hx-request"):
        return _render(request, "_review.html", who, network_id=network_id, review=status)
    return RedirectResponse("/triage", status_code=303)


# -- search, post, network -------------------------------------------------------------


def _date(value: str | None, what: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError as exc:
        raise HTTPException(422, f"{what} must be a date like 2026-01-31") from exc


def _filters(country: str, source: str, since: str, until: str) -> repo.SearchFilters:
    """The search form's filters (empty fields mean none), as the search and its save read them."""
    return repo.SearchFilters(
        country=country or None,
        source=source or None,
        since=_date(since, "since"),
        until=_date(until, "until"),
    )


@router.get("/search")
def search_page(
    request: Request,
    who: User,
    q: Annotated[str, Query(max_length=500)] = "",
    country: Annotated[str, Query(max_length=2)] = "",
    source: Annotated[str, Query(max_length=200)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    need(who, "search")
    filters = _filters(country, source, since, until)
    hits: list[Any] = []
    message = None
    if q.strip():
        with web(request).engine.connect() as conn:
            try:
                hits = repo.org_search(conn, q, who.org_id, 50, filters)
            except SearchQueryError as exc:
                message = str(exc)
        log_read(request, who, "search", q, {"filters": _filters_detail(filters)})
    form = {"q": q, "country": country, "source": source, "since": since, "until": until}
    return _render(request, "search.html", who, hits=hits, form=form, message=message)


def _filters_detail(filters: repo.SearchFilters) -> dict[str, Any]:
    return {
        "country": filters.country,
        "source": filters.source,
        "since": filters.since.isoformat() if filters.since else None,
        "until": filters.until.isoformat() if filters.until else None,
    }


@router.get("/posts/{post_id}")
def post_page(request: Request, who: User, post_id: str) -> Response:
    need(who, "read")
    with web(request).engine.connect() as conn:
        view = views.post(conn, who, post_id)
        if view is not None:
            view["cases"] = [c for c in repo.org_cases(conn, who.org_id) if c["status"] == "open"]
    if view is None:
        log_denied(request, who, f"post/{post_id}")
        raise HTTPException(404, "no such post")
    log_read(request, who, "view.post", f"post/{post_id}")
    return _render(request, "post.html", who, **view)


@router.get("/networks/{network_id}")
def network_page(request: Request, who: User, network_id: str) -> Response:
    need(who, "read")
    with web(request).engine.connect() as conn:
        view = views.network(conn, who, network_id)
        if view is not None:
            view["cases"] = [c for c in repo.org_cases(conn, who.org_id) if c["status"] == "open"]
    if view is None:
        log_denied(request, who, f"network/{network_id}")
        raise HTTPException(404, "no such network")
    log_read(request, who, "view.network", f"network/{network_id}")
    return _render(request, "network.html", who, network=view, cases=view["cases"])


# -- cases -----------------------------------------------------------------------------


@router.get("/cases")
def cases_page(request: Request, who: User) -> Response:
    need(who, "read")
    with web(request).engine.begin() as conn:
        cases = repo.org_cases(conn, who.org_id)
        log(conn, request, who, "view.cases", "cases")
    return _render(request, "cases.html", who, cases=cases)


@router.post("/cases")
def case_create(
    request: Request, who: User, title: Annotated[str, Form(min_length=1, max_length=200)]
) -> Response:
    need(who, "case.write")
    with web(request).engine.begin() as conn:
        case_id = repo.insert_case(conn, who.org_id, title.strip() or "untitled", who.user_id)
        log(conn, request, who, "case.create", f"case/{case_id}", {"title": title})
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}")
def case_page(request: Request, who: User, case_id: int) -> Response:
    need(who, "read")
    with web(request).engine.begin() as conn:
        case = views.case(conn, who, case_id)
        if case is not None:
            log(conn, request, who, "view.case", f"case/{case_id}")
    if case is None:
        log_denied(request, who, f"case/{case_id}")
        raise HTTPException(404, "no such case")
    return _render(request, "case.html", who, case=case, states=views.CASE_STATES)


@router.post("/cases/add")
def case_add_chosen(
    request: Request,
    who: User,
    case_id: Annotated[int, Form()],
    kind: Annotated[str, Form(max_length=16)],
    ref: Annotated[str, Form(max_length=64)],
) -> Response:
    """The "add to a case" form of post and network pages, where the case is chosen."""
    return case_add_item(request, who, case_id, kind, ref)


@router.post("/cases/{case_id}/items")
def case_add_item(
    request: Request,
    who: User,
    case_id: int,
    kind: Annotated[str, Form(max_length=16)],
    ref: Annotated[str, Form(max_length=64)],
) -> Response:
    need(who, "case.write")
    with web(request).engine.begin() as conn:
        added = views.add_to_case(conn, who, case_id, kind, ref)
        if added:
            log(conn, request, who, "case.add", f"case/{case_id}", {"kind": kind, "ref": ref})
    if not added:
        log_denied(request, who, f"case/{case_id}/{kind}/{ref}")
        raise HTTPException(404, "no such case, post or network")
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/notes")
def case_add_note(
    request: Request,
    who: User,
    case_id: int,
    body: Annotated[str, Form(min_length=1, max_length=10_000)],
) -> Response:
    need(who, "case.write")
    with web(request).engine.begin() as conn:
        found = views.case(conn, who, case_id) is not None
        if found:
            repo.add_case_note(conn, case_id, body, who.user_id)
            log(conn, request, who, "case.note", f"case/{case_id}")
    if not found:
        log_denied(request, who, f"case/{case_id}")
        raise HTTPException(404, "no such case")
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/status")
def case_status(
    request: Request, who: User, case_id: int, status: Annotated[str, Form()]
) -> Response:
    need(who, "case.write")
    if status not in views.CASE_STATES:
        raise HTTPException(422, f"status must be one of {', '.join(views.CASE_STATES)}")
    with web(request).engine.begin() as conn:
        found = views.case(conn, who, case_id) is not None
        if found:
            repo.set_case_status(conn, case_id, status)
            log(conn, request, who, "case.status", f"case/{case_id}", {"status": status})
    if not found:
        log_denied(request, who, f"case/{case_id}")
        raise HTTPException(404, "no such case")
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


# -- sharing between organisations -----------------------------------------------------


@router.get("/shared")
def shared_page(request: Request, who: User, message: str = "") -> Response:
    """What other organisations share with this one (read-only), and what it shares."""
    need(who, "read")
    with web(request).engine.begin() as conn:
        view = views.shared(conn, who)
        log(conn, request, who, "view.shared", "shared", {"with_us": len(view["with_us"])})
    return _render(
        request,
        "shared.html",
        who,
        message=message,
        kinds=repo.SHARE_KINDS,
        may_share=who.can(views.SHARE_PERMISSION),
        **view,
    )


@router.post("/shared")
def share_create(
    request: Request,
    who: User,
    kind: Annotated[str, Form(max_length=16)],
    ref: Annotated[str, Form(min_length=1, max_length=64)],
    org: Annotated[str, Form(min_length=1, max_length=64)],
) -> Response:
    """The share forms of the case and network pages, and of /shared (any kind by id)."""
    _, ref = sharing.create(request, who, kind, ref, org)
    message = f"shared {kind} {ref} with {org.strip().lower()}"
    return RedirectResponse("/shared?message=" + quote(message), status_code=303)


@router.post("/shared/{share_id}/revoke")
def share_revoke(request: Request, who: User, share_id: int) -> Response:
    sharing.revoke(request, who, share_id)
    return RedirectResponse("/shared?message=" + quote("share revoked"), status_code=303)


# -- saved searches and alerts ---------------------------------------------------------


@router.post("/search/save")
def search_save(
    request: Request,
    who: User,
    q: Annotated[str, Form(min_length=1, max_length=500)],
    name: Annotated[str, Form(max_length=200)] = "",
    country: Annotated[str, Form(max_length=2)] = "",
    source: Annotated[str, Form(max_length=200)] = "",
    since: Annotated[str, Form(max_length=10)] = "",
    until: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Save the search on screen: newly ingested posts that it finds raise alerts."""
    need(who, "search")
    filters = _filters(country, source, since, until)
    try:
        with web(request).engine.begin() as conn:
            saved_id = views.save_search(conn, who, name, q, filters)
            log(conn, request, who, "search.save", f"saved-search/{saved_id}",
                {"query": q, "filters": _filters_detail(filters)})  # fmt: skip
    except SearchQueryError as exc:
        raise HTTPException(422, str(exc)) from exc
    return RedirectResponse("/alerts", status_code=303)


@router.post("/saved/{saved_id}/delete")
def search_delete(request: Request, who: User, saved_id: int) -> Response:
    saved_search.delete(request, who, saved_id)
    return RedirectResponse("/alerts", status_code=303)


@router.get("/alerts")
def alerts_page(request: Request, who: User) -> Response:
    """The caller's alerts, unread first in mind: newest first, unread ones marked."""
    need(who, "search")
    with web(request).engine.begin() as conn:
        view = views.alerts(conn, who)
        log(conn, request, who, "view.alerts", "alerts", {"unread": view["unread"]})
    for saved in view["saved"]:
        saved["link"] = views.search_link(saved)
    return _render(request, "alerts.html", who, alerts_unread=view["unread"], **view)


@router.post("/alerts/read")
def alerts_read(
    request: Request, who: User, alert_id: Annotated[int | None, Form()] = None
) -> Response:
    """Mark one alert read (``alert_id``), or every one of the caller's."""
    need(who, "search")
    with web(request).engine.begin() as conn:
        found = alert_id is None or repo.alert_exists(conn, who.user_id, alert_id)
        if found:
            changed = repo.mark_alerts_read(conn, who.user_id, alert_id)
            log(conn, request, who, "alert.read", f"alert/{alert_id or 'all'}",
                {"changed": changed})  # fmt: skip
    if not found:
        log_denied(request, who, f"alert/{alert_id}")
        raise HTTPException(404, "no such alert")
    return RedirectResponse("/alerts", status_code=303)


# -- audit and users -------------------------------------------------------------------


@router.get("/audit")
def audit_page(
    request: Request,
    who: User,
    username: Annotated[str, Query(max_length=64)] = "",
    action: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    need(who, "audit.read")
    with web(request).engine.begin() as conn:
        entries = repo.list_audit(
            conn, who.org_id, username=username or None, action=action or None
        )
        log(conn, request, who, "view.audit", "audit", {"username": username, "action": action})
    form = {"username": username, "action": action}
    return _render(request, "audit.html", who, entries=entries, form=form)


@router.get("/admin/users")
def users_page(request: Request, who: User, message: str = "") -> Response:
    need(who, "users.admin")
    with web(request).engine.begin() as conn:
        users = repo.list_org_users(conn, who.org_id)
        log(conn, request, who, "view.users", "users")
    roles = sorted(ROLES)
    return _render(request, "users.html", who, users=users, roles=roles, message=message)


@router.post("/admin/users")
def users_add(
    request: Request,
    who: User,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    need(who, "users.admin")
    try:
        check_role(role)
        with web(request).engine.begin() as conn:
            accounts.add_user(conn, who.org, role, username.strip().lower(), password)
            log(conn, request, who, "user.add", f"user/{username}", {"role": role})
    except AccountError as exc:
        return RedirectResponse("/admin/users?message=" + quote(str(exc)), status_code=303)
    return RedirectResponse("/admin/users?message=" + quote(f"added {username}"), status_code=303)
