"""The graph stage of linking as array code, and :func:`cluster_region`, its per-region form.

Given the selector incidence (every selector with all the posts it is on, its weight and
hub verdict) and the verified near-duplicate links, the networks follow from:

1. **identity**: components over the links of usable selectors (not hubs, weight at
   least ``min_weight``; each drawn as a star from its first post);
2. **boilerplate**: a component of near-duplicate text links whose posts carry many
   different identities (see :mod:`tracelight.link.networks`); its text links are not used;
3. **groups**: components over the usable selector links and the other text links;
4. **split**: a group over ``split_above`` posts is cut by weighted Leiden;
5. **explanation**: the maximum spanning forest of each network (strongest first, ties
   by post order, then by selector key).

Every step depends only on links inside one component of the graph *H* = usable
selector links + all verified text links (boilerplate included). So a corpus can be
clustered one region at a time, a region being any union of components of *H*, with the
same result: what :func:`cluster_region` offers an engine that partitions by component
(Spark), and what :func:`tracelight.link.link_posts` uses to redo only the groups a batch
touched. For that, nothing may depend on the numbering: the Leiden input is ordered by
(post, post, weight), evidence ties are broken by the selector's key, and posts of a
region must keep their corpus order (a region's post ``i`` before its post ``j`` when so
in the corpus).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tracelight.model import SelectorKey

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
BOOL = npt.NDArray[np.bool_]

BOILERPLATE_MIN_IDENTITIES = 4
BOILERPLATE_MIN_SHARE = 0.5
DEFAULT_MIN_WEIGHT = 0.3
DEFAULT_SPLIT_ABOVE = 150
LEIDEN_SEED = 42
LEIDEN_RESOLUTION = 0.1
"""CPM resolution of :func:`leiden_split`: the least link weight per pair of posts a
network of an over-large group keeps. At 0.1 a chain of text links (about 0.6 each)
stays whole up to about 12 posts, a template group (near-clique) or a shared phone at
any size. On the 1M synthetic corpus (error-free selectors, pairs scored by poster)
0.02 and 0.05 gave pairwise F1 0.899 and 0.924 against 0.933 at 0.1; no group
exceeds ``DEFAULT_SPLIT_ABOVE`` at 10k or 100k, where nothing changes."""
SPLIT_METHOD = f"leiden-cpm-{LEIDEN_RESOLUTION}-clique-stars"
"""Names how over-large groups are split; a saved graph state made another way is not
reused (its networks would not be those a full relink gives now)."""
TEXT = -1
"""Selector index of a text link."""


@dataclass(slots=True)
class Edges:
    """Links as parallel arrays: posts ``a < b``, weight, and the selector (an index into
    the caller's selector table) or ``TEXT``."""

    a: I64
    b: I64
    weight: F64
    selector: I64

    def __len__(self) -> int:
        return len(self.a)

    def take(self, which: npt.NDArray[np.bool_] | I64) -> Edges:
        return Edges(self.a[which], self.b[which], self.weight[which], self.selector[which])

    @staticmethod
    def empty() -> Edges:
        return Edges(
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.float64),
            np.zeros(0, dtype=np.int64),
        )

    @staticmethod
    def join(parts: Sequence[Edges]) -> Edges:
        return Edges(
            np.concatenate([p.a for p in parts]),
            np.concatenate([p.b for p in parts]),
            np.concatenate([p.weight for p in parts]),
            np.concatenate([p.selector for p in parts]),
        )

    def canonical(self) -> Edges:
        """Ordered by (a, b, weight, selector): the order Leiden sees, which must not
        depend on how the caller happened to number selectors or list links.

        One stable sort on a 64-bit (a, b) code; only runs of parallel links (one pair,
        several selectors) are sorted on weight and selector as well."""
        code = (self.a << 31) | self.b
        order = np.argsort(code, kind="stable")
        c = code[order]
        dup = c[1:] == c[:-1]
        if dup.any():
            tie = np.flatnonzero(np.r_[dup, False] | np.r_[False, dup])
            rows = order[tie]
            order[tie] = rows[np.lexsort((self.selector[rows], self.weight[rows], code[rows]))]
        return self.take(order)


def ranges(starts: I64, counts: I64) -> I64:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])``, vectorised."""
    total = int(counts.sum()) if len(counts) else 0
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.cumsum(counts) - counts
    return np.repeat(starts - first, counts) + np.arange(total, dtype=np.int64)


def distinct(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Sorted distinct values. ``np.unique`` of numpy 2.x hashes integers first: 1.4 s of
    CPU for a million int64 where a sort and a mask take 0.02 s."""
    if len(values) == 0:
        return np.asarray(values, dtype=np.int64)
    c = np.sort(values)
    return c[np.r_[True, c[1:] != c[:-1]]]


def first_of_each(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Positions of the first occurrence of each distinct value (ascending by value)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(values, kind="stable")
    v = values[order]
    return np.asarray(order[np.r_[True, v[1:] != v[:-1]]], dtype=np.int64)


def components(n: int, a: I64, b: I64) -> I64:
    """Component label of every post over the links: the smallest post index in it, so
    labels computed over a region or over the corpus name the same groups.

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


def star_edges(ptr: I64, posts: I64, weight: F64, chosen: I64) -> Edges:
    """A star per chosen selector (its first post to each other post): enough for
    grouping and explanation, linear in the selector's posts rather than quadratic.
    ``ptr``/``posts``: every selector's posts, ascending (CSR)."""
    if len(chosen) == 0:
        return Edges.empty()
    start = ptr[chosen]
    count = ptr[chosen + 1] - start - 1
    return Edges(
        np.repeat(posts[start], count),
        posts[ranges(start + 1, count)],
        np.repeat(weight[chosen], count),
        np.repeat(chosen, count),
    )


def groups_of(labels: I64, keep: BOOL) -> tuple[I64, I64]:
    """Posts (where ``keep``) sorted by label, and where each label's run starts (with
    the total at the end); runs of one post are dropped."""
    idx = np.flatnonzero(keep)
    if len(idx) == 0:
        return idx.astype(np.int64), np.zeros(1, dtype=np.int64)
    idx = idx[np.argsort(labels[idx], kind="stable")]
    lab = labels[idx]
    starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
    ends = np.r_[starts[1:], len(idx)]
    big = (ends - starts) >= 2
    sizes = (ends - starts)[big]
    members = idx[ranges(starts[big], sizes)]
    bounds = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=bounds[1:])
    return members.astype(np.int64), bounds


@dataclass(slots=True)
class Boilerplate:
    marked: BOOL
    """Posts in boilerplate text groups."""
    labels: I64
    """Text-component label of every post."""
    identities: I64
    """Distinct identities per text-component label."""


def boilerplate(n: int, text: Edges, identity: I64, has_selector: BOOL) -> Boilerplate:
    """Posts in text groups written by many different identities."""
    marked = np.zeros(n, dtype=bool)
    if len(text) == 0:
        return Boilerplate(marked, np.arange(n, dtype=np.int64), np.zeros(n, dtype=np.int64))
    labels = components(n, text.a, text.b)
    in_text = np.zeros(n, dtype=bool)
    in_text[text.a] = True
    in_text[text.b] = True
    carrying = np.flatnonzero(in_text & has_selector)
    n_carrying = np.bincount(labels[carrying], minlength=n)
    cells = distinct(labels[carrying] * np.int64(n) + identity[carrying])
    n_ids = np.bincount(cells // n, minlength=n) if len(cells) else np.zeros(n, dtype=np.int64)
    noisy = (n_ids >= BOILERPLATE_MIN_IDENTITIES) & (n_ids >= BOILERPLATE_MIN_SHARE * n_carrying)
    marked = in_text & noisy[labels]
    return Boilerplate(marked, labels, n_ids)


def final_edges(sel_edges: Edges, text: Edges, marked: BOOL, min_weight: float) -> Edges:
    """The links clustering uses: usable selectors, and text links outside boilerplate."""
    used = text.take(~(marked[text.a] & marked[text.b]) & (text.weight >= min_weight))
    return Edges.join([sel_edges, used]).canonical()


def leiden_split(members: I64, edges: Edges) -> list[I64]:
    """Weighted Leiden communities of one over-large group; ``edges`` are the group's
    links in canonical order, ``members`` its posts, ascending.

    The objective is the constant Potts model (CPM) at :data:`LEIDEN_RESOLUTION`: a
    community is kept together only while its links weigh more than that per pair of
    its posts. Modularity, used before, has a resolution limit: on the 1M synthetic
    corpus it cut a 52,781-post chain of unrelated independents (similar wording,
    text links at Jaccard 0.5-0.65) into communities of up to 2,701 posts, pairwise
    precision 0.08; CPM cuts the same chains into networks of at most 148 posts
    (precision 0.93, recall unchanged at 0.94, by poster, with error-free selectors).

    A shared selector is a star in ``edges`` (``d - 1`` links from its first post) but
    evidence for all ``d (d - 1) / 2`` pairs of its posts, so each of its links weighs
    ``d / 2`` times its own weight here: a phone on 60 posts is as dense as a clique
    of them, not a sparse star for CPM to cut. The star's own weight stays the
    evidence shown to the analyst.

    igraph's own Leiden (C), seeded on a private generator for each call, so the split
    of a group is the same whichever run, batch or region computes it."""
    import random

    import igraph as ig

    la = np.searchsorted(members, edges.a)
    lb = np.searchsorted(members, edges.b)
    weight = edges.weight.astype(np.float64, copy=True)
    on_selector = edges.selector >= 0
    if on_selector.any():
        # Every post of a usable selector is in its group, so the group holds all
        # ``d - 1`` links of the selector's star.
        _, where, links = np.unique(
            edges.selector[on_selector], return_inverse=True, return_counts=True
        )
        weight[on_selector] *= (links[where] + 1) / 2.0
    # Edges handed over as one integer array: a list of Python pairs cost more than
    # the clustering itself on the largest groups.
    graph = ig.Graph(n=len(members))
    graph.add_edges(np.stack([la, lb], axis=1))
    ig.set_random_number_generator(random.Random(LEIDEN_SEED))
    try:
        found = graph.community_leiden(
            objective_function="CPM",
            weights=weight.tolist(),
            resolution=LEIDEN_RESOLUTION,
            n_iterations=2,
        )
    finally:
        ig.set_random_number_generator(random)
    membership = np.asarray(found.membership, dtype=np.int64)
    order = np.argsort(membership, kind="stable")
    cuts = np.flatnonzero(np.diff(membership[order])) + 1
    return [members[c] for c in np.split(order, cuts) if len(c) >= 2]


def split_groups(
    n: int, edges: Edges, labels: I64, wanted: BOOL | None, split_above: int
) -> list[I64]:
    """The networks of the groups whose label is ``wanted`` (all when ``None``): each
    group as it is, or its Leiden communities when over ``split_above`` posts."""
    linked = np.zeros(n, dtype=bool)
    linked[edges.a] = True
    linked[edges.b] = True
    if wanted is not None:
        linked &= wanted[labels]
    members, bounds = groups_of(labels, linked)
    sizes = np.diff(bounds)
    out: list[I64] = []
    big = np.flatnonzero(sizes > split_above)
    if len(big) == 0:
        return list(np.split(members, bounds[1:-1])) if len(sizes) else []
    # Links of each over-large group, in canonical order, sliced by group label.
    big_labels = labels[members[bounds[big]]]
    inside = np.isin(labels[edges.a], big_labels)
    part = edges.take(inside)
    order = np.argsort(labels[part.a], kind="stable")
    part = part.take(order)
    part_lab = labels[part.a]
    cut = set(big.tolist())
    for k, group in enumerate(np.split(members, bounds[1:-1])):
        if k not in cut:
            out.append(group)
            continue
        lab = labels[group[0]]
        lo, hi = np.searchsorted(part_lab, [lab, lab + 1])
        out.extend(leiden_split(group, part.take(np.arange(lo, hi))))
    return out


def network_labels(n: int, networks: Sequence[I64]) -> I64:
    """Network of every post, named by its smallest member (``-1``: in none)."""
    where = np.full(n, -1, dtype=np.int64)
    for members in networks:
        where[members] = members[0]
    return where


def spanning_forest(edges: Edges, where: I64, tie_key: Callable[[int], tuple[str, str]]) -> Edges:
    """The links that explain each network: its maximum spanning forest under the strict
    order strongest first, then by post order, then by the selector's key (``tie_key``;
    text links sort as ``("text", "")``), over the links inside networks. Under a strict
    order that forest is unique (it is what Kruskal keeps), so it depends only on the
    network's own links, whichever run, batch or region computes it.

    Computed by Borůvka rounds in numpy (every component takes its best outgoing link at
    once, about log2(size) rounds) instead of a Python union-find per link."""
    inside = np.flatnonzero((where[edges.a] >= 0) & (where[edges.a] == where[edges.b]))
    e = edges.take(inside)
    order = np.lexsort((e.b, e.a, -e.weight))
    e = e.take(order)
    if len(e) == 0:
        return e
    same = (e.a[1:] == e.a[:-1]) & (e.b[1:] == e.b[:-1]) & (e.weight[1:] == e.weight[:-1])
    if same.any():
        # Equal links through different selectors: the smallest key ranks first.
        e = _order_ties(e, same, tie_key)
    # Parallel links of one pair: only the first (best ranked) can be in the forest.
    pair = e.a * np.int64(len(where)) + e.b
    first = first_of_each(pair)
    keep = np.zeros(len(e), dtype=bool)
    keep[first] = True
    e = e.take(keep)
    n = len(where)
    rank = np.arange(len(e), dtype=np.int64)
    chosen = np.zeros(len(e), dtype=bool)
    comp = np.arange(n, dtype=np.int64)
    live = rank
    none = np.int64(len(e))
    while True:
        ca, cb = comp[e.a[live]], comp[e.b[live]]
        cross = ca != cb
        live, ca, cb = live[cross], ca[cross], cb[cross]
        if len(live) == 0:
            break
        best = np.full(n, none, dtype=np.int64)
        np.minimum.at(best, ca, live)
        np.minimum.at(best, cb, live)
        chosen[best[best < none]] = True
        picked = np.flatnonzero(chosen)
        comp = components(n, e.a[picked], e.b[picked])
    return e.take(chosen)


def _order_ties(
    e: Edges, same: npt.NDArray[np.bool_], tie_key: Callable[[int], tuple[str, str]]
) -> Edges:
    run_start = np.flatnonzero(np.r_[True, ~same])
    run_end = np.r_[run_start[1:], len(e)]
    multi = np.flatnonzero(run_end - run_start > 1)
    order = np.arange(len(e))
    sel = e.selector.tolist()
    for r in multi.tolist():
        lo, hi = int(run_start[r]), int(run_end[r])
        span = sorted(
            range(lo, hi), key=lambda k: ("text", "") if sel[k] == TEXT else tie_key(sel[k])
        )
        order[lo:hi] = span
    return e.take(order)


# -- the per-region function ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegionSelector:
    """A selector as the whole corpus sees it.

    ``posts``: positions (in the region) of every post it is on; ``weight`` and ``hub``
    are the corpus-wide verdicts (:func:`tracelight.link.graph.assess` over all of its
    posts: degree, cohesion and names are global)."""

    key: SelectorKey
    posts: Sequence[int]
    weight: float
    hub: str | None = None


@dataclass(frozen=True, slots=True)
class RegionLink:
    """One evidence link of a region network, posts as region positions (``a < b``)."""

    kind: str
    value: str
    weight: float
    a: int
    b: int


@dataclass(slots=True)
class RegionClusters:
    networks: list[list[int]]
    """Posts of each network, region positions, ascending."""
    evidence: list[list[RegionLink]]
    """Per network, the links of its maximum spanning forest."""
    shared: list[list[SelectorKey]]
    """Per network, the usable selectors on two or more of its posts, sorted."""
    boilerplate: list[list[int]]
    """Near-duplicate groups whose text links were not used, with the identities each
    carried (``boilerplate_identities``)."""
    boilerplate_identities: list[int]


def cluster_region(
    n: int,
    selectors: Sequence[RegionSelector],
    text_links: npt.ArrayLike,
    *,
    has_selector: npt.ArrayLike | None = None,
    min_weight: float = DEFAULT_MIN_WEIGHT,
    split_above: int = DEFAULT_SPLIT_ABOVE,
) -> RegionClusters:
    """Networks of one region of the corpus, exactly as a whole-corpus run finds them.

    The region (``n`` posts, numbered ``0..n-1`` in corpus order) must be a union of
    connected components of *H*: posts joined by a usable selector (no hub, weight at
    least ``min_weight``) or by any verified near-duplicate link are in the same region.
    ``selectors``: every selector on a region post with two or more posts, with its
    corpus-wide weight and hub verdict and *all* its posts; ``text_links``: ``k x 3``
    rows ``(a, b, jaccard)`` of every verified near-duplicate link inside the region;
    ``has_selector``: posts that carry any selector at all (hubs and selectors on one
    post included; by default those of ``selectors``), which the boilerplate rule counts.

    Guarantee: clustering each component of *H* with this function and mapping positions
    back gives the networks, evidence, shared selectors and boilerplate groups of
    clustering the whole corpus at once (tested in ``tests/test_link_networks.py``).
    """
    keys = [s.key for s in selectors]
    lists = [sorted(set(s.posts)) for s in selectors]
    counts = np.asarray([len(p) for p in lists], dtype=np.int64)
    ptr = np.zeros(len(selectors) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    flat = np.fromiter((p for ps in lists for p in ps), dtype=np.int64, count=int(ptr[-1]))
    weight = np.asarray([s.weight for s in selectors], dtype=np.float64)
    usable = np.flatnonzero(
        np.asarray([s.hub is None for s in selectors], dtype=bool)
        & (weight >= min_weight)
        & (counts >= 2)
    ).astype(np.int64)
    if has_selector is None:
        carries = np.zeros(n, dtype=bool)
        carries[flat] = True
    else:
        carries = np.asarray(has_selector, dtype=bool)
    rows = np.asarray(text_links, dtype=np.float64).reshape(-1, 3)
    text = Edges(
        rows[:, 0].astype(np.int64),
        rows[:, 1].astype(np.int64),
        rows[:, 2].copy(),
        np.full(len(rows), TEXT, dtype=np.int64),
    )
    sel_edges = star_edges(ptr, flat, weight, usable)
    identity = components(n, sel_edges.a, sel_edges.b)
    boiler = boilerplate(n, text, identity, carries)
    edges = final_edges(sel_edges, text, boiler.marked, min_weight)
    labels = components(n, edges.a, edges.b)
    networks = split_groups(n, edges, labels, None, split_above)
    networks.sort(key=lambda m: int(m[0]))
    where = network_labels(n, networks)
    chosen = spanning_forest(edges, where, keys.__getitem__)
    evidence: dict[int, list[RegionLink]] = {}
    for a, b, w, s in zip(
        chosen.a.tolist(),
        chosen.b.tolist(),
        chosen.weight.tolist(),
        chosen.selector.tolist(),
        strict=True,
    ):
        kind, value = keys[s] if s != TEXT else ("text", f"jaccard {w:.2f}")
        evidence.setdefault(int(where[a]), []).append(RegionLink(kind, value, w, a, b))
    is_usable = np.zeros(len(selectors), dtype=bool)
    is_usable[usable] = True
    shared: dict[int, list[SelectorKey]] = {}
    sel_of = np.repeat(np.arange(len(selectors), dtype=np.int64), counts)
    on = is_usable[sel_of] & (where[flat] >= 0) if len(flat) else np.zeros(0, dtype=bool)
    cells, hits = np.unique(
        np.stack([where[flat[on]], sel_of[on]], axis=1), axis=0, return_counts=True
    )
    for (k, s), c in zip(cells.tolist(), hits.tolist(), strict=True):
        if c >= 2:
            shared.setdefault(k, []).append(keys[s])
    members, bounds = groups_of(boiler.labels, boiler.marked)
    boiler_groups = [g.tolist() for g in np.split(members, bounds[1:-1])] if len(members) else []
    return RegionClusters(
        networks=[m.tolist() for m in networks],
        evidence=[evidence.get(int(m[0]), []) for m in networks],
        shared=[sorted(shared.get(int(m[0]), [])) for m in networks],
        boilerplate=boiler_groups,
        boilerplate_identities=[int(boiler.identities[boiler.labels[g[0]]]) for g in boiler_groups],
    )
