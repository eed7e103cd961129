"""Orchestration: split the post budget by kind, interleave actors, stream the files.

Exactly ``posts`` lines are written. Each kind gets a fixed share of the budget;
a kind's posts come from a few live actors at a time, created as earlier ones
finish, so memory stays bounded by the live actors (plus the registries of used
contacts), not by the corpus. Which kind writes the next line is drawn in
proportion to what each kind still has to write: a random merge that ends with
every kind's budget spent exactly. Lines are therefore in random, not time,
order, as a scrape that visits several sites would be.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from random import Random
from types import MappingProxyType
from typing import IO, Any

from tracelight.synth.kinds import ACTORS, KINDS, MIN_SIZE, Actor, Draft, draw_size
from tracelight.synth.world import World

SHARES: Mapping[str, float] = MappingProxyType(
    {
        "independent": 0.45,
        "agency": 0.10,
        "spam": 0.08,
        "trafficking": 0.22,
        "job_legit": 0.10,
        "job_fraud": 0.05,
    }
)
"""Share of posts per kind; independents absorb rounding."""

LIVE_ACTORS: Mapping[str, int] = MappingProxyType(
    {"independent": 24, "agency": 4, "spam": 3, "trafficking": 8, "job_legit": 8, "job_fraud": 3}
)
"""How many actors of a kind post concurrently: more means more interleaving."""

DEFAULT_MAX_IMAGES = 3000

_OUR_IMAGE = re.compile(r"^[0-9a-f]{12}\.(jpg|png)$")


@dataclass(frozen=True, slots=True)
class CorpusSummary:
    """What :func:`generate_corpus` wrote and how many posts of each kind.

    ``phones_outside_reserved`` counts numbers that are valid but not from a range
    reserved for fiction: all of Spain, Mexico and Brazil (which have none), and
    any overflow once a reserved range is used up at very large sizes.
    """

    out_dir: Path
    posts_path: Path
    ground_truth_path: Path
    groups_path: Path
    images_dir: Path
    posts: int
    counts: Mapping[str, int]
    groups: int
    image_files: int
    phones: int
    phones_outside_reserved: int
    seed: int
    period_start: datetime
    period_end: datetime


def plan(posts: int) -> dict[str, int]:
    """Posts per kind for a corpus of ``posts``."""
    counts = {kind: int(posts * SHARES[kind]) for kind in KINDS}
    counts["independent"] += posts - sum(counts.values())
    return counts


class _KindStream:
    """The live actors of one kind, and the posts of that kind not yet given to one."""

    def __init__(self, kind: str, total: int, world: World) -> None:
        self.kind = kind
        self.unassigned = total
        self.world = world
        self.live: list[Actor] = []

    def _spawn(self) -> None:
        rng = self.world.rng
        size = draw_size(rng, self.kind)
        if self.unassigned - size < MIN_SIZE[self.kind]:
            size = self.unassigned
        size = min(size, self.unassigned)
        self.unassigned -= size
        self.live.append(ACTORS[self.kind](self.world, size))

    def next(self) -> tuple[Actor, Draft]:
        while self.unassigned > 0 and len(self.live) < LIVE_ACTORS[self.kind]:
            self._spawn()
        actor = self.live[self.world.rng.randrange(len(self.live))]
        return actor, actor.next()

    def retire(self, actor: Actor) -> None:
        self.live.remove(actor)


def _stamp(when: datetime) -> str:
    return (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
        f"T{when.hour:02d}:{when.minute:02d}:{when.second:02d}Z"
    )


# One encoder for the whole run: ``json.dumps`` with options builds a new one per call.
_dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _prepare(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    images_dir = out_dir / "images"
    images_dir.mkdir(exist_ok=True)
    # Files from an earlier corpus would be referenced by nothing; only ours are removed.
    for old in images_dir.iterdir():
        if old.is_file() and _OUR_IMAGE.match(old.name):
            old.unlink()
    return images_dir


def generate_corpus(
    out_dir: Path, posts: int, seed: int = 7, *, max_images: int = DEFAULT_MAX_IMAGES
) -> CorpusSummary:
    """Write a synthetic corpus of exactly ``posts`` posts into ``out_dir``.

    Same ``(posts, seed, max_images)`` gives byte-identical files. ``max_images``
    bounds the number of image files; beyond it, fewer posters get photos.
    """
    if posts < 0:
        raise ValueError("posts must be zero or more")
    if max_images < 0:
        raise ValueError("max_images must be zero or more")
    out_dir = Path(out_dir)
    images_dir = _prepare(out_dir)
    world = World(seed=seed, images_dir=images_dir, image_cap=max_images, posts=posts)
    counts = plan(posts)
    streams = {kind: _KindStream(kind, counts[kind], world) for kind in KINDS}
    remaining = dict(counts)
    left = posts
    groups = 0
    paths = (out_dir / "posts.jsonl", out_dir / "ground_truth.jsonl", out_dir / "groups.json")
    with (
        paths[0].open("w", encoding="utf-8", newline="\n") as post_out,
        paths[1].open("w", encoding="utf-8", newline="\n") as truth_out,
        paths[2].open("w", encoding="utf-8", newline="\n") as group_out,
    ):
        group_out.write('{"groups":[\n')
        rng = world.rng
        while left:
            pick = rng.randrange(left)
            for kind in KINDS:
                if pick < remaining[kind]:
                    break
                pick -= remaining[kind]
            remaining[kind] -= 1
            left -= 1
            stream = streams[kind]
            actor, draft = stream.next()
            poster = actor.poster_of(draft, actor.emitted - 1)
            post_id = world.post_id(draft.site)
            actor.record(post_id)
            _write_post(
                post_out,
                truth_out,
                rng=rng,
                kind=kind,
                group=actor.group,
                poster=poster,
                post_id=post_id,
                draft=draft,
            )
            if actor.done:
                stream.retire(actor)
                record = actor.group_record()
                if record is not None:
                    group_out.write((",\n" if groups else "") + _dump(record))
                    groups += 1
        group_out.write("\n]}\n")
    return CorpusSummary(
        out_dir=out_dir,
        posts_path=paths[0],
        ground_truth_path=paths[1],
        groups_path=paths[2],
        images_dir=images_dir,
        posts=posts,
        counts=MappingProxyType(counts),
        groups=groups,
        image_files=world.images.files_written,
        phones=world.phones.allocated,
        phones_outside_reserved=world.phones.outside_reserved,
        seed=seed,
        period_start=world.start,
        period_end=world.end,
    )


def _write_post(
    post_out: IO[str],
    truth_out: IO[str],
    *,
    rng: Random,
    kind: str,
    group: str | None,
    poster: str | None,
    post_id: str,
    draft: Draft,
) -> None:
    site = draft.site
    collected = draft.posted_at + timedelta(minutes=rng.randint(5, 4320))
    record: dict[str, Any] = {
        "id": post_id,
        "source": site.name,
        "url": f"https://{site.domain}/{draft.city.slug}/{site.path}/{post_id}",
        "posted_at": _stamp(draft.posted_at),
        "collected_at": _stamp(collected),
    }
    if draft.title is not None:
        record["title"] = draft.title
    record.update(
        body=draft.body,
        location=draft.location,
        country=draft.city.country,
        language=draft.language,
        images=[use.uri for use in draft.images],
    )
    record.update(draft.extras)
    truth = {
        "id": post_id,
        "source": site.name,
        "kind": kind,
        "group": group,
        "poster": poster,
        "contacts": draft.contacts,
        "persona": draft.persona,
        "age": draft.age,
        "city": draft.city.name,
        "country": draft.city.country,
        "language": draft.language,
        "cues": draft.cues,
        "images": [
            {"uri": use.uri, "photo": use.photo, "variant": use.variant} for use in draft.images
        ],
    }
    post_out.write(_dump(record) + "\n")
    truth_out.write(_dump(truth) + "\n")
