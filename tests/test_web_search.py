"""Search with filters inside the full-text match gives exactly the hits it gave before.

A search with a country, site or date filter finds its candidates in
``posts_filter_fts`` (migration 0008), which indexes those values beside the words. The
reference here is the statement that checks the filters row by row over ``posts_fts``
(:func:`tracelight.store.search.sqlite_search_sql`, still what an unfiltered search
runs): for many queries and filters both must return the same posts, ranks and snippets,
also when more posts match than are ranked, when other organisations hold some of the
posts, and on posts that were stored before the index existed.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, literal_column, text

from helpers import ad, write_jsonl
from tracelight.pipeline.ingest import ingest_sources
from tracelight.store import repository as repo
from tracelight.store import search
from tracelight.store.db import open_engine
from tracelight.store.migrate import alembic_config, current_revision
from tracelight.store.workspace import Workspace

WORDS = ["sweet", "new", "town", "relax", "massage", "call", "tonight", "visa", "job", "café", "us"]
COUNTRIES = ["US", "GB", "FR", "DE", None]
SOURCES = ["site-a", "site-b.example", "sitec", "site a", "näsite"]
START = datetime(2024, 1, 1, tzinfo=UTC)


def _records(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        posted = START + timedelta(days=rng.randrange(0, 900), hours=rng.randrange(24))
        out.append(
            ad(
                n,
                title=" ".join(rng.sample(WORDS, 2)),
                body=" ".join(rng.choices(WORDS, k=rng.randrange(3, 12))),
                country=rng.choice(COUNTRIES),
                source=rng.choice(SOURCES),
                posted_at=None if rng.random() < 0.1 else posted.isoformat(),
            )
        )
    return out


def _store(root: Path) -> Workspace:
    """Posts of organisation ``local``, a third of them also of ``other``, and some
    posts of ``other`` alone, which ``local`` must never find."""
    workspace = Workspace.resolve(root / "ws")
    records = _records(400, seed=3)
    ingest_sources(workspace, [write_jsonl(root / "local.jsonl", records[:300])])
    shared = records[:100] + records[300:]
    ingest_sources(workspace, [write_jsonl(root / "other.jsonl", shared)], org="other")
    return workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return _store(tmp_path_factory.mktemp("search"))


# "us" and "sitec" are also a country and a site: a match must look at title and body only.
QUERIES = [
    "sweet",
    "new town",
    '"relax massage"',
    "call OR visa",
    "job -tonight",
    "cafe",
    "us",
    "tonight OR sitec",
]
FILTERS = [
    repo.SearchFilters(country="US"),
    repo.SearchFilters(country="gb"),
    repo.SearchFilters(source="site-b.example"),
    repo.SearchFilters(source="site a"),
    repo.SearchFilters(source="näsite"),
    repo.SearchFilters(source="--"),
    repo.SearchFilters(since=datetime(2025, 2, 10, tzinfo=UTC)),
    repo.SearchFilters(until=datetime(2024, 3, 15, tzinfo=UTC)),
    repo.SearchFilters(
        since=datetime(2024, 6, 30, 12, tzinfo=UTC), until=datetime(2024, 9, 1, tzinfo=UTC)
    ),
    repo.SearchFilters(
        since=datetime(2025, 1, 1, tzinfo=UTC), until=datetime(2024, 1, 1, tzinfo=UTC)
    ),
    repo.SearchFilters(country="FR", source="sitec", since=datetime(2024, 5, 1, tzinfo=UTC)),
    repo.SearchFilters(
        since=datetime(2020, 1, 1, tzinfo=UTC), until=datetime(2030, 1, 1, tzinfo=UTC)
    ),
]


def _reference(
    conn: Connection,
    query: str,
    org_id: int,
    limit: int,
    filters: repo.SearchFilters,
    candidates: int,
) -> list[tuple[str, float, str]]:
    """The filters checked row by row over ``posts_fts``: what search did before 0008."""
    where, params = [], {}
    if filters.country:
        where.append("p.country = :country")
        params["country"] = filters.country.upper()
    if filters.source:
        where.append("p.source = :source")
        params["source"] = filters.source
    for key, op in (("since", ">="), ("until", "<")):
        value = getattr(filters, key)
        if value is not None:
            where.append(f"p.posted_at {op} :{key}")
            params[key] = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    visible = repo._held(org_id, literal_column("p.id")).compile(
        dialect=conn.dialect, compile_kwargs={"literal_binds": True}
    )
    where.append(f"({visible})")
    sql = search.sqlite_search_sql("".join(f" AND {w}" for w in where))
    rows = conn.execute(
        text(sql),
        {
            **params,
            "match": search.fts5_query(query),
            "candidates": max(candidates, limit),
            "limit": limit,
            "hs": search.HIT_START,
            "he": search.HIT_END,
        },
    )
    return [(r.id, float(r.rank), r.snippet) for r in rows]


def _found(
    conn: Connection, query: str, org_id: int, limit: int, filters: repo.SearchFilters
) -> list[tuple[str, float, str]]:
    return [
        (h.post_id, h.rank, h.snippet) for h in repo.org_search(conn, query, org_id, limit, filters)
    ]


def _compare(engine: Engine, candidates: int = search.RANK_CANDIDATES) -> int:
    """Every query with every filter, both ways; returns how many hits were compared."""
    compared = 0
    with engine.connect() as conn:
        org_id = repo.org_by_name(conn, "local")
        assert org_id is not None
        for query in QUERIES:
            for filters in FILTERS:
                expected = _reference(conn, query, org_id, 20, filters, candidates)
                assert _found(conn, query, org_id, 20, filters) == expected, (query, filters)
                compared += len(expected)
    return compared


@pytest.mark.parametrize("candidates", [1000, 7])
def test_filtered_search_finds_what_the_row_by_row_filters_found(
    workspace: Workspace, candidates: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With 7 candidates most searches match more posts than are ranked, so the
    # candidates themselves (the newest that pass the filters) must be the same.
    monkeypatch.setattr(repo, "RANK_CANDIDATES", candidates)
    engine = open_engine(workspace.db_url)
    try:
        assert _compare(engine, candidates) > 200  # the filters leave something to compare
    finally:
        engine.dispose()


def test_filtered_search_never_shows_another_organisations_posts(workspace: Workspace) -> None:
    engine = open_engine(workspace.db_url)
    try:
        with engine.connect() as conn:
            local = repo.org_by_name(conn, "local")
            assert local is not None
            theirs = set(
                conn.scalars(
                    text(
                        "SELECT p.id FROM posts p WHERE NOT EXISTS (SELECT 1 FROM post_orgs o "
                        "WHERE o.post_id = p.id AND o.org_id = :org)"
                    ),
                    {"org": local},
                )
            )
            assert theirs
            for filters in FILTERS:
                hits = repo.org_search(conn, "sweet OR call OR job", local, 500, filters)
                assert not {h.post_id for h in hits} & theirs
    finally:
        engine.dispose()


def test_posts_stored_before_the_filter_index_are_found(tmp_path: Path) -> None:
    """Migration 0008 indexes the posts already in the store, not only new ones."""
    workspace = _store(tmp_path)
    engine = open_engine(workspace.db_url)
    try:
        config = alembic_config(engine)
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0007_sharing")
        assert current_revision(engine) == "0007_sharing"
        with engine.connect() as conn:
            tables = conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
            assert "posts_filter_fts" not in set(tables)
    finally:
        engine.dispose()
    engine = open_engine(workspace.db_url)  # upgrades again, filling the index
    try:
        assert current_revision(engine) == "0009_triage_order"
        assert _compare(engine) > 200
    finally:
        engine.dispose()


def test_month_tokens_cover_the_range_and_no_more() -> None:
    assert search.month_tokens("2024-11-30 23:00:00.000000", "2025-02-01 00:00:00.000000") == [
        "m202411",
        "m202412",
        "m202501",
        "m202502",
    ]
    assert search.month_tokens("2024-05-01", "2024-05-02") == ["m202405"]
    assert search.month_tokens("2025-01-01", "2024-01-01") == []
    assert search.month_tokens(None, "2024-01-01") is None
    assert search.month_tokens("2020-01-01", "2024-01-01") is None  # too wide to help
    wide = search.month_tokens("2021-01-01", f"{2021 + search.FILTER_MONTHS_MAX // 12 - 1}-12-31")
    assert wide is not None and len(wide) == search.FILTER_MONTHS_MAX


def test_filter_match_quotes_every_value() -> None:
    match = search.filter_match(
        'x OR "y z"', country='U"S', source='a" OR b', months=["m202401", "m202402"]
    )
    assert match == (
        '{title body} : (("x") OR ("y z")) AND country : "U""S" '
        'AND source : "a"" OR b" AND (month : "m202401" OR month : "m202402")'
    )
    # No word characters: nothing to match on, the row check alone decides.
    assert search.filter_match("x", source="--") == '{title body} : (("x"))'
