"""Load benchmark of the web app: search and network pages on a store of 1M posts.

Run on demand (not part of the test suite)::

    .venv/bin/python benchmarks/web_bench.py [--store DIR] [--posts 1000000] \
        [--concurrency 50] [--think S] [--workers N] [--duration 60] [--db URL] [--json OUT]

1. **The store.** The full pipeline at a million posts takes hours on a small machine,
   so a seed corpus (``--seed-posts``, 10,000 by default) is generated with
   :func:`tracelight.synth.generate_corpus` and run through the real pipeline (ingest,
   analyze): real ad text, mentions, selectors, networks with their evidence and
   profiles. It is then replicated through the store's own schema (SQLAlchemy Core
   inserts into ``posts``, ``post_orgs``, ``mentions``, ``selectors``, ``links``,
   ``networks``, ``network_posts``, ``network_selectors``, ``network_evidence``,
   ``network_profiles``, ``network_risk``) until the store holds ``--posts`` posts: each
   copy gets new post, selector and network ids, selector values of its own (so copies
   never merge into one network) and dates shifted back by a week per copy. The
   full-text index (FTS5 on SQLite, the generated ``tsvector`` on PostgreSQL) is filled
   by the database as for any insert. Every post belongs to the organisation
   ``bench``; every fifth copy also to ``peer``, so the ownership join has foreign rows
   to skip. ``--store`` keeps
   the workspace: a second run reuses it (``web-bench.json`` says what it holds).
2. **The server** is ``tracelight serve`` itself, in a subprocess on 127.0.0.1
   (``--workers N``: ``serve --workers N``, N server processes).
3. **The users.** ``--users`` accounts of ``bench`` (analysts) sign in through the login
   form; each client keeps one session.
4. **The load.** ``--concurrency`` clients (asyncio + httpx), closed loop with no think
   time unless ``--think`` is given: each sends its next request as soon as the last
   answer is read, so ``--concurrency`` requests are in flight at every moment. Each
   request is a search page (a query drawn from the seed corpus's own words: single
   words, two words, phrases, ``OR``, ``-excluded``; half with a country, source or
   date filter) or a network page (a random network of the store, one in ten among the
   100 largest). After ``--warmup`` seconds the clock starts; ``--duration`` seconds later
   it stops. Latency is from sending the request to having read the whole answer.
5. **Single-client probes** of the other pages (triage queue, post page, JSON search) and
   of a search alone: what one analyst sees on an idle server.

Reported per page kind: requests, requests/s, p50/p95/p99/max latency, errors; the
server's peak RSS (``VmHWM``, summed over its processes); its CPU seconds (user + system,
all its processes) from the end of the sign-ins to the last answer, and that divided by
the requests answered in that time (warm-up included): CPU milliseconds per request, the
figure that stays comparable when other jobs share the machine; the machine's load
average before and after. The latencies depend on the machine and on what else runs on
it: report the load with them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, Table, func, insert, select

from tracelight.store import repository as repo
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace

BENCH_ORG = "bench"
PEER_ORG = "peer"
PASSWORD = "bench password, long enough"
MARKER = "web-bench.json"
DEFAULT_STORE = Path("/tmp/tracelight-web-bench")
_WORD = re.compile(r"[^\W\d_]{4,}")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- building the store ----------------------------------------------------------------


def build_seed(folder: Path, posts: int, seed: int) -> Workspace:
    """A real pipeline run over a generated corpus: the rows every copy is made from."""
    from tracelight.pipeline.analyze import analyze
    from tracelight.pipeline.engine import make_engine
    from tracelight.pipeline.ingest import ingest_sources
    from tracelight.synth import generate_corpus

    workspace = Workspace.resolve(folder / "ws")
    done = folder / "done"
    if done.exists():
        return workspace
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    generate_corpus(folder / "corpus", posts, seed, max_images=0)
    ingest_sources(workspace, [folder / "corpus" / "posts.jsonl"])
    analyze(workspace, make_engine("serial"))
    done.write_text("ok\n")
    log(f"seed: {posts:,} posts through the pipeline in {time.perf_counter() - started:.0f}s")
    return workspace


@dataclass
class Seed:
    """The seed store's rows, read once, by table."""

    rows: dict[str, list[dict[str, Any]]]
    selector_span: int

    @classmethod
    def read(cls, engine: Engine) -> Seed:
        tables = INSERT_ORDER
        with engine.connect() as conn:
            rows = {
                table.name: [dict(r._mapping) for r in conn.execute(select(table))]
                for table in tables
            }
            span = int(conn.scalar(select(func.max(t.selectors.c.id))) or 0) + 1
        return cls(rows, span)


def _post_id(copy: int, post_id: str) -> str:
    """Ids stay 32 characters; the copy number replaces the first four hex digits."""
    return f"{copy:04x}{post_id[4:]}"


def _network_id(copy: int, network_id: str) -> str:
    """Network ids are ``N`` and 15 hex digits; the copy number replaces four of them."""
    return f"{network_id[0]}{copy:04x}{network_id[5:]}"


def _value(copy: int, value: str) -> str:
    return value if copy == 0 else f"{value}~{copy}"


def copy_rows(seed: Seed, copy: int) -> dict[str, list[dict[str, Any]]]:
    """Copy ``copy`` of every seed row, with ids and selector values of its own."""
    shift = timedelta(days=7 * copy)
    out: dict[str, list[dict[str, Any]]] = {}
    posts = []
    for row in seed.rows["posts"]:
        new = {k: v for k, v in row.items() if k not in {"seq", "ingest_run_id", "search"}}
        new["id"] = _post_id(copy, row["id"])
        new["external_id"] = f"{row['external_id']}-{copy}" if row["external_id"] else None
        new["url"] = f"{row['url']}?copy={copy}" if row["url"] else None
        for key in ("posted_at", "collected_at"):
            if new[key] is not None:
                new[key] = new[key] - shift
        posts.append(new)
    out["posts"] = posts
    out["mentions"] = [
        {**{k: v for k, v in m.items() if k != "id"}, "post_id": _post_id(copy, m["post_id"]),
         "value": _value(copy, m["value"])}
        for m in seed.rows["mentions"]
    ]  # fmt: skip
    base = copy * seed.selector_span
    out["selectors"] = [
        {**s, "id": base + s["id"], "value": _value(copy, s["value"])}
        for s in seed.rows["selectors"]
    ]
    out["links"] = [
        {**{k: v for k, v in link.items() if k != "id"},
         "post_id": _post_id(copy, link["post_id"]), "selector_id": base + link["selector_id"]}
        for link in seed.rows["links"]
    ]  # fmt: skip
    out["networks"] = [
        {
            **n,
            "id": _network_id(copy, n["id"]),
            "run_id": None,
            "first_seen": n["first_seen"] - shift if n["first_seen"] else None,
            "last_seen": n["last_seen"] - shift if n["last_seen"] else None,
        }
        for n in seed.rows["networks"]
    ]
    out["network_posts"] = [
        {"network_id": _network_id(copy, m["network_id"]), "post_id": _post_id(copy, m["post_id"])}
        for m in seed.rows["network_posts"]
    ]
    out["network_selectors"] = [
        {"network_id": _network_id(copy, m["network_id"]), "selector_id": base + m["selector_id"]}
        for m in seed.rows["network_selectors"]
    ]
    out["network_evidence"] = [
        {**{k: v for k, v in e.items() if k != "id"},
         "network_id": _network_id(copy, e["network_id"]), "value": _value(copy, e["value"]),
         "post_a": _post_id(copy, e["post_a"]), "post_b": _post_id(copy, e["post_b"])}
        for e in seed.rows["network_evidence"]
    ]  # fmt: skip
    out["network_profiles"] = [
        {**p, "network_id": _network_id(copy, p["network_id"])}
        for p in seed.rows["network_profiles"]
    ]
    out["network_risk"] = [
        {**r, "network_id": _network_id(copy, r["network_id"]), "run_id": None}
        for r in seed.rows["network_risk"]
    ]
    return out


INSERT_ORDER: tuple[Table, ...] = (
    t.posts,
    t.mentions,
    t.selectors,
    t.links,
    t.networks,
    t.network_posts,
    t.network_selectors,
    t.network_evidence,
    t.network_profiles,
    t.network_risk,
)


def _chunks(rows: Sequence[dict[str, Any]], size: int = 2000) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def build_store(workspace: Workspace, db_url: str, posts: int, seed: Seed) -> dict[str, Any]:
    """Fill the store with copies of the seed until it holds ``posts`` posts."""
    per_copy = len(seed.rows["posts"])
    copies = max(1, -(-posts // per_copy))
    engine = open_engine(db_url)
    started = time.perf_counter()
    try:
        with engine.begin() as conn:
            bench = repo.get_or_create_org(conn, BENCH_ORG)
            peer = repo.get_or_create_org(conn, PEER_ORG)
        for copy in range(copies):
            rows = copy_rows(seed, copy)
            if copy == copies - 1 and copies * per_copy > posts:
                keep = posts - copy * per_copy
                rows = _trim(rows, keep)
            with engine.begin() as conn:
                for table in INSERT_ORDER:
                    for chunk in _chunks(rows[table.name]):
                        conn.execute(insert(table), list(chunk))
                ids = [p["id"] for p in rows["posts"]]
                repo.tag_posts_org(conn, ids, bench)
                if copy % 5 == 0:
                    repo.tag_posts_org(conn, ids, peer)
            if copy % 10 == 9 or copy == copies - 1:
                rate = (copy + 1) * per_copy / (time.perf_counter() - started)
                log(f"store: {copy + 1}/{copies} copies ({rate:,.0f} posts/s)")
        if engine.dialect.name == "postgresql":
            # What autovacuum would do shortly after a bulk load: planner statistics.
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        with engine.connect() as conn:
            counts = {
                table.name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
                for table in (*INSERT_ORDER, t.post_orgs)
            }
    finally:
        engine.dispose()
    return {"copies": copies, "seconds": round(time.perf_counter() - started, 1), "rows": counts}


def _trim(rows: dict[str, list[dict[str, Any]]], keep: int) -> dict[str, list[dict[str, Any]]]:
    """The last copy, cut to ``keep`` posts, with only the rows of those posts."""
    posts = rows["posts"][:keep]
    kept = {p["id"] for p in posts}
    networks = {m["network_id"] for m in rows["network_posts"] if m["post_id"] in kept}
    networks -= {m["network_id"] for m in rows["network_posts"] if m["post_id"] not in kept}
    selectors = {link["selector_id"] for link in rows["links"] if link["post_id"] in kept}
    return {
        "posts": posts,
        "mentions": [m for m in rows["mentions"] if m["post_id"] in kept],
        "selectors": [s for s in rows["selectors"] if s["id"] in selectors],
        "links": [link for link in rows["links"] if link["post_id"] in kept],
        "networks": [n for n in rows["networks"] if n["id"] in networks],
        "network_posts": [m for m in rows["network_posts"] if m["network_id"] in networks],
        "network_selectors": [
            m
            for m in rows["network_selectors"]
            if m["network_id"] in networks and m["selector_id"] in selectors
        ],
        "network_evidence": [e for e in rows["network_evidence"] if e["network_id"] in networks],
        "network_profiles": [p for p in rows["network_profiles"] if p["network_id"] in networks],
        "network_risk": [r for r in rows["network_risk"] if r["network_id"] in networks],
    }


def ensure_users(db_url: str, count: int) -> list[str]:
    """``count`` analysts of the bench organisation (made once; Argon2 is slow on purpose)."""
    from tracelight.web import accounts

    names = [f"bench-{i:03d}" for i in range(count)]
    engine = open_engine(db_url)
    try:
        with engine.begin() as conn:
            for name in names:
                if repo.user_by_username(conn, name) is None:
                    accounts.add_user(conn, BENCH_ORG, "analyst", name, PASSWORD)
    finally:
        engine.dispose()
    return names


# -- what to ask for -------------------------------------------------------------------


@dataclass
class Workload:
    """Search queries and network ids to draw requests from, made from the store itself."""

    queries: list[dict[str, str]]
    networks: list[str]
    big_networks: list[str]
    posts: list[str]

    @classmethod
    def make(cls, seed: Seed, db_url: str, rng: random.Random, size: int = 2000) -> Workload:
        texts = [f"{p['title'] or ''} {p['body'] or ''}" for p in seed.rows["posts"]]
        sources = sorted({p["source"] for p in seed.rows["posts"]})
        countries = sorted({p["country"] for p in seed.rows["posts"] if p["country"]})
        dates = sorted(p["posted_at"] for p in seed.rows["posts"] if p["posted_at"])
        queries = [cls._query(rng, texts, sources, countries, dates) for _ in range(size)]
        engine = open_engine(db_url, migrate=False)
        try:
            with engine.connect() as conn:
                networks = list(conn.scalars(select(t.networks.c.id).where(t.networks.c.size >= 2)))
                big = list(
                    conn.scalars(
                        select(t.networks.c.id).order_by(t.networks.c.size.desc()).limit(100)
                    )
                )
                posts = _sample_posts(conn, rng, 500)
        finally:
            engine.dispose()
        return cls(queries, networks, big, posts)

    @staticmethod
    def _query(
        rng: random.Random,
        texts: list[str],
        sources: list[str],
        countries: list[str],
        dates: list[Any],
    ) -> dict[str, str]:
        words = _WORD.findall(rng.choice(texts)) or ["massage"]
        other = _WORD.findall(rng.choice(texts)) or ["escort"]
        shape = rng.random()
        if shape < 0.35:
            q = rng.choice(words)
        elif shape < 0.6:
            q = " ".join(rng.sample(words, min(2, len(words))))
        elif shape < 0.75:
            start = rng.randrange(len(words))
            q = '"' + " ".join(words[start : start + 2]) + '"'
        elif shape < 0.9:
            q = f"{rng.choice(words)} OR {rng.choice(other)}"
        else:
            q = f"{rng.choice(words)} -{rng.choice(other)}"
        params = {"q": q}
        pick = rng.random()
        if pick < 0.2:
            params["country"] = rng.choice(countries)
        elif pick < 0.35:
            params["source"] = rng.choice(sources)
        elif pick < 0.5:
            first = rng.choice(dates)
            params["since"] = (first - timedelta(days=rng.randrange(30, 400))).date().isoformat()
            params["until"] = first.date().isoformat()
        return params

    def request(self, kind: str, rng: random.Random) -> tuple[str, dict[str, str]]:
        if kind == "search":
            return "/search", rng.choice(self.queries)
        if kind == "network":
            pool = self.big_networks if rng.random() < 0.1 else self.networks
            return f"/networks/{rng.choice(pool)}", {}
        raise ValueError(kind)


def _sample_posts(conn: Connection, rng: random.Random, count: int) -> list[str]:
    top = int(conn.scalar(select(func.max(t.posts.c.seq))) or 0)
    picks = [rng.randint(1, top) for _ in range(count)]
    return list(conn.scalars(select(t.posts.c.id).where(t.posts.c.seq.in_(picks))))


# -- the server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``tracelight serve`` in a subprocess (``--workers`` processes), and what its
    process tree used: memory high-water marks and CPU seconds."""

    def __init__(self, workspace: Workspace, db: str | None, port: int, workers: int = 1) -> None:
        command = [
            str(Path(sys.executable).with_name("tracelight")),
            "serve",
            "--workspace",
            str(workspace.root),
            "--port",
            str(port),
        ]
        if workers != 1:
            command += ["--workers", str(workers)]
        if db:
            command += ["--db", db]
        self.base = f"http://127.0.0.1:{port}"
        self.log = (workspace.root / "web-bench-server.log").open("w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: see {self.log.name}")
            try:
                if httpx.get(self.base + "/login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.5)
        raise RuntimeError("the server did not answer within 120 s")

    def pids(self) -> list[int]:
        """The server process and, with ``--workers`` > 1, its worker processes."""
        found = [self.process.pid]
        for pid in found:
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    children = (task / "children").read_text().split()
                    found.extend(int(c) for c in children if int(c) not in found)
            except OSError:
                continue
        return found

    def peak_rss_mib(self) -> float | None:
        """The sum of the processes' ``VmHWM`` (each one's own peak)."""
        total = 0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            found = re.search(r"VmHWM:\s+(\d+) kB", status)
            total += int(found.group(1)) if found else 0
        return total / 1024 if total else None

    def cpu_seconds(self) -> float:
        """User + system CPU seconds used so far by the server's processes."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# -- the load --------------------------------------------------------------------------


@dataclass
class Samples:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    answered: int = 0
    """Every request answered after the sign-ins, warm-up included (for CPU per request)."""

    def add(self, kind: str, seconds: float, status: int) -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        self.statuses.setdefault(kind, {}).setdefault(status, 0)
        self.statuses[kind][status] += 1
        if status != 200:
            self.errors[kind] = self.errors.get(kind, 0) + 1


async def sign_in(client: httpx.AsyncClient, username: str) -> None:
    page = await client.get("/login")
    token = _CSRF.search(page.text)
    assert token is not None, "no CSRF token on the login page"
    answer = await client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in of {username} failed: {answer.status_code}")


async def fetch(client: httpx.AsyncClient, path: str, params: dict[str, str]) -> int:
    """The answer's status. A kept-alive connection that the server closed while the
    client was thinking (uvicorn drops idle ones after 5 s) is opened again once, as a
    browser does; a second failure counts as an error (status 599)."""
    for attempt in range(2):
        try:
            return (await client.get(path, params=params)).status_code
        except httpx.TransportError:
            if attempt:
                return 599
    return 599


async def drive(
    base: str,
    users: list[str],
    workload: Workload,
    kinds: Sequence[str],
    concurrency: int,
    warmup: float,
    duration: float,
    think: float,
    seed: int,
    on_start: Callable[[], None] | None = None,
) -> tuple[Samples, float]:
    """Closed-loop clients; returns the samples taken after the warm-up and the seconds.
    ``on_start`` runs once every client has signed in, as the warm-up begins."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(base_url=base, timeout=120, limits=limits) for _ in range(concurrency)
    ]
    samples = Samples()
    try:
        await asyncio.gather(*(sign_in(c, users[i % len(users)]) for i, c in enumerate(clients)))
        if on_start is not None:
            on_start()
        loop = asyncio.get_running_loop()
        start = loop.time() + warmup
        stop = start + duration

        async def client_loop(index: int, client: httpx.AsyncClient) -> None:
            rng = random.Random(seed * 1000 + index)
            while loop.time() < stop:
                kind = kinds[rng.randrange(len(kinds))]
                path, params = workload.request(kind, rng)
                asked = loop.time()
                sent = time.perf_counter()
                status = await fetch(client, path, params)
                elapsed = time.perf_counter() - sent
                samples.answered += 1
                if start <= asked < stop:
                    samples.add(kind, elapsed, status)
                if think:
                    await asyncio.sleep(rng.expovariate(1 / think))

        await asyncio.gather(*(client_loop(i, c) for i, c in enumerate(clients)))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return samples, duration


async def probe(
    base: str, user: str, paths: list[tuple[str, str, dict[str, str]]], repeat: int
) -> Samples:
    """One client alone: the latency of each page with nobody else asking."""
    samples = Samples()
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        await sign_in(client, user)
        for _ in range(repeat):
            for kind, path, params in paths:
                sent = time.perf_counter()
                response = await client.get(path, params=params)
                samples.add(kind, time.perf_counter() - sent, response.status_code)
    return samples


def summarise(samples: Samples, seconds: float | None) -> list[dict[str, Any]]:
    rows = []
    for kind, values in sorted(samples.latencies.items()):
        ordered = sorted(values)

        def pct(p: float, ordered: list[float] = ordered) -> float:
            return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

        rows.append(
            {
                "kind": kind,
                "requests": len(values),
                "per_second": round(len(values) / seconds, 1) if seconds else None,
                "p50_ms": round(pct(50), 1),
                "p95_ms": round(pct(95), 1),
                "p99_ms": round(pct(99), 1),
                "max_ms": round(ordered[-1] * 1000, 1),
                "mean_ms": round(statistics.fmean(values) * 1000, 1),
                "errors": samples.errors.get(kind, 0),
                "statuses": samples.statuses.get(kind, {}),
            }
        )
    return rows


def markdown(title: str, rows: list[dict[str, Any]]) -> str:
    lines = [
        f"### {title}",
        "",
        "| page | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        rate = "" if r["per_second"] is None else f"{r['per_second']:,}"
        lines.append(
            f"| {r['kind']} | {r['requests']:,} | {rate} | {r['p50_ms']:,} | {r['p95_ms']:,} "
            f"| {r['p99_ms']:,} | {r['max_ms']:,} | {r['errors']} |"
        )
    return "\n".join(lines)


# -- main ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--store", type=Path, default=DEFAULT_STORE, help="workspace to build or reuse"
    )
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--seed-posts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--db", default=None, help="a postgresql:// URL (default: the workspace's SQLite)"
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--think", type=float, default=0.0, help="mean think time per client, s")
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--kinds", default="search,network")
    parser.add_argument("--probe-repeat", type=int, default=5)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    args.store.mkdir(parents=True, exist_ok=True)
    workspace = Workspace.resolve(args.store)
    db_url = args.db or workspace.db_url
    marker = args.store / MARKER
    seed_ws = build_seed(args.store / "seed", args.seed_posts, args.seed)
    seed_engine = open_engine(seed_ws.db_url)
    try:
        seed = Seed.read(seed_engine)
    finally:
        seed_engine.dispose()
    built = json.loads(marker.read_text()) if marker.exists() else None
    if built is None or built.get("posts") != args.posts or built.get("db") != db_url:
        if built is not None:
            raise SystemExit(f"{args.store} holds another store ({built}): use a new --store")
        log(f"store: building {args.posts:,} posts in {db_url}")
        built = {
            "posts": args.posts,
            "db": db_url,
            **build_store(workspace, db_url, args.posts, seed),
        }
        marker.write_text(json.dumps(built, indent=2))
        log(f"store: built in {built['seconds']}s: {built['rows']}")
    if args.build_only:
        return 0
    users = ensure_users(db_url, args.users)
    rng = random.Random(args.seed)
    workload = Workload.make(seed, db_url, rng)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    load_before = os.getloadavg()
    server = Server(workspace, args.db, free_port(), args.workers)
    try:
        probe_paths = [
            ("search (alone)", "/search", workload.queries[0]),
            ("network (alone)", f"/networks/{workload.networks[0]}", {}),
            ("triage (alone)", "/triage", {}),
            ("post (alone)", f"/posts/{workload.posts[0]}", {}),
            ("api search (alone)", "/api/v1/search", workload.queries[1]),
        ]
        log("probing each page with one client")
        alone = summarise(
            asyncio.run(probe(server.base, users[0], probe_paths, args.probe_repeat)), None
        )
        log(
            f"load: {args.concurrency} clients for {args.duration:.0f}s "
            f"after a {args.warmup:.0f}s warm-up"
        )
        cpu_start: list[float] = []
        samples, seconds = asyncio.run(
            drive(server.base, users, workload, kinds, args.concurrency, args.warmup,
                  args.duration, args.think, args.seed,
                  on_start=lambda: cpu_start.append(server.cpu_seconds()))
        )  # fmt: skip
        load_after = os.getloadavg()
        # From the end of the sign-ins (Argon2 is slow on purpose) to the last answer.
        cpu = server.cpu_seconds() - cpu_start[0]
        loaded = summarise(samples, seconds)
        total = sum(r["requests"] for r in loaded)
        peak = server.peak_rss_mib()
    finally:
        server.stop()
    result = {
        "store": built,
        "db": "postgresql" if args.db else "sqlite",
        "concurrency": args.concurrency,
        "think_s": args.think,
        "workers": args.workers,
        "server_cpu_s": round(cpu, 1),
        "server_cpu_ms_per_request": (
            round(cpu * 1000 / samples.answered, 1) if samples.answered else None
        ),
        "duration_s": seconds,
        "users": len(users),
        "requests_per_second": round(total / seconds, 1),
        "loaded": loaded,
        "alone": alone,
        "server_peak_rss_mib": round(peak, 1) if peak else None,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    print(markdown(
        f"{args.posts:,} posts, {result['db']}, {args.concurrency} concurrent clients "
        f"(think {args.think}s), {args.workers} server process"
        f"{'' if args.workers == 1 else 'es'}, {seconds:.0f}s",
        loaded,
    ))  # fmt: skip
    print()
    print(markdown("one client alone", alone))
    print()
    print(
        f"total {result['requests_per_second']} req/s; server ({args.workers} process"
        f"{'' if args.workers == 1 else 'es'}) CPU {result['server_cpu_s']} s, "
        f"{result['server_cpu_ms_per_request']} ms per request; peak RSS "
        f"{result['server_peak_rss_mib']} MiB; load avg before {result['load_before']}, "
        f"after {result['load_after']} on {os.cpu_count()} CPUs"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
