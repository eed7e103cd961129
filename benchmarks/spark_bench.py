"""Spark engine beside the local engine: wall time and peak memory per stage.

Run on demand (not part of the test suite)::

    .venv/bin/python benchmarks/spark_bench.py --posts 10000 100000 \
        [--workdir DIR] [--master local[2]] [--partitions 4] [--json OUT]

A synthetic corpus is written as Parquet posts (the form a Spark deployment reads),
then every stage runs in a fresh child process (this script with ``--stage``) so the
JVM and the worker pools of one stage never inflate the next. Peak memory is the
largest resident set of the stage's whole process tree (driver, JVM, Python workers),
sampled every 100 ms from ``/proc``: a pool's or the JVM's memory counts too.

Stages: ``local-extract`` (``extract_batch`` over the Parquet posts on the local
engine, 2 workers), ``spark-extract`` (``tracelight.spark.extract.extract_parquet``),
``spark-graph`` (selector groups, degree hubs and connected components of the selector
graph from the mention Parquet).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
STAGES = ("local-extract", "spark-extract", "spark-graph")


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        pid = int(entry)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def _measure(cmd: list[str]) -> tuple[float, int, dict[str, Any]]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, _ = proc.communicate()
    done.set()
    thread.join()
    wall = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"stage failed: {' '.join(cmd)}")
    return wall, peak, json.loads(out.strip().splitlines()[-1])


def _write_posts(corpus: Path, out: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tracelight.ingest.base import ReadOptions
    from tracelight.ingest.jsonl import READER
    from tracelight.model import Post
    from tracelight.spark.arrow import POST_SCHEMA, posts_to_arrow

    schema = POST_SCHEMA.append(pa.field("post", pa.int64()))
    n = 0
    batch: list[Post] = []
    with pq.ParquetWriter(out, schema) as writer:

        def flush() -> None:
            nonlocal n
            table = pa.Table.from_batches([posts_to_arrow(batch)])
            table = table.append_column("post", pa.array(range(n, n + len(batch)), pa.int64()))
            writer.write_table(table, row_group_size=5000)
            n += len(batch)
            batch.clear()

        for item in READER.read(corpus, ReadOptions()):
            if isinstance(item, Post):
                batch.append(item)
                if len(batch) == 5000:
                    flush()
        if batch:
            flush()
    return n


def _stage(name: str, work: Path, master: str, partitions: int) -> dict[str, Any]:
    posts_path = work / "posts.parquet"
    mentions_path = work / "mentions.parquet"
    t0 = time.perf_counter()
    if name == "local-extract":
        import pyarrow.parquet as pq

        from tracelight.extract import extract_batch
        from tracelight.pipeline.engine import LocalEngine
        from tracelight.spark.arrow import arrow_to_posts

        def batches() -> Any:
            for b in pq.ParquetFile(posts_path).iter_batches(batch_size=500):
                yield arrow_to_posts(b)

        engine = LocalEngine(workers=2)
        mentions = 0
        try:
            for results in engine.map_batches(extract_batch, batches()):
                mentions += sum(len(m) for _, m in results)
        finally:
            engine.close()
        return {"mentions": mentions, "work_s": time.perf_counter() - t0}
    from tracelight.spark import SparkConfig, spark_session

    spark = spark_session(
        SparkConfig(master=master, partitions=partitions, conf={"spark.ui.enabled": "false"})
    )
    started = time.perf_counter()
    try:
        if name == "spark-extract":
            from tracelight.spark.extract import extract_parquet

            mentions = extract_parquet(
                spark, str(posts_path), str(mentions_path), partitions=partitions
            )
            size = sum(f.stat().st_size for f in mentions_path.glob("*.parquet"))
            return {
                "mentions": mentions,
                "mention_bytes": size,
                "post_bytes": posts_path.stat().st_size,
                "session_s": started - t0,
                "work_s": time.perf_counter() - started,
            }
        from pyspark.sql import functions as F

        from tracelight.spark.graph import (
            component_sizes,
            connected_components,
            post_selectors,
            selector_edges,
            selector_groups,
        )

        posts = spark.read.parquet(str(posts_path)).select(F.col("id").alias("post_id"), "post")
        selectors = post_selectors(spark.read.parquet(str(mentions_path)), posts).cache()
        groups = selector_groups(selectors).cache()
        edges = selector_edges(selectors, groups).cache()
        components = connected_components(edges).cache()
        sizes = component_sizes(components).cache()
        largest = sizes.first()
        return {
            "post_selectors": selectors.count(),
            "selectors": groups.count(),
            "hubs": groups.where(F.col("hub").isNotNull() & (F.col("degree") >= 2)).count(),
            "edges": edges.count(),
            "posts_in_components": components.count(),
            "components": sizes.count(),
            "largest_component": int(largest["posts"]) if largest else 0,
            "session_s": started - t0,
            "work_s": time.perf_counter() - started,
        }
    finally:
        spark.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[10000])
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--stage", choices=STAGES)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(_stage(args.stage, args.workdir, args.master, args.partitions)))
        return
    from tracelight.synth import generate_corpus

    rows: list[dict[str, Any]] = []
    base = args.workdir or Path(tempfile.mkdtemp(prefix="spark-bench-"))
    for n in args.posts:
        work = base / str(n)
        work.mkdir(parents=True, exist_ok=True)
        generate_corpus(work / "corpus", n, seed=7, max_images=200)
        _write_posts(work / "corpus" / "posts.jsonl", work / "posts.parquet")
        for stage in STAGES:
            cmd = [sys.executable, str(SCRIPT), "--stage", stage, "--workdir", str(work)]
            cmd += ["--master", args.master, "--partitions", str(args.partitions)]
            wall, peak, info = _measure(cmd)
            row = {"posts": n, "stage": stage, "wall_s": round(wall, 1), "peak_mib": peak >> 20}
            row.update({k: round(v, 1) if isinstance(v, float) else v for k, v in info.items()})
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
