"""Search 128-d face encodings: exact with numpy, approximate (IVF) beyond a measured size.

Exact search is one matrix product per block of stored encodings and is the right
answer while it is fast enough. Beyond :data:`APPROX_MIN` encodings (measured by
``benchmarks/image_index_bench.py``: that is where an exact query passes ~20 ms on one
core) an inverted-file index is used instead: k-means cells over the encodings, and a
query scans only the ``nprobe`` nearest cells. It can miss a match that sits in an
unprobed cell; the benchmark reports its recall against exact search so the trade-off
is measured, not assumed. Pure numpy: no extra native dependency on analyst machines.
"""

from __future__ import annotations

import numpy as np

DIM = 128
APPROX_MIN = 200_000
BLOCK = 65_536


class ExactFaceIndex:
    """Brute-force range search; ids are row positions."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, DIM)
        self.norms = np.einsum("ij,ij->i", self.vectors, self.vectors)

    def __len__(self) -> int:
        return len(self.vectors)

    def search(self, query: np.ndarray, threshold: float) -> list[tuple[int, float]]:
        """``(id, distance)`` of every encoding within ``threshold``, nearest first."""
        return _range(self.vectors, self.norms, np.arange(len(self.vectors)), query, threshold)


class IvfFaceIndex:
    """Inverted-file index: encodings grouped by nearest k-means centroid."""

    def __init__(
        self, vectors: np.ndarray, *, cells: int | None = None, nprobe: int = 8, seed: int = 0
    ) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, DIM)
        self.norms = np.einsum("ij,ij->i", self.vectors, self.vectors)
        n = len(self.vectors)
        cells = cells or max(1, int(np.sqrt(n)))
        self.centroids = _kmeans(self.vectors, min(cells, n), seed=seed)
        assign = _nearest(self.vectors, self.centroids)
        self.order = np.argsort(assign, kind="stable")
        counts = np.bincount(assign, minlength=len(self.centroids))
        self.offsets = np.zeros(len(self.centroids) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.offsets[1:])
        self.nprobe = nprobe

    def __len__(self) -> int:
        return len(self.vectors)

    def search(self, query: np.ndarray, threshold: float) -> list[tuple[int, float]]:
        q = np.asarray(query, dtype=np.float32).reshape(DIM)
        d = ((self.centroids - q) ** 2).sum(axis=1)
        probe = np.argsort(d)[: self.nprobe]
        ids = np.concatenate(
            [self.order[self.offsets[c] : self.offsets[c + 1]] for c in probe.tolist()]
        )
        return _range(self.vectors[ids], self.norms[ids], ids, q, threshold)


FaceIndex = ExactFaceIndex | IvfFaceIndex


def build_face_index(vectors: np.ndarray, *, approx_min: int = APPROX_MIN) -> FaceIndex:
    """Exact below ``approx_min`` encodings, IVF from there on."""
    if len(vectors) < approx_min:
        return ExactFaceIndex(vectors)
    return IvfFaceIndex(vectors)


def _range(
    vectors: np.ndarray, norms: np.ndarray, ids: np.ndarray, query: np.ndarray, threshold: float
) -> list[tuple[int, float]]:
    q = np.asarray(query, dtype=np.float32).reshape(DIM)
    qn = float(q @ q)
    limit = threshold * threshold
    hits: list[tuple[float, int]] = []
    for start in range(0, len(vectors), BLOCK):
        block = vectors[start : start + BLOCK]
        squared = norms[start : start + BLOCK] + qn - 2.0 * (block @ q)
        keep = np.flatnonzero(squared <= limit + 1e-5)
        for k in keep.tolist():
            hits.append((float(np.sqrt(max(squared[k], 0.0))), int(ids[start + k])))
    hits.sort()
    return [(i, d) for d, i in hits if d <= threshold]


def _nearest(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    cn = np.einsum("ij,ij->i", centroids, centroids)
    out = np.empty(len(vectors), dtype=np.int64)
    for start in range(0, len(vectors), BLOCK):
        block = vectors[start : start + BLOCK]
        out[start : start + BLOCK] = np.argmin(cn[None, :] - 2.0 * (block @ centroids.T), axis=1)
    return out


def _kmeans(vectors: np.ndarray, k: int, *, seed: int, iterations: int = 8) -> np.ndarray:
    """Plain Lloyd k-means on a sample: good enough cells for an inverted file."""
    rng = np.random.default_rng(seed)
    sample = vectors[rng.choice(len(vectors), size=min(len(vectors), 32 * k), replace=False)]
    centroids = sample[rng.choice(len(sample), size=k, replace=False)].copy()
    for _ in range(iterations):
        assign = _nearest(sample, centroids)
        sums = np.zeros_like(centroids)
        np.add.at(sums, assign, sample)
        counts = np.bincount(assign, minlength=k)
        filled = counts > 0
        centroids[filled] = sums[filled] / counts[filled, None]
    return centroids
