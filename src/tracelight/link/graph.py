"""The selector graph: which selectors may link posts, with what weight, and which are hubs.

A selector shared by two posts is evidence that one operation wrote both, and the rarer
and more specific it is, the stronger the evidence. Some selectors are not evidence at all:
a booking line or agency phone printed on the ads of dozens of unrelated women, a site's
support address, a placeholder number. Linking through them is what turns plain connected
components into one giant component, so they are detected and reported as **hubs**:

* ``degree``: on more than ``max_degree`` posts;
* ``diverse``: on at least ``DIVERSE_MIN_POSTS`` posts whose texts are mutually unlike
  (mean MinHash similarity below ``DIVERSE_MAX_COHESION``) and that name at least
  ``DIVERSE_MIN_NAMES`` different people. An operation that rotates women through one
  phone reuses its template; a booking line advertising unrelated women does not;
* ``placeholder``: a phone whose digits are nearly all the same (``000 000 0000``).

Weights are in ``(0, 1]``: a kind's base weight times a rarity factor that falls with the
number of posts the selector is on, so a phone on two posts weighs more than one on forty.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tracelight.link.text import estimated_similarity
from tracelight.model import SelectorKey

DEFAULT_MAX_DEGREE = 50
"""A selector on more than 50 posts behaves like an agency or a scam line more often than
like one operation; it is shown to the analyst as a hub instead."""

DIVERSE_MIN_POSTS = 6
DIVERSE_MAX_COHESION = 0.15
DIVERSE_MIN_NAMES = 3
COHESION_SAMPLE = 40

KIND_WEIGHT: Mapping[str, float] = {
    "phone": 1.0,
    "email": 1.0,
    "wallet": 1.0,
    "handle": 0.9,
    "image": 0.8,
    "face": 0.6,
}
"""Base weight per selector kind: a face match is a probability, an e-mail an identity."""


@dataclass(frozen=True, slots=True)
class SelectorInfo:
    key: SelectorKey
    posts: tuple[int, ...]
    weight: float
    hub: str | None
    """Why the selector is a hub (``degree``, ``diverse``, ``placeholder``) or ``None``."""
    cohesion: float | None


def rarity_weight(kind: str, degree: int) -> float:
    """Base weight of the kind, halved for every tenfold more posts beyond two."""
    base = KIND_WEIGHT.get(kind, 0.8)
    return round(base / (1.0 + math.log10(max(degree, 2) / 2.0)), 4)


def is_placeholder(key: SelectorKey) -> bool:
    kind, value = key
    if kind != "phone":
        return False
    digits = [c for c in value if c.isdigit()]
    national = digits[-9:]
    return len(national) >= 7 and len(set(national)) <= 2


def cohesion(sig: npt.NDArray[np.uint32], posts: Sequence[int], sample: int) -> float:
    """Mean estimated text similarity over (up to ``sample``) pairs of the posts.

    Pairs are taken deterministically (each post with the one ``k`` further on), so the
    same input always gives the same verdict.
    """
    arr = np.asarray(posts, dtype=np.int64)
    n = len(arr)
    a_list: list[int] = []
    b_list: list[int] = []
    step = 1
    while len(a_list) < sample and step < n:
        for i in range(n - step):
            a_list.append(int(arr[i]))
            b_list.append(int(arr[i + step]))
            if len(a_list) >= sample:
                break
        step += 1
    if not a_list:
        return 1.0
    sims = estimated_similarity(sig, np.asarray(a_list), np.asarray(b_list))
    return float(sims.mean())


def assess(
    selector_posts: Mapping[SelectorKey, Sequence[int]],
    sig: npt.NDArray[np.uint32],
    names: Sequence[frozenset[str]],
    *,
    max_degree: int = DEFAULT_MAX_DEGREE,
) -> list[SelectorInfo]:
    """Weight every selector on two or more posts and decide whether it is a hub."""
    out: list[SelectorInfo] = []
    for key, posts in selector_posts.items():
        distinct = tuple(sorted(set(posts)))
        degree = len(distinct)
        if degree < 2:
            continue
        hub: str | None = None
        coh: float | None = None
        if is_placeholder(key):
            hub = "placeholder"
        elif degree > max_degree:
            hub = "degree"
        elif degree >= DIVERSE_MIN_POSTS:
            coh = round(cohesion(sig, distinct, COHESION_SAMPLE), 4)
            people = set().union(*(names[p] for p in distinct))
            if coh < DIVERSE_MAX_COHESION and len(people) >= DIVERSE_MIN_NAMES:
                hub = "diverse"
        out.append(SelectorInfo(key, distinct, rarity_weight(key[0], degree), hub, coh))
    return out
