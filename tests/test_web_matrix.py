"""The authorisation matrix: every route of the web app, called as every kind of caller.

The expectation table :data:`MATRIX` is written out by hand, one row per route, and the
routes are enumerated from the running app, so a route added without a row fails
:func:`test_every_route_has_a_row_in_the_matrix` by name: no route reaches a release
without someone deciding, here, who may call it.

Callers: the four roles of the organisation that owns the data in the path (``north``),
the same four roles of another organisation (``south``), and an anonymous client. Each
signed-in caller is tried with its session cookie (plus a valid CSRF token on changes,
so that the answer reflects the role and not the CSRF check) and with its API token. A
foreign caller must get exactly the answer it gets for an id that does not exist, so an
id reveals nothing. Every state-changing route is also called without the CSRF token
and with a wrong one, by every cookie caller: always 403.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

pytest.importorskip("fastapi")
import fastapi.routing
import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select
from starlette.routing import Mount, Route, WebSocketRoute

from helpers import ad, write_jsonl
from tracelight.pipeline.analyze import analyze
from tracelight.pipeline.engine import make_engine
from tracelight.pipeline.ingest import ingest_sources
from tracelight.store import repository as repo
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.web import accounts, create_app
from vision_images import encode, photo
from web_fixtures import PASSWORD, ROLES, WebWorld, build_world, csrf_of, page_csrf, sign_in

OWNER, FOREIGN, THIRD = "north", "south", "east"
PERSONAL_OWNER = f"{OWNER}-analyst"
"""Who owns the per-user things (saved searches, alerts) the table's ids name."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN = "login"
"""In the table: a redirect (303) to ``/login?next=<the requested path and query>``."""

Key = tuple[str, str]
"""A route as ``(method, path template)``; a mounted app as ``("MOUNT", prefix)``."""

# -- the table -------------------------------------------------------------------------
#
# Each row: the owning organisation's admin, analyst, viewer, auditor | the foreign
# organisation's admin, analyst, viewer, auditor | an anonymous client. A number is the
# status code; ``login`` is a redirect to the sign-in page. Paths with an id use the
# owning organisation's post, network or case, so the foreign columns are access to
# someone else's data: 404 for a role that may do the action at all (exactly like a
# missing id), 403 for a role that may not (the role check comes first, and a missing
# id is refused alike). Routes without an id act on the caller's own organisation.

MATRIX: dict[Key, str] = {
    # sign-in: the form is public; a signed-in caller is sent on.
    ("GET", "/login"): "303 303 303 303 | 303 303 303 303 | 200",
    ("POST", "/login"): "303 303 303 303 | 303 303 303 303 | 303",
    ("POST", "/logout"): "303 303 303 303 | 303 303 303 303 | login",
    ("GET", "/"): "303 303 303 303 | 303 303 303 303 | login",
    # pages
    ("GET", "/triage"): "200 200 200 403 | 200 200 200 403 | login",
    ("POST", "/triage/{network_id}"): "303 303 403 403 | 404 404 403 403 | login",
    ("GET", "/search"): "200 200 200 403 | 200 200 200 403 | login",
    ("GET", "/posts/{post_id}"): "200 200 200 403 | 404 404 404 403 | login",
    ("GET", "/networks/{network_id}"): "200 200 200 403 | 404 404 404 403 | login",
    ("GET", "/cases"): "200 200 200 403 | 200 200 200 403 | login",
    ("POST", "/cases"): "303 303 403 403 | 303 303 403 403 | login",
    ("GET", "/cases/{case_id}"): "200 200 200 403 | 404 404 404 403 | login",
    ("POST", "/cases/add"): "303 303 403 403 | 404 404 403 403 | login",
    ("POST", "/cases/{case_id}/items"): "303 303 403 403 | 404 404 403 403 | login",
    ("POST", "/cases/{case_id}/notes"): "303 303 403 403 | 404 404 403 403 | login",
    ("POST", "/cases/{case_id}/status"): "303 303 403 403 | 404 404 403 403 | login",
    ("GET", "/audit"): "200 403 403 200 | 200 403 403 200 | login",
    ("GET", "/admin/users"): "200 403 403 403 | 200 403 403 403 | login",
    ("POST", "/admin/users"): "303 403 403 403 | 303 403 403 403 | login",
    # the JSON API: 401 instead of a redirect
    ("GET", "/api/v1/me"): "200 200 200 200 | 200 200 200 200 | 401",
    ("GET", "/api/v1/triage"): "200 200 200 403 | 200 200 200 403 | 401",
    ("POST", "/api/v1/triage/{network_id}"): "200 200 403 403 | 404 404 403 403 | 401",
    ("GET", "/api/v1/search"): "200 200 200 403 | 200 200 200 403 | 401",
    ("GET", "/api/v1/posts/{post_id}"): "200 200 200 403 | 404 404 404 403 | 401",
    ("GET", "/api/v1/networks/{network_id}"): "200 200 200 403 | 404 404 404 403 | 401",
    ("GET", "/api/v1/networks/{network_id}/graph"): "200 200 200 403 | 404 404 404 403 | 401",
    ("GET", "/api/v1/cases"): "200 200 200 403 | 200 200 200 403 | 401",
    ("POST", "/api/v1/cases"): "201 201 403 403 | 201 201 403 403 | 401",
    ("GET", "/api/v1/cases/{case_id}"): "200 200 200 403 | 404 404 404 403 | 401",
    ("POST", "/api/v1/cases/{case_id}/items"): "201 201 403 403 | 404 404 403 403 | 401",
    ("POST", "/api/v1/cases/{case_id}/notes"): "201 201 403 403 | 404 404 403 403 | 401",
    ("POST", "/api/v1/cases/{case_id}/status"): "200 200 403 403 | 404 404 403 403 | 401",
    ("GET", "/api/v1/audit"): "200 403 403 200 | 200 403 403 200 | 401",
    # selector pages: a selector none of the caller's posts carries is a 404
    ("GET", "/selectors/{kind}/{value:path}"): "200 200 200 403 | 404 404 404 403 | login",
    ("GET", "/api/v1/selectors/{kind}/{value:path}"): "200 200 200 403 | 404 404 404 403 | 401",
    # images: the page, its bytes, search by upload; face search needs ``face_search``
    ("GET", "/images/{sha256}"): "200 200 200 403 | 404 404 404 403 | login",
    ("GET", "/images/{sha256}/raw"): "200 200 200 403 | 404 404 404 403 | login",
    ("GET", "/api/v1/images/{sha256}"): "200 200 200 403 | 404 404 404 403 | 401",
    ("GET", "/images/search"): "200 200 200 403 | 200 200 200 403 | login",
    ("POST", "/images/search"): "200 200 200 403 | 200 200 200 403 | login",
    ("POST", "/api/v1/images/search"): "200 200 200 403 | 200 200 200 403 | 401",
    ("GET", "/faces/search"): "200 200 403 403 | 200 200 403 403 | login",
    ("POST", "/faces/search"): "200 200 403 403 | 200 200 403 403 | login",
    ("POST", "/api/v1/faces/search"): "200 200 403 403 | 200 200 403 403 | 401",
    # evidence export hands data out: analysts and admins of the case's organisation
    ("POST", "/cases/{case_id}/export"): "200 200 403 403 | 404 404 403 403 | login",
    ("POST", "/api/v1/cases/{case_id}/export"): "200 200 403 403 | 404 404 403 403 | 401",
    # sharing: the share roles (case.write) hand their organisation's own things to a
    # third organisation; a share is revoked only by the organisation that made it.
    ("GET", "/shared"): "200 200 200 403 | 200 200 200 403 | login",
    ("POST", "/shared"): "303 303 403 403 | 404 404 403 403 | login",
    ("POST", "/shared/{share_id}/revoke"): "303 303 403 403 | 404 404 403 403 | login",
    ("GET", "/api/v1/shares"): "200 200 200 403 | 200 200 200 403 | 401",
    ("POST", "/api/v1/shares"): "201 201 403 403 | 404 404 403 403 | 401",
    ("DELETE", "/api/v1/shares/{share_id}"): "200 200 403 403 | 404 404 403 403 | 401",
    # saved searches and alerts belong to one user (north's analyst): every other user,
    # of the same organisation too, gets a 404 for them.
    ("POST", "/search/save"): "303 303 303 403 | 303 303 303 403 | login",
    ("POST", "/saved/{saved_id}/delete"): "404 303 404 403 | 404 404 404 403 | login",
    ("GET", "/alerts"): "200 200 200 403 | 200 200 200 403 | login",
    ("POST", "/alerts/read"): "404 303 404 403 | 404 404 404 403 | login",
    ("GET", "/api/v1/saved-searches"): "200 200 200 403 | 200 200 200 403 | 401",
    ("POST", "/api/v1/saved-searches"): "201 201 201 403 | 201 201 201 403 | 401",
    ("DELETE", "/api/v1/saved-searches/{saved_id}"): "404 200 404 403 | 404 404 404 403 | 401",
    ("GET", "/api/v1/alerts"): "200 200 200 403 | 200 200 200 403 | 401",
    ("POST", "/api/v1/alerts/read"): "200 200 200 403 | 200 200 200 403 | 401",
    ("POST", "/api/v1/alerts/{alert_id}/read"): "404 200 404 403 | 404 404 404 403 | 401",
    # public by design: the API description (no data), the icon, scripts and styles
    # (the login page needs them before anyone is signed in).
    ("GET", "/openapi.json"): "200 200 200 200 | 200 200 200 200 | 200",
    ("HEAD", "/openapi.json"): "200 200 200 200 | 200 200 200 200 | 200",
    ("GET", "/favicon.ico"): "204 204 204 204 | 204 204 204 204 | 204",
    ("MOUNT", "/static"): "200 200 200 200 | 200 200 200 200 | 200",
}


# -- how each route is called ----------------------------------------------------------

Ids = dict[str, Any]
Body = Callable[[Ids, "Caller"], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    """What to send besides the path: query, form fields or JSON, built per caller.

    ``fresh``: the route changes the caller's session (sign-in, sign-out), so it is
    called from a freshly signed-in client, never from the shared one.
    ``ids_in_body``: the ids that decide ownership travel in the body, not the path.
    ``files``: the form also uploads :data:`UPLOAD` as ``photo``.
    ``prepare``: the route uses its target up (a delete, a revoke): each call gets a
    new one, made directly in the store, whose ids override the fixture's.
    """

    query: dict[str, str] = field(default_factory=dict)
    form: Body | None = None
    json: Body | None = None
    files: bool = False
    fresh: bool = False
    prepare: Callable[[Matrix], Ids] | None = None
    ids_in_body: bool = False
    path: str | None = None


_serial = itertools.count()


def _new_username(_ids: Ids, caller: Caller) -> dict[str, Any]:
    return {
        "username": f"matrix-{next(_serial)}-{caller.name}",
        "role": "viewer",
        "password": "a long matrix password",
    }


def _credentials(_ids: Ids, caller: Caller) -> dict[str, Any]:
    return {"username": caller.username or f"{OWNER}-viewer", "password": PASSWORD}


CALLS: dict[Key, Call] = {
    # The sign-in form renews the pre-login cookie and its token: a fresh client, too.
    ("GET", "/login"): Call(fresh=True),
    ("POST", "/login"): Call(form=_credentials, fresh=True),
    ("POST", "/logout"): Call(fresh=True),
    ("POST", "/triage/{network_id}"): Call(form=lambda i, c: {"status": "reviewed"}),
    ("GET", "/search"): Call(
        query={"q": "sweet OR massage", "country": "US", "since": "2020-01-01"}
    ),
    ("POST", "/cases"): Call(form=lambda i, c: {"title": f"matrix {c.name}"}),
    ("POST", "/cases/add"): Call(
        form=lambda i, c: {"case_id": i["case_id"], "kind": "post", "ref": i["post_id"]},
        ids_in_body=True,
    ),
    ("POST", "/cases/{case_id}/items"): Call(
        form=lambda i, c: {"kind": "network", "ref": i["network_id"]}
    ),
    ("POST", "/cases/{case_id}/notes"): Call(form=lambda i, c: {"body": f"seen by {c.name}"}),
    ("POST", "/cases/{case_id}/status"): Call(form=lambda i, c: {"status": "open"}),
    ("GET", "/audit"): Call(query={"action": "search"}),
    ("POST", "/admin/users"): Call(form=_new_username),
    ("POST", "/api/v1/triage/{network_id}"): Call(json=lambda i, c: {"status": "escalated"}),
    ("GET", "/api/v1/search"): Call(query={"q": "sweet", "source": "example"}),
    ("POST", "/api/v1/cases"): Call(json=lambda i, c: {"title": f"matrix api {c.name}"}),
    ("POST", "/api/v1/cases/{case_id}/items"): Call(
        json=lambda i, c: {"kind": "post", "ref": i["post_id"]}
    ),
    ("POST", "/api/v1/cases/{case_id}/notes"): Call(json=lambda i, c: {"body": "api note"}),
    ("POST", "/api/v1/cases/{case_id}/status"): Call(json=lambda i, c: {"status": "open"}),
    ("POST", "/images/search"): Call(files=True),
    ("POST", "/api/v1/images/search"): Call(files=True),
    ("POST", "/faces/search"): Call(files=True),
    ("POST", "/api/v1/faces/search"): Call(files=True),
    ("MOUNT", "/static"): Call(path="/static/css/app.css"),
    ("POST", "/shared"): Call(form=lambda i, c: _share_body(i), ids_in_body=True),
    ("POST", "/shared/{share_id}/revoke"): Call(prepare=lambda m: m.new_share()),
    ("POST", "/api/v1/shares"): Call(json=lambda i, c: _share_body(i), ids_in_body=True),
    ("DELETE", "/api/v1/shares/{share_id}"): Call(prepare=lambda m: m.new_share()),
    ("POST", "/search/save"): Call(form=lambda i, c: {"q": "sweet", "name": c.name}),
    ("POST", "/saved/{saved_id}/delete"): Call(prepare=lambda m: m.new_saved_search()),
    ("POST", "/alerts/read"): Call(form=lambda i, c: {"alert_id": i["alert_id"]}, ids_in_body=True),
    ("POST", "/api/v1/saved-searches"): Call(json=lambda i, c: {"q": "sweet", "country": "US"}),
    ("DELETE", "/api/v1/saved-searches/{saved_id}"): Call(prepare=lambda m: m.new_saved_search()),
}

UPLOAD = encode(photo(77, (160, 120)), "JPEG")
"""A generated photo (no face in it) for the search-by-upload routes."""


def _share_body(ids: Ids) -> dict[str, Any]:
    """Share the owner's post with the third organisation (never with the foreign one,
    whose answers the rest of the table is about)."""
    return {"kind": "post", "ref": ids["post_id"], "org": THIRD}


MISSING: Ids = {
    "share_id": 987654321,
    "saved_id": 987654321,
    "alert_id": 987654321,
    "post_id": "0" * 32,
    "network_id": "0" * 16,
    "case_id": 987654321,
    "kind": "phone",
    "value": "+19995550000",
    "sha256": "0" * 64,
}
"""Ids that exist nowhere: a foreign caller must get exactly what these get."""


# -- the callers -----------------------------------------------------------------------


@dataclass
class Caller:
    """One identity: a user of an organisation (or nobody) and how it authenticates."""

    name: str
    org: str | None
    role: str | None
    client: TestClient
    csrf: str
    token: str | None = None

    @property
    def username(self) -> str | None:
        return None if self.org is None else f"{self.org}-{self.role}"


@dataclass
class Expect:
    own: dict[str, int | str]
    foreign: dict[str, int | str]
    anonymous: int | str

    def of(self, caller: Caller) -> int | str:
        if caller.org is None:
            return self.anonymous
        assert caller.role is not None
        return (self.own if caller.org == OWNER else self.foreign)[caller.role]


def parse(row: str) -> Expect:
    own, foreign, anonymous = (part.split() for part in row.split("|"))
    assert len(own) == len(foreign) == len(ROLES) and len(anonymous) == 1, row

    def value(cell: str) -> int | str:
        return LOGIN if cell == LOGIN else int(cell)

    return Expect(
        own={r: value(c) for r, c in zip(ROLES, own, strict=True)},
        foreign={r: value(c) for r, c in zip(ROLES, foreign, strict=True)},
        anonymous=value(anonymous[0]),
    )


def _csrf_page(role: str | None) -> str:
    return "/audit" if role == "auditor" else "/cases"


def _anonymous(app: FastAPI) -> Caller:
    """A client that has opened the sign-in page: its CSRF token is the login form's."""
    client = TestClient(app)
    page = client.get("/login")
    return Caller("anonymous", None, None, client, csrf_of(page.text))


def _signed_in(app: FastAPI, org: str, role: str, token: str | None) -> Caller:
    client = TestClient(app)
    assert sign_in(client, f"{org}-{role}") == 303
    return Caller(f"{org}-{role}", org, role, client, page_csrf(client, _csrf_page(role)), token)


@dataclass
class Matrix:
    app: FastAPI
    world: WebWorld
    ids: Ids
    callers: list[Caller]
    bare: TestClient
    """A client with no cookies, for API-token requests (cleared after each call)."""
    engine: Engine
    orgs: dict[str, int]
    users: dict[str, int]

    def new_share(self) -> Ids:
        """A standing share of the owner's post with the third organisation."""
        with self.engine.begin() as conn:
            share = repo.add_share(
                conn,
                self.orgs[OWNER],
                self.orgs[THIRD],
                "post",
                self.ids["post_id"],
                user_id=self.users[f"{OWNER}-admin"],
            )
        return {"share_id": share}

    def new_saved_search(self) -> Ids:
        with self.engine.begin() as conn:
            saved = repo.insert_saved_search(
                conn,
                self.orgs[OWNER],
                self.users[PERSONAL_OWNER],
                name="matrix",
                query="sweet",
                filters=repo.SearchFilters(),
            )
        return {"saved_id": saved}

    def fresh(self, caller: Caller) -> Caller:
        if caller.org is None:
            return _anonymous(self.app)
        assert caller.role is not None
        return _signed_in(self.app, caller.org, caller.role, caller.token)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    """The two-organisation world plus one ``north`` ad with a photo (so the image routes
    have an image), one case per organisation (``north``'s holding a post, so it can be
    exported), an API token per user, and every caller signed in once."""
    root = tmp_path_factory.mktemp("matrix")
    world = build_world(root)
    photos = root / "photos"
    photos.mkdir()
    image = encode(photo(5, (320, 240)), "JPEG")
    (photos / "north.jpg").write_bytes(image)
    with_photo = ad(150, body="Sweet photo ad, call (415) 555-0101", images=["north.jpg"])
    source = write_jsonl(photos / "north-photo.jsonl", [with_photo])
    engine = open_engine(world.workspace.db_url)
    tokens: dict[str, str] = {}
    try:
        ingest_sources(world.workspace, [source], engine=engine, org=OWNER)
        analyze(world.workspace, make_engine("serial"), db=engine)
        with engine.begin() as conn:
            cases: dict[str, int] = {}
            for org in (OWNER, FOREIGN):
                org_id = repo.org_by_name(conn, org)
                user = repo.user_by_username(conn, f"{org}-analyst")
                assert org_id is not None and user is not None
                world.networks[org] = [n["id"] for n in repo.org_networks(conn, org_id, 50)]
                cases[org] = repo.insert_case(conn, org_id, f"{org} case", int(user.id))
                repo.add_case_item(conn, cases[org], "post", world.posts[org][0], int(user.id))
                for role in ROLES:
                    name = f"{org}-{role}"
                    tokens[name] = accounts.create_api_token(conn, name, "matrix")
            orgs = {o: repo.get_or_create_org(conn, o) for o in (OWNER, FOREIGN, THIRD)}
            users = {
                str(row.username): int(row.id)
                for row in conn.execute(select(t.users.c.id, t.users.c.username))
            }
            post = world.posts[OWNER][0]
            phone = next(
                s for s in repo.post_selectors(conn, post, orgs[OWNER]) if s["kind"] == "phone"
            )
            # An alert of north's analyst, written directly: raising alerts on ingest is
            # tested where it is built; here only who may read and mark it matters.
            saved = repo.insert_saved_search(
                conn,
                orgs[OWNER],
                users[PERSONAL_OWNER],
                name="photos",
                query="photo",
                filters=repo.SearchFilters(),
            )
            alert = conn.execute(
                insert(t.search_alerts).values(
                    saved_search_id=saved, post_id=post, raised_at=datetime.now(UTC)
                )
            ).inserted_primary_key
            assert alert is not None
    except BaseException:
        engine.dispose()
        raise
    app = create_app(world.workspace, secret_key="matrix-key")
    with TestClient(app) as bare:
        callers = [
            _signed_in(app, org, role, tokens[f"{org}-{role}"])
            for org in (OWNER, FOREIGN)
            for role in ROLES
        ]
        callers.append(_anonymous(app))
        ids: Ids = {
            "post_id": post,
            "network_id": world.networks[OWNER][0],
            "case_id": cases[OWNER],
            "kind": "phone",
            "value": phone["value"],
            "sha256": hashlib.sha256(image).hexdigest(),
            "alert_id": int(alert[0]),
        }
        yield Matrix(app, world, ids, callers, bare, engine, orgs, users)
    engine.dispose()


# -- making one call and judging it ----------------------------------------------------


_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
"""A path parameter, with its optional converter: ``{case_id}``, ``{value:path}``."""


def _params(template: str) -> list[str]:
    return _PARAM.findall(template)


def _path(template: str, ids: Ids) -> str:
    return _PARAM.sub(lambda m: str(ids[m.group(1)]), template)


def _uses_ids(key: Key) -> bool:
    return bool(_params(key[1])) or CALLS.get(key, Call()).ids_in_body


def request(
    client: TestClient,
    key: Key,
    ids: Ids,
    caller: Caller,
    *,
    csrf: str | None,
    bearer: str | None = None,
) -> httpx.Response:
    """Call route ``key`` the way its form or script would, with these credentials."""
    method, template = key
    spec = CALLS.get(key, Call())
    if method == "MOUNT":
        method, path = "GET", spec.path or template
    else:
        path = _path(template, ids)
    headers: dict[str, str] = {}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    kwargs: dict[str, Any] = {}
    # Scripts send the CSRF token as a header, forms as a field.
    if csrf is not None and template.startswith("/api/"):
        headers["X-CSRF-Token"] = csrf
        csrf = None
    if spec.json is not None:
        kwargs["json"] = spec.json(ids, caller)
    elif method not in SAFE_METHODS:
        form = spec.form(ids, caller) if spec.form is not None else {}
        if csrf is not None:
            form["csrf_token"] = csrf
        kwargs["data"] = form
        if spec.files:
            kwargs["files"] = {"photo": ("photo.jpg", UPLOAD, "image/jpeg")}
    response: httpx.Response = client.request(
        method, path, params=spec.query, headers=headers, follow_redirects=False, **kwargs
    )
    return response


def judge(response: httpx.Response, expected: int | str) -> str | None:
    """``None`` when the answer is the expected one, else what was wrong."""
    if expected == LOGIN:
        location = response.headers.get("location", "")
        wanted = response.request.url.raw_path.decode()
        if response.status_code != 303 or not location.startswith("/login?next="):
            return f"expected a redirect to /login, got {response.status_code} {location!r}"
        if unquote(location.removeprefix("/login?next=")) != unquote(wanted):
            return f"redirect to /login lost the way back: {location!r} for {wanted!r}"
        return None
    if response.status_code != expected:
        return f"expected {expected}, got {response.status_code}: {_gist(response)}"
    return None


def _gist(response: httpx.Response) -> str:
    """What an answer says, in a few words: an error page's title, or the body's start."""
    title = re.search(r"<title>(.*?)</title>", response.text, re.DOTALL)
    detail = re.search(r"</h1>\s*<p>(.*?)</p>", response.text, re.DOTALL)
    if title:
        return " ".join(m.group(1).strip() for m in (title, detail) if m)
    return repr(response.text[:160])


def ids_for(matrix: Matrix, key: Key) -> Ids:
    """The fixture's ids, with a new target for routes that use theirs up."""
    prepare = CALLS.get(key, Call()).prepare
    return matrix.ids if prepare is None else {**matrix.ids, **prepare(matrix)}


def _label(key: Key) -> str:
    return f"{key[0]} {key[1]}"


# -- the tests -------------------------------------------------------------------------


def app_routes(app: FastAPI) -> set[Key]:
    """Every route the app answers, as the table names them.

    FastAPI 0.165 keeps included routers as lazy ``_IncludedRouter`` entries in
    ``app.routes``; :func:`fastapi.routing.iter_route_contexts` (what the OpenAPI
    generator walks) flattens them with their prefixes. Anything of a kind this function
    does not know is reported under its type name, so it fails the table check too.
    """
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    entries: list[tuple[Any, str | None, set[str] | None]] = (
        [(c.original_route, c.path, c.methods) for c in flatten(app.routes)]
        if flatten is not None
        else [(r, getattr(r, "path", None), getattr(r, "methods", None)) for r in app.routes]
    )
    found: set[Key] = set()
    for route, path, methods in entries:
        if isinstance(route, Mount):
            found.add(("MOUNT", str(path)))
        elif isinstance(route, APIRoute | Route):
            found.update((method, str(path)) for method in methods or ())
        elif isinstance(route, WebSocketRoute):
            found.add(("WEBSOCKET", str(path)))
        else:
            found.add((type(route).__name__, str(path)))
    return found


def test_every_route_has_a_row_in_the_matrix(tmp_path: Path) -> None:
    """A new route fails here, by name, until its row says who may call it."""
    from tracelight.store.workspace import Workspace

    app = create_app(Workspace.resolve(tmp_path / "ws"), secret_key="k", ledger=False)
    routes = app_routes(app)
    missing = sorted(routes - MATRIX.keys())
    stale = sorted(MATRIX.keys() - routes)
    assert not missing, (
        "routes without a row in the authorisation matrix (tests/test_web_matrix.py "
        "MATRIX; add the row, and a CALLS entry if it needs a body): "
        + ", ".join(_label(k) for k in missing)
    )
    assert not stale, "rows for routes the app no longer has: " + ", ".join(
        _label(k) for k in stale
    )
    unknown = {p for key in MATRIX for p in _params(key[1])} - MISSING.keys()
    assert not unknown, f"path parameters without ids in the matrix fixture: {sorted(unknown)}"


@pytest.mark.parametrize("key", sorted(MATRIX), ids=_label)
def test_route_answers_every_caller_as_the_matrix_says(matrix: Matrix, key: Key) -> None:
    """Cookie (with CSRF) and API token alike; foreign ids answer exactly like missing ones."""
    expected = parse(MATRIX[key])
    spec = CALLS.get(key, Call())
    problems: list[str] = []
    for caller in matrix.callers:
        want = expected.of(caller)
        used = matrix.fresh(caller) if spec.fresh else caller
        by_cookie = request(used.client, key, ids_for(matrix, key), used, csrf=used.csrf)
        if (problem := judge(by_cookie, want)) is not None:
            problems.append(f"{caller.name} (cookie): {problem}")
        # The same caller with its API token and no cookie; a bogus one for anonymous.
        token = caller.token or "tlk_not-a-real-token"
        by_token = request(matrix.bare, key, ids_for(matrix, key), caller, csrf=None, bearer=token)
        matrix.bare.cookies.clear()
        if (problem := judge(by_token, want)) is not None:
            problems.append(f"{caller.name} (token): {problem}")
        if caller.org == FOREIGN and _uses_ids(key):
            # Someone else's id must be indistinguishable from an id that does not exist.
            absent = request(used.client, key, MISSING, used, csrf=used.csrf)
            if (absent.status_code, absent.text) != (by_cookie.status_code, by_cookie.text):
                problems.append(
                    f"{caller.name}: a foreign id answers {by_cookie.status_code} "
                    f"{by_cookie.text[:120]!r} but a missing one {absent.status_code} "
                    f"{absent.text[:120]!r}"
                )
    assert not problems, f"{_label(key)}:\n  " + "\n  ".join(problems)


STATE_CHANGING = sorted(k for k in MATRIX if k[0] not in SAFE_METHODS | {"MOUNT"})


@pytest.mark.parametrize("key", STATE_CHANGING, ids=_label)
def test_state_changes_need_the_csrf_token(matrix: Matrix, key: Key) -> None:
    """Without the CSRF token, or with another session's, every cookie caller gets 403."""
    problems: list[str] = []
    others = itertools.cycle(c.csrf for c in reversed(matrix.callers))
    for caller in matrix.callers:
        wrong = next(others)
        if wrong == caller.csrf:
            wrong = next(others)
        for label, csrf in (("no token", None), ("another session's token", wrong)):
            response = request(caller.client, key, ids_for(matrix, key), caller, csrf=csrf)
            if response.status_code != 403:
                problems.append(f"{caller.name} with {label}: got {response.status_code}")
    assert not problems, f"{_label(key)}:\n  " + "\n  ".join(problems)


def test_callers_are_who_the_matrix_thinks(matrix: Matrix) -> None:
    """The table is only as good as its callers: check each one's identity by both means."""
    for caller in matrix.callers:
        me = caller.client.get("/api/v1/me")
        by_token = matrix.bare.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {caller.token}"}
        )
        if caller.org is None:
            assert me.status_code == 401
            continue
        assert me.json()["username"] == by_token.json()["username"] == caller.username
        assert me.json()["organisation"] == caller.org
    assert matrix.ids["post_id"] in matrix.world.posts[OWNER]
    assert matrix.ids["network_id"] not in matrix.world.networks[FOREIGN]
    assert matrix.ids["post_id"] not in matrix.world.posts[FOREIGN]
