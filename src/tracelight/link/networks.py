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

Near-duplicates come from a :class:`~tracelight.link.index.TextIndex`, which a caller may
keep between runs: then only new posts are shingled and hashed, and the networks are the
same as a full relink gives (grouping, boilerplate and explanations depend on the link
set only, never on the order posts arrived in). The graph steps run on numpy arrays
(components by bulk union-find), so re-clustering a million posts takes seconds.

``connected_components`` is the baseline: the same links, no hubs, no boilerplate rule,
no split.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import overload

import numpy as np
import numpy.typing as npt

from tracelight.link.graph import DEFAULT_MAX_DEGREE, SelectorInfo, assess
from tracelight.link.index import TextFetcher, TextIndex
from tracelight.link.text import DEFAULT_THRESHOLD
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
    index: TextIndex | None = None
    """The near-duplicate index after this run, to be saved for the next one."""


def network_id_for(post_ids: Sequence[str]) -> str:
    """Content-derived id from the smallest member; the store keeps ids stable over growth."""
    return "N" + hashlib.sha256(min(post_ids).encode("utf-8")).hexdigest()[:15]


def _selector_index(posts: Sequence[LinkPost]) -> dict[SelectorKey, list[int]]:
    index: dict[SelectorKey, list[int]] = defaultdict(list)
    for i, post in enumerate(posts):
        for key in dict.fromkeys(post.selectors):
            index[key].append(i)
    return index


class _Names(Sequence[frozenset[str]]):
    """Case-folded names of a post, computed only for the posts a hub test looks at."""

    def __init__(self, posts: Sequence[LinkPost]) -> None:
        self._posts = posts

    def __len__(self) -> int:
        return len(self._posts)

    @overload
    def __getitem__(self, i: int) -> frozenset[str]: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[frozenset[str]]: ...

    def __getitem__(self, i: int | slice) -> frozenset[str] | Sequence[frozenset[str]]:
        if isinstance(i, slice):
            return [frozenset(n.casefold() for n in p.names) for p in self._posts[i]]
        return frozenset(n.casefold() for n in self._posts[i].names)


@dataclass(slots=True)
class _Edges:
    """Links as parallel arrays: posts ``a < b``, weight, and the selector (index into
    the selector keys) or ``-1`` for a text link."""

    a: npt.NDArray[np.int64]
    b: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]
    selector: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.a)

    def take(self, mask: npt.NDArray[np.bool_]) -> _Edges:
        return _Edges(self.a[mask], self.b[mask], self.weight[mask], self.selector[mask])

    @staticmethod
    def join(parts: Sequence[_Edges]) -> _Edges:
        return _Edges(
            np.concatenate([p.a for p in parts]),
            np.concatenate([p.b for p in parts]),
            np.concatenate([p.weight for p in parts]),
            np.concatenate([p.selector for p in parts]),
        )


def _components(
    n: int, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Connected-component label (the smallest post index) of every post over the links.

    Union-find done in bulk with numpy, so no Python loop runs per link: every link
    whose ends have different roots hooks the larger root under the smaller
    (``minimum.at``), then pointer jumping flattens the forest, until no link joins two
    roots. A million posts take a fraction of a second.
    """
    parent = np.arange(n, dtype=np.int64)
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    while len(a):
        ra, rb = parent[a], parent[b]
        differ = ra != rb
        if not differ.any():
            break
        ra, rb = ra[differ], rb[differ]
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
        a, b = a[differ], b[differ]
    return parent


def _groups(labels: npt.NDArray[np.int64], keep: npt.NDArray[np.bool_]) -> list[list[int]]:
    """Posts (where ``keep``) grouped by label, groups of two or more, in label order."""
    idx = np.flatnonzero(keep)
    if len(idx) == 0:
        return []
    order = np.argsort(labels[idx], kind="stable")
    idx = idx[order]
    lab = labels[idx]
    cuts = np.flatnonzero(lab[1:] != lab[:-1]) + 1
    return [g.tolist() for g in np.split(idx, cuts) if len(g) >= 2]


def _boilerplate(
    n: int,
    text: _Edges,
    identity: npt.NDArray[np.int64],
    has_selector: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.bool_], list[list[int]]]:
    """Posts in text groups written by many different identities, and those groups."""
    marked = np.zeros(n, dtype=bool)
    if len(text) == 0:
        return marked, []
    labels = _components(n, text.a, text.b)
    in_text = np.zeros(n, dtype=bool)
    in_text[text.a] = True
    in_text[text.b] = True
    carrying = np.flatnonzero(in_text & has_selector)
    n_carrying = np.bincount(labels[carrying], minlength=n)
    cells = np.unique(np.stack([labels[carrying], identity[carrying]], axis=1), axis=0)
    n_ids = np.bincount(cells[:, 0], minlength=n) if len(cells) else np.zeros(n, dtype=np.int64)
    noisy = (n_ids >= BOILERPLATE_MIN_IDENTITIES) & (n_ids >= BOILERPLATE_MIN_SHARE * n_carrying)
    marked = in_text & noisy[labels]
    return marked, _groups(labels, marked)


def _leiden_split(members: list[int], edges: _Edges) -> list[list[int]]:
    """Weighted Leiden (modularity) communities of one over-large group."""
    import igraph as ig
    import leidenalg

    local = np.full(int(max(members)) + 1, -1, dtype=np.int64)
    local[members] = np.arange(len(members))
    inside = (edges.a <= local.size - 1) & (edges.b <= local.size - 1)
    inside[inside] = (local[edges.a[inside]] >= 0) & (local[edges.b[inside]] >= 0)
    part = edges.take(inside)
    graph = ig.Graph(
        n=len(members), edges=np.stack([local[part.a], local[part.b]], axis=1).tolist()
    )
    graph.es["weight"] = part.weight.tolist()
    partition = leidenalg.find_partition(
        graph, leidenalg.ModularityVertexPartition, weights="weight", seed=LEIDEN_SEED
    )
    return [[members[v] for v in community] for community in partition]


def _spanning_forest(edges: _Edges, where: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Indices of the edges that explain each network: Kruskal, strongest first, ties by
    post order, over the edges inside networks. A network's explanation depends only on
    its own links, so it is the same whether the corpus was linked at once or in batches."""
    inside = np.flatnonzero((where[edges.a] >= 0) & (where[edges.a] == where[edges.b]))
    order = inside[np.lexsort((edges.b[inside], edges.a[inside], -edges.weight[inside]))]
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while (up := parent.get(root, root)) != root:
            root = up
        while x != root:
            parent[x], x = root, parent.get(x, x)
        return root

    kept: list[int] = []
    for e, a, b in zip(
        order.tolist(), edges.a[order].tolist(), edges.b[order].tolist(), strict=True
    ):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
            kept.append(e)
    return np.asarray(kept, dtype=np.int64)


def link_posts(
    posts: Sequence[LinkPost],
    *,
    max_degree: int = DEFAULT_MAX_DEGREE,
    text_threshold: float = DEFAULT_THRESHOLD,
    min_weight: float = DEFAULT_MIN_WEIGHT,
    split_above: int = DEFAULT_SPLIT_ABOVE,
    index: TextIndex | None = None,
    fetch: TextFetcher | None = None,
) -> LinkOutput:
    """Group ``posts`` into networks; see the module docstring for the method.

    ``index`` is the near-duplicate index of a prefix of ``posts`` (the posts linked
    before, in the same order): only the posts after it are shingled and hashed, and
    their texts are the only ones read, with ``fetch`` giving the texts of indexed posts
    that become candidates (by default ``posts[i].text``). The index is grown in place
    and returned in the output to be saved. Without an index a fresh one is built: a
    full relink. Both give the same networks.
    """
    if index is None:
        index = TextIndex(threshold=text_threshold)
    elif index.threshold != text_threshold:
        raise ValueError("the index was built with another text threshold")
    done = len(index)
    if done > len(posts) or index.ids != [p.id for p in posts[:done]]:
        raise ValueError("the index does not cover a prefix of these posts")
    if done < len(posts):
        batch = posts[done:]
        index.add(
            [p.id for p in batch],
            [p.text for p in batch],
            fetch or (lambda idx: [posts[i].text for i in idx]),
        )
    n = len(posts)
    sig = index.sig
    links = index.links

    # Selectors: incidence arrays, weights, hubs.
    keys: dict[SelectorKey, int] = {}
    inc_post: list[int] = []
    inc_sel: list[int] = []
    for i, post in enumerate(posts):
        for key in dict.fromkeys(post.selectors):
            inc_post.append(i)
            inc_sel.append(keys.setdefault(key, len(keys)))
    key_list = list(keys)
    ip = np.asarray(inc_post, dtype=np.int64)
    isel = np.asarray(inc_sel, dtype=np.int64)
    has_selector = np.zeros(n, dtype=bool)
    has_selector[ip] = True
    order = np.lexsort((ip, isel))
    ip_sorted, isel_sorted = ip[order], isel[order]
    cuts = np.flatnonzero(isel_sorted[1:] != isel_sorted[:-1]) + 1
    starts = np.r_[0, cuts] if len(isel_sorted) else np.zeros(0, dtype=np.int64)
    ends = np.r_[cuts, len(isel_sorted)] if len(isel_sorted) else starts
    multi = np.flatnonzero(ends - starts >= 2)
    selector_posts = {
        key_list[int(isel_sorted[starts[g]])]: ip_sorted[starts[g] : ends[g]].tolist()
        for g in multi.tolist()
    }
    infos = assess(selector_posts, sig, _Names(posts), max_degree=max_degree)
    hubs = [Hub(i.key, len(i.posts), i.hub, i.cohesion) for i in infos if i.hub is not None]
    usable = [i for i in infos if i.hub is None and i.weight >= min_weight]
    sel_edges = _selector_edges(usable, keys)

    # Boilerplate: near-duplicate groups spread over many identities.
    identity = _components(n, sel_edges.a, sel_edges.b)
    all_text = _Edges(
        links[:, 0].astype(np.int64),
        links[:, 1].astype(np.int64),
        links[:, 2].copy(),
        np.full(len(links), -1, dtype=np.int64),
    )
    marked, boiler_groups = _boilerplate(n, all_text, identity, has_selector)
    text_edges = all_text.take(
        ~(marked[all_text.a] & marked[all_text.b]) & (all_text.weight >= min_weight)
    )
    edges = _Edges.join([sel_edges, text_edges])

    # Evidence-threshold clustering, then Leiden on over-large groups.
    labels = _components(n, edges.a, edges.b)
    linked = np.zeros(n, dtype=bool)
    linked[edges.a] = True
    linked[edges.b] = True
    final: list[list[int]] = []
    split = 0
    for group in _groups(labels, linked):
        if len(group) > split_above:
            split += 1
            final.extend(p for p in _leiden_split(sorted(group), edges) if len(p) >= 2)
        else:
            final.append(group)
    where = np.full(n, -1, dtype=np.int64)
    for k, members in enumerate(final):
        where[members] = k
    chosen = _spanning_forest(edges, where)
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for e in chosen.tolist():
        a, b, s = int(edges.a[e]), int(edges.b[e]), int(edges.selector[e])
        weight = float(edges.weight[e])
        kind, value = key_list[s] if s >= 0 else ("text", f"jaccard {weight:.2f}")
        evidence[int(where[a])].append(Evidence(kind, value, weight, (posts[a].id, posts[b].id)))

    # The selectors each network shares (on two or more of its posts).
    usable_ids = np.asarray(sorted(keys[i.key] for i in usable), dtype=np.int64)
    on = np.isin(isel, usable_ids) & (where[ip] >= 0) if len(ip) else np.zeros(0, dtype=bool)
    cells, counts = np.unique(
        np.stack([where[ip[on]], isel[on]], axis=1), axis=0, return_counts=True
    )
    shared: dict[int, list[SelectorKey]] = defaultdict(list)
    for (k, s), c in zip(cells.tolist(), counts.tolist(), strict=True):
        if c >= 2:
            shared[k].append(key_list[s])

    networks: list[LinkedNetwork] = []
    for k, members in enumerate(final):
        ordered = sorted(members, key=lambda i: posts[i].id)
        networks.append(
            LinkedNetwork(
                post_ids=tuple(posts[i].id for i in ordered),
                selectors=tuple(sorted(shared.get(k, ()))),
                evidence=evidence.get(k, []),
                members=tuple(ordered),
            )
        )
    networks.sort(key=lambda nw: (-len(nw.post_ids), nw.id))
    boilerplate = [
        Boilerplate(
            tuple(posts[i].id for i in g),
            len({int(identity[i]) for i in g if has_selector[i]}),
        )
        for g in boiler_groups
    ]
    return LinkOutput(
        networks=networks,
        hubs=sorted(hubs, key=lambda h: (-h.posts, h.key)),
        boilerplate=boilerplate,
        text_links=len(links),
        stats={
            "text_links": len(links),
            "text_links_used": len(text_edges),
            "selector_links": len(sel_edges),
            "hubs": len(hubs),
            "boilerplate_groups": len(boiler_groups),
            "split_groups": split,
            "posts_indexed_now": len(posts) - done,
        },
        index=index,
    )


def _selector_edges(infos: Sequence[SelectorInfo], keys: dict[SelectorKey, int]) -> _Edges:
    """A star per selector (first post to each other): enough for grouping and explanation,
    linear in the selector's posts rather than quadratic."""
    if not infos:
        return _Edges(
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.float64),
            np.zeros(0, dtype=np.int64),
        )
    counts = np.asarray([len(i.posts) - 1 for i in infos], dtype=np.int64)
    first = np.asarray([i.posts[0] for i in infos], dtype=np.int64)
    others = np.fromiter(
        (p for i in infos for p in i.posts[1:]), dtype=np.int64, count=int(counts.sum())
    )
    return _Edges(
        np.repeat(first, counts),
        others,
        np.repeat(np.asarray([i.weight for i in infos], dtype=np.float64), counts),
        np.repeat(np.asarray([keys[i.key] for i in infos], dtype=np.int64), counts),
    )


def connected_components(
    posts: Sequence[LinkPost],
    text_threshold: float = DEFAULT_THRESHOLD,
    index: TextIndex | None = None,
) -> list[list[str]]:
    """Baseline: every shared selector and every verified near-duplicate, plain components.

    ``index`` (of exactly these posts) saves computing the near-duplicates again."""
    if index is None or len(index) != len(posts):
        index = TextIndex(threshold=text_threshold)
        index.add([p.id for p in posts], [p.text for p in posts])
    forest = UnionFind()
    for members in _selector_index(posts).values():
        for other in members[1:]:
            forest.union(str(members[0]), str(other))
    for a, b, _ in index.links.tolist():
        forest.union(str(int(a)), str(int(b)))
    return [sorted(posts[int(m)].id for m in g) for g in forest.groups().values() if len(g) >= 2]
