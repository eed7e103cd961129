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
   split by weighted Leiden community detection (igraph's ``community_leiden``) over its
   links, and each part keeps only the links inside it as evidence.

Near-duplicates come from a :class:`~tracelight.link.index.TextIndex`, which a caller may
keep between runs: then only new posts are shingled and hashed, and the networks are the
same as a full relink gives (grouping, boilerplate and explanations depend on the link
set only, never on the order posts arrived in). The graph steps run on numpy arrays
(:mod:`tracelight.link.cluster`), and the index also keeps the graph stage's result
(:mod:`tracelight.link.state`), so a batch assesses only the selectors it carries and
re-clusters only the groups whose links changed.

``connected_components`` is the baseline: the same links, no hubs, no boilerplate rule,
no split.
"""

from __future__ import annotations

import gc
import hashlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import overload

import numpy as np
import numpy.typing as npt

from tracelight.link.cluster import (
    BOILERPLATE_MIN_IDENTITIES,
    BOILERPLATE_MIN_SHARE,
    DEFAULT_MIN_WEIGHT,
    DEFAULT_SPLIT_ABOVE,
    LEIDEN_SEED,
    SPLIT_METHOD,
    TEXT,
    Edges,
    boilerplate,
    components,
    distinct,
    final_edges,
    groups_of,
    network_labels,
    ranges,
    spanning_forest,
    split_groups,
    star_edges,
)
from tracelight.link.graph import DEFAULT_MAX_DEGREE, assess, rarity_weight
from tracelight.link.index import TextFetcher, TextIndex
from tracelight.link.state import HUB_REASONS, GraphState, KeyTable
from tracelight.link.text import DEFAULT_THRESHOLD
from tracelight.link.unionfind import UnionFind
from tracelight.model import SelectorKey

__all__ = [
    "BOILERPLATE_MIN_IDENTITIES",
    "BOILERPLATE_MIN_SHARE",
    "DEFAULT_MIN_WEIGHT",
    "DEFAULT_SPLIT_ABOVE",
    "LEIDEN_SEED",
    "Boilerplate",
    "Evidence",
    "Hub",
    "LinkOutput",
    "LinkPost",
    "LinkedNetwork",
    "connected_components",
    "link_posts",
    "network_id_for",
]


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


class LinkOutput:
    """What a linking run found. ``networks`` are built on first use from the graph state
    (a million-post corpus has over a hundred thousand); ``changed_networks`` are only
    those clustered by this run (all on a full run, the touched ones on a batch)."""

    __slots__ = (
        "_all",
        "_changed",
        "_posts",
        "boilerplate",
        "changed",
        "hubs",
        "index",
        "state",
        "stats",
        "text_links",
    )

    def __init__(
        self,
        *,
        posts: Sequence[LinkPost],
        state: GraphState,
        changed: list[int],
        hubs: list[Hub],
        boilerplate: list[Boilerplate],
        text_links: int,
        stats: dict[str, int],
        index: TextIndex | None,
    ) -> None:
        self._posts = posts
        self.state = state
        self.changed = changed
        """Networks clustered by this run, by smallest member (post position)."""
        self.hubs = hubs
        self.boilerplate = boilerplate
        self.text_links = text_links
        self.stats = stats
        self.index = index
        """The near-duplicate index after this run (with the graph state), to be saved."""
        self._all: list[LinkedNetwork] | None = None
        self._changed: list[LinkedNetwork] | None = None

    @property
    def networks(self) -> list[LinkedNetwork]:
        """Every network, largest first (ties by id)."""
        if self._all is None:
            self._all = _networks_of(self._posts, self.state, None)
        return self._all

    @property
    def changed_networks(self) -> list[LinkedNetwork]:
        """The networks this run clustered; every other network is as the state had it."""
        if self._changed is None:
            self._changed = (
                self.networks
                if self.stats.get("graph_reused") == 0
                else _networks_of(self._posts, self.state, self.changed)
            )
        return self._changed


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
class _Selectors:
    """Every selector of the corpus: key, posts (CSR, ascending), weight, hub verdict."""

    keys: KeyTable
    ptr: npt.NDArray[np.int64]
    members: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]
    hub: npt.NDArray[np.int8]
    cohesion: npt.NDArray[np.float64]
    reassessed: npt.NDArray[np.int64] | None = None
    """Selectors whose posts changed in this run (``None``: all were assessed)."""


_HUB_CODE = {reason: code for code, reason in enumerate(HUB_REASONS)}


def _assess_into(
    table: _Selectors,
    chosen: npt.NDArray[np.int64],
    sig: npt.NDArray[np.uint32],
    names: Sequence[frozenset[str]],
    max_degree: int,
) -> None:
    """Weight and hub verdict of the ``chosen`` selectors, from all of their posts."""
    degree = np.diff(table.ptr)
    multi = chosen[degree[chosen] >= 2]
    single = chosen[degree[chosen] < 2]
    for s in single.tolist():
        table.weight[s] = rarity_weight(table.keys[s][0], 1)
        table.hub[s] = 0
        table.cohesion[s] = np.nan
    if len(multi) == 0:
        return
    posts = table.members
    ptr = table.ptr
    selector_posts = {table.keys[s]: posts[ptr[s] : ptr[s + 1]].tolist() for s in multi.tolist()}
    for s, info in zip(
        multi.tolist(), assess(selector_posts, sig, names, max_degree=max_degree), strict=True
    ):
        table.weight[s] = info.weight
        table.hub[s] = _HUB_CODE[info.hub]
        table.cohesion[s] = np.nan if info.cohesion is None else info.cohesion


def _incidence(
    posts: Sequence[LinkPost], start: int, known: dict[SelectorKey, int], first_id: int
) -> tuple[list[SelectorKey], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(selector, post) pairs of ``posts[start:]``; keys not in ``known`` get ids from
    ``first_id`` on in order of first appearance (the order a full run numbers them in)."""
    new_keys: list[SelectorKey] = []
    inc_post: list[int] = []
    inc_sel: list[int] = []
    for i in range(start, len(posts)):
        for key in dict.fromkeys(posts[i].selectors):
            s = known.get(key)
            if s is None:
                s = known[key] = first_id + len(new_keys)
                new_keys.append(key)
            inc_post.append(i)
            inc_sel.append(s)
    return (
        new_keys,
        np.asarray(inc_sel, dtype=np.int64),
        np.asarray(inc_post, dtype=np.int64),
    )


def _all_selectors(
    posts: Sequence[LinkPost],
    sig: npt.NDArray[np.uint32],
    names: Sequence[frozenset[str]],
    max_degree: int,
) -> _Selectors:
    known: dict[SelectorKey, int] = {}
    keys, isel, ipost = _incidence(posts, 0, known, 0)
    order = np.lexsort((ipost, isel))
    ptr = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(np.bincount(isel, minlength=len(keys)), out=ptr[1:])
    table = _Selectors(
        KeyTable.of(keys),
        ptr,
        ipost[order],
        np.zeros(len(keys), dtype=np.float64),
        np.zeros(len(keys), dtype=np.int8),
        np.full(len(keys), np.nan),
    )
    _assess_into(table, np.arange(len(keys), dtype=np.int64), sig, names, max_degree)
    return table


def _grown_selectors(
    state: GraphState,
    posts: Sequence[LinkPost],
    sig: npt.NDArray[np.uint32],
    names: Sequence[frozenset[str]],
    max_degree: int,
) -> _Selectors:
    """The stored selectors with the batch's posts added; only selectors the batch
    carries are assessed again (a selector's verdict depends on its own posts only)."""
    done = state.posts
    batch_keys = list(dict.fromkeys(k for i in range(done, len(posts)) for k in posts[i].selectors))
    found = state.keys.find(batch_keys)
    known = {k: int(s) for k, s in zip(batch_keys, found.tolist(), strict=True) if s >= 0}
    m_old = len(state.keys)
    new_keys, isel, ipost = _incidence(posts, done, known, m_old)
    m = m_old + len(new_keys)
    order = np.lexsort((ipost, isel))
    isel, ipost = isel[order], ipost[order]
    ptr_ext = np.concatenate([state.ptr, np.full(len(new_keys), state.ptr[-1], dtype=np.int64)])
    # Batch posts come after every stored one, so inserting at each selector's end
    # keeps its posts ascending.
    members = np.insert(state.members, ptr_ext[isel + 1], ipost)
    ptr = ptr_ext.copy()
    ptr[1:] += np.cumsum(np.bincount(isel, minlength=m))
    grow = len(new_keys)
    table = _Selectors(
        state.keys.extend(new_keys),
        ptr,
        members,
        np.concatenate([state.weight, np.zeros(grow)]),
        np.concatenate([state.hub, np.zeros(grow, dtype=np.int8)]),
        np.concatenate([state.cohesion, np.full(grow, np.nan)]),
    )
    table.reassessed = distinct(isel)
    _assess_into(table, table.reassessed, sig, names, max_degree)
    return table


def _row_hash(e: Edges) -> npt.NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        h = (e.a.astype(np.uint64) << np.uint64(32)) ^ e.b.astype(np.uint64)
        h *= np.uint64(0x9E3779B97F4A7C15)
        h ^= e.selector.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
        h ^= e.weight.view(np.uint64) * np.uint64(0x165667B19E3779F9)
        h ^= h >> np.uint64(29)
    return np.asarray(h, dtype=np.uint64)


def _missing_from(e: Edges, other: Edges) -> npt.NDArray[np.bool_]:
    """Rows of ``e`` that ``other`` does not hold (found by hash, confirmed field by field)."""
    if len(other) == 0:
        return np.ones(len(e), dtype=bool)
    ho = _row_hash(other)
    order = np.argsort(ho)
    ho = ho[order]
    he = _row_hash(e)
    # Sorted needles: the binary searches then walk memory in order (4 s -> 0.2 s at 1M).
    needle = np.argsort(he)
    at = np.empty(len(he), dtype=np.int64)
    at[needle] = np.minimum(np.searchsorted(ho, he[needle]), len(ho) - 1)
    row = order[at]
    same = (
        (ho[at] == he)
        & (other.a[row] == e.a)
        & (other.b[row] == e.b)
        & (other.selector[row] == e.selector)
        & (other.weight[row] == e.weight)
    )
    return np.asarray(~same, dtype=bool)


def _near(
    state: GraphState, table: _Selectors, marked: npt.NDArray[np.bool_], edges: Edges
) -> tuple[Edges, Edges]:
    """The stored and the new links at posts where a link can have changed: batch posts,
    posts of re-assessed selectors, posts whose boilerplate mark flipped. Any other link
    is the same in both (its selector kept its posts and verdict, its text link its
    marks), so only these are compared."""
    n = len(marked)
    near = np.zeros(n, dtype=bool)
    near[state.posts :] = True
    if table.reassessed is not None and len(table.reassessed):
        s = table.reassessed
        near[table.members[ranges(table.ptr[s], table.ptr[s + 1] - table.ptr[s])]] = True
    if state.marked is not None:
        near[: state.posts] |= marked[: state.posts] != state.marked
    else:
        near[:] = True
    old = state.edges.take(near[state.edges.a] | near[state.edges.b])
    return old, edges.take(near[edges.a] | near[edges.b])


def _touched(old: Edges, new: Edges) -> npt.NDArray[np.int64]:
    """Posts at either end of a link that was added, removed or changed weight."""
    gone = old.take(_missing_from(old, new))
    came = new.take(_missing_from(new, old))
    return distinct(np.concatenate([gone.a, gone.b, came.a, came.b]))


def link_posts(
    posts: Sequence[LinkPost],
    *,
    max_degree: int = DEFAULT_MAX_DEGREE,
    text_threshold: float = DEFAULT_THRESHOLD,
    min_weight: float = DEFAULT_MIN_WEIGHT,
    split_above: int = DEFAULT_SPLIT_ABOVE,
    index: TextIndex | None = None,
    fetch: TextFetcher | None = None,
    fingerprints: npt.ArrayLike | None = None,
) -> LinkOutput:
    """Group ``posts`` into networks; see the module docstring for the method.

    ``index`` is the near-duplicate index of a prefix of ``posts`` (the posts linked
    before, in the same order): only the posts after it are shingled and hashed, and
    their texts are the only ones read, with ``fetch`` giving the texts of indexed posts
    that become candidates (by default ``posts[i].text``). The index is grown in place
    and returned in the output to be saved. Without an index a fresh one is built: a
    full relink. Both give the same networks.

    The index also carries the graph stage of the run that saved it
    (:class:`~tracelight.link.state.GraphState`): then only the batch's selectors are
    assessed again and only groups whose links changed are clustered again. That state
    assumes the indexed posts still carry the selectors and names they had; a caller
    that cannot vouch for it passes ``fingerprints`` (one stable digest per post of its
    selectors and names): a difference on any indexed post makes the graph stage run
    over everything.
    """
    with _cyclic_gc_paused():
        return _link_posts(
            posts,
            max_degree=max_degree,
            text_threshold=text_threshold,
            min_weight=min_weight,
            split_above=split_above,
            index=index,
            fetch=fetch,
            fingerprints=fingerprints,
        )


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Hold off Python's cycle collector while linking.

    Linking works on arrays and makes no reference cycles, but it creates enough
    Python objects (rensa's digest rows, index ids, tie keys) to set off full
    collections, and each one walks every object the caller holds: with a million
    posts loaded that was about a second of a 10k batch's budget. Collection resumes
    (and catches up) when linking returns."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _link_posts(
    posts: Sequence[LinkPost],
    *,
    max_degree: int,
    text_threshold: float,
    min_weight: float,
    split_above: int,
    index: TextIndex | None,
    fetch: TextFetcher | None,
    fingerprints: npt.ArrayLike | None,
) -> LinkOutput:
    if index is None:
        index = TextIndex(threshold=text_threshold)
    elif index.threshold != text_threshold:
        raise ValueError("the index was built with another text threshold")
    done = len(index)
    if done > len(posts) or index.ids != [p.id for p in posts[:done]]:
        raise ValueError("the index does not cover a prefix of these posts")
    state = index.graph
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
    # The split method is part of the state's identity: a state clustered by another
    # method (modularity, before CPM) must not keep its networks for untouched groups.
    params = {
        "max_degree": max_degree,
        "min_weight": min_weight,
        "split_above": split_above,
        "split": SPLIT_METHOD,
    }
    prints = None if fingerprints is None else np.asarray(fingerprints, dtype=np.uint64)
    if state is not None and not (
        state.params == params
        and state.posts == done
        and (
            prints is None
            or (
                state.fingerprints is not None and np.array_equal(state.fingerprints, prints[:done])
            )
        )
    ):
        state = None
    names = _Names(posts)
    if state is None:
        table = _all_selectors(posts, sig, names, max_degree)
    else:
        table = _grown_selectors(state, posts, sig, names, max_degree)

    # Selector links, identities, boilerplate, the links clustering uses.
    degree = np.diff(table.ptr)
    usable = np.flatnonzero((degree >= 2) & (table.hub == 0) & (table.weight >= min_weight))
    has_selector = np.zeros(n, dtype=bool)
    has_selector[table.members] = True
    sel_edges = star_edges(table.ptr, table.members, table.weight, usable)
    identity = components(n, sel_edges.a, sel_edges.b)
    text = Edges(
        links[:, 0].astype(np.int64),
        links[:, 1].astype(np.int64),
        links[:, 2].copy(),
        np.full(len(links), TEXT, dtype=np.int64),
    )
    boiler = boilerplate(n, text, identity, has_selector)
    edges = final_edges(sel_edges, text, boiler.marked, min_weight)
    labels = components(n, edges.a, edges.b)

    # Cluster again only the groups whose links changed (all of them without a state).
    network = np.full(n, -1, dtype=np.int64)
    wanted: npt.NDArray[np.bool_] | None = None
    kept = Edges.empty()
    if state is not None:
        touched = np.concatenate(
            [_touched(*_near(state, table, boiler.marked, edges)), np.arange(done, n)]
        )
        wanted = np.zeros(n, dtype=bool)
        wanted[labels[touched]] = True
        redo = wanted[labels]
        network[:done] = state.network
        network[redo] = -1
        kept = state.evidence.take(~redo[state.evidence.a])
    fresh = split_groups(n, edges, labels, wanted, split_above)
    where = network_labels(n, fresh)
    chosen = spanning_forest(edges, where, table.keys.__getitem__)
    network = np.where(where >= 0, where, network)
    evidence = Edges.join([kept, chosen])

    new_state = GraphState(
        params=params,
        posts=n,
        keys=table.keys,
        ptr=table.ptr,
        members=table.members,
        weight=table.weight,
        hub=table.hub,
        cohesion=table.cohesion,
        edges=edges,
        network=network,
        evidence=evidence,
        marked=boiler.marked,
        fingerprints=prints,
    )
    index.graph = new_state
    sizes = np.bincount(network[network >= 0], minlength=n) if n else np.zeros(0, np.int64)
    hubs = [
        Hub(
            table.keys[s],
            int(degree[s]),
            str(HUB_REASONS[int(table.hub[s])]),
            None if np.isnan(table.cohesion[s]) else float(table.cohesion[s]),
        )
        for s in np.flatnonzero(table.hub > 0).tolist()
    ]
    boiler_members, bounds = groups_of(boiler.labels, boiler.marked)
    boilerplate_groups = [
        Boilerplate(
            tuple(posts[i].id for i in g.tolist()),
            int(boiler.identities[boiler.labels[g[0]]]),
        )
        for g in (np.split(boiler_members, bounds[1:-1]) if len(boiler_members) else [])
    ]
    return LinkOutput(
        posts=posts,
        state=new_state,
        changed=[int(m[0]) for m in fresh],
        hubs=sorted(hubs, key=lambda h: (-h.posts, h.key)),
        boilerplate=boilerplate_groups,
        text_links=len(links),
        stats={
            "text_links": len(links),
            "text_links_used": int((edges.selector == TEXT).sum()),
            "selector_links": len(sel_edges),
            "hubs": len(hubs),
            "boilerplate_groups": len(boilerplate_groups),
            "split_groups": int(
                np.count_nonzero(
                    np.bincount(labels[np.concatenate(fresh)], minlength=n) > split_above
                )
            )
            if fresh
            else 0,
            "posts_indexed_now": n - done,
            "networks": int(np.count_nonzero(sizes)),
            "largest": int(sizes.max()) if n else 0,
            "networks_clustered_now": len(fresh),
            "graph_reused": int(state is not None),
        },
        index=index,
    )


def _networks_of(
    posts: Sequence[LinkPost], state: GraphState, only: Sequence[int] | None
) -> list[LinkedNetwork]:
    """Networks as records, from the graph state: all of them, or those named in ``only``
    (by smallest member), sorted by size then id."""
    n = state.posts
    network = state.network
    keep = network >= 0
    if only is not None:
        wanted = np.zeros(n, dtype=bool)
        wanted[np.asarray(only, dtype=np.int64)] = True
        keep &= wanted[np.maximum(network, 0)]
    members, bounds = groups_of(network, keep)
    groups = np.split(members, bounds[1:-1]) if len(members) else []
    in_scope = np.zeros(n, dtype=bool)
    in_scope[members] = True
    # Evidence grouped by network, in the order it was chosen.
    ev = state.evidence.take(in_scope[state.evidence.a])
    ev = ev.take(np.argsort(network[ev.a], kind="stable"))
    ev_net = network[ev.a]
    # The selectors each network shares (usable, on two or more of its posts).
    degree = np.diff(state.ptr)
    usable = (degree >= 2) & (state.hub == 0) & (state.weight >= state.params["min_weight"])
    sel_of = np.repeat(np.arange(len(degree), dtype=np.int64), degree)
    on = usable[sel_of] & in_scope[state.members]
    cells, counts = np.unique(
        network[state.members[on]] * np.int64(len(degree) + 1) + sel_of[on], return_counts=True
    )
    cells = cells[counts >= 2]
    cell_net = cells // (len(degree) + 1)
    cell_sel = cells % (len(degree) + 1)
    out: list[LinkedNetwork] = []
    ids = [p.id for p in posts] if only is None else None
    for group in groups:
        label = int(group[0])
        lo, hi = np.searchsorted(ev_net, [label, label + 1])
        evidence = []
        for a, b, w, s in zip(
            ev.a[lo:hi].tolist(),
            ev.b[lo:hi].tolist(),
            ev.weight[lo:hi].tolist(),
            ev.selector[lo:hi].tolist(),
            strict=True,
        ):
            kind, value = state.keys[s] if s != TEXT else ("text", f"jaccard {w:.2f}")
            evidence.append(Evidence(kind, value, w, (posts[a].id, posts[b].id)))
        slo, shi = np.searchsorted(cell_net, [label, label + 1])
        shared = sorted(state.keys[s] for s in cell_sel[slo:shi].tolist())
        member_list = group.tolist()
        ordered = (
            sorted(member_list, key=ids.__getitem__)
            if ids is not None
            else sorted(member_list, key=lambda i: posts[i].id)
        )
        out.append(
            LinkedNetwork(
                post_ids=tuple(posts[i].id for i in ordered),
                selectors=tuple(shared),
                evidence=evidence,
                members=tuple(ordered),
            )
        )
    out.sort(key=lambda nw: (-len(nw.post_ids), nw.id))
    return out


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
