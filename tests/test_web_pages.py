"""Selector, image and face pages, search by upload, upload limits and case export.

Over HTTP through FastAPI's test client, on a real store built from generated ads and
images (tests/web_fixtures.py: build_pages_world), the real vision code and, where the
shared photos and dlib are present, the real face models. Each page is checked for the
owning organisation, against a foreign one (404, audited ``denied``) and by role.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from sqlalchemy import select

from tracelight.ledger.verify import verify_bundle
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.web import create_app
from tracelight.web.security import allowed
from tracelight.web.uploads import DEFAULT_MAX_UPLOAD_BYTES
from vision_images import encode, photo
from web_fixtures import (
    FACE_PHOTOS,
    HOSTILE_PLACE,
    PLACEHOLDER_PHONE,
    SHARED_PHONE,
    SOUTH_PHONE,
    PagesWorld,
    build_pages_world,
    csrf_of,
    sign_in,
)

Login = Callable[..., TestClient]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> PagesWorld:
    return build_pages_world(tmp_path_factory.mktemp("pages"))


@pytest.fixture
def login(world: PagesWorld) -> Iterator[Login]:
    """``login("north-analyst")``: a signed-in client (``None``: signed out)."""
    with ExitStack() as stack:

        def make(username: str | None, **options: Any) -> TestClient:
            app = create_app(world.workspace, secret_key="test-key", **options)
            client = stack.enter_context(TestClient(app))
            if username is not None:
                assert sign_in(client, username) == 303
            return client

        yield make


def _rows(world: PagesWorld, table: Any, *where: Any) -> list[dict[str, Any]]:
    engine = open_engine(world.workspace.db_url)
    try:
        with engine.connect() as conn:
            query = select(table).where(*where)
            return [dict(r._mapping) for r in conn.execute(query)]
    finally:
        engine.dispose()


def _audit(world: PagesWorld, action: str) -> list[dict[str, Any]]:
    return sorted(
        _rows(world, t.audit_log, t.audit_log.c.action == action), key=lambda e: int(e["id"])
    )


def _selector(kind: str, value: str, api: bool = False) -> str:
    return f"{'/api/v1' if api else ''}/selectors/{kind}/{quote(value, safe='')}"


def _upload(data: bytes, name: str = "photo.jpg", kind: str = "image/jpeg") -> dict[str, Any]:
    return {"photo": (name, data, kind)}


def _csrf(client: TestClient, path: str = "/images/search") -> str:
    return csrf_of(client.get(path).text)


# -- the selector page -----------------------------------------------------------------


def test_selector_page_lists_the_organisations_posts_places_personas_networks(
    login: Login, world: PagesWorld
) -> None:
    client = login("north-viewer")
    page = client.get(_selector("phone", SHARED_PHONE))
    assert page.status_code == 200
    north, south = world.posts["north"], world.posts["south"]
    for key in ("n1", "n2", "n3"):
        assert f'href="/posts/{north[key]}"' in page.text
    assert south["s1"] not in page.text  # south's post with the same phone stays hidden
    assert "San Francisco" in page.text and "Oakland" in page.text
    assert "Jasmine" in page.text
    assert "2026-01-02 10:00" in page.text and "2026-01-09 10:00" in page.text
    assert "Other organisations' posts also carry this selector" in page.text
    assert 'href="/networks/' in page.text

    data = client.get(_selector("phone", SHARED_PHONE, api=True)).json()
    assert [p["id"] for p in data["posts"]] == [north["n1"], north["n3"], north["n2"]]
    assert data["first_seen"].startswith("2026-01-02") and data["last_seen"].startswith(
        "2026-01-09"
    )
    assert {n["value"] for n in data["names"]} == {"Jasmine"}
    assert {a["value"] for a in data["ages"]} == {"21", "22"}
    assert {c["value"] for c in data["countries"]} == {"US"}
    assert data["hub"] is None and data["partial"] is True
    assert data["networks"] and all(
        set(n["posts"]) <= set(north.values()) for n in data["networks"]
    )
    views = [e for e in _audit(world, "view.selector") if e["username"] == "north-viewer"]
    assert {e["target"] for e in views} == {f"selector/phone/{SHARED_PHONE}"}
    assert any(e["detail"].get("via") == "api" for e in views)


def test_a_hub_selector_says_why_it_was_set_aside(login: Login) -> None:
    client = login("north-analyst")
    data = client.get(_selector("phone", PLACEHOLDER_PHONE, api=True)).json()
    assert data["hub"]["reason"] == "placeholder"
    assert data["hub"]["posts"] == 2  # every post behind it is north's: nothing withheld
    page = client.get(_selector("phone", PLACEHOLDER_PHONE))
    assert "placeholder number" in page.text and "not used to link" in page.text


def test_selector_of_another_organisation_is_404_like_a_missing_one(
    login: Login, world: PagesWorld
) -> None:
    client = login("north-admin")
    foreign = client.get(_selector("phone", SOUTH_PHONE))
    missing = client.get(_selector("phone", "+14155550000"))
    assert foreign.status_code == missing.status_code == 404
    assert client.get(_selector("phone", SOUTH_PHONE, api=True)).status_code == 404
    assert client.get(_selector("nonsense", SHARED_PHONE, api=True)).status_code == 404
    denied = {e["target"] for e in _audit(world, "denied") if e["username"] == "north-admin"}
    assert f"selector/phone/{SOUTH_PHONE}" in denied
    # The owner sees it.
    south = login("south-viewer").get(_selector("phone", SOUTH_PHONE, api=True))
    assert south.status_code == 200 and len(south.json()["posts"]) == 2


def test_selector_page_roles_and_sign_in(login: Login) -> None:
    assert login("north-auditor").get(_selector("phone", SHARED_PHONE)).status_code == 403
    anonymous = login(None)
    page = anonymous.get(_selector("phone", SHARED_PHONE), follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    assert anonymous.get(_selector("phone", SHARED_PHONE, api=True)).status_code == 401


def test_hostile_text_is_escaped_on_the_selector_page(login: Login) -> None:
    page = login("north-analyst").get(_selector("phone", SHARED_PHONE)).text
    assert "<script>" not in page.split("</head>", 1)[1]
    assert "<b onmouseover" not in page and "&lt;b onmouseover=" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=" in page
    assert "U+202E" in page  # the bidi override in title and place is shown, not obeyed
    assert HOSTILE_PLACE not in page


def test_post_and_network_pages_link_their_selectors_here(login: Login, world: PagesWorld) -> None:
    client = login("north-analyst")
    link = f'href="/selectors/phone/{quote(SHARED_PHONE, safe="/")}"'
    post = client.get(f"/posts/{world.posts['north']['n1']}").text
    assert link in post
    assert f'href="/images/{world.images["gps.jpg"]}"' in post
    network_id = client.get(_selector("phone", SHARED_PHONE, api=True)).json()["networks"][0]["id"]
    assert link in client.get(f"/networks/{network_id}").text
    assert client.get(link.split('"')[1]).status_code == 200


# -- the image page --------------------------------------------------------------------


def test_image_page_shows_the_organisations_posts_near_duplicates_and_the_image(
    login: Login, world: PagesWorld
) -> None:
    client = login("north-analyst")
    sha = world.images["gps.jpg"]
    page = client.get(f"/images/{sha}")
    assert page.status_code == 200
    assert f'src="/images/{sha}/raw"' in page.text
    north, south = world.posts["north"], world.posts["south"]
    assert f'href="/posts/{north["n1"]}"' in page.text
    assert south["s2"] not in page.text  # south shows the same photo: not listed here
    assert world.images["gps-small.png"] in page.text  # the near duplicate, north's
    data = client.get(f"/api/v1/images/{sha}").json()
    assert [p["id"] for p in data["posts"]] == [north["n1"]]
    assert [n["image"] for n in data["near"]] == [world.images["gps-small.png"]]
    assert data["near"][0]["posts"] == [north["n2"]] and data["near"][0]["distance"] <= 31

    raw = client.get(f"/images/{sha}/raw")
    assert raw.status_code == 200
    assert raw.headers["content-type"] == "image/jpeg"
    assert raw.headers["content-disposition"].startswith("inline")
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert raw.content == (world.workspace.blobs.get(sha))
    png = client.get(f"/images/{world.images['gps-small.png']}/raw")
    assert png.headers["content-type"] == "image/png"
    targets = [e["target"] for e in _audit(world, "view.image")]
    assert f"image/{sha}" in targets


def test_image_of_another_organisation_is_404(login: Login, world: PagesWorld) -> None:
    client = login("north-admin")
    sha = world.images["south-only.jpg"]
    for path in (f"/images/{sha}", f"/images/{sha}/raw", f"/api/v1/images/{sha}"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/images/{'0' * 64}").status_code == 404
    assert f"image/{sha}" in {
        e["target"] for e in _audit(world, "denied") if e["username"] == "north-admin"
    }
    owner = login("south-viewer")
    assert owner.get(f"/images/{sha}/raw").status_code == 200


def test_exif_and_gps_are_shown_only_to_roles_allowed(login: Login, world: PagesWorld) -> None:
    sha = world.images["gps.jpg"]
    assert allowed("analyst", "exif") and not allowed("viewer", "exif")
    analyst = login("north-analyst")
    page = analyst.get(f"/images/{sha}").text
    assert "-33.86" in page and "151.21" in page and "TestMaker" in page
    assert analyst.get(f"/api/v1/images/{sha}").json()["exif"]["gps_lat"] == pytest.approx(
        -33.868, abs=1e-3
    )
    viewer = login("north-viewer")
    page = viewer.get(f"/images/{sha}").text
    assert "hidden for your role" in page
    assert "-33.86" not in page and "TestMaker" not in page
    data = viewer.get(f"/api/v1/images/{sha}").json()
    assert data["exif"] is None and data["faces"] is None and data["sensitive_hidden"] is True
    assert login("north-auditor").get(f"/images/{sha}").status_code == 403


# -- image search by upload ------------------------------------------------------------


def test_image_search_finds_the_organisations_posts_with_their_distance(
    login: Login, world: PagesWorld
) -> None:
    from PIL import Image

    client = login("north-viewer")
    # A re-encoded, mirrored copy of the shared photo: found through the dihedral hashes.
    with Image.open(io.BytesIO(world.workspace.blobs.get(world.images["gps.jpg"]))) as img:
        query = encode(img.convert("RGB").transpose(Image.Transpose.FLIP_LEFT_RIGHT), "PNG")
    response = client.post(
        "/api/v1/images/search",
        files=_upload(query, "query.png", "image/png"),
        headers={"X-CSRF-Token": _csrf(client)},
    )
    assert response.status_code == 200, response.text
    data = response.json()
    found = {m["image"]: m for m in data["matches"]}
    assert set(found) == {world.images["gps.jpg"], world.images["gps-small.png"]}
    north, south = world.posts["north"], world.posts["south"]
    assert found[world.images["gps.jpg"]]["posts"] == [north["n1"]]  # not south's s2
    assert all(m["distance"] <= 31 for m in data["matches"])
    assert south["s2"] not in response.text
    entry = _audit(world, "image.search")[-1]
    assert entry["detail"]["sha256"] == data["sha256"] and entry["detail"]["results"] == 2

    page = client.post(
        "/images/search",
        files=_upload(query, "query.png", "image/png"),
        data={"csrf_token": _csrf(client), "max_distance": "31"},
    )
    assert page.status_code == 200
    assert f'href="/posts/{north["n1"]}"' in page.text and "2 matching images" in page.text
    unrelated = encode(photo(77), "JPEG")
    none = client.post(
        "/api/v1/images/search",
        files=_upload(unrelated),
        headers={"X-CSRF-Token": _csrf(client)},
    )
    assert none.json()["matches"] == []


def test_a_non_image_upload_is_a_clear_400(login: Login, world: PagesWorld) -> None:
    client = login("north-analyst")
    token = _csrf(client)
    html = b"<html><script>alert(1)</script></html>"
    api = client.post(
        "/api/v1/images/search",
        files=_upload(html, "x.jpg"),
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 400
    assert "not an image in an allowed format" in api.json()["detail"]
    page = client.post("/images/search", files=_upload(html, "x.jpg"), data={"csrf_token": token})
    assert page.status_code == 400 and "the upload was refused" in page.text
    assert "<script>alert(1)" not in page.text
    empty = client.post(
        "/api/v1/images/search", files=_upload(b""), headers={"X-CSRF-Token": token}
    )
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]
    refused = [e for e in _audit(world, "image.search") if "refused" in e["detail"]]
    assert refused and all(len(e["detail"]["sha256"]) == 64 for e in refused)


def test_an_upload_over_the_limit_is_413_before_it_is_read(login: Login) -> None:
    assert DEFAULT_MAX_UPLOAD_BYTES == 10 * 1024 * 1024
    client = login("north-analyst", max_upload_bytes=20_000)
    token = _csrf(client)
    big = encode(photo(5, (900, 700)), "PNG")
    assert len(big) > 20_000
    api = client.post(
        "/api/v1/images/search", files=_upload(big, "big.png"), headers={"X-CSRF-Token": token}
    )
    assert api.status_code == 413
    assert "too large" in api.json()["detail"] and "20,000 bytes" in api.json()["detail"]
    page = client.post("/images/search", files=_upload(big, "big.png"), data={"csrf_token": token})
    assert page.status_code == 413 and "too large" in page.text
    # Without a Content-Length (a chunked stream) the bytes are counted as they arrive.
    boundary = "tlboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="b.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()

    def chunks() -> Iterator[bytes]:
        yield head
        for start in range(0, len(big), 4096):
            yield big[start : start + 4096]
        yield f"\r\n--{boundary}--\r\n".encode()

    streamed = client.post(
        "/api/v1/images/search",
        content=chunks(),
        headers={
            "X-CSRF-Token": token,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert streamed.status_code == 413
    small = client.post(
        "/api/v1/images/search",
        files=_upload(encode(photo(8, (64, 48)), "JPEG")),
        headers={"X-CSRF-Token": token},
    )
    assert small.status_code == 200


def test_image_search_needs_sign_in_csrf_and_a_reading_role(login: Login) -> None:
    query = encode(photo(9, (64, 48)), "JPEG")
    anonymous = login(None)
    # Signed out: the CSRF check refuses first; a token that is no token is a 401.
    assert anonymous.post("/api/v1/images/search", files=_upload(query)).status_code == 403
    bogus = {"Authorization": "Bearer tlk_not-a-token"}
    response = anonymous.post("/api/v1/images/search", files=_upload(query), headers=bogus)
    assert response.status_code == 401
    client = login("north-analyst")
    assert client.post("/api/v1/images/search", files=_upload(query)).status_code == 403
    auditor = login("north-auditor")
    assert auditor.get("/images/search").status_code == 403
    token = csrf_of(auditor.get("/audit").text)
    denied = auditor.post(
        "/api/v1/images/search", files=_upload(query), headers={"X-CSRF-Token": token}
    )
    assert denied.status_code == 403


# -- face search -----------------------------------------------------------------------


def test_face_search_is_refused_to_viewers_and_auditors(login: Login) -> None:
    query = encode(photo(9, (64, 48)), "JPEG")
    for username in ("north-viewer", "north-auditor"):
        client = login(username)
        assert client.get("/faces/search").status_code == 403
        token = csrf_of(client.get("/audit" if "auditor" in username else "/search").text)
        api = client.post(
            "/api/v1/faces/search", files=_upload(query), headers={"X-CSRF-Token": token}
        )
        assert api.status_code == 403, username
        assert (
            'href="/faces/search"'
            not in client.get("/audit" if "auditor" in username else "/search").text
        )


def test_face_search_finds_the_same_person_in_the_organisations_posts_only(
    login: Login, world: PagesWorld
) -> None:
    if not world.faces:
        pytest.skip("dlib, its models or the shared face photos are absent")
    query = (FACE_PHOTOS / "biden.jpg").read_bytes()
    client = login("north-analyst")
    assert 'href="/faces/search"' in client.get("/search").text
    response = client.post(
        "/api/v1/faces/search",
        files=_upload(query, "biden.jpg"),
        headers={"X-CSRF-Token": _csrf(client, "/faces/search")},
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["query_faces"] == 1 and 0.3 < data["threshold"] < 0.8
    assert data["measured_far"] is not None
    posts = {p for m in data["matches"] for p in m["posts"]}
    assert posts == {world.posts["north"]["n6"]}  # south's photo of him is not searched
    searches = _rows(world, t.face_searches, t.face_searches.c.id == data["search_id"])
    assert searches[0]["actor"] == "north-analyst@north"
    assert searches[0]["query_sha256"] == data["sha256"]
    leaves = _rows(world, t.ledger_leaves, t.ledger_leaves.c.kind == "face_search")
    assert any(leaf["ref"] == str(data["search_id"]) for leaf in leaves)
    entry = _audit(world, "face.search")[-1]
    assert entry["detail"]["results"] == len(data["matches"]) and entry["detail"]["faces"] == 1

    page = client.post(
        "/faces/search",
        files=_upload(query, "biden.jpg"),
        data={"csrf_token": _csrf(client, "/faces/search")},
    )
    assert page.status_code == 200
    assert "false-accept rate" in page.text
    assert f'href="/posts/{world.posts["north"]["n6"]}"' in page.text
    # Faces of an image are sensitive: shown to the analyst, hidden from the viewer.
    sha = world.images["biden.jpg"]
    assert login("north-analyst").get(f"/api/v1/images/{sha}").json()["faces"]
    assert login("north-viewer").get(f"/api/v1/images/{sha}").json()["faces"] is None


# -- evidence export from a case -------------------------------------------------------


def _case_with_items(client: TestClient, world: PagesWorld) -> int:
    token = _csrf(client, "/cases")
    headers = {"X-CSRF-Token": token}
    case_id = int(
        client.post("/api/v1/cases", json={"title": "Export"}, headers=headers).json()["case"]
    )
    for key in ("n1", "n2"):
        added = client.post(
            f"/api/v1/cases/{case_id}/items",
            json={"kind": "post", "ref": world.posts["north"][key]},
            headers=headers,
        )
        assert added.status_code == 201
    return case_id


def test_case_export_is_a_bundle_that_verifies_and_is_recorded(
    login: Login, world: PagesWorld, tmp_path: Path
) -> None:
    client = login("north-analyst")
    case_id = _case_with_items(client, world)
    page = client.get(f"/cases/{case_id}")
    response = client.post(f"/cases/{case_id}/export", data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert f'filename="case-{case_id}-evidence.zip"' in response.headers["content-disposition"]
    bundle = tmp_path / "case.zip"
    bundle.write_bytes(response.content)
    report = verify_bundle(bundle)
    assert report.failures == [], report.failures
    assert report.items > 0
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    assert "manifest.json" in names and "checkpoint.txt" in names
    exports = _rows(world, t.ledger_leaves, t.ledger_leaves.c.kind == "export")
    assert any(leaf["ref"] == f"case/{case_id}" for leaf in exports)
    entry = _audit(world, "case.export")[-1]
    assert entry["target"] == f"case/{case_id}"
    assert entry["detail"]["bundle_sha256"] == response.headers["x-bundle-sha256"]
    api = client.post(
        f"/api/v1/cases/{case_id}/export", headers={"X-CSRF-Token": csrf_of(page.text)}
    )
    assert api.status_code == 200 and api.content[:2] == b"PK"


def test_case_export_roles_isolation_and_empty_cases(login: Login, world: PagesWorld) -> None:
    analyst = login("north-analyst")
    case_id = _case_with_items(analyst, world)
    token = _csrf(analyst, "/cases")
    assert analyst.post(f"/cases/{case_id}/export").status_code == 403  # no CSRF token
    viewer = login("north-viewer")
    viewer_token = _csrf(viewer, "/search")
    denied = viewer.post(f"/api/v1/cases/{case_id}/export", headers={"X-CSRF-Token": viewer_token})
    assert denied.status_code == 403
    foreign = login("south-analyst")
    south_token = _csrf(foreign, "/cases")
    for path in (f"/cases/{case_id}/export", f"/api/v1/cases/{case_id}/export"):
        assert foreign.post(path, headers={"X-CSRF-Token": south_token}).status_code == 404
    assert f"case/{case_id}" in {
        e["target"] for e in _audit(world, "denied") if e["username"] == "south-analyst"
    }
    empty = int(
        analyst.post(
            "/api/v1/cases", json={"title": "Empty"}, headers={"X-CSRF-Token": token}
        ).json()["case"]
    )
    response = analyst.post(f"/api/v1/cases/{empty}/export", headers={"X-CSRF-Token": token})
    assert response.status_code == 409 and "holds nothing" in response.json()["detail"]
    assert login(None).post(f"/api/v1/cases/{case_id}/export").status_code == 403


def test_the_export_button_partial_posts_with_the_csrf_token() -> None:
    """``_export.html`` is what ``case.html`` includes: a POST form with the token, shown
    only to roles that may export."""
    from tracelight.web.accounts import Principal
    from tracelight.web.render import templates

    partial = templates.get_template("_export.html")
    case = {"id": 42}
    for role, shown in (("analyst", True), ("admin", True), ("viewer", False)):
        user = Principal(1, "someone", role, 1, "north", csrf="tok")
        html = partial.render(user=user, case=case, csrf="tok")
        assert ('action="/cases/42/export"' in html) is shown, role
        if shown:
            assert 'method="post"' in html and 'name="csrf_token" value="tok"' in html
