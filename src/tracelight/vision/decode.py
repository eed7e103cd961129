"""Decode untrusted image bytes behind explicit limits, or say exactly why not.

Ad images are attacker-controlled. A few hundred bytes of PNG can declare a
100 000 x 100 000 canvas (a decompression bomb), a file can stop half way, and a file
can claim to be one format while holding another (or no image at all). Each of those
becomes a :class:`Rejected` with a reason the analyst can read; the post that carried
the image is kept either way, because the post is evidence whatever its image holds.

The pixel limit is checked from the header *before* any pixel is decoded, and Pillow is
only ever asked to open the formats we allow, so its other (rarely exercised) decoders
never see attacker bytes. Pillow's process-wide ``MAX_IMAGE_PIXELS`` is left alone:
limits here are per call, so callers with different needs do not fight over a global.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError

from tracelight.vision.exif import ExifEvidence, read_exif

# Formats as Pillow names them, and the media types and file suffixes that declare them.
DEFAULT_FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP", "BMP"})
MEDIA_TYPES: dict[str, str] = {
    "image/jpeg": "JPEG",
    "image/jpg": "JPEG",
    "image/pjpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/bmp": "BMP",
    "image/x-ms-bmp": "BMP",
    "image/tiff": "TIFF",
}
SUFFIXES: dict[str, str] = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jpe": "JPEG",
    ".png": "PNG",
    ".gif": "GIF",
    ".webp": "WEBP",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
}


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    """What an image may be before we decode it. Defaults suit ad photos comfortably."""

    max_bytes: int = 25 * 1024 * 1024
    max_pixels: int = 50_000_000
    max_side: int = 20_000
    formats: frozenset[str] = DEFAULT_FORMATS


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded image: RGB pixels upright (EXIF orientation applied) and its evidence."""

    image: Image.Image
    format: str
    width: int
    height: int
    exif: ExifEvidence | None = field(default=None)


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why an image was not decoded. ``code`` is stable for counting; ``reason`` is prose."""

    code: str
    reason: str


def declared_format(media_type: str | None, name: str | None = None) -> str | None:
    """The format a media type (preferred) or a file name claims, if it claims one we know."""
    if media_type:
        known = MEDIA_TYPES.get(media_type.split(";", 1)[0].strip().lower())
        if known:
            return known
    if name:
        dot = name.rfind(".")
        if dot >= 0:
            return SUFFIXES.get(name[dot:].lower().split("?", 1)[0])
    return None


def decode_image(
    data: bytes,
    *,
    limits: DecodeLimits | None = None,
    media_type: str | None = None,
    name: str | None = None,
) -> Decoded | Rejected:
    """Decode ``data`` into an upright RGB image, or reject it with a reason.

    ``media_type`` (an HTTP Content-Type or a blob's recorded type) and ``name`` (a URL
    or file name) are what the source *claimed*; a mismatch with the content is a
    rejection, because a file lying about its type is either broken or hostile.
    """
    limits = limits or DecodeLimits()
    if not data:
        return Rejected("empty", "the file is empty")
    if len(data) > limits.max_bytes:
        return Rejected(
            "too_large", f"file is {len(data):,} bytes; the limit is {limits.max_bytes:,}"
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns (rather than fails) on moderately large images; our own
            # limit below decides, so its warning is only noise here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=sorted(limits.formats))
    except UnidentifiedImageError:
        return Rejected("not_image", "content is not an image in an allowed format")
    except Image.DecompressionBombError as exc:
        return Rejected("bomb", f"decompression bomb refused: {exc}")
    except (OSError, SyntaxError, ValueError) as exc:
        return Rejected("corrupt", f"header could not be read: {exc}")
    fmt = image.format or "?"
    claimed = declared_format(media_type, name)
    if claimed is not None and claimed != fmt:
        return Rejected("type_mismatch", f"declared {claimed} but the content is {fmt}")
    width, height = image.size
    if width <= 0 or height <= 0:
        return Rejected("corrupt", f"image declares an empty canvas {width}x{height}")
    if width * height > limits.max_pixels or max(width, height) > limits.max_side:
        return Rejected(
            "bomb",
            f"decompression bomb refused: {width}x{height} = {width * height:,} pixels "
            f"(limit {limits.max_pixels:,} pixels, {limits.max_side:,} per side)",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()
            exif = read_exif(image)
            upright = ImageOps.exif_transpose(image)
            rgb = _to_rgb(upright)
    except Image.DecompressionBombError as exc:
        return Rejected("bomb", f"decompression bomb refused: {exc}")
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        message = str(exc) or type(exc).__name__
        code = "truncated" if "truncated" in message or isinstance(exc, EOFError) else "corrupt"
        return Rejected(code, f"pixels could not be decoded: {message}")
    return Decoded(image=rgb, format=fmt, width=rgb.width, height=rgb.height, exif=exif)


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB, with transparency composited on white, so hashes see what a viewer sees."""
    if image.mode == "RGB":
        return image
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    if image.mode in {"I", "I;16", "F"}:
        # 32-bit and float greyscale: scale into 8 bits instead of clipping to white.
        return ImageOps.autocontrast(image.convert("F").convert("L")).convert("RGB")
    return image.convert("RGB")
