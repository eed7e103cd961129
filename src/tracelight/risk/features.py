"""Feature values in [0, 1] for a post or a network, with the evidence behind each one.

Pure functions over what extraction and linking produced (mentions with spans, network
profiles, link evidence): no database. Each value comes with its *pointers*, the spans of
posts or the links that made it, so that a reason can always show where it comes from.

Every value is non-decreasing in what it counts (another indicator mention, another
persona on a phone, another city), which, with non-negative weights, is what makes a
score monotone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracelight.model import Mention
from tracelight.risk.library import library

MINOR_AGE = 18
YOUNG_AGE = 20
"""Stated ages from :data:`MINOR_AGE` to this one count as ``age.young``."""
EXAMPLES = 3
"""Spans or links kept per feature as its pointers."""


@dataclass(frozen=True, slots=True)
class Span:
    """Where in which post a feature was read: code-point offsets into the original field."""

    post: str
    field: str
    start: int
    end: int
    text: str

    def as_json(self) -> dict[str, Any]:
        return {
            "post": self.post,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class LinkRef:
    """A link of the network (kind, selector or text, the posts it joins)."""

    kind: str
    value: str
    posts: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "posts": list(self.posts)}


@dataclass(slots=True)
class Observation:
    """One feature's value, with its pointers and the counts its sentence needs."""

    value: float
    spans: list[Span] = field(default_factory=list)
    links: list[LinkRef] = field(default_factory=list)
    count: int = 0
    """How many posts (or phones, cities, images...) show it."""
    detail: str = ""


def _span(m: Mention) -> Span:
    return Span(m.post_id, m.field, m.start, m.end, m.text)


def _age(m: Mention) -> int | None:
    return int(m.value) if m.kind == "age" and m.value.isdigit() else None


def post_observations(mentions: Iterable[Mention]) -> dict[str, Observation]:
    """Features of one post: each text indicator at its best confidence, and stated ages."""
    known = library()
    out: dict[str, Observation] = {}
    for m in mentions:
        ident: str | None = None
        value = 0.0
        if m.kind == "indicator" and m.value in known:
            ident, value = m.value, m.confidence
        elif (age := _age(m)) is not None and age < MINOR_AGE:
            ident, value = "age.minor", 1.0
        elif age is not None and age <= YOUNG_AGE:
            ident, value = "age.young", 1.0
        if ident is None:
            continue
        seen = out.setdefault(ident, Observation(0.0))
        seen.value = max(seen.value, value)
        seen.count += 1
        if len(seen.spans) < EXAMPLES:
            seen.spans.append(_span(m))
    return out


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def network_observations(
    members: Sequence[str],
    mentions: Iterable[Mention],
    profile: Mapping[str, Any],
    evidence: Sequence[LinkRef],
) -> dict[str, Observation]:
    """Features of one network from its members' mentions, its profile and its links.

    ``members`` are the network's posts in time order (the order of the city circuit).

    Text features are averaged over posts (a cue in every post weighs more than one in a
    single post); structural features saturate at a few (three personas on a phone, four
    cities) so that no single fact dominates the score.
    """
    size = max(1, len(members))
    by_post: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_post[m.post_id].append(m)
    out: dict[str, Observation] = {}
    for post in members:
        for ident, obs in post_observations(by_post.get(post, ())).items():
            total = out.setdefault(ident, Observation(0.0))
            total.value += obs.value / size
            total.count += 1
            total.spans.extend(obs.spans[: max(0, EXAMPLES - len(total.spans))])
    if "age.minor" in out:
        out["age.minor"].value = 1.0  # one stated minor is enough, however many posts

    names: dict[str, set[str]] = defaultdict(set)
    name_spans: dict[str, list[Span]] = defaultdict(list)
    ages: dict[str, set[str]] = defaultdict(set)
    phones: dict[str, list[str]] = defaultdict(list)
    for post in members:
        found = by_post.get(post, ())
        post_names = {m.value.casefold() for m in found if m.kind == "name"}
        for m in found:
            if m.kind == "name":
                names[post].add(m.value.casefold())
                name_spans[post].append(_span(m))
            elif m.kind == "phone" and post not in phones[m.value]:
                phones[m.value].append(post)
        stated = {m.value for m in found if _age(m) is not None}
        if len(post_names) == 1:  # one name, one age per post: the pair is unambiguous
            ages[next(iter(post_names))].update(stated)

    best_phone, best_personas = None, set[str]()
    for phone, posts in sorted(phones.items()):
        personas = set().union(*(names[p] for p in posts))
        if len(personas) > len(best_personas):
            best_phone, best_personas = phone, personas
    if best_phone is not None and len(best_personas) >= 2:
        posts = phones[best_phone]
        out["net.personas_on_phones"] = Observation(
            _clamp((len(best_personas) - 1) / 3),
            spans=[s for p in posts for s in name_spans[p]][:EXAMPLES],
            links=[LinkRef("phone", best_phone, tuple(posts[:EXAMPLES]))],
            count=len(best_personas),
            detail=best_phone,
        )
    if len(phones) >= 2:
        out["net.phone_rotation"] = Observation(
            _clamp((len(phones) - 1) / 3),
            links=[LinkRef("phone", p, tuple(ps[:EXAMPLES])) for p, ps in sorted(phones.items())][
                :EXAMPLES
            ],
            count=len(phones),
        )
    stays: list[tuple[str, Span]] = []  # consecutive stays, from each post's first city
    for post in members:
        cities = sorted(
            (m for m in by_post.get(post, ()) if m.kind == "location"),
            key=lambda m: (m.field != "title", m.start),
        )
        if cities and (not stays or stays[-1][0] != cities[0].value):
            stays.append((cities[0].value, _span(cities[0])))
    distinct = list(dict.fromkeys(city for city, _ in stays))
    if len(distinct) >= 2:
        out["net.city_circuit"] = Observation(
            _clamp((len(distinct) - 1) / 3),
            spans=[span for _, span in stays][:EXAMPLES],
            count=len(distinct),
            detail=" → ".join(city for city, _ in stays[:6]) + (" → …" if len(stays) > 6 else ""),
        )
    reused = list(profile.get("images_across_personas", []))
    if reused:
        out["net.images_across_personas"] = Observation(
            _clamp(len(reused) / 2),
            links=[e for e in evidence if e.kind == "image" and e.value in reused][:EXAMPLES],
            count=len(reused),
        )
    shifting = sorted(name for name, stated in ages.items() if len(stated) >= 2)
    if shifting:
        spans = [
            _span(m)
            for post in members
            for m in by_post.get(post, ())
            if m.kind == "age" and names[post] & set(shifting)
        ]
        out["net.ages_per_persona"] = Observation(
            _clamp(len(shifting) / 2), spans=spans[:EXAMPLES], count=len(shifting)
        )
    rate = float(profile.get("posts_per_day") or 0.0)
    if rate > 0.5 and size >= 3:
        out["net.posting_rate"] = Observation(
            _clamp((rate - 0.5) / 3.5), count=size, detail=f"{rate:.1f}"
        )
    texts = [e for e in evidence if e.kind == "text"]
    if texts and len(set().union(*names.values())) >= 2:
        out["net.shared_template"] = Observation(
            _clamp(len(texts) / max(1, size - 1)), links=texts[:EXAMPLES], count=len(texts)
        )
    return out
