"""Group near-duplicate images and matching faces into clusters, incrementally.

A cluster is a connected component of "within threshold" pairs; its id is its smallest
member key, so it is stable when unrelated images arrive and deterministic across
engines. Each run searches only the *new* items against an index of all items, and
existing clusters are kept whole (their members are unioned first), so a run costs
index build + one query per new item, not a full all-pairs pass.

Components chain (A near B near C although A is far from C). That is deliberate for
evidence: each link in the chain is a recorded match, and the linker's hub rules cap
any cluster that grows to join unrelated posts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from tracelight.link.unionfind import UnionFind
from tracelight.vision.face_index import build_face_index
from tracelight.vision.index import PdqIndex, hashes_to_array
from tracelight.vision.pdq import PDQ_MATCH_THRESHOLD


def _assign(
    keys: Sequence[str], current: Sequence[str | None], pairs: Iterable[tuple[int, int]]
) -> dict[str, str]:
    groups = UnionFind()
    for key in keys:
        groups.add(key)
    first_of: dict[str, str] = {}
    for key, cluster in zip(keys, current, strict=True):
        if cluster is not None:
            groups.union(first_of.setdefault(cluster, key), key)
    for a, b in pairs:
        groups.union(keys[a], keys[b])
    changes: dict[str, str] = {}
    for members in groups.groups().values():
        cluster_id = min(members)
        for key in members:
            changes[key] = cluster_id
    return {
        key: cid
        for key, cid, old in zip(keys, (changes[k] for k in keys), current, strict=True)
        if cid != old
    }


def image_clusters(
    items: Sequence[tuple[str, str, Sequence[str] | None, str | None]],
    radius: int = PDQ_MATCH_THRESHOLD,
) -> dict[str, str]:
    """``sha256 -> cluster`` for each image whose cluster changes.

    ``items`` are ``(sha256, pdq hex, dihedral hexes or None, current cluster)`` of every
    usable hash; those whose cluster is ``None`` have not been searched yet, and are
    searched with their hash and its 7 rotations and mirror images.
    """
    keys = [item[0] for item in items]
    if not keys:
        return {}
    index = PdqIndex(hashes_to_array([item[1] for item in items]))
    pairs: list[tuple[int, int]] = []
    for i, (_, pdq, dihedral, cluster) in enumerate(items):
        if cluster is not None:
            continue
        for query in (pdq, *(dihedral or ())):
            pairs.extend((i, j) for j, _ in index.search(query, radius) if j != i)
    return _assign(keys, [item[3] for item in items], pairs)


def face_clusters(
    keys: Sequence[str],
    vectors: np.ndarray,
    current: Sequence[str | None],
    threshold: float,
) -> dict[str, str]:
    """``face key -> cluster`` for each face whose cluster changes (same rules as images:
    faces whose ``current`` cluster is ``None`` are the ones searched)."""
    if not keys:
        return {}
    index = build_face_index(vectors)
    pairs = [
        (i, j)
        for i, cluster in enumerate(current)
        if cluster is None
        for j, _ in index.search(vectors[i], threshold)
        if j != i
    ]
    return _assign(list(keys), list(current), pairs)
