"""The near-duplicate index that linking keeps between runs, so a daily batch is linked
against everything stored without re-reading, re-shingling or re-hashing the corpus.

What is kept, per post in arrival order: its id and its MinHash signature; and every
verified near-duplicate link found so far; the banded LSH buckets, sorted by (key,
arrival) per band (rebuilt from the signatures only when their file is missing: sorting
21 bands of a million posts took 12 s of every daily run); and the graph stage's result
of the last run (``graph``), which lets the next batch re-cluster only what it touched.

**Incremental equals full.** Candidate pairs follow a rule that depends only on a post's
*earlier* bucket mates: the ``k``-th member of a band bucket (members in arrival order)
is paired with every earlier member while ``k < bucket_cap``, and only with the member
just before it from then on (an oversized bucket of boilerplate or empty-ish texts is
chained, never squared). Verification looks only at the pair. So adding posts in one
batch or in many gives the same links, and ``link_posts`` over the grown index gives the
same networks as a full relink; the tests hold it to that.

**On disk** (:func:`save_index`, :func:`load_index`): a folder with one *segment* per
batch (ids, signatures, the links the batch found), the band buckets sorted (read back
memory-mapped, so opening the index costs no sort; a batch touches only the pages its
keys fall on), the graph stage's result (:mod:`tracelight.link.state`), and a
``manifest.json`` naming them. A batch writes its own segment files under fresh names, then
replaces the manifest atomically (``os.replace``): a crash leaves either the old manifest
or the new one, never a half-written index; segments no manifest names are removed on
the next save. Many small segments are compacted into one when they pile up.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tracelight.link.cluster import distinct, ranges
from tracelight.link.state import GraphState, load_state, save_state
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
    shingles: Shingled | None = None
    """The batch's shingle sets (row ``i``: the segment's post ``i``), kept so that a
    later batch verifies its candidates among these posts without their texts: at 1M,
    fetching and re-shingling the old candidates' texts was 21 s of a 10k batch."""


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
    _bucket_members: list[npt.NDArray[np.int32]] = field(default_factory=list)
    _links: npt.NDArray[np.float64] = field(default_factory=_empty_links)
    _buckets_name: str | None = None
    """File stem of the saved buckets, while they are those of all indexed posts."""
    graph: GraphState | None = None
    """The graph stage of the last run over exactly these posts (``None``: not known)."""

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
            found.append(
                pair_codes(
                    bucket_pairs(old_keys, old_members, new_keys[:, band], new_idx, self.bucket_cap)
                )
            )
        pairs = distinct_pairs(found)
        del found
        # The grown buckets are made before verifying, so the band keys are freed before
        # the peak of memory (verification), and put in place only once it succeeded.
        buckets = self._grown_buckets(new_keys, new_idx)
        del new_keys
        all_sig = np.concatenate([self._sig, sig]) if base else sig
        links = self._verify(pairs, base, shingled, all_sig, fetch)
        del pairs
        self._ids.extend(ids)
        self._sig = all_sig
        self._bucket_keys, self._bucket_members = buckets
        self._buckets_name = None
        self.graph = None
        self._links = _merge_links(self._links, links)
        self._segments.append(_Segment(list(ids), sig, links, shingles=shingled))
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
        old = distinct(pairs[pairs < base])
        if len(old) == 0:
            # Only batch posts are involved: no fetching and no copying.
            local = pairs - base if base else pairs
            kept = verify_pairs(shingled, sig[base:], local, self.threshold)
            kept[:, :2] += base
            return kept
        stored = self._stored_shingles(old)
        if stored is not None:
            old_shingled = stored
        else:
            if fetch is None:
                raise ValueError("indexed posts are candidates: a text fetcher is needed")
            old_shingled = shingle_hashes(list(fetch(old.tolist())))
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

    def _stored_shingles(self, positions: npt.NDArray[np.int64]) -> Shingled | None:
        """Shingle sets of indexed posts (ascending positions), gathered from the segments
        (memory-mapped when read from disk: only the rows asked for are read); ``None``
        when a segment holding one of them has none (an index written before they were
        kept), and then the texts are fetched."""
        sizes = np.asarray([len(s.ids) for s in self._segments], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)])
        seg_of = np.searchsorted(starts, positions, side="right") - 1
        hashes: list[npt.NDArray[np.uint32]] = []
        lengths: list[npt.NDArray[np.int64]] = []
        for k in np.unique(seg_of).tolist():
            rows = self._segments[k].shingles
            if rows is None:
                return None
            local = positions[seg_of == k] - starts[k]
            lo = np.asarray(rows.offsets[local], dtype=np.int64)
            count = np.asarray(rows.offsets[local + 1], dtype=np.int64) - lo
            hashes.append(np.asarray(rows.hashes[ranges(lo, count)], dtype=np.uint32))
            lengths.append(count)
        offsets = np.zeros(len(positions) + 1, dtype=np.int64)
        if lengths:
            np.cumsum(np.concatenate(lengths), out=offsets[1:])
        return Shingled(np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint32), offsets)

    def _all_shingles(self) -> Shingled | None:
        """Every indexed post's shingle sets in one block (for compaction), if kept."""
        if any(s.shingles is None for s in self._segments):
            return None
        return self._stored_shingles(np.arange(len(self._ids), dtype=np.int64))

    def _grown_buckets(
        self, keys: npt.NDArray[np.uint64], idx: npt.NDArray[np.int64]
    ) -> tuple[list[npt.NDArray[np.uint64]], list[npt.NDArray[np.int32]]]:
        """Each band's (key, arrival) order with the batch merged in; new posts come after
        all indexed ones, so a stable merge keeps arrival order inside every bucket.
        Members are 32-bit (a quarter of a million posts' buckets less memory)."""
        out_keys: list[npt.NDArray[np.uint64]] = []
        out_members: list[npt.NDArray[np.int32]] = []
        for band in range(BANDS):
            old_keys = self._bucket_keys[band] if self._bucket_keys else NO_KEYS
            old_members = (
                self._bucket_members[band] if self._bucket_members else NO_IDX.astype(np.int32)
            )
            col = keys[:, band]
            order = np.argsort(col, kind="stable")
            col, members = col[order], idx[order].astype(np.int32)
            at = np.searchsorted(old_keys, col, side="right")
            out_keys.append(np.insert(old_keys, at, col))
            out_members.append(np.insert(old_members, at, members).astype(np.int32, copy=False))
        return out_keys, out_members

    def _rebuild_buckets(self) -> None:
        valid = self._sig.any(axis=1)
        idx = np.flatnonzero(valid).astype(np.int64)
        keys = band_keys(self._sig[valid])
        self._bucket_keys = []
        self._bucket_members = []
        for band in range(BANDS):
            order = np.argsort(keys[:, band], kind="stable")
            self._bucket_keys.append(keys[order, band])
            self._bucket_members.append(idx[order].astype(np.int32))


def _merge_links(
    links: npt.NDArray[np.float64], more: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``links`` (sorted by (a, b)) with ``more`` inserted in order: a batch's few
    thousand links go in without sorting the corpus's millions again."""
    if len(more) == 0:
        return links
    more = _sorted_links(more)
    code = (links[:, 0].astype(np.int64) << 31) | links[:, 1].astype(np.int64)
    new_code = (more[:, 0].astype(np.int64) << 31) | more[:, 1].astype(np.int64)
    at = np.searchsorted(code, new_code, side="right")
    return np.insert(links, at, more, axis=0)


def _sorted_links(links: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    if len(links) == 0:
        return _empty_links()
    code = (links[:, 0].astype(np.int64) << 31) | links[:, 1].astype(np.int64)
    if bool(np.all(code[1:] >= code[:-1])):
        return np.ascontiguousarray(links)  # a segment's links are written sorted
    order = np.lexsort((links[:, 1], links[:, 0]))
    return np.ascontiguousarray(links[order])


# -- persistence ---------------------------------------------------------------------


def _digest(ids: Sequence[str]) -> str:
    """SHA-256 of the ids, each followed by a newline (one call, not one per id)."""
    return hashlib.sha256(("\n".join(ids) + "\n").encode("utf-8") if ids else b"").hexdigest()


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
    if segment.shingles is not None:
        _write_array(folder / f"{name}.sh.npy", segment.shingles.hashes)
        _write_array(folder / f"{name}.off.npy", segment.shingles.offsets)
    return name


def save_index(index: TextIndex, folder: Path) -> None:
    """Write the segments not yet on disk, then swap the manifest in atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    if len(index._segments) > COMPACT_ABOVE:
        index._segments = [
            _Segment(list(index.ids), index.sig, index.links, shingles=index._all_shingles())
        ]
    for segment in index._segments:
        if segment.name is None:
            segment.name = _write_segment(folder, segment)
    if index._bucket_keys and index._buckets_name is None:
        index._buckets_name = _write_buckets(folder, index)
    graph = index.graph if index.graph is not None and index.graph.posts == len(index) else None
    if graph is not None and graph.name is None:
        save_state(graph, folder)
    manifest: dict[str, Any] = {
        "params": index.params,
        "posts": len(index),
        "ids_sha256": _digest(index.ids),
        "segments": [
            {"name": s.name, "posts": len(s.ids), "links": len(s.links)} for s in index._segments
        ],
    }
    if index._buckets_name is not None:
        manifest["buckets"] = {"name": index._buckets_name, "posts": len(index)}
    if graph is not None:
        manifest["graph"] = {"name": graph.name, "posts": graph.posts, "params": graph.params}
    tmp = folder / f"{MANIFEST}.{uuid.uuid4().hex[:8]}.tmp"
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / MANIFEST)
    _fsync_dir(folder)
    keep = {str(s.name) for s in index._segments}
    keep |= {str(index._buckets_name), str(graph.name if graph is not None else None)}
    for path in folder.iterdir():
        stem = path.name.split(".", 1)[0]
        if path.name != MANIFEST and stem not in keep:
            path.unlink(missing_ok=True)


def _write_buckets(folder: Path, index: TextIndex) -> str:
    name = f"buckets-{uuid.uuid4().hex[:12]}"
    _write_array(folder / f"{name}.keys.npy", np.stack(index._bucket_keys))
    _write_array(folder / f"{name}.members.npy", np.stack(index._bucket_members).astype(np.int32))
    return name


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
            # Mapped, not read: a batch reads only its candidates' rows, and growing the
            # index copies the rows once into the enlarged array anyway.
            sig = np.load(folder / f"{name}.sig.npy", mmap_mode="r")
            seg_links = np.load(folder / f"{name}.links.npy", allow_pickle=False)
            if len(ids) != entry["posts"] or sig.shape != (len(ids), NUM_PERM):
                return None
            shingles = None
            if (folder / f"{name}.off.npy").exists():
                offsets = np.load(folder / f"{name}.off.npy", mmap_mode="r")
                if offsets.shape != (len(ids) + 1,):
                    return None
                hashes = np.load(folder / f"{name}.sh.npy", mmap_mode="r")
                shingles = Shingled(hashes, offsets)
            index._segments.append(_Segment(ids, sig, seg_links, name, shingles))
            index._ids.extend(ids)
            sigs.append(sig)
            links.append(seg_links)
        if len(index._ids) != manifest["posts"] or _digest(index._ids) != manifest["ids_sha256"]:
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if len(sigs) > 1:
        index._sig = np.concatenate(sigs)
    elif sigs:
        index._sig = sigs[0]
    if links:
        index._links = _sorted_links(np.concatenate(links) if len(links) > 1 else links[0])
    if not _open_buckets(index, folder, manifest.get("buckets")):
        index._rebuild_buckets()
    graph = manifest.get("graph")
    if graph and graph.get("posts") == len(index):
        try:
            index.graph = load_state(folder, graph["name"], graph["params"], len(index))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            index.graph = None  # the text index stands; the graph stage runs in full
    return index


def _open_buckets(index: TextIndex, folder: Path, entry: dict[str, Any] | None) -> bool:
    """Map the saved sorted buckets, if they are those of all indexed posts."""
    if not entry or entry.get("posts") != len(index):
        return False
    try:
        keys = np.load(folder / f"{entry['name']}.keys.npy", mmap_mode="r")
        members = np.load(folder / f"{entry['name']}.members.npy", mmap_mode="r")
    except (OSError, ValueError):
        return False
    if keys.shape != members.shape or keys.shape[0] != BANDS:
        return False
    index._bucket_keys = [keys[band] for band in range(BANDS)]
    index._bucket_members = [members[band] for band in range(BANDS)]
    index._buckets_name = str(entry["name"])
    return True
