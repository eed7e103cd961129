"""Vision speed: images hashed per second, faces encoded per second, and search latency.

    .venv/bin/python benchmarks/image_index_bench.py [--sizes 100000 1000000] [--json OUT]

* **hashing**: generated 1024x768 JPEG photos through the whole intake path
  (:func:`decode_image` with its limits, then PDQ with the dihedral hashes).
* **faces**: face images from ``../shared/data/face_identity_images`` (skipped when the
  data or the models are absent), detection + landmarks + 128-d encoding.
* **PDQ index**: synthetic random 256-bit hashes (PDQ bits are close to uniform by
  design) with planted near-duplicates; multi-index query time at radius 31 against a
  numpy full scan, and the hits compared with the scan.
* **face index**: synthetic 128-d encodings (identities with small per-photo noise, as
  dlib's encoder spreads people); exact numpy search, and the IVF index with its recall
  against exact search. Where exact search passes ~20 ms per query is the size beyond
  which ``build_face_index`` switches to IVF (``APPROX_MIN``).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from tracelight.vision.decode import Decoded, decode_image
from tracelight.vision.face_index import ExactFaceIndex, IvfFaceIndex
from tracelight.vision.index import PdqIndex, brute_force
from tracelight.vision.pdq import pdq_hash

HERE = Path(__file__).resolve().parent
FACE_DATA = HERE.parents[1] / "shared" / "data" / "face_identity_images"


def _photo(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    coarse = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8), "RGB")
    detail = Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8), "RGB")
    size = (1024, 768)
    image = Image.blend(coarse.resize(size, Image.Resampling.BICUBIC), detail.resize(size), 0.3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def bench_hashing(count: int = 40) -> dict[str, Any]:
    blobs = [_photo(i) for i in range(count)]
    start = time.perf_counter()
    for data in blobs:
        decoded = decode_image(data)
        assert isinstance(decoded, Decoded)
        pdq_hash(decoded.image, dihedral=True)
    seconds = time.perf_counter() - start
    return {"images": count, "size": "1024x768 JPEG", "images_per_s": round(count / seconds, 1)}


def bench_faces() -> dict[str, Any] | None:
    folder = FACE_DATA / "face_recognition_examples" / "images"
    if not folder.is_dir():
        return None
    try:
        from tracelight.vision.faces import FaceModelsMissing, default_encoder

        start = time.perf_counter()
        encoder = default_encoder()
        load = time.perf_counter() - start
    except (ImportError, FaceModelsMissing):
        return None
    paths = sorted(folder.iterdir())[:8]
    faces = 0
    start = time.perf_counter()
    for path in paths:
        decoded = decode_image(path.read_bytes(), name=path.name)
        if isinstance(decoded, Decoded):
            faces += len(encoder.encode(decoded.image))
    seconds = time.perf_counter() - start
    return {
        "model_load_s": round(load, 2),
        "images": len(paths),
        "faces": faces,
        "images_per_s": round(len(paths) / seconds, 2),
        "faces_per_s": round(faces / seconds, 2),
    }


def _timed(fn: Any, queries: list[Any]) -> tuple[float, list[Any]]:
    out = []
    times = []
    for q in queries:
        start = time.perf_counter()
        out.append(fn(q))
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, out


def bench_pdq(n: int, rng: np.random.Generator) -> dict[str, Any]:
    words = rng.integers(0, 2**64 - 1, size=(n, 4), dtype=np.uint64, endpoint=True)
    queries = []
    for k in range(50):
        q = words[int(rng.integers(0, n))].copy()
        for bit in rng.choice(256, size=int(rng.integers(0, 32)), replace=False):
            q[bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
        queries.append(q if k % 5 else rng.integers(0, 2**63, size=4, dtype=np.uint64))
    start = time.perf_counter()
    index = PdqIndex(words)
    build = time.perf_counter() - start
    mih_ms, mih = _timed(lambda q: index.search(q, 31), queries)
    scan_ms, scan = _timed(lambda q: brute_force(words, q, 31), queries[:10])
    return {
        "hashes": n,
        "build_s": round(build, 2),
        "query_ms_median": round(mih_ms, 3),
        "full_scan_ms_median": round(scan_ms, 2),
        "same_hits_as_scan": mih[:10] == scan,
        "queries_with_hits": sum(bool(h) for h in mih),
    }


def bench_faces_index(n: int, rng: np.random.Generator) -> dict[str, Any]:
    people = max(1, n // 4)
    centres = rng.normal(size=(people, 128)).astype(np.float32) * 0.09
    vectors = centres[rng.integers(0, people, size=n)]
    vectors += rng.normal(size=vectors.shape).astype(np.float32) * 0.025
    queries = [vectors[int(rng.integers(0, n))] for _ in range(30)]
    exact = ExactFaceIndex(vectors)
    exact_ms, exact_hits = _timed(lambda q: exact.search(q, 0.45), queries)
    start = time.perf_counter()
    ivf = IvfFaceIndex(vectors)
    build = time.perf_counter() - start
    ivf_ms, ivf_hits = _timed(lambda q: ivf.search(q, 0.45), queries)
    pairs = zip(exact_hits, ivf_hits, strict=True)
    found = sum(len({i for i, _ in a} & {i for i, _ in b}) for a, b in pairs)
    total = sum(len(a) for a in exact_hits)
    return {
        "encodings": n,
        "exact_query_ms_median": round(exact_ms, 2),
        "ivf_build_s": round(build, 1),
        "ivf_cells": len(ivf.centroids),
        "ivf_nprobe": ivf.nprobe,
        "ivf_query_ms_median": round(ivf_ms, 2),
        "ivf_recall_vs_exact": round(found / max(total, 1), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(7)
    report: dict[str, Any] = {"hashing": bench_hashing(), "faces": bench_faces()}
    print(json.dumps(report), file=sys.stderr)
    report["pdq_index"] = [bench_pdq(n, rng) for n in args.sizes]
    print(json.dumps(report["pdq_index"]), file=sys.stderr)
    report["face_index"] = [bench_faces_index(n, rng) for n in args.sizes]
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
