"""A small two-organisation store for the web tests: generated ads, users of every role.

Organisation ``north`` collects four ads sharing one (fictional, 555) phone plus one
hostile ad; ``south`` collects three ads sharing another. Each organisation's posts form
its own network, so isolation can be checked on posts, networks and cases alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import ad, write_jsonl
from tracelight.pipeline.analyze import analyze
from tracelight.pipeline.engine import make_engine
from tracelight.pipeline.ingest import ingest_sources
from tracelight.store import repository as repo
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace
from tracelight.web import accounts

PASSWORD = "correct horse battery"
ROLES = ("admin", "analyst", "viewer", "auditor")

HOSTILE_TITLE = '<b onmouseover="window.__pwned=5">Hi</b> \u202egnp.exe'
HOSTILE_BODY = (
    "<script>window.__pwned=1;alert(1)</script> "
    '<img src=x onerror="window.__pwned=2"> '
    '<a href="javascript:window.__pwned=3">click</a> '
    '<svg onload="window.__pwned=4"><script>alert(4)</script></svg> '
    "call (415) 555-0101 \u202eevil\u202c now"
)


@dataclass
class WebWorld:
    workspace: Workspace
    posts: dict[str, list[str]] = field(default_factory=dict)
    networks: dict[str, list[str]] = field(default_factory=dict)
    hostile: str = ""


def build_world(root: Path) -> WebWorld:
    workspace = Workspace.resolve(root / "ws")
    north = [
        ad(i, body=f"Sweet girl {i} new in town call (415) 555-0101 kisses") for i in range(1, 5)
    ]
    north.append(
        ad(
            99,
            title=HOSTILE_TITLE,
            body=HOSTILE_BODY,
            url="javascript:alert(document.cookie)",
        )
    )
    south = [
        ad(
            i,
            title=f"Spa {i}",
            body=f"Relaxing massage {i} downtown call (212) 555-0199",
            location="New York",
        )
        for i in range(11, 14)
    ]
    world = WebWorld(workspace)
    engine = open_engine(workspace.db_url)
    try:
        for org, records in (("north", north), ("south", south)):
            source = write_jsonl(root / f"{org}.jsonl", records)
            ingest_sources(workspace, [source], engine=engine, org=org)
            with engine.begin() as conn:
                org_id = repo.org_by_name(conn, org)
                assert org_id is not None
                world.posts[org] = sorted(
                    conn.scalars(
                        select(t.post_orgs.c.post_id).where(t.post_orgs.c.org_id == org_id)
                    )
                )
        analyze(workspace, make_engine("serial"), db=engine)
        with engine.begin() as conn:
            for org in ("north", "south"):
                org_id = repo.org_by_name(conn, org)
                assert org_id is not None
                world.networks[org] = [n["id"] for n in repo.org_networks(conn, org_id, 50)]
                for role in ROLES:
                    accounts.add_user(conn, org, role, f"{org}-{role}", PASSWORD)
            world.hostile = next(
                p
                for p in conn.scalars(select(t.posts.c.id).where(t.posts.c.title == HOSTILE_TITLE))
            )
    finally:
        engine.dispose()
    return world


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> int:
    """Sign in through the login form as a browser would; returns the final status."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    return int(response.status_code)


def page_csrf(client: TestClient, path: str = "/cases") -> str:
    return csrf_of(client.get(path).text)


# -- the selector, image and export pages (tests/test_web_pages.py) ---------------------

FACE_PHOTOS = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "face_identity_images"
    / "face_recognition_examples"
    / "images"
)
"""Public identity-labelled research photos, read in place (copied only into tmp)."""
SHARED_PHONE = "+14155550123"
"""Carried by three ``north`` posts and one ``south`` post."""
SOUTH_PHONE = "+12125550199"
PLACEHOLDER_PHONE = "+14155555555"
HOSTILE_PLACE = '<img src=x onerror="window.__pwned=6">Oak\u202eland'


@dataclass
class PagesWorld:
    """Two organisations with images (one photo shared by both), EXIF/GPS on one, faces
    when dlib and the shared photos are present, and users of every role."""

    workspace: Workspace
    posts: dict[str, dict[str, str]] = field(default_factory=dict)
    images: dict[str, str] = field(default_factory=dict)
    faces: bool = False


def _photo_with_gps() -> bytes:
    from PIL import Image

    from vision_images import encode, photo

    exif = Image.Exif()
    exif[0x010F] = "TestMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif.get_ifd(0x8769)[0x9003] = "2025:03:04 05:06:07"  # DateTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = (33.0, 52.0, 4.8)
    gps[3] = "E"
    gps[4] = (151.0, 12.0, 36.0)
    return encode(photo(6, (320, 240)), "JPEG", exif=exif.tobytes(), quality=92)


def pages_photos() -> dict[str, bytes]:
    """The generated photos of :func:`build_pages_world`, by file name."""
    import io

    from PIL import Image

    from vision_images import encode, photo

    original = _photo_with_gps()
    with Image.open(io.BytesIO(original)) as img:
        smaller = encode(img.convert("RGB").resize((240, 180)), "PNG")
    return {
        "gps.jpg": original,  # north (n1) and south (s2): one file, two organisations
        "gps-small.png": smaller,  # north (n2): a near duplicate of gps.jpg
        "south-only.jpg": encode(photo(41, (320, 240)), "JPEG"),  # south (s3) alone
    }


def build_pages_world(root: Path, *, faces: bool = True) -> PagesWorld:
    """Generated ads of ``north`` and ``south`` with phones, personas and images.

    ``north``: three ads share :data:`SHARED_PHONE` (names, ages, two cities, one with a
    hostile title and place), two share the placeholder :data:`PLACEHOLDER_PHONE` (a hub),
    one shows a face photo. ``south``: one ad with the shared phone, one with the shared
    photo, one with its own phone and photo, one with another photo of the same face.
    """
    import hashlib
    import shutil

    workspace = Workspace.resolve(root / "ws")
    folder = root / "src"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in pages_photos().items():
        (folder / name).write_bytes(data)
    use_faces = faces and all(
        (FACE_PHOTOS / n).is_file() for n in ("biden.jpg", "biden__biden2.jpg")
    )
    if use_faces:
        try:
            from tracelight.vision.faces import model_dir

            model_dir()
            import dlib  # noqa: F401
        except Exception:  # models or dlib absent: the face tests skip
            use_faces = False
    if use_faces:
        for name in ("biden.jpg", "biden__biden2.jpg"):
            shutil.copyfile(FACE_PHOTOS / name, folder / name)
    north = {
        "n1": ad(201, title="Jasmine new in town",
                 body="Hi I am Jasmine, 21 years old. Call (415) 555-0123 kisses",
                 posted_at="2026-01-02T10:00:00Z", images=["gps.jpg"]),
        "n2": ad(202, title="Jasmine again",
                 body="Hi I am Jasmine, 22 years old, call (415) 555-0123 tonight",
                 location="Oakland", posted_at="2026-01-09T10:00:00Z", images=["gps-small.png"]),
        "n3": ad(203, title=HOSTILE_TITLE,
                 body="<script>window.__pwned=7</script> call (415) 555-0123",
                 location=HOSTILE_PLACE, posted_at="2026-01-05T10:00:00Z"),
        "n4": ad(204, title="Booking desk", body="Book now (415) 555-5555 any girl"),
        "n5": ad(205, title="Booking line", body="Reserve (415) 555-5555 any time"),
    }  # fmt: skip
    if use_faces:
        north["n6"] = ad(
            206,
            title="Quiet evening company",
            body="Calm conversation over tea near the river.",
            images=["biden.jpg"],
        )
    south = {
        "s1": ad(301, title="Spa evening", body="Relaxing massage call (415) 555-0123",
                 location="New York"),
        "s2": ad(302, title="Spa photo", body="Downtown studio call (212) 555-0199",
                 location="New York", images=["gps.jpg"]),
        "s3": ad(303, title="Spa other", body="Open late call (212) 555-0199",
                 location="New York", images=["south-only.jpg"]),
    }  # fmt: skip
    if use_faces:
        south["s4"] = ad(
            304,
            title="Sunday brunch partner",
            body="Pancakes, coffee and the crossword.",
            images=["biden__biden2.jpg"],
        )
    world = PagesWorld(workspace, faces=use_faces)
    engine = open_engine(workspace.db_url)
    try:
        for org, records in (("north", north), ("south", south)):
            source = write_jsonl(folder / f"{org}.jsonl", list(records.values()))
            ingest_sources(workspace, [source], engine=engine, org=org)
        analyze(workspace, make_engine("serial"), db=engine)
        with engine.begin() as conn:
            by_external = {r.external_id: r.id for r in conn.execute(select(t.posts))}
            for org, records in (("north", north), ("south", south)):
                world.posts[org] = {k: by_external[r["id"]] for k, r in records.items()}
                for role in ROLES:
                    accounts.add_user(conn, org, role, f"{org}-{role}", PASSWORD)
    finally:
        engine.dispose()
    for name in (*pages_photos(), "biden.jpg", "biden__biden2.jpg"):
        path = folder / name
        if path.is_file():
            world.images[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return world
