"""Grouping posts by shared selectors."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracelight.link import build_networks, network_id_for
from tracelight.link.unionfind import UnionFind


def test_shared_selectors_chain_posts_into_one_network() -> None:
    result = build_networks(
        [
            (("phone", "+1"), ["a", "b"]),
            (("email", "x@example.com"), ["b", "c"]),
            (("phone", "+2"), ["d"]),
            (("phone", "+3"), ["e", "f"]),
        ]
    )
    assert [n.post_ids for n in result.networks] == [("a", "b", "c"), ("e", "f")]
    assert result.networks[0].selectors == (("email", "x@example.com"), ("phone", "+1"))
    assert result.hubs == {}


def test_hubs_are_reported_and_not_used() -> None:
    many = [f"p{i}" for i in range(10)]
    result = build_networks(
        [(("phone", "+hub"), many), (("phone", "+9"), ["p1", "p2"])], max_degree=5
    )
    assert result.hubs == {("phone", "+hub"): 10}
    assert [n.post_ids for n in result.networks] == [("p1", "p2")]


def test_network_id_is_stable_under_order() -> None:
    assert network_id_for(["b", "a", "c"]) == network_id_for(["c", "a", "b"])
    assert network_id_for(["a", "b"]) != network_id_for(["b", "c"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcdefghij"), min_size=1, max_size=4), max_size=12))
def test_networks_partition_exactly_the_linked_posts(groups: list[list[str]]) -> None:
    selector_posts = [(("phone", f"+{i}"), g) for i, g in enumerate(groups)]
    result = build_networks(selector_posts, max_degree=100)
    seen: set[str] = set()
    for network in result.networks:
        assert len(network.post_ids) >= 2
        assert not seen & set(network.post_ids)
        seen |= set(network.post_ids)
    # Two posts sharing a selector always end up in the same network.
    where = {p: n.id for n in result.networks for p in n.post_ids}
    for group in groups:
        distinct = set(group)
        if len(distinct) >= 2:
            assert len({where[p] for p in distinct}) == 1
    # Reference: a naive union-find over the same relation gives the same partition.
    forest = UnionFind()
    for group in groups:
        for post in group:
            forest.add(post)
        for post in group[1:]:
            forest.union(group[0], post)
    expected = sorted(sorted(g) for g in forest.groups().values() if len(g) >= 2)
    assert sorted(sorted(n.post_ids) for n in result.networks) == expected
