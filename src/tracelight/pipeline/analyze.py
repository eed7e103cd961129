"""The analyze job: extract mentions from new posts, then link posts into networks.

Extraction is incremental: only posts never extracted, or extracted by an older
extractor version, are read, in pages, sent through the engine and written back a
batch per transaction. Linking is incremental too: the near-duplicate index
(:mod:`tracelight.link.index`, kept in the workspace's ``link-index`` folder) holds the
signatures and verified text links of every post linked before, so only new posts are
shingled and hashed; selectors and networks are then recomputed over the whole graph in
a single transaction, so the networks an analyst sees always correspond to one
consistent state of the store, and only networks that changed are rewritten. Networks
keep their ids from run to run (:mod:`tracelight.link.identity`) and each run records
how they changed; linking itself (:func:`tracelight.link.link_posts`) is a pure function.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection
from sqlalchemy import Engine as DbEngine

from tracelight.extract import BATCH_POSTS, EXTRACTOR_VERSION, extract_batch
from tracelight.ledger import record_analysis
from tracelight.link.features import network_features, template
from tracelight.link.graph import DEFAULT_MAX_DEGREE
from tracelight.link.identity import assign_ids
from tracelight.link.index import TextFetcher, load_index, save_index
from tracelight.link.networks import Evidence, LinkPost, link_posts
from tracelight.model import Network, Post, SelectorKey
from tracelight.pipeline.engine import Engine, make_engine
from tracelight.pipeline.progress import NullReporter, Reporter
from tracelight.pipeline.risk import risk_model, score_networks
from tracelight.pipeline.vision import analyze_images
from tracelight.store import repository as repo
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace

INDEX_DIR = "link-index"


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
    indexed_posts: int = 0
    """Posts shingled and hashed by this run (the new batch, or all on a full relink)."""
    networks_written: int = 0
    """Networks whose members or evidence changed, the only ones rewritten."""
    relinked: bool = False
    scored_networks: int = 0
    vision: dict[str, Any] = field(default_factory=dict)
    """What the image and face stage did (see :class:`tracelight.pipeline.vision.VisionSummary`)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def analyze(
    workspace: Workspace,
    engine: Engine | None = None,
    reporter: Reporter | None = None,
    *,
    max_degree: int = DEFAULT_MAX_DEGREE,
    db: DbEngine | None = None,
    relink: bool = False,
) -> AnalyzeSummary:
    """Extract new posts, then link them against everything stored.

    ``relink`` ignores the saved near-duplicate index and links the whole store again
    (after a parameter change, or to check the incremental state: both give the same
    networks).
    """
    reporter = reporter or NullReporter()
    own_engine = engine is None
    engine = engine or make_engine("local")
    store = db or open_engine(workspace.db_url)
    with store.begin() as conn:
        run_id = repo.start_run(
            conn, "analyze", {"engine": engine.name, "max_degree": max_degree, "relink": relink}
        )
    summary = AnalyzeSummary(run_id=run_id)
    status = "failed"
    try:
        extracted = _extract(store, workspace, engine, reporter, summary)
        # Image hashes and faces add selectors, so they run before linking.
        summary.vision = analyze_images(store, workspace, engine, reporter).as_dict()
        _link(
            store,
            workspace,
            reporter,
            summary,
            max_degree=max_degree,
            relink=relink,
            linker=getattr(engine, "link_posts", None),
            extracted=extracted,
        )
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
) -> list[str]:
    """Extract every post not yet extracted by this extractor version; returns their ids."""
    extracted: list[str] = []
    with store.connect() as conn:
        total = repo.count_posts_to_extract(conn, EXTRACTOR_VERSION)
    reporter.stage("extract", total)
    for results in engine.map_batches(extract_batch, _pages(store)):
        with store.begin() as conn:
            summary.mentions += repo.replace_mentions(conn, results, EXTRACTOR_VERSION)
            record_analysis(conn, workspace.root, results, run_id=summary.run_id)
        summary.extracted_posts += len(results)
        extracted.extend(post_id for post_id, _ in results)
        reporter.advance(len(results))
    return extracted


def load_link_posts(conn: Connection, *, texts_from: int = 0) -> list[LinkPost]:
    """Everything linking reads, from the store: texts, selectors, names, ages, places.

    Posts come in insertion order (what the near-duplicate index is keyed on). Texts are
    read only for posts at position ``texts_from`` and later (the batch an incremental
    run indexes); earlier posts carry an empty text and are fetched when needed.
    """
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
    rows = repo.iter_link_posts(conn, with_text=texts_from == 0)
    for row in rows:
        out.append(
            LinkPost(
                id=row.id,
                text=_text(row.title, row.body) if texts_from == 0 else "",
                selectors=tuple(sorted(selectors.get(row.id, ()))),
                names=tuple(sorted(set(names.get(row.id, ())))),
                ages=tuple(sorted(set(ages.get(row.id, ())))),
                posted_at=repo.aware(row.posted_at),
                place=row.location,
                country=row.country,
            )
        )
    if 0 < texts_from < len(out):
        batch = out[texts_from:]
        texts = repo.post_texts(conn, [p.id for p in batch])
        out[texts_from:] = [replace(p, text=_text(*texts[p.id])) for p in batch]
    return out


def _fingerprints(posts: Sequence[LinkPost]) -> npt.NDArray[np.uint64]:
    """A stable 64-bit digest per post of what the graph stage reads of it (selectors and
    names). Re-extraction or the image stage can change an old post's selectors; the
    saved graph state is only reused when no indexed post's digest moved."""
    out = np.empty(len(posts), dtype=np.uint64)
    for i, post in enumerate(posts):
        raw = repr((post.selectors, post.names)).encode("utf-8")
        out[i] = (zlib.crc32(raw) << 32) | zlib.adler32(raw)
    return out


def _text(title: str | None, body: str | None) -> str:
    return f"{title or ''}\n{body or ''}"


def _fetcher(conn: Connection, posts: list[LinkPost]) -> TextFetcher:
    """Texts of stored posts by position, from the store, for posts loaded without one."""

    def fetch(positions: Sequence[int]) -> list[str]:
        wanted = [posts[i].id for i in positions if not posts[i].text]
        texts = repo.post_texts(conn, wanted) if wanted else {}
        return [posts[i].text or _text(*texts.get(posts[i].id, (None, None))) for i in positions]

    return fetch


def index_folder(workspace: Workspace) -> Path:
    """Where the near-duplicate index of the workspace's posts is kept between runs."""
    return workspace.root / INDEX_DIR


def _link(
    store: DbEngine,
    workspace: Workspace,
    reporter: Reporter,
    summary: AnalyzeSummary,
    *,
    max_degree: int,
    relink: bool,
    linker: Any = None,
    extracted: Sequence[str] = (),
) -> None:
    """Link the new posts against the saved index, or everything when ``relink``.

    The text index (signatures, buckets, verified near-duplicates, and the graph stage
    of the last run) is read from the workspace and only posts after it are shingled and
    hashed; selectors come from the store, only the selectors the batch carries are
    assessed again and only groups whose links changed are re-clustered (unless an old
    post's selectors or names changed: then the graph stage runs in full), so an
    incremental run gives exactly the networks a full relink would. Only networks whose
    members, evidence or shared selectors changed are rewritten. The index is saved
    after the store commits: a crash in between leaves an index that lags the store,
    which the next run simply extends with the same posts again.
    """
    reporter.stage("link", None)
    folder = index_folder(workspace)
    # An engine that links by itself (Spark) always links the whole store.
    index = None if relink or linker is not None else load_index(folder)
    with store.begin() as conn:
        stored_selectors = {} if relink else repo.network_selector_sets(conn)
        repo.rebuild_selectors(conn)
        posts = load_link_posts(conn, texts_from=len(index) if index else 0)
        if index is not None and index.ids != [p.id for p in posts[: len(index)]]:
            # Posts were removed or reordered since the index was saved: start over.
            index = None
            posts = load_link_posts(conn)
        summary.relinked = index is None
        result = (
            linker(posts, max_degree=max_degree)
            if linker is not None
            else link_posts(
                posts,
                max_degree=max_degree,
                index=index,
                fetch=_fetcher(conn, posts),
                fingerprints=_fingerprints(posts),
            )
        )
        previous = repo.network_memberships(conn)
        stored_evidence = {} if relink else repo.network_evidence_sets(conn)
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
        changed = [
            k
            for k, (nid, n) in enumerate(zip(ids, result.networks, strict=True))
            if relink
            or previous.get(nid) != set(n.post_ids)
            or stored_evidence.get(nid) != _evidence_set(n.evidence)
            or stored_selectors.get(nid, set()) != set(n.selectors)
        ]
        current = set(ids)
        unchanged = current - {ids[k] for k in changed}
        drop = [nid for nid in previous if nid not in unchanged]
        fetch = _fetcher(conn, posts)
        repo.update_networks(
            conn,
            drop,
            [networks[k] for k in changed],
            [(n.id, n.selectors) for n in networks],
            [h.key for h in result.hubs],
            run_id=summary.run_id,
        )
        record_analysis(
            conn, workspace.root, networks=[networks[k] for k in changed], run_id=summary.run_id
        )
        evidence = [
            {
                "network_id": ids[k],
                "kind": e.kind,
                "value": e.value,
                "weight": e.weight,
                "post_a": e.posts[0],
                "post_b": e.posts[1],
            }
            for k in changed
            for e in result.networks[k].evidence
        ]
        profiles = [
            {
                "network_id": ids[k],
                "features": network_features(result.networks[k], posts),
                "template": template(fetch(result.networks[k].members))
                if any(e.kind == "text" for e in result.networks[k].evidence)
                else None,
            }
            for k in changed
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
                if e.event != "same"
            ],
        )
        summary.selectors = repo.stats(conn)["selectors"]
        # Scored in the linking transaction: a network is never stored without the risk
        # of its current membership. After an incremental link only the networks written
        # now and those holding a post extracted now (new, or re-extracted by a newer
        # extractor) can score differently; a full relink scores them all.
        rescore = (
            None
            if summary.relinked
            else {ids[k] for k in changed} | repo.networks_holding(conn, list(extracted))
        )
        scored = score_networks(
            conn, model=risk_model(workspace), run_id=summary.run_id, only=rescore
        )
        summary.scored_networks = scored.networks
    if result.index is not None:
        save_index(result.index, folder)
    summary.indexed_posts = result.stats.get("posts_indexed_now", 0)
    summary.networks_written = len(changed)
    summary.hubs = len(result.hubs)
    summary.networks = len(result.networks)
    summary.posts_in_networks = sum(len(n.post_ids) for n in result.networks)
    summary.largest_network = max((len(n.post_ids) for n in result.networks), default=0)
    summary.text_links = result.text_links
    summary.boilerplate_groups = len(result.boilerplate)
    summary.merged = sum(1 for e in events if e.event == "merged")
    summary.split = sum(1 for e in events if e.event == "split")
    reporter.advance(summary.networks)


def _evidence_set(evidence: list[Evidence]) -> set[tuple[str, str, float, str, str]]:
    return {(e.kind, e.value, round(e.weight, 4), e.posts[0], e.posts[1]) for e in evidence}


def _reasons(evidence: list[Evidence]) -> list[str]:
    """One line per kind of link, strongest first: the network's reasons in a sentence."""
    counts: dict[str, int] = defaultdict(int)
    for e in evidence:
        counts[e.kind] += 1
    return [
        f"{count} {kind} link{'s' if count > 1 else ''}"
        for kind, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
