"""Near-duplicate text: shingles, MinHash signatures with ``rensa``, banded LSH, verification.

Operations that rotate phones keep their text: one template, with the name, age, city,
price and contact filled in. Finding posts whose text is nearly the same is therefore
the second way (after shared selectors) of tying posts together.

* **Shingles** are word 3-grams of the title and body after NFKC and lower-casing.
  Digits and emoji are tokens like words (unlike InfoShield, which drops them): a
  price list or an emoji signature is part of what makes a template recognisable.
  Tokenising runs in Arrow's C++ string kernels on two threads and shingles are
  combined from per-token hashes with numpy: a Python regex over a million ads took
  most of the time budget on its own.
* **Signatures** are ``rensa`` MinHash digests computed in bulk from one flat buffer
  of shingle hashes (``digest_matrix_from_flat_token_hashes``).
* **LSH** is done here over the digest matrix with numpy: each band's rows are hashed to
  one 64-bit key and posts with equal keys are candidates. Doing the banding ourselves
  lets very large buckets be detected and treated as what they are (boilerplate or
  empty texts shared by thousands of unrelated posts), instead of exploding into
  millions of candidate pairs: late members of an oversized bucket are chained, not
  paired, by a rule that only looks back (see :func:`bucket_pairs`), which is what lets
  :mod:`tracelight.link.index` add a batch and get what a full run gets.
* **Verification**: every candidate pair is kept only if the *exact* Jaccard similarity
  of the two shingle sets reaches the threshold; the MinHash estimate only proposes.
  Exact Jaccard is computed for all pairs at once with sorted merges (no Python loop).
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import rensa

TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
"""A word (letters and digits together) or any single other visible character (emoji,
punctuation), so ``💋`` and ``|`` are tokens and numbers are kept."""

TOKENIZER = "arrow-nfkc-lower-w3-32bit"
"""Names the text normalisation and shingling; a persisted index built with another
tokenizer is rebuilt, since its links would not be the ones a full relink finds."""
SHINGLE = 3
NUM_PERM = 64
BANDS = 21
ROWS = 3
"""21 bands of 3 rows (63 of the 64 permutations): a pair at Jaccard 0.5 shares a bucket
with probability 1 - (1 - 0.5^3)^21 = 94% (16 x 4 gave 64%, so a third of the true
near-duplicates at the threshold were never proposed), one at 0.1 with 2%. The extra
candidates between 0.3 and 0.5 cost little now that verification is vectorised."""
SEED = 1234
DEFAULT_THRESHOLD = 0.5
"""Exact Jaccard of 3-shingles at or above which two posts are near-duplicates. Posts of
one template with different slot values and optional lines measure 0.3-0.6, unrelated
ads on the same site below 0.05 in 90% of pairs (10k synthetic corpus)."""

BUCKET_CAP = 24
"""Bucket size above which members are chained in order instead of all paired. A
template group of dozens of posts stays connected through its chain and the other
bands, while the pairs to verify fall by half against a cap of 64 (100k synthetic
corpus: 461k instead of 1.08M, pairwise F1 at 10k unchanged at 0.94)."""

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


@dataclass(frozen=True, slots=True)
class Shingled:
    """Shingle hashes of many texts in one flat array: row ``i`` is
    ``hashes[offsets[i]:offsets[i + 1]]``, sorted and distinct."""

    hashes: npt.NDArray[np.uint32]
    offsets: npt.NDArray[np.int64]

    def row(self, i: int) -> npt.NDArray[np.uint32]:
        return self.hashes[self.offsets[i] : self.offsets[i + 1]]


_P = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


WORD_CLASS = r"\p{L}\p{N}_"
_APART = r"([^" + WORD_CLASS + r"\s\p{Z}])"
"""Any visible character that is not part of a word (emoji, punctuation): spaced apart
so that it becomes a token of its own when the text is split on white space."""

WORKERS = 2
"""Threads that shingle chunks side by side: Arrow's string kernels and numpy release the
GIL, so two chunks really run at once on the two cores this is sized for."""


def _tokens(texts: Sequence[str]) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Tokens of every text with Arrow's C++ kernels: NFKC, lower case, emoji and
    punctuation set apart, split on white space. Returns the distinct tokens, each
    token's index into them, and each text's token offsets."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # The array is built from its buffers and read back through them: ``pa.array`` of
    # Python strings and ``np.asarray`` of an Arrow array import pandas on first use
    # (1.3 s, a tenth of a daily batch's budget at 1M posts).
    raw = [t.encode("utf-8", "replace") for t in texts]
    starts = np.zeros(len(raw) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, raw), dtype=np.int64, count=len(raw)), out=starts[1:])
    arr = pa.LargeStringArray.from_buffers(
        len(raw), pa.py_buffer(starts), pa.py_buffer(b"".join(raw))
    )
    del raw
    arr = pc.utf8_lower(pc.utf8_normalize(arr, form="NFKC"))
    arr = pc.replace_substring_regex(arr, pattern=_APART, replacement=r" \1 ")
    lists = pc.utf8_split_whitespace(arr)
    offsets = _int_values(lists.offsets)
    encoded = pc.dictionary_encode(lists.values)
    indices = _int_values(encoded.indices)
    vocab = encoded.dictionary.to_pylist()
    return vocab, indices, offsets


def _int_values(arr: Any) -> npt.NDArray[np.int64]:
    """An Arrow integer array without nulls as int64, read from its data buffer."""
    width = {8: np.int8, 16: np.int16, 32: np.int32, 64: np.int64}[arr.type.bit_width]
    data = np.frombuffer(arr.buffers()[1], dtype=width)
    return data[arr.offset : arr.offset + len(arr)].astype(np.int64)


def _shingle_chunk(
    texts: Sequence[str], vocab: dict[str, int]
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    words, indices, offsets = _tokens(texts)
    table = np.fromiter((vocab[w] for w in words), dtype=np.uint64, count=len(words))
    n = len(texts)
    doc = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    if "" in words:
        # Splitting yields empty strings at leading or trailing white space: not tokens.
        real = indices != words.index("")
        indices, doc = indices[real], doc[real]
    ids = table[indices]
    counts = np.bincount(doc, minlength=n)
    # Position i starts a shingle when tokens i..i+2 are in one text; a text of fewer
    # than three tokens keeps its tokens as shingles, so short texts can still match.
    m = len(ids)
    window = np.zeros(m, dtype=bool)
    hashes = ids.copy()
    if m >= SHINGLE:
        window[: m - 2] = doc[: m - 2] == doc[2:]
        with np.errstate(over="ignore"):
            hashes[: m - 2] = ids[:-2] * _P[0] + ids[1:-1] * _P[1] + ids[2:] * _P[2]
    short = counts < SHINGLE
    keep = window | short[doc] if m else window
    hashes, doc = hashes[keep], doc[keep]
    # Sorted and distinct within each text: one int64 sort on (text, 32 hash bits).
    # 32 bits halve the memory of a million posts' shingles (about 60 each); two
    # shingles of a pair of posts collide with odds of about 1e-6, which moves that
    # pair's Jaccard by under 0.01.
    key = (doc << 32) | (hashes >> np.uint64(32)).astype(np.int64)
    key.sort()
    key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    rows = np.bincount(key >> 32, minlength=n).astype(np.int64)
    return (key & 0xFFFFFFFF).astype(np.uint32), rows


def shingle_hashes(texts: Sequence[str], vocab: dict[str, int] | None = None) -> Shingled:
    """Hashed word 3-shingles of every text, in chunks shingled on ``WORKERS`` threads.

    Tokens are hashed once per distinct token (BLAKE2, the same in every process),
    shingles are combined from the token hashes with numpy, and every row is sorted
    and distinct (a set, as exact Jaccard needs)."""
    from concurrent.futures import ThreadPoolExecutor

    vocab = vocab if vocab is not None else _Vocab()
    chunks = [texts[s : s + CHUNK] for s in range(0, len(texts), CHUNK)]
    if len(chunks) > 1:
        with ThreadPoolExecutor(WORKERS) as pool:
            done = list(pool.map(lambda c: _shingle_chunk(c, vocab), chunks))
    else:
        done = [_shingle_chunk(c, vocab) for c in chunks]
    hashes = np.concatenate([d[0] for d in done]) if done else np.zeros(0, dtype=np.uint32)
    sizes = np.concatenate([d[1] for d in done]) if done else np.zeros(0, dtype=np.int64)
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
            shingled.hashes[lo:hi].astype(np.uint64), rows.astype(np.uint64), NUM_PERM, SEED
        )
        # rensa hands rows back as Python lists; ``fromiter`` over them is several
        # times cheaper than ``asarray`` of nested lists.
        block = np.fromiter(
            itertools.chain.from_iterable(matrix.to_rows()),
            dtype=np.uint32,
            count=(stop - start) * NUM_PERM,
        ).reshape(stop - start, NUM_PERM)
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
    rows = sig[:, : BANDS * ROWS].reshape(n, BANDS, ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        keys = (rows * _MIX[:ROWS]).sum(axis=2, dtype=np.uint64)
        keys ^= np.arange(BANDS, dtype=np.uint64) * np.uint64(0x100000001B3)
    return np.asarray(keys, dtype=np.uint64)


NO_KEYS = np.zeros(0, dtype=np.uint64)
NO_IDX = np.zeros(0, dtype=np.int64)


def _ranges(starts: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])``, vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.cumsum(counts) - counts
    return np.repeat(starts - first, counts) + np.arange(total, dtype=np.int64)


def bucket_pairs(
    old_keys: npt.NDArray[np.uint64],
    old_members: npt.NDArray[np.int64] | npt.NDArray[np.int32],
    new_keys: npt.NDArray[np.uint64],
    new_idx: npt.NDArray[np.int64],
    cap: int,
) -> npt.NDArray[np.int64]:
    """Candidate pairs of one band that involve a new post (see the module docstring).

    ``old_keys``/``old_members``: indexed posts sorted by (key, arrival); ``new_idx`` are
    all later than any indexed post and ascending.
    """
    if len(new_keys) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    order = np.argsort(new_keys, kind="stable")
    keys, idx = new_keys[order], new_idx[order]
    n = len(keys)
    starts = np.r_[True, keys[1:] != keys[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    rank = np.arange(n) - group_start
    lo = np.searchsorted(old_keys, keys, side="left")
    hi = np.searchsorted(old_keys, keys, side="right")
    count = (hi - lo).astype(np.int64)
    k = count + rank
    out: list[npt.NDArray[np.int64]] = []
    # Early members (k < cap): with every earlier indexed member of the bucket...
    sel = (k < cap) & (count > 0)
    if sel.any():
        c = count[sel]
        out.append(np.stack([old_members[_ranges(lo[sel], c)], np.repeat(idx[sel], c)], axis=1))
    # ... and with every earlier new member.
    sel = (k < cap) & (rank > 0)
    if sel.any():
        r = rank[sel]
        out.append(np.stack([idx[_ranges(group_start[sel], r)], np.repeat(idx[sel], r)], axis=1))
    # Late members (k >= cap): with the member just before them only.
    late = k >= cap
    first_new = late & (rank == 0)
    if first_new.any():
        out.append(np.stack([old_members[hi[first_new] - 1], idx[first_new]], axis=1))
    later = late & (rank > 0)
    if later.any():
        pos = np.flatnonzero(later)
        out.append(np.stack([idx[pos - 1], idx[pos]], axis=1))
    if not out:
        return np.zeros((0, 2), dtype=np.int64)
    return np.concatenate(out)


def pair_codes(pairs: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Each pair as one int64 (smaller index above bit 31): half the memory of the pair,
    and one sort finds the repeats across bands."""
    a = np.minimum(pairs[:, 0], pairs[:, 1])
    b = np.maximum(pairs[:, 0], pairs[:, 1])
    return np.asarray((a << 31) | b, dtype=np.int64)


def distinct_pairs(codes: list[npt.NDArray[np.int64]]) -> npt.NDArray[np.int64]:
    """The distinct pairs ``(a, b)``, ``a < b``, of ``pair_codes`` arrays, sorted."""
    code = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
    if len(code) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    code.sort()
    code = code[np.r_[True, code[1:] != code[:-1]]]
    return np.stack([code >> 31, code & ((1 << 31) - 1)], axis=1)


def candidate_pairs(
    sig: npt.NDArray[np.uint32],
    valid: npt.NDArray[np.bool_] | None = None,
    *,
    bucket_cap: int = BUCKET_CAP,
) -> npt.NDArray[np.int64]:
    """Distinct pairs ``(i, j)``, ``i < j``, that share a band bucket under the bucket rule.

    ``valid`` excludes posts (empty texts) from every bucket. The ``k``-th member of a
    bucket (in input order) pairs with all earlier members while ``k < bucket_cap`` and
    with its predecessor only after that, so boilerplate buckets are chained, not
    squared, and the pairs of a prefix of the input never depend on what follows it
    (what makes incremental linking equal to a full relink).
    """
    n = sig.shape[0]
    idx = np.arange(n, dtype=np.int64)
    keys = band_keys(sig)
    if valid is not None:
        idx, keys = idx[valid], keys[valid]
    found = [
        pair_codes(bucket_pairs(NO_KEYS, NO_IDX, keys[:, band], idx, bucket_cap))
        for band in range(BANDS)
    ]
    return distinct_pairs(found)


@dataclass(frozen=True, slots=True)
class TextLink:
    a: int
    b: int
    similarity: float


PAIR_CHUNK = 10_000
ESTIMATE_MARGIN = 0.15
"""Candidates whose MinHash estimate is this far below the threshold are not verified.
On the 100k synthetic corpus, of 138,776 pairs at or above 0.5, 11 had an estimate below
0.35 (0.008%) while the 0.35 cut verified 30% fewer pairs than a 0.3 cut."""


def exact_jaccard(shingled: Shingled, pairs: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Exact Jaccard of the shingle sets of every pair, without a Python loop per pair.

    Rows are sorted and distinct, so laying out the rows of a chunk's pairs one after
    the other, each value tagged with its pair number above the 32 hash bits, gives two
    sorted arrays; merging them puts every shared shingle next to its twin.
    """
    out = np.zeros(len(pairs), dtype=np.float64)
    lengths = np.diff(shingled.offsets)
    for start in range(0, len(pairs), PAIR_CHUNK):
        chunk = pairs[start : start + PAIR_CHUNK]
        la, lb = lengths[chunk[:, 0]], lengths[chunk[:, 1]]
        tag = np.arange(len(chunk), dtype=np.int64) << 32
        ea = shingled.hashes[_ranges(shingled.offsets[chunk[:, 0]], la)].astype(np.int64)
        ea |= np.repeat(tag, la)
        eb = shingled.hashes[_ranges(shingled.offsets[chunk[:, 1]], lb)].astype(np.int64)
        eb |= np.repeat(tag, lb)
        # Two sorted runs: a stable sort merges them in linear time (timsort), and a
        # shingle on both sides of a pair shows up as two equal neighbours.
        both = np.concatenate([ea, eb])
        both.sort(kind="stable")
        shared = both[1:][both[1:] == both[:-1]]
        inter = np.bincount(shared >> 32, minlength=len(chunk))
        union = la + lb - inter
        out[start : start + len(chunk)] = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    return out


def verify_pairs(
    shingled: Shingled,
    sig: npt.NDArray[np.uint32],
    pairs: npt.NDArray[np.int64],
    threshold: float = DEFAULT_THRESHOLD,
) -> npt.NDArray[np.float64]:
    """Candidate pairs whose exact Jaccard of shingle sets reaches ``threshold``, as rows
    ``(a, b, similarity)``.

    The MinHash estimate first drops pairs far below the threshold (``ESTIMATE_MARGIN``),
    then the exact similarity is computed for the rest and is what is kept as evidence.
    """
    if len(pairs) == 0:
        return np.zeros((0, 3), dtype=np.float64)
    return exact_links(shingled, pairs[likely_pairs(sig, pairs, threshold)], threshold)


def likely_pairs(
    sig: npt.NDArray[np.uint32],
    pairs: npt.NDArray[np.int64],
    threshold: float = DEFAULT_THRESHOLD,
) -> npt.NDArray[np.bool_]:
    """Which candidate pairs are worth an exact comparison: MinHash estimate at least
    ``threshold - ESTIMATE_MARGIN``. Apart from :func:`exact_links` so that a
    distributed run can bring the shingle sets only to the pairs that pass (about a
    third of the candidates)."""
    keep = np.zeros(len(pairs), dtype=bool)
    for start in range(0, len(pairs), PAIR_CHUNK):
        chunk = pairs[start : start + PAIR_CHUNK]
        est = estimated_similarity(sig, chunk[:, 0], chunk[:, 1])
        keep[start : start + len(chunk)] = est >= threshold - ESTIMATE_MARGIN
    return keep


def exact_links(
    shingled: Shingled, pairs: npt.NDArray[np.int64], threshold: float = DEFAULT_THRESHOLD
) -> npt.NDArray[np.float64]:
    """The pairs whose exact Jaccard, rounded to 4 places (the evidence kept), reaches
    ``threshold``, as rows ``(a, b, similarity)``."""
    sim = np.round(exact_jaccard(shingled, pairs), 4)
    ok = sim >= threshold
    return np.column_stack([pairs[ok].astype(np.float64), sim[ok]])


def verify(
    shingled: Shingled,
    sig: npt.NDArray[np.uint32],
    pairs: npt.NDArray[np.int64],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[TextLink]:
    """:func:`verify_pairs` as :class:`TextLink` records."""
    rows = verify_pairs(shingled, sig, pairs, threshold)
    return [TextLink(int(a), int(b), float(s)) for a, b, s in rows.tolist()]


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
