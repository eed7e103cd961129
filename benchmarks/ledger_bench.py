"""Ledger benchmark: batched appends per second, proof time at 1M (and 10M) leaves, bundle checks.

    python benchmarks/ledger_bench.py [--leaves 1000000] [--pg URL] [--out FILE]
        [--sqlite KEEP.db]

Appends go through :func:`tracelight.ledger.log.append` on a real SQLite file (and on
PostgreSQL when ``--pg`` is given), in batches of 10,000 leaves per transaction, the
way the pipeline calls it. Proof times are measured on the same store; each proof
reads O(log n) nodes, which is why they stay flat as the log grows. A 10M-leaf log
takes several minutes to fill: ``--sqlite`` keeps it so that proofs can be measured
again on a quiet machine without refilling.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine

from tracelight.ledger import bundle, log, merkle
from tracelight.ledger.evidence import Item, evidence_store, record
from tracelight.ledger.keys import SigningKey
from tracelight.ledger.verify import verify_bundle, verify_consistency, verify_inclusion
from tracelight.store.db import open_engine
from tracelight.store.migrate import upgrade

BATCH = 10_000


def _engine(url: str) -> Engine:
    engine = open_engine(url, migrate=False)
    upgrade(engine, "heads")
    return engine


def _batch(start: int, n: int) -> list[log.Leaf]:
    return [
        log.Leaf(
            "post",
            hashlib.sha256(str(start + i).encode()).hexdigest(),
            "bench",
            "org",
            "2026-01-01T00:00:00Z",
            f"p{start + i}",
        )
        for i in range(n)
    ]


def fill(engine: Engine, total: int) -> float:
    """Append leaves in batches until the log holds ``total``; return appends per second.

    The leaves are made before the clock starts (in the pipeline they already exist:
    the item hashes come from the evidence store), so the rate is the ledger's own:
    encoding, hashing, the tree's right edge and the writes, one transaction per batch.
    A store that already holds leaves (``--sqlite PATH`` kept from an earlier run) is
    only topped up; the rate then covers the leaves added.
    """
    with engine.connect() as conn:
        done = log.head(conn)[0]
    added = 0
    elapsed = 0.0
    while done < total:
        n = min(BATCH, total - done)
        leaves = _batch(done, n)
        started = time.perf_counter()
        with engine.begin() as conn:
            log.append(conn, leaves)
        elapsed += time.perf_counter() - started
        done += n
        added += n
    return added / elapsed if elapsed else float("nan")


def proof_times(engine: Engine, size: int, samples: int = 200) -> dict[str, float]:
    rng = random.Random(7)
    incl, cons = [], []
    with engine.connect() as conn:
        root = log.root_at(conn, size)
        for _ in range(samples):
            index = rng.randrange(size)
            t0 = time.perf_counter()
            proof = log.inclusion_proof(conn, index, size)
            incl.append(time.perf_counter() - t0)
            verify_inclusion(index, size, merkle.leaf_hash(log.leaf_at(conn, index)), proof, root)
            old = rng.randrange(1, size)
            t0 = time.perf_counter()
            cproof = log.consistency_proof(conn, old, size)
            cons.append(time.perf_counter() - t0)
            verify_consistency(old, size, cproof, log.root_at(conn, old), root)
    return {
        "inclusion_median_ms": statistics.median(incl) * 1000,
        "inclusion_p99_ms": sorted(incl)[int(len(incl) * 0.99) - 1] * 1000,
        "consistency_median_ms": statistics.median(cons) * 1000,
    }


def bundle_time(folder: Path, items: int) -> dict[str, float]:
    root = folder / "bundle-ws"
    engine = _engine(f"sqlite:///{root / 'store.db'}")
    key = SigningKey.generate("bench.example/log")
    payload = [Item(f"artifact {i} ".encode() * 50, "post", f"p{i}") for i in range(items)]
    with engine.begin() as conn:
        record(conn, evidence_store(root), payload, actor="bench")
    out = folder / "bench.zip"
    t0 = time.perf_counter()
    with engine.begin() as conn:
        bundle.export(conn, evidence_store(root), out, key=key)
    export_s = time.perf_counter() - t0
    engine.dispose()
    t0 = time.perf_counter()
    report = verify_bundle(out, [key.vkey])
    verify_s = time.perf_counter() - t0
    assert report.ok, report.failures
    return {"items": items, "export_s": export_s, "verify_s": verify_s}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--pg", help="PostgreSQL URL (a fresh, empty database)")
    parser.add_argument("--pg-leaves", type=int, default=200_000)
    parser.add_argument("--bundle-items", type=int, default=1000)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--sqlite",
        type=Path,
        help="keep the SQLite log in this file and reuse it (fill once, measure proofs later)",
    )
    args = parser.parse_args()
    results: dict[str, object] = {"load_average_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = _engine(f"sqlite:///{args.sqlite or folder / 'ledger.db'}")
        rate = fill(engine, args.leaves)
        results["sqlite"] = {
            "leaves": args.leaves,
            "appends_per_s": None if rate != rate else round(rate),  # NaN: nothing added
            **proof_times(engine, args.leaves),
            "load_average_after": os.getloadavg(),
        }
        engine.dispose()
        if args.pg:
            pg = _engine(args.pg)
            rate = fill(pg, args.pg_leaves)
            results["postgresql"] = {
                "leaves": args.pg_leaves,
                "appends_per_s": round(rate),
                **proof_times(pg, args.pg_leaves),
                "load_average_after": os.getloadavg(),
            }
            pg.dispose()
        results["bundle"] = bundle_time(folder, args.bundle_items)
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
