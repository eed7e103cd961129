"""The web app over HTTP: sign-in, roles, organisation isolation, CSRF, escaping, audit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from tracelight.cli.main import app as cli_app
from tracelight.store import repository as repo
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.web import create_app
from tracelight.web.accounts import MAX_FAILURES_PER_USER
from tracelight.web.app import CONTENT_SECURITY_POLICY
from tracelight.web.text import pieces, reveal
from web_fixtures import HOSTILE_BODY, PASSWORD, WebWorld, build_world, csrf_of, page_csrf, sign_in


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> WebWorld:
    return build_world(tmp_path_factory.mktemp("web"))


@pytest.fixture
def client(world: WebWorld) -> Iterator[TestClient]:
    with TestClient(create_app(world.workspace, secret_key="test-key")) as test_client:
        yield test_client


def _audit(world: WebWorld, **where: str) -> list[dict[str, Any]]:
    engine = open_engine(world.workspace.db_url)
    try:
        with engine.connect() as conn:
            query = select(t.audit_log).order_by(t.audit_log.c.id)
            for name, value in where.items():
                query = query.where(t.audit_log.c[name] == value)
            return [dict(r._mapping) for r in conn.execute(query)]
    finally:
        engine.dispose()


# -- sign-in ---------------------------------------------------------------------------


def test_pages_and_api_need_a_signed_in_user(client: TestClient) -> None:
    page = client.get("/triage", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/triage"
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/posts/whatever").status_code == 401


def test_session_cookie_is_signed_httponly_and_samesite(client: TestClient) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": "north-analyst", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("tl_session="))
    assert "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert client.get("/api/v1/me").json()["organisation"] == "north"
    # A tampered cookie is no session at all.
    value = client.cookies["tl_session"]
    client.cookies.set("tl_session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert client.get("/api/v1/me").status_code == 401


def test_wrong_password_and_unknown_user_are_refused_alike(client: TestClient) -> None:
    assert sign_in(client, "north-viewer", "not the password at all") == 401
    assert sign_in(client, "nobody-here", "not the password at all") == 401
    assert client.get("/api/v1/me").status_code == 401


def test_login_is_rate_limited_per_username(client: TestClient, world: WebWorld) -> None:
    for _ in range(MAX_FAILURES_PER_USER):
        assert sign_in(client, "south-viewer", "wrong password guess") == 401
    # Even the right password is refused while the window is full.
    assert sign_in(client, "south-viewer", PASSWORD) == 429
    assert len(_audit(world, action="login.failed", username="south-viewer")) == (
        MAX_FAILURES_PER_USER
    )
    assert len(_audit(world, action="login.throttled", username="south-viewer")) == 1
    # Other users are not locked out by it.
    assert sign_in(client, "south-analyst") == 303


def test_logout_ends_the_session_on_the_server(client: TestClient) -> None:
    assert sign_in(client, "north-viewer") == 303
    stolen = client.cookies["tl_session"]
    response = client.post(
        "/logout", data={"csrf_token": page_csrf(client)}, follow_redirects=False
    )
    assert response.status_code == 303
    client.cookies.set("tl_session", stolen)
    assert client.get("/api/v1/me").status_code == 401


# -- CSRF ------------------------------------------------------------------------------


def test_state_changes_without_the_csrf_token_are_refused(client: TestClient) -> None:
    assert sign_in(client, "north-analyst") == 303
    token = page_csrf(client)
    assert client.post("/cases", data={"title": "no token"}).status_code == 403
    assert client.post("/cases", data={"title": "bad", "csrf_token": "x" * 43}).status_code == 403
    assert client.post("/api/v1/cases", json={"title": "api, no header"}).status_code == 403
    cross_site = client.post(
        "/cases",
        data={"title": "cross", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert cross_site.status_code == 403
    ok = client.post("/cases", data={"title": "with token", "csrf_token": token})
    assert ok.status_code == 200
    assert "with token" in ok.text
    api = client.post("/api/v1/cases", json={"title": "api"}, headers={"X-CSRF-Token": token})
    assert api.status_code == 201
    titles = [c["title"] for c in client.get("/api/v1/cases").json()["cases"]]
    assert "with token" in titles
    assert "no token" not in titles
    assert "bad" not in titles
    assert "cross" not in titles


def test_login_form_needs_its_own_csrf_token(client: TestClient) -> None:
    response = client.post(
        "/login", data={"username": "north-analyst", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert client.get("/api/v1/me").status_code == 401


def test_api_tokens_work_without_cookies_or_csrf(client: TestClient, world: WebWorld) -> None:
    runner = CliRunner()
    ws = ["--workspace", str(world.workspace.root)]
    issued = runner.invoke(cli_app, ["users", "token", "--username", "north-analyst", *ws])
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).json()["username"] == "north-analyst"
    made = client.post("/api/v1/cases", json={"title": "scripted"}, headers=headers)
    assert made.status_code == 201
    bad = {"Authorization": "Bearer tlk_not-a-real-token"}
    assert client.get("/api/v1/me", headers=bad).status_code == 401


# -- organisation isolation ------------------------------------------------------------


def test_a_foreign_organisations_data_is_not_found(client: TestClient, world: WebWorld) -> None:
    north_post = world.posts["north"][0]
    north_network = world.networks["north"][0]
    assert sign_in(client, "north-analyst") == 303
    token = page_csrf(client)
    case = client.post(
        "/api/v1/cases", json={"title": "north only"}, headers={"X-CSRF-Token": token}
    ).json()["case"]
    assert client.get(f"/posts/{north_post}").status_code == 200
    assert client.get(f"/networks/{north_network}").status_code == 200
    client.post("/logout", data={"csrf_token": token})

    assert sign_in(client, "south-analyst") == 303
    token = page_csrf(client)
    for path in (
        f"/posts/{north_post}",
        f"/networks/{north_network}",
        f"/cases/{case}",
        f"/api/v1/posts/{north_post}",
        f"/api/v1/networks/{north_network}",
        f"/api/v1/networks/{north_network}/graph",
        f"/api/v1/cases/{case}",
    ):
        assert client.get(path).status_code == 404, path
    # Nor can they be written to, or pulled into the foreign organisation's own case.
    headers = {"X-CSRF-Token": token}
    note = client.post(f"/api/v1/cases/{case}/notes", json={"body": "x"}, headers=headers)
    assert note.status_code == 404
    own = client.post("/api/v1/cases", json={"title": "south"}, headers=headers).json()["case"]
    for kind, ref in (("post", north_post), ("network", north_network)):
        added = client.post(
            f"/api/v1/cases/{own}/items", json={"kind": kind, "ref": ref}, headers=headers
        )
        assert added.status_code == 404
    review = client.post(
        f"/api/v1/triage/{north_network}", json={"status": "dismissed"}, headers=headers
    )
    assert review.status_code == 404
    # Search and triage show only their own posts and networks.
    hits = client.get("/api/v1/search", params={"q": "sweet"}).json()["hits"]
    assert hits == []
    networks = {n["id"] for n in client.get("/api/v1/triage").json()["networks"]}
    assert networks == set(world.networks["south"])
    assert north_network not in client.get("/triage").text
    denied = _audit(world, action="denied", username="south-analyst")
    assert any(e["target"] == f"post/{north_post}" for e in denied)


def test_search_finds_own_posts_with_filters(client: TestClient, world: WebWorld) -> None:
    assert sign_in(client, "north-viewer") == 303
    hits = client.get("/api/v1/search", params={"q": "sweet"}).json()["hits"]
    assert {h["post"] for h in hits} <= set(world.posts["north"])
    assert len(hits) == 4
    assert client.get("/api/v1/search", params={"q": "sweet", "country": "FR"}).json()["hits"] == []
    later = {"q": "sweet", "since": "2027-01-01T00:00:00Z"}
    assert client.get("/api/v1/search", params=later).json()["hits"] == []
    page = client.get("/search", params={"q": "sweet"})
    assert page.status_code == 200
    assert "<mark>" in page.text


# -- roles -----------------------------------------------------------------------------


def test_roles_limit_what_each_user_may_do(client: TestClient, world: WebWorld) -> None:
    assert sign_in(client, "north-viewer") == 303
    token = page_csrf(client)
    assert client.get(f"/posts/{world.posts['north'][0]}").status_code == 200
    assert client.post("/cases", data={"title": "v", "csrf_token": token}).status_code == 403
    assert client.get("/audit").status_code == 403
    assert client.get("/admin/users").status_code == 403
    client.post("/logout", data={"csrf_token": token})

    assert sign_in(client, "north-auditor") == 303
    assert client.get(f"/posts/{world.posts['north'][0]}").status_code == 403
    assert client.get("/api/v1/search", params={"q": "sweet"}).status_code == 403
    assert client.get("/audit").status_code == 200


# -- hostile text ----------------------------------------------------------------------

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def test_hostile_post_is_escaped_and_bidi_controls_shown(
    client: TestClient, world: WebWorld
) -> None:
    assert sign_in(client, "north-analyst") == 303
    response = client.get(f"/posts/{world.hostile}")
    assert response.status_code == 200
    html = response.text
    assert "<script>window.__pwned" not in html
    assert "&lt;script&gt;window.__pwned=1" in html
    assert "<img src=x" not in html
    assert "<svg" not in html
    assert "<b onmouseover" not in html
    assert 'href="javascript:' not in html.lower()
    assert "javascript:alert(document.cookie)" in html  # shown as text only
    assert "\u202e" not in html
    assert "\u202c" not in html
    assert "U+202E" in html
    assert not _INLINE_SCRIPT.search(html)
    # The phone inside the hostile text is still highlighted at its span.
    assert '<mark class="mention m-phone"' in html
    api = client.get(f"/api/v1/posts/{world.hostile}").json()
    assert api["body"] == HOSTILE_BODY  # JSON keeps the text exactly as collected
    search = client.get("/search", params={"q": "evil"}).text
    assert "\u202e" not in search
    assert "<script>window" not in search


def test_every_answer_carries_a_strict_content_security_policy(client: TestClient) -> None:
    for path in ("/login", "/static/css/app.css", "/openapi.json"):
        headers = client.get(path).headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert headers["x-content-type-options"] == "nosniff"
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY


def test_reveal_and_pieces_keep_spans_exact() -> None:
    assert (
        str(reveal("a\u202eb<")) == 'a<span class="ctl" title="hidden control">U+202E</span>b&lt;'
    )
    text = "call 4155550101 or mail a@b.example"
    mentions = [
        {"span_start": 5, "span_end": 15, "kind": "phone"},
        {"span_start": 8, "span_end": 12, "kind": "phone"},  # overlaps: dropped
        {"span_start": 24, "span_end": 35, "kind": "email"},
        {"span_start": 35, "span_end": 99, "kind": "email"},  # past the end: ignored
    ]
    cut = pieces(text, mentions)
    assert "".join(p.text for p in cut) == text
    assert [p.text for p in cut if p.mention] == ["4155550101", "a@b.example"]


# -- cases, triage, audit --------------------------------------------------------------


def test_case_workspace_collects_posts_networks_and_notes(
    client: TestClient, world: WebWorld
) -> None:
    assert sign_in(client, "north-analyst") == 303
    token = page_csrf(client)
    made = client.post("/cases", data={"title": "Operation Gull", "csrf_token": token})
    case_path = str(made.url.path)
    case_id = int(case_path.rsplit("/", 1)[1])
    post, network = world.posts["north"][1], world.networks["north"][0]
    client.post(
        "/cases/add",
        data={"case_id": case_id, "kind": "post", "ref": post, "csrf_token": token},
    )
    client.post(
        f"/cases/{case_id}/items",
        data={"kind": "network", "ref": network, "csrf_token": token},
    )
    client.post(f"/cases/{case_id}/notes", data={"body": "<i>seen twice</i>", "csrf_token": token})
    page = client.get(case_path).text
    assert f"/posts/{post}" in page
    assert f"/networks/{network}" in page
    assert "&lt;i&gt;seen twice&lt;/i&gt;" in page
    closed = client.post(f"/cases/{case_id}/status", data={"status": "closed", "csrf_token": token})
    assert 'id="case-status">closed<' in closed.text
    data = client.get(f"/api/v1/cases/{case_id}").json()
    assert [(i["kind"], i["ref"]) for i in data["items"]] == [("post", post), ("network", network)]


def test_triage_queue_reviews_and_says_how_it_is_ranked(
    client: TestClient, world: WebWorld
) -> None:
    assert sign_in(client, "north-analyst") == 303
    page = client.get("/triage").text
    network = world.networks["north"][0]
    assert f"/networks/{network}" in page
    # analyze scores the networks: the queue shows risks and reasons as sentences.
    assert 'id="risk-status"' not in page
    assert "{&#39;text&#39;" not in page and "{'text'" not in page
    token = csrf_of(page)
    fragment = client.post(
        f"/triage/{network}",
        data={"status": "escalated", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert fragment.text.strip().startswith('<span class="review review-escalated"')
    reviewed = client.get("/api/v1/triage").json()["networks"]
    assert next(n for n in reviewed if n["id"] == network)["review"] == "escalated"


def test_reads_and_searches_are_audited_and_auditors_see_them(
    client: TestClient, world: WebWorld
) -> None:
    post = world.posts["north"][2]
    assert sign_in(client, "north-viewer") == 303
    client.get(f"/posts/{post}")
    client.get("/api/v1/search", params={"q": "kisses"})
    token = page_csrf(client)
    client.post("/logout", data={"csrf_token": token})
    views = _audit(world, action="view.post", target=f"post/{post}")
    assert views
    assert views[-1]["username"] == "north-viewer"
    assert views[-1]["client"] == "testclient"
    assert views[-1]["at"] is not None
    searches = _audit(world, action="search", target="kisses")
    assert searches[-1]["detail"]["via"] == "api"
    assert sign_in(client, "north-auditor") == 303
    page = client.get("/audit", params={"username": "north-viewer"}).text
    assert f"post/{post}" in page
    entries = client.get("/api/v1/audit", params={"action": "search"}).json()["entries"]
    assert any(e["target"] == "kisses" for e in entries)
    # South's auditor does not see north's entries.
    client.post("/logout", data={"csrf_token": page_csrf(client, "/audit")})
    assert sign_in(client, "south-auditor") == 303
    south = client.get("/api/v1/audit", params={"username": "north-viewer"}).json()["entries"]
    assert south == []
    # Every audit entry is also a leaf of the evidence ledger.
    engine = open_engine(world.workspace.db_url)
    try:
        with engine.connect() as conn:
            leaves = conn.scalar(
                select(func.count())
                .select_from(t.ledger_leaves)
                .where(t.ledger_leaves.c.kind == "audit")
            )
            entries_total = conn.scalar(select(func.count()).select_from(t.audit_log))
    finally:
        engine.dispose()
    assert leaves == entries_total


# -- command line, admin page, API document --------------------------------------------


def test_users_add_reads_the_password_from_stdin(world: WebWorld, tmp_path: Path) -> None:
    runner = CliRunner()
    ws = ["--workspace", str(world.workspace.root)]
    args = ["users", "add", "--org", "east", "--role", "analyst", "--username", "east-1", *ws]
    added = runner.invoke(cli_app, args, input="a long enough password\n")
    assert added.exit_code == 0, added.output
    again = runner.invoke(cli_app, args, input="a long enough password\n")
    assert again.exit_code == 1
    short = runner.invoke(cli_app, [*args[:-3], "east-2", *ws], input="short\n")
    assert short.exit_code == 1
    bad_role = runner.invoke(
        cli_app,
        ["users", "add", "--org", "east", "--role", "root", "--username", "east-3", *ws],
        input="a long enough password\n",
    )
    assert bad_role.exit_code == 1
    engine = open_engine(world.workspace.db_url)
    try:
        with engine.connect() as conn:
            row = repo.user_by_username(conn, "east-1")
    finally:
        engine.dispose()
    assert row is not None
    assert row.password_hash.startswith("$argon2id$")


def test_admin_adds_users_to_their_own_organisation(client: TestClient) -> None:
    assert sign_in(client, "south-admin") == 303
    token = page_csrf(client, "/admin/users")
    done = client.post(
        "/admin/users",
        data={
            "username": "south-new",
            "role": "viewer",
            "password": "another long password",
            "csrf_token": token,
        },
    )
    assert "south-new" in done.text
    client.post("/logout", data={"csrf_token": token})
    assert sign_in(client, "south-new", "another long password") == 303
    assert client.get("/api/v1/me").json()["organisation"] == "south"


def test_openapi_document_lists_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/posts/{post_id}", "/api/v1/networks/{network_id}", "/api/v1/cases"):
        assert path in paths


def test_vendored_scripts_are_served_locally_with_licences(client: TestClient) -> None:
    static = Path(__file__).resolve().parents[1] / "src/tracelight/web/static/vendor"
    assert (static / "htmx.org.LICENSE.txt").exists()
    assert (static / "cytoscape.LICENSE.txt").exists()
    response = client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200
    assert "htmx" in response.text[:200]
    login = client.get("/login").text
    assert "http://" not in login.replace("http://www.w3.org", "")
    assert "https://" not in login
