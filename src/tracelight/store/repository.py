"""Reading and writing the store, one batch at a time.

Every function takes a ``Connection`` inside a transaction that the caller (a
service) owns, so a batch is written whole or not at all. Writes are idempotent:
content-addressed keys plus "insert, ignore if present" mean that rerunning after a
crash completes the work without duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tracelight.model import ImageBlob, ImageRef, Mention, Network, Post, Reject, SelectorKey
from tracelight.store import schema as t

SELECTOR_KINDS = frozenset({"phone", "email", "handle", "wallet", "image", "face"})
"""Mention kinds that identify a person or operation and can therefore tie posts."""

CHUNK = 500
"""Rows per statement for ``IN`` lists: well under SQLite's variable limit."""


def _insert_ignore(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows, silently keeping the existing row on a unique-key conflict."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(postgresql.insert(table).on_conflict_do_nothing(), list(rows))
    elif conn.dialect.name == "sqlite":
        conn.execute(sqlite.insert(table).on_conflict_do_nothing(), list(rows))
    else:  # pragma: no cover - db.normalise_url refuses other databases
        raise RuntimeError(f"unsupported dialect {conn.dialect.name}")


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- runs ------------------------------------------------------------------------------


def start_run(conn: Connection, command: str, params: dict[str, Any]) -> int:
    result = conn.execute(
        insert(t.runs).values(
            command=command, params=params, started_at=datetime.now(UTC), status="running"
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def finish_run(conn: Connection, run_id: int, status: str, summary: dict[str, Any]) -> None:
    conn.execute(
        update(t.runs)
        .where(t.runs.c.id == run_id)
        .values(status=status, finished_at=datetime.now(UTC), summary=summary)
    )


# -- posts -----------------------------------------------------------------------------


def existing_post_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(ids):
        found.update(conn.scalars(select(t.posts.c.id).where(t.posts.c.id.in_(chunk))))
    return found


def _post_row(post: Post, run_id: int | None) -> dict[str, Any]:
    return {
        "id": post.id,
        "source": post.source,
        "external_id": post.external_id,
        "url": post.url,
        "posted_at": post.posted_at,
        "collected_at": post.collected_at,
        "title": post.title,
        "body": post.body,
        "location": post.location,
        "country": post.country,
        "language": post.language,
        "extra": post.metadata,
        "origin": post.origin,
        "locator": post.locator,
        "raw_sha256": post.raw_sha256,
        "ingest_run_id": run_id,
        "extract_version": None,
    }


def insert_posts(conn: Connection, posts: Sequence[Post], run_id: int | None) -> list[str]:
    """Insert the posts not yet stored; return the ids that were new.

    A post seen twice in the same batch counts once. Posts are never updated: a post
    that is already stored stays exactly as first collected.
    """
    unique: dict[str, Post] = {}
    for post in posts:
        unique.setdefault(post.id, post)
    present = existing_post_ids(conn, list(unique))
    new = [post for key, post in unique.items() if key not in present]
    _insert_ignore(conn, t.posts, [_post_row(post, run_id) for post in new])
    image_rows = [
        _image_row(post.id, position, image)
        for post in new
        for position, image in enumerate(post.images)
    ]
    _insert_ignore(conn, t.post_images, image_rows)
    return [post.id for post in new]


def _image_row(post_id: str, position: int, image: ImageRef) -> dict[str, Any]:
    return {
        "post_id": post_id,
        "position": position,
        "uri": image.uri,
        "sha256": image.sha256,
        "status": image.status,
    }


def insert_image_blobs(conn: Connection, blobs: Iterable[ImageBlob]) -> int:
    rows = {
        blob.sha256: {
            "sha256": blob.sha256,
            "uri": blob.uri,
            "media_type": blob.media_type,
            "size": len(blob.data),
            "origin": blob.origin,
            "locator": blob.locator,
        }
        for blob in blobs
    }
    _insert_ignore(conn, t.image_blobs, list(rows.values()))
    return len(rows)


def attach_archived_images(conn: Connection, origin: str) -> int:
    """Tie post images that reference a URL to the image bytes archived beside them.

    WARC files hold pages and images as separate records in any order; once a whole
    file is in, each ``archived`` reference is resolved to the blob with that URI.
    """
    blob = (
        select(t.image_blobs.c.sha256)
        .where(t.image_blobs.c.uri == t.post_images.c.uri)
        .where(t.image_blobs.c.origin == origin)
        .limit(1)
        .scalar_subquery()
    )
    result = conn.execute(
        update(t.post_images)
        .where(t.post_images.c.status == "archived")
        .where(t.post_images.c.sha256.is_(None))
        .where(t.post_images.c.post_id.in_(select(t.posts.c.id).where(t.posts.c.origin == origin)))
        .values(sha256=blob)
    )
    return int(result.rowcount or 0)


def insert_rejects(conn: Connection, rejects: Sequence[Reject], run_id: int | None) -> None:
    rows = [
        {
            "run_id": run_id,
            "origin": r.origin,
            "locator": r.locator,
            "reason": r.reason,
            "excerpt": r.excerpt,
        }
        for r in rejects
    ]
    _insert_ignore(conn, t.rejects, rows)


def row_to_post(row: Any) -> Post:
    images: tuple[ImageRef, ...] = ()
    return Post(
        id=row.id,
        source=row.source,
        external_id=row.external_id,
        url=row.url,
        posted_at=_aware(row.posted_at),
        collected_at=_aware(row.collected_at),
        title=row.title,
        body=row.body,
        location=row.location,
        country=row.country,
        language=row.language,
        images=images,
        metadata=row.extra or {},
        origin=row.origin,
        locator=row.locator,
        raw_sha256=row.raw_sha256,
    )


def aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC."""
    return _aware(value)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


_POST_COLUMNS = [c for c in t.posts.c if c.name not in {"ingest_run_id", "extract_version"}]


def posts_to_extract(conn: Connection, version: int, after_seq: int, limit: int) -> list[Any]:
    """The next page of posts whose mentions are missing or from an older extractor.

    Keyset pagination on ``seq`` keeps every page a short read, so the writer is
    never blocked by a long-lived cursor and memory stays one page deep.
    """
    stale = (t.posts.c.extract_version.is_(None)) | (t.posts.c.extract_version < version)
    query = (
        select(*_POST_COLUMNS)
        .where(and_(t.posts.c.seq > after_seq, stale))
        .order_by(t.posts.c.seq)
        .limit(limit)
    )
    return list(conn.execute(query))


def count_posts_to_extract(conn: Connection, version: int) -> int:
    stale = (t.posts.c.extract_version.is_(None)) | (t.posts.c.extract_version < version)
    return int(conn.scalar(select(func.count()).select_from(t.posts).where(stale)) or 0)


def get_posts(conn: Connection, ids: Sequence[str]) -> list[Post]:
    out: list[Post] = []
    for chunk in _chunks(ids):
        out.extend(
            row_to_post(row)
            for row in conn.execute(select(*_POST_COLUMNS).where(t.posts.c.id.in_(chunk)))
        )
    return out


# -- mentions, selectors, links --------------------------------------------------------


def replace_mentions(
    conn: Connection, results: Sequence[tuple[str, Sequence[Mention]]], version: int
) -> int:
    """Store the extract stage's output for a batch and mark those posts done.

    Old mentions of these posts are replaced, not merged: a newer extractor's view
    of a post supersedes the older one entirely, within one transaction.
    """
    ids = [post_id for post_id, _ in results]
    for chunk in _chunks(ids):
        conn.execute(delete(t.mentions).where(t.mentions.c.post_id.in_(chunk)))
    rows = [
        {
            "post_id": m.post_id,
            "kind": m.kind,
            "value": m.value,
            "field": m.field,
            "span_start": m.start,
            "span_end": m.end,
            "text": m.text,
            "method": m.method,
            "confidence": m.confidence,
        }
        for _, found in results
        for m in found
    ]
    _insert_ignore(conn, t.mentions, rows)
    for chunk in _chunks(ids):
        conn.execute(update(t.posts).where(t.posts.c.id.in_(chunk)).values(extract_version=version))
    return len(rows)


def rebuild_selectors(conn: Connection) -> None:
    """Derive selectors and post-selector links from all mentions, in SQL.

    Done set-wise in the database rather than in Python so that it scales with the
    store, not with the memory of the process; selectors no post shows any more go.
    """
    kinds = sorted(SELECTOR_KINDS)
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        dialect_insert(t.selectors)
        .from_select(
            ["kind", "value", "post_count", "is_hub"],
            select(t.mentions.c.kind, t.mentions.c.value, literal(0), literal(False))
            .where(t.mentions.c.kind.in_(kinds))
            .group_by(t.mentions.c.kind, t.mentions.c.value),
        )
        .on_conflict_do_nothing()
    )
    conn.execute(delete(t.network_selectors))
    conn.execute(delete(t.selector_hubs))
    conn.execute(delete(t.links))
    conn.execute(
        insert(t.links).from_select(
            ["post_id", "selector_id", "kind", "mention_count"],
            select(
                t.mentions.c.post_id,
                t.selectors.c.id,
                t.mentions.c.kind,
                func.count(),
            )
            .join(
                t.selectors,
                and_(
                    t.selectors.c.kind == t.mentions.c.kind,
                    t.selectors.c.value == t.mentions.c.value,
                ),
            )
            .group_by(t.mentions.c.post_id, t.selectors.c.id, t.mentions.c.kind),
        )
    )
    # Identical image files (same SHA-256) are a selector too: a photo reused across ads.
    conn.execute(
        dialect_insert(t.selectors)
        .from_select(
            ["kind", "value", "post_count", "is_hub"],
            select(literal("image"), t.post_images.c.sha256, literal(0), literal(False))
            .where(t.post_images.c.sha256.is_not(None))
            .group_by(t.post_images.c.sha256),
        )
        .on_conflict_do_nothing()
    )
    conn.execute(
        insert(t.links).from_select(
            ["post_id", "selector_id", "kind", "mention_count"],
            select(t.post_images.c.post_id, t.selectors.c.id, literal("image"), func.count())
            .join(
                t.selectors,
                and_(t.selectors.c.kind == "image", t.selectors.c.value == t.post_images.c.sha256),
            )
            .group_by(t.post_images.c.post_id, t.selectors.c.id),
        )
    )
    post_count = (
        select(func.count()).where(t.links.c.selector_id == t.selectors.c.id).scalar_subquery()
    )
    conn.execute(update(t.selectors).values(post_count=post_count, is_hub=False))
    conn.execute(delete(t.selectors).where(t.selectors.c.post_count == 0))


def iter_selector_posts(conn: Connection) -> Iterator[tuple[SelectorKey, list[str]]]:
    """Each selector shown by two or more posts, with those posts, streamed in order."""
    query = (
        select(t.selectors.c.kind, t.selectors.c.value, t.links.c.post_id)
        .join(t.links, t.links.c.selector_id == t.selectors.c.id)
        .where(t.selectors.c.post_count >= 2)
        .order_by(t.selectors.c.id, t.links.c.post_id)
    )
    rows = conn.execute(query.execution_options(yield_per=5000))
    for key, group in groupby(rows, key=lambda row: (row.kind, row.value)):
        yield (key[0], key[1]), [row.post_id for row in group]


# -- networks --------------------------------------------------------------------------


def replace_networks(
    conn: Connection,
    networks: Sequence[Network],
    hubs: Iterable[SelectorKey],
    run_id: int | None,
) -> None:
    """Swap in a new set of networks atomically: readers see the old or the new, whole."""
    conn.execute(delete(t.network_evidence))
    conn.execute(delete(t.network_profiles))
    conn.execute(delete(t.network_selectors))
    conn.execute(delete(t.network_posts))
    conn.execute(delete(t.networks))
    conn.execute(update(t.selectors).values(is_hub=False))
    for kind, value in hubs:
        conn.execute(
            update(t.selectors)
            .where(t.selectors.c.kind == kind, t.selectors.c.value == value)
            .values(is_hub=True)
        )
    selector_ids = {
        (row.kind, row.value): row.id
        for row in conn.execute(
            select(t.selectors.c.id, t.selectors.c.kind, t.selectors.c.value).where(
                t.selectors.c.post_count >= 2
            )
        )
    }
    for batch in _chunks(list(networks), 200):
        conn.execute(
            insert(t.networks),
            [
                {
                    "id": n.id,
                    "size": len(n.post_ids),
                    "selector_count": len(n.selectors),
                    "risk": n.risk,
                    "reasons": list(n.reasons),
                    "run_id": run_id,
                }
                for n in batch
            ],
        )
        member_rows = [{"network_id": n.id, "post_id": p} for n in batch for p in n.post_ids]
        for rows in _chunks(member_rows, 5000):
            conn.execute(insert(t.network_posts), list(rows))
        selector_rows = [
            {"network_id": n.id, "selector_id": selector_ids[s]}
            for n in batch
            for s in n.selectors
            if s in selector_ids
        ]
        if selector_rows:
            conn.execute(insert(t.network_selectors), selector_rows)
    # Time span of each network, from its posts, in one set-wise statement.
    member_times = (
        select(
            func.min(t.posts.c.posted_at),
        )
        .join(t.network_posts, t.network_posts.c.post_id == t.posts.c.id)
        .where(t.network_posts.c.network_id == t.networks.c.id)
    )
    conn.execute(
        update(t.networks).values(
            first_seen=member_times.scalar_subquery(),
            last_seen=member_times.with_only_columns(
                func.max(t.posts.c.posted_at)
            ).scalar_subquery(),
        )
    )


def iter_link_posts(conn: Connection) -> Iterator[Any]:
    """Every post's id, text, time and place, in insertion order, streamed."""
    query = select(
        t.posts.c.id,
        t.posts.c.title,
        t.posts.c.body,
        t.posts.c.posted_at,
        t.posts.c.location,
        t.posts.c.country,
    ).order_by(t.posts.c.seq)
    yield from conn.execute(query.execution_options(yield_per=5000))


def iter_post_selectors(conn: Connection) -> Iterator[tuple[str, str, str]]:
    """``(post id, kind, value)`` of every post-selector link (mentions and images)."""
    query = select(t.links.c.post_id, t.selectors.c.kind, t.selectors.c.value).join(
        t.selectors, t.selectors.c.id == t.links.c.selector_id
    )
    for row in conn.execute(query.execution_options(yield_per=5000)):
        yield row.post_id, row.kind, row.value


def iter_post_mentions(conn: Connection, kinds: Sequence[str]) -> Iterator[tuple[str, str, str]]:
    """``(post id, kind, value)`` of mentions of ``kinds`` (names, ages), for features."""
    query = select(t.mentions.c.post_id, t.mentions.c.kind, t.mentions.c.value).where(
        t.mentions.c.kind.in_(list(kinds))
    )
    for row in conn.execute(query.execution_options(yield_per=5000)):
        yield row.post_id, row.kind, row.value


def network_memberships(conn: Connection) -> dict[str, set[str]]:
    """The stored networks' members, to keep ids stable across reruns."""
    out: dict[str, set[str]] = {}
    for row in conn.execute(select(t.network_posts.c.network_id, t.network_posts.c.post_id)):
        out.setdefault(row.network_id, set()).add(row.post_id)
    return out


def write_network_details(
    conn: Connection,
    evidence: Sequence[dict[str, Any]],
    profiles: Sequence[dict[str, Any]],
    hubs: Sequence[tuple[SelectorKey, str, int, float | None]],
    events: Sequence[dict[str, Any]],
) -> None:
    """Evidence, profiles, hub reasons and change events of the networks just written."""
    for rows in _chunks(list(evidence), 5000):
        conn.execute(insert(t.network_evidence), list(rows))
    for rows in _chunks(list(profiles), 1000):
        conn.execute(insert(t.network_profiles), list(rows))
    for rows in _chunks(list(events), 5000):
        conn.execute(insert(t.network_events), list(rows))
    ids = {
        (row.kind, row.value): row.id
        for row in conn.execute(
            select(t.selectors.c.id, t.selectors.c.kind, t.selectors.c.value).where(
                t.selectors.c.post_count >= 2
            )
        )
    }
    hub_rows = [
        {"selector_id": ids[key], "reason": reason, "posts": posts, "cohesion": cohesion}
        for key, reason, posts, cohesion in hubs
        if key in ids
    ]
    if hub_rows:
        conn.execute(insert(t.selector_hubs), hub_rows)


def network_details(
    conn: Connection, network_ids: Sequence[str]
) -> dict[str, tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any] | None]]:
    """Per network: its evidence links, features and template."""
    out: dict[str, tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any] | None]] = {}
    for chunk in _chunks(network_ids):
        for row in conn.execute(
            select(t.network_profiles).where(t.network_profiles.c.network_id.in_(chunk))
        ):
            out[row.network_id] = ([], dict(row.features or {}), row.template)
        for row in conn.execute(
            select(t.network_evidence)
            .where(t.network_evidence.c.network_id.in_(chunk))
            .order_by(t.network_evidence.c.id)
        ):
            entry = out.setdefault(row.network_id, ([], {}, None))
            entry[0].append(
                {
                    "kind": row.kind,
                    "value": row.value,
                    "weight": row.weight,
                    "posts": [row.post_a, row.post_b],
                }
            )
    return out


def list_hub_details(conn: Connection) -> list[dict[str, Any]]:
    query = (
        select(
            t.selectors.c.kind,
            t.selectors.c.value,
            t.selector_hubs.c.posts,
            t.selector_hubs.c.reason,
            t.selector_hubs.c.cohesion,
        )
        .join(t.selectors, t.selectors.c.id == t.selector_hubs.c.selector_id)
        .order_by(t.selector_hubs.c.posts.desc(), t.selectors.c.value)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


@dataclass(frozen=True, slots=True)
class NetworkView:
    id: str
    size: int
    post_ids: list[str]
    selectors: list[SelectorKey]
    first_seen: datetime | None
    last_seen: datetime | None
    risk: float | None
    reasons: list[str]


def list_networks(conn: Connection, top: int | None) -> list[NetworkView]:
    """Networks, largest (and, once scored, riskiest) first; ``top=None`` for all."""
    query = select(t.networks).order_by(
        t.networks.c.risk.desc().nulls_last(), t.networks.c.size.desc(), t.networks.c.id
    )
    if top:
        query = query.limit(top)
    rows = list(conn.execute(query))
    ids = [row.id for row in rows]
    members: dict[str, list[str]] = {i: [] for i in ids}
    chosen: dict[str, list[SelectorKey]] = {i: [] for i in ids}
    for chunk in _chunks(ids):
        for row in conn.execute(
            select(t.network_posts)
            .where(t.network_posts.c.network_id.in_(chunk))
            .order_by(t.network_posts.c.post_id)
        ):
            members[row.network_id].append(row.post_id)
        for row in conn.execute(
            select(t.network_selectors.c.network_id, t.selectors.c.kind, t.selectors.c.value)
            .join(t.selectors, t.selectors.c.id == t.network_selectors.c.selector_id)
            .where(t.network_selectors.c.network_id.in_(chunk))
            .order_by(t.selectors.c.kind, t.selectors.c.value)
        ):
            chosen[row.network_id].append((row.kind, row.value))
    return [
        NetworkView(
            id=row.id,
            size=row.size,
            post_ids=members[row.id],
            selectors=chosen[row.id],
            first_seen=_aware(row.first_seen),
            last_seen=_aware(row.last_seen),
            risk=row.risk,
            reasons=list(row.reasons or []),
        )
        for row in rows
    ]


def list_hubs(conn: Connection) -> list[tuple[str, str, int]]:
    query = (
        select(t.selectors.c.kind, t.selectors.c.value, t.selectors.c.post_count)
        .where(t.selectors.c.is_hub.is_(True))
        .order_by(t.selectors.c.post_count.desc())
    )
    return [(row.kind, row.value, row.post_count) for row in conn.execute(query)]


def network_cities(conn: Connection, network_ids: Sequence[str]) -> dict[str, list[str]]:
    """Distinct places of each network's posts, in order of first appearance."""
    out: dict[str, list[str]] = {i: [] for i in network_ids}
    for chunk in _chunks(network_ids):
        query = (
            select(t.network_posts.c.network_id, t.posts.c.location)
            .join(t.posts, t.posts.c.id == t.network_posts.c.post_id)
            .where(t.network_posts.c.network_id.in_(chunk), t.posts.c.location.is_not(None))
            .order_by(t.network_posts.c.network_id, t.posts.c.posted_at, t.posts.c.seq)
        )
        for row in conn.execute(query):
            places = out[row.network_id]
            if row.location not in places:
                places.append(row.location)
    return out


# -- stats -----------------------------------------------------------------------------


def stats(conn: Connection) -> dict[str, int]:
    def count(table: Table) -> int:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)

    networks = int(
        conn.scalar(select(func.count()).select_from(t.networks).where(t.networks.c.size >= 2)) or 0
    )
    return {
        "posts": count(t.posts),
        "images": count(t.image_blobs),
        "mentions": count(t.mentions),
        "selectors": count(t.selectors),
        "networks": networks,
        "rejected": count(t.rejects),
    }
