"""Small builders shared by tests: records and files written the way scrapers write them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tracelight.model import Post


def write_jsonl(path: Path, records: Iterable[Mapping[str, Any] | str | bytes]) -> Path:
    """Write records; a str or bytes item is written verbatim as a (possibly bad) line."""
    with path.open("wb") as handle:
        for record in records:
            if isinstance(record, bytes):
                handle.write(record.rstrip(b"\n") + b"\n")
            elif isinstance(record, str):
                handle.write(record.rstrip("\n").encode("utf-8") + b"\n")
            else:
                handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
    return path


def ad(n: int, **fields: Any) -> dict[str, Any]:
    """A plausible generated ad record with a fictional US phone number."""
    record: dict[str, Any] = {
        "id": f"ad-{n}",
        "source": "testsite",
        "url": f"https://testsite.example/ad/{n}",
        "posted_at": "2026-01-02T03:04:05Z",
        "title": f"Sweet girl {n}",
        "body": f"Call me at (415) 555-01{n % 100:02d} tonight",
        "location": "San Francisco",
        "country": "US",
        "language": "en",
    }
    record.update(fields)
    return record


def text_post(
    body: str | None = None,
    *,
    title: str | None = None,
    country: str | None = None,
    language: str | None = None,
    post_id: str = "p1",
) -> Post:
    """A post that is only text: what extractor tests need, nothing else set."""
    return Post(
        id=post_id,
        source="t",
        external_id=None,
        url=None,
        posted_at=None,
        collected_at=None,
        title=title,
        body=body,
        location=None,
        country=country,
        language=language,
    )
