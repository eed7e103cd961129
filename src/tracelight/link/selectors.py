"""Networks from shared selectors, with a guard against hubs.

Two posts are linked when they show the same phone or e-mail. Plain connected
components over that relation have one well-known failure: a single agency or
booking number shared by hundreds of unrelated posters chains them all into one
giant component. Selectors seen on more than ``max_degree`` posts are therefore
reported as hubs and not used to link; the linking issue replaces this degree cut
with evidence weighting and community detection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tracelight.link.unionfind import UnionFind
from tracelight.model import Network, SelectorKey

DEFAULT_MAX_DEGREE = 50
"""A phone on more than 50 posts of a corpus behaves like an agency or a scam line
more often than like one operation; it is shown to the analyst as a hub instead."""


@dataclass(frozen=True, slots=True)
class LinkResult:
    networks: list[Network]
    hubs: dict[SelectorKey, int]
    """Selectors left out of linking, with the number of posts that carried them."""


def network_id_for(post_ids: Sequence[str]) -> str:
    """Stable while the network keeps its smallest post: reruns keep the same ids."""
    return "N" + hashlib.sha256(min(post_ids).encode("utf-8")).hexdigest()[:15]


def build_networks(
    selector_posts: Iterable[tuple[SelectorKey, Sequence[str]]],
    *,
    max_degree: int = DEFAULT_MAX_DEGREE,
) -> LinkResult:
    """Group posts that share a non-hub selector.

    ``selector_posts`` streams each selector with the posts that show it, as the store
    yields it, so the corpus never has to be in memory, only the posts that link.
    Only groups of two or more posts are networks.
    """
    forest = UnionFind()
    used: dict[SelectorKey, str] = {}
    hubs: dict[SelectorKey, int] = {}
    for selector, post_ids in selector_posts:
        distinct = sorted(set(post_ids))
        if len(distinct) > max_degree:
            hubs[selector] = len(distinct)
            continue
        if len(distinct) < 2:
            continue
        first = distinct[0]
        for other in distinct[1:]:
            forest.union(first, other)
        used[selector] = first
    members = forest.groups()
    selectors_of: dict[str, list[SelectorKey]] = {}
    for selector, post_id in used.items():
        selectors_of.setdefault(forest.find(post_id), []).append(selector)
    networks = [
        Network(
            id=network_id_for(posts),
            post_ids=tuple(sorted(posts)),
            selectors=tuple(sorted(selectors_of.get(root, []))),
        )
        for root, posts in members.items()
        if len(posts) >= 2
    ]
    networks.sort(key=lambda n: (-len(n.post_ids), n.id))
    return LinkResult(networks=networks, hubs=hubs)
