"""Score linking against the synthetic ground truth, with connected components as baseline.

    .venv/bin/python eval/network_eval.py --posts 10000 100000 [--workdir DIR] [--json OUT]
    .venv/bin/python eval/network_eval.py --backpage ../shared/data/backpage_ca_womenseekmen_posts

For each size: generate a corpus (seed 7), ingest it into a fresh SQLite workspace, run
``tracelight analyze`` (extraction included: the selectors are what the extractors find,
not the ground truth), then score the stored networks and the baseline (plain connected
components over every shared selector and every verified near-duplicate, i.e. the same
links without hub, boilerplate or community handling). Prints a Markdown table.

``--backpage DIR`` runs the same analysis on the real Backpage posts (read in place from
``DIR/posts.csv``; the workspace is a temporary folder) and reports the networks found
against the researchers' red-flag labels in ``post_cluster_flags.csv``: there is no
ground truth, so the comparison is whether linked posts agree on the researchers' text
clusters more often than random pairs do, and how red-flag counts differ inside and
outside networks.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tracelight.ingest import ReadOptions
from tracelight.link import connected_components
from tracelight.pipeline.analyze import analyze, load_link_posts
from tracelight.pipeline.engine import make_engine
from tracelight.pipeline.evaluate import (
    adjusted_rand,
    load_synth_posters,
    load_synth_truth,
    pair_score,
    recovered_share,
)
from tracelight.pipeline.ingest import ingest_sources
from tracelight.pipeline.progress import NullReporter
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace
from tracelight.synth import generate_corpus


def score(name: str, found: Sequence[Sequence[str]], truth_path: Path) -> dict[str, Any]:
    posters, kinds = load_synth_posters(truth_path)
    linked = load_synth_truth(truth_path)
    by_poster = pair_score(found, posters)
    by_kind = pair_score(found, linked)
    trafficking = {
        g for p, k in kinds.items() if k == "trafficking" and (g := posters[p]) is not None
    }
    largest = max((len(n) for n in found), default=0)
    true_largest = max(
        (sum(1 for g in posters.values() if g == grp) for grp in trafficking), default=0
    )
    return {
        "method": name,
        "networks": len(found),
        "precision": round(by_poster.precision, 4),
        "recall": round(by_poster.recall, 4),
        "f1": round(by_poster.f1, 4),
        "ari": round(adjusted_rand(found, posters), 4),
        "f1_linked_kinds": round(by_kind.f1, 4),
        "trafficking_recovered": round(recovered_share(found, posters, trafficking), 4),
        "largest_share": round(largest / len(posters), 4),
        "largest_true_share": round(true_largest / len(posters), 4),
    }


def stored_networks(ws: Workspace) -> dict[str, list[str]]:
    """Network id -> member post ids, as ``tracelight analyze`` stored them."""
    db = open_engine(ws.db_url)
    out: dict[str, list[str]] = {}
    with db.connect() as conn:
        for row in conn.execute(select(t.network_posts.c.network_id, t.network_posts.c.post_id)):
            out.setdefault(row.network_id, []).append(row.post_id)
    db.dispose()
    return out


def _same_share(pairs: Sequence[tuple[str, str]], label: dict[str, str]) -> float:
    return sum(label[a] == label[b] for a, b in pairs) / len(pairs) if pairs else 0.0


def backpage(folder: Path, workdir: Path) -> dict[str, Any]:
    """Networks in the Backpage posts and how they sit with the researchers' labels."""
    ws = Workspace.resolve(workdir / "ws-backpage")
    ws.ensure()
    # California ads: national numbers are read as US numbers (as `ingest --country US`).
    ingest_sources(ws, [folder / "posts.csv"], ReadOptions(default_country="US"), NullReporter())
    engine = make_engine("local", 2)
    started = time.perf_counter()
    try:
        summary = analyze(ws, engine, NullReporter())
    finally:
        engine.close()
    seconds = time.perf_counter() - started
    db = open_engine(ws.db_url)
    with db.connect() as conn:
        external = {
            row.id: row.external_id
            for row in conn.execute(select(t.posts.c.id, t.posts.c.external_id))
        }
        kinds: Counter[str] = Counter(
            row.kind for row in conn.execute(select(t.network_evidence.c.kind))
        )
    db.dispose()
    nets = [[external[p] for p in members] for members in stored_networks(ws).values()]
    flags: dict[str, dict[str, str]] = {}
    with (folder / "post_cluster_flags.csv").open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            flags[record["post_id"]] = record
    red = json.loads((folder / "red_flag_columns.json").read_text(encoding="utf-8"))
    posts = [p for p in external.values() if p in flags]
    in_net = {p for n in nets for p in n}

    def family(prefix: str, count: int) -> dict[str, str]:
        cols = [f"{prefix}_{i}" for i in range(1, count + 1)]
        return {p: ",".join(c for c in cols if flags[p][c] == "1") or "-" for p in posts}

    linked = [(a, b) for n in nets for i, a in enumerate(n) for b in n[i + 1 :] if b in flags]
    linked = [(a, b) for a, b in linked if a in flags]
    rng = random.Random(7)
    random_pairs = [tuple(rng.sample(posts, 2)) for _ in range(20000)]
    comparison = {}
    for prefix in ("title_cluster", "body_cluster", "emoji_cluster"):
        label = family(prefix, 8)
        comparison[prefix] = {
            "linked_pairs_same": round(_same_share(linked, label), 3),
            "random_pairs_same": round(_same_share(random_pairs, label), 3),
        }

    def red_count(ps: Sequence[str]) -> float:
        values = [int(flags[p]["red_flag_count"] or 0) for p in ps]
        return round(sum(values) / len(values), 3) if values else 0.0

    flagged_cols = [c for c in red["red_flag_columns"] if c in next(iter(flags.values()))]
    any_flag = {p for p in posts if any(flags[p][c] == "1" for c in flagged_cols)}
    sizes = sorted((len(n) for n in nets), reverse=True)
    return {
        "posts": len(external),
        "analyze_seconds": round(seconds, 1),
        "networks": len(nets),
        "posts_in_networks": len(in_net),
        "largest": sizes[0] if sizes else 0,
        "largest_share": round(sizes[0] / len(external), 4) if sizes else 0.0,
        "sizes_top10": sizes[:10],
        "size_histogram": dict(sorted(Counter(_bucket(s) for s in sizes).items())),
        "hubs": summary.hubs,
        "boilerplate_groups": summary.boilerplate_groups,
        "evidence_kinds": dict(kinds.most_common()),
        "red_flag_mean_in_networks": red_count(sorted(in_net & set(posts))),
        "red_flag_mean_outside": red_count(sorted(set(posts) - in_net)),
        "flagged_share_in_networks": round(len(any_flag & in_net) / max(1, len(in_net)), 3),
        "flagged_share_outside": round(
            len(any_flag - in_net) / max(1, len(set(posts) - in_net)), 3
        ),
        "cluster_agreement": comparison,
        "linked_pairs": len(linked),
    }


def _bucket(size: int) -> str:
    for top in (2, 3, 5, 10, 20, 50):
        if size <= top:
            return f"<= {top:>2}"
    return "> 50"


def run(posts: int, workdir: Path, seed: int) -> list[dict[str, Any]]:
    corpus = generate_corpus(workdir / f"corpus-{posts}", posts, seed)
    ws = Workspace.resolve(workdir / f"ws-{posts}")
    ws.ensure()
    ingest_sources(ws, [corpus.posts_path], ReadOptions(), NullReporter())
    engine = make_engine("local", 2)
    started = time.perf_counter()
    try:
        analyze(ws, engine, NullReporter())
    finally:
        engine.close()
    seconds = time.perf_counter() - started
    ours = list(stored_networks(ws).values())
    db = open_engine(ws.db_url)
    with db.connect() as conn:
        link_posts = load_link_posts(conn)
    db.dispose()
    rows = [
        score("tracelight (hubs, boilerplate, Leiden)", ours, corpus.ground_truth_path),
        score("connected components", connected_components(link_posts), corpus.ground_truth_path),
    ]
    for row in rows:
        row["posts"] = posts
    rows[0]["analyze_seconds"] = round(seconds, 1)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[10000])
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--backpage", type=Path, help="folder of the Backpage posts and flags")
    args = parser.parse_args(argv)
    if args.backpage:
        with tempfile.TemporaryDirectory() as tmp:
            report = backpage(args.backpage, args.workdir or Path(tmp))
        text = json.dumps(report, indent=2)
        print(text)
        if args.json:
            args.json.write_text(text, encoding="utf-8")
        return 0
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        for posts in args.posts:
            rows.extend(run(posts, workdir, args.seed))
            print(f"done {posts}", file=sys.stderr)
    cols = [
        "posts",
        "method",
        "networks",
        "precision",
        "recall",
        "f1",
        "ari",
        "f1_linked_kinds",
        "trafficking_recovered",
        "largest_share",
        "largest_true_share",
    ]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in rows:
        print("| " + " | ".join(str(row.get(c, "")) for c in cols) + " |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
