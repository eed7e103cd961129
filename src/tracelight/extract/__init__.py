"""Extraction: the selectors and facts written in a post, each with its exact span.

Extractors are pure functions ``(post) -> mentions`` over the original text, so they
run unchanged in a worker process or a Spark executor. ``EXTRACTOR_VERSION`` changes
whenever any extractor's output could change, so ``analyze`` knows which posts to
extract again.
"""

# ruff: noqa: E402
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from tracelight.extract.compiled import Choice, install

RUNTIME: Choice = install(Path(__file__).resolve().parent)
"""Whether the extractors imported below run compiled or from their sources (decided
before the first of them is imported; see :mod:`tracelight.extract.compiled`)."""

# isort: split
# The extractors are imported only now, after the choice above (E402 is deliberate).
from tracelight.extract.age import extract_ages
from tracelight.extract.email import extract_emails
from tracelight.extract.handle import extract_handles
from tracelight.extract.indicator import extract_indicators
from tracelight.extract.location import extract_locations
from tracelight.extract.name import extract_names
from tracelight.extract.obfuscated_email import extract_obfuscated_emails
from tracelight.extract.phone import extract_phones
from tracelight.extract.price import extract_prices
from tracelight.extract.url import extract_urls
from tracelight.extract.wallet import extract_wallets
from tracelight.model import Mention, Post
from tracelight.model.post import FIELDS

EXTRACTOR_VERSION = 6

Extractor = Callable[[Post, str, str], list[Mention]]
"""``(post, field name, field text) -> mentions`` with spans into that text."""

EXTRACTORS: tuple[Extractor, ...] = (
    extract_phones,
    extract_emails,
    extract_obfuscated_emails,
    extract_handles,
    extract_urls,
    extract_wallets,
    extract_indicators,
    extract_ages,
    extract_prices,
    extract_locations,
    extract_names,
)


def extract_post(post: Post) -> list[Mention]:
    """All mentions in a post, in field then position order, without duplicates."""
    found: list[Mention] = []
    for name in FIELDS:
        text = post.text(name)
        if not text:
            continue
        for extractor in EXTRACTORS:
            found.extend(extractor(post, name, text))
    unique = {(m.kind, m.value, m.field, m.start, m.end): m for m in found}
    return sorted(unique.values(), key=lambda m: (m.field, m.start, m.end, m.kind, m.value))


def extract_batch(posts: Iterable[Post]) -> list[tuple[str, list[Mention]]]:
    """The extract stage over one batch: each post id with its mentions (possibly none).

    Posts with no mention are returned too, so the loader can mark them done.
    """
    return [(post.id, extract_post(post)) for post in posts]


__all__ = ["EXTRACTORS", "EXTRACTOR_VERSION", "RUNTIME", "extract_batch", "extract_post"]
