"""A real SIGKILL in the middle of an ingest, then a rerun that completes the work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from helpers import ad, write_jsonl
from tracelight.model import post_id_for
from tracelight.pipeline import reports
from tracelight.store import schema
from tracelight.store.db import normalise_url
from tracelight.store.workspace import Workspace

POSTS = 12_000


def _count(url: str) -> int:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(schema.posts)) or 0)
    except Exception:
        return 0  # the store may not be created yet
    finally:
        engine.dispose()


def _ingest_cmd(source: Path, workspace: Workspace) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tracelight.cli.main",
        "ingest",
        str(source),
        "--workspace",
        str(workspace.root),
        "--db",
        workspace.db_url,
        "--no-progress",
        "--json",
    ]


def test_sigkill_mid_ingest_then_rerun_gives_exactly_the_expected_posts(
    workspace: Workspace, tmp_path: Path
) -> None:
    records = [ad(i, body=f"Ad {i}: call (415) 555-01{i % 100:02d}") for i in range(POSTS)]
    records[123] = {"id": "broken"}  # one reject, to check rejects survive too
    source = write_jsonl(tmp_path / "big.jsonl", records)
    expected = {post_id_for("testsite", f"ad-{i}", None, None, None) for i in range(POSTS)} - {
        post_id_for("testsite", "ad-123", None, None, None)
    }

    process = subprocess.Popen(_ingest_cmd(source, workspace), stdout=subprocess.PIPE)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        stored = _count(workspace.db_url)
        if stored > 0:
            break
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    at_kill = _count(workspace.db_url)
    assert 0 < at_kill < len(expected), "the kill must land mid-way for this test to mean much"
    assert at_kill % 1000 == 0 or at_kill == len(expected) % 1000, "only whole batches commit"

    rerun = subprocess.run(_ingest_cmd(source, workspace), capture_output=True, check=True)
    assert b'"rejected": 1' in rerun.stdout
    stats = reports.stats(workspace)
    assert stats["posts"] == len(expected)
    assert stats["rejected"] == 1
    engine = create_engine(normalise_url(workspace.db_url))
    with engine.connect() as conn:
        ids = set(conn.scalars(select(schema.posts.c.id)))
        statuses = [row.status for row in conn.execute(select(schema.runs.c.status))]
    engine.dispose()
    assert ids == expected
    # The killed run stays marked "running" (it never finished); the rerun is "ok".
    assert statuses == ["running", "ok"]
