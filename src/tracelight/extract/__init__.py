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
from tracelight.extract.tokens import FIELDS_KEPT
from tracelight.extract.url import extract_urls
from tracelight.extract.wallet import extract_wallets
from tracelight.model import Mention, Post
from tracelight.model.post import FIELDS

EXTRACTOR_VERSION = 8

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


BATCH_POSTS = 500
"""Posts per call of :func:`extract_batch` in the pipeline (``analyze`` reads the store in
pages of this size and hands each to a worker): enough that shipping a page to a worker
process costs little beside extracting it, few enough that a worker holds little."""

CHUNK_POSTS = max(1, FIELDS_KEPT // len(FIELDS))
"""Posts :func:`extract_batch` reads extractor by extractor: as many as the shared
letter-run cache holds the fields of."""


def extract_post(post: Post) -> list[Mention]:
    """All mentions in a post, in field then position order, without duplicates."""
    return extract_batch((post,))[0][1]


def extract_batch(posts: Iterable[Post]) -> list[tuple[str, list[Mention]]]:
    """The extract stage over one batch: each post id with its mentions (possibly none).

    Posts with no mention are returned too, so the loader can mark them done. Posts are
    read in chunks of :data:`CHUNK_POSTS`, each extractor over the whole chunk in turn,
    not post by post: one extractor's patterns, tables and code then stay in the
    processor's caches from one post to the next (about a tenth faster on the Backpage
    ads), while the chunk's fields still fit the shared cache of lower-cased letter runs
    (:mod:`tracelight.extract.tokens`) that the extractors reuse from one another. The
    mentions are the same either way: each post's are put in order at the end, and
    within a field the extractors still run in :data:`EXTRACTORS` order.
    """
    out: list[tuple[str, list[Mention]]] = []
    batch = list(posts)
    for first in range(0, len(batch), CHUNK_POSTS):
        chunk = batch[first : first + CHUNK_POSTS]
        found_per_post: list[list[Mention]] = [[] for _ in chunk]
        fields = [
            (found, post, name, text)
            for post, found in zip(chunk, found_per_post, strict=True)
            for name in FIELDS
            if (text := post.text(name))
        ]
        for extractor in EXTRACTORS:
            for found, post, name, text in fields:
                found.extend(extractor(post, name, text))
        out += [
            (post.id, _in_order(found)) for post, found in zip(chunk, found_per_post, strict=True)
        ]
    return out


def _in_order(found: list[Mention]) -> list[Mention]:
    """Field then position order, each ``(kind, value, field, start, end)`` once (the
    last extractor to report it wins, as extractors run in :data:`EXTRACTORS` order)."""
    unique = {(m.kind, m.value, m.field, m.start, m.end): m for m in found}
    return sorted(unique.values(), key=lambda m: (m.field, m.start, m.end, m.kind, m.value))


__all__ = [
    "BATCH_POSTS",
    "CHUNK_POSTS",
    "EXTRACTORS",
    "EXTRACTOR_VERSION",
    "RUNTIME",
    "extract_batch",
    "extract_post",
]
