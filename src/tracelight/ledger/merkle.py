"""RFC 9162 Merkle trees over stored nodes: node addressing, compact ranges, proofs.

The tree is never held whole. Every *perfect* subtree (2^level leaves starting at a
multiple of 2^level) has a node ``(level, index)``; once written, a node never
changes, because later leaves only ever land to its right. Appending needs only the
compact range (the O(log n) perfect nodes covering [0, n)), and any proof is a list
of ranges, each the fold of O(log n) perfect nodes, so proving reads O(log n) nodes
whatever the size of the log. Verification lives in :mod:`tracelight.ledger.verify`,
the standalone module a court's expert reads; it is re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from tracelight.ledger.verify import (
    EMPTY_ROOT,
    HASH_SIZE,
    VerificationError,
    is_valid_subtree,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
    verify_subtree_consistency,
    verify_subtree_inclusion,
)

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "CompactRange",
    "VerificationError",
    "consistency_ranges",
    "inclusion_ranges",
    "is_valid_subtree",
    "leaf_hash",
    "node_hash",
    "node_key",
    "perfect_nodes",
    "prove",
    "root_from_inclusion_proof",
    "root_from_leaves",
    "verify_consistency",
    "verify_inclusion",
    "verify_subtree_consistency",
    "verify_subtree_inclusion",
]

LEVEL_BITS = 6
Range = tuple[int, int]
NodeFetcher = Callable[[Sequence[int]], dict[int, bytes]]


def node_key(level: int, index: int) -> int:
    """One integer per perfect node, so a store can key nodes by a single integer column."""
    return (index << LEVEL_BITS) | level


def perfect_nodes(start: int, end: int) -> list[tuple[int, int]]:
    """The maximal perfect subtrees covering [start, end), left to right."""
    out: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        level = (end - pos).bit_length() - 1
        while pos & ((1 << level) - 1):
            level -= 1
        out.append((level, pos >> level))
        pos += 1 << level
    return out


def _split(lo: int, hi: int) -> int:
    """RFC 9162's k: the largest power of two smaller than the width, as an absolute index."""
    return lo + (1 << ((hi - lo - 1).bit_length() - 1))


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The leaf ranges whose hashes form the inclusion proof of ``index`` (RFC 9162 PATH)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    out: list[Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = _split(lo, hi)
        if index < mid:
            out.append((mid, hi))
            hi = mid
        else:
            out.append((lo, mid))
            lo = mid
    out.reverse()
    return out


def consistency_ranges(start: int, end: int, size: int) -> list[Range]:
    """Ranges of the proof that subtree [start, end) is part of the tree of ``size``.

    With ``start == 0`` this is RFC 9162 SUBPROOF(end, D[size], true), the ordinary
    consistency proof; it mirrors the walk the verifier makes.
    """
    if start == end or (start, end) == (0, size):
        return []
    if not is_valid_subtree(start, end) or end > size:
        raise ValueError(f"[{start}, {end}) is not a subtree of a tree of size {size}")
    out: list[Range] = []
    lo, hi, known = 0, size, True
    while (start, end) != (lo, hi):
        mid = _split(lo, hi)
        if end <= mid:
            out.append((mid, hi))
            hi = mid
        elif start >= mid:
            out.append((lo, mid))
            lo = mid
        else:
            out.append((lo, mid))
            lo = start = mid
            known = False
    out.reverse()
    return out if known else [(lo, hi), *out]


def prove(ranges: Sequence[Range], fetch: NodeFetcher) -> list[bytes]:
    """Hash each range from its perfect nodes, fetched in one call.

    A range ending inside an incomplete subtree is the right fold of its perfect
    nodes, which is exactly how RFC 9162 splits it (largest power of two first).
    """
    plans = [perfect_nodes(lo, hi) for lo, hi in ranges]
    keys = sorted({node_key(level, index) for plan in plans for level, index in plan})
    nodes = fetch(keys)
    missing = [k for k in keys if k not in nodes]
    if missing:
        level, index = missing[0] & ((1 << LEVEL_BITS) - 1), missing[0] >> LEVEL_BITS
        raise LookupError(f"ledger node (level {level}, index {index}) is missing from the store")
    out = []
    for plan in plans:
        value = nodes[node_key(*plan[-1])]
        for level, index in reversed(plan[:-1]):
            value = node_hash(nodes[node_key(level, index)], value)
        out.append(value)
    return out


class CompactRange:
    """The right edge of the tree: one hash per set bit of the size, largest first.

    Appending a leaf merges equal-sized neighbours; each merge creates a perfect node
    that is final and is returned so the caller can store it.
    """

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != size.bit_count():
            raise ValueError(f"a compact range of size {size} has {size.bit_count()} hashes")
        self.size = size
        self.hashes = list(hashes)

    @staticmethod
    def nodes_for(size: int) -> list[tuple[int, int]]:
        """The perfect nodes that make up the compact range of ``size``."""
        return perfect_nodes(0, size)

    def append(self, leaf: bytes, out: list[tuple[int, bytes]]) -> None:
        """Add a leaf hash; append every new perfect node to ``out`` as (key, hash)."""
        index = self.size
        value = leaf
        out.append((index << LEVEL_BITS, value))
        level = 0
        hashes = self.hashes
        while (index >> level) & 1:
            value = node_hash(hashes.pop(), value)
            level += 1
            out.append((((index >> level) << LEVEL_BITS) | level, value))
        hashes.append(value)
        self.size = index + 1

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        value = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            value = node_hash(left, value)
        return value


def root_from_leaves(leaf_hashes: Iterable[bytes]) -> bytes:
    """The root over a sequence of leaf hashes, without keeping more than the compact range."""
    compact = CompactRange()
    sink: list[tuple[int, bytes]] = []
    for value in leaf_hashes:
        compact.append(value, sink)
        sink.clear()
    return compact.root()
