"""The main job end to end on the embedded default, as `make demo` runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracelight.cli.main import app
from tracelight.pipeline.evaluate import pair_score

pytestmark = pytest.mark.slow


def test_demo_runs_the_pipeline_and_prints_networks(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = tmp_path / "ws"
    result = runner.invoke(app, ["demo", "--posts", "1500", "--workspace", str(ws), "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["stats"]["posts"] == 1500
    assert report["stats"]["networks"] > 5
    assert report["stats"]["images"] > 0
    assert report["stats"]["rejected"] == 0
    assert Path(report["ground_truth"]).exists()
    # Shared phones link real networks: most linked pairs found are true pairs and a
    # fair share of the true pairs are found even before the linking issue's work.
    assert report["pairwise"]["groups_found"] >= report["pairwise"]["groups"] // 2
    assert report["pairwise"]["recall"] > 0.2

    text = runner.invoke(app, ["demo", "--posts", "1500", "--workspace", str(ws), "--top", "3"])
    assert text.exit_code == 0
    assert "posts" in text.stdout and "selectors: " in text.stdout
    # Running the demo again over the same workspace adds nothing.
    again = runner.invoke(app, ["stats", "--workspace", str(ws), "--json"])
    assert json.loads(again.stdout)["posts"] == 1500


def test_pair_score() -> None:
    truth = {"a": "g1", "b": "g1", "c": "g1", "d": None, "e": "g2", "f": "g2"}
    score = pair_score([["a", "b", "d"], ["e", "f"]], truth)
    assert score.true_pairs == 4  # ab ac bc ef
    assert score.found_pairs == 4  # ab ad bd ef
    assert score.correct_pairs == 2
    assert (score.precision, score.recall) == (0.5, 0.5)
    assert score.groups_found == 2
