"""The store on both backends: migrations, idempotent writes, search, networks."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from helpers import ad, write_jsonl
from tracelight.pipeline import reports
from tracelight.pipeline.analyze import analyze
from tracelight.pipeline.engine import SerialEngine
from tracelight.pipeline.ingest import ingest_sources
from tracelight.store.db import StoreError, normalise_url, open_engine
from tracelight.store.migrate import current_revision
from tracelight.store.schema import metadata
from tracelight.store.search import SearchQueryError, fts5_query
from tracelight.store.workspace import Workspace


def test_migrations_create_exactly_the_schema(db_url: str) -> None:
    engine = open_engine(db_url)
    try:
        assert current_revision(engine) == "0009_triage_order"
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        # Full-text objects are created by the migration on purpose and not modelled.
        diff = [d for d in diff if "fts" not in str(d) and "search" not in str(d)]
        assert diff == []
        tables = set(inspect(engine).get_table_names())
        assert {"posts", "mentions", "selectors", "links", "networks", "runs"} <= tables
    finally:
        engine.dispose()


def test_opening_twice_is_harmless(db_url: str) -> None:
    open_engine(db_url).dispose()
    engine = open_engine(db_url)
    assert current_revision(engine) == "0009_triage_order"
    engine.dispose()


def test_ingest_twice_adds_nothing(workspace: Workspace, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "ads.jsonl", [ad(i) for i in range(30)])
    first = ingest_sources(workspace, [source])
    assert (first.accepted, first.duplicate, first.rejected) == (30, 0, 0)
    before = reports.stats(workspace)
    second = ingest_sources(workspace, [source])
    assert (second.accepted, second.duplicate, second.rejected) == (0, 30, 0)
    assert reports.stats(workspace) == before


def test_full_pipeline_builds_networks_and_is_incremental(
    workspace: Workspace, tmp_path: Path
) -> None:
    shared_phone = "Text (415) 555-0188 for pics"
    records = [
        ad(1, body=shared_phone + " Ana 19"),
        ad(2, body=shared_phone + " Bella 20", location="Oakland"),
        ad(3, body="Write ana.work@example.com or " + shared_phone),
        ad(4, body="Maria, email ana.work@example.com"),
        ad(5, body="Independent, call (415) 555-0142"),
        ad(6, body="no contact here at all"),
    ]
    source = write_jsonl(tmp_path / "ads.jsonl", records)
    ingest_sources(workspace, [source])
    summary = analyze(workspace, SerialEngine())
    assert summary.extracted_posts == 6
    assert summary.networks == 1
    found = reports.networks(workspace, None)
    assert len(found) == 1
    network = found[0]
    assert network.size == 4
    assert ("phone", "+14155550188") in network.selectors
    assert ("email", "ana.work@example.com") in network.selectors
    assert network.places == ["San Francisco", "Oakland"]
    counts = reports.stats(workspace)
    assert counts["posts"] == 6
    assert counts["selectors"] == 3  # two phones and one e-mail
    assert counts["networks"] == 1

    again = analyze(workspace, SerialEngine())
    assert again.extracted_posts == 0  # nothing new to extract
    assert reports.networks(workspace, None)[0].posts == network.posts

    more = write_jsonl(tmp_path / "more.jsonl", [ad(7, body="New: (415) 555-0142 call")])
    ingest_sources(workspace, [more])
    third = analyze(workspace, SerialEngine())
    assert third.extracted_posts == 1
    assert reports.stats(workspace)["networks"] == 2


def test_hub_selectors_do_not_merge_unrelated_posts(workspace: Workspace, tmp_path: Path) -> None:
    records = [ad(i, body=f"Agency line (415) 555-0100, girl {i}") for i in range(12)]
    source = write_jsonl(tmp_path / "ads.jsonl", records)
    ingest_sources(workspace, [source])
    summary = analyze(workspace, SerialEngine(), max_degree=10)
    assert summary.hubs == 1
    assert summary.networks == 0
    assert reports.hubs(workspace) == [("phone", "+14155550100", 12)]


def test_search_finds_words_phrases_and_excludes(workspace: Workspace, tmp_path: Path) -> None:
    records = [
        ad(1, title="New in town", body="Sweet Colombian girl, just arrived"),
        ad(2, title="Massage", body="Relaxing massage near the station"),
        ad(3, title="Nueva en la ciudad", body="Chica nueva, recién llegada"),
    ]
    ingest_sources(workspace, [write_jsonl(tmp_path / "ads.jsonl", records)])
    assert [h.post_id for h in reports.search(workspace, '"just arrived"')] == [
        h.post_id for h in reports.search(workspace, "arrived")
    ]
    assert len(reports.search(workspace, "massage OR arrived")) == 2
    assert len(reports.search(workspace, "girl -colombian")) == 0
    hits = reports.search(workspace, "llegada")
    assert len(hits) == 1 and hits[0].title == "Nueva en la ciudad"
    # Query syntax characters are data, not operators, and never an SQL error.
    hostile = reports.search(workspace, 'station" OR 1=1 --')
    assert [h.title for h in hostile] == ["Massage"]
    with pytest.raises(SearchQueryError):
        reports.search(workspace, '""')


def test_fts5_query_quotes_every_piece() -> None:
    assert fts5_query('new "in town" -agency') == '(("new" AND "in town")) NOT "agency"'
    assert fts5_query("a OR b") == '("a") OR ("b")'
    assert fts5_query("NEAR(x y) * ^") == '("NEAR(x" AND "y)" AND "*" AND "^")'


def test_bad_urls_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unsupported database"):
        normalise_url("mysql://x/y")
    with pytest.raises(StoreError, match="not a database URL"):
        normalise_url("::nonsense")
    assert normalise_url("postgres://u@h/db").startswith("postgresql+psycopg://")
