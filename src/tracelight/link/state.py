"""What the graph stage of linking keeps between runs, so a batch redoes only what it touched.

Kept beside the near-duplicate index (:mod:`tracelight.link.index`), for the posts it
covers: every selector (key, posts, weight, hub verdict, cohesion), the links clustering
used, the network of every post and the links that explain each network. A batch then
only adds its posts to the selectors they carry, re-assesses those selectors, and
re-clusters the groups whose links changed; everything else is read back as stored.

Selector keys are kept as one UTF-8 buffer with offsets and a 64-bit hash per key, so a
batch finds its selectors by binary search without rebuilding a dictionary of a million
keys; a hash match is always confirmed on the key itself.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tracelight.link.cluster import F64, I64, Edges
from tracelight.model import SelectorKey

HUB_REASONS: tuple[str | None, ...] = (None, "degree", "diverse", "placeholder")
"""Hub verdicts by code (``0``: not a hub)."""

_SEP = "\x1f"
_P = np.uint64(0x100000001B3)
_M = np.uint64(0x9E3779B97F4A7C15)


def _hash_blob(blob: npt.NDArray[np.uint8], offsets: I64) -> npt.NDArray[np.uint64]:
    """A 64-bit polynomial hash of every key in the buffer, vectorised (no per-key loop)."""
    count = len(offsets) - 1
    if count == 0:
        return np.zeros(0, dtype=np.uint64)
    lens = np.diff(offsets)
    longest = int(lens.max())
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(max(longest, 1), _P, dtype=np.uint64), dtype=np.uint64)
        pos = np.arange(len(blob), dtype=np.int64) - np.repeat(offsets[:-1], lens)
        terms = (blob.astype(np.uint64) + np.uint64(1)) * powers[pos]
        h = np.add.reduceat(terms, offsets[:-1].astype(np.intp)) if len(blob) else terms
        h = np.asarray(h, dtype=np.uint64) ^ (lens.astype(np.uint64) * _M)
        h ^= h >> np.uint64(31)
        h *= _M
        h ^= h >> np.uint64(29)
    return np.asarray(h, dtype=np.uint64)


def _encode(keys: list[SelectorKey]) -> tuple[npt.NDArray[np.uint8], I64]:
    parts = [f"{kind}{_SEP}{value}".encode() for kind, value in keys]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    if parts:
        np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)), out=offsets[1:])
    blob = np.frombuffer(b"".join(parts), dtype=np.uint8).copy()
    return blob, offsets


class KeyTable:
    """Selector keys by id, found by hash."""

    __slots__ = ("_blob", "_cache", "_hashes", "_offsets", "_order", "_sorted")

    def __init__(
        self,
        blob: npt.NDArray[np.uint8],
        offsets: I64,
        hashes: npt.NDArray[np.uint64] | None = None,
        cache: list[SelectorKey] | None = None,
    ) -> None:
        self._blob = blob
        self._offsets = offsets
        self._hashes = _hash_blob(blob, offsets) if hashes is None else hashes
        self._order = np.argsort(self._hashes, kind="stable")
        self._sorted = self._hashes[self._order]
        self._cache = cache

    @classmethod
    def of(cls, keys: list[SelectorKey]) -> KeyTable:
        blob, offsets = _encode(keys)
        return cls(blob, offsets, cache=list(keys))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: int) -> SelectorKey:
        if self._cache is not None:
            return self._cache[i]
        raw = self._blob[self._offsets[i] : self._offsets[i + 1]].tobytes().decode()
        kind, value = raw.split(_SEP, 1)
        return kind, value

    def find(self, keys: list[SelectorKey]) -> I64:
        """Id of every key, ``-1`` where the table does not hold it."""
        out = np.full(len(keys), -1, dtype=np.int64)
        if not keys or len(self) == 0:
            return out
        blob, offsets = _encode(keys)
        wanted = _hash_blob(blob, offsets)
        lo = np.searchsorted(self._sorted, wanted, side="left")
        hi = np.searchsorted(self._sorted, wanted, side="right")
        for q in np.flatnonzero(hi > lo).tolist():
            for k in self._order[lo[q] : hi[q]].tolist():
                if self[k] == keys[q]:
                    out[q] = k
                    break
        return out

    def extend(self, keys: list[SelectorKey]) -> KeyTable:
        """A table with ``keys`` appended (ids ``len(self)...``)."""
        if not keys:
            return self
        blob, offsets = _encode(keys)
        cache = None if self._cache is None else [*self._cache, *keys]
        return KeyTable(
            np.concatenate([self._blob, blob]),
            np.concatenate([self._offsets[:-1], offsets + self._offsets[-1]]),
            np.concatenate([self._hashes, _hash_blob(blob, offsets)]),
            cache,
        )

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        return {"key_blob": self._blob, "key_offsets": self._offsets, "key_hashes": self._hashes}


@dataclass(slots=True)
class GraphState:
    """The graph stage's result over the first ``posts`` posts of the index."""

    params: dict[str, Any]
    posts: int
    keys: KeyTable
    ptr: I64
    """Selector ``s`` is on posts ``members[ptr[s]:ptr[s + 1]]`` (ascending)."""
    members: I64
    weight: F64
    hub: npt.NDArray[np.int8]
    """Index into :data:`HUB_REASONS`."""
    cohesion: F64
    """Median text similarity of the hub test, ``nan`` where not measured."""
    edges: Edges
    """The links clustering used, canonical order."""
    network: I64
    """Network of every post (its smallest member), ``-1`` for none."""
    evidence: Edges
    """The links that explain the networks (maximum spanning forests)."""
    marked: npt.NDArray[np.bool_] | None = None
    """Posts in boilerplate text groups."""
    fingerprints: npt.NDArray[np.uint64] | None = None
    name: str | None = None
    """File stem once written."""


def _edge_arrays(prefix: str, e: Edges) -> dict[str, npt.NDArray[Any]]:
    return {
        f"{prefix}_a": e.a.astype(np.int32),
        f"{prefix}_b": e.b.astype(np.int32),
        f"{prefix}_w": e.weight,
        f"{prefix}_s": e.selector.astype(np.int32),
    }


def _edges_from(prefix: str, data: Any) -> Edges:
    return Edges(
        data[f"{prefix}_a"].astype(np.int64),
        data[f"{prefix}_b"].astype(np.int64),
        data[f"{prefix}_w"].astype(np.float64),
        data[f"{prefix}_s"].astype(np.int64),
    )


def save_state(state: GraphState, folder: Path) -> str:
    """Write the state under a fresh name (fsynced) and return that name; the index's
    manifest, swapped in afterwards, is what makes it current."""
    name = f"graph-{uuid.uuid4().hex[:12]}"
    arrays: dict[str, npt.NDArray[Any]] = {
        **state.keys.arrays(),
        "ptr": state.ptr,
        "members": state.members.astype(np.int32),
        "weight": state.weight,
        "hub": state.hub,
        "cohesion": state.cohesion,
        "network": state.network.astype(np.int32),
        **_edge_arrays("edges", state.edges),
        **_edge_arrays("evidence", state.evidence),
    }
    if state.fingerprints is not None:
        arrays["fingerprints"] = state.fingerprints
    if state.marked is not None:
        arrays["marked"] = state.marked
    path = folder / f"{name}.npz"
    with path.open("wb") as handle:
        np.savez(handle, **arrays)  # type: ignore[arg-type]
        handle.flush()
        os.fsync(handle.fileno())
    state.name = name
    return name


def load_state(folder: Path, name: str, params: dict[str, Any], posts: int) -> GraphState:
    with np.load(folder / f"{name}.npz", allow_pickle=False) as data:
        keys = KeyTable(data["key_blob"], data["key_offsets"].astype(np.int64), data["key_hashes"])
        return GraphState(
            params=params,
            posts=posts,
            keys=keys,
            ptr=data["ptr"].astype(np.int64),
            members=data["members"].astype(np.int64),
            weight=data["weight"],
            hub=data["hub"],
            cohesion=data["cohesion"],
            edges=_edges_from("edges", data),
            network=data["network"].astype(np.int64),
            evidence=_edges_from("evidence", data),
            marked=data["marked"] if "marked" in data.files else None,
            fingerprints=data["fingerprints"] if "fingerprints" in data.files else None,
            name=name,
        )
