"""From posts to networks: weighted evidence, hub and boilerplate suppression, clustering.

``link_posts`` is a pure function over a batch of :class:`LinkPost` records:

1. near-duplicate texts (:mod:`tracelight.link.text`);
2. selectors weighted and hubs found (:mod:`tracelight.link.graph`);
3. **boilerplate**: a group of near-duplicate texts whose posts carry many *different*
   identities (most posts with their own phone or e-mail) is text shared by unrelated
   posters, a spam paragraph or a site footer: its text links are not used. An operation's
   template is shared by posts that carry one, or a few rotating, identities;
4. **evidence-threshold clustering**: posts are joined by every link of weight at least
   ``min_weight`` (non-hub selectors, verified non-boilerplate near-duplicates). Every
   join that merges two groups is recorded, so each network comes with a spanning set of
   links that explains it link by link;
5. **community split**: a group larger than ``split_above`` posts is not trusted as one
   network (operations are tens of posts; chains through weak links are not): it is
   split by weighted Leiden community detection (``igraph`` + ``leidenalg``) over its
   links, and each part keeps only the links inside it as evidence.

``connected_components`` is the baseline: the same links, no hubs, no boilerplate rule,
no split.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from tracelight.link.graph import DEFAULT_MAX_DEGREE, SelectorInfo, assess
from tracelight.link.text import DEFAULT_THRESHOLD, TextLink, near_duplicates
from tracelight.link.unionfind import UnionFind
from tracelight.model import SelectorKey

BOILERPLATE_MIN_IDENTITIES = 4
BOILERPLATE_MIN_SHARE = 0.5
DEFAULT_MIN_WEIGHT = 0.3
DEFAULT_SPLIT_ABOVE = 150
LEIDEN_SEED = 42


@dataclass(frozen=True, slots=True)
class LinkPost:
    """What linking needs of a post: its text and selectors, plus context for features."""

    id: str
    text: str
    selectors: tuple[SelectorKey, ...] = ()
    names: tuple[str, ...] = ()
    ages: tuple[int, ...] = ()
    posted_at: datetime | None = None
    place: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One link that joined posts of a network: why (kind, value), how strong, which posts."""

    kind: str
    value: str
    weight: float
    posts: tuple[str, str]


@dataclass(frozen=True, slots=True)
class Hub:
    key: SelectorKey
    posts: int
    reason: str
    cohesion: float | None


@dataclass(frozen=True, slots=True)
class Boilerplate:
    """A group of near-duplicate texts written by unrelated posters, not used to link."""

    posts: tuple[str, ...]
    identities: int


@dataclass(slots=True)
class LinkedNetwork:
    post_ids: tuple[str, ...]
    selectors: tuple[SelectorKey, ...]
    evidence: list[Evidence] = field(default_factory=list)
    members: tuple[int, ...] = ()

    @property
    def id(self) -> str:
        return network_id_for(self.post_ids)


@dataclass(slots=True)
class LinkOutput:
    networks: list[LinkedNetwork]
    hubs: list[Hub]
    boilerplate: list[Boilerplate]
    text_links: int
    stats: dict[str, int] = field(default_factory=dict)


def network_id_for(post_ids: Sequence[str]) -> str:
    """Content-derived id from the smallest member; the store keeps ids stable over growth."""
    return "N" + hashlib.sha256(min(post_ids).encode("utf-8")).hexdigest()[:15]


def _selector_index(posts: Sequence[LinkPost]) -> dict[SelectorKey, list[int]]:
    index: dict[SelectorKey, list[int]] = defaultdict(list)
    for i, post in enumerate(posts):
        for key in dict.fromkeys(post.selectors):
            index[key].append(i)
    return index


@dataclass(frozen=True, slots=True)
class _Edge:
    a: int
    b: int
    kind: str
    value: str
    weight: float


def _selector_edges(infos: Iterable[SelectorInfo]) -> list[_Edge]:
    """A star per selector (first post to each other): enough for grouping and explanation,
    linear in the selector's posts rather than quadratic."""
    edges: list[_Edge] = []
    for info in infos:
        first = info.posts[0]
        kind, value = info.key
        edges.extend(_Edge(first, other, kind, value, info.weight) for other in info.posts[1:])
    return edges


def _boilerplate(
    links: Sequence[TextLink], identity: UnionFind, has_selector: Sequence[bool]
) -> tuple[set[int], list[list[int]]]:
    """Posts in text groups written by many different identities, and those groups."""
    groups_uf = UnionFind()
    for link in links:
        groups_uf.union(str(link.a), str(link.b))
    marked: set[int] = set()
    groups: list[list[int]] = []
    for members in groups_uf.groups().values():
        posts = [int(m) for m in members]
        carrying = [p for p in posts if has_selector[p]]
        ids = {identity.root(str(p)) for p in carrying}
        if len(ids) >= BOILERPLATE_MIN_IDENTITIES and len(ids) >= BOILERPLATE_MIN_SHARE * len(
            carrying
        ):
            marked.update(posts)
            groups.append(sorted(posts))
    return marked, groups


def _leiden_split(members: list[int], edges: Sequence[_Edge]) -> list[list[int]]:
    """Weighted Leiden (modularity) communities of one over-large group."""
    import igraph as ig
    import leidenalg

    local = {p: i for i, p in enumerate(members)}
    inside = [e for e in edges if e.a in local and e.b in local]
    graph = ig.Graph(n=len(members), edges=[(local[e.a], local[e.b]) for e in inside])
    graph.es["weight"] = [e.weight for e in inside]
    partition = leidenalg.find_partition(
        graph, leidenalg.ModularityVertexPartition, weights="weight", seed=LEIDEN_SEED
    )
    return [[members[v] for v in community] for community in partition]


def link_posts(
    posts: Sequence[LinkPost],
    *,
    max_degree: int = DEFAULT_MAX_DEGREE,
    text_threshold: float = DEFAULT_THRESHOLD,
    min_weight: float = DEFAULT_MIN_WEIGHT,
    split_above: int = DEFAULT_SPLIT_ABOVE,
) -> LinkOutput:
    """Group ``posts`` into networks; see the module docstring for the method."""
    texts = [p.text for p in posts]
    text_links, sig = near_duplicates(texts, text_threshold)
    names = [frozenset(n.casefold() for n in p.names) for p in posts]
    infos = assess(_selector_index(posts), sig, names, max_degree=max_degree)
    hubs = [Hub(i.key, len(i.posts), i.hub, i.cohesion) for i in infos if i.hub is not None]
    usable = [i for i in infos if i.hub is None and i.weight >= min_weight]
    sel_edges = _selector_edges(usable)

    identity = UnionFind()
    for edge in sel_edges:
        identity.union(str(edge.a), str(edge.b))
    has_selector = [bool(p.selectors) for p in posts]
    noisy, boiler_groups = _boilerplate(text_links, identity, has_selector)
    text_edges = [
        _Edge(t.a, t.b, "text", f"jaccard {t.similarity:.2f}", t.similarity)
        for t in text_links
        if not (t.a in noisy and t.b in noisy) and t.similarity >= min_weight
    ]
    edges = sel_edges + text_edges

    forest = UnionFind()
    joins: list[_Edge] = []
    for edge in sorted(edges, key=lambda e: (-e.weight, e.a, e.b)):
        a, b = str(edge.a), str(edge.b)
        forest.add(a)
        forest.add(b)
        if forest.find(a) != forest.find(b):
            forest.union(a, b)
            joins.append(edge)

    groups = [[int(m) for m in g] for g in forest.groups().values() if len(g) >= 2]
    final: list[list[int]] = []
    split = 0
    for group in groups:
        if len(group) > split_above:
            parts = _leiden_split(sorted(group), edges)
            split += 1
            final.extend(p for p in parts if len(p) >= 2)
        else:
            final.append(group)

    selectors_of: dict[int, list[SelectorKey]] = defaultdict(list)
    for info in usable:
        for p in info.posts:
            selectors_of[p].append(info.key)
    networks: list[LinkedNetwork] = []
    where = np.full(len(posts), -1, dtype=np.int64)
    for n, members in enumerate(final):
        where[members] = n
    evidence_edges: dict[int, list[_Edge]] = defaultdict(list)
    for edge in joins:
        if where[edge.a] >= 0 and where[edge.a] == where[edge.b]:
            evidence_edges[int(where[edge.a])].append(edge)
    # Split groups lost the joins that crossed parts; re-explain them from their own edges.
    short = {n for n, m in enumerate(final) if len(evidence_edges[n]) < len(m) - 1}
    if short:
        inside: dict[int, list[_Edge]] = defaultdict(list)
        for edge in edges:
            n = int(where[edge.a])
            if n in short and n == where[edge.b]:
                inside[n].append(edge)
        for n in short:
            evidence_edges[n] = _spanning(inside[n])
    for n, members in enumerate(final):
        ordered = sorted(members, key=lambda i: posts[i].id)
        keys = sorted({k for i in ordered for k in selectors_of.get(i, ())})
        networks.append(
            LinkedNetwork(
                post_ids=tuple(posts[i].id for i in ordered),
                selectors=tuple(k for k in keys if _shared(k, ordered, selectors_of)),
                evidence=[
                    Evidence(e.kind, e.value, e.weight, (posts[e.a].id, posts[e.b].id))
                    for e in evidence_edges[n]
                ],
                members=tuple(ordered),
            )
        )
    networks.sort(key=lambda n: (-len(n.post_ids), n.id))
    boilerplate = [
        Boilerplate(
            tuple(posts[i].id for i in g),
            len({identity.root(str(i)) for i in g if has_selector[i]}),
        )
        for g in boiler_groups
    ]
    return LinkOutput(
        networks=networks,
        hubs=sorted(hubs, key=lambda h: (-h.posts, h.key)),
        boilerplate=boilerplate,
        text_links=len(text_links),
        stats={
            "text_links": len(text_links),
            "text_links_used": len(text_edges),
            "selector_links": len(sel_edges),
            "hubs": len(hubs),
            "boilerplate_groups": len(boiler_groups),
            "split_groups": split,
        },
    )


def _shared(key: SelectorKey, members: Sequence[int], of: dict[int, list[SelectorKey]]) -> bool:
    return sum(1 for m in members if key in of.get(m, ())) >= 2


def _spanning(edges: Sequence[_Edge]) -> list[_Edge]:
    forest = UnionFind()
    out: list[_Edge] = []
    for edge in sorted(edges, key=lambda e: (-e.weight, e.a, e.b)):
        a, b = str(edge.a), str(edge.b)
        forest.add(a)
        forest.add(b)
        if forest.find(a) != forest.find(b):
            forest.union(a, b)
            out.append(edge)
    return out


def connected_components(
    posts: Sequence[LinkPost], text_threshold: float = DEFAULT_THRESHOLD
) -> list[list[str]]:
    """Baseline: every shared selector and every verified near-duplicate, plain components."""
    text_links, _ = near_duplicates([p.text for p in posts], text_threshold)
    forest = UnionFind()
    for members in _selector_index(posts).values():
        for other in members[1:]:
            forest.union(str(members[0]), str(other))
    for link in text_links:
        forest.union(str(link.a), str(link.b))
    return [sorted(posts[int(m)].id for m in g) for g in forest.groups().values() if len(g) >= 2]
