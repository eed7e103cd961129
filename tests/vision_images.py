"""Generated test images for the vision tests: textured, deterministic, no real people."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def photo(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A photo-like RGB image: smooth random structure plus some edges, unique per seed."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    base = Image.fromarray(coarse, "RGB").resize(size, Image.Resampling.BICUBIC)
    detail = rng.integers(0, 256, size=(24, 32, 3), dtype=np.uint8)
    texture = Image.fromarray(detail, "RGB").resize(size, Image.Resampling.BILINEAR)
    return Image.blend(base, texture, 0.35)


def encode(image: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def png_bomb(width: int = 40_000, height: int = 40_000) -> bytes:
    """A tiny, valid-looking PNG whose header declares a huge canvas.

    A real bomb's IDAT would inflate to width x height pixels; the header alone is what
    a safe decoder must refuse on, before inflating anything.
    """
    data = encode(Image.new("L", (8, 8)), "PNG")
    ihdr_at = data.index(b"IHDR")
    fields = struct.pack(">II", width, height) + data[ihdr_at + 12 : ihdr_at + 17]
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + fields) & 0xFFFFFFFF)
    return data[:ihdr_at] + b"IHDR" + fields + crc + data[ihdr_at + 21 :]
