"""`tracelight images` and `tracelight faces` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw
from typer.testing import CliRunner

from tracelight.cli.main import app

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
