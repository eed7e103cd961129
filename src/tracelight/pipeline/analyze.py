"""The analyze job: extract mentions from new posts, then link posts into networks.

Extraction is incremental: only posts never extracted, or extracted by an older
extractor version, are read, in pages, sent through the engine and written back a
batch per transaction. Linking then recomputes selectors and networks from all
mentions in a single transaction, so the networks an analyst sees always correspond
to one consistent state of the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine as DbEngine

from tracelight.extract import EXTRACTOR_VERSION, extract_batch
from tracelight.link import build_networks
from tracelight.link.selectors import DEFAULT_MAX_DEGREE
from tracelight.model import Post
from tracelight.pipeline.engine import Engine, make_engine
from tracelight.pipeline.progress import NullReporter, Reporter
from tracelight.store import repository as repo
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace

BATCH_POSTS = 500


@dataclass(slots=True)
class AnalyzeSummary:
    run_id: int
    extracted_posts: int = 0
    mentions: int = 0
    selectors: int = 0
    hubs: int = 0
    networks: int = 0
    posts_in_networks: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def analyze(
    workspace: Workspace,
    engine: Engine | None = None,
    reporter: Reporter | None = None,
    *,
    max_degree: int = DEFAULT_MAX_DEGREE,
    db: DbEngine | None = None,
) -> AnalyzeSummary:
    reporter = reporter or NullReporter()
    own_engine = engine is None
    engine = engine or make_engine("local")
    store = db or open_engine(workspace.db_url)
    with store.begin() as conn:
        run_id = repo.start_run(conn, "analyze", {"engine": engine.name, "max_degree": max_degree})
    summary = AnalyzeSummary(run_id=run_id)
    status = "failed"
    try:
        _extract(store, engine, reporter, summary)
        _link(store, reporter, summary, max_degree)
        status = "ok"
        return summary
    finally:
        with store.begin() as conn:
            repo.finish_run(conn, run_id, status, summary.as_dict())
        if own_engine:
            engine.close()
        if db is None:
            store.dispose()


def _pages(store: DbEngine) -> Iterator[list[Post]]:
    after = 0
    while True:
        with store.connect() as conn:
            rows = repo.posts_to_extract(conn, EXTRACTOR_VERSION, after, BATCH_POSTS)
        if not rows:
            return
        after = rows[-1].seq
        yield [repo.row_to_post(row) for row in rows]


def _extract(store: DbEngine, engine: Engine, reporter: Reporter, summary: AnalyzeSummary) -> None:
    with store.connect() as conn:
        total = repo.count_posts_to_extract(conn, EXTRACTOR_VERSION)
    reporter.stage("extract", total)
    for results in engine.map_batches(extract_batch, _pages(store)):
        with store.begin() as conn:
            summary.mentions += repo.replace_mentions(conn, results, EXTRACTOR_VERSION)
        summary.extracted_posts += len(results)
        reporter.advance(len(results))


def _link(store: DbEngine, reporter: Reporter, summary: AnalyzeSummary, max_degree: int) -> None:
    reporter.stage("link", None)
    with store.begin() as conn:
        repo.rebuild_selectors(conn)
        result = build_networks(repo.iter_selector_posts(conn), max_degree=max_degree)
        repo.replace_networks(conn, result.networks, result.hubs, summary.run_id)
        summary.selectors = repo.stats(conn)["selectors"]
    summary.hubs = len(result.hubs)
    summary.networks = len(result.networks)
    summary.posts_in_networks = sum(len(n.post_ids) for n in result.networks)
    reporter.advance(summary.networks)
