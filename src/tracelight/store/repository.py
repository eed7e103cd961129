"""Reading and writing the store, one batch at a time.

Every function takes a ``Connection`` inside a transaction that the caller (a
service) owns, so a batch is written whole or not at all. Writes are idempotent:
content-addressed keys plus "insert, ignore if present" mean that rerunning after a
crash completes the work without duplicates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    update,
)
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
    # Images are selectors too: a photo reused across ads (identical files, or PDQ
    # near-duplicates once the vision stage has run) and faces matched across photos.
    visual = vision_selector_rows().subquery()
    conn.execute(
        dialect_insert(t.selectors)
        .from_select(
            ["kind", "value", "post_count", "is_hub"],
            select(visual.c.kind, visual.c.value, literal(0), literal(False)).group_by(
                visual.c.kind, visual.c.value
            ),
        )
        .on_conflict_do_nothing()
    )
    conn.execute(
        insert(t.links).from_select(
            ["post_id", "selector_id", "kind", "mention_count"],
            select(visual.c.post_id, t.selectors.c.id, visual.c.kind, func.count())
            .join(
                t.selectors,
                and_(t.selectors.c.kind == visual.c.kind, t.selectors.c.value == visual.c.value),
            )
            .group_by(visual.c.post_id, t.selectors.c.id, visual.c.kind),
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


def iter_link_posts(conn: Connection, *, with_text: bool = True) -> Iterator[Any]:
    """Every post's id, time and place (and text unless ``with_text`` is false), in
    insertion order, streamed. Incremental linking reads texts only of new posts."""
    columns = [t.posts.c.id, t.posts.c.posted_at, t.posts.c.location, t.posts.c.country]
    if with_text:
        columns += [t.posts.c.title, t.posts.c.body]
    query = select(*columns).order_by(t.posts.c.seq)
    yield from conn.execute(query.execution_options(yield_per=5000))


def post_texts(conn: Connection, ids: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
    """Title and body of the given posts, for the few old posts a new batch is compared with."""
    out: dict[str, tuple[str | None, str | None]] = {}
    for chunk in _chunks(list(ids)):
        query = select(t.posts.c.id, t.posts.c.title, t.posts.c.body).where(t.posts.c.id.in_(chunk))
        for row in conn.execute(query):
            out[row.id] = (row.title, row.body)
    return out


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


def network_selector_sets(conn: Connection) -> dict[str, set[SelectorKey]]:
    """The selectors each stored network shares, read before selectors are rebuilt."""
    out: dict[str, set[SelectorKey]] = {}
    query = select(t.network_selectors.c.network_id, t.selectors.c.kind, t.selectors.c.value).join(
        t.selectors, t.selectors.c.id == t.network_selectors.c.selector_id
    )
    for row in conn.execute(query):
        out.setdefault(row.network_id, set()).add((row.kind, row.value))
    return out


def network_evidence_sets(conn: Connection) -> dict[str, set[tuple[str, str, float, str, str]]]:
    """The stored evidence of every network, to tell which networks a run changed."""
    out: dict[str, set[tuple[str, str, float, str, str]]] = {}
    query = select(
        t.network_evidence.c.network_id,
        t.network_evidence.c.kind,
        t.network_evidence.c.value,
        t.network_evidence.c.weight,
        t.network_evidence.c.post_a,
        t.network_evidence.c.post_b,
    )
    for row in conn.execute(query.execution_options(yield_per=5000)):
        out.setdefault(row.network_id, set()).add(
            (row.kind, row.value, round(row.weight, 4), row.post_a, row.post_b)
        )
    return out


def update_networks(
    conn: Connection,
    drop: Sequence[str],
    changed: Sequence[Network],
    selectors_of: Sequence[tuple[str, Sequence[SelectorKey]]],
    hubs: Iterable[SelectorKey],
    *,
    run_id: int | None,
) -> None:
    """Write only what a run changed: networks in ``drop`` go (with their members,
    evidence and profile), ``changed`` networks are written anew, every other stored
    network stays as it is. The network-selector rows of all networks (``selectors_of``)
    and the hub flags are rewritten whole, since selectors are rebuilt each run.
    """
    for chunk in _chunks(list(drop)):
        conn.execute(delete(t.network_evidence).where(t.network_evidence.c.network_id.in_(chunk)))
        conn.execute(delete(t.network_profiles).where(t.network_profiles.c.network_id.in_(chunk)))
        conn.execute(delete(t.network_posts).where(t.network_posts.c.network_id.in_(chunk)))
        conn.execute(delete(t.network_selectors).where(t.network_selectors.c.network_id.in_(chunk)))
        conn.execute(delete(t.networks).where(t.networks.c.id.in_(chunk)))
    conn.execute(delete(t.network_selectors))
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
    for batch in _chunks(list(changed), 200):
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
        {"network_id": nid, "selector_id": selector_ids[s]}
        for nid, keys in selectors_of
        for s in keys
        if s in selector_ids
    ]
    for rows in _chunks(selector_rows, 5000):
        conn.execute(insert(t.network_selectors), list(rows))
    for chunk in _chunks([n.id for n in changed]):
        member_times = (
            select(func.min(t.posts.c.posted_at))
            .join(t.network_posts, t.network_posts.c.post_id == t.posts.c.id)
            .where(t.network_posts.c.network_id == t.networks.c.id)
        )
        conn.execute(
            update(t.networks)
            .where(t.networks.c.id.in_(chunk))
            .values(
                first_seen=member_times.scalar_subquery(),
                last_seen=member_times.with_only_columns(
                    func.max(t.posts.c.posted_at)
                ).scalar_subquery(),
            )
        )


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


# -- risk ------------------------------------------------------------------------------


def network_members_by_time(
    conn: Connection, network_ids: Sequence[str] | None = None
) -> dict[str, list[str]]:
    """Each network's posts in time order (undated last, then insertion order); only
    the networks ``network_ids`` when given."""
    query = (
        select(t.network_posts.c.network_id, t.network_posts.c.post_id)
        .join(t.posts, t.posts.c.id == t.network_posts.c.post_id)
        .order_by(
            t.network_posts.c.network_id,
            t.posts.c.posted_at.is_(None),
            t.posts.c.posted_at,
            t.posts.c.seq,
        )
    )
    queries = (
        [query]
        if network_ids is None
        else [query.where(t.network_posts.c.network_id.in_(c)) for c in _chunks(network_ids)]
    )
    out: dict[str, list[str]] = {}
    for q in queries:
        for row in conn.execute(q.execution_options(yield_per=5000)):
            out.setdefault(row.network_id, []).append(row.post_id)
    return out


def networks_holding(conn: Connection, post_ids: Sequence[str]) -> set[str]:
    """The networks that hold any of ``post_ids``."""
    out: set[str] = set()
    for chunk in _chunks(post_ids):
        out.update(
            conn.scalars(
                select(t.network_posts.c.network_id).where(t.network_posts.c.post_id.in_(chunk))
            )
        )
    return out


def _mention_of(row: Any) -> Mention:
    return Mention(
        post_id=row.post_id,
        kind=row.kind,
        value=row.value,
        field=row.field,
        start=row.span_start,
        end=row.span_end,
        text=row.text,
        method=row.method,
        confidence=row.confidence,
    )


def iter_network_mentions(
    conn: Connection, kinds: Sequence[str], network_ids: Sequence[str] | None = None
) -> Iterator[tuple[str, Mention]]:
    """``(network id, mention)`` of the given kinds for posts in networks, by network.

    For a page of networks this is two index lookups, members by network then mentions
    by post, rather than one join: given ``kind IN (...)`` and ``network_id IN (...)``
    together, SQLite without statistics walked every mention of those kinds and probed
    the page's networks for each (hundreds of millions of probes at 100k posts, which
    kept ``analyze`` in risk scoring for over ten minutes). Kinds are filtered here: a
    post has a handful of mentions.
    """
    wanted = frozenset(kinds)
    if network_ids is None:
        query = (
            select(t.network_posts.c.network_id, t.mentions)
            .join(t.mentions, t.mentions.c.post_id == t.network_posts.c.post_id)
            .where(t.mentions.c.kind.in_(sorted(wanted)))
            .order_by(t.network_posts.c.network_id, t.mentions.c.post_id, t.mentions.c.id)
        )
        for row in conn.execute(query.execution_options(yield_per=5000)):
            yield row.network_id, _mention_of(row)
        return
    for chunk in _chunks(sorted(set(network_ids))):
        members = conn.execute(
            select(t.network_posts.c.network_id, t.network_posts.c.post_id)
            .where(t.network_posts.c.network_id.in_(list(chunk)))
            .order_by(t.network_posts.c.network_id, t.network_posts.c.post_id)
        ).all()
        by_post: dict[str, list[Mention]] = defaultdict(list)
        for posts in _chunks(sorted({row.post_id for row in members})):
            rows = conn.execute(
                select(t.mentions)
                .where(t.mentions.c.post_id.in_(list(posts)))
                .order_by(t.mentions.c.post_id, t.mentions.c.id)
            )
            for row in rows:
                if row.kind in wanted:
                    by_post[row.post_id].append(_mention_of(row))
        for network_id, post_id in members:
            for mention in by_post.get(post_id, ()):
                yield network_id, mention


def replace_network_risk(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Swap in the scores of every network; ``networks.risk`` follows, for ordering."""
    conn.execute(delete(t.network_risk))
    for batch in _chunks(list(rows), 1000):
        conn.execute(insert(t.network_risk), list(batch))
    conn.execute(update(t.networks).values(risk=None))
    risk_of = (
        select(t.network_risk.c.risk)
        .where(t.network_risk.c.network_id == t.networks.c.id)
        .scalar_subquery()
    )
    conn.execute(update(t.networks).values(risk=risk_of))


def rescore_network_risk(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Replace the scores of the networks in ``rows`` and drop the scores of networks
    that no longer exist; every other score stays. ``networks.risk`` follows."""
    gone = select(t.networks.c.id)
    conn.execute(delete(t.network_risk).where(t.network_risk.c.network_id.not_in(gone)))
    ids = [r["network_id"] for r in rows]
    for chunk in _chunks(ids):
        conn.execute(delete(t.network_risk).where(t.network_risk.c.network_id.in_(chunk)))
    for batch in _chunks(list(rows), 1000):
        conn.execute(insert(t.network_risk), list(batch))
    if rows:
        conn.execute(
            update(t.networks)
            .where(t.networks.c.id == bindparam("target"))
            .values(risk=bindparam("score")),
            [{"target": r["network_id"], "score": r["risk"]} for r in rows],
        )


def unscored_networks(conn: Connection, model: str) -> list[str]:
    """Networks with no score, or one made by another model than ``model``."""
    scored = select(t.network_risk.c.network_id).where(t.network_risk.c.model == model)
    return list(conn.scalars(select(t.networks.c.id).where(t.networks.c.id.not_in(scored))))


def network_risk(conn: Connection, network_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Stored score, reasons and model fingerprint of each network that has one."""
    out: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(network_ids):
        for row in conn.execute(
            select(t.network_risk).where(t.network_risk.c.network_id.in_(chunk))
        ):
            out[row.network_id] = {
                "risk": row.risk,
                "reasons": list(row.reasons or []),
                "model": row.model,
                "scored_at": _aware(row.scored_at),
            }
    return out


def risk_staleness(conn: Connection, model: str) -> int:
    """Networks with no score, or one made by another model than ``model``."""
    scored = select(t.network_risk.c.network_id).where(t.network_risk.c.model == model)
    query = select(func.count()).select_from(t.networks).where(t.networks.c.id.not_in(scored))
    return int(conn.scalar(query) or 0)


def add_triage_mark(
    conn: Connection,
    network_id: str,
    *,
    state: str,
    analyst: str,
    note: str,
    risk: float | None,
    size: int | None,
    org_id: int,
    user_id: int | None = None,
) -> datetime:
    """Append an organisation's mark on a network; its latest one is the network's state
    for that organisation. The CLI and the web app both write here, so either one's
    decisions show in the other's history."""
    when = datetime.now(UTC)
    conn.execute(
        insert(t.triage_marks).values(
            network_id=network_id,
            state=state,
            analyst=analyst,
            note=note,
            marked_at=when,
            risk=risk,
            size=size,
            org_id=org_id,
            user_id=user_id,
        )
    )
    return when


def triage_marks(
    conn: Connection, network_id: str | None = None, org_id: int | None = None
) -> list[dict[str, Any]]:
    """Marks in the order they were made, for one network or all, one organisation or
    all (the CLI, which runs with the whole store's authority, sees every one), each
    with the organisation's name as ``org``."""
    query = (
        select(t.triage_marks, t.organisations.c.name.label("org"))
        .join(t.organisations, t.organisations.c.id == t.triage_marks.c.org_id)
        .order_by(t.triage_marks.c.id)
    )
    if network_id is not None:
        query = query.where(t.triage_marks.c.network_id == network_id)
    if org_id is not None:
        query = query.where(t.triage_marks.c.org_id == org_id)
    return [
        {**dict(row._mapping), "marked_at": _aware(row.marked_at)} for row in conn.execute(query)
    ]


def latest_triage_marks(conn: Connection, org_id: int | None) -> dict[str, dict[str, Any]]:
    """The current mark of every network the organisation ever marked (none for an
    organisation that does not exist yet: ``org_id=None``)."""
    if org_id is None:
        return {}
    latest = (
        select(func.max(t.triage_marks.c.id))
        .where(t.triage_marks.c.org_id == org_id)
        .group_by(t.triage_marks.c.network_id)
    )
    query = select(t.triage_marks).where(t.triage_marks.c.id.in_(latest))
    return {
        row.network_id: {**dict(row._mapping), "marked_at": _aware(row.marked_at)}
        for row in conn.execute(query)
    }


def _latest_state(org_id: int, network_column: Any) -> Any:
    """The state of the organisation's latest mark on a network, as a scalar subquery."""
    return (
        select(t.triage_marks.c.state)
        .where(t.triage_marks.c.network_id == network_column, t.triage_marks.c.org_id == org_id)
        .order_by(t.triage_marks.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def network_exists(conn: Connection, network_id: str) -> tuple[int, float | None] | None:
    """``(size, risk)`` of a stored network, or None."""
    row = conn.execute(
        select(t.networks.c.size, t.networks.c.risk).where(t.networks.c.id == network_id)
    ).first()
    return None if row is None else (row.size, row.risk)


# -- vision (images and faces) ---------------------------------------------------------
# Written by the vision stage (tracelight.pipeline.vision) before linking; read by
# rebuild_selectors through vision_selector_rows, and by face search.


def images_to_analyze(conn: Connection, version: int, after: str, limit: int) -> list[Any]:
    """Image blobs with no vision result at ``version``, by SHA-256 after ``after``."""
    query = (
        select(t.image_blobs.c.sha256, t.image_blobs.c.media_type, t.image_blobs.c.uri)
        .outerjoin(t.image_features, t.image_features.c.sha256 == t.image_blobs.c.sha256)
        .where(t.image_blobs.c.sha256 > after)
        .where((t.image_features.c.version.is_(None)) | (t.image_features.c.version < version))
        .order_by(t.image_blobs.c.sha256)
        .limit(limit)
    )
    return list(conn.execute(query))


def write_image_results(
    conn: Connection, results: Sequence[Any], version: int, min_quality: int
) -> None:
    """Replace the vision rows (features, EXIF, faces) of the images in ``results``.

    ``results`` are :class:`tracelight.vision.stage.ImageResult`. Faces are replaced
    only when they were computed this time (``faces is not None``), so a run without
    the face models does not erase faces found by an earlier run that had them.
    """
    ids = [r.sha256 for r in results]
    for chunk in _chunks(ids):
        conn.execute(delete(t.image_features).where(t.image_features.c.sha256.in_(chunk)))
        conn.execute(delete(t.image_exif).where(t.image_exif.c.sha256.in_(chunk)))
    with_faces = [r.sha256 for r in results if r.faces is not None]
    for chunk in _chunks(with_faces):
        conn.execute(delete(t.faces).where(t.faces.c.sha256.in_(chunk)))
    feature_rows = [
        {
            "sha256": r.sha256,
            "status": r.status,
            "reason": r.reason,
            "format": r.format,
            "width": r.width,
            "height": r.height,
            "pdq": r.pdq,
            "quality": r.quality,
            "pdq_dihedral": list(r.pdq_dihedral) or None,
            # NULL until near-duplicate search has run for it (so an interrupted run
            # resumes the search); a hash too poor to search is its own cluster at once.
            "cluster": r.sha256 if r.status == "ok" and (r.quality or 0) < min_quality else None,
            "face_count": len(r.faces) if r.faces is not None else None,
            "version": version,
        }
        for r in results
    ]
    exif_rows = [
        {
            "sha256": r.sha256,
            "camera": r.exif.camera,
            "captured_at": r.exif.captured_at,
            "gps_lat": r.exif.gps_lat,
            "gps_lon": r.exif.gps_lon,
            "tags": r.exif.tags,
        }
        for r in results
        if r.exif is not None
    ]
    face_rows = [
        {
            "sha256": r.sha256,
            "position": i,
            "box": list(f.box),
            "embedding": f.embedding,
            "cluster": None,
        }
        for r in results
        if r.faces
        for i, f in enumerate(r.faces)
    ]
    for table, rows in (
        (t.image_features, feature_rows),
        (t.image_exif, exif_rows),
        (t.faces, face_rows),
    ):
        for batch in _chunks(rows):
            if batch:
                conn.execute(insert(table), list(batch))


def image_hashes(conn: Connection, min_quality: int) -> list[Any]:
    """``sha256, pdq, pdq_dihedral, cluster`` of every decoded image good enough to link.

    ``cluster`` is NULL for images not yet searched for near-duplicates.
    """
    f = t.image_features
    query = (
        select(f.c.sha256, f.c.pdq, f.c.pdq_dihedral, f.c.cluster)
        .where(t.image_features.c.status == "ok")
        .where(t.image_features.c.quality >= min_quality)
        .order_by(t.image_features.c.sha256)
    )
    return list(conn.execute(query))


def set_image_clusters(conn: Connection, clusters: dict[str, str]) -> None:
    for sha, cluster in clusters.items():
        conn.execute(
            update(t.image_features).where(t.image_features.c.sha256 == sha).values(cluster=cluster)
        )


def face_encodings(conn: Connection) -> list[Any]:
    """Every stored face: ``sha256, position, box, embedding, cluster``, in key order."""
    query = select(
        t.faces.c.sha256, t.faces.c.position, t.faces.c.box, t.faces.c.embedding, t.faces.c.cluster
    ).order_by(t.faces.c.sha256, t.faces.c.position)
    return list(conn.execute(query.execution_options(yield_per=5000)))


def set_face_clusters(conn: Connection, clusters: dict[str, str]) -> None:
    """``"sha256:position" -> cluster`` for faces whose cluster changed."""
    for key, cluster in clusters.items():
        sha, position = key.rsplit(":", 1)
        conn.execute(
            update(t.faces)
            .where(t.faces.c.sha256 == sha, t.faces.c.position == int(position))
            .values(cluster=cluster)
        )


def vision_selector_rows() -> Any:
    """``(post_id, kind, value)`` rows of image and face selectors, as a SELECT.

    ``image``: the near-duplicate cluster of the post's image (the smallest SHA-256 in
    the cluster), or the image's own SHA-256 where the vision stage has not run or the
    image was rejected, so identical files still link. ``face``: the face's cluster.
    """
    from sqlalchemy import union_all

    images = (
        select(
            t.post_images.c.post_id,
            literal("image").label("kind"),
            func.coalesce(t.image_features.c.cluster, t.post_images.c.sha256).label("value"),
        )
        .select_from(
            t.post_images.outerjoin(
                t.image_features, t.image_features.c.sha256 == t.post_images.c.sha256
            )
        )
        .where(t.post_images.c.sha256.is_not(None))
    )
    faces = (
        select(
            t.post_images.c.post_id,
            literal("face").label("kind"),
            t.faces.c.cluster.label("value"),
        )
        .join(t.faces, t.faces.c.sha256 == t.post_images.c.sha256)
        .where(t.faces.c.cluster.is_not(None))
    )
    return union_all(images, faces)


def posts_with_images(conn: Connection, shas: Sequence[str]) -> dict[str, list[str]]:
    """``sha256 -> post ids`` that show each image."""
    out: dict[str, list[str]] = {}
    for chunk in _chunks(list(shas)):
        query = select(t.post_images.c.sha256, t.post_images.c.post_id).where(
            t.post_images.c.sha256.in_(chunk)
        )
        for row in conn.execute(query):
            out.setdefault(row.sha256, []).append(row.post_id)
    return out


def record_face_search(
    conn: Connection,
    actor: str,
    query_sha256: str,
    threshold: float,
    matches: list[dict[str, Any]],
) -> int:
    """Audit one face search: who, when, which photo (by hash), threshold, results."""
    result = conn.execute(
        insert(t.face_searches).values(
            searched_at=datetime.now(UTC),
            actor=actor,
            query_sha256=query_sha256,
            threshold=threshold,
            matches=matches,
        )
    )
    key = result.inserted_primary_key
    return int(key[0]) if key else 0


def image_exif(conn: Connection, sha256: str) -> dict[str, Any] | None:
    """EXIF evidence of one image. Sensitive: callers check the reader's role first."""
    row = conn.execute(select(t.image_exif).where(t.image_exif.c.sha256 == sha256)).first()
    return dict(row._mapping) if row else None


def vision_stats(conn: Connection) -> dict[str, int]:
    def count(query: Any) -> int:
        return int(conn.scalar(query) or 0)

    features = t.image_features
    return {
        "images_analyzed": count(select(func.count()).select_from(features)),
        "images_rejected": count(
            select(func.count()).select_from(features).where(features.c.status != "ok")
        ),
        "image_clusters_reused": count(
            select(func.count(func.distinct(features.c.cluster))).where(
                features.c.cluster.in_(
                    select(features.c.cluster)
                    .group_by(features.c.cluster)
                    .having(func.count() >= 2)
                )
            )
        ),
        "faces": count(select(func.count()).select_from(t.faces)),
    }


def network_mention_values(
    conn: Connection, network_ids: Sequence[str], kind: str
) -> dict[str, list[str]]:
    """Distinct values of one mention kind per network, in the time order of its posts."""
    out: dict[str, list[str]] = {i: [] for i in network_ids}
    for chunk in _chunks(network_ids):
        query = (
            select(t.network_posts.c.network_id, t.mentions.c.value)
            .join(t.posts, t.posts.c.id == t.network_posts.c.post_id)
            .join(t.mentions, t.mentions.c.post_id == t.posts.c.id)
            .where(t.network_posts.c.network_id.in_(chunk), t.mentions.c.kind == kind)
            .order_by(t.network_posts.c.network_id, t.posts.c.posted_at, t.posts.c.seq)
        )
        for row in conn.execute(query):
            values = out[row.network_id]
            if row.value not in values:
                values.append(row.value)
    return out


# -- web -------------------------------------------------------------------------------
# Organisations, users, sessions, post ownership, cases, triage decisions and the audit
# log of the web app (tracelight.web). Every read of posts, networks and cases below takes
# an ``org_id`` and returns only what that organisation owns: isolation is enforced in
# the queries themselves, so a route cannot forget it.

from sqlalchemy import exists, text  # noqa: E402

from tracelight.store.search import (  # noqa: E402
    HIT_END,
    HIT_START,
    RANK_CANDIDATES,
    SearchHit,
    SearchQueryError,
    _hit,
    filter_match,
    fts5_query,
    month_tokens,
    postgres_search_sql,
    postgres_tsquery,
    sqlite_filtered_search_sql,
    sqlite_search_sql,
)


def get_or_create_org(conn: Connection, name: str) -> int:
    """The id of organisation ``name``, created on first use."""
    found = conn.scalar(select(t.organisations.c.id).where(t.organisations.c.name == name))
    if found is not None:
        return int(found)
    _insert_ignore(conn, t.organisations, [{"name": name, "created_at": datetime.now(UTC)}])
    query = select(t.organisations.c.id).where(t.organisations.c.name == name)
    return int(conn.execute(query).scalar_one())


def org_by_name(conn: Connection, name: str) -> int | None:
    found = conn.scalar(select(t.organisations.c.id).where(t.organisations.c.name == name))
    return None if found is None else int(found)


def insert_user(conn: Connection, org_id: int, username: str, password_hash: str, role: str) -> int:
    result = conn.execute(
        insert(t.users).values(
            org_id=org_id,
            username=username,
            password_hash=password_hash,
            role=role,
            active=True,
            created_at=datetime.now(UTC),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


_USER_COLUMNS = (
    t.users.c.id,
    t.users.c.username,
    t.users.c.role,
    t.users.c.org_id,
    t.users.c.active,
    t.users.c.password_hash,
    t.organisations.c.name.label("org_name"),
)


def user_by_username(conn: Connection, username: str) -> Any:
    query = (
        select(*_USER_COLUMNS)
        .join(t.organisations, t.organisations.c.id == t.users.c.org_id)
        .where(t.users.c.username == username)
    )
    return conn.execute(query).first()


def has_users(conn: Connection) -> bool:
    """Whether any account exists: from then on, permissioned actions name their user."""
    return conn.execute(select(t.users.c.id).limit(1)).first() is not None


def set_user_password(conn: Connection, user_id: int, password_hash: str) -> None:
    conn.execute(update(t.users).where(t.users.c.id == user_id).values(password_hash=password_hash))


def list_org_users(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    query = (
        select(t.users.c.id, t.users.c.username, t.users.c.role, t.users.c.active)
        .where(t.users.c.org_id == org_id)
        .order_by(t.users.c.username)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def insert_session(
    conn: Connection, id_sha256: str, user_id: int, csrf: str, expires_at: datetime
) -> None:
    conn.execute(
        insert(t.web_sessions).values(
            id_sha256=id_sha256,
            user_id=user_id,
            csrf=csrf,
            created_at=datetime.now(UTC),
            expires_at=expires_at,
        )
    )


def session_user(conn: Connection, id_sha256: str, now: datetime) -> Any:
    """The active user of an unexpired session, with the session's CSRF token."""
    query = (
        select(*_USER_COLUMNS, t.web_sessions.c.csrf)
        .join(t.users, t.users.c.id == t.web_sessions.c.user_id)
        .join(t.organisations, t.organisations.c.id == t.users.c.org_id)
        .where(
            t.web_sessions.c.id_sha256 == id_sha256,
            t.web_sessions.c.expires_at > now,
            t.users.c.active.is_(True),
        )
    )
    return conn.execute(query).first()


def delete_session(conn: Connection, id_sha256: str) -> None:
    conn.execute(delete(t.web_sessions).where(t.web_sessions.c.id_sha256 == id_sha256))


def insert_api_token(conn: Connection, user_id: int, token_sha256: str, label: str) -> int:
    result = conn.execute(
        insert(t.api_tokens).values(
            user_id=user_id, token_sha256=token_sha256, label=label, created_at=datetime.now(UTC)
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def token_user(conn: Connection, token_sha256: str) -> Any:
    """The active user holding an unrevoked API token with this hash."""
    query = (
        select(*_USER_COLUMNS)
        .join(t.users, t.users.c.id == t.api_tokens.c.user_id)
        .join(t.organisations, t.organisations.c.id == t.users.c.org_id)
        .where(
            t.api_tokens.c.token_sha256 == token_sha256,
            t.api_tokens.c.revoked_at.is_(None),
            t.users.c.active.is_(True),
        )
    )
    return conn.execute(query).first()


def tag_posts_org(conn: Connection, post_ids: Sequence[str], org_id: int) -> int:
    """Record that organisation ``org_id`` holds these posts (idempotent).

    Ingest calls this in the transaction that inserts the posts, with every post id of
    the batch (new and already stored alike): the same ad collected by two
    organisations is one post that both of them own.
    """
    now = datetime.now(UTC)
    rows = [{"post_id": p, "org_id": org_id, "added_at": now} for p in dict.fromkeys(post_ids)]
    for chunk in _chunks(rows):
        _insert_ignore(conn, t.post_orgs, chunk)
    return len(rows)


DEFAULT_ORG = "local"
"""The organisation that owns posts when none is named (the ledger's default too)."""


def tag_posts(conn: Connection, post_ids: Sequence[str], org: str = DEFAULT_ORG) -> int:
    """Give these posts to organisation ``org`` (created on first use); idempotent.

    This is the ingest hook: call it in the same transaction as :func:`insert_posts`
    with the ids of every post of the batch.
    """
    return tag_posts_org(conn, post_ids, get_or_create_org(conn, org))


def _held(org_id: int, post_column: Any) -> Any:
    """The organisation holds the post itself (collected it): what it may act on."""
    return exists().where(t.post_orgs.c.post_id == post_column, t.post_orgs.c.org_id == org_id)


def _shared(org_id: int, post_column: Any) -> Any:
    """An unrevoked share gives the organisation read access to the post: a share of the
    post, of a network holding it, or of a case holding it or such a network. Only the
    sharing organisation's own posts pass through a share, so a shared network never
    shows a third organisation's posts."""
    share = t.shares
    owner = t.post_orgs.alias("share_owner")
    in_network = t.network_posts.alias("shared_member")
    item = t.case_items.alias("shared_item")
    in_item_network = t.network_posts.alias("shared_item_member")
    # Each subquery names the one table it reads; everything else it mentions (the
    # share, the case item, the post of the enclosing query, however many levels up)
    # is correlated, never pulled into its FROM.
    network_holds = (
        exists()
        .where(in_network.c.network_id == share.c.ref, in_network.c.post_id == post_column)
        .correlate_except(in_network)
    )
    item_network_holds = (
        exists()
        .where(
            in_item_network.c.network_id == item.c.ref,
            in_item_network.c.post_id == post_column,
        )
        .correlate_except(in_item_network)
    )
    case_holds = (
        exists()
        .where(
            item.c.case_id == share.c.case_id,
            or_(
                and_(item.c.kind == "post", item.c.ref == post_column),
                and_(item.c.kind == "network", item_network_holds),
            ),
        )
        .correlate_except(item)
    )
    owner_holds = (
        exists()
        .where(owner.c.post_id == post_column, owner.c.org_id == share.c.owner_org_id)
        .correlate_except(owner)
    )
    return (
        exists()
        .where(
            share.c.target_org_id == org_id,
            share.c.revoked_at.is_(None),
            owner_holds,
            or_(
                and_(share.c.kind == "post", share.c.ref == post_column),
                and_(share.c.kind == "network", network_holds),
                and_(share.c.kind == "case", case_holds),
            ),
        )
        .correlate_except(share)
    )


def _owned(org_id: int, post_column: Any) -> Any:
    """The organisation may read the post: it holds it, or it was shared with it.

    Every organisation-scoped read below filters with this, so sharing reaches every
    page and API answer without each one having to know about it. Writes (adding to a
    case, triage, sharing onwards) check :func:`_held` instead: shared data is read-only.
    """
    return or_(_held(org_id, post_column), _shared(org_id, post_column))


def org_post(conn: Connection, post_id: str, org_id: int) -> Post | None:
    """The post if organisation ``org_id`` holds it or it was shared with it, else
    ``None`` (not found and not allowed look the same, so a foreign id reveals nothing)."""
    row = conn.execute(
        select(*_POST_COLUMNS).where(t.posts.c.id == post_id, _owned(org_id, t.posts.c.id))
    ).first()
    return None if row is None else row_to_post(row)


def post_held(conn: Connection, post_id: str, org_id: int) -> bool:
    """Whether the organisation holds the post itself (not merely through a share)."""
    return bool(conn.scalar(select(_held(org_id, literal(post_id)))))


def post_mentions(conn: Connection, post_id: str) -> list[dict[str, Any]]:
    query = (
        select(t.mentions)
        .where(t.mentions.c.post_id == post_id)
        .order_by(t.mentions.c.field, t.mentions.c.span_start, t.mentions.c.span_end.desc())
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def post_image_refs(conn: Connection, post_id: str) -> list[dict[str, Any]]:
    query = (
        select(t.post_images)
        .where(t.post_images.c.post_id == post_id)
        .order_by(t.post_images.c.position)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def post_selectors(conn: Connection, post_id: str, org_id: int) -> list[dict[str, Any]]:
    """The selectors a post shows, each with how many of the organisation's posts share it."""
    other = t.links.alias("other")
    shared = (
        select(func.count())
        .select_from(other)
        .where(other.c.selector_id == t.selectors.c.id, _owned(org_id, other.c.post_id))
        .scalar_subquery()
    )
    query = (
        select(t.selectors.c.kind, t.selectors.c.value, t.selectors.c.is_hub, shared.label("posts"))
        .join(t.links, t.links.c.selector_id == t.selectors.c.id)
        .where(t.links.c.post_id == post_id)
        .order_by(t.selectors.c.kind, t.selectors.c.value)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def post_networks(conn: Connection, post_id: str) -> list[str]:
    query = select(t.network_posts.c.network_id).where(t.network_posts.c.post_id == post_id)
    return sorted(conn.scalars(query))


def _org_size(org_id: int) -> Any:
    """How many of a network's posts the organisation holds. The triage queue is the
    organisation's own work, so networks only shared with it stay out of it (they are
    listed under "Shared with us")."""
    return (
        select(func.count())
        .select_from(t.network_posts)
        .where(t.network_posts.c.network_id == t.networks.c.id)
        .where(_held(org_id, t.network_posts.c.post_id))
        .scalar_subquery()
    )


TRIAGE_WINDOW = 4
"""Networks read per step, as a multiple of the queue's length, while finding its head."""
TRIAGE_MAX_CANDIDATES = 5000
"""Beyond this many candidates :func:`_triage_candidates` gives up (the full query runs)."""


def _triage_candidates(conn: Connection, org_id: int, limit: int) -> list[str] | None:
    """The ids among which the triage queue's first ``limit`` networks must be, or
    ``None`` when they are too many to be worth it (then every network is ranked).

    Ranking every network by ``org_size`` (a count over its posts) took seconds on a
    million posts, for a page of 200. The queue's order is (risk, org_size, id), and
    ``org_size <= size``, so: walk the networks by (risk, size, id), which needs no
    per-post work, keeping those holding one of the organisation's posts, until
    ``limit`` are found. Every network of higher risk than the last one kept is among
    them. Only a network of the same risk as the last one can still belong, and only
    if it has at least as many posts as the smallest ``org_size`` of the kept ones at
    that risk (see the proof in docs/web.md, "Load"); those are added as candidates.
    """
    # ``networks.risk`` is the stored score (written with it in the linking transaction),
    # so the walk needs no join. The walk's tie order does not matter (every network of
    # the boundary risk that can belong is added below); on SQLite, where a descending
    # order already puts NULL last, all-descending lets ``ix_networks_risk_size_id``,
    # read backwards, give the order without sorting every network.
    risk = t.networks.c.risk
    held = exists().where(
        t.network_posts.c.network_id == t.networks.c.id,
        _held(org_id, t.network_posts.c.post_id),
    )
    sqlite = conn.dialect.name == "sqlite"
    ordered = (
        select(t.networks.c.id, t.networks.c.size, risk.label("risk"))
        .where(t.networks.c.size >= 2)
        .order_by(
            risk.desc() if sqlite else risk.desc().nulls_last(),
            t.networks.c.size.desc(),
            t.networks.c.id.desc(),
        )
    )
    window = max(limit * TRIAGE_WINDOW, 100)
    kept: list[Any] = []
    offset = 0
    while len(kept) < limit:
        page = ordered.limit(window).offset(offset).subquery()
        mine = exists().where(
            t.network_posts.c.network_id == page.c.id, _held(org_id, t.network_posts.c.post_id)
        )
        rows = conn.execute(select(page, mine.label("mine"))).all()
        kept.extend([r for r in rows if r.mine][: limit - len(kept)])
        if len(rows) < window:
            break
        offset += window
    if len(kept) < limit:
        return [r.id for r in kept]  # every network of the organisation is here
    boundary = kept[-1].risk
    tied = [r.id for r in kept if r.risk == boundary]
    smallest = conn.scalar(select(func.min(_org_size(org_id))).where(t.networks.c.id.in_(tied)))
    same_risk = risk.is_(None) if boundary is None else risk == boundary
    extra = conn.scalars(
        select(t.networks.c.id)
        .where(same_risk, t.networks.c.size >= max(2, int(smallest or 0)), held)
        .limit(TRIAGE_MAX_CANDIDATES + 1)
    ).all()
    if len(extra) > TRIAGE_MAX_CANDIDATES:
        return None
    return sorted({r.id for r in kept} | set(extra))


def org_networks(conn: Connection, org_id: int, limit: int) -> list[dict[str, Any]]:
    """Networks with at least one of the organisation's posts, riskiest then largest first.

    ``org_size`` counts only the organisation's own posts; ``partial`` marks a network
    that also holds posts of other organisations, whose reasons are then withheld
    (they were computed over posts this organisation may not see). Only the networks
    that can make the first ``limit`` are ranked (:func:`_triage_candidates`).
    """
    candidates = _triage_candidates(conn, org_id, limit)
    org_size = _org_size(org_id).label("org_size")
    review = _latest_state(org_id, t.networks.c.id).label("review")
    scored = t.network_risk
    inner = (
        select(
            *[c for c in t.networks.c if c.name != "risk"],
            func.coalesce(scored.c.risk, t.networks.c.risk).label("risk"),
            scored.c.reasons.label("risk_reasons"),
            org_size,
            review,
        )
        .outerjoin(scored, scored.c.network_id == t.networks.c.id)
        .where(t.networks.c.size >= 2)
        .where(t.networks.c.size >= 2 if candidates is None else t.networks.c.id.in_(candidates))
        .subquery()
    )
    query = (
        select(inner)
        .where(inner.c.org_size > 0)
        .order_by(inner.c.risk.desc().nulls_last(), inner.c.org_size.desc(), inner.c.id)
        .limit(limit)
    )
    out = []
    for row in conn.execute(query):
        item = dict(row._mapping)
        item["partial"] = item["org_size"] < item["size"]
        risk_reasons = item.pop("risk_reasons")
        if risk_reasons is not None:
            item["reasons"] = reason_texts(risk_reasons)
        item["first_seen"] = _aware(item["first_seen"])
        item["last_seen"] = _aware(item["last_seen"])
        if item["partial"]:
            item["reasons"] = []
        out.append(item)
    return out


def network_in_org(conn: Connection, network_id: str, org_id: int) -> bool:
    """Whether the network holds a post the organisation holds itself: what lets it
    review the network, add it to a case or share it (a share alone does not)."""
    query = select(
        exists().where(
            t.network_posts.c.network_id == network_id, _held(org_id, t.network_posts.c.post_id)
        )
    )
    return bool(conn.scalar(query))


def network_visible(conn: Connection, network_id: str, org_id: int) -> bool:
    """Whether the organisation may read the network: it holds one of its posts, or one
    was shared with it."""
    query = select(
        exists().where(
            t.network_posts.c.network_id == network_id, _owned(org_id, t.network_posts.c.post_id)
        )
    )
    return bool(conn.scalar(query))


def org_network(conn: Connection, network_id: str, org_id: int) -> dict[str, Any] | None:
    """A network as organisation ``org_id`` may see it: only its own posts, the selectors
    those posts show, and the evidence links whose two posts are both its own.

    Features, template and reasons are computed over every member, so they are given
    only when every member is the organisation's; otherwise ``partial`` is true.
    """
    row = conn.execute(select(t.networks).where(t.networks.c.id == network_id)).first()
    # As in search: with nothing shared with the organisation, reading is holding, and
    # the (costly to build) sharing rule is left out of the statements.
    shared = has_incoming_shares(conn, org_id)
    readable, visible = (_owned, network_visible) if shared else (_held, network_in_org)
    if row is None or not visible(conn, network_id, org_id):
        return None
    members = list(
        conn.execute(
            select(t.posts.c.id, t.posts.c.title, t.posts.c.location, t.posts.c.posted_at)
            .join(t.network_posts, t.network_posts.c.post_id == t.posts.c.id)
            .where(t.network_posts.c.network_id == network_id, readable(org_id, t.posts.c.id))
            .order_by(t.posts.c.posted_at, t.posts.c.seq)
        )
    )
    own = {m.id for m in members}
    selector_rows = conn.execute(
        select(t.links.c.post_id, t.selectors.c.kind, t.selectors.c.value)
        .join(t.selectors, t.selectors.c.id == t.links.c.selector_id)
        .join(t.network_posts, t.network_posts.c.post_id == t.links.c.post_id)
        .where(t.network_posts.c.network_id == network_id, readable(org_id, t.links.c.post_id))
        .where(t.selectors.c.post_count >= 2)
        .order_by(t.selectors.c.kind, t.selectors.c.value, t.links.c.post_id)
    )
    selector_posts: dict[tuple[str, str], list[str]] = {}
    for s in selector_rows:
        selector_posts.setdefault((s.kind, s.value), []).append(s.post_id)
    evidence = [
        {"kind": e.kind, "value": e.value, "weight": e.weight, "posts": [e.post_a, e.post_b]}
        for e in conn.execute(
            select(t.network_evidence)
            .where(t.network_evidence.c.network_id == network_id)
            .order_by(t.network_evidence.c.id)
        )
        if e.post_a in own and e.post_b in own
    ]
    partial = len(own) < row.size
    scored = conn.execute(
        select(t.network_risk.c.risk, t.network_risk.c.reasons).where(
            t.network_risk.c.network_id == network_id
        )
    ).first()
    risk = scored.risk if scored is not None else row.risk
    reasons = reason_texts(scored.reasons if scored is not None else row.reasons or [])
    profile = conn.execute(
        select(t.network_profiles).where(t.network_profiles.c.network_id == network_id)
    ).first()
    review = conn.scalar(select(_latest_state(org_id, literal(network_id))))
    return {
        "id": row.id,
        "size": len(own),
        "partial": partial,
        "risk": risk,
        "reasons": [] if partial else reasons,
        "first_seen": _aware(min((m.posted_at for m in members if m.posted_at), default=None)),
        "last_seen": _aware(max((m.posted_at for m in members if m.posted_at), default=None)),
        "posts": [
            {
                "id": m.id,
                "title": m.title,
                "location": m.location,
                "posted_at": _aware(m.posted_at),
            }
            for m in members
        ],
        "selectors": [
            {"kind": kind, "value": value, "posts": posts}
            for (kind, value), posts in selector_posts.items()
        ],
        "evidence": evidence,
        "features": {} if partial or profile is None else dict(profile.features or {}),
        "template": None if partial or profile is None else profile.template,
        "review": review,
    }


def set_network_review(
    conn: Connection,
    org_id: int,
    network_id: str,
    status: str,
    user_id: int,
    *,
    note: str = "",
) -> None:
    """Record the organisation's triage decision on a network, made in the web app, in
    the same history as ``tracelight triage mark`` (the latest mark wins)."""
    username = conn.scalar(select(t.users.c.username).where(t.users.c.id == user_id))
    found = network_exists(conn, network_id)
    size, risk = found if found is not None else (None, None)
    add_triage_mark(
        conn,
        network_id,
        state=status,
        analyst=str(username),
        note=note,
        risk=risk,
        size=size,
        org_id=org_id,
        user_id=user_id,
    )


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Optional narrowing of a search; every value reaches SQL only as a bound parameter."""

    country: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def org_search(
    conn: Connection,
    query: str,
    org_id: int,
    limit: int = 20,
    filters: SearchFilters | None = None,
) -> list[SearchHit]:
    """Full-text search restricted to the posts the organisation may read (its own and
    those shared with it), with optional filters.

    The same query language and quoting as :mod:`tracelight.store.search`; the
    organisation is checked in SQL so ranking and the limit apply to its posts only.
    """
    return _org_search(conn, query, org_id, limit, filters or SearchFilters(), only=None)


def _org_search(
    conn: Connection,
    query: str,
    org_id: int,
    limit: int,
    filters: SearchFilters,
    *,
    only: Sequence[str] | None,
) -> list[SearchHit]:
    """:func:`org_search`, optionally among the posts ``only`` (saved-search alerts run
    the very same search over just the posts an ingest batch brought)."""
    params: dict[str, Any] = {"limit": limit, "hs": HIT_START, "he": HIT_END}
    params["candidates"] = max(RANK_CANDIDATES, limit)  # ranking is bounded: see search.py
    where = []
    if filters.country:
        where.append("p.country = :country")
        params["country"] = filters.country.upper()
    if filters.source:
        where.append("p.source = :source")
        params["source"] = filters.source
    if filters.since:
        where.append("p.posted_at >= :since")
        params["since"] = filters.since
    if filters.until:
        where.append("p.posted_at < :until")
        params["until"] = filters.until
    sqlite_db = conn.dialect.name == "sqlite"
    if only is not None:
        if not only:
            return []
        bounds = conn.execute(
            select(func.min(t.posts.c.seq), func.max(t.posts.c.seq)).where(t.posts.c.id.in_(only))
        ).one()
        if bounds[0] is None:
            return []
        # The seq range lets FTS5 seek straight to the batch's rows in its index.
        seq = "posts_fts.rowid" if sqlite_db else "p.seq"
        where.append(f"{seq} BETWEEN :lo AND :hi AND p.id IN :only")
        params.update(lo=bounds[0], hi=bounds[1], only=list(only))
    # The visibility rule is the one Core expression every other read uses, rendered
    # with its only values (an integer id and fixed kind names) inline. Search is the
    # hot path: an organisation nothing is shared with needs only the ownership test.
    rule = _owned if has_incoming_shares(conn, org_id) else _held
    visible = rule(org_id, literal_column("p.id")).compile(
        dialect=conn.dialect, compile_kwargs={"literal_binds": True}
    )
    where.append(f"({visible})")
    extra = "".join(f" AND {clause}" for clause in where)
    if sqlite_db:
        if filters.since or filters.until:
            # SQLite keeps datetimes as text; bind them the way SQLAlchemy stores them.
            for key in ("since", "until"):
                if params.get(key) is not None:
                    params[key] = params[key].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        params["match"] = fts5_query(query)
        sql = sqlite_search_sql(extra)
        if only is None and (filters.country or filters.source or filters.since or filters.until):
            # The filters go inside the full-text match too, so the walk for the newest
            # candidates skips the posts they reject (same candidates, same ranking).
            params["fmatch"] = filter_match(
                query,
                country=params.get("country"),
                source=params.get("source"),
                months=_filter_months(conn, params.get("since"), params.get("until")),
            )
            sql = sqlite_filtered_search_sql(extra)
    else:
        expression, phrase_params = postgres_tsquery(query)
        params.update(phrase_params)
        sql = postgres_search_sql(expression, extra)
    statement = text(sql)
    if only is not None:
        statement = statement.bindparams(bindparam("only", expanding=True))
    return [_hit(row) for row in conn.execute(statement, params)]


def _filter_months(conn: Connection, since: str | None, until: str | None) -> list[str] | None:
    """The posting-month tokens a date filter can pass (``None``: no date filter, or too
    wide to help); an open end is the store's first or last posting date."""
    if since is None and until is None:
        return None
    if since is None or until is None:
        first, last = conn.execute(
            text("SELECT (SELECT min(posted_at) FROM posts), (SELECT max(posted_at) FROM posts)")
        ).one()
        since = since if since is not None else first
        until = until if until is not None else last
    return month_tokens(since, until)


def reason_texts(reasons: Sequence[Any]) -> list[str]:
    """Reasons as sentences: risk scoring stores objects (text, indicator, weight, spans),
    link summaries are plain strings; pages show the sentence."""
    return [str(r.get("text", "")) if isinstance(r, dict) else str(r) for r in reasons]


# -- web: cases ------------------------------------------------------------------------

CASE_ITEM_KINDS = frozenset({"post", "network"})


def insert_case(conn: Connection, org_id: int, title: str, user_id: int) -> int:
    now = datetime.now(UTC)
    result = conn.execute(
        insert(t.cases).values(
            org_id=org_id,
            title=title,
            status="open",
            created_by=user_id,
            created_at=now,
            updated_at=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def org_cases(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    items = (
        select(func.count())
        .where(t.case_items.c.case_id == t.cases.c.id)
        .scalar_subquery()
        .label("items")
    )
    query = select(t.cases, items).where(t.cases.c.org_id == org_id).order_by(t.cases.c.id.desc())
    return [dict(row._mapping) for row in conn.execute(query)]


def org_case(conn: Connection, case_id: int, org_id: int) -> dict[str, Any] | None:
    """A case with its items and notes, if it belongs to organisation ``org_id``."""
    row = conn.execute(
        select(t.cases).where(t.cases.c.id == case_id, t.cases.c.org_id == org_id)
    ).first()
    if row is None:
        return None
    case = dict(row._mapping)
    case["items"] = [
        dict(r._mapping)
        for r in conn.execute(
            select(t.case_items.c.kind, t.case_items.c.ref, t.case_items.c.added_at)
            .where(t.case_items.c.case_id == case_id)
            .order_by(t.case_items.c.id)
        )
    ]
    case["notes"] = [
        dict(r._mapping)
        for r in conn.execute(
            select(t.case_notes.c.body, t.case_notes.c.created_at, t.users.c.username)
            .join(t.users, t.users.c.id == t.case_notes.c.author)
            .where(t.case_notes.c.case_id == case_id)
            .order_by(t.case_notes.c.id)
        )
    ]
    return case


def case_refs(conn: Connection, case_id: int) -> dict[str, list[str]] | None:
    """The posts and networks a case holds (``None``: no such case), for an evidence
    bundle of the whole case."""
    if conn.execute(select(t.cases.c.id).where(t.cases.c.id == case_id)).first() is None:
        return None
    refs: dict[str, list[str]] = {kind: [] for kind in sorted(CASE_ITEM_KINDS)}
    for kind, ref in conn.execute(
        select(t.case_items.c.kind, t.case_items.c.ref)
        .where(t.case_items.c.case_id == case_id)
        .order_by(t.case_items.c.id)
    ):
        refs[kind].append(ref)
    return refs


def add_case_item(conn: Connection, case_id: int, kind: str, ref: str, user_id: int) -> None:
    """Add a post or network to a case (idempotent); the caller checks both are the org's."""
    if kind not in CASE_ITEM_KINDS:
        raise ValueError(f"a case holds posts and networks, not {kind!r}")
    now = datetime.now(UTC)
    _insert_ignore(
        conn,
        t.case_items,
        [{"case_id": case_id, "kind": kind, "ref": ref, "added_by": user_id, "added_at": now}],
    )
    conn.execute(update(t.cases).where(t.cases.c.id == case_id).values(updated_at=now))


def add_case_note(conn: Connection, case_id: int, body: str, user_id: int) -> None:
    now = datetime.now(UTC)
    conn.execute(
        insert(t.case_notes).values(case_id=case_id, author=user_id, body=body, created_at=now)
    )
    conn.execute(update(t.cases).where(t.cases.c.id == case_id).values(updated_at=now))


def set_case_status(conn: Connection, case_id: int, status: str) -> None:
    conn.execute(
        update(t.cases)
        .where(t.cases.c.id == case_id)
        .values(status=status, updated_at=datetime.now(UTC))
    )


# -- web: audit ------------------------------------------------------------------------


def insert_audit(conn: Connection, entry: dict[str, Any]) -> int:
    result = conn.execute(insert(t.audit_log).values(**entry))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def list_audit(
    conn: Connection,
    org_id: int,
    *,
    username: str | None = None,
    action: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The organisation's audit entries, newest first, optionally for one user or action."""
    query = select(t.audit_log).where(t.audit_log.c.org_id == org_id)
    if username:
        query = query.where(t.audit_log.c.username == username)
    if action:
        query = query.where(t.audit_log.c.action == action)
    query = query.order_by(t.audit_log.c.id.desc()).limit(limit)
    out = []
    for row in conn.execute(query):
        item = dict(row._mapping)
        item["at"] = _aware(item["at"])
        out.append(item)
    return out


def count_audit_since(
    conn: Connection,
    action: str,
    since: datetime,
    *,
    username: str | None = None,
    client: str | None = None,
) -> int:
    """How many ``action`` entries since ``since`` for a user or a client address."""
    query = (
        select(func.count())
        .select_from(t.audit_log)
        .where(t.audit_log.c.action == action, t.audit_log.c.at >= since)
    )
    if username is not None:
        query = query.where(t.audit_log.c.username == username)
    if client is not None:
        query = query.where(t.audit_log.c.client == client)
    return int(conn.scalar(query) or 0)


# -- web: sharing between organisations ------------------------------------------------

SHARE_KINDS = ("case", "network", "post")


def has_incoming_shares(conn: Connection, org_id: int) -> bool:
    """Whether any unrevoked share is made to the organisation."""
    query = select(t.shares.c.id).where(
        t.shares.c.target_org_id == org_id, t.shares.c.revoked_at.is_(None)
    )
    return conn.execute(query.limit(1)).first() is not None


def share_target_held(conn: Connection, org_id: int, kind: str, ref: str) -> bool:
    """Whether organisation ``org_id`` holds what it wants to share: its own case, or a
    network or post it holds itself (never something merely shared with it, so a share
    cannot be passed on)."""
    if kind == "case":
        if not ref.isdigit() or len(ref) > 18:
            return False
        query = select(t.cases.c.id).where(t.cases.c.id == int(ref), t.cases.c.org_id == org_id)
        return conn.scalar(query) is not None
    if kind == "network":
        return network_in_org(conn, ref, org_id)
    if kind == "post":
        return post_held(conn, ref, org_id)
    return False


def add_share(
    conn: Connection,
    owner_org_id: int,
    target_org_id: int,
    kind: str,
    ref: str,
    *,
    user_id: int,
) -> int:
    """Grant ``target_org_id`` read access to a case, network or post of the owner; the
    caller has checked the owner holds it (:func:`share_target_held`). Sharing what is
    already shared returns the standing share rather than a second one."""
    share = t.shares
    standing = conn.scalar(
        select(share.c.id).where(
            share.c.owner_org_id == owner_org_id,
            share.c.target_org_id == target_org_id,
            share.c.kind == kind,
            share.c.ref == ref,
            share.c.revoked_at.is_(None),
        )
    )
    if standing is not None:
        return int(standing)
    result = conn.execute(
        insert(share).values(
            owner_org_id=owner_org_id,
            target_org_id=target_org_id,
            kind=kind,
            ref=ref,
            case_id=int(ref) if kind == "case" else None,
            created_by=user_id,
            created_at=datetime.now(UTC),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def revoke_share(conn: Connection, share_id: int, owner_org_id: int, user_id: int) -> bool:
    """End a standing share of the owner's; ``False`` when there is none with that id (or
    it is another organisation's, which looks the same)."""
    result = conn.execute(
        update(t.shares)
        .where(
            t.shares.c.id == share_id,
            t.shares.c.owner_org_id == owner_org_id,
            t.shares.c.revoked_at.is_(None),
        )
        .values(revoked_at=datetime.now(UTC), revoked_by=user_id)
    )
    return bool(result.rowcount)


def get_share(conn: Connection, share_id: int, owner_org_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(t.shares).where(t.shares.c.id == share_id, t.shares.c.owner_org_id == owner_org_id)
    ).first()
    return None if row is None else dict(row._mapping)


def _share_rows(conn: Connection, where: Any, other_org: Any) -> list[dict[str, Any]]:
    other = t.organisations.alias("other_org")
    query = (
        select(
            t.shares.c.id,
            t.shares.c.kind,
            t.shares.c.ref,
            t.shares.c.case_id,
            t.shares.c.created_at,
            other.c.name.label("org"),
            t.users.c.username.label("shared_by"),
            t.cases.c.title.label("case_title"),
        )
        .join(other, other.c.id == other_org)
        .join(t.users, t.users.c.id == t.shares.c.created_by)
        .outerjoin(t.cases, t.cases.c.id == t.shares.c.case_id)
        .where(where, t.shares.c.revoked_at.is_(None))
        .order_by(t.shares.c.id.desc())
    )
    out = []
    for row in conn.execute(query):
        item = dict(row._mapping)
        item["created_at"] = _aware(item["created_at"])
        out.append(item)
    return out


def shares_with(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    """Standing shares made *to* the organisation ("shared with us"), newest first; a
    shared case comes with its posts and networks (``items``), which the receiver may
    open; its notes stay with the owner."""
    found = _share_rows(conn, t.shares.c.target_org_id == org_id, t.shares.c.owner_org_id)
    for share in found:
        share["items"] = []
        if share["kind"] == "case" and share["case_id"] is not None:
            share["items"] = [
                dict(r._mapping)
                for r in conn.execute(
                    select(t.case_items.c.kind, t.case_items.c.ref)
                    .where(t.case_items.c.case_id == share["case_id"])
                    .order_by(t.case_items.c.id)
                )
            ]
    return found


def shares_by(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    """Standing shares the organisation made ("shared by us"), newest first."""
    return _share_rows(conn, t.shares.c.owner_org_id == org_id, t.shares.c.target_org_id)


# -- web: saved searches and their alerts ----------------------------------------------


def _filters_json(filters: SearchFilters) -> dict[str, Any]:
    return {
        "country": filters.country,
        "source": filters.source,
        "since": filters.since.isoformat() if filters.since else None,
        "until": filters.until.isoformat() if filters.until else None,
    }


def filters_from_json(value: dict[str, Any] | None) -> SearchFilters:
    value = value or {}

    def when(key: str) -> datetime | None:
        raw = value.get(key)
        return _aware(datetime.fromisoformat(raw)) if raw else None

    return SearchFilters(
        country=value.get("country") or None,
        source=value.get("source") or None,
        since=when("since"),
        until=when("until"),
    )


def insert_saved_search(
    conn: Connection, org_id: int, user_id: int, *, name: str, query: str, filters: SearchFilters
) -> int:
    """Save a user's search; from now on each newly ingested post of the organisation
    that it finds raises an alert. Posts already held raise none."""
    result = conn.execute(
        insert(t.saved_searches).values(
            org_id=org_id,
            user_id=user_id,
            name=name,
            query=query,
            filters=_filters_json(filters),
            created_at=datetime.now(UTC),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def user_saved_searches(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    """A user's saved searches, newest first, each with its count of unread alerts."""
    unread = (
        select(func.count())
        .where(
            t.search_alerts.c.saved_search_id == t.saved_searches.c.id,
            t.search_alerts.c.read_at.is_(None),
        )
        .scalar_subquery()
        .label("unread")
    )
    query = (
        select(t.saved_searches, unread)
        .where(t.saved_searches.c.user_id == user_id)
        .order_by(t.saved_searches.c.id.desc())
    )
    out = []
    for row in conn.execute(query):
        item = dict(row._mapping)
        item["created_at"] = _aware(item["created_at"])
        out.append(item)
    return out


def delete_saved_search(conn: Connection, saved_id: int, user_id: int) -> bool:
    """Remove a user's saved search with its alerts; ``False`` if it is not theirs."""
    found = conn.scalar(
        select(t.saved_searches.c.id).where(
            t.saved_searches.c.id == saved_id, t.saved_searches.c.user_id == user_id
        )
    )
    if found is None:
        return False
    conn.execute(delete(t.search_alerts).where(t.search_alerts.c.saved_search_id == saved_id))
    conn.execute(delete(t.saved_searches).where(t.saved_searches.c.id == saved_id))
    return True


def posts_not_held(conn: Connection, post_ids: Sequence[str], org_id: int) -> list[str]:
    """Those of ``post_ids`` the organisation does not hold yet: read before an ingest
    batch is tagged, they are the posts that batch brings the organisation."""
    held: set[str] = set()
    unique = list(dict.fromkeys(post_ids))
    for chunk in _chunks(unique):
        held.update(
            conn.scalars(
                select(t.post_orgs.c.post_id).where(
                    t.post_orgs.c.org_id == org_id, t.post_orgs.c.post_id.in_(chunk)
                )
            )
        )
    return [p for p in unique if p not in held]


def raise_alerts(conn: Connection, post_ids: Sequence[str], org_id: int) -> int:
    """Run each of the organisation's saved searches over ``post_ids`` (the posts an
    ingest batch just brought it) and record an alert for every match.

    Runs in the ingest batch's transaction, so the alerts commit with the posts or not
    at all; the (saved search, post) key makes a rerun add nothing twice. The search is
    :func:`org_search` itself, restricted to these posts. Returns the matches found.
    """
    if not post_ids:
        return 0
    searches = list(
        conn.execute(
            select(t.saved_searches.c.id, t.saved_searches.c.query, t.saved_searches.c.filters)
            .where(t.saved_searches.c.org_id == org_id)
            .order_by(t.saved_searches.c.id)
        )
    )
    if not searches:
        return 0
    now = datetime.now(UTC)
    found = 0
    for chunk in _chunks(list(dict.fromkeys(post_ids))):
        for saved in searches:
            try:
                filters = filters_from_json(saved.filters)
                hits = _org_search(conn, saved.query, org_id, len(chunk), filters, only=chunk)
            except SearchQueryError:  # saved before a parser change made it empty
                continue
            rows = [
                {"saved_search_id": saved.id, "post_id": h.post_id, "raised_at": now} for h in hits
            ]
            _insert_ignore(conn, t.search_alerts, rows)
            found += len(rows)
    return found


def _alert_query(user_id: int, org_id: int, *, readable: Any = None) -> Any:
    """The user's alerts on posts the organisation may read (``readable``: the visibility
    rule to use, :func:`_owned` unless the caller knows a cheaper one is exact)."""
    readable = _owned if readable is None else readable
    return (
        select(
            t.search_alerts.c.id,
            t.search_alerts.c.post_id,
            t.search_alerts.c.raised_at,
            t.search_alerts.c.read_at,
            t.saved_searches.c.id.label("saved_search_id"),
            t.saved_searches.c.name,
            t.saved_searches.c.query,
            t.posts.c.title,
            t.posts.c.source,
            t.posts.c.location,
            t.posts.c.posted_at,
        )
        .join(t.saved_searches, t.saved_searches.c.id == t.search_alerts.c.saved_search_id)
        .join(t.posts, t.posts.c.id == t.search_alerts.c.post_id)
        .where(t.saved_searches.c.user_id == user_id, readable(org_id, t.posts.c.id))
    )


def user_alerts(
    conn: Connection, user_id: int, org_id: int, *, unread_only: bool = False, limit: int = 200
) -> list[dict[str, Any]]:
    """The user's alerts, newest first (unread ones only if asked)."""
    query = _alert_query(user_id, org_id)
    if unread_only:
        query = query.where(t.search_alerts.c.read_at.is_(None))
    query = query.order_by(t.search_alerts.c.id.desc()).limit(limit)
    out = []
    for row in conn.execute(query):
        item = dict(row._mapping)
        for key in ("raised_at", "read_at", "posted_at"):
            item[key] = _aware(item[key])
        out.append(item)
    return out


def unread_alert_count(conn: Connection, user_id: int, org_id: int) -> int:
    """Unread alerts the user can still open: an alert on a post whose share was revoked
    no longer counts, exactly as it no longer shows in :func:`user_alerts`."""
    # Every page's navigation shows this count, so the common answers stay cheap: a user
    # with no unread alert at all needs no visibility check, and an organisation that
    # nothing is shared with reads exactly what it holds (as in search).
    if conn.execute(_ANY_UNREAD, {"user_id": user_id}).first() is None:
        return 0
    readable = _owned if has_incoming_shares(conn, org_id) else _held
    unread = _alert_query(user_id, org_id, readable=readable).where(
        t.search_alerts.c.read_at.is_(None)
    )
    return int(conn.scalar(select(func.count()).select_from(unread.subquery())) or 0)


_ANY_UNREAD = (
    select(literal(1))
    .select_from(t.search_alerts)
    .join(t.saved_searches, t.saved_searches.c.id == t.search_alerts.c.saved_search_id)
    .where(t.saved_searches.c.user_id == bindparam("user_id"), t.search_alerts.c.read_at.is_(None))
    .limit(1)
)


def mark_alerts_read(conn: Connection, user_id: int, alert_id: int | None = None) -> int:
    """Mark one of the user's alerts read, or all of them; how many changed."""
    mine = select(t.saved_searches.c.id).where(t.saved_searches.c.user_id == user_id)
    query = (
        update(t.search_alerts)
        .where(t.search_alerts.c.saved_search_id.in_(mine), t.search_alerts.c.read_at.is_(None))
        .values(read_at=datetime.now(UTC))
    )
    if alert_id is not None:
        query = query.where(t.search_alerts.c.id == alert_id)
    return int(conn.execute(query).rowcount or 0)


def alert_exists(conn: Connection, user_id: int, alert_id: int) -> bool:
    query = (
        select(t.search_alerts.c.id)
        .join(t.saved_searches, t.saved_searches.c.id == t.search_alerts.c.saved_search_id)
        .where(t.search_alerts.c.id == alert_id, t.saved_searches.c.user_id == user_id)
    )
    return conn.execute(query).first() is not None


def all_alerts(conn: Connection, username: str | None = None) -> list[dict[str, Any]]:
    """Unread alerts of every user, or of one, for ``tracelight alerts`` (the CLI runs
    with the whole store's authority)."""
    query = (
        select(
            t.search_alerts.c.id,
            t.search_alerts.c.post_id,
            t.search_alerts.c.raised_at,
            t.saved_searches.c.name,
            t.saved_searches.c.query,
            t.users.c.username,
            t.organisations.c.name.label("org"),
            t.posts.c.title,
        )
        .join(t.saved_searches, t.saved_searches.c.id == t.search_alerts.c.saved_search_id)
        .join(t.users, t.users.c.id == t.saved_searches.c.user_id)
        .join(t.organisations, t.organisations.c.id == t.saved_searches.c.org_id)
        .join(t.posts, t.posts.c.id == t.search_alerts.c.post_id)
        .where(t.search_alerts.c.read_at.is_(None))
        .order_by(t.search_alerts.c.id)
    )
    if username is not None:
        query = query.where(t.users.c.username == username)
    out = []
    for row in conn.execute(query):
        item = dict(row._mapping)
        item["raised_at"] = _aware(item["raised_at"])
        out.append(item)
    return out
