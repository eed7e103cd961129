"""What a network looks like: the facts investigators and the risk score read.

Size, personas and stated ages, selectors by kind, first and last seen, posting rate, the
**movement timeline** (consecutive stays in one place, in time order: a network posting
from A, then B, then C), countries, images shown under more than one persona, and the
network's **template**: the text its posts share, with the slots that vary.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from tracelight.link.networks import LinkedNetwork, LinkPost
from tracelight.link.text import TOKEN, normalise

TEMPLATE_SAMPLE = 12
CONSTANT_SHARE = 0.7
"""A token of the reference post is constant text when this share of the sample has it."""


def network_features(network: LinkedNetwork, posts: Sequence[LinkPost]) -> dict[str, Any]:
    members = [posts[i] for i in network.members]
    timed = sorted((p for p in members if p.posted_at is not None), key=lambda p: p.posted_at)  # type: ignore[arg-type, return-value]
    first = timed[0].posted_at if timed else None
    last = timed[-1].posted_at if timed else None
    timeline: list[dict[str, Any]] = []
    for post in timed:
        place = post.place or "?"
        if timeline and timeline[-1]["place"] == place:
            timeline[-1]["last"] = post.posted_at.isoformat()  # type: ignore[union-attr]
            timeline[-1]["posts"] += 1
        else:
            timeline.append(
                {
                    "place": place,
                    "country": post.country,
                    "first": post.posted_at.isoformat(),  # type: ignore[union-attr]
                    "last": post.posted_at.isoformat(),  # type: ignore[union-attr]
                    "posts": 1,
                }
            )
    days = (last - first).total_seconds() / 86400 if first and last else 0.0
    personas = Counter(n for p in members for n in dict.fromkeys(x.casefold() for x in p.names))
    ages = Counter(a for p in members for a in set(p.ages))
    kinds = Counter(kind for kind, _ in network.selectors)
    image_people: dict[str, set[str]] = {}
    for p in members:
        for kind, value in p.selectors:
            if kind == "image":
                image_people.setdefault(value, set()).update(n.casefold() for n in p.names)
    return {
        "size": len(members),
        "personas": [name for name, _ in personas.most_common()],
        "ages": sorted(ages),
        "selectors": dict(sorted(kinds.items())),
        "first_seen": first.isoformat() if first else None,
        "last_seen": last.isoformat() if last else None,
        "posts_per_day": round(len(members) / max(days, 1.0), 3),
        "places": list(dict.fromkeys(stay["place"] for stay in timeline)),
        "countries": sorted({p.country for p in members if p.country}),
        "moves": max(0, len(timeline) - 1),
        "timeline": timeline,
        "images_across_personas": sorted(
            value for value, people in image_people.items() if len(people) >= 2
        ),
    }


_DIGITS = re.compile(r"\d")


def _slot_kind(tokens: Sequence[str]) -> str:
    text = " ".join(tokens)
    digits = len(_DIGITS.findall(text))
    if digits >= 7:
        return "phone"
    if (digits and any(c in text for c in "$€£")) or re.search(r"\d+\s*(min|h|hr|std)", text):
        return "price"
    if digits and len(tokens) <= 2 and all(t.isdigit() and len(t) <= 2 for t in tokens if t):
        return "age"
    if digits:
        return "number"
    return "text"


def template(texts: Sequence[str]) -> dict[str, Any] | None:
    """The constant text and the varying slots of a group of near-duplicate posts.

    In the spirit of InfoShield's template-and-slot view: the post most like the others is
    the reference; each of its tokens is constant when most of the sample contains it, and
    runs of other tokens become slots labelled by what fills them (phone, price, age,
    number, text). Digits and emoji are tokens, so prices and emoji signatures show.
    """
    sample = [TOKEN.findall(normalise(t)) for t in texts[:TEMPLATE_SAMPLE] if t.strip()]
    if len(sample) < 2:
        return None
    sets = [set(s) for s in sample]

    def closeness(i: int) -> float:
        return sum(
            len(sets[i] & sets[j]) / max(1, len(sets[i] | sets[j]))
            for j in range(len(sets))
            if j != i
        )

    ref = max(range(len(sample)), key=lambda i: (closeness(i), -i))
    others = [sets[j] for j in range(len(sets)) if j != ref]
    parts: list[str] = []
    slots: list[dict[str, Any]] = []
    run: list[str] = []
    constant = 0
    for token in sample[ref]:
        if sum(token in s for s in others) >= CONSTANT_SHARE * len(others):
            if run:
                kind = _slot_kind(run)
                parts.append("{" + kind + "}")
                slots.append({"slot": kind, "example": " ".join(run)})
                run = []
            parts.append(token)
            constant += 1
        else:
            run.append(token)
    if run:
        kind = _slot_kind(run)
        parts.append("{" + kind + "}")
        slots.append({"slot": kind, "example": " ".join(run)})
    total = len(sample[ref])
    return {
        "text": " ".join(parts),
        "slots": slots,
        "constant_share": round(constant / total, 3) if total else 0.0,
        "sampled_posts": len(sample),
    }
