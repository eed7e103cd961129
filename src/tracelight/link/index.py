"""The near-duplicate index that linking keeps between runs, so a daily batch is linked
against everything stored without re-reading, re-shingling or re-hashing the corpus.

What is kept, per post in arrival order: its id and its MinHash signature; and every
verified near-duplicate link found so far. The banded LSH buckets are derived from the
signatures when the index is opened (a stable sort per band), which costs about as much
as reading them would and keeps what is written per batch small.

**Incremental equals full.** Candidate pairs follow a rule that depends only on a post's
*earlier* bucket mates: the ``k``-th member of a band bucket (members in arrival order)
is paired with every earlier member while ``k < bucket_cap``, and only with the member
just before it from then on (an oversized bucket of boilerplate or empty-ish texts is
chained, never squared). Verification looks only at the pair. So adding posts in one
batch or in many gives the same links, and ``link_posts`` over the grown index gives the
same networks as a full relink; the tests hold it to that.

**On disk** (:func:`save_index`, :func:`load_index`): a folder with one *segment* per
batch (ids, signatures, the links the batch found) and a ``manifest.json`` naming the
segments in order. A batch writes its own segment files under fresh names, then
replaces the manifest atomically (``os.replace``): a crash leaves either the old manifest
or the new one, never a half-written index; segments no manifest names are removed on
the next save. Many small segments are compacted into one when they pile up.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tracelight.link.text import (
    BANDS,
    BUCKET_CAP,
    DEFAULT_THRESHOLD,
    NO_IDX,
    NO_KEYS,
    NUM_PERM,
    ROWS,
    SEED,
    SHINGLE,
    TOKENIZER,
    Shingled,
    band_keys,
    bucket_pairs,
    distinct_pairs,
    pair_codes,
    shingle_hashes,
    signatures,
    verify_pairs,
)

INDEX_FORMAT = 1
MANIFEST = "manifest.json"
COMPACT_ABOVE = 24
"""Segments beyond which a save rewrites the index as one segment (loading many small
files costs more than rewriting them once)."""

TextFetcher = Callable[[Sequence[int]], Sequence[str]]
"""Texts of already indexed posts, by index position: only the few that a new post's
candidates point at are ever asked for."""


def params(threshold: float, bucket_cap: int) -> dict[str, Any]:
    """Everything that changes which links an index holds: an index built with other
    parameters is not reused (a full relink rebuilds it)."""
    return {
        "format": INDEX_FORMAT,
        "tokenizer": TOKENIZER,
        "shingle": SHINGLE,
        "num_perm": NUM_PERM,
        "bands": BANDS,
        "rows": ROWS,
        "seed": SEED,
        "threshold": threshold,
        "bucket_cap": bucket_cap,
    }


@dataclass(slots=True)
class _Segment:
    ids: list[str]
    sig: npt.NDArray[np.uint32]
    links: npt.NDArray[np.float64]
    """``k x 3``: post index a, post index b (a < b), exact Jaccard."""
    name: str | None = None
    """File stem once written; ``None`` while only in memory."""


def _empty_links() -> npt.NDArray[np.float64]:
    return np.zeros((0, 3), dtype=np.float64)


@dataclass(slots=True)
class TextIndex:
    """Signatures, LSH buckets and verified near-duplicate links of posts in arrival order."""

    threshold: float = DEFAULT_THRESHOLD
    bucket_cap: int = BUCKET_CAP
    _segments: list[_Segment] = field(default_factory=list)
    _ids: list[str] = field(default_factory=list)
    _sig: npt.NDArray[np.uint32] = field(
        default_factory=lambda: np.zeros((0, NUM_PERM), dtype=np.uint32)
    )
    _bucket_keys: list[npt.NDArray[np.uint64]] = field(default_factory=list)
    _bucket_members: list[npt.NDArray[np.int64]] = field(default_factory=list)
    _links: npt.NDArray[np.float64] = field(default_factory=_empty_links)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[str]:
        return self._ids

    @property
    def sig(self) -> npt.NDArray[np.uint32]:
        return self._sig

    @property
    def links(self) -> npt.NDArray[np.float64]:
        """All verified links, ``k x 3`` (a, b, similarity), sorted by (a, b)."""
        return self._links

    @property
    def params(self) -> dict[str, Any]:
        return params(self.threshold, self.bucket_cap)

    def add(
        self, ids: Sequence[str], texts: Sequence[str], fetch: TextFetcher | None = None
    ) -> npt.NDArray[np.float64]:
        """Index ``texts`` (posts ``ids``, after everything indexed) and return the links
        they make, with each other and with indexed posts.

        ``fetch`` gives the texts of indexed posts that turn out to be candidates; it is
        only needed when the index is not empty.
        """
        if len(ids) != len(texts):
            raise ValueError("ids and texts differ in length")
        base = len(self._ids)
        shingled = shingle_hashes(texts)
        sig = signatures(shingled)
        valid = shingled.offsets[1:] > shingled.offsets[:-1]
        keys = band_keys(sig)
        new_idx = np.flatnonzero(valid).astype(np.int64) + base
        new_keys = keys if valid.all() else keys[valid]
        del keys
        found: list[npt.NDArray[np.int64]] = []
        for band in range(BANDS):
            old_keys = self._bucket_keys[band] if self._bucket_keys else NO_KEYS
            old_members = self._bucket_members[band] if self._bucket_members else NO_IDX
            pairs = bucket_pairs(old_keys, old_members, new_keys[:, band], new_idx, self.bucket_cap)
            found.append(pair_codes(pairs))
        pairs = distinct_pairs(found)
        all_sig = np.concatenate([self._sig, sig]) if base else sig
        links = self._verify(pairs, base, shingled, all_sig, fetch)
        self._ids.extend(ids)
        self._sig = all_sig
        self._insert_buckets(new_keys, new_idx)
        self._links = _sorted_links(np.concatenate([self._links, links]))
        self._segments.append(_Segment(list(ids), sig, links))
        return links

    def _verify(
        self,
        pairs: npt.NDArray[np.int64],
        base: int,
        shingled: Shingled,
        sig: npt.NDArray[np.uint32],
        fetch: TextFetcher | None,
    ) -> npt.NDArray[np.float64]:
        if len(pairs) == 0:
            return _empty_links()
        old = np.unique(pairs[pairs < base])
        if len(old) == 0:
            # Only batch posts are involved: no fetching and no copying.
            kept = verify_pairs(shingled, sig[base:], pairs - base, self.threshold)
            kept[:, :2] += base
            return kept
        if len(old):
            if fetch is None:
                raise ValueError("indexed posts are candidates: a text fetcher is needed")
            old_shingled = shingle_hashes(list(fetch(old.tolist())))
        else:
            old_shingled = shingle_hashes([])
        # One local row space: the fetched old posts first, then the batch.
        local = np.concatenate([old, np.arange(base, base + len(shingled.offsets) - 1)])
        rows = Shingled(
            np.concatenate([old_shingled.hashes, shingled.hashes]),
            np.concatenate(
                [old_shingled.offsets[:-1], shingled.offsets + old_shingled.offsets[-1]]
            ),
        )
        position = np.searchsorted(local, pairs)
        kept = verify_pairs(rows, sig[local], position, self.threshold)
        if len(kept) == 0:
            return _empty_links()
        at = kept[:, :2].astype(np.int64)
        return np.column_stack([local[at].astype(np.float64), kept[:, 2]])

    def _insert_buckets(self, keys: npt.NDArray[np.uint64], idx: npt.NDArray[np.int64]) -> None:
        """Merge the batch into each band's (key, arrival) order; new posts come after all
        indexed ones, so a stable merge keeps arrival order inside every bucket."""
        if not self._bucket_keys:
            self._bucket_keys = [np.zeros(0, dtype=np.uint64) for _ in range(BANDS)]
            self._bucket_members = [np.zeros(0, dtype=np.int64) for _ in range(BANDS)]
        for band in range(BANDS):
            col = keys[:, band]
            order = np.argsort(col, kind="stable")
            col, members = col[order], idx[order]
            at = np.searchsorted(self._bucket_keys[band], col, side="right")
            self._bucket_keys[band] = np.insert(self._bucket_keys[band], at, col)
            self._bucket_members[band] = np.insert(self._bucket_members[band], at, members)

    def _rebuild_buckets(self) -> None:
        valid = self._sig.any(axis=1)
        idx = np.flatnonzero(valid).astype(np.int64)
        keys = band_keys(self._sig[valid])
        self._bucket_keys = []
        self._bucket_members = []
        for band in range(BANDS):
            order = np.argsort(keys[:, band], kind="stable")
            self._bucket_keys.append(keys[order, band])
            self._bucket_members.append(idx[order])


def _sorted_links(links: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    if len(links) == 0:
        return _empty_links()
    order = np.lexsort((links[:, 1], links[:, 0]))
    return np.ascontiguousarray(links[order])


# -- persistence ---------------------------------------------------------------------


def _digest(ids: Sequence[str]) -> str:
    h = hashlib.sha256()
    for i in ids:
        h.update(i.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def _write_array(path: Path, array: npt.NDArray[Any]) -> None:
    with path.open("wb") as handle:
        np.save(handle, array, allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())


def _write_segment(folder: Path, segment: _Segment) -> str:
    name = f"seg-{uuid.uuid4().hex[:12]}"
    _write_array(folder / f"{name}.ids.npy", np.array(segment.ids, dtype=np.str_))
    _write_array(folder / f"{name}.sig.npy", segment.sig)
    _write_array(folder / f"{name}.links.npy", segment.links)
    return name


def save_index(index: TextIndex, folder: Path) -> None:
    """Write the segments not yet on disk, then swap the manifest in atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    if len(index._segments) > COMPACT_ABOVE:
        index._segments = [_Segment(list(index.ids), index.sig, index.links)]
    for segment in index._segments:
        if segment.name is None:
            segment.name = _write_segment(folder, segment)
    manifest = {
        "params": index.params,
        "posts": len(index),
        "ids_sha256": _digest(index.ids),
        "segments": [
            {"name": s.name, "posts": len(s.ids), "links": len(s.links)} for s in index._segments
        ],
    }
    tmp = folder / f"{MANIFEST}.{uuid.uuid4().hex[:8]}.tmp"
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / MANIFEST)
    _fsync_dir(folder)
    keep = {str(s.name) for s in index._segments}
    for path in folder.iterdir():
        stem = path.name.split(".", 1)[0]
        if path.name != MANIFEST and stem not in keep:
            path.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_index(
    folder: Path, *, threshold: float = DEFAULT_THRESHOLD, bucket_cap: int = BUCKET_CAP
) -> TextIndex | None:
    """The index saved in ``folder``, or ``None`` when there is none, it was built with
    other parameters, or it does not read back whole (then the caller relinks in full)."""
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest["params"] != params(threshold, bucket_cap):
            return None
        index = TextIndex(threshold=threshold, bucket_cap=bucket_cap)
        sigs: list[npt.NDArray[np.uint32]] = []
        links: list[npt.NDArray[np.float64]] = []
        for entry in manifest["segments"]:
            name = entry["name"]
            ids = np.load(folder / f"{name}.ids.npy", allow_pickle=False).tolist()
            sig = np.load(folder / f"{name}.sig.npy", allow_pickle=False)
            seg_links = np.load(folder / f"{name}.links.npy", allow_pickle=False)
            if len(ids) != entry["posts"] or sig.shape != (len(ids), NUM_PERM):
                return None
            index._segments.append(_Segment(ids, sig, seg_links, name))
            index._ids.extend(ids)
            sigs.append(sig)
            links.append(seg_links)
        if len(index._ids) != manifest["posts"] or _digest(index._ids) != manifest["ids_sha256"]:
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    index._sig = np.concatenate(sigs) if sigs else index._sig
    index._links = _sorted_links(np.concatenate(links)) if links else index._links
    index._rebuild_buckets()
    return index
