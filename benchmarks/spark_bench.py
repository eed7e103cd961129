"""Spark engine beside the local engine: wall time and peak memory per stage.

Run on demand (not part of the test suite); ``TRACELIGHT_BENCH_DRIVER_MEMORY`` sets the
Spark driver's memory (``2g`` by default; in ``local`` mode it holds the executors and
their cached frames too: give a 1M run ``6g``)::

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
graph from the mention Parquet), ``local-link`` (``tracelight.link.link_posts`` over
the posts and the mentions Spark wrote, the in-process linker ``analyze`` runs) and
``spark-link`` (``tracelight.spark.link.link_frames`` from the same Parquet files, each
cached step materialised and timed on its own, with the shuffle bytes Spark recorded
for it read from the status REST API). Both link stages print a digest of their
networks (members, evidence, shared selectors) and hubs: equal digests are the parity
check at scale.
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
STAGES = ("local-extract", "spark-extract", "spark-graph", "local-link", "spark-link")


def _tree_rss(root: int, cpu: dict[int, int] | None = None) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc; ``cpu`` gets each
    descendant's CPU clock ticks (user + system) so far."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    ticks: dict[int, int] = {}
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
        if cpu is not None:
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                ticks[pid] = int(stat[11]) + int(stat[12])
            except (OSError, IndexError, ValueError):
                pass
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        if cpu is not None and pid in ticks:
            cpu[pid] = max(cpu.get(pid, 0), ticks[pid])
        stack.extend(children.get(pid, []))
    return total


def _measure(cmd: list[str]) -> tuple[float, int, dict[str, Any]]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak = 0
    cpu: dict[int, int] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid, cpu))
            time.sleep(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, _ = proc.communicate()
    done.set()
    thread.join()
    wall = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"stage failed: {' '.join(cmd)}")
    info = json.loads(out.strip().splitlines()[-1])
    # CPU of the whole tree (driver, JVM, Python workers) as last sampled, 100 ms apart.
    info["cpu_s"] = sum(cpu.values()) / os.sysconf("SC_CLK_TCK")
    info["load_avg"] = round(os.getloadavg()[0], 2)
    return wall, peak, info


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


def _link_summary(out: Any) -> dict[str, Any]:
    """What both link stages report of their output, so the two can be compared."""
    sizes = [len(n.post_ids) for n in out.networks]
    return {
        "text_links": out.text_links,
        "hubs": len(out.hubs),
        "boilerplate_groups": len(out.boilerplate),
        "networks": len(sizes),
        "posts_in_networks": sum(sizes),
        "largest": max(sizes, default=0),
        "digest": _digest(out.networks, out.hubs),
    }


def _digest(networks: Any, hubs: Any) -> str:
    """One hash of everything linking decided, independent of list order."""
    import hashlib

    nets = sorted(
        [
            list(n.post_ids),
            [list(k) for k in n.selectors],
            sorted([e.kind, e.value, e.weight, *e.posts] for e in n.evidence),
        ]
        for n in networks
    )
    hub_rows = sorted([*h.key, h.reason, h.posts, h.cohesion] for h in hubs)
    raw = json.dumps([nets, hub_rows], sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def _local_link(posts_path: Path, mentions_path: Path) -> dict[str, Any]:
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    from tracelight.link.networks import LinkPost, link_posts
    from tracelight.spark.graph import MENTION_SELECTOR_KINDS

    t0 = time.perf_counter()
    kinds = set(MENTION_SELECTOR_KINDS)
    selectors: dict[str, set[tuple[str, str]]] = {}
    names: dict[str, set[str]] = {}
    table = ds.dataset(str(mentions_path)).to_table(columns=["post_id", "kind", "value"])
    for post_id, kind, value in zip(
        table["post_id"].to_pylist(),
        table["kind"].to_pylist(),
        table["value"].to_pylist(),
        strict=True,
    ):
        if kind in kinds:
            selectors.setdefault(post_id, set()).add((kind, value))
        elif kind == "name":
            names.setdefault(post_id, set()).add(value)
    posts_table = pq.read_table(posts_path, columns=["id", "title", "body", "post"])
    posts_table = posts_table.sort_by("post")
    posts = [
        LinkPost(
            id=i,
            text=f"{t or ''}\n{b or ''}",
            selectors=tuple(sorted(selectors.get(i, ()))),
            names=tuple(sorted(names.get(i, ()))),
        )
        for i, t, b in zip(
            posts_table["id"].to_pylist(),
            posts_table["title"].to_pylist(),
            posts_table["body"].to_pylist(),
            strict=True,
        )
    ]
    del table, posts_table
    loaded = time.perf_counter()
    out = link_posts(posts)
    linked = time.perf_counter()
    return {
        **_link_summary(out),
        "load_s": loaded - t0,
        "link_s": linked - loaded,
        "work_s": linked - t0,
    }


def _shuffle_by_group(spark: Any) -> dict[str, dict[str, int]]:
    """Shuffle bytes written and read per job group, from Spark's status REST API
    (the UI server of this application)."""
    import urllib.request

    base = spark.sparkContext.uiWebUrl
    app = spark.sparkContext.applicationId

    def get(path: str) -> Any:
        with urllib.request.urlopen(f"{base}/api/v1/applications/{app}/{path}") as r:
            return json.loads(r.read())

    stage_group: dict[int, str] = {}
    for job in get("jobs"):
        for stage_id in job.get("stageIds", []):
            stage_group.setdefault(stage_id, job.get("jobGroup") or "")
    out: dict[str, dict[str, int]] = {}
    for stage in get("stages?status=complete"):
        group = stage_group.get(stage["stageId"], "")
        row = out.setdefault(group, {"shuffle_write": 0, "shuffle_read": 0})
        row["shuffle_write"] += int(stage.get("shuffleWriteBytes", 0))
        row["shuffle_read"] += int(stage.get("shuffleReadBytes", 0))
    return out


def _spark_link(spark: Any, posts_path: Path, mentions_path: Path) -> dict[str, Any]:
    from tracelight.spark.link import collect_output, corpus_frames, link_frames

    t0 = time.perf_counter()
    posts = spark.read.parquet(str(posts_path))
    ids = [
        str(i)
        for i in posts.select("id", "post").toArrow().sort_by("post").column("id").to_pylist()
    ]
    frame, selectors = corpus_frames(posts, spark.read.parquet(str(mentions_path)))
    steps: dict[str, dict[str, Any]] = {}
    last = [time.perf_counter()]

    order: list[str] = []

    def step(name: str, df: Any) -> None:
        # Jobs that run while a step is being defined (the component rounds' eager
        # checkpoints) belong to that step: they run under "next:<previous step>".
        spark.sparkContext.setJobGroup(name, name)
        rows = df.count()
        now = time.perf_counter()
        steps[name] = {"rows": rows, "wall_s": round(now - last[0], 1)}
        order.append(name)
        last[0] = now
        spark.sparkContext.setJobGroup(f"next:{name}", name)

    frames = link_frames(frame, selectors, on_step=step)
    spark.sparkContext.setJobGroup("cluster", "cluster")
    out = collect_output(frames, ids)
    now = time.perf_counter()
    steps["cluster"] = {"rows": len(out.networks), "wall_s": round(now - last[0], 1)}
    order.append("cluster")
    for name in order:
        steps[name].update({"shuffle_write": 0, "shuffle_read": 0})
    try:
        recorded = _shuffle_by_group(spark)
    except OSError as exc:  # the figures are extra; the run's results still count
        print(f"shuffle bytes unavailable: {exc}", file=sys.stderr)
        recorded = {}
    for group, shuffle in recorded.items():
        name = group
        if group.startswith("next:") and group[5:] in order:
            at = order.index(group[5:]) + 1
            name = order[at] if at < len(order) else "cluster"
        if name in steps:
            for key, value in shuffle.items():
                steps[name][key] += value
    frames.release()
    return {
        **_link_summary(out),
        "steps": steps,
        "work_s": time.perf_counter() - t0,
    }


def _stage(name: str, work: Path, master: str, partitions: int) -> dict[str, Any]:
    posts_path = work / "posts.parquet"
    mentions_path = work / "mentions.parquet"
    t0 = time.perf_counter()
    if name == "local-link":
        return _local_link(posts_path, mentions_path)
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

    # The UI server is on only for the link stage, whose shuffle bytes are read from it.
    ui = {"spark.ui.enabled": "true", "spark.ui.port": "0"} if name == "spark-link" else {}
    spark = spark_session(
        SparkConfig(
            master=master,
            partitions=partitions,
            driver_memory=os.environ.get("TRACELIGHT_BENCH_DRIVER_MEMORY", "2g"),
            conf={"spark.ui.enabled": "false", **ui},
        )
    )
    started = time.perf_counter()
    try:
        if name == "spark-link":
            info = _spark_link(spark, posts_path, mentions_path)
            info["session_s"] = started - t0
            return info
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
    parser.add_argument(
        "--stages", nargs="+", choices=STAGES, default=list(STAGES), help="stages to run"
    )
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
        if not (work / "posts.parquet").exists():
            generate_corpus(work / "corpus", n, seed=7, max_images=200)
            _write_posts(work / "corpus" / "posts.jsonl", work / "posts.parquet")
        for stage in [s for s in STAGES if s in args.stages]:
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
