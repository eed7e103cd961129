"""Keccak-256 as Ethereum and Monero use it, in pure Python.

Why not :func:`hashlib.sha3_256`: FIPS 202 SHA-3 pads messages with the domain bits
``0b01`` before the ``10*1`` padding (first pad byte ``0x06``), while Ethereum's
EIP-55 checksum and Monero's address checksum were fixed before FIPS 202 and use the
original Keccak submission's padding (first pad byte ``0x01``). Same permutation,
different digests. The standard library offers no Keccak-256, and a dependency for
two dozen bytes per address is not worth it: addresses are short, so a plain sponge
over the Keccak-f[1600] permutation is fast enough (about a millisecond per hash,
and the wallet extractor only hashes candidates that could be checksummed).

The round constants and rotation offsets are derived here from their definitions in
FIPS 202 (section 3.2) rather than typed in, so there is no table to mistype; the
tests check the result against published digests and against :mod:`hashlib`'s SHA-3
and SHAKE (same sponge, different padding byte).
"""

from __future__ import annotations

_MASK = (1 << 64) - 1
_ROUNDS = 24


def _round_constants() -> tuple[int, ...]:
    """Iota's constants: bit ``2**j - 1`` of round ``i`` is ``rc(j + 7 i)`` (FIPS 202 alg. 5/6)."""

    def rc(t: int) -> int:
        r = 1
        for _ in range(t % 255):
            r <<= 1
            if r & 0x100:
                r ^= 0x171  # x^8 + x^6 + x^5 + x^4 + 1
        return r & 1

    return tuple(sum(rc(j + 7 * i) << ((1 << j) - 1) for j in range(7)) for i in range(_ROUNDS))


def _rotations() -> tuple[int, ...]:
    """Rho's offsets per lane ``x + 5 y``: the triangular numbers along pi's walk."""
    offsets = [0] * 25
    x, y = 1, 0
    for t in range(24):
        offsets[x + 5 * y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return tuple(offsets)


ROUND_CONSTANTS = _round_constants()
ROTATIONS = _rotations()
# Pi moves lane (x, y) to (y, 2x + 3y); precomputed as a flat destination index.
_PI_DEST = tuple(y + 5 * ((2 * x + 3 * y) % 5) for y in range(5) for x in range(5))
_PI_SRC = tuple(x + 5 * y for y in range(5) for x in range(5))


def _permute(lanes: list[int]) -> None:
    """Keccak-f[1600] in place on 25 little-endian 64-bit lanes indexed ``x + 5 y``."""
    b = [0] * 25
    for rc in ROUND_CONSTANTS:
        # Theta: xor each lane with the parities of two neighbouring columns.
        c = [
            lanes[x] ^ lanes[x + 5] ^ lanes[x + 10] ^ lanes[x + 15] ^ lanes[x + 20]
            for x in range(5)
        ]
        for x in range(5):
            right = c[(x + 1) % 5]
            d = c[(x - 1) % 5] ^ (((right << 1) | (right >> 63)) & _MASK)
            for y in range(0, 25, 5):
                lanes[x + y] ^= d
        # Rho and pi: rotate each lane and move it.
        for src, dest in zip(_PI_SRC, _PI_DEST, strict=True):
            lane, r = lanes[src], ROTATIONS[src]
            b[dest] = ((lane << r) | (lane >> (64 - r))) & _MASK if r else lane
        # Chi: the only non-linear step, along rows.
        for y in range(0, 25, 5):
            row = b[y : y + 5]
            for x in range(5):
                lanes[x + y] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5])
        # Iota: break the symmetry between rounds.
        lanes[0] ^= rc


def keccak(
    data: bytes | bytearray | memoryview,
    *,
    rate: int = 136,
    suffix: int = 0x01,
    digest_size: int = 32,
) -> bytes:
    """The Keccak sponge: absorb ``data`` in ``rate``-byte blocks, squeeze ``digest_size``.

    ``suffix`` is the first padding byte: ``0x01`` is original Keccak (Ethereum, Monero),
    ``0x06`` FIPS SHA-3, ``0x1f`` SHAKE. The defaults give Keccak-256.
    """
    if not (0 < rate < 200 and rate % 8 == 0):
        raise ValueError(f"rate must be a multiple of 8 bytes below 200, not {rate}")
    if not 0 < suffix < 0x80:
        raise ValueError(f"suffix must be in 1..0x7f, not {suffix:#x}")
    padded = bytearray(data)
    padded.append(suffix)
    padded.extend(bytes(-len(padded) % rate))
    padded[-1] |= 0x80
    lanes = [0] * 25
    words = rate // 8
    for offset in range(0, len(padded), rate):
        for i in range(words):
            start = offset + 8 * i
            lanes[i] ^= int.from_bytes(padded[start : start + 8], "little")
        _permute(lanes)
    out = bytearray()
    while True:
        out.extend(b"".join(lane.to_bytes(8, "little") for lane in lanes[:words]))
        if len(out) >= digest_size:
            return bytes(out[:digest_size])
        _permute(lanes)


def keccak256(data: bytes | bytearray | memoryview) -> bytes:
    """Keccak-256 (original padding), the hash of EIP-55 and Monero address checksums."""
    return keccak(data)


__all__ = ["keccak", "keccak256"]
