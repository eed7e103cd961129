"""Sharing between organisations, saved searches with alerts, and the one triage history,
over HTTP and the CLI, on SQLite and on a real PostgreSQL.

Three organisations: ``north`` (four ads sharing one fictional 555 phone, so one
network, plus a lone ad), ``south`` (three ads sharing another phone) and ``east``,
which holds nothing of theirs and is never shared anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select
from typer.testing import CliRunner

from conftest import _fresh_database
from helpers import ad, write_jsonl
from tracelight.cli.main import app as cli_app
from tracelight.pipeline.analyze import analyze
from tracelight.pipeline.engine import make_engine
from tracelight.pipeline.ingest import ingest_sources
from tracelight.store import repository as repo
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.migrate import current_revision, upgrade
from tracelight.store.workspace import Workspace
from tracelight.web import accounts, create_app
from web_fixtures import PASSWORD, csrf_of, page_csrf, sign_in

USERS = {
    "north": ("admin", "analyst", "viewer", "auditor"),
    "south": ("analyst", "viewer"),
    "east": ("analyst",),
}


@dataclass
class World:
    workspace: Workspace
    root: Path
    posts: dict[str, list[str]] = field(default_factory=dict)
    networks: dict[str, list[str]] = field(default_factory=dict)
    lone: str = ""


def _org_posts(conn: Any, org: str) -> list[str]:
    org_id = repo.org_by_name(conn, org)
    query = select(t.post_orgs.c.post_id).where(t.post_orgs.c.org_id == org_id)
    return sorted(conn.scalars(query))


def _ingest(world: World, name: str, records: list[Any], org: str) -> Any:
    source = write_jsonl(world.root / f"{name}.jsonl", records)
    engine = open_engine(world.workspace.db_url)
    try:
        return ingest_sources(world.workspace, [source], engine=engine, org=org)
    finally:
        engine.dispose()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp(f"sharing-{request.param}")
    url = None
    if request.param == "postgres":
        url = _fresh_database(request.getfixturevalue("postgres_url"))
    world = World(Workspace.resolve(root / "ws", url), root)
    north = [ad(i, body=f"Sweet girl {i} new in town call (415) 555-0101") for i in range(1, 5)]
    lone = ad(9, title="Lone ad", body="Independent, text (415) 555-0177 only")
    south = [
        ad(i, title=f"Spa {i}", body=f"Relaxing massage {i} call (212) 555-0199", location="NYC")
        for i in range(11, 14)
    ]
    _ingest(world, "north", [*north, lone], "north")
    _ingest(world, "south", south, "south")
    engine = open_engine(world.workspace.db_url)
    try:
        analyze(world.workspace, make_engine("serial"), db=engine)
        with engine.begin() as conn:
            for org, roles in USERS.items():
                for role in roles:
                    accounts.add_user(conn, org, role, f"{org}-{role}", PASSWORD)
            for org in ("north", "south"):
                world.posts[org] = _org_posts(conn, org)
                org_id = repo.org_by_name(conn, org)
                assert org_id is not None
                world.networks[org] = [n["id"] for n in repo.org_networks(conn, org_id, 50)]
            world.lone = conn.execute(
                select(t.posts.c.id).where(t.posts.c.title == "Lone ad")
            ).scalar_one()
    finally:
        engine.dispose()
    assert len(world.networks["north"]) == 1 and len(world.networks["south"]) == 1
    return world


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.workspace, secret_key="test-key")) as test_client:
        yield test_client


def _as(client: TestClient, username: str) -> dict[str, str]:
    """Sign ``client`` in as ``username`` (dropping any earlier session); CSRF header."""
    client.cookies.clear()
    assert sign_in(client, username) == 303
    return {"X-CSRF-Token": page_csrf(client, "/shared")}


def _audit(world: World, action: str) -> list[dict[str, Any]]:
    engine = open_engine(world.workspace.db_url)
    try:
        with engine.connect() as conn:
            query = select(t.audit_log).where(t.audit_log.c.action == action)
            return [dict(r._mapping) for r in conn.execute(query.order_by(t.audit_log.c.id))]
    finally:
        engine.dispose()


# -- sharing ---------------------------------------------------------------------------


def test_a_shared_post_is_visible_only_while_shared(client: TestClient, world: World) -> None:
    post, other = world.posts["north"][0], world.posts["north"][1]
    paths = (f"/posts/{post}", f"/api/v1/posts/{post}")
    _as(client, "south-analyst")
    for path in paths:
        assert client.get(path).status_code == 404, path

    headers = _as(client, "north-analyst")
    made = client.post(
        "/api/v1/shares", json={"kind": "post", "ref": post, "org": "south"}, headers=headers
    )
    assert made.status_code == 201
    share_id = made.json()["share"]
    again = client.post(
        "/api/v1/shares", json={"kind": "post", "ref": post, "org": "south"}, headers=headers
    )
    assert again.json()["share"] == share_id  # the standing share, not a second one
    by_us = client.get("/api/v1/shares").json()["shared_by_us"]
    assert [(s["share"], s["organisation"]) for s in by_us] == [(share_id, "south")]

    south = _as(client, "south-viewer")
    for path in paths:
        assert client.get(path).status_code == 200, path
    assert client.get(f"/posts/{other}").status_code == 404  # only what was shared
    hits = client.get("/api/v1/search", params={"q": "sweet"}).json()["hits"]
    assert [h["post"] for h in hits] == [post]
    with_us = client.get("/api/v1/shares").json()["shared_with_us"]
    assert [(s["kind"], s["ref"], s["organisation"]) for s in with_us] == [("post", post, "north")]
    assert f"/posts/{post}" in client.get("/shared").text
    # Read-only for the receiver: its analysts are not offered to add it to a case.
    _as(client, "south-analyst")
    assert "Add to a case" not in client.get(f"/posts/{post}").text
    _as(client, "north-analyst")
    assert "Add to a case" in client.get(f"/posts/{post}").text
    _as(client, "south-viewer")
    # Shared data stays out of the receiver's own triage queue.
    queue = {n["id"] for n in client.get("/api/v1/triage").json()["networks"]}
    assert queue == set(world.networks["south"])
    del south

    _as(client, "east-analyst")
    for path in paths:
        assert client.get(path).status_code == 404, path
    assert client.get("/api/v1/shares").json() == {"shared_with_us": [], "shared_by_us": []}

    headers = _as(client, "north-analyst")
    assert client.delete(f"/api/v1/shares/{share_id}", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/shares/{share_id}", headers=headers).status_code == 404
    _as(client, "south-analyst")
    for path in paths:
        assert client.get(path).status_code == 404, path
    assert client.get("/api/v1/search", params={"q": "sweet"}).json()["hits"] == []

    created = [e for e in _audit(world, "share.create") if e["detail"].get("share") == share_id]
    revoked = [e for e in _audit(world, "share.revoke") if e["detail"].get("share") == share_id]
    assert len(created) == 2 and created[0]["username"] == "north-analyst"
    assert created[0]["target"] == f"post/{post}" and created[0]["detail"]["to"] == "south"
    assert len(revoked) == 1 and revoked[0]["org_id"] == created[0]["org_id"]


def test_a_shared_case_opens_its_networks_read_only(client: TestClient, world: World) -> None:
    network = world.networks["north"][0]
    headers = _as(client, "north-analyst")
    token = headers["X-CSRF-Token"]
    made = client.post("/cases", data={"title": "Operation Heron", "csrf_token": token})
    case_id = int(str(made.url.path).rsplit("/", 1)[1])
    client.post(
        f"/cases/{case_id}/items", data={"kind": "network", "ref": network, "csrf_token": token}
    )
    assert 'action="/shared"' in client.get(f"/cases/{case_id}").text
    _as(client, "south-analyst")
    assert client.get(f"/networks/{network}").status_code == 404

    token = _as(client, "north-analyst")["X-CSRF-Token"]
    shared = client.post(
        "/shared",
        data={"kind": "case", "ref": str(case_id), "org": "south", "csrf_token": token},
        follow_redirects=False,
    )
    assert shared.status_code == 303
    page = client.get("/shared").text
    assert "Operation Heron" in page
    share_id = client.get("/api/v1/shares").json()["shared_by_us"][0]["share"]

    headers = _as(client, "south-analyst")
    page = client.get("/shared").text
    assert "Operation Heron" in page and f"/networks/{network}" in page
    view = client.get(f"/api/v1/networks/{network}")
    assert view.status_code == 200
    assert {p["id"] for p in view.json()["posts"]} == set(world.posts["north"]) - {world.lone}
    page = client.get(f"/networks/{network}")
    assert page.status_code == 200
    assert "Share network" not in page.text  # what is shared is not passed on
    for post in set(world.posts["north"]) - {world.lone}:
        assert client.get(f"/posts/{post}").status_code == 200
    assert client.get(f"/posts/{world.lone}").status_code == 404  # not in the case

    # Read-only: the case itself, its notes, the triage decision, the receiver's own
    # cases and passing the share on are all refused as if the data did not exist.
    assert client.get(f"/api/v1/cases/{case_id}").status_code == 404
    note = client.post(f"/api/v1/cases/{case_id}/notes", json={"body": "x"}, headers=headers)
    assert note.status_code == 404
    review = client.post(f"/api/v1/triage/{network}", json={"status": "dismissed"}, headers=headers)
    assert review.status_code == 404
    own = client.post("/api/v1/cases", json={"title": "south"}, headers=headers).json()["case"]
    for kind, ref in (("network", network), ("post", world.posts["north"][0])):
        added = client.post(
            f"/api/v1/cases/{own}/items", json={"kind": kind, "ref": ref}, headers=headers
        )
        assert added.status_code == 404
        onward = client.post(
            "/api/v1/shares", json={"kind": kind, "ref": ref, "org": "east"}, headers=headers
        )
        assert onward.status_code == 404
    assert client.delete(f"/api/v1/shares/{share_id}", headers=headers).status_code == 404

    _as(client, "east-analyst")
    assert client.get(f"/networks/{network}").status_code == 404

    token = _as(client, "north-admin")["X-CSRF-Token"]
    revoked = client.post(
        f"/shared/{share_id}/revoke", data={"csrf_token": token}, follow_redirects=False
    )
    assert revoked.status_code == 303
    _as(client, "south-analyst")
    assert client.get(f"/networks/{network}").status_code == 404
    assert client.get(f"/api/v1/posts/{world.posts['north'][0]}").status_code == 404
    assert "Operation Heron" not in client.get("/shared").text


def test_a_shared_network_and_who_may_share(client: TestClient, world: World) -> None:
    network = world.networks["north"][0]
    body = {"kind": "network", "ref": network, "org": "south"}
    for username in ("north-viewer", "north-auditor"):
        headers = _as(client, username)
        assert client.post("/api/v1/shares", json=body, headers=headers).status_code == 403
    headers = _as(client, "north-analyst")
    refused = [
        {"kind": "network", "ref": network, "org": "nowhere"},
        {"kind": "network", "ref": network, "org": "north"},
    ]
    for wrong in refused:
        assert client.post("/api/v1/shares", json=wrong, headers=headers).status_code == 422
    foreign = {"kind": "network", "ref": world.networks["south"][0], "org": "east"}
    assert client.post("/api/v1/shares", json=foreign, headers=headers).status_code == 404
    assert client.post("/api/v1/shares", json=body).status_code == 403  # no CSRF token
    made = client.post("/api/v1/shares", json=body, headers=headers)
    assert made.status_code == 201
    share_id = made.json()["share"]

    _as(client, "south-viewer")
    seen = client.get(f"/api/v1/networks/{network}").json()
    assert len(seen["posts"]) == 4
    graph = client.get(f"/api/v1/networks/{network}/graph")
    assert graph.status_code == 200
    _as(client, "east-analyst")
    assert client.get(f"/api/v1/networks/{network}/graph").status_code == 404

    headers = _as(client, "north-analyst")
    assert client.delete(f"/api/v1/shares/{share_id}", headers=headers).status_code == 200
    _as(client, "south-viewer")
    assert client.get(f"/api/v1/networks/{network}").status_code == 404


def test_anonymous_and_auditors_cannot_use_sharing(client: TestClient, world: World) -> None:
    assert client.get("/api/v1/shares").status_code == 401
    assert client.get("/shared", follow_redirects=False).status_code == 303
    _as(client, "north-auditor")
    assert client.get("/shared").status_code == 403
    assert client.get("/api/v1/shares").status_code == 403


# -- saved searches and alerts ---------------------------------------------------------


def test_alerts_are_raised_once_for_new_matching_posts_of_the_org(
    client: TestClient, world: World
) -> None:
    headers = _as(client, "north-analyst")
    saved = client.post(
        "/api/v1/saved-searches", json={"q": "flamingo", "name": "birds"}, headers=headers
    )
    assert saved.status_code == 201
    # Saved from the search page, with its filters: a country the new posts lack.
    page = client.get("/search", params={"q": "flamingo", "country": "FR"}).text
    assert 'action="/search/save"' in page
    form = {"q": "flamingo", "country": "FR", "name": "birds in FR", "csrf_token": csrf_of(page)}
    assert client.post("/search/save", data=form, follow_redirects=False).status_code == 303
    # Posts already held raise nothing, now or when collected again.
    old = client.post(
        "/api/v1/saved-searches", json={"q": "town", "name": "old words"}, headers=headers
    )
    assert old.status_code == 201
    bad = client.post("/api/v1/saved-searches", json={"q": '""'}, headers=headers)
    assert bad.status_code == 422
    headers = _as(client, "south-analyst")
    client.post("/api/v1/saved-searches", json={"q": "flamingo"}, headers=headers)

    fresh = [
        ad(31, body="Flamingo spa new girls call (415) 555-0123"),
        ad(32, body="pink flamingo massage, call now"),
        ad(33, body="nothing about birds at all"),
    ]
    first = _ingest(world, "north-fresh", fresh, "north")
    assert first.alerts == 2
    again = _ingest(world, "north-fresh", fresh, "north")  # a rerun adds nothing twice
    assert again.alerts == 0
    resent = [ad(i, body=f"Sweet girl {i} new in town call (415) 555-0101") for i in range(1, 5)]
    assert _ingest(world, "north-again", resent, "north").alerts == 0

    _as(client, "north-analyst")
    found = client.get("/api/v1/alerts", params={"unread": "true"}).json()
    assert found["unread"] == 2
    assert {a["name"] for a in found["alerts"]} == {"birds"}
    north_alerts = [a["alert"] for a in found["alerts"]]
    page = client.get("/alerts").text
    assert 'id="alert-count">2<' in page
    assert "pink flamingo" in page.lower() or "flamingo" in page.lower()
    # The saved search runs again from the alerts page.
    assert "/search?q=flamingo" in page

    # The same ad collected by south later is new to south: south's alert, not north's.
    _as(client, "south-analyst")
    assert client.get("/api/v1/alerts").json()["unread"] == 0
    assert _ingest(world, "south-fresh", fresh[:1], "south").alerts == 1
    south_alerts = client.get("/api/v1/alerts").json()
    assert south_alerts["unread"] == 1
    # Neither sees nor touches the other's alerts.
    headers = {"X-CSRF-Token": page_csrf(client, "/alerts")}
    assert client.post(f"/api/v1/alerts/{north_alerts[0]}/read", headers=headers).status_code == (
        404
    )
    _as(client, "east-analyst")
    assert client.get("/api/v1/alerts").json() == {"unread": 0, "alerts": []}

    token = _as(client, "north-analyst")["X-CSRF-Token"]
    one = client.post(
        "/alerts/read", data={"alert_id": north_alerts[0], "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert one.status_code == 303
    assert client.get("/api/v1/alerts", params={"unread": "true"}).json()["unread"] == 1
    assert 'id="alert-count">1<' in client.get("/triage").text
    result = CliRunner().invoke(
        cli_app,
        ["alerts", "--user", "north-analyst", "--workspace", str(world.workspace.root),
         *(["--db", world.workspace.db_url])],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "north-analyst" in result.output and "birds" in result.output
    assert "south-analyst" not in result.output
    everything = client.post("/api/v1/alerts/read", headers={"X-CSRF-Token": token})
    assert everything.json() == {"read": 1}
    assert 'id="alert-count"' not in client.get("/triage").text
    listed = client.get("/api/v1/saved-searches").json()["saved_searches"]
    assert {s["name"] for s in listed} == {"birds", "birds in FR", "old words"}
    for s in listed:
        gone = client.delete(
            f"/api/v1/saved-searches/{s['saved_search']}", headers={"X-CSRF-Token": token}
        )
        assert gone.status_code == 200
    assert client.get("/api/v1/alerts").json()["alerts"] == []


def test_viewers_save_searches_auditors_do_not(client: TestClient, world: World) -> None:
    headers = _as(client, "north-viewer")
    made = client.post("/api/v1/saved-searches", json={"q": "heron"}, headers=headers)
    assert made.status_code == 201
    saved_id = made.json()["saved_search"]
    headers = _as(client, "south-analyst")
    assert client.delete(f"/api/v1/saved-searches/{saved_id}", headers=headers).status_code == 404
    headers = _as(client, "north-auditor")
    assert client.get("/alerts").status_code == 403
    assert client.get("/api/v1/alerts").status_code == 403
    denied = client.post("/api/v1/saved-searches", json={"q": "heron"}, headers=headers)
    assert denied.status_code == 403
    assert client.get("/api/v1/alerts").status_code == 403
    client.cookies.clear()
    assert client.get("/api/v1/alerts").status_code == 401


# -- one triage history ----------------------------------------------------------------


def test_web_reviews_and_cli_marks_are_one_history(client: TestClient, world: World) -> None:
    network = world.networks["south"][0]
    headers = _as(client, "south-analyst")
    review = client.post(f"/api/v1/triage/{network}", json={"status": "dismissed"}, headers=headers)
    assert review.status_code == 200
    runner = CliRunner()
    ws = ["--workspace", str(world.workspace.root), "--db", world.workspace.db_url]
    history = runner.invoke(cli_app, ["triage", "history", network, *ws])
    assert history.exit_code == 0, history.output
    assert "dismissed" in history.output and "south-analyst (south)" in history.output

    marked = runner.invoke(
        cli_app,
        ["triage", "mark", network, "escalated", "--org", "south", "--analyst", "south-analyst",
         "--note", "seen again", *ws],
    )  # fmt: skip
    assert marked.exit_code == 0, marked.output
    queue = client.get("/api/v1/triage").json()["networks"]
    assert next(n for n in queue if n["id"] == network)["review"] == "escalated"
    assert "review: escalated" in client.get(f"/networks/{network}").text
    lines = runner.invoke(cli_app, ["triage", "history", network, "--org", "south", "--json", *ws])
    marks = [json.loads(line) for line in lines.output.splitlines()]
    assert [(m["state"], m["analyst"], m["org"]) for m in marks] == [
        ("dismissed", "south-analyst", "south"),
        ("escalated", "south-analyst", "south"),
    ]
    assert marks[1]["note"] == "seen again" and marks[0]["user_id"] == marks[1]["user_id"]
    # Another organisation's decisions are its own.
    _as(client, "north-analyst")
    assert client.get(f"/api/v1/networks/{network}").status_code == 404
    north = runner.invoke(cli_app, ["triage", "history", network, "--org", "north", *ws])
    assert north.output.strip() == ""


def test_migration_merges_web_reviews_into_triage_marks(db_url: str) -> None:
    """A 0006 store with CLI marks and web reviews: one history after 0007, in time
    order, the CLI's marks given to ``local`` and the reviews keeping their user."""
    engine = open_engine(db_url, migrate=False)
    try:
        upgrade(engine, "0006_web")
        with engine.begin() as conn:
            sql = conn.exec_driver_sql
            sql("INSERT INTO organisations (name, created_at) VALUES ('north', '2026-01-01')")
            org_id = conn.scalar(select(t.organisations.c.id))
            sql(
                "INSERT INTO users (org_id, username, password_hash, role, active, created_at)"
                f" VALUES ({org_id}, 'ana', 'x', 'analyst', TRUE, '2026-01-01')"
            )
            user_id = conn.scalar(select(t.users.c.id))
            sql(
                "INSERT INTO triage_marks (network_id, state, analyst, note, marked_at, risk, size)"
                " VALUES ('Naaa', 'reviewed', 'cli-ben', 'old', '2026-01-02 00:00:00', 0.4, 3),"
                " ('Naaa', 'escalated', 'cli-ben', '', '2026-01-04 00:00:00', 0.5, 3)"
            )
            sql(
                "INSERT INTO network_reviews (org_id, network_id, status, reviewed_by, reviewed_at)"
                f" VALUES ({org_id}, 'Naaa', 'dismissed', {user_id}, '2026-01-03 00:00:00')"
            )
        upgrade(engine, "0007_sharing")  # the migration under test, whatever follows it
        assert current_revision(engine) == "0007_sharing"
        assert "network_reviews" not in inspect(engine).get_table_names()
        with engine.connect() as conn:
            merged = repo.triage_marks(conn, "Naaa")
            latest = repo.latest_triage_marks(conn, org_id)
        assert [(m["state"], m["analyst"], m["org"]) for m in merged] == [
            ("reviewed", "cli-ben", "local"),
            ("dismissed", "ana", "north"),
            ("escalated", "cli-ben", "local"),
        ]
        assert merged[1]["user_id"] == user_id and merged[0]["user_id"] is None
        assert latest["Naaa"]["state"] == "dismissed"
    finally:
        engine.dispose()
