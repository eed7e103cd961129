"""RFC 9162 hashing and proofs: every shared test vector, plus generated proofs."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import SHARED_DATA
from tracelight.ledger import merkle
from tracelight.ledger.verify import (
    VerificationError,
    verify_consistency,
    verify_inclusion,
    verify_subtree_consistency,
    verify_subtree_inclusion,
)

VECTORS = SHARED_DATA / "merkle_rfc6962_test_vectors"
needs_vectors = pytest.mark.skipif(
    not VECTORS.is_dir(), reason=f"RFC 6962 test vectors not found at {VECTORS}"
)


def _files() -> list[Path]:
    return sorted((VECTORS / "vectors").rglob("*.json")) if VECTORS.is_dir() else []


def _b(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _run(category: str, d: dict[str, Any]) -> None:
    proof = [_b(p) for p in d.get("proof") or []]
    if category == "inclusion":
        verify_inclusion(d["leafIdx"], d["treeSize"], _b(d["leafHash"]), proof, _b(d["root"]))
    elif category == "consistency":
        verify_consistency(d["size1"], d["size2"], proof, _b(d["root1"]), _b(d["root2"]))
    elif category == "subtreeinclusion":
        verify_subtree_inclusion(
            d["leafIdx"], d["start"], d["end"], _b(d["leafHash"]), proof, _b(d["root"])
        )
    else:
        verify_subtree_consistency(
            d["start"], d["end"], d["size"], proof, _b(d["root1"]), _b(d["root2"])
        )


@needs_vectors
def test_vector_folder_is_complete() -> None:
    files = _files()
    assert len(files) == 360
    assert sum(1 for f in files if not json.loads(f.read_text())["wantErr"]) > 10


@needs_vectors
@pytest.mark.parametrize(
    "path", _files(), ids=lambda p: str(p.relative_to(VECTORS / "vectors")) if _files() else ""
)
def test_rfc6962_vector(path: Path) -> None:
    data = json.loads(path.read_text())
    category = path.relative_to(VECTORS / "vectors").parts[0]
    if data["wantErr"]:
        with pytest.raises(VerificationError):
            _run(category, data)
    else:
        _run(category, data)


@needs_vectors
def test_reference_tree_roots() -> None:
    ref = json.loads((VECTORS / "reference_tree.json").read_text())
    leaves = [merkle.leaf_hash(bytes.fromhex(h)) for h in ref["leaf_inputs_hex"]]
    assert merkle.root_from_leaves([]).hex() == ref["empty_tree_root"]
    for size, root in ref["root_hashes_by_tree_size"].items():
        assert merkle.root_from_leaves(leaves[: int(size)]).hex() == root


def _tree(n: int) -> tuple[list[bytes], dict[int, bytes]]:
    leaves = [merkle.leaf_hash(str(i).encode()) for i in range(n)]
    compact = merkle.CompactRange()
    nodes: list[tuple[int, bytes]] = []
    for value in leaves:
        compact.append(value, nodes)
    return leaves, dict(nodes)


def _fetch(store: dict[int, bytes]) -> merkle.NodeFetcher:
    return lambda keys: {k: store[k] for k in keys if k in store}


def test_generated_proofs_verify_for_every_index_and_size() -> None:
    leaves, store = _tree(33)
    fetch = _fetch(store)
    roots = [merkle.root_from_leaves(leaves[:n]) for n in range(34)]
    for size in range(1, 34):
        assert merkle.prove([(0, size)], fetch)[0] == roots[size]
        for index in range(size):
            proof = merkle.prove(merkle.inclusion_ranges(index, size), fetch)
            verify_inclusion(index, size, leaves[index], proof, roots[size])
        for old in range(1, size + 1):
            proof = merkle.prove(merkle.consistency_ranges(0, old, size), fetch)
            verify_consistency(old, size, proof, roots[old], roots[size])


@given(st.integers(1, 300), st.data())
def test_subtree_consistency_roundtrip(size: int, data: st.DataObject) -> None:
    leaves, store = _tree(size)
    fetch = _fetch(store)
    end = data.draw(st.integers(1, size))
    width = data.draw(st.integers(1, end))
    start = end - width
    if not merkle.is_valid_subtree(start, end):
        return
    sub = merkle.root_from_leaves(leaves[start:end])
    proof = merkle.prove(merkle.consistency_ranges(start, end, size), fetch)
    verify_subtree_consistency(start, end, size, proof, sub, merkle.root_from_leaves(leaves))
    if proof:
        bad = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
        with pytest.raises(VerificationError):
            verify_subtree_consistency(start, end, size, bad, sub, merkle.root_from_leaves(leaves))


def test_wrong_lengths_and_indices_are_rejected_with_reasons() -> None:
    leaves, store = _tree(8)
    root = merkle.root_from_leaves(leaves)
    proof = merkle.prove(merkle.inclusion_ranges(3, 8), _fetch(store))
    with pytest.raises(VerificationError, match="too few"):
        verify_inclusion(3, 8, leaves[3], proof[:-1], root)
    with pytest.raises(VerificationError, match="more than"):
        verify_inclusion(3, 8, leaves[3], [*proof, proof[0]], root)
    with pytest.raises(VerificationError, match="outside"):
        verify_inclusion(8, 8, leaves[3], proof, root)
    with pytest.raises(VerificationError, match="32"):
        verify_inclusion(3, 8, leaves[3][:31], proof, root)
    with pytest.raises(VerificationError, match="mismatch"):
        verify_inclusion(2, 8, leaves[3], proof, root)
