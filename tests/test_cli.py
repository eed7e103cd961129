"""The command line as scripts and analysts use it: exit codes, JSON shapes, escaping."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import ad, write_jsonl
from tracelight.cli.main import app

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    records: list[dict[str, object] | str] = [
        ad(1, body="Text (415) 555-0177 [bold red]now[/] \x1b[31mred\x1b[0m"),
        ad(2, body="Same girl, (415) 555-0177"),
        ad(3, body="Other (415) 555-0111"),
        '{"broken": ',
    ]
    source = write_jsonl(tmp_path / "ads.jsonl", records)
    code, out, _ = run("ingest", str(source), "--workspace", str(ws), "--json", "--no-progress")
    assert code == 0
    summary = json.loads(out)
    assert (summary["accepted"], summary["duplicate"], summary["rejected"]) == (3, 0, 1)
    code, out, _ = run("analyze", "--workspace", str(ws), "--engine", "serial", "--json")
    assert code == 0 and json.loads(out)["networks"] == 1
    return ws


def test_stats_json_has_the_documented_keys(loaded: Path) -> None:
    code, out, _ = run("stats", "--workspace", str(loaded), "--json")
    assert code == 0
    assert json.loads(out) == {
        "posts": 3,
        "images": 0,
        "mentions": 3,
        "selectors": 2,
        "networks": 1,
        "rejected": 1,
    }


def test_networks_json_one_object_per_line(loaded: Path) -> None:
    code, out, _ = run("networks", "--workspace", str(loaded), "--json", "--top", "0")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 1
    network = lines[0]
    assert set(network) >= {"network", "posts", "selectors", "risk", "reasons"}
    assert len(network["posts"]) == 2
    assert network["selectors"] == [{"kind": "phone", "value": "+14155550177"}]
    # No indicator in these ads: a low risk and no reason; the link is evidence, not a reason.
    assert 0 <= network["risk"] < 0.1 and network["reasons"] == []
    assert [(e["kind"], e["value"]) for e in network["evidence"]] == [("phone", "+14155550177")]


def test_workspace_from_environment(loaded: Path) -> None:
    code, out, _ = run("stats", "--json", env={"TRACELIGHT_WORKSPACE": str(loaded)})
    assert code == 0 and json.loads(out)["posts"] == 3


def test_search_output_escapes_markup_and_control_characters(loaded: Path) -> None:
    code, out, _ = run("search", "red", "--workspace", str(loaded))
    assert code == 0
    assert "\x1b" not in out
    assert "[bold red]now[/]" in out  # shown literally, not interpreted as markup
    code, out, _ = run("search", "red", "--workspace", str(loaded), "--json")
    hit = json.loads(out.splitlines()[0])
    assert "⦃" not in hit["snippet"] and "red" in hit["snippet"]


def test_networks_table_is_printed(loaded: Path) -> None:
    code, out, _ = run("networks", "--workspace", str(loaded))
    assert code == 0 and "+14155550177" in out


def test_bad_usage_exits_2_and_failures_exit_1(tmp_path: Path) -> None:
    assert run("networks", "--top", "-1")[0] == 2
    assert run("nonsense")[0] == 2
    assert run("analyze", "--engine", "warp", "--workspace", str(tmp_path))[0] == 2
    assert run("ingest", "x.jsonl", "--country", "USA", "--workspace", str(tmp_path))[0] == 2
    code, _, err = run("stats", "--db", "mysql://nope/x")
    assert code == 1
    assert err.startswith("error: StoreError: unsupported database") and len(err.splitlines()) == 1
    code, _, err = run("search", '""', "--workspace", str(tmp_path / "ws"))
    assert code == 1 and "no words" in err


def test_every_command_has_help() -> None:
    for command in ("demo", "ingest", "analyze", "networks", "search", "stats"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "Usage" in out


def test_installed_entry_point_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracelight.cli.main",
            "stats",
            "--json",
            "--workspace",
            str(tmp_path / "ws"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert json.loads(result.stdout)["posts"] == 0


def test_extract_prints_one_json_object_per_post(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "ads.jsonl",
        [ad(1, body="Call (415) 555-0123 or mail x@example.com"), '{"oops"', ad(2, body="none")],
    )
    code, out, err = run("extract", str(source), "--country", "US")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [len(line["mentions"]) for line in lines] == [2, 0]
    phone = lines[0]["mentions"][0]
    assert (phone["kind"], phone["value"], phone["text"]) == (
        "phone",
        "+14155550123",
        "(415) 555-0123",
    )
    assert "line 2" in err and "1 records rejected" in err
    code, out, _ = run("extract", str(source), "--kind", "email")
    assert [m["kind"] for m in json.loads(out.splitlines()[0])["mentions"]] == ["email"]


def test_extract_reads_every_source_format(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from test_ingest_warc import _crawl

    body = "Call (415) 555-0123"
    write_jsonl(tmp_path / "a.jsonl", [ad(1, body=body)])
    (tmp_path / "b.csv").write_text(f"id,body,country\n2,{body},US\n", encoding="utf-8")
    pq.write_table(
        pa.table({"id": ["3"], "body": [body], "country": ["US"]}), tmp_path / "c.parquet"
    )
    (tmp_path / "d.html").write_text(
        f"<html><body><article>{body}</article></body></html>", encoding="utf-8"
    )
    archive = _crawl(tmp_path / "e.warc.gz", gz=True)
    for path in ("a.jsonl", "b.csv", "c.parquet", "d.html"):
        code, out, _ = run("extract", str(tmp_path / path), "--country", "US")
        assert code == 0, path
        (line,) = [json.loads(x) for x in out.splitlines()]
        assert [m["value"] for m in line["mentions"] if m["kind"] == "phone"] == ["+14155550123"], (
            path
        )
    code, out, _ = run("extract", str(archive))
    assert code == 0 and len(out.splitlines()) == 2  # the two HTML pages of the crawl
