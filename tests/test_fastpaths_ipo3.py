"""Round 3 of the price and indicator fast paths agrees exactly with what it replaced.

* ``price._Tok`` keeps its dataclass fields (other tests compare tokens with ``astuple``)
  but sets them in its own ``__init__``, which compiles to native code where the
  generated one runs in the interpreter: compared with the dataclass as first written
  (fields, defaults, values, mutability) and on hand cases of the price reader.
* ``indicator._phrase_hits`` looks each word up once in ``anchors`` where it tested the
  whole field against a set of the anchor words first, then each word again: compared
  with the first-written code (in ``test_fastpaths_price_indicator``) on word lists dense
  in phrases (whole phrases, parts of them, numbers).
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from test_fastpaths_price_indicator import _phrase_hits_as_first_written
from tracelight.extract import indicator, price


@dataclass(slots=True)
class _TokAsFirstWritten:
    kind: str
    start: int
    end: int
    amount: str = ""
    currency: str = ""
    duration: str = ""
    inherited: bool = False
    keyword: bool = False
    bound: _TokAsFirstWritten | None = None


def test_token_fields_as_first_written() -> None:
    assert [f.name for f in fields(price._Tok)] == [f.name for f in fields(_TokAsFirstWritten)]


_KEYWORDS = st.fixed_dictionaries(
    {},
    optional={
        "amount": st.sampled_from(["", "150", "80.5"]),
        "currency": st.sampled_from(["", "USD", "roses"]),
        "duration": st.sampled_from(["", "60min", "night"]),
    },
)


@settings(deadline=None, max_examples=300)
@given(st.sampled_from("ADK"), st.integers(0, 500), st.integers(0, 500), _KEYWORDS)
def test_token_as_first_written(kind: str, start: int, end: int, keywords: dict[str, Any]) -> None:
    token = price._Tok(kind, start, end, **keywords)
    want = _TokAsFirstWritten(kind, start, end, **keywords)
    assert astuple(token) == astuple(want)
    assert token == price._Tok(kind, start, end, **keywords)
    token.currency, token.inherited, token.keyword = "EUR", True, True  # the reader sets them
    want.currency, want.inherited, want.keyword = "EUR", True, True
    token.bound = price._Tok("D", end, end + 2, duration="60min")
    want.bound = _TokAsFirstWritten("D", end, end + 2, duration="60min")
    assert astuple(token) == astuple(want)


def test_tokens_hand_cases() -> None:
    def read(low: str) -> list[tuple[object, ...]]:
        return [astuple(tok) for tok in price._tokens(low, "USD")]

    assert read("$150/hr") == [
        (
            "A",
            0,
            4,
            "150",
            "USD",
            "",
            False,
            False,
            ("D", 5, 7, "", "", "60min", False, False, None),
        ),
        ("D", 5, 7, "", "", "60min", False, False, None),
    ]
    assert read("hh 100 h 150") == [
        ("A", 3, 6, "100", "", "", False, False, None),
        ("D", 7, 8, "", "", "60min", False, False, None),
        ("A", 9, 12, "150", "", "", False, False, None),
    ]
    assert read("1h30 only") == [("D", 0, 4, "", "", "90min", False, False, None)]


# --- indicators -------------------------------------------------------------------------


_PHRASES = sorted(
    phrase.tokens
    for anchored in indicator.matcher().anchors.values()
    for listed in (anchored.alone, *anchored.by_next.values(), *anchored.by_previous.values())
    for phrase in listed
)
_PIECES = st.sampled_from(_PHRASES).flatmap(
    lambda tokens: st.sampled_from(
        [
            tokens,
            tokens[1:],
            tokens[:-1],
            tuple(b"12" if t == indicator.NUMBER else t for t in tokens),
        ]
    )
) | st.sampled_from([(b"2",), (b"24",), (b"7",), (b"the",), (b"xq",), (b"no",), ()])


@settings(deadline=None, max_examples=1500)
@given(st.lists(_PIECES, max_size=8).map(lambda pieces: [t for piece in pieces for t in piece]))
def test_phrase_hits_one_look_up_per_word(tokens: list[bytes]) -> None:
    lexicon = indicator.matcher()
    assert indicator._phrase_hits(tokens, lexicon) == _phrase_hits_as_first_written(tokens, lexicon)


def test_phrase_hits_hand_cases() -> None:
    lexicon = indicator.matcher()
    for words in (b"", b"nothing here at all", b"new in town", b"available 24 7 new in town"):
        tokens = words.split()
        assert indicator._phrase_hits(tokens, lexicon) == _phrase_hits_as_first_written(
            tokens, lexicon
        )
    assert [hit[:2] for hit in indicator._phrase_hits(b"just new in town".split(), lexicon)] == [
        (1, 3)
    ]
