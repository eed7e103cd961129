"""The per-image analysis stage: bytes in, decode verdict, EXIF, PDQ and faces out.

A pure function over a batch, so the pipeline can run it in a process pool or on
Spark like every other stage. Face models load on first use in each worker process
and stay loaded (``faces.default_encoder``), never once per image.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracelight.vision.decode import Decoded, DecodeLimits, decode_image
from tracelight.vision.exif import ExifEvidence
from tracelight.vision.pdq import pdq_hash


@dataclass(frozen=True, slots=True)
class ImageTask:
    sha256: str
    data: bytes | None
    media_type: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class FaceRecord:
    box: tuple[int, int, int, int]
    embedding: bytes
    """128 little-endian float32 values."""


@dataclass(frozen=True, slots=True)
class ImageResult:
    sha256: str
    status: str
    reason: str | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    pdq: str | None = None
    quality: int | None = None
    pdq_dihedral: tuple[str, ...] = ()
    exif: ExifEvidence | None = None
    faces: tuple[FaceRecord, ...] | None = None
    face_error: str | None = None


@dataclass(frozen=True, slots=True)
class VisionBatch:
    tasks: list[ImageTask]
    faces: bool = False
    limits: DecodeLimits = field(default_factory=DecodeLimits)


def analyze_image(task: ImageTask, *, faces: bool, limits: DecodeLimits) -> ImageResult:
    """One image's verdict. Never raises for bad bytes: a bad image is a result too."""
    if task.data is None:
        return ImageResult(task.sha256, "rejected", "missing: the image bytes are not stored")
    decoded = decode_image(task.data, limits=limits, media_type=task.media_type, name=task.name)
    if not isinstance(decoded, Decoded):
        return ImageResult(task.sha256, "rejected", f"{decoded.code}: {decoded.reason}")
    digest = pdq_hash(decoded.image, dihedral=True)
    found: tuple[FaceRecord, ...] | None = None
    face_error = None
    if faces:
        from tracelight.vision.faces import FaceModelsMissing, default_encoder

        try:
            encoded = default_encoder().encode(decoded.image)
        except FaceModelsMissing as exc:
            face_error = str(exc)
        else:
            found = tuple(FaceRecord(f.box, f.embedding.astype("<f4").tobytes()) for f in encoded)
    return ImageResult(
        sha256=task.sha256,
        status="ok",
        format=decoded.format,
        width=decoded.width,
        height=decoded.height,
        pdq=digest.hex,
        quality=digest.quality,
        pdq_dihedral=digest.dihedral,
        exif=decoded.exif,
        faces=found,
        face_error=face_error,
    )


def vision_batch(batch: VisionBatch) -> list[ImageResult]:
    """The stage function the engines map over batches of images."""
    return [analyze_image(t, faces=batch.faces, limits=batch.limits) for t in batch.tasks]
