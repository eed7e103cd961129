"""Linking speed: ``tracelight.link.link_posts`` vs a datasketch + union-find baseline.

    .venv/bin/python benchmarks/link_bench.py --corpus DIR [--limit N] [--only ours|baseline]

Reads a synthetic corpus written by ``tracelight.synth.generate_corpus`` (generation is
not timed). Selectors are the ground truth's contacts plus image files, as an error-free
extractor would give them (extraction is its own stage with its own benchmark). Each
method runs in a fresh process (``--only``), so peak RSS (``ru_maxrss``) is its own;
the RSS after loading the input is reported too.

The baseline is what one writes with ``datasketch``: one ``MinHash`` (64 permutations)
per post over the same word 3-shingles, a ``MinHashLSH`` at threshold 0.5, and union-find
over every LSH candidate and every shared selector.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tracelight.link import LinkPost, link_posts
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


def ours(posts: list[LinkPost]) -> dict[str, Any]:
    out = link_posts(posts)
    return {"networks": len(out.networks), "largest": max(len(n.post_ids) for n in out.networks)}


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


def child(corpus: Path, limit: int | None, method: str) -> None:
    posts = load(corpus, limit)
    loaded = rss_mib()
    start = time.perf_counter()
    result = (ours if method == "ours" else baseline)(posts)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "method": method,
                "posts": len(posts),
                "seconds": round(seconds, 1),
                "peak_rss_mib": round(rss_mib()),
                "rss_after_load_mib": round(loaded),
                **result,
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--only", choices=("ours", "baseline"))
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()
    if args.only:
        child(args.corpus, args.limit, args.only)
        return 0
    print("| method | posts | seconds | peak RSS MiB | RSS after load MiB | networks | largest |")
    print("|---|---|---|---|---|---|---|")
    for method in ("ours", "baseline"):
        cmd = [sys.executable, __file__, "--corpus", str(args.corpus), "--only", method]
        if args.limit:
            cmd += ["--limit", str(args.limit)]
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=args.timeout, check=True
            )
        except subprocess.TimeoutExpired:
            print(f"| {method} | {args.limit or 'all'} | > {args.timeout} (stopped) | | | | |")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {method} | {r['posts']} | {r['seconds']} | {r['peak_rss_mib']} | "
            f"{r['rss_after_load_mib']} | {r['networks']} | {r['largest']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
