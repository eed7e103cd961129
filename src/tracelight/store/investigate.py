"""Organisation-scoped reads behind the selector and image pages of the web app.

Kept apart from :mod:`tracelight.store.repository` (whose web section owns posts,
networks and cases) but built on the same rule: every function takes the caller's
``org_id`` and the ownership test sits in the SQL (``repository._owned``), so a route
cannot forget it. Something with no post of the organisation behind it is ``None``,
exactly like something that does not exist, so foreign ids reveal nothing.

Some facts about a selector or image are computed over *every* post in the store
(the hub verdict's post count and cohesion, an image's global use). They are given
only when every post behind the thing is the organisation's, the same rule the
network page follows for a *partial* network.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from tracelight.store import schema as t
from tracelight.store.repository import SELECTOR_KINDS, _chunks, _owned, aware

PERSONA_KINDS = ("name", "age")
"""Mention kinds that describe the person an ad presents: the persona."""

HUB_REASONS = {
    "placeholder": "a placeholder number (its digits are nearly all the same), which "
    "unrelated ads share",
    "degree": "shown by more posts than the linking limit allows: more likely a shared "
    "agency, booking or spam number than one operation",
    "diverse": "shown by posts whose texts have little in common and many different "
    "names: more likely a shared service than one operation",
}
"""Why the link stage set a selector aside as a hub, in words an analyst can check."""


def org_selector(conn: Connection, kind: str, value: str, org_id: int) -> dict[str, Any] | None:
    """Everything the organisation's posts say about one selector, or ``None``.

    ``None`` when the selector does not exist *or* none of the organisation's posts
    carries it: the two must look the same to the caller.
    """
    if kind not in SELECTOR_KINDS:
        return None
    row = conn.execute(
        select(t.selectors).where(t.selectors.c.kind == kind, t.selectors.c.value == value)
    ).first()
    if row is None:
        return None
    posts = [
        {
            "id": p.id,
            "title": p.title,
            "source": p.source,
            "location": p.location,
            "country": p.country,
            "posted_at": aware(p.posted_at),
        }
        for p in conn.execute(
            select(
                t.posts.c.id,
                t.posts.c.title,
                t.posts.c.source,
                t.posts.c.location,
                t.posts.c.country,
                t.posts.c.posted_at,
            )
            .join(t.links, t.links.c.post_id == t.posts.c.id)
            .where(t.links.c.selector_id == row.id, _owned(org_id, t.posts.c.id))
            .order_by(t.posts.c.posted_at, t.posts.c.seq)
        )
    ]
    if not posts:
        return None
    ids = [p["id"] for p in posts]
    persona = _personas(conn, ids)
    for p in posts:
        p["names"] = persona[p["id"]]["name"]
        p["ages"] = persona[p["id"]]["age"]
    seen = [p["posted_at"] for p in posts if p["posted_at"] is not None]
    partial = int(row.post_count) > len(posts)
    return {
        "kind": row.kind,
        "value": row.value,
        "posts": posts,
        "first_seen": min(seen, default=None),
        "last_seen": max(seen, default=None),
        "places": _tally((p["location"] or "unknown place", p["country"] or "") for p in posts),
        "countries": _tally(p["country"] or "unknown" for p in posts),
        "names": _tally(n for p in posts for n in p["names"]),
        "ages": _tally(a for p in posts for a in p["ages"]),
        "networks": _networks_of(conn, ids),
        "hub": _hub(conn, row, partial),
        "partial": partial,
        "images": _selector_images(conn, kind, value, org_id),
    }


def _personas(conn: Connection, post_ids: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    """Per post, the distinct names and ages its text gives, in text order."""
    out: dict[str, dict[str, list[str]]] = {p: {k: [] for k in PERSONA_KINDS} for p in post_ids}
    for chunk in _chunks(list(post_ids)):
        query = (
            select(t.mentions.c.post_id, t.mentions.c.kind, t.mentions.c.value)
            .where(t.mentions.c.post_id.in_(chunk), t.mentions.c.kind.in_(PERSONA_KINDS))
            .order_by(t.mentions.c.post_id, t.mentions.c.field, t.mentions.c.span_start)
        )
        for m in conn.execute(query):
            values = out[m.post_id][m.kind]
            if m.value not in values:
                values.append(m.value)
    return out


def _tally(values: Any) -> list[dict[str, Any]]:
    """Distinct values with how many times each occurs, most frequent first."""
    counts: dict[Any, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return [{"value": v, "posts": n} for v, n in ordered]


def _networks_of(conn: Connection, post_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The networks that hold any of these (the organisation's own) posts, and which."""
    found: dict[str, list[str]] = {}
    for chunk in _chunks(list(post_ids)):
        query = select(t.network_posts.c.network_id, t.network_posts.c.post_id).where(
            t.network_posts.c.post_id.in_(chunk)
        )
        for r in conn.execute(query):
            found.setdefault(r.network_id, []).append(r.post_id)
    return [{"id": n, "posts": sorted(p)} for n, p in sorted(found.items())]


def _hub(conn: Connection, selector: Any, partial: bool) -> dict[str, Any] | None:
    """The hub verdict: ``None`` when the selector links normally.

    The reason is shown to every reader (the post page already flags hubs); the total
    post count and text cohesion behind it are computed over every organisation's posts
    and so are withheld when some of those posts are not the reader's.
    """
    row = conn.execute(
        select(t.selector_hubs).where(t.selector_hubs.c.selector_id == selector.id)
    ).first()
    if row is None and not selector.is_hub:
        return None
    reason = str(row.reason) if row is not None else "hub"
    return {
        "reason": reason,
        "why": HUB_REASONS.get(reason, "set aside by the link stage"),
        "posts": None if partial or row is None else int(row.posts),
        "cohesion": None if partial or row is None else row.cohesion,
    }


def _selector_images(conn: Connection, kind: str, value: str, org_id: int) -> list[str]:
    """For image and face selectors, the organisation's images behind them (SHA-256)."""
    if kind == "image":
        cluster = func.coalesce(t.image_features.c.cluster, t.post_images.c.sha256)
        query = (
            select(t.post_images.c.sha256)
            .select_from(
                t.post_images.outerjoin(
                    t.image_features, t.image_features.c.sha256 == t.post_images.c.sha256
                )
            )
            .where(cluster == value, _owned(org_id, t.post_images.c.post_id))
        )
    elif kind == "face":
        query = (
            select(t.post_images.c.sha256)
            .join(t.faces, t.faces.c.sha256 == t.post_images.c.sha256)
            .where(t.faces.c.cluster == value, _owned(org_id, t.post_images.c.post_id))
        )
    else:
        return []
    return sorted({sha for sha in conn.scalars(query) if sha})


# -- images ----------------------------------------------------------------------------


def image_in_org(conn: Connection, sha256: str, org_id: int) -> bool:
    """Whether a post of the organisation shows this image (the test for serving it)."""
    query = select(t.post_images.c.post_id).where(
        t.post_images.c.sha256 == sha256, _owned(org_id, t.post_images.c.post_id)
    )
    return conn.execute(query.limit(1)).first() is not None


def org_image(conn: Connection, sha256: str, org_id: int) -> dict[str, Any] | None:
    """One image as the organisation may see it: its blob, decode verdict, hash, the
    organisation's posts that show it and its faces. EXIF is read separately
    (``repository.image_exif``) and only for roles allowed to see it."""
    if not image_in_org(conn, sha256, org_id):
        return None
    blob = conn.execute(select(t.image_blobs).where(t.image_blobs.c.sha256 == sha256)).first()
    features = conn.execute(
        select(t.image_features).where(t.image_features.c.sha256 == sha256)
    ).first()
    posts = [
        {"id": r.id, "title": r.title, "location": r.location, "posted_at": aware(r.posted_at)}
        for r in conn.execute(
            select(t.posts.c.id, t.posts.c.title, t.posts.c.location, t.posts.c.posted_at)
            .join(t.post_images, t.post_images.c.post_id == t.posts.c.id)
            .where(t.post_images.c.sha256 == sha256, _owned(org_id, t.posts.c.id))
            .distinct()
            .order_by(t.posts.c.posted_at, t.posts.c.id)
        )
    ]
    faces = [
        {"position": f.position, "box": list(f.box), "cluster": f.cluster}
        for f in conn.execute(
            select(t.faces.c.position, t.faces.c.box, t.faces.c.cluster)
            .where(t.faces.c.sha256 == sha256)
            .order_by(t.faces.c.position)
        )
    ]
    return {
        "sha256": sha256,
        "stored": blob is not None,
        "media_type": blob.media_type if blob is not None else None,
        "size": int(blob.size) if blob is not None else None,
        "status": features.status if features is not None else None,
        "reason": features.reason if features is not None else None,
        "format": features.format if features is not None else None,
        "width": features.width if features is not None else None,
        "height": features.height if features is not None else None,
        "pdq": features.pdq if features is not None else None,
        "pdq_dihedral": list(features.pdq_dihedral or []) if features is not None else [],
        "quality": features.quality if features is not None else None,
        "posts": posts,
        "faces": faces,
    }


def org_image_hashes(conn: Connection, org_id: int, min_quality: int) -> list[Any]:
    """``sha256, pdq`` of every decoded image a post of the organisation shows, whose
    hash is good enough to match on (the near-duplicate rule of the vision stage)."""
    f = t.image_features
    owned_images = select(t.post_images.c.sha256).where(_owned(org_id, t.post_images.c.post_id))
    query = (
        select(f.c.sha256, f.c.pdq)
        .where(f.c.status == "ok", f.c.quality >= min_quality, f.c.pdq.is_not(None))
        .where(f.c.sha256.in_(owned_images))
        .order_by(f.c.sha256)
    )
    return list(conn.execute(query))


def org_face_encodings(conn: Connection, org_id: int) -> list[Any]:
    """``sha256, position, box, embedding`` of every face in the organisation's images."""
    owned_images = select(t.post_images.c.sha256).where(_owned(org_id, t.post_images.c.post_id))
    query = (
        select(t.faces.c.sha256, t.faces.c.position, t.faces.c.box, t.faces.c.embedding)
        .where(t.faces.c.sha256.in_(owned_images))
        .order_by(t.faces.c.sha256, t.faces.c.position)
    )
    return list(conn.execute(query))


def org_posts_with_images(
    conn: Connection, shas: Sequence[str], org_id: int
) -> dict[str, list[str]]:
    """``sha256 -> ids of the organisation's posts`` that show each image."""
    out: dict[str, list[str]] = {}
    for chunk in _chunks(list(shas)):
        query = (
            select(t.post_images.c.sha256, t.post_images.c.post_id)
            .where(t.post_images.c.sha256.in_(chunk), _owned(org_id, t.post_images.c.post_id))
            .order_by(t.post_images.c.post_id)
        )
        for row in conn.execute(query):
            posts = out.setdefault(row.sha256, [])
            if row.post_id not in posts:
                posts.append(row.post_id)
    return out
