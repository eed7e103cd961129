"""EXIF evidence: the camera, the capture time and the GPS position an image carries.

EXIF can place a victim (GPS), date a photo independently of the ad (capture time) and
tie photos to one phone (camera make, model, serial). It is stored as evidence and is
sensitive: the store keeps it in its own table so that only the right role reads it.
Only a fixed list of tags is kept, as plain JSON-safe values; maker notes and binary
blobs are dropped, since they are bulky, opaque and attacker-controlled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from PIL import ExifTags, Image

_BASE_TAGS = {
    ExifTags.Base.Make: "make",
    ExifTags.Base.Model: "model",
    ExifTags.Base.Software: "software",
    ExifTags.Base.DateTime: "datetime",
    ExifTags.Base.Orientation: "orientation",
    ExifTags.Base.BodySerialNumber: "body_serial",
    ExifTags.Base.LensModel: "lens_model",
}
_EXIF_IFD_TAGS = {
    ExifTags.Base.DateTimeOriginal: "datetime_original",
    ExifTags.Base.DateTimeDigitized: "datetime_digitized",
    ExifTags.Base.OffsetTimeOriginal: "offset_time_original",
    ExifTags.Base.BodySerialNumber: "body_serial",
    ExifTags.Base.LensModel: "lens_model",
}
MAX_TEXT = 200


@dataclass(frozen=True, slots=True)
class ExifEvidence:
    """What EXIF says, reduced to the fields an investigator uses. ``tags``: all kept tags."""

    camera: str | None
    captured_at: str | None
    gps_lat: float | None
    gps_lon: float | None
    tags: dict[str, Any]


def read_exif(image: Image.Image) -> ExifEvidence | None:
    """The EXIF evidence of an opened image, or ``None`` when it carries none we keep."""
    try:
        exif = image.getexif()
    except (OSError, ValueError, SyntaxError):
        return None
    if not exif:
        return None
    tags: dict[str, Any] = {}
    for tag, name in _BASE_TAGS.items():
        value = _plain(exif.get(tag))
        if value is not None:
            tags[name] = value
    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
    except (OSError, ValueError, KeyError, SyntaxError):
        sub = {}
    for tag, name in _EXIF_IFD_TAGS.items():
        value = _plain(sub.get(tag))
        if value is not None:
            tags.setdefault(name, value)
    lat = lon = None
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except (OSError, ValueError, KeyError, SyntaxError):
        gps = {}
    if gps:
        lat = _coordinate(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef))
        lon = _coordinate(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef))
        if lat is not None and not -90 <= lat <= 90:
            lat = None
        if lon is not None and not -180 <= lon <= 180:
            lon = None
        if lat is not None and lon is not None:
            tags["gps"] = [lat, lon]
    if not tags:
        return None
    camera = " ".join(str(tags[k]) for k in ("make", "model") if k in tags) or None
    captured = tags.get("datetime_original") or tags.get("datetime")
    return ExifEvidence(
        camera=camera,
        captured_at=str(captured)[:32] if captured is not None else None,
        gps_lat=lat,
        gps_lon=lon,
        tags=tags,
    )


def _plain(value: Any) -> str | int | float | None:
    """A JSON-safe scalar, or ``None`` for absent, binary or nonsense values."""
    if value is None or isinstance(value, bytes | bytearray | tuple | dict):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    try:
        number = float(value)  # IFDRational
    except (TypeError, ValueError, ZeroDivisionError):
        number = None
    if number is not None and not isinstance(value, str):
        return number if math.isfinite(number) else None
    text = str(value).replace("\x00", "").strip()
    return text[:MAX_TEXT] or None


def _coordinate(dms: Any, ref: Any) -> float | None:
    """Degrees/minutes/seconds rationals and an N/S/E/W reference as signed degrees."""
    try:
        degrees, minutes, seconds = (float(part) for part in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if not math.isfinite(value):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if str(ref).strip().upper() in {"S", "W"}:
        value = -value
    return round(value, 7)
