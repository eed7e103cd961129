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
    # It ends with how to open the web app, and a demo account that signs in.
    account = Path(report["web"]["passphrase_file"])
    assert account.name == "demo-account.txt" and account.parent.resolve() == ws.resolve()
    assert account.stat().st_mode & 0o777 == 0o600
    fields = dict(line.split(": ", 1) for line in account.read_text().splitlines())
    assert fields["username"] == report["web"]["username"]
    assert report["web"]["serve"].startswith("tracelight serve --workspace ")
    _signs_in(ws, fields["username"], fields["passphrase"])

    text = runner.invoke(app, ["demo", "--posts", "1500", "--workspace", str(ws), "--top", "3"])
    assert text.exit_code == 0
    assert "posts" in text.stdout and "selectors: " in text.stdout
    assert "tracelight serve --workspace" in text.stdout
    assert fields["username"] in text.stdout and "demo-account.txt" in text.stdout
    assert fields["passphrase"] not in text.stdout
    # A rerun keeps the account and its passphrase.
    assert account.read_text().splitlines()[1] == "passphrase: " + fields["passphrase"]
    # Running the demo again over the same workspace adds nothing.
    again = runner.invoke(app, ["stats", "--workspace", str(ws), "--json"])
    assert json.loads(again.stdout)["posts"] == 1500


def _signs_in(ws: Path, username: str, passphrase: str) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from tracelight.store.workspace import Workspace
    from tracelight.web import create_app

    workspace = Workspace.resolve(ws)
    with TestClient(create_app(workspace, secret_key="demo-test")) as client:
        login = client.get("/login")
        token = login.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = client.post(
            "/login",
            data={"username": username, "password": passphrase, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        me = client.get("/api/v1/me").json()
        assert (me["username"], me["organisation"]) == (username, "local")
        # The demo's posts belong to ``local``: its networks are in the account's queue.
        assert client.get("/api/v1/triage").json()["networks"]


def test_pair_score() -> None:
    truth = {"a": "g1", "b": "g1", "c": "g1", "d": None, "e": "g2", "f": "g2"}
    score = pair_score([["a", "b", "d"], ["e", "f"]], truth)
    assert score.true_pairs == 4  # ab ac bc ef
    assert score.found_pairs == 4  # ab ad bd ef
    assert score.correct_pairs == 2
    assert (score.precision, score.recall) == (0.5, 0.5)
    assert score.groups_found == 2
