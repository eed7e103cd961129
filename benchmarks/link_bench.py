"""Linking speed: ``tracelight.link.link_posts`` vs a datasketch + union-find baseline.

    .venv/bin/python benchmarks/link_bench.py --corpus DIR [--limit N] [--batch 10000]
        [--only ours|baseline|build|add|build+add] [--skip-baseline]

Reads a synthetic corpus written by ``tracelight.synth.generate_corpus`` (generation is
not timed). Selectors are the ground truth's contacts plus image files, as an error-free
extractor would give them (extraction is its own stage with its own benchmark). Each
method runs in a fresh process (``--only``), so peak RSS (``ru_maxrss``) is its own;
the RSS after loading the input is reported too.

``--batch B`` adds the incremental case: the index of all but the last ``B`` posts is
built and saved (``build``, not timed as part of the batch), then a fresh process loads
it and links the last ``B`` posts against it (``add``): what a daily ``tracelight
analyze`` does, with the index read from disk.

The baseline is what one writes with ``datasketch``: one ``MinHash`` (64 permutations)
per post over the same word 3-shingles, a ``MinHashLSH`` at threshold 0.5, and union-find
over every LSH candidate and every shared selector.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tracelight.link import LinkOutput, LinkPost, link_posts
from tracelight.link.index import load_index, save_index
from tracelight.link.text import shingles
from tracelight.link.unionfind import UnionFind


def load(corpus: Path, limit: int | None) -> list[LinkPost]:
    out: list[LinkPost] = []
    with (
        (corpus / "posts.jsonl").open(encoding="utf-8") as posts,
        (corpus / "ground_truth.jsonl").open(encoding="utf-8") as truth,
    ):
        for line, tline in zip(posts, truth, strict=True):
            p, t = json.loads(line), json.loads(tline)
            sels = tuple((c["kind"], c["value"]) for c in t["contacts"]) + tuple(
                ("image", u) for u in p["images"]
            )
            names = (t["persona"],) if t["persona"] else ()
            out.append(LinkPost(p["id"], f"{p.get('title') or ''}\n{p['body']}", sels, names))
            if limit and len(out) >= limit:
                break
    return out


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU of this process: on a shared, loaded machine the wall time
    depends on the neighbours, the CPU time much less."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _summary(out: LinkOutput) -> dict[str, Any]:
    """Counts from the run's statistics: networks are kept as arrays and built as Python
    records only when a consumer asks (``out.networks``), which is not part of linking."""
    return {"networks": out.stats["networks"], "largest": out.stats["largest"]}


def ours(posts: list[LinkPost]) -> dict[str, Any]:
    return _summary(link_posts(posts))


def baseline(posts: list[LinkPost]) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=64)
    forest = UnionFind()
    for i, post in enumerate(posts):
        mh = MinHash(num_perm=64)
        mh.update_batch([s.encode() for s in shingles(post.text)])
        for other in lsh.query(mh):
            forest.union(str(i), str(other))
        lsh.insert(i, mh)
    first: dict[tuple[str, str], int] = {}
    for i, post in enumerate(posts):
        for key in post.selectors:
            j = first.setdefault(key, i)
            if j != i:
                forest.union(str(i), str(j))
    groups = [g for g in forest.groups().values() if len(g) >= 2]
    return {"networks": len(groups), "largest": max(len(g) for g in groups)}


def build(posts: list[LinkPost], batch: int, folder: Path) -> dict[str, Any]:
    out = link_posts(posts[:-batch])
    assert out.index is not None
    save_index(out.index, folder)
    return _summary(out)


def add(posts: list[LinkPost], folder: Path) -> dict[str, Any]:
    index = load_index(folder)
    if index is None:
        raise SystemExit(f"no index in {folder}: run --only build first")
    out = link_posts(posts, index=index)
    return {
        **_summary(out),
        "indexed_now": out.stats["posts_indexed_now"],
        "clustered_now": out.stats["networks_clustered_now"],
        "graph_reused": out.stats["graph_reused"],
    }


def build_then_add(posts: list[LinkPost], batch: int, folder: Path) -> None:
    """Both incremental steps in one process (the input is read once): a full link of
    all but the last ``batch`` posts saved as an index, then the index read back from
    disk and the batch linked against it. Prints one JSON line per step."""
    for step in ("build", "add"):
        cpu = cpu_seconds()
        start = time.perf_counter()
        result = build(posts, batch, folder) if step == "build" else add(posts, folder)
        print(
            json.dumps(
                {
                    "method": step,
                    "posts": len(posts) - batch if step == "build" else batch,
                    "seconds": round(time.perf_counter() - start, 1),
                    "cpu_seconds": round(cpu_seconds() - cpu, 1),
                    "peak_rss_mib_so_far": round(rss_mib()),
                    "load_average": os.getloadavg(),
                    **result,
                }
            ),
            flush=True,
        )


def child(corpus: Path, limit: int | None, method: str, batch: int, folder: Path) -> None:
    posts = load(corpus, limit)
    loaded = rss_mib()
    cpu = cpu_seconds()
    start = time.perf_counter()
    if method == "build":
        result = build(posts, batch, folder)
    elif method == "add":
        result = add(posts, folder)
    else:
        result = (ours if method == "ours" else baseline)(posts)
    seconds = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    print(
        json.dumps(
            {
                "method": method,
                "posts": len(posts),
                "seconds": round(seconds, 1),
                "cpu_seconds": round(cpu, 1),
                "peak_rss_mib": round(rss_mib()),
                "rss_after_load_mib": round(loaded),
                "load_average": os.getloadavg(),
                **result,
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--only", choices=("ours", "baseline", "build", "add", "build+add"))
    parser.add_argument("--batch", type=int, default=0)
    parser.add_argument("--index", type=Path, help="index folder for build/add")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()
    if args.only == "build+add":
        folder = args.index or Path(tempfile.gettempdir()) / "link-bench-index"
        posts = load(args.corpus, args.limit)
        print(json.dumps({"rss_after_load_mib": round(rss_mib())}), flush=True)
        build_then_add(posts, args.batch, folder)
        return 0
    if args.only:
        folder = args.index or Path(tempfile.gettempdir()) / "link-bench-index"
        child(args.corpus, args.limit, args.only, args.batch, folder)
        return 0
    print(
        "| method | posts | seconds | CPU seconds | peak RSS MiB | RSS after load MiB "
        "| networks | largest |"
    )
    print("|---|---|---|---|---|---|---|---|")
    methods = ["ours"] + ([] if args.skip_baseline else ["baseline"])
    with tempfile.TemporaryDirectory() as tmp:
        if args.batch:
            methods += ["build", "add"]
        for method in methods:
            cmd = [sys.executable, __file__, "--corpus", str(args.corpus), "--only", method]
            cmd += ["--batch", str(args.batch), "--index", str(Path(tmp) / "index")]
            if args.limit:
                cmd += ["--limit", str(args.limit)]
            try:
                done = subprocess.run(
                    cmd, capture_output=True, text=True, timeout=args.timeout, check=True
                )
            except subprocess.TimeoutExpired:
                print(
                    f"| {method} | {args.limit or 'all'} | > {args.timeout} (stopped) | | | | | |"
                )
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            name = {
                "build": f"tracelight, index of all but {args.batch} saved",
                "add": f"tracelight, {args.batch} added to the saved index",
            }.get(method, method)
            print(
                f"| {name} | {r['posts']} | {r['seconds']} | {r['cpu_seconds']} | "
                f"{r['peak_rss_mib']} | "
                f"{r['rss_after_load_mib']} | {r['networks']} | {r['largest']} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
