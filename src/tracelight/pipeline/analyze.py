"""The analyze job: extract mentions from new posts, then link posts into networks.

Extraction is incremental: only posts never extracted, or extracted by an older
extractor version, are read, in pages, sent through the engine and written back a
batch per transaction. Linking then recomputes selectors and networks from all
mentions in a single transaction, so the networks an analyst sees always correspond
to one consistent state of the store. Networks keep their ids from run to run
(:mod:`tracelight.link.identity`) and each run records how they changed; linking itself
(:func:`tracelight.link.link_posts`) is a pure function over what the store holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as DbEngine

from tracelight.extract import EXTRACTOR_VERSION, extract_batch
from tracelight.ledger import record_analysis
from tracelight.link.features import network_features, template
from tracelight.link.graph import DEFAULT_MAX_DEGREE
from tracelight.link.identity import assign_ids
from tracelight.link.networks import Evidence, LinkPost, link_posts
from tracelight.model import Network, Post, SelectorKey
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
    largest_network: int = 0
    text_links: int = 0
    boilerplate_groups: int = 0
    merged: int = 0
    split: int = 0

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
        _extract(store, workspace, engine, reporter, summary)
        _link(store, workspace, reporter, summary, max_degree)
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


def _extract(
    store: DbEngine,
    workspace: Workspace,
    engine: Engine,
    reporter: Reporter,
    summary: AnalyzeSummary,
) -> None:
    with store.connect() as conn:
        total = repo.count_posts_to_extract(conn, EXTRACTOR_VERSION)
    reporter.stage("extract", total)
    for results in engine.map_batches(extract_batch, _pages(store)):
        with store.begin() as conn:
            summary.mentions += repo.replace_mentions(conn, results, EXTRACTOR_VERSION)
            record_analysis(conn, workspace.root, results, run_id=summary.run_id)
        summary.extracted_posts += len(results)
        reporter.advance(len(results))


def load_link_posts(conn: Connection) -> list[LinkPost]:
    """Everything linking reads, from the store: texts, selectors, names, ages, places."""
    selectors: dict[str, list[SelectorKey]] = defaultdict(list)
    for post_id, kind, value in repo.iter_post_selectors(conn):
        selectors[post_id].append((kind, value))
    names: dict[str, list[str]] = defaultdict(list)
    ages: dict[str, list[int]] = defaultdict(list)
    for post_id, kind, value in repo.iter_post_mentions(conn, ("name", "age")):
        if kind == "name":
            names[post_id].append(value)
        elif value.isdigit():
            ages[post_id].append(int(value))
    out: list[LinkPost] = []
    for row in repo.iter_link_posts(conn):
        out.append(
            LinkPost(
                id=row.id,
                text=f"{row.title or ''}\n{row.body or ''}",
                selectors=tuple(sorted(selectors.get(row.id, ()))),
                names=tuple(dict.fromkeys(names.get(row.id, ()))),
                ages=tuple(sorted(set(ages.get(row.id, ())))),
                posted_at=repo.aware(row.posted_at),
                place=row.location,
                country=row.country,
            )
        )
    return out


def _link(
    store: DbEngine,
    workspace: Workspace,
    reporter: Reporter,
    summary: AnalyzeSummary,
    max_degree: int,
) -> None:
    reporter.stage("link", None)
    with store.begin() as conn:
        repo.rebuild_selectors(conn)
        posts = load_link_posts(conn)
        result = link_posts(posts, max_degree=max_degree)
        previous = repo.network_memberships(conn)
        ids, events = assign_ids([n.post_ids for n in result.networks], previous)
        networks = [
            Network(
                id=nid,
                post_ids=n.post_ids,
                selectors=n.selectors,
                reasons=tuple(_reasons(n.evidence)),
            )
            for nid, n in zip(ids, result.networks, strict=True)
        ]
        repo.replace_networks(conn, networks, [h.key for h in result.hubs], summary.run_id)
        record_analysis(conn, workspace.root, networks=networks, run_id=summary.run_id)
        evidence = [
            {
                "network_id": nid,
                "kind": e.kind,
                "value": e.value,
                "weight": e.weight,
                "post_a": e.posts[0],
                "post_b": e.posts[1],
            }
            for nid, n in zip(ids, result.networks, strict=True)
            for e in n.evidence
        ]
        profiles = [
            {
                "network_id": nid,
                "features": network_features(n, posts),
                "template": template([posts[i].text for i in n.members])
                if any(e.kind == "text" for e in n.evidence)
                else None,
            }
            for nid, n in zip(ids, result.networks, strict=True)
        ]
        repo.write_network_details(
            conn,
            evidence,
            profiles,
            [(h.key, h.reason, h.posts, h.cohesion) for h in result.hubs],
            [
                {
                    "run_id": summary.run_id,
                    "network_id": e.network_id,
                    "event": e.event,
                    "related": list(e.related),
                    "size": e.size,
                }
                for e in events
            ],
        )
        summary.selectors = repo.stats(conn)["selectors"]
    summary.hubs = len(result.hubs)
    summary.networks = len(result.networks)
    summary.posts_in_networks = sum(len(n.post_ids) for n in result.networks)
    summary.largest_network = max((len(n.post_ids) for n in result.networks), default=0)
    summary.text_links = result.text_links
    summary.boilerplate_groups = len(result.boilerplate)
    summary.merged = sum(1 for e in events if e.event == "merged")
    summary.split = sum(1 for e in events if e.event == "split")
    reporter.advance(summary.networks)


def _reasons(evidence: list[Evidence]) -> list[str]:
    """One line per kind of link, strongest first: the network's reasons in a sentence."""
    counts: dict[str, int] = defaultdict(int)
    for e in evidence:
        counts[e.kind] += 1
    return [
        f"{count} {kind} link{'s' if count > 1 else ''}"
        for kind, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
