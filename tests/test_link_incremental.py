"""Incremental linking: a batch linked against the saved index gives the networks a full
relink gives, in the pure function and through ``analyze`` on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tracelight.ingest import ReadOptions
from tracelight.link import LinkPost, link_posts
from tracelight.link.index import MANIFEST, TextIndex, load_index, save_index
from tracelight.link.text import NO_IDX, NO_KEYS, bucket_pairs, distinct_pairs, pair_codes
from tracelight.pipeline.analyze import analyze, index_folder
from tracelight.pipeline.engine import make_engine
from tracelight.pipeline.ingest import ingest_sources
from tracelight.pipeline.progress import NullReporter
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace
from tracelight.synth import generate_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic corpus, its posts split into two daily batches."""
    out = tmp_path_factory.mktemp("corpus")
    generate_corpus(out, 360, seed=11, max_images=40)
    lines = (out / "posts.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "day1.jsonl").write_text("".join(lines[:240]), encoding="utf-8")
    (out / "day2.jsonl").write_text("".join(lines[240:]), encoding="utf-8")
    return out


def _link_posts_of(corpus: Path) -> list[LinkPost]:
    """Posts with the ground truth's contacts as selectors (an error-free extractor)."""
    out: list[LinkPost] = []
    with (
        (corpus / "posts.jsonl").open(encoding="utf-8") as posts,
        (corpus / "ground_truth.jsonl").open(encoding="utf-8") as truth,
    ):
        for line, tline in zip(posts, truth, strict=True):
            p, g = json.loads(line), json.loads(tline)
            sels = tuple((c["kind"], c["value"]) for c in g["contacts"])
            names = (g["persona"],) if g["persona"] else ()
            text = f"{p.get('title') or ''}\n{p['body']}"
            out.append(LinkPost(p["id"], text, sels, names))
    return out


def _shape(out: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (n.post_ids, n.selectors, tuple(sorted(n.evidence, key=repr))) for n in out.networks
    )


@pytest.mark.parametrize(
    ("cuts", "split_above"),
    [((120,), 150), ((1, 200, 359), 150), ((90, 180, 270), 150), ((100, 250, 300), 6)],
)
def test_batches_give_the_networks_of_a_full_relink(
    corpus: Path, tmp_path: Path, cuts: tuple[int, ...], split_above: int
) -> None:
    posts = _link_posts_of(corpus)
    full = link_posts(posts, split_above=split_above)
    assert full.networks  # the corpus does link
    index: TextIndex | None = None
    out = None
    for stop in (*cuts, len(posts)):
        out = link_posts(posts[:stop], index=index, split_above=split_above)
        assert out.index is not None
        # The graph stage is reused from the saved state, not recomputed.
        assert out.stats["graph_reused"] == (index is not None)
        save_index(out.index, tmp_path / "ix")  # through the disk, as analyze does
        index = load_index(tmp_path / "ix")
        assert index is not None and len(index) == stop and index.graph is not None
    assert out is not None and out.index is not None
    if split_above < 150:
        assert full.stats["split_groups"] > 0
    assert _shape(out) == _shape(full)
    assert {n.post_ids for n in out.changed_networks} <= {n.post_ids for n in out.networks}
    assert np.array_equal(out.index.links, full.index.links)  # type: ignore[union-attr]
    assert [h.key for h in out.hubs] == [h.key for h in full.hubs]


@pytest.mark.parametrize("kept_shingles", [True, False])
def test_only_new_posts_are_read_and_old_texts_are_fetched_on_demand(
    corpus: Path, tmp_path: Path, kept_shingles: bool
) -> None:
    posts = _link_posts_of(corpus)
    first = link_posts(posts[:300])
    assert first.index is not None
    save_index(first.index, tmp_path)
    index = load_index(tmp_path)
    assert index is not None
    if not kept_shingles:  # an index written before shingle sets were kept
        for segment in index._segments:
            segment.shingles = None
    asked: list[int] = []

    def fetch(positions: Any) -> list[str]:
        asked.extend(positions)
        return [posts[i].text for i in positions]

    # Old posts lose their texts: anything needed must come through ``fetch``.
    blind = [LinkPost(p.id, "", p.selectors, p.names) for p in posts[:300]] + posts[300:]
    again = link_posts(blind, index=index, fetch=fetch)
    assert again.stats["posts_indexed_now"] == 60
    if kept_shingles:
        assert not asked  # the old candidates' shingle sets come from the index
    else:
        assert asked and all(i < 300 for i in asked)
        assert len(set(asked)) < 300  # candidates only, not the corpus
    assert _shape(again) == _shape(link_posts(posts))


def test_index_must_cover_a_prefix(corpus: Path) -> None:
    posts = _link_posts_of(corpus)
    first = link_posts(posts[:50])
    with pytest.raises(ValueError, match="prefix"):
        link_posts(posts[1:80], index=first.index)


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=1, max_size=40),
    st.integers(0, 40),
    st.integers(2, 5),
)
def test_bucket_rule_is_prefix_stable(keys: list[int], cut: int, cap: int) -> None:
    """The pairs of all posts at once equal those of a prefix plus those the rest adds."""
    arr = np.asarray(keys, dtype=np.uint64)
    idx = np.arange(len(arr), dtype=np.int64)
    cut = min(cut, len(arr))
    whole = distinct_pairs([pair_codes(bucket_pairs(NO_KEYS, NO_IDX, arr, idx, cap))])
    head = bucket_pairs(NO_KEYS, NO_IDX, arr[:cut], idx[:cut], cap)
    order = np.argsort(arr[:cut], kind="stable")
    tail = bucket_pairs(arr[:cut][order], idx[:cut][order], arr[cut:], idx[cut:], cap)
    assert distinct_pairs([pair_codes(head), pair_codes(tail)]).tolist() == whole.tolist()
    # Small buckets are complete; big ones stay linear.
    for key in set(keys):
        size = keys.count(key)
        inside = sum(1 for a, b in whole.tolist() if keys[a] == key and keys[b] == key)
        expected = size * (size - 1) // 2 if size <= cap else cap * (cap - 1) // 2 + size - cap
        assert inside == expected


def test_broken_or_foreign_index_is_not_used(corpus: Path, tmp_path: Path) -> None:
    posts = _link_posts_of(corpus)
    out = link_posts(posts[:40])
    assert out.index is not None
    save_index(out.index, tmp_path)
    assert load_index(tmp_path, threshold=0.6) is None  # built with other parameters
    manifest = tmp_path / MANIFEST
    manifest.write_text(manifest.read_text(encoding="utf-8")[:-20], encoding="utf-8")
    assert load_index(tmp_path) is None
    assert load_index(tmp_path / "missing") is None


def test_graph_state_of_another_split_method_is_not_reused(corpus: Path, tmp_path: Path) -> None:
    """An index saved before the split method changed (modularity, then CPM) keeps its
    text links, but its graph state would keep networks a full relink no longer makes."""
    posts = _link_posts_of(corpus)
    out = link_posts(posts[:200])
    assert out.index is not None
    save_index(out.index, tmp_path)
    reused = link_posts(posts, index=load_index(tmp_path))
    assert reused.stats["graph_reused"] == 1
    manifest = tmp_path / MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8"))
    del data["graph"]["params"]["split"]  # as written by the modularity version
    manifest.write_text(json.dumps(data), encoding="utf-8")
    older = load_index(tmp_path)
    assert older is not None and older.graph is not None  # the text index is kept
    again = link_posts(posts, index=older)
    assert again.stats["graph_reused"] == 0
    assert _shape(again) == _shape(link_posts(posts))


def _stored(ws: Workspace) -> dict[str, Any]:
    db = open_engine(ws.db_url)
    try:
        with db.connect() as conn:
            members: dict[str, set[str]] = {}
            for row in conn.execute(select(t.network_posts)):
                members.setdefault(row.network_id, set()).add(row.post_id)
            evidence: dict[str, set[tuple[Any, ...]]] = {}
            for row in conn.execute(select(t.network_evidence)):
                evidence.setdefault(row.network_id, set()).add(
                    (row.kind, row.value, row.weight, row.post_a, row.post_b)
                )
            selectors = {
                (row.network_id, row.selector_id)
                for row in conn.execute(select(t.network_selectors))
            }
            profiles = {
                row.network_id: (row.features, row.template)
                for row in conn.execute(select(t.network_profiles))
            }
            # An incremental run scores only the networks that can have changed; the
            # scores kept must be the ones a full relink computes.
            risk = {
                row.network_id: (row.risk, json.dumps(row.reasons, sort_keys=True), row.model)
                for row in conn.execute(select(t.network_risk))
            }
            on_networks = {row.id: row.risk for row in conn.execute(select(t.networks))}
    finally:
        db.dispose()
    return {
        "members": members,
        "evidence": evidence,
        "selectors": selectors,
        "profiles": profiles,
        "risk": risk,
        "networks_risk": on_networks,
    }


def _analyze(ws: Workspace, *, relink: bool = False) -> Any:
    engine = make_engine("serial")
    try:
        return analyze(ws, engine, NullReporter(), relink=relink)
    finally:
        engine.close()


def test_analyze_links_a_daily_batch_like_a_full_relink(corpus: Path, workspace: Workspace) -> None:
    ingest_sources(workspace, [corpus / "day1.jsonl"], ReadOptions(), NullReporter())
    first = _analyze(workspace)
    assert first.relinked and first.indexed_posts == 240
    saved_day1 = workspace.root / "day1-index"
    shutil.copytree(index_folder(workspace), saved_day1)

    ingest_sources(workspace, [corpus / "day2.jsonl"], ReadOptions(), NullReporter())
    second = _analyze(workspace)
    assert not second.relinked and second.indexed_posts == 120
    assert 0 < second.networks_written < second.networks + len(_stored(workspace)["members"])
    incremental = _stored(workspace)

    assert 0 < second.scored_networks < second.networks  # only what can have changed
    assert set(incremental["risk"]) == set(incremental["members"])
    assert all(incremental["networks_risk"][n] == r[0] for n, r in incremental["risk"].items())

    # Nothing new: nothing is indexed, rewritten or scored.
    idle = _analyze(workspace)
    assert idle.indexed_posts == 0 and idle.networks_written == 0
    assert idle.scored_networks == 0
    assert _stored(workspace) == incremental

    # A post extracted again (a newer extractor) may score differently: its network is
    # scored again even though its membership did not change.
    db = open_engine(workspace.db_url)
    try:
        with db.begin() as conn:
            network_id, post_id = conn.execute(select(t.network_posts).limit(1)).one()
            conn.execute(
                t.network_risk.update()
                .where(t.network_risk.c.network_id == network_id)
                .values(risk=0.123456)
            )
            conn.execute(t.posts.update().where(t.posts.c.id == post_id).values(extract_version=0))
    finally:
        db.dispose()
    again = _analyze(workspace)
    assert again.extracted_posts == 1 and again.networks_written == 0
    assert again.scored_networks >= 1
    assert _stored(workspace) == incremental

    # A crash after the store committed but before the index was saved: the index lags
    # the store by a batch; the next run indexes that batch again and changes nothing.
    shutil.rmtree(index_folder(workspace))
    shutil.copytree(saved_day1, index_folder(workspace))
    recovered = _analyze(workspace)
    assert recovered.indexed_posts == 120 and recovered.networks_written == 0
    assert _stored(workspace) == incremental

    full = _analyze(workspace, relink=True)
    assert full.relinked and full.indexed_posts == 360
    assert _stored(workspace) == incremental
    assert full.networks == second.networks
