"""Throughput of the extractors on one core: real Backpage ads and a synthetic corpus.

Run on demand (not part of the test suite)::

    .venv/bin/python benchmarks/extract_bench.py [--posts N] [--repeat R] [--json OUT]
        [--also-source]

Each column says how the extractors ran: ``compiled`` (the mypyc build ``make`` makes),
``source`` (nothing compiled), ``forced`` (``TRACELIGHT_PURE_PYTHON=1``) or ``stale``
(sources edited since the build: rebuild first). ``--also-source`` puts the Python
sources beside the compiled build, measured in a second process.

Corpora:

* ``backpage``: the ``title`` and ``body`` columns of
  ``../shared/data/backpage_ca_womenseekmen_posts/posts.csv``, read in place (never
  copied), country ``US``; skipped with a message when the file is absent;
* ``synthetic``: ``tracelight.synth.generate_corpus(tmp, N, seed=7, max_images=0)``
  read back through ``tracelight.ingest.read_source``.

For each corpus: posts/s of the extract stage as ``analyze`` runs it (``extract_batch``
over pages of ``BATCH_POSTS``) and of ``extract_post`` one post at a time (the same
mentions; a batch runs extractor by extractor, which keeps caches warm), microseconds
per post of each
extractor in ``EXTRACTORS`` and of ``normalize`` alone (over the same non-empty fields
``extract_post`` visits), and the peak memory: ``ru_maxrss`` of the process and the
``tracemalloc`` peak of one extra (untimed) ``extract_post`` pass. Timings are the best
of ``--repeat`` passes of *CPU time* (``process_time``, garbage collector left on): the
figure per core, which wall-clock time on a shared machine would understate. The 1-minute
load average is recorded before and after, since a loaded machine still slows a process
down (shared caches, hyper-threads). The Markdown table goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tracelight.extract import BATCH_POSTS, EXTRACTORS, RUNTIME, extract_batch, extract_post
from tracelight.extract.compiled import PURE_ENV
from tracelight.extract.normalize import normalize
from tracelight.model import Post
from tracelight.model.post import FIELDS

BACKPAGE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "backpage_ca_womenseekmen_posts"
    / "posts.csv"
)


@dataclass
class Result:
    corpus: str
    posts: int
    fields: int
    posts_per_s: float
    batch_posts_per_s: float = 0.0
    us_per_post: dict[str, float] = field(default_factory=dict)
    mentions: int = 0
    maxrss_mib: float = 0.0
    tracemalloc_peak_mib: float = 0.0
    runtime: str = RUNTIME.mode


def load_backpage(path: Path) -> list[Post] | None:
    """Posts from the Backpage CSV (title and body only), or None when it is absent."""
    if not path.is_file():
        print(f"skipping backpage: {path} not found", file=sys.stderr)
        return None
    csv.field_size_limit(sys.maxsize)
    posts: list[Post] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for i, row in enumerate(csv.DictReader(handle)):
            posts.append(
                Post(
                    id=row.get("id") or f"bp_{i}",
                    source="backpage",
                    external_id=None,
                    url=None,
                    posted_at=None,
                    collected_at=None,
                    title=row.get("title") or None,
                    body=row.get("body") or None,
                    location=None,
                    country="US",
                    language=None,
                )
            )
    return posts


def load_synthetic(count: int) -> list[Post]:
    """A fresh synthetic corpus of ``count`` posts (seed 7, no images)."""
    from tracelight.ingest import read_source
    from tracelight.synth import generate_corpus

    with tempfile.TemporaryDirectory(prefix="extract-bench-") as tmp:
        generate_corpus(Path(tmp), count, seed=7, max_images=0)
        return [item for item in read_source(Path(tmp) / "posts.jsonl") if isinstance(item, Post)]


def _best(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        run()
        best = min(best, time.process_time() - t0)
    return best


def measure(name: str, posts: Sequence[Post], repeat: int) -> Result:
    """Time ``extract_post``, each extractor and ``normalize`` over ``posts``."""
    items = [(p, f, p.text(f)) for p in posts for f in FIELDS if p.text(f)]
    n = len(posts)

    def full() -> None:
        for p in posts:
            extract_post(p)

    def batched() -> None:
        for start in range(0, n, BATCH_POSTS):
            extract_batch(posts[start : start + BATCH_POSTS])

    seconds = _best(repeat, full)
    result = Result(name, n, len(items), n / seconds if seconds else 0.0)
    seconds = _best(repeat, batched)
    result.batch_posts_per_s = n / seconds if seconds else 0.0
    for extractor in EXTRACTORS:

        def one(ex: Callable[[Post, str, str], object] = extractor) -> None:
            for p, f, t in items:
                ex(p, f, t)

        result.us_per_post[extractor.__name__] = _best(repeat, one) / n * 1e6

    def norm() -> None:
        for _, _, t in items:
            normalize(t)

    result.us_per_post["normalize"] = _best(repeat, norm) / n * 1e6
    tracemalloc.start()
    result.mentions = sum(len(extract_post(p)) for p in posts)
    result.tracemalloc_peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result.maxrss_mib = rss / 2**20 if sys.platform == "darwin" else rss / 2**10
    return result


def table(results: Sequence[Result]) -> str:
    """The results as one Markdown table, a column per corpus."""
    if not results:
        return "(no corpus)\n"
    head = "| measure | " + " | ".join(f"{r.corpus} ({r.runtime})" for r in results) + " |"
    lines = [head, "| --- |" + " ---: |" * len(results)]

    def row(label: str, cells: Sequence[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("posts (non-empty fields)", [f"{r.posts} ({r.fields})" for r in results])
    row(
        f"**extract_batch posts/s** (pages of {BATCH_POSTS}, as `analyze`)",
        [f"**{r.batch_posts_per_s:,.0f}**" for r in results],
    )
    row("extract_post posts/s (one at a time)", [f"{r.posts_per_s:,.0f}" for r in results])
    for key in results[0].us_per_post:
        row(f"{key} µs/post", [f"{r.us_per_post[key]:.1f}" for r in results])
    row("mentions", [str(r.mentions) for r in results])
    row("peak RSS MiB (ru_maxrss)", [f"{r.maxrss_mib:.0f}" for r in results])
    row("tracemalloc peak MiB", [f"{r.tracemalloc_peak_mib:.1f}" for r in results])
    return "\n".join(lines) + "\n"


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def _source_results(args: argparse.Namespace) -> list[Result]:
    """The same measurement in a process that runs the extractors from source."""
    print("measuring the Python sources in a second process", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="extract-bench-") as tmp:
        out = Path(tmp) / "source.json"
        command = [sys.executable, __file__, "--posts", str(args.posts)]
        command += ["--repeat", str(args.repeat), "--backpage", str(args.backpage)]
        command += ["--json", str(out)]
        subprocess.run(
            command, check=True, env={**os.environ, PURE_ENV: "1"}, stdout=subprocess.DEVNULL
        )
        rows = json.loads(out.read_text(encoding="utf-8"))["results"]
    return [Result(**row) for row in rows]


def _beside(first: list[Result], second: list[Result]) -> list[Result]:
    """Columns interleaved corpus by corpus (compiled, then source)."""
    out: list[Result] = []
    for a, b in zip(first, second, strict=True):
        out += [a, b]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=5000, help="synthetic corpus size")
    parser.add_argument("--repeat", type=int, default=3, help="passes; the best is kept")
    parser.add_argument("--backpage", type=Path, default=BACKPAGE, help="Backpage posts.csv")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--also-source",
        action="store_true",
        help="when the extractors run compiled, measure their Python sources too"
        f" (a second process with {PURE_ENV}=1), column beside column",
    )
    args = parser.parse_args(argv)
    load_before = _load()
    corpora: list[tuple[str, list[Post]]] = []
    backpage = load_backpage(args.backpage)
    if backpage is not None:
        corpora.append(("backpage", backpage))
    corpora.append(("synthetic", load_synthetic(args.posts)))
    results = []
    for name, posts in corpora:
        print(f"measuring {name} ({len(posts)} posts)", file=sys.stderr)
        results.append(measure(name, posts, args.repeat))
    if args.also_source and RUNTIME.compiled:
        results = _beside(results, _source_results(args))
    sys.stdout.write(table(results))
    load = _load()
    print(
        f"\n{platform.python_implementation()} {platform.python_version()}, CPU-time figures,"
        f" load 1m {load_before:.2f} before, {load:.2f} after"
    )
    if args.json:
        payload = {
            "machine": platform.platform(),
            "python": platform.python_version(),
            "timing": "process_time",
            "load_1m_before": load_before,
            "load_1m": load,
            "results": [asdict(r) for r in results],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
