"""Throughput and peak memory of each pipeline stage on synthetic corpora.

Run on demand (not part of the test suite)::

    .venv/bin/python benchmarks/pipeline_bench.py --posts 10000 100000 \
        [--workdir DIR] [--workers N] [--seed S] [--stages ...] [--json OUT]

For every corpus size the orchestrator (this script without ``--stage``) runs each
stage in a fresh child process (this script again, with ``--stage``), so one stage's
memory high-water mark never pollutes the next. A stage process times its own work
with ``perf_counter`` after its imports are done, reads ``getrusage`` for itself
(``RUSAGE_SELF``) and for its reaped process-pool workers (``RUSAGE_CHILDREN``, the
largest one), and writes its rows as JSON for the orchestrator to collect.

See ``benchmarks/README.md`` for what each stage measures.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_SEED = 7
DEFAULT_WORKERS = 2
SCRIPT = Path(__file__).resolve()

STAGES = (
    "generate",
    "read",
    "ingest",
    "extract-serial",
    "extract-local",
    "analyze-local",
    "analyze-relink",
    "link",
    "analyze-serial",
)
"""In running order: later stages use what earlier ones left in the work folder."""


# -- measurement -----------------------------------------------------------------------


def _rss_mib(who: int) -> float:
    """``ru_maxrss`` in MiB: KiB on Linux, bytes on macOS."""
    raw = resource.getrusage(who).ru_maxrss
    return raw / (1024 * 1024) if sys.platform == "darwin" else raw / 1024


def _cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@dataclass(slots=True)
class Row:
    """One line of the report."""

    stage: str
    posts: int
    seconds: float
    rss_main_mib: float | None
    rss_workers_mib: float | None = None
    cpu_main_s: float | None = None
    cpu_workers_s: float | None = None
    rss_start_mib: float | None = None
    load_1m: float | None = None
    """The machine's 1-minute load average when the stage ended: wall times on a shared
    machine mean little without it (CPU seconds are steadier)."""
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def posts_per_s(self) -> float | None:
        return self.posts / self.seconds if self.seconds > 0 else None

    def as_json(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["posts_per_s"] = self.posts_per_s
        return out


class Probe:
    """Wall time, CPU and RSS of the measured part of a stage process."""

    def __init__(self) -> None:
        self.rss_start = _rss_mib(resource.RUSAGE_SELF)
        self._cpu0 = _cpu_s(resource.RUSAGE_SELF)
        self._cpu_children0 = _cpu_s(resource.RUSAGE_CHILDREN)
        self._t0 = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self._t0

    def row(self, stage: str, posts: int, seconds: float | None = None, **extra: Any) -> Row:
        """The stage's row. Call after any process pool is shut down, so its workers are
        reaped and counted in ``RUSAGE_CHILDREN``."""
        workers = _rss_mib(resource.RUSAGE_CHILDREN)
        return Row(
            stage=stage,
            posts=posts,
            seconds=self.elapsed() if seconds is None else seconds,
            rss_main_mib=_rss_mib(resource.RUSAGE_SELF),
            rss_workers_mib=workers or None,
            cpu_main_s=_cpu_s(resource.RUSAGE_SELF) - self._cpu0,
            cpu_workers_s=(_cpu_s(resource.RUSAGE_CHILDREN) - self._cpu_children0) or None,
            rss_start_mib=self.rss_start,
            load_1m=os.getloadavg()[0],
            **extra,
        )


@dataclass(slots=True)
class _Timing:
    seconds: float = 0.0
    calls: int = 0
    rss_mib: float = 0.0


class Timers:
    """Time named functions of the pipeline in place, restoring them on exit.

    The jobs look their helpers up as module attributes at call time (``repo.x`` and
    module globals), so replacing the attribute times every call without touching
    pipeline code. Nested timers must not share a label.
    """

    def __init__(self) -> None:
        self.timings: dict[str, _Timing] = {}
        self._saved: list[tuple[ModuleType | type, str, Any]] = []

    def patch(self, module: ModuleType | type, name: str, label: str) -> None:
        original = getattr(module, name)
        self._saved.append((module, name, original))
        setattr(module, name, self.wrap(label, original))

    def wrap(self, label: str, fn: Callable[P, R]) -> Callable[P, R]:
        timing = self.timings.setdefault(label, _Timing())

        @functools.wraps(fn)
        def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                timing.seconds += time.perf_counter() - start
                timing.calls += 1
                timing.rss_mib = _rss_mib(resource.RUSAGE_SELF)

        return timed

    def __enter__(self) -> Timers:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for module, name, original in reversed(self._saved):
            setattr(module, name, original)
        self._saved.clear()


# -- the work folder -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Layout:
    """Where one corpus size keeps its files inside the work folder."""

    root: Path

    @classmethod
    def for_size(cls, workdir: Path, posts: int) -> Layout:
        return cls(workdir / f"posts-{posts}")

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def posts_path(self) -> Path:
        return self.corpus / "posts.jsonl"

    @property
    def ws_ingest(self) -> Path:
        return self.root / "ws-ingest"

    @property
    def ws_local(self) -> Path:
        return self.root / "ws-analyze-local"

    @property
    def ws_serial(self) -> Path:
        return self.root / "ws-analyze-serial"


def _require(path: Path, stage: str) -> None:
    if not path.exists():
        raise SystemExit(f"stage {stage}: {path} is missing; run the stages before it first")


def _fresh_copy(source: Path, target: Path) -> None:
    """A workspace copy so each analyze starts from the same just-ingested store."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)


# -- stages (each runs in its own process) ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Ctx:
    posts: int
    layout: Layout
    workers: int
    seed: int


def stage_generate(ctx: Ctx) -> list[Row]:
    from tracelight.synth import generate_corpus

    if ctx.layout.corpus.exists():
        shutil.rmtree(ctx.layout.corpus)
    probe = Probe()
    corpus = generate_corpus(ctx.layout.corpus, ctx.posts, ctx.seed)
    size = corpus.posts_path.stat().st_size
    return [
        probe.row(
            "generate",
            ctx.posts,
            note=f"{size / 2**20:.0f} MiB jsonl, {corpus.image_files} image files",
            detail={
                "posts_jsonl_bytes": size,
                "image_files": corpus.image_files,
                "groups": corpus.groups,
            },
        )
    ]


def stage_read(ctx: Ctx) -> list[Row]:
    from tracelight.ingest import read_source
    from tracelight.model import ImageBlob, Post

    _require(ctx.layout.posts_path, "read")
    probe = Probe()
    posts = blobs = rejects = blob_bytes = 0
    digests: set[str] = set()
    for item in read_source(ctx.layout.posts_path):
        if isinstance(item, Post):
            posts += 1
        elif isinstance(item, ImageBlob):
            blobs += 1
            blob_bytes += len(item.data)
            digests.add(item.sha256)
        else:
            rejects += 1
    return [
        probe.row(
            "read (parse only)",
            ctx.posts,
            note=f"{posts} posts, {blobs} image reads ({len(digests)} distinct, "
            f"{blob_bytes / 2**20:.0f} MiB), {rejects} rejects",
            detail={
                "posts": posts,
                "image_blobs": blobs,
                "distinct_images": len(digests),
                "image_bytes": blob_bytes,
                "rejects": rejects,
            },
        )
    ]


def stage_ingest(ctx: Ctx) -> list[Row]:
    from tracelight.pipeline.ingest import ingest_sources
    from tracelight.store import repository as repo
    from tracelight.store.blobs import BlobStore
    from tracelight.store.workspace import Workspace

    _require(ctx.layout.posts_path, "ingest")
    if ctx.layout.ws_ingest.exists():
        shutil.rmtree(ctx.layout.ws_ingest)
    workspace = Workspace.resolve(ctx.layout.ws_ingest)
    probe = Probe()
    with Timers() as timers:
        timers.patch(repo, "insert_posts", "ingest › insert_posts (SQL)")
        timers.patch(repo, "insert_image_blobs", "ingest › insert_image_blobs (SQL)")
        timers.patch(BlobStore, "put", "ingest › blob files (BlobStore.put)")
        summary = ingest_sources(workspace, [ctx.layout.posts_path])
    row = probe.row(
        "ingest",
        ctx.posts,
        note=f"{summary.accepted} accepted, {summary.duplicate} duplicate, "
        f"{summary.rejected} rejected, {summary.images} image rows",
        detail={"summary": summary.as_dict()},
    )
    return [row, *_timer_rows(timers, ctx.posts)]


def _corpus_posts(ctx: Ctx) -> list[Any]:
    from tracelight.ingest import read_source
    from tracelight.model import Post

    _require(ctx.layout.posts_path, "extract")
    return [item for item in read_source(ctx.layout.posts_path) if isinstance(item, Post)]


def _batches(posts: Sequence[R], size: int) -> Iterator[Sequence[R]]:
    for start in range(0, len(posts), size):
        yield posts[start : start + size]


def _stage_extract(ctx: Ctx, engine_name: str) -> list[Row]:
    from tracelight.extract import BATCH_POSTS, extract_batch
    from tracelight.pipeline.engine import make_engine

    posts = _corpus_posts(ctx)  # materialised first: parsing is not part of this stage
    probe = Probe()
    engine = make_engine(engine_name, ctx.workers)
    mentions = done = 0
    first: float | None = None
    try:
        for results in engine.map_batches(extract_batch, _batches(posts, BATCH_POSTS)):
            if first is None:
                first = probe.elapsed()
            done += len(results)
            mentions += sum(len(found) for _, found in results)
    finally:
        engine.close()
    seconds = probe.elapsed()
    label = f"extract pure {_engine_label(engine.name, ctx.workers)}"
    return [
        probe.row(
            label,
            done,
            seconds,
            note=f"{mentions} mentions; batches of {BATCH_POSTS}; first batch back after "
            f"{first or 0:.2f}s; input materialised (RSS at start {probe.rss_start:.0f} MiB)",
            detail={
                "mentions": mentions,
                "engine": engine.name,
                "workers": ctx.workers,
                "first_batch_s": first,
            },
        )
    ]


def _engine_label(name: str, workers: int) -> str:
    return f"[{name} ×{workers}]" if name == "local" else f"[{name}]"


def stage_extract_serial(ctx: Ctx) -> list[Row]:
    return _stage_extract(ctx, "serial")


def stage_extract_local(ctx: Ctx) -> list[Row]:
    return _stage_extract(ctx, "local")


def _timer_rows(timers: Timers, posts: int, prefix: str = "") -> list[Row]:
    return [
        Row(
            stage=f"{prefix}{label}",
            posts=posts,
            seconds=timing.seconds,
            rss_main_mib=timing.rss_mib,
            note=f"{timing.calls} calls",
        )
        for label, timing in timers.timings.items()
        if timing.calls
    ]


def _analyze(ctx: Ctx, workspace_dir: Path, engine_name: str, label: str) -> list[Row]:
    from tracelight.pipeline import analyze as analyze_mod
    from tracelight.pipeline.engine import make_engine
    from tracelight.store import repository as repo
    from tracelight.store.workspace import Workspace

    workspace = Workspace.resolve(workspace_dir)
    engine = make_engine(engine_name, ctx.workers)
    probe = Probe()
    with Timers() as timers:
        timers.patch(analyze_mod, "_extract", "extract")
        timers.patch(repo, "posts_to_extract", "extract › read pages (SQL)")
        timers.patch(repo, "replace_mentions", "extract › write mentions (SQL)")
        timers.patch(analyze_mod, "_link", "link")
        timers.patch(repo, "rebuild_selectors", "link › rebuild_selectors (SQL)")
        timers.patch(analyze_mod, "load_link_posts", "link › load_link_posts (SQL)")
        timers.patch(analyze_mod, "link_posts", "link › link_posts (pure)")
        timers.patch(repo, "update_networks", "link › update_networks (SQL)")
        timers.patch(repo, "stats", "link › stats (SQL)")
        try:
            summary = analyze_mod.analyze(workspace, engine)
        finally:
            engine.close()
    seconds = probe.elapsed()
    name = f"{label} {_engine_label(engine.name, ctx.workers)}"
    s = summary.as_dict()
    row = probe.row(
        name,
        ctx.posts,
        seconds,
        note=f"{s['extracted_posts']} extracted, {s['mentions']} mentions, {s['selectors']} "
        f"selectors, {s['networks']} networks, {s['hubs']} hubs",
        detail={"summary": s},
    )
    rows = [row, *_timer_rows(timers, ctx.posts, prefix=f"{name} › ")]
    extract = timers.timings["extract"]
    io = sum(
        timers.timings[k].seconds
        for k in ("extract › read pages (SQL)", "extract › write mentions (SQL)")
    )
    if extract.seconds > 0.5:
        rows.append(
            Row(
                stage=f"{name} › extract › compute / wait for workers (rest)",
                posts=ctx.posts,
                seconds=extract.seconds - io,
                rss_main_mib=None,
                note="extract minus SQL reads and writes",
            )
        )
    return rows


def stage_analyze_local(ctx: Ctx) -> list[Row]:
    _require(ctx.layout.ws_ingest, "analyze-local")
    _fresh_copy(ctx.layout.ws_ingest, ctx.layout.ws_local)
    return _analyze(ctx, ctx.layout.ws_local, "local", "analyze")


def stage_analyze_serial(ctx: Ctx) -> list[Row]:
    _require(ctx.layout.ws_ingest, "analyze-serial")
    _fresh_copy(ctx.layout.ws_ingest, ctx.layout.ws_serial)
    return _analyze(ctx, ctx.layout.ws_serial, "serial", "analyze")


def stage_analyze_relink(ctx: Ctx) -> list[Row]:
    _require(ctx.layout.ws_local, "analyze-relink")
    return _analyze(ctx, ctx.layout.ws_local, "local", "analyze again, nothing new (= link)")


def stage_link(ctx: Ctx) -> list[Row]:
    from tracelight.link import link_posts
    from tracelight.pipeline.analyze import load_link_posts
    from tracelight.store import repository as repo
    from tracelight.store.db import open_engine
    from tracelight.store.workspace import Workspace

    _require(ctx.layout.ws_local, "link")
    db = open_engine(Workspace.resolve(ctx.layout.ws_local).db_url)
    rows: list[Row] = []
    try:
        with db.connect() as conn:
            transaction = conn.begin()
            try:
                start = time.perf_counter()
                repo.rebuild_selectors(conn)
                rebuild = time.perf_counter() - start
                rss_rebuild = _rss_mib(resource.RUSAGE_SELF)
                start = time.perf_counter()
                posts = load_link_posts(conn)
                read = time.perf_counter() - start
                rss_read = _rss_mib(resource.RUSAGE_SELF)
            finally:
                transaction.rollback()  # leave the analysed workspace as it was
    finally:
        db.dispose()
    probe = Probe()
    result = link_posts(posts)
    memberships = sum(len(p.selectors) for p in posts)
    rows.append(
        probe.row(
            "link pure (link_posts)",
            ctx.posts,
            note=f"{len(posts)} posts, {memberships} selector memberships → "
            f"{len(result.networks)} networks, {len(result.hubs)} hubs; input materialised "
            f"(RSS at start {probe.rss_start:.0f} MiB)",
            detail={
                "posts": len(posts),
                "memberships": memberships,
                "networks": len(result.networks),
                "hubs": len(result.hubs),
            },
        )
    )
    rows.append(
        Row(
            "link › rebuild_selectors (SQL, rolled back)",
            ctx.posts,
            rebuild,
            rss_rebuild,
            note="RSS = high-water mark after this phase",
        )
    )
    rows.append(
        Row(
            "link › load_link_posts (SQL)",
            ctx.posts,
            read,
            rss_read,
            note="RSS = high-water mark after this phase",
        )
    )
    return rows


STAGE_FUNCTIONS: dict[str, Callable[[Ctx], list[Row]]] = {
    "generate": stage_generate,
    "read": stage_read,
    "ingest": stage_ingest,
    "extract-serial": stage_extract_serial,
    "extract-local": stage_extract_local,
    "analyze-local": stage_analyze_local,
    "analyze-relink": stage_analyze_relink,
    "link": stage_link,
    "analyze-serial": stage_analyze_serial,
}
assert tuple(STAGE_FUNCTIONS) == STAGES


# -- orchestration ---------------------------------------------------------------------


def run_stage_process(stage: str, posts: int, workdir: Path, workers: int, seed: int) -> list[Row]:
    """Run one stage in a fresh interpreter and collect its rows."""
    with tempfile.TemporaryDirectory(prefix="tracelight-bench-") as temp:
        result = Path(temp) / "rows.json"
        command = [
            sys.executable, str(SCRIPT), "--stage", stage, "--posts", str(posts),
            "--workdir", str(workdir), "--workers", str(workers), "--seed", str(seed),
            "--result", str(result),
        ]  # fmt: skip
        completed = subprocess.run(command, check=False)
        if completed.returncode != 0:
            raise SystemExit(f"stage {stage} at {posts} posts failed ({completed.returncode})")
        return [Row(**row) for row in json.loads(result.read_text(encoding="utf-8"))]


def _fmt(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def markdown_table(rows: Sequence[Row]) -> str:
    header = (
        "| stage | posts | seconds | posts/s | peak RSS MiB main | peak RSS MiB workers "
        "| CPU s main | CPU s workers | load 1m | notes |"
    )
    lines = [header, "|" + "---|" * 10]
    for row in rows:
        rate = row.posts_per_s
        lines.append(
            f"| {row.stage} | {row.posts:,} | {row.seconds:,.2f} | "
            f"{_fmt(rate, 0)} | {_fmt(row.rss_main_mib, 0)} | {_fmt(row.rss_workers_mib, 0)} | "
            f"{_fmt(row.cpu_main_s)} | {_fmt(row.cpu_workers_s)} | {_fmt(row.load_1m)} | "
            f"{row.note} |"
        )
    return "\n".join(lines)


def consistency(rows: Sequence[Row]) -> list[str]:
    """Cross-checks that the engines and the pure stages agree on what they found."""
    by_posts: dict[int, dict[str, Row]] = {}
    for row in rows:
        by_posts.setdefault(row.posts, {})[row.stage] = row
    out: list[str] = []
    for posts, stages in by_posts.items():
        mentions = {
            name: row.detail.get("mentions", row.detail.get("summary", {}).get("mentions"))
            for name, row in stages.items()
            if name.startswith(("extract pure", "analyze [")) and "›" not in name
        }
        networks = {
            name: row.detail.get("networks", row.detail.get("summary", {}).get("networks"))
            for name, row in stages.items()
            if name.startswith(("link pure", "analyze")) and "›" not in name
        }
        for what, values in (("mentions", mentions), ("networks", networks)):
            if len(set(values.values())) > 1:
                out.append(f"{posts:,} posts: {what} differ between stages: {values}")
            elif values:
                out.append(
                    f"{posts:,} posts: {what} agree ({next(iter(values.values()))}) "
                    f"across {len(values)} stages"
                )
    return out


def orchestrate(args: argparse.Namespace) -> int:
    stages = args.stages or list(STAGES)
    keep = args.workdir is not None
    workdir = (
        Path(args.workdir).absolute()
        if keep
        else Path(tempfile.mkdtemp(prefix="tracelight-bench-"))
    )
    workdir.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    started = time.perf_counter()
    try:
        for posts in args.posts:
            for stage in STAGES:
                if stage not in stages:
                    continue
                print(
                    f"[{time.perf_counter() - started:7.1f}s] {posts:,} posts: {stage} …",
                    file=sys.stderr,
                    flush=True,
                )
                new = run_stage_process(stage, posts, workdir, args.workers, args.seed)
                rows.extend(new)
                print(
                    f"          {new[0].stage}: {new[0].seconds:.2f}s", file=sys.stderr, flush=True
                )
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    checks = consistency(rows)
    print(markdown_table(rows))
    print()
    for line in checks:
        print(f"* {line}")
    if args.json:
        meta = {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "load_1m_at_end": os.getloadavg()[0],
            "workers": args.workers,
            "seed": args.seed,
            "posts": args.posts,
            "stages": stages,
            "total_seconds": time.perf_counter() - started,
        }
        payload = {"meta": meta, "rows": [r.as_json() for r in rows], "checks": checks}
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


def run_stage(args: argparse.Namespace) -> int:
    if len(args.posts) != 1 or args.workdir is None or args.result is None:
        raise SystemExit("--stage needs one --posts value, --workdir and --result")
    posts = args.posts[0]
    ctx = Ctx(
        posts=posts,
        layout=Layout.for_size(Path(args.workdir), posts),
        workers=args.workers,
        seed=args.seed,
    )
    ctx.layout.root.mkdir(parents=True, exist_ok=True)
    rows = STAGE_FUNCTIONS[args.stage](ctx)
    Path(args.result).write_text(
        json.dumps([dataclasses.asdict(r) for r in rows]), encoding="utf-8"
    )
    return 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--posts",
        type=int,
        nargs="+",
        default=[10_000],
        help="corpus sizes to run, in posts (default 10000)",
    )
    parser.add_argument(
        "--workdir",
        help="keep corpora and workspaces here (default: a temporary folder, removed at the end)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"process-pool workers of the local engine (default {DEFAULT_WORKERS})",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--stages",
        nargs="+",
        choices=STAGES,
        help="run only these stages (their inputs must be in --workdir)",
    )
    parser.add_argument("--json", help="also write rows and checks to this JSON file")
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.stage:
        return run_stage(args)
    return orchestrate(args)


if __name__ == "__main__":
    sys.exit(main())
