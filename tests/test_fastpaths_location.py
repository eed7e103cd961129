"""The place matcher's fast paths agree exactly with the plain formulation.

``location._candidates`` intersects the distinct words with the gazetteer's heads, and
at a head's positions asks ``Gazetteer.seconds`` and the Bloom filter
``Gazetteer.pairs`` before the head's followers; ``_Spans`` finds the letter runs with
``str.find``, as far as asked. Each is compared with a compact copy of what it replaced
(the oracle) on token lists built from the real index: heads that are keys, heads that
only start longer keys, their followers (so that two- to four-token keys occur), and
words that are none of these.
"""

from __future__ import annotations

import pickle
import re
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import text_post
from tracelight.extract import gazetteer as gz
from tracelight.extract import location


def _oracle_candidates(index: gz.Gazetteer, tokens: list[str]) -> list[tuple[int, list[int]]]:
    """``_candidates`` as first written: the trie at every position, then a walk."""
    found: list[tuple[int, list[int]]] = []
    for i in range(len(tokens)):
        lengths: list[int] = []
        key = tokens[i]
        for j in range(i, min(len(tokens), i + gz.MAX_TOKENS)):
            if j > i:
                key = key + " " + tokens[j]
            flags = index.trie.get(key, 0)
            if flags & gz.COMPLETE:
                lengths.append(j - i + 1)
            if not flags & gz.LONGER:
                break
        if lengths:
            found.append((i, lengths[::-1]))
    return found


@cache
def _vocabulary() -> tuple[list[str], ...]:
    """Words of each kind, from the shipped index (sorted, so the draws are stable)."""
    index = gz.gazetteer()
    prefix = sorted(index.prefix_only)[::40]
    complete_with_followers = sorted(set(index.followers) - index.prefix_only)[::10]
    alone = sorted(index.heads - set(index.followers))[::400]
    followers = sorted(
        {f for head in prefix + complete_with_followers for f in index.followers[head]}
    )
    common = ["i", "a", "the", "new", "san", "los", "in", "to", "de", "la", "salt", "lake"]
    common += ["city", "york", "diego", "angeles", "paulo", "sao", "rio", "janeiro"]
    others = ["zzq", "xqv", "you", "and", "call", "qwerty", "bla"]
    return prefix, complete_with_followers, alone, followers[::3], common, others


@st.composite
def _tokens(draw: st.DrawFn) -> list[str]:
    kinds = _vocabulary()
    out: list[str] = []
    for _ in range(draw(st.integers(0, 24))):
        kind = draw(st.sampled_from(kinds))
        word = draw(st.sampled_from(kind))
        out.append(word)
        if word in gz.gazetteer().followers and draw(st.booleans()):
            # Follow the head by one of its followers, often, so longer keys occur.
            out.append(draw(st.sampled_from(sorted(gz.gazetteer().followers[word]))))
    return out


@settings(deadline=None, max_examples=600)
@given(_tokens())
def test_candidates_match_the_trie_walk(tokens: list[str]) -> None:
    index = gz.gazetteer()
    expected = _oracle_candidates(index, tokens)
    assert location._candidates(index, tokens, frozenset(tokens)) == expected
    assert location._candidates(index, tokens, None) == expected


def test_candidates_hand_cases() -> None:
    index = gz.gazetteer()
    for text, starts in [
        ("in salt lake city", [(1, [3, 2, 1])]),
        ("new york city girl", [(0, [3, 2]), (1, [1])]),
        ("san diego", [(0, [2, 1])]),
        ("i am the new girl in town", []),
    ]:
        tokens = text.split()
        assert location._candidates(index, tokens, frozenset(tokens)) == starts, text
        assert _oracle_candidates(index, tokens) == starts, text


def test_every_follower_pair_is_in_the_filter() -> None:
    """No false negatives: the filter may only ever say "maybe" for a real pair."""
    index = gz.gazetteer()
    assert len(index.pairs) * 8 == gz.PAIR_BITS
    for head, nexts in index.followers.items():
        for second in nexts:
            bit = gz.pair_bit(head, second)
            assert 0 <= bit < gz.PAIR_BITS
            assert index.pairs[bit >> 3] >> (bit & 7) & 1, (head, second)


def test_seconds_are_every_follower() -> None:
    """``seconds`` may rule a word out only when it follows no head in any key."""
    index = gz.gazetteer()
    assert index.seconds == {second for nexts in index.followers.values() for second in nexts}


def test_pair_filter_is_selective() -> None:
    """Few bits set, so that most words after a head are ruled out in one probe."""
    index = gz.gazetteer()
    set_bits = sum(bin(byte).count("1") for byte in index.pairs)
    assert set_bits < gz.PAIR_BITS // 10


_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _spans(text: str, found: list[str], order: list[int]) -> list[tuple[int, int]]:
    """The spans of ``location._Spans``, asked for in ``order`` first (it finds them
    lazily), then all in turn."""
    spans = location._Spans(text, found)
    for k in order:
        if k < len(found):
            spans.end(k)
    return [(spans.start(k), spans.end(k)) for k in range(len(found))]


@settings(deadline=None, max_examples=400)
@given(
    st.text(alphabet=st.sampled_from("abAB é-'. 1_\n😀ßİ"), max_size=40),
    st.lists(st.integers(0, 12), max_size=4),
)
def test_spans_match_the_regex(text: str, order: list[int]) -> None:
    low = text.lower()
    found = _LETTER_RUN.findall(low)
    want = [m.span() for m in _LETTER_RUN.finditer(low)]
    assert _spans(low, found, order) == want


@settings(deadline=None, max_examples=400)
@given(
    st.text(alphabet=st.sampled_from("abAé e\u0301\u0308-'. 1_😀ßİ"), max_size=40),
    st.lists(st.integers(0, 12), max_size=4),
)
def test_spans_match_the_regex_for_decomposed_text(text: str, order: list[int]) -> None:
    """The runs of text not in NFC keep their combining accents: found the same way."""
    found = gz.TOKEN_NFD.findall(text)
    want = [m.span() for m in gz.TOKEN_NFD.finditer(text)]
    assert _spans(text, found, order) == want


def test_locations_through_the_fast_paths() -> None:
    """Keys of one to three tokens, after common heads that start nothing here."""
    cases = [
        ("i am new in the city, visiting New York City", ["New York City, US"]),
        ("the best girl in San Diego and Salt Lake City", ["San Diego, US", "Salt Lake City, US"]),
        ("new to town, in Los Angeles", ["Los Angeles, US"]),
        ("a the i to me my for no", []),
    ]
    for text, values in cases:
        found = location.extract_locations(text_post(country="US"), "body", text)
        assert [m.value for m in found] == values, text


@settings(deadline=None, max_examples=300)
@given(st.text(alphabet=st.sampled_from("aAéÉçßİ\u0301ﬁＡK\ufdfaö"), max_size=6))
def test_fold_token_memo_folds_as_before(token: str) -> None:
    expected = token.lower() if token.isascii() else gz.strip_accents(token).casefold()
    assert gz.fold_token(token) == expected
    assert gz.fold_token(token) == expected  # the second time from the memo


def test_fold_token_memo_is_bounded() -> None:
    try:
        for k in range(gz.FOLDED_KEPT + 50):
            assert gz.fold_token(f"é{k}") == f"e{k}"
        assert len(gz._FOLDED) == gz.FOLDED_KEPT
        assert gz.fold_token("éFull") == "efull"  # folded, not kept
    finally:
        gz._FOLDED.clear()  # leave the process's memo as other tests expect it


def test_index_is_not_pickled() -> None:
    """Its pair filter holds this process's string hashes: another process must build
    its own."""
    with pytest.raises(TypeError):
        pickle.dumps(gz.gazetteer())
