"""Faces end to end: two photos of one person in two ads become a `face` link and one
network; a third person stays apart. Reads the shared identity-labelled photos in place
(copied only into the test's temporary folder) and skips when they or dlib are absent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import ad, write_jsonl
from tracelight.pipeline import reports
from tracelight.pipeline.analyze import analyze
from tracelight.pipeline.engine import SerialEngine
from tracelight.pipeline.ingest import ingest_sources
from tracelight.store import repository as repo
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace

FACES = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "face_identity_images"
    / "face_recognition_examples"
    / "images"
)
TITLES = ("Quiet evening company", "Sunday brunch partner", "Museum walk buddy")
BODIES = (
    "Looking for calm conversation over tea near the river.",
    "Pancakes, coffee and the crossword, then a long stroll.",
    "Modern art fan seeks someone to argue about sculptures.",
)
PHOTOS = {"ad-1": "biden.jpg", "ad-2": "biden__biden2.jpg", "ad-3": "obama__obama.jpg"}


def test_the_same_face_under_two_ads_links_them(tmp_path: Path) -> None:
    pytest.importorskip("dlib")
    if not all((FACES / name).is_file() for name in PHOTOS.values()):
        pytest.skip(f"shared face photos absent under {FACES}")
    folder = tmp_path / "src"
    folder.mkdir()
    records = []
    for n, (external, name) in enumerate(PHOTOS.items(), start=1):
        shutil.copyfile(FACES / name, folder / name)
        # Distinct phones and texts: only the faces can tie these ads together.
        records.append(ad(n, id=external, title=TITLES[n - 1], body=BODIES[n - 1], images=[name]))
    workspace = Workspace.resolve(tmp_path / "ws")
    ingest_sources(workspace, [write_jsonl(folder / "ads.jsonl", records)])
    analyze(workspace, SerialEngine())

    engine = open_engine(workspace.db_url)
    try:
        with engine.connect() as conn:
            ids = {r.external_id: r.id for r in conn.execute(select(t.posts))}
            faces: dict[str, set[str]] = {}
            for post_id, kind, value in repo.iter_post_selectors(conn):
                if kind == "face":
                    faces.setdefault(post_id, set()).add(value)
    finally:
        engine.dispose()
    assert faces[ids["ad-1"]] & faces[ids["ad-2"]]
    assert not faces.get(ids["ad-3"], set()) & faces[ids["ad-1"]]
    networks = [json.loads(json.dumps(n.as_json())) for n in reports.networks(workspace, None)]
    together = [n for n in networks if ids["ad-1"] in n["posts"]]
    assert len(together) == 1 and ids["ad-2"] in together[0]["posts"]
    assert ids["ad-3"] not in together[0]["posts"]
    assert any(e["kind"] == "face" for e in together[0]["evidence"])
