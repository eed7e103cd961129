"""The Spark engine (local[2]) gives exactly what the local engine gives.

One small synthetic corpus is ingested once and analyzed by the local engine and by the
Spark engine (extraction and linking on Spark): the stored mentions, networks, their
evidence links, shared selectors, profiles, risk and hubs must be identical. Linking on
Spark is also held to the in-process linker with a bucket cap and split size small
enough that the chain rule and the Leiden split both decide the result. The Spark selector
graph (groups, hubs by degree, connected components by large-star/small-star) must
match the same computation done in memory, and every network the linker builds must lie
inside one Spark component (the property that lets the linker run per component).
Skipped, with the reason, where pyspark or Java 17 is missing.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tracelight.extract import EXTRACTOR_VERSION, extract_batch
from tracelight.link.graph import is_placeholder
from tracelight.link.networks import LinkPost, link_posts
from tracelight.link.unionfind import UnionFind
from tracelight.pipeline import reports
from tracelight.pipeline.analyze import analyze, load_link_posts
from tracelight.pipeline.engine import EngineError, make_engine
from tracelight.pipeline.ingest import ingest_sources
from tracelight.spark import session as spark_session_module
from tracelight.spark.session import SparkConfig, SparkUnavailable, check_spark
from tracelight.store import repository as repo
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace
from tracelight.synth import generate_corpus

POSTS = 400
MAX_DEGREE = 8  # small, so the corpus has degree hubs to detect


def _spark_missing() -> str | None:
    try:
        check_spark()
    except SparkUnavailable as exc:
        return str(exc)
    return None


def test_missing_java_or_pyspark_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spark_session_module, "find_java", lambda: None)
    with pytest.raises(EngineError, match=r"pyspark|Java 17") as info:
        make_engine("spark")
    assert "install" in str(info.value)
    monkeypatch.setitem(sys.modules, "pyspark", None)  # an import of it now fails
    with pytest.raises(SparkUnavailable, match=r"pip install 'tracelight\[spark\]'"):
        check_spark()


needs_spark = pytest.mark.skipif(
    _spark_missing() is not None, reason=f"Spark unavailable: {_spark_missing()}"
)


@pytest.fixture(scope="module")
def spark_engine() -> Iterator[Any]:
    from tracelight.spark import SparkEngine

    # local[2,2]: two cores and up to two attempts per task, so a failed task is retried
    # as on a cluster (plain local[N] gives up at the first failure).
    engine = SparkEngine(
        SparkConfig(
            master="local[2,2]",
            partitions=2,
            driver_memory="512m",
            conf={"spark.ui.enabled": "false"},
        )
    )
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spark")
    generate_corpus(root / "corpus", POSTS, seed=7, max_images=40)
    ws = Workspace.resolve(root / "ingested")
    ingest_sources(ws, [root / "corpus" / "posts.jsonl"])
    return ws.root


def _copy(ws_root: Path, to: Path) -> Workspace:
    shutil.copytree(ws_root, to)
    return Workspace.resolve(to)


def _analyzed_posts(corpus: Path, to: Path) -> list[LinkPost]:
    """The corpus analysed by the serial engine, read back as the linker's input."""
    ws = _copy(corpus, to)
    analyze(ws, make_engine("serial"), max_degree=MAX_DEGREE)
    store = open_engine(ws.db_url)
    try:
        with store.connect() as conn:
            return load_link_posts(conn)
    finally:
        store.dispose()


def _mentions(ws: Workspace) -> list[tuple[Any, ...]]:
    store = open_engine(ws.db_url)
    try:
        with store.connect() as conn:
            m = t.mentions.c
            cols = (m.post_id, m.kind, m.value, m.field, m.span_start, m.span_end, m.text)
            rows = conn.execute(select(*cols, m.method, m.confidence).order_by(*cols))
            return [tuple(r) for r in rows]
    finally:
        store.dispose()


@needs_spark
def test_generic_stage_keeps_input_order(spark_engine: Any) -> None:
    batches = [[i, i + 1] for i in range(0, 40, 2)]
    # A lambda, not a test-module function: executors cannot import the tests folder,
    # and cloudpickle ships a lambda by value.
    got = list(spark_engine.map_batches(lambda b: [x * x for x in b], batches))
    assert got == [[x * x for x in b] for b in batches]


@needs_spark
def test_a_failed_task_is_retried_once_reported_and_leaves_one_copy_of_each_result(
    corpus: Path, spark_engine: Any
) -> None:
    from tracelight.spark.extract import extract_arrow
    from tracelight.spark.progress import StageStatus

    def fail_first_attempt(batches: Any) -> Any:
        # Partition 0's first attempt dies after it has produced all its rows: Spark must
        # throw those rows away and keep only the retry's.
        from pyspark import TaskContext

        context = TaskContext.get()
        doomed = context is not None and context.partitionId() == 0
        doomed = doomed and context is not None and context.attemptNumber() == 0
        yield from extract_arrow(batches)
        if doomed:
            raise RuntimeError("injected failure of a task's first attempt")

    store = open_engine(Workspace.resolve(corpus).db_url)
    try:
        with store.connect() as conn:
            rows = repo.posts_to_extract(conn, EXTRACTOR_VERSION, 0, 10 * POSTS)
            posts = [repo.row_to_post(row) for row in rows]
    finally:
        store.dispose()
    batches = [posts[i : i + 50] for i in range(0, len(posts), 50)]
    seen: list[StageStatus] = []
    spark_engine.progress, spark_engine.arrow_extract = seen.append, fail_first_attempt
    try:
        got = list(spark_engine.map_batches(extract_batch, batches))
    finally:
        spark_engine.progress, spark_engine.arrow_extract = None, extract_arrow
    assert len(posts) == POSTS
    assert got == [extract_batch(batch) for batch in batches]
    final = {s.stage_id: s for s in seen}
    assert final and all(s.done for s in final.values())
    assert any(s.failed >= 1 for s in final.values()), [s.line() for s in seen]
    assert all(f"/{s.tasks} tasks done" in s.line() for s in seen)


def _linked(ws: Workspace) -> dict[str, Any]:
    """Everything linking stored, keyed by each network's members (ids may differ)."""
    store = open_engine(ws.db_url)
    try:
        with store.connect() as conn:
            members: dict[str, frozenset[str]] = {}
            for nid, post_id in conn.execute(
                select(t.network_posts.c.network_id, t.network_posts.c.post_id)
            ):
                members[nid] = members.get(nid, frozenset()) | {post_id}
            evidence = repo.network_evidence_sets(conn)
            shared = repo.network_selector_sets(conn)
            profiles = {
                r.network_id: (r.features, r.template)
                for r in conn.execute(select(t.network_profiles))
            }
            risk = {r.network_id: (r.risk, r.reasons) for r in conn.execute(select(t.network_risk))}
            reasons = {r.id: r.reasons for r in conn.execute(select(t.networks))}
            hubs = sorted(
                (r.kind, r.value, r.reason, r.posts, r.cohesion)
                for r in conn.execute(
                    select(
                        t.selectors.c.kind,
                        t.selectors.c.value,
                        t.selector_hubs.c.reason,
                        t.selector_hubs.c.posts,
                        t.selector_hubs.c.cohesion,
                    ).join(t.selectors, t.selectors.c.id == t.selector_hubs.c.selector_id)
                )
            )
    finally:
        store.dispose()
    return {
        "networks": {
            members[nid]: (
                evidence.get(nid),
                shared.get(nid, set()),
                profiles.get(nid),
                risk.get(nid),
                reasons[nid],
            )
            for nid in members
        },
        "hubs": hubs,
    }


@needs_spark
def test_analyze_on_spark_stores_what_the_local_engine_stores(
    corpus: Path, tmp_path: Path, spark_engine: Any
) -> None:
    results = []
    for name in ("local", "spark"):
        ws = _copy(corpus, tmp_path / name)
        engine = spark_engine if name == "spark" else make_engine("local", 1)
        try:
            summary = analyze(ws, engine, max_degree=MAX_DEGREE)
        finally:
            if name == "local":
                engine.close()
        nets = sorted(sorted(n.as_json()["posts"]) for n in reports.networks(ws, None))
        results.append((summary, _mentions(ws), nets, _linked(ws)))
    (local, local_mentions, local_nets, local_linked) = results[0]
    (spark, spark_mentions, spark_nets, spark_linked) = results[1]
    assert spark.extracted_posts == local.extracted_posts == POSTS
    assert spark.mentions == local.mentions > POSTS  # several mentions a post
    assert spark_mentions == local_mentions
    assert spark_nets == local_nets and len(local_nets) > 5
    # The corpus exercises every global fact linking reads: near-duplicate links,
    # boilerplate text groups and hubs of each kind (degree and diverse).
    assert local.text_links > 0 and local.boilerplate_groups > 0
    assert {h[2] for h in local_linked["hubs"]} >= {"degree", "diverse"}
    assert any(any(e[0] == "text" for e in ev) for ev, *_ in local_linked["networks"].values())
    assert spark_linked == local_linked
    assert (spark.text_links, spark.boilerplate_groups, spark.hubs, spark.networks) == (
        local.text_links,
        local.boilerplate_groups,
        local.hubs,
        local.networks,
    )
    assert spark_engine.jobs >= 1 and spark_engine.link_jobs >= 1


@needs_spark
def test_linking_on_spark_equals_the_linker_with_chained_buckets_and_splits(
    corpus: Path, tmp_path: Path, spark_engine: Any
) -> None:
    import numpy as np

    from tracelight.link.index import TextIndex
    from tracelight.spark.link import LinkSettings, collect_output, link_frames, posts_frames

    cap, split = 3, 6
    posts = _analyzed_posts(corpus, tmp_path / "link")
    local = link_posts(
        posts, max_degree=MAX_DEGREE, split_above=split, index=TextIndex(bucket_cap=cap)
    )
    # The small cap and split size change the result, so both rules are exercised:
    # chaining drops verified links a cap of 24 finds, and groups are split.
    wide = TextIndex(bucket_cap=24)
    wide.add([p.id for p in posts], [p.text for p in posts])
    assert local.index is not None and len(local.index.links) < len(wide.links)
    assert local.stats["split_groups"] > 0

    frame, selectors = posts_frames(spark_engine.spark, posts)
    settings = LinkSettings(max_degree=MAX_DEGREE, split_above=split, bucket_cap=cap, regions=3)
    frames = link_frames(frame, selectors, settings)
    try:
        links = frames.links.toArrow()
        got = collect_output(frames, [p.id for p in posts])
    finally:
        frames.release()
    expected_links = sorted(map(tuple, local.index.links.tolist()))
    found = sorted(
        zip(
            np.asarray(links["a"], dtype=float).tolist(),
            np.asarray(links["b"], dtype=float).tolist(),
            links["jaccard"].to_pylist(),
            strict=True,
        )
    )
    assert found == expected_links and len(found) > 20

    def records(networks: Any) -> list[Any]:
        return sorted(
            (
                n.post_ids,
                n.members,
                n.selectors,
                [(e.kind, e.value, e.weight, e.posts) for e in n.evidence],
            )
            for n in networks
        )

    assert records(got.networks) == records(local.networks)
    assert got.hubs == local.hubs
    assert sorted(got.boilerplate, key=lambda b: b.posts) == sorted(
        local.boilerplate, key=lambda b: b.posts
    )
    assert got.text_links == local.text_links


@needs_spark
def test_selector_components_match_in_memory_and_bound_networks(
    corpus: Path, tmp_path: Path, spark_engine: Any
) -> None:
    import pyarrow as pa
    from pyspark.sql import functions as F

    from tracelight.spark.graph import connected_components, selector_edges, selector_groups

    posts = _analyzed_posts(corpus, tmp_path / "graph")
    linked = link_posts(posts, max_degree=MAX_DEGREE)
    assert linked.index is not None
    text = [(int(a), int(b)) for a, b, _ in linked.index.links.tolist()]
    incidence = sorted({(i, k, v) for i, p in enumerate(posts) for k, v in p.selectors})

    spark = spark_engine.spark
    selectors = spark.createDataFrame(
        pa.table(
            {
                "post": pa.array([i for i, _, _ in incidence], pa.int64()),
                "kind": [k for _, k, _ in incidence],
                "value": [v for _, _, v in incidence],
            }
        )
    )
    groups = selector_groups(selectors, MAX_DEGREE).cache()
    text_frame = spark.createDataFrame(
        pa.table(
            {"u": pa.array([a for a, _ in text], pa.int64()), "v": [b for _, b in text]},
            schema=pa.schema([("u", pa.int64()), ("v", pa.int64())]),
        )
    )
    edges = selector_edges(selectors, groups).union(text_frame)
    labels = {r["post"]: r["component"] for r in connected_components(edges).toArrow().to_pylist()}

    # The same graph in memory: non-hub selectors on >= 2 posts, plus the text links.
    members: dict[tuple[str, str], list[int]] = {}
    for i, k, v in incidence:
        members.setdefault((k, v), []).append(i)
    hubs = {
        key: ("placeholder" if is_placeholder(key) else "degree")
        for key, ps in members.items()
        if len(ps) >= 2 and (is_placeholder(key) or len(ps) > MAX_DEGREE)
    }
    forest = UnionFind()
    for key, ps in members.items():
        if len(ps) >= 2 and key not in hubs:
            for other in ps[1:]:
                forest.union(str(ps[0]), str(other))
    for a, b in text:
        forest.union(str(a), str(b))
    expected = sorted(sorted(int(x) for x in g) for g in forest.groups().values() if len(g) >= 2)
    by_label: dict[int, list[int]] = {}
    for post, comp in labels.items():
        by_label.setdefault(comp, []).append(post)
    assert sorted(sorted(g) for g in by_label.values()) == expected
    assert all(min(g) == c for c, g in by_label.items())  # labelled by the smallest post

    spark_hubs = {
        (r["kind"], r["value"]): r["hub"]
        for r in groups.where(F.col("hub").isNotNull() & (F.col("degree") >= 2))
        .toArrow()
        .to_pylist()
    }
    assert spark_hubs == hubs and "degree" in hubs.values()
    # The linker's own degree/placeholder verdicts are the ones Spark computed globally.
    assert {h.key: h.reason for h in linked.hubs if h.reason != "diverse"} == hubs

    # Every network lies inside one component: the component bounds the linker's work.
    assert linked.networks
    for network in linked.networks:
        assert len({labels[i] for i in network.members}) == 1
