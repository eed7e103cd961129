"""Near-duplicate text: shingles, MinHash signatures with ``rensa``, banded LSH, verification.

Operations that rotate phones keep their text: one template, with the name, age, city,
price and contact filled in. Finding posts whose text is nearly the same is therefore
the second way (after shared selectors) of tying posts together.

* **Shingles** are word 3-grams of the title and body after NFKC and case folding.
  Digits and emoji are tokens like words (unlike InfoShield, which drops them): a
  price list or an emoji signature is part of what makes a template recognisable.
* **Signatures** are ``rensa`` MinHash digests computed in bulk (``digest_matrix_from_
  token_sets``), which is what keeps a million posts inside the time budget.
* **LSH** is done here over the digest matrix with numpy: each band's rows are hashed to
  one 64-bit key and posts with equal keys are candidates. Doing the banding ourselves
  lets very large buckets be detected and treated as what they are (boilerplate or
  empty texts shared by thousands of unrelated posts), instead of exploding into
  millions of candidate pairs: members of an oversized bucket are chained, not paired.
* **Verification**: every candidate pair is kept only if the *exact* Jaccard similarity
  of the two shingle sets reaches the threshold; the MinHash estimate only proposes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import rensa

TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
"""A word (letters and digits together) or any single other visible character (emoji,
punctuation), so ``💋`` and ``|`` are tokens and numbers are kept."""

SHINGLE = 3
NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SEED = 1234
DEFAULT_THRESHOLD = 0.5
"""Exact Jaccard of 3-shingles at or above which two posts are near-duplicates. Posts of
one template with different slot values and optional lines measure 0.3-0.6, unrelated
ads on the same site below 0.05 in 90% of pairs (10k synthetic corpus)."""

BUCKET_CAP = 64
"""Bucket size above which members are chained in order instead of all paired."""

CHUNK = 20_000


def normalise(text: str) -> str:
    """Compatibility-fold and case-fold, so that fullwidth or styled letters compare equal."""
    return unicodedata.normalize("NFKC", text).casefold()


def shingles(text: str, k: int = SHINGLE) -> list[str]:
    """Word ``k``-grams of the normalised text; a short text is its own single shingle."""
    words = TOKEN.findall(normalise(text))
    if len(words) <= k:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + k]) for i in range(len(words) - k + 1)]


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


class _Vocab(dict[str, int]):
    """Token -> stable 64-bit hash, computed once per distinct token.

    ``hash()`` of a string changes from process to process; a keyed BLAKE2 of the
    token does not, so the same posts give the same signatures in every run and engine.
    """

    def __missing__(self, token: str) -> int:
        value = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
        self[token] = value
        return value


_SEP = "\x00"


@dataclass(frozen=True, slots=True)
class Shingled:
    """Shingle hashes of many texts in one flat array: row ``i`` is
    ``hashes[offsets[i]:offsets[i + 1]]``, sorted and distinct."""

    hashes: npt.NDArray[np.uint64]
    offsets: npt.NDArray[np.int64]

    def row(self, i: int) -> npt.NDArray[np.uint64]:
        return self.hashes[self.offsets[i] : self.offsets[i + 1]]


_P = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


def shingle_hashes(texts: Sequence[str], vocab: dict[str, int] | None = None) -> Shingled:
    """Hashed word 3-shingles of every text, tokenised chunk-wise in one regex pass.

    Texts are joined with NUL (a token of its own) so one ``findall`` covers many posts;
    windows that cross a NUL are dropped. A text of fewer than three tokens keeps its
    tokens as shingles, so short texts can still match exactly.
    """
    vocab = vocab if vocab is not None else _Vocab()
    lookup = vocab.__getitem__
    sep = np.uint64(lookup(_SEP))
    parts: list[npt.NDArray[np.uint64]] = []
    lengths: list[npt.NDArray[np.int64]] = []
    for start in range(0, len(texts), CHUNK):
        chunk = texts[start : start + CHUNK]
        joined = normalise(_SEP.join(t.replace(_SEP, " ") for t in chunk)) + _SEP
        tokens = TOKEN.findall(joined)
        ids = np.fromiter(map(lookup, tokens), dtype=np.uint64, count=len(tokens))
        is_sep = ids == sep
        doc = np.cumsum(is_sep) - is_sep  # document index of every token
        with np.errstate(over="ignore"):
            win = ids[:-2] * _P[0] + ids[1:-1] * _P[1] + ids[2:] * _P[2]
        ok = ~(is_sep[:-2] | is_sep[1:-1] | is_sep[2:])
        win_doc = doc[:-2][ok]
        win = win[ok]
        counts = np.bincount(win_doc, minlength=len(chunk))
        short = np.flatnonzero(counts == 0)
        if len(short):
            # Documents with under three tokens: their tokens are their shingles.
            tok_ok = ~is_sep & np.isin(doc, short)
            win = np.concatenate([win, ids[tok_ok]])
            win_doc = np.concatenate([win_doc, doc[tok_ok]])
        # Sort by (document, hash) and drop repeats within a document.
        order = np.lexsort((win, win_doc))
        win, win_doc = win[order], win_doc[order]
        keep = np.ones(len(win), dtype=bool)
        keep[1:] = (win[1:] != win[:-1]) | (win_doc[1:] != win_doc[:-1])
        win, win_doc = win[keep], win_doc[keep]
        parts.append(win)
        lengths.append(np.bincount(win_doc, minlength=len(chunk)).astype(np.int64))
    hashes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    sizes = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return Shingled(hashes, offsets)


def signatures(shingled: Shingled) -> npt.NDArray[np.uint32]:
    """MinHash digests (``n x NUM_PERM``) from the flat shingle buffer, in one rensa call
    per chunk; a text without shingles gets an all-zero row and is never a candidate."""
    n = len(shingled.offsets) - 1
    out = np.zeros((n, NUM_PERM), dtype=np.uint32)
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        lo, hi = shingled.offsets[start], shingled.offsets[stop]
        if hi == lo:
            continue
        rows = shingled.offsets[start : stop + 1] - lo
        matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
            shingled.hashes[lo:hi], rows.astype(np.uint64), NUM_PERM, SEED
        )
        block = np.asarray(matrix.to_rows(), dtype=np.uint32)
        empty = rows[1:] == rows[:-1]
        block[empty] = 0
        out[start:stop] = block
    return out


_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5],
    dtype=np.uint64,
)


def band_keys(sig: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """One 64-bit key per post and band (``n x BANDS``): equal rows give equal keys."""
    n = sig.shape[0]
    rows = sig.reshape(n, BANDS, ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        keys = (rows * _MIX[:ROWS]).sum(axis=2, dtype=np.uint64)
        keys ^= np.arange(BANDS, dtype=np.uint64) * np.uint64(0x100000001B3)
    return np.asarray(keys, dtype=np.uint64)


def candidate_pairs(
    sig: npt.NDArray[np.uint32],
    valid: npt.NDArray[np.bool_] | None = None,
    *,
    bucket_cap: int = BUCKET_CAP,
) -> npt.NDArray[np.int64]:
    """Distinct pairs ``(i, j)``, ``i < j``, that share at least one band bucket.

    ``valid`` excludes posts (empty texts) from every bucket. Members of a bucket larger
    than ``bucket_cap`` are paired with their next neighbour only, which keeps them
    connectable without quadratic blow-up; verification decides about each pair.
    """
    n = sig.shape[0]
    keys = band_keys(sig)
    idx = np.arange(n, dtype=np.int64)
    if valid is not None:
        idx = idx[valid]
    found: list[npt.NDArray[np.int64]] = []
    for band in range(BANDS):
        col = keys[idx, band]
        order = np.argsort(col, kind="stable")
        sorted_keys = col[order]
        members = idx[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        ends = np.r_[starts[1:], len(sorted_keys)]
        sizes = ends - starts
        # Adjacent pairs inside every bucket (covers chaining of oversized buckets).
        same = np.zeros(len(sorted_keys), dtype=bool)
        same[1:] = sorted_keys[1:] == sorted_keys[:-1]
        at = np.flatnonzero(same)
        if len(at):
            found.append(np.stack([members[at - 1], members[at]], axis=1))
        # All other pairs inside buckets of 3..cap members.
        small = (sizes > 2) & (sizes <= bucket_cap)
        for s, e in zip(starts[small].tolist(), ends[small].tolist(), strict=True):
            group = members[s:e]
            a, b = np.triu_indices(len(group), k=2)
            found.append(np.stack([group[a], group[b]], axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    pairs.sort(axis=1)
    return np.unique(pairs, axis=0)


@dataclass(frozen=True, slots=True)
class TextLink:
    a: int
    b: int
    similarity: float


def verify(
    shingled: Shingled,
    sig: npt.NDArray[np.uint32],
    pairs: npt.NDArray[np.int64],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[TextLink]:
    """Candidate pairs whose exact Jaccard of shingle sets reaches ``threshold``.

    The MinHash estimate first drops pairs far below the threshold (an estimate from 64
    permutations is within 0.2 of the truth with overwhelming probability), then the
    exact similarity is computed for the rest and is what is kept as evidence.
    """
    if len(pairs) == 0:
        return []
    est = estimated_similarity(sig, pairs[:, 0], pairs[:, 1])
    pairs = pairs[est >= threshold - 0.2]
    cache: dict[int, frozenset[int]] = {}

    def row(i: int) -> frozenset[int]:
        found = cache.get(i)
        if found is None:
            found = frozenset(shingled.row(i).tolist())
            cache[i] = found
        return found

    out: list[TextLink] = []
    for a, b in pairs.tolist():
        x, y = row(a), row(b)
        inter = len(x & y)
        union = len(x) + len(y) - inter
        sim = inter / union if union else 0.0
        if sim >= threshold:
            out.append(TextLink(a, b, round(sim, 4)))
    return out


def near_duplicates(
    texts: Sequence[str], threshold: float = DEFAULT_THRESHOLD
) -> tuple[list[TextLink], npt.NDArray[np.uint32]]:
    """Verified near-duplicate pairs of ``texts`` and the signatures used to find them."""
    shingled = shingle_hashes(texts)
    sig = signatures(shingled)
    valid = shingled.offsets[1:] > shingled.offsets[:-1]
    pairs = candidate_pairs(sig, valid)
    return verify(shingled, sig, pairs, threshold), sig


def estimated_similarity(
    sig: npt.NDArray[np.uint32], a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """MinHash estimate of Jaccard for index pairs, vectorised (used for hub cohesion)."""
    if len(a) == 0:
        return np.zeros(0)
    return np.asarray((sig[a] == sig[b]).mean(axis=1), dtype=np.float64)
