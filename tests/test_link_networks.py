"""Linking into networks: hubs, templates, boilerplate, evidence, stable ids, features."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from random import Random

import numpy as np

from tracelight.link import LinkPost, connected_components, link_posts
from tracelight.link.cluster import (
    DEFAULT_MIN_WEIGHT,
    TEXT,
    Edges,
    RegionSelector,
    cluster_region,
    components,
    leiden_split,
)
from tracelight.link.features import network_features, template
from tracelight.link.graph import rarity_weight
from tracelight.link.identity import assign_ids
from tracelight.link.state import HUB_REASONS
from tracelight.link.text import near_duplicates, shingles
from tracelight.link.unionfind import UnionFind
from tracelight.synth import generate_corpus

WORDS = [
    "sunny",
    "river",
    "quiet",
    "garden",
    "laptop",
    "purple",
    "engine",
    "violin",
    "harbor",
    "meadow",
    "pencil",
    "rocket",
    "castle",
    "winter",
    "orange",
    "silver",
    "forest",
    "candle",
    "mirror",
    "bridge",
    "camera",
    "puzzle",
    "ladder",
    "coffee",
    "window",
    "planet",
    "marble",
    "tiger",
    "velvet",
    "island",
    "thunder",
    "desert",
    "lemon",
    "anchor",
]


def free_text(rng: Random, n: int = 30) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


TEMPLATE = (
    "NEW IN {city} ✨ {name} {age} ✨ Sweet {name} just arrived in {city}, young and fun. "
    "Ask for her friends, cash only, no rush. 30 min 150, 1 hour 250. "
    "Text only, no calls, serious gentlemen. Available 24/7 incall outcall 💋"
)


def template_post(i: int, phone: str, name: str, city: str) -> LinkPost:
    text = TEMPLATE.format(city=city, name=name, age=19 + i % 3)
    when = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=i)
    return LinkPost(f"t{i:03d}", text, (("phone", phone),), (name,), (19,), when, city, "US")


def _connected(posts: set[str], evidence: list[tuple[str, str]]) -> bool:
    forest = UnionFind()
    for a, b in evidence:
        forest.union(a, b)
    return len({forest.root(p) for p in posts}) == 1


def test_rotating_phones_are_joined_by_their_template_and_explained() -> None:
    # Three phones used one after the other, never together: only the text ties them.
    posts = [
        template_post(i, f"+1415555{i // 4:04d}", ("Amy", "Bea")[i % 2], ("Reno", "Vegas")[i // 6])
        for i in range(12)
    ]
    out = link_posts(posts)
    assert len(out.networks) == 1
    network = out.networks[0]
    assert len(network.post_ids) == 12
    # Strongest links join first: here the near-identical texts; the phones are listed.
    assert "text" in {e.kind for e in network.evidence}
    assert {v for _, v in network.selectors} == {"+14155550000", "+14155550001", "+14155550002"}
    # Explainable link by link: the evidence alone connects every post.
    assert _connected(set(network.post_ids), [e.posts for e in network.evidence])
    assert len(network.evidence) == 11
    assert all(0 < e.weight <= 1 for e in network.evidence)


def test_hub_phone_across_unrelated_posters_is_reported_not_used() -> None:
    rng = Random(3)
    names = ["Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"]
    posts = [
        LinkPost(f"a{i:03d}", free_text(rng), (("phone", "+14155550100"),), (names[i % 8],))
        for i in range(20)
    ]
    out = link_posts(posts)
    assert out.networks == []
    assert [(h.key, h.reason) for h in out.hubs] == [(("phone", "+14155550100"), "diverse")]
    # The baseline merges them all.
    assert [len(g) for g in connected_components(posts)] == [20]


def test_degree_cut_and_placeholders() -> None:
    rng = Random(5)
    many = [LinkPost(f"d{i:03d}", free_text(rng), (("phone", "+14155550111"),)) for i in range(60)]
    fake = [LinkPost(f"z{i}", free_text(rng), (("phone", "+10000000000"),)) for i in range(3)]
    out = link_posts(many + fake, max_degree=50)
    reasons = {h.key[1]: h.reason for h in out.hubs}
    assert reasons == {"+14155550111": "degree", "+10000000000": "placeholder"}
    assert out.networks == []


def test_boilerplate_of_unrelated_posters_makes_no_network() -> None:
    rng = Random(7)
    paragraph = (
        "Visit GlowDates today for verified profiles and safe dating. Download our app now "
        "to get instant alerts, premium badges and exclusive offers every single week. "
        "GlowDates never asks for deposits; report fake profiles with one click."
    )
    posts = [
        LinkPost(
            f"s{i:03d}", f"{free_text(rng, 12)}\n\n{paragraph}", (("phone", f"+1202555{i:04d}"),)
        )
        for i in range(15)
    ]
    out = link_posts(posts)
    assert out.text_links > 0  # they are near-duplicates...
    assert out.networks == []  # ...but text shared by 15 different identities is boilerplate
    assert len(out.boilerplate) == 1 and out.boilerplate[0].identities == 15
    assert max(len(g) for g in connected_components(posts)) >= 10


def test_near_duplicates_are_verified_by_exact_jaccard() -> None:
    rng = Random(11)
    base = free_text(rng, 60)
    texts = [base, base + " extra words here", free_text(rng, 60), ""]
    links, sig = near_duplicates(texts)
    assert sig.shape == (4, 64)
    assert [(link.a, link.b) for link in links] == [(0, 1)]
    a, b = set(shingles(texts[0])), set(shingles(texts[1]))
    assert links[0].similarity == round(len(a & b) / len(a | b), 4)


def test_shingles_keep_digits_and_emoji() -> None:
    assert "250 💋" in " | ".join(shingles("one hour 250 💋 now"))
    assert shingles("Ｈｉ") == ["hi"]


def test_template_has_constant_text_and_slots() -> None:
    posts = [
        template_post(i, "+14155550000", n, c)
        for i, (n, c) in enumerate(
            [("Amy", "Reno"), ("Bea", "Vegas"), ("Cat", "Boise"), ("Dee", "Provo")]
        )
    ]
    found = template([p.text for p in posts])
    assert found is not None
    assert "cash only" in found["text"] and "{" in found["text"]
    assert {s["slot"] for s in found["slots"]} <= {"text", "age", "number", "price", "phone"}
    assert 0.5 < found["constant_share"] < 1.0


def test_features_give_a_movement_timeline() -> None:
    posts = [
        template_post(i, "+14155550001", "Amy", city)
        for i, city in enumerate(["Reno", "Reno", "Vegas", "Vegas", "Boise"])
    ]
    out = link_posts(posts)
    features = network_features(out.networks[0], posts)
    assert [s["place"] for s in features["timeline"]] == ["Reno", "Vegas", "Boise"]
    assert features["moves"] == 2 and features["size"] == 5
    assert features["personas"] == ["amy"]
    assert features["first_seen"].startswith("2024-01-01")


def test_ids_stay_stable_and_changes_are_recorded() -> None:
    previous = {"Nold1": {"a", "b"}, "Nold2": {"c", "d"}, "Nold3": {"e", "f", "g"}}
    ids, events = assign_ids(
        [("a", "b", "c", "d", "x"), ("e", "f"), ("g", "k"), ("y", "z")], previous
    )
    assert ids[0] in {"Nold1", "Nold2"} and ids[1] == "Nold3"
    assert ids[2] not in previous and ids[3] not in previous
    kinds = {(e.network_id, e.event) for e in events}
    assert (ids[0], "merged") in kinds
    assert (ids[1], "split") in kinds and (ids[2], "split") in kinds
    assert (ids[3], "new") in kinds
    grown, grew = assign_ids([("a", "b", "q")], {"Nold1": {"a", "b"}})
    assert grown == ["Nold1"] and grew[0].event == "grew"


def _corpus_posts(tmp: Path, n: int, seed: int) -> list[LinkPost]:
    """A synthetic corpus with the ground truth's contacts and images as selectors."""
    generate_corpus(tmp, n, seed=seed, max_images=60)
    out: list[LinkPost] = []
    with (
        (tmp / "posts.jsonl").open(encoding="utf-8") as posts,
        (tmp / "ground_truth.jsonl").open(encoding="utf-8") as truth,
    ):
        for line, tline in zip(posts, truth, strict=True):
            p, g = json.loads(line), json.loads(tline)
            sels = tuple((c["kind"], c["value"]) for c in g["contacts"])
            sels += tuple(("image", u) for u in p["images"])
            names = (g["persona"],) if g["persona"] else ()
            out.append(LinkPost(p["id"], f"{p.get('title') or ''}\n{p['body']}", sels, names))
    return out


def test_clustering_each_component_alone_equals_the_whole(tmp_path: Path) -> None:
    """``cluster_region`` per component of H (usable selectors + all text links), given
    the corpus-wide selector verdicts, gives exactly the whole corpus's networks,
    evidence, shared selectors and boilerplate; and those are ``link_posts``'s."""
    posts = _corpus_posts(tmp_path, 700, seed=5)
    split_above = 12  # small, so Leiden cuts groups too
    out = link_posts(posts, split_above=split_above)
    assert out.index is not None
    state = out.state
    n = len(posts)
    degree = np.diff(state.ptr)
    verdicts = [
        RegionSelector(
            state.keys[s],
            state.members[state.ptr[s] : state.ptr[s + 1]].tolist(),
            float(state.weight[s]),
            HUB_REASONS[int(state.hub[s])],
        )
        for s in range(len(degree))
        if degree[s] >= 2
    ]
    assert any(v.hub for v in verdicts)
    has_selector = np.zeros(n, dtype=bool)
    has_selector[state.members] = True
    links = out.index.links
    whole = cluster_region(n, verdicts, links, has_selector=has_selector, split_above=split_above)
    assert whole.boilerplate and out.stats["split_groups"] > 0  # every rule is exercised

    # Components of H.
    usable = [v for v in verdicts if v.hub is None and v.weight >= DEFAULT_MIN_WEIGHT]
    a = [v.posts[0] for v in usable for _ in v.posts[1:]] + links[:, 0].astype(int).tolist()
    b = [p for v in usable for p in v.posts[1:]] + links[:, 1].astype(int).tolist()
    label = components(n, np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
    networks, evidence, shared, boiler = [], [], [], []
    regions = 0
    for root in np.unique(label).tolist():
        region = np.flatnonzero(label == root)
        if len(region) < 2:
            continue
        regions += 1
        local = {int(g): i for i, g in enumerate(region)}
        inside = np.isin(links[:, 0], region) & np.isin(links[:, 1], region)
        rows = links[inside].copy()
        rows[:, 0] = [local[int(x)] for x in rows[:, 0]]
        rows[:, 1] = [local[int(x)] for x in rows[:, 1]]
        # Usable selectors lie wholly inside; hubs contribute their posts in the region.
        sels = [
            RegionSelector(v.key, [local[p] for p in v.posts if p in local], v.weight, v.hub)
            for v in verdicts
            if any(p in local for p in v.posts)
        ]
        part = cluster_region(
            len(region), sels, rows, has_selector=has_selector[region], split_above=split_above
        )
        for k, members in enumerate(part.networks):
            networks.append([int(region[i]) for i in members])
            evidence.append(
                sorted(
                    (e.kind, e.value, e.weight, int(region[e.a]), int(region[e.b]))
                    for e in part.evidence[k]
                )
            )
            shared.append(part.shared[k])
        boiler += [
            ([int(region[i]) for i in g], c)
            for g, c in zip(part.boilerplate, part.boilerplate_identities, strict=True)
        ]
    assert regions > 10
    order = sorted(range(len(networks)), key=lambda k: networks[k])
    assert [networks[k] for k in order] == whole.networks
    assert [evidence[k] for k in order] == [
        sorted((e.kind, e.value, e.weight, e.a, e.b) for e in ev) for ev in whole.evidence
    ]
    assert [shared[k] for k in order] == whole.shared
    assert sorted(boiler) == sorted(
        zip(whole.boilerplate, whole.boilerplate_identities, strict=True)
    )
    # The same networks and evidence as ``link_posts`` itself.
    ids = [p.id for p in posts]
    assert sorted(tuple(sorted(ids[i] for i in m)) for m in whole.networks) == sorted(
        nw.post_ids for nw in out.networks
    )
    assert sorted(
        (e.kind, e.value, e.weight, tuple(sorted((ids[e.a], ids[e.b]))))
        for ev in whole.evidence
        for e in ev
    ) == sorted(
        (e.kind, e.value, e.weight, tuple(sorted(e.posts)))
        for nw in out.networks
        for e in nw.evidence
    )


def test_leiden_cuts_long_chains_but_keeps_dense_groups_and_shared_phones_whole() -> None:
    """One over-large group made of a template (every pair of 30 posts linked by text),
    a phone shared by 60 posts (a star of 59 links, as the linker stores it) and a
    200-post chain of near-duplicate texts tying them together. The template and the
    phone are each one operation and must stay whole; the chain (unrelated posters
    whose wording happens to be alike) must fall apart into small networks."""
    template = list(range(30))
    phone = list(range(30, 90))
    chain = list(range(90, 290))
    a: list[int] = []
    b: list[int] = []
    weight: list[float] = []
    selector: list[int] = []

    def link(x: int, y: int, w: float, s: int = TEXT) -> None:
        a.append(min(x, y))
        b.append(max(x, y))
        weight.append(w)
        selector.append(s)

    for i, x in enumerate(template):
        for y in template[i + 1 :]:
            link(x, y, 0.7)
    for y in phone[1:]:
        link(phone[0], y, rarity_weight("phone", len(phone)), 0)
    for x, y in pairwise(chain):
        link(x, y, 0.6)
    link(template[5], chain[0], 0.55)
    link(phone[7], chain[100], 0.55)
    edges = Edges(
        np.asarray(a, dtype=np.int64),
        np.asarray(b, dtype=np.int64),
        np.asarray(weight),
        np.asarray(selector, dtype=np.int64),
    ).canonical()
    networks = [set(n.tolist()) for n in leiden_split(np.arange(290, dtype=np.int64), edges)]
    assert set(template) in networks
    assert set(phone) in networks
    pieces = [n for n in networks if n <= set(chain)]
    assert sum(len(p) for p in pieces) >= 180  # the chain is split, not dropped
    assert max(len(p) for p in pieces) <= 13
