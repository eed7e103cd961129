"""Score linking against the synthetic ground truth, with connected components as baseline.

    .venv/bin/python eval/network_eval.py --posts 10000 100000 [--workdir DIR] [--json OUT]

For each size: generate a corpus (seed 7), ingest it into a fresh SQLite workspace, run
``tracelight analyze`` (extraction included: the selectors are what the extractors find,
not the ground truth), then score the stored networks and the baseline (plain connected
components over every shared selector and every verified near-duplicate, i.e. the same
links without hub, boilerplate or community handling). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
from tracelight.pipeline.reports import networks as stored_networks
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
    ours = [n.posts for n in stored_networks(ws, None)]
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
    args = parser.parse_args(argv)
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
