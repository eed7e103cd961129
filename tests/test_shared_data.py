"""Real scraped ads from ../shared/data (read in place, never copied; skipped when absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conftest import SHARED_DATA
from tracelight.ingest import ReadOptions
from tracelight.pipeline import reports
from tracelight.pipeline.analyze import analyze
from tracelight.pipeline.engine import SerialEngine
from tracelight.pipeline.ingest import ingest_sources
from tracelight.store.workspace import Workspace

BACKPAGE = SHARED_DATA / "backpage_ca_womenseekmen_posts" / "posts.csv"


@pytest.mark.skipif(not BACKPAGE.exists(), reason="shared Backpage data not present")
def test_backpage_csv_ingests_whole_and_links(tmp_path: Path) -> None:
    with BACKPAGE.open(encoding="utf-8", newline="") as handle:
        rows = sum(1 for _ in csv.DictReader(handle))
    ws = Workspace.resolve(tmp_path / "ws")
    options = ReadOptions(default_country="US", source="backpage")
    first = ingest_sources(ws, [BACKPAGE], options)
    # Every row is accounted for: a post or a reject with a reason, nothing dropped.
    assert first.accepted + first.rejected == rows
    assert first.rejected == 0
    again = ingest_sources(ws, [BACKPAGE], options)
    assert (again.accepted, again.duplicate) == (0, first.accepted)
    summary = analyze(ws, SerialEngine())
    stats = reports.stats(ws)
    assert stats["posts"] == rows
    # Plain phone numbers are common in these ads; phone sharing links many of them.
    assert stats["mentions"] > rows * 0.5
    assert summary.networks > 100
