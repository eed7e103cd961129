"""`tracelight images` and `tracelight faces` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select
from typer.testing import CliRunner

from tracelight.cli.main import app
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace
from tracelight.web.accounts import add_user

runner = CliRunner()


def _picture(path: Path, size: tuple[int, int]) -> None:
    image = Image.new("RGB", (240, 180), "white")
    draw = ImageDraw.Draw(image)
    for i in range(0, 240, 24):
        draw.rectangle([i, i // 2, i + 18, i // 2 + 50], fill=(i, 90, 240 - i))
    draw.ellipse([60, 40, 180, 150], outline=(10, 10, 10), width=6)
    image.resize(size).save(path)


def test_images_hash_reads_copies_alike_and_refuses_non_images(tmp_path: Path) -> None:
    original, copy, bogus = tmp_path / "a.png", tmp_path / "b.jpg", tmp_path / "c.png"
    _picture(original, (240, 180))
    _picture(copy, (120, 90))
    bogus.write_bytes(b"<html>not an image</html>")
    result = runner.invoke(app, ["images", "hash", str(original), str(copy), str(bogus), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(r["path"]).name for r in rows] == ["a.png", "b.jpg", "c.png"]
    a, b, c = rows
    distance = bin(int(a["pdq"], 16) ^ int(b["pdq"], 16)).count("1")
    assert distance <= 31  # PDQ's customary match threshold
    assert a["sha256"] != b["sha256"]
    assert "pdq" not in c and "not an image" in c["error"]


def test_faces_compare_without_a_face_fails_with_a_reason(tmp_path: Path) -> None:
    one, two = tmp_path / "one.png", tmp_path / "two.png"
    _picture(one, (240, 180))
    _picture(two, (240, 180))
    result = runner.invoke(app, ["faces", "compare", str(one), str(two), "--json"])
    assert result.exit_code == 1
    assert "no face found" in result.output


FACE_PHOTO = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "face_identity_images"
    / "face_recognition_examples"
    / "images"
    / "biden.jpg"
)


def test_face_search_needs_an_account_whose_role_allows_it(tmp_path: Path) -> None:
    pytest.importorskip("dlib")
    if not FACE_PHOTO.is_file():
        pytest.skip(f"shared face photo absent: {FACE_PHOTO}")
    ws = Workspace.resolve(tmp_path / "ws")
    ws.ensure()
    engine = open_engine(ws.db_url)
    with engine.begin() as conn:
        add_user(conn, "north", "viewer", "vera", "a long passphrase 1")
        add_user(conn, "north", "analyst", "ana", "a long passphrase 2")
    engine.dispose()
    base = ["faces", "search", str(FACE_PHOTO), "--workspace", str(ws.root), "--json"]
    anonymous = runner.invoke(app, base)
    assert anonymous.exit_code == 2 and "--user" in anonymous.output
    viewer = runner.invoke(app, [*base, "--user", "vera"])
    assert viewer.exit_code == 1 and "may not search faces" in viewer.output
    analyst = runner.invoke(app, [*base, "--user", "ana"])
    assert analyst.exit_code == 0, analyst.output
    answer = json.loads(analyst.stdout)
    assert answer["matches"] == [] and answer["query_faces"] == 1
    engine = open_engine(ws.db_url)
    with engine.connect() as conn:
        searches = conn.execute(select(t.face_searches)).mappings().all()
    engine.dispose()
    assert [s["actor"] for s in searches] == ["ana@north"]  # only the permitted search ran
