"""Generated "photos" and their reused copies.

A photo is an abstract picture (gradient, large random shapes, soft noise) drawn
from a seed, so two photos differ in their coarse structure and a perceptual hash
such as PDQ tells them apart, while the copies of one photo (re-encoded at
another quality, resized, slightly cropped, saved as PNG) keep that structure and
hash close: exactly the reuse an image-matching stage must find. Files are
written once, on first use, and their number is capped so a million-post corpus
does not write a million images. Save parameters are fixed, so the bytes are
reproducible for a given Pillow version.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from random import Random

from PIL import Image, ImageDraw

VARIANTS = ("original", "requality", "resized", "cropped", "png")
"""Variant 0 is the photo as first posted; the others are light transformations."""


@dataclass(frozen=True, slots=True)
class ImageUse:
    """One image reference of a post, with the base photo it shows (ground truth)."""

    uri: str
    photo: str
    variant: str


class ImageBank:
    """Allocates photos and writes their variant files on first use, within a cap."""

    def __init__(self, images_dir: Path, seed: int, cap: int) -> None:
        self._dir = images_dir
        self._seed = seed
        self._cap = cap
        self._photos = 0
        self._originals = 0
        self._files: dict[tuple[str, int], str] = {}

    @property
    def files_written(self) -> int:
        return len(self._files)

    @property
    def photos(self) -> int:
        return self._photos

    def new_photo(self) -> str | None:
        """A fresh photo id, or ``None`` once the file budget is spent.

        A photo reserves one file (its original) so every photo handed out can
        always be shown; further variants are written while budget remains.
        """
        if self._photos >= self._cap:
            return None
        self._photos += 1
        return f"ph{self._photos:05d}"

    def use(self, photo: str, variant: int) -> ImageUse:
        """The file showing ``photo`` as ``variant``, written now if it is new.

        A new variant is only written while the budget allows it after keeping
        room for every photo's original; otherwise the original is reused.
        """
        key = (photo, variant)
        if variant and key not in self._files:
            pending_originals = self._photos - self._originals
            if len(self._files) + pending_originals >= self._cap:
                key = (photo, 0)
        if key not in self._files:
            self._files[key] = self._write(*key)
            if key[1] == 0:
                self._originals += 1
        return ImageUse(self._files[key], photo, VARIANTS[key[1]])

    def _write(self, photo: str, variant: int) -> str:
        kind = VARIANTS[variant]
        base = draw_photo(self._seed, photo)
        rng = Random(f"{self._seed}:{photo}:{variant}")
        if kind == "resized":
            factor = rng.uniform(0.6, 0.85)
            size = (max(64, int(base.width * factor)), max(64, int(base.height * factor)))
            base = base.resize(size, Image.Resampling.BILINEAR)
        elif kind == "cropped":
            dx = int(base.width * rng.uniform(0.03, 0.08))
            dy = int(base.height * rng.uniform(0.03, 0.08))
            base = base.crop((dx, dy, base.width - dx, base.height - dy))
        digest = hashlib.sha256(f"{self._seed}:{photo}:{variant}".encode()).hexdigest()[:12]
        if kind == "png" or (kind == "original" and int(digest[0], 16) < 3):
            name = f"{digest}.png"
            base.save(self._dir / name, format="PNG", optimize=False, compress_level=1)
        else:
            quality = rng.randint(55, 72) if kind == "requality" else 88
            name = f"{digest}.jpg"
            base.save(
                self._dir / name,
                format="JPEG",
                quality=quality,
                optimize=False,
                progressive=False,
                subsampling=2,
            )
        return f"images/{name}"


def draw_photo(seed: int, photo: str) -> Image.Image:
    """The base picture of ``photo``: deterministic in (seed, photo id).

    Large shapes on a gradient give each photo its own coarse structure (what
    perceptual hashes see); a soft, low-resolution noise layer keeps it from
    being flat, the way camera pictures are never flat.
    """
    rng = Random(f"{seed}:{photo}")
    width = rng.randrange(128, 257, 8)
    height = rng.randrange(128, 257, 8)
    top = tuple(rng.randrange(256) for _ in range(3))
    bottom = tuple(rng.randrange(256) for _ in range(3))
    gradient = _gradient(rng.random() < 0.5, width, height)
    image = Image.composite(
        Image.new("RGB", (width, height), bottom),
        Image.new("RGB", (width, height), top),
        gradient,
    )
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(5, 11)):
        colour = tuple(rng.randrange(256) for _ in range(3))
        x0, y0 = rng.randrange(-width // 4, width), rng.randrange(-height // 4, height)
        x1 = x0 + rng.randrange(width // 5, width)
        y1 = y0 + rng.randrange(height // 5, height)
        shape = rng.randrange(3)
        if shape == 0:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        elif shape == 1:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            points = [(rng.randrange(width), rng.randrange(height)) for _ in range(3)]
            draw.polygon(points, fill=colour)
    small = (width // 4, height // 4)
    noise = Image.frombytes("RGB", small, rng.randbytes(small[0] * small[1] * 3))
    return Image.blend(image, noise.resize((width, height), Image.Resampling.BILINEAR), 0.15)


@functools.lru_cache(maxsize=32)
def _gradient(vertical: bool, width: int, height: int) -> Image.Image:
    base = Image.linear_gradient("L")
    if vertical:
        base = base.transpose(Image.Transpose.ROTATE_90)
    return base.resize((width, height))
