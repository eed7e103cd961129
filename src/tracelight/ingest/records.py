"""Turning one loosely-typed scrape record into a :class:`Post`, or a reasoned reject.

JSON Lines, CSV and Parquet exports share the same field names; this module is the
one place that knows them, so every tabular reader validates the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracelight.model import ImageBlob, ImageRef, Post, Reject, post_id_for, sha256_hex

KNOWN_FIELDS = frozenset(
    {
        "id",
        "source",
        "url",
        "posted_at",
        "collected_at",
        "title",
        "body",
        "location",
        "country",
        "language",
        "images",
    }
)
TEXT_FIELDS = ("source", "url", "title", "body", "location", "language")

MAX_TEXT_CHARS = 1_000_000
"""A post longer than this is not an ad; bounding it bounds every later stage."""

MAX_IMAGE_BYTES = 50 * 1024 * 1024
"""Image files above this are recorded by reference only (a guard, not a judgement)."""

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"})

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^data:|^//")


class RecordError(ValueError):
    """A record that cannot become a post; the message is the reason shown to the user."""


def parse_time(value: Any, name: str) -> datetime | None:
    """ISO 8601 to an aware UTC datetime; naive times are taken as UTC.

    Scrapers disagree on zones; normalising to UTC keeps timelines comparable, and
    treating naive stamps as UTC is stated here rather than guessed per source.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise RecordError(f"{name}: not an ISO 8601 time: {value[:40]!r}") from exc
    else:
        raise RecordError(f"{name}: expected an ISO 8601 string, got {type(value).__name__}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _text(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordError(f"{name}: expected text, got {type(value).__name__}")
    text = str(value)
    if len(text) > MAX_TEXT_CHARS:
        raise RecordError(f"{name}: longer than {MAX_TEXT_CHARS} characters")
    if "\x00" in text:
        raise RecordError(f"{name}: contains NUL characters")
    return text if text != "" else None


def _image_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise RecordError("images: not a JSON list") from exc
        else:
            # CSV exports flatten lists; both separators are seen in the wild.
            return [part.strip() for part in re.split(r"[|;]", stripped) if part.strip()]
    if hasattr(value, "tolist"):  # numpy / arrow arrays from Parquet
        value = value.tolist()
    if not isinstance(value, list | tuple):
        raise RecordError(f"images: expected a list, got {type(value).__name__}")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise RecordError(f"images: expected text items, got {type(item).__name__}")
        if item.strip():
            out.append(item.strip())
    return out


def resolve_images(
    uris: list[str], base_dir: Path | None, origin: str, locator: str
) -> tuple[tuple[ImageRef, ...], list[ImageBlob]]:
    """Read images that live beside the source; record, never fetch, the rest.

    Paths are confined to the source's folder: a record naming ``../../etc/passwd``
    is hostile input and must not pull local files into the evidence store.
    """
    refs: list[ImageRef] = []
    blobs: list[ImageBlob] = []
    for uri in uris:
        if _URL_SCHEME.match(uri) or base_dir is None:
            refs.append(ImageRef(uri=uri, status="remote"))
            continue
        root = base_dir.resolve()
        path = (root / uri).resolve()
        if not path.is_relative_to(root):
            refs.append(ImageRef(uri=uri, status="refused"))
            continue
        try:
            size = path.stat().st_size
            if size > MAX_IMAGE_BYTES:
                refs.append(ImageRef(uri=uri, status="oversize"))
                continue
            data = path.read_bytes()
        except FileNotFoundError:
            refs.append(ImageRef(uri=uri, status="missing"))
            continue
        except OSError:
            refs.append(ImageRef(uri=uri, status="unreadable"))
            continue
        digest = sha256_hex(data)
        refs.append(ImageRef(uri=uri, sha256=digest, status="local"))
        blobs.append(
            ImageBlob(
                sha256=digest,
                uri=uri,
                media_type=_media_type(path.suffix),
                data=data,
                origin=origin,
                locator=locator,
            )
        )
    return tuple(refs), blobs


def _media_type(suffix: str) -> str | None:
    return {
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".png": "image/png",
        ".gif": "image/gif",
        ".webp": "image/webp",
        ".bmp": "image/bmp",
        ".tif": "image/tiff",
        ".tiff": "image/tiff",
    }.get(suffix.lower())


def _json_safe(value: Any) -> Any:
    """Unknown fields are kept as metadata; make them storable as JSON."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return _json_safe(value.tolist())
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def post_from_record(
    record: Mapping[str, Any],
    *,
    origin: str,
    locator: str,
    base_dir: Path | None,
    default_source: str,
    default_country: str | None = None,
    raw_sha256: str | None = None,
) -> tuple[Post, list[ImageBlob]]:
    """Validate one record; raise :class:`RecordError` with the reason if it is unusable."""
    if not isinstance(record, Mapping):
        raise RecordError(f"expected an object, got {type(record).__name__}")
    texts = {name: _text(record, name) for name in TEXT_FIELDS}
    if not (texts["title"] or texts["body"]):
        raise RecordError("missing text: neither 'title' nor 'body' is present")
    external = record.get("id")
    if external is not None and (isinstance(external, bool) or not isinstance(external, str | int)):
        raise RecordError(f"id: expected text or integer, got {type(external).__name__}")
    external_id = str(external) if external not in (None, "") else None
    country_raw = _text(record, "country") or default_country
    if country_raw is not None and not _COUNTRY.match(country_raw):
        raise RecordError(f"country: expected an ISO 3166-1 alpha-2 code, got {country_raw[:20]!r}")
    country = country_raw.upper() if country_raw else None
    posted_at = parse_time(record.get("posted_at"), "posted_at")
    collected_at = parse_time(record.get("collected_at"), "collected_at")
    source = texts["source"] or default_source
    image_uris = _image_list(record.get("images"))
    images, blobs = resolve_images(image_uris, base_dir, origin, locator)
    metadata = {
        str(key): _json_safe(value)
        for key, value in record.items()
        if key not in KNOWN_FIELDS and value is not None
    }
    post = Post(
        id=post_id_for(source, external_id, texts["url"], texts["title"], texts["body"]),
        source=source,
        external_id=external_id,
        url=texts["url"],
        posted_at=posted_at,
        collected_at=collected_at,
        title=texts["title"],
        body=texts["body"],
        location=texts["location"],
        country=country,
        language=texts["language"],
        images=images,
        metadata=metadata,
        origin=origin,
        locator=locator,
        raw_sha256=raw_sha256,
    )
    return post, blobs


def record_items(
    record: Mapping[str, Any],
    *,
    origin: str,
    locator: str,
    base_dir: Path | None,
    default_source: str,
    default_country: str | None,
    raw_sha256: str,
    raw: bytes | str,
) -> Iterator[ImageBlob | Post | Reject]:
    """One record as the items a reader yields: its image blobs then the post, or a
    reject quoting ``raw`` when the record is unusable. Every reader ends here."""
    try:
        post, blobs = post_from_record(
            record,
            origin=origin,
            locator=locator,
            base_dir=base_dir,
            default_source=default_source,
            default_country=default_country,
            raw_sha256=raw_sha256,
        )
    except RecordError as exc:
        yield reject(origin, locator, str(exc), raw)
        return
    yield from blobs
    yield post


def excerpt(raw: bytes | str, limit: int = 200) -> str:
    """A short, printable piece of a bad record so the reject can be recognised."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    text = text.strip()
    return text[:limit] + ("…" if len(text) > limit else "")


def reject(origin: str, locator: str, reason: str, raw: bytes | str = b"") -> Reject:
    return Reject(origin=origin, locator=locator, reason=reason, excerpt=excerpt(raw))
