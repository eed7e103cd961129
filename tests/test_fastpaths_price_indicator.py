"""The price and indicator extractors' fast paths agree exactly with what they stand for.

Each pre-check (a set test on the field's shared letter runs before the regex scans or
the fold into words) may only skip work that would have found nothing, and each
rewritten pattern or loop must give what the original gave; these properties compare
them with the plain formulation, on text built to hit the edge cases (accents, letters
that lower-case to two characters, signs that fold away, digits glued to words).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import astuple

from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import text_post
from test_extract_fastpaths import token_groups
from tracelight.extract import indicator, price
from tracelight.extract.tokens import lowered

_TRICKY = ["é", "½", "²", "Ÿ", "ẞ", "İ", "\u212a", "\u212b", "\u0301", "ł", "😀", "🔥", "\u200d"]
_SEPARATORS = ["", " ", "  ", "\n", "-", "/", ".", ",", ":", "_", "'", "’", "x", *_TRICKY]


def _texts(pieces: list[str]) -> st.SearchStrategy[str]:
    """Pieces glued with separators, in any case."""
    parts = st.lists(st.tuples(st.sampled_from(pieces), st.sampled_from(_SEPARATORS)), max_size=12)
    text = parts.map(lambda pairs: "".join(word + sep for word, sep in pairs))
    return st.tuples(text, st.sampled_from(_CASES)).map(lambda t: t[1](t[0]))


def _as_written(text: str) -> str:
    return text


_CASES: list[Callable[[str], str]] = [_as_written, str.upper, str.title]


def _price_low(text: str) -> str:
    """The lower-cased text exactly as :func:`price.extract_prices` reads it."""
    low = lowered(text)
    if len(low) != len(text):
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return low


# --- prices -----------------------------------------------------------------------------

_PRICE_PIECES = ["1", "2", "5", "0", "00", "24", "34", "150", "1,500", "3.5", "0.5", "2019"]
_PRICE_PIECES += ["5551234567", "555-0177", "1h30", "2 1/2", "$", "€", "£", "r$", "c$", "us$"]
_PRICE_PIECES += [*price._UNIT_RUNS, "xhr", "x", "all night", "full hour", "half an hour"]
_PRICE_PIECES += ["hour and a half", "hrand half", "hrandhalf", "quick visit", "demi-heure"]
_PRICE_PIECES += ["media hora", "halbe stunde", "over night", "1/2 hr", "1/2hr", "std."]
_PRICE_PIECES += ["usd", "eur", "euro", "euros", "gbp", "cad", "mxn", "brl", "reais", "dollars"]
_PRICE_PIECES += ["rose", "roses", "donation", "bills", "pounds", "special", "rates", "price"]
_PRICE_PIECES += ["precio", "preço", "preco", "tarif", "tarifa", "prix", "preis", "per", "for"]
_PRICE_PIECES += ["a", "an", "to", "=", "@", "%", "with", "all", "over", "full", "half", "each"]
_PRICE_PIECES += ["hé", "éh", "mén", "call", "me", "age", "34hh", "5'6", "9:30", "24/7", *_TRICKY]


@settings(deadline=None, max_examples=1500)
@given(_texts(_PRICE_PIECES))
@example("100 ½hr")
@example("100 rosesé")
@example("preço: 150")
@example("100 hrand half")
@example("100 hrandhalf")
@example("150 xhr")
@example("Ÿ100 ÿroses")
def test_price_precheck_never_hides_a_price(text: str) -> None:
    low = _price_low(text)
    if not price._may_price(low):
        assert price._prices(text_post(text), "body", text, low) == []
        assert price._prices(text_post(text, country="CA"), "body", text, low) == []


def test_price_precheck_hand_cases() -> None:
    for text in ("150 roses", "$100", "100 euros", "2½hr 100", "preço 100", "30 min 80"):
        assert price._may_price(_price_low(text)), text
        assert price.extract_prices(text_post(text), "body", text), text
    for text in ("call 555-1234 with love", "all over with a full house", "age 23 with 34-24-36"):
        assert price._has_cue(_price_low(text))  # the old pre-check let these through
        assert not price._may_price(_price_low(text)), text


_NUMBER_PIECES = ["1", "7", "0", "00", "12345", "123456", "1,000", "1,0000", ",", ".", ".5", "9."]
_NUMBER_PIECES += ["$", "€", "h", "hr", "min", "m", "s", "q", "n", "o", "a", "d", "p", "f", "1/2"]
_NUMBER_PIECES += [" ", ":", "=", "-", " - ", ": ", " = ", " : ", "- ", " -", "(", ")", "'", "x"]
_NUMBER_PIECES += ["rate", "roses", "per", "to", "½", "é", "#", "_", "qv", "std", "nights", "noche"]
_NUMBER_PIECES += ["over night", "all night", "fh", "pernoite", "demi-heure", "1/2 hr", "mn"]


@settings(deadline=None, max_examples=1500)
@given(st.lists(st.sampled_from(_NUMBER_PIECES), max_size=14).map("".join))
@example("rate: 1,000.5 hr")
@example("x - 123456 min")
@example("a 12345,000 roses")
def test_price_token_pattern_as_first_written(low: str) -> None:
    plain = re.compile(price._TOKEN_PLAIN)
    want = [token_groups(m, low, plain=True) for m in plain.finditer(low)]
    assert [token_groups(m, low, plain=False) for m in price._TOKEN.finditer(low)] == want


@settings(deadline=None, max_examples=1000)
@given(_texts(_PRICE_PIECES + _NUMBER_PIECES))
@example("150 per an hour and a half")
@example("80$ x qv")
def test_price_after_pattern_as_first_written(text: str) -> None:
    low = _price_low(text)
    plain = re.compile(price._AFTER_PLAIN)
    for at in range(len(low) + 1):
        fast, want = price._AFTER.match(low, at), plain.match(low, at)
        assert fast is not None and want is not None
        got = (fast.span(), fast.span("cur"), fast.span("unit"))
        assert got == (want.span(), want.span("cur"), want.span("unit"))


@settings(deadline=None, max_examples=800)
@given(
    st.lists(
        st.sampled_from(["1", "23", "4567", " ", "  ", "   ", "-", "(", ")", "/", "."]), max_size=16
    ).map("".join)
)
def test_price_block_pattern_as_first_written(low: str) -> None:
    plain = re.compile(price._BLOCK_PLAIN)
    assert [m.span() for m in price._BLOCK.finditer(low)] == [m.span() for m in plain.finditer(low)]


def _amount_text_as_first_written(num: str) -> str | None:
    try:
        value = float(num.replace(",", ""))
    except ValueError:
        return None
    if not price.MIN_AMOUNT <= value <= price.MAX_AMOUNT:
        return None
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0")


@settings(deadline=None, max_examples=800)
@given(st.text("0123456789,.²٣", max_size=8) | st.integers(0, 60_000).map(str))
@example("0150")
@example("50000")
@example("50001")
@example("9")
def test_price_amount_text_as_first_written(num: str) -> None:
    assert price._amount_text(num) == _amount_text_as_first_written(num)


def _tokens_as_first_written(low: str, dollar: str) -> list[price._Tok]:
    """:func:`price._tokens` as first written (one group call each, the amount read
    first), on the plain token pattern, whose groups hold the whole number."""
    toks: list[price._Tok] = []
    prev_end = 0
    for m in re.finditer(price._TOKEN_PLAIN, low):
        start = m.start()
        if start < prev_end:
            continue
        num = m.group("num1")
        if num is not None:
            sym, n_start = m.group("sym"), m.start("num1")
        else:
            sym, n_start = "", start
            num = m.group("num2") or m.group("num3") or m.group("fr")
        before = low[n_start - 1] if n_start else " "
        if (
            before.isalnum()
            or before in "'’#_"
            or (n_start >= 2 and before in ":/.," and low[n_start - 2].isdigit())
        ):
            continue
        if price._blocked(low, n_start, max(0, n_start - 14), min(len(low), m.end() + 14)):
            continue
        end = m.end()
        nxt = low[end : end + 2]
        if nxt[:1] in ("%", "'", "’", '"', "+") or (nxt[:1] == "/" and nxt[1:2].isdigit()):
            continue
        after = price._AFTER.match(low, end)
        assert after is not None
        cur_word, unit = after.group("cur"), after.group("unit")
        currency = ""
        if sym:
            prefix = low[max(0, start - 2) : start]
            if sym == "$" and prefix[-1:] in ("r", "c") and not prefix[:-1].isalpha():
                currency = "BRL" if prefix[-1] == "r" else "CAD"
                start -= 1
            else:
                currency = dollar if sym == "$" else price._CURRENCY[sym]
        elif cur_word:
            currency = dollar if cur_word == "$" else price._CURRENCY.get(cur_word, "")
        amount = price._amount_text(num)
        minutes: int | str | None = None
        if m.group("fr") is not None:
            count = float(num)
            if count <= 12:
                total = int(count * 60) + int(m.group("frm"))
                toks.append(price._Tok("D", start, m.end(), duration=price._duration(total)))
                prev_end = m.end()
            continue
        if unit is not None:
            minutes = price._unit_minutes(unit)
        tok_end = after.end() if cur_word or unit else m.end()
        if unit is not None and not currency:
            try:
                count = float(num.replace(",", "")) + (0.5 if m.group("half") else 0.0)
            except ValueError:
                continue
            u = " ".join(unit.split())
            if (
                (minutes is None and 5 <= count <= 240)
                or (minutes == 60 and u not in ("fh", "full hour") and count <= 24)
                or (minutes == "night" and count <= 3)
            ):
                spent: int | str = (
                    int(count)
                    if minutes is None
                    else "night"
                    if minutes == "night"
                    else int(count * 60) + (30 if "half" in u else 0)
                )
                toks.append(price._Tok("D", start, tok_end, duration=price._duration(spent)))
                prev_end = tok_end
                continue
            if minutes is None:
                continue
            glued = low[m.end() : m.end() + 1].isalpha() and num.isdigit()
            if u in ("hh", "h") and glued and 28 <= int(num) <= 48 and int(num) % 2 == 0:
                continue
        if amount is None or m.group("half"):
            continue
        if not currency and unit is None and num.isdigit() and 1900 <= int(num) <= 2099:
            continue
        u_start = after.start("unit") if unit else tok_end
        a_end = after.end("cur") if cur_word else m.end()
        amount_tok = price._Tok("A", start, a_end, amount=amount, currency=currency)
        toks.append(amount_tok)
        if unit is not None and minutes is not None:
            dur = price._Tok("D", u_start, tok_end, duration=price._duration(minutes))
            toks.append(dur)
            connector = low[a_end:u_start]
            if price._STRONG.search(connector) or (cur_word and not connector):
                amount_tok.bound = dur
        prev_end = tok_end
    return [
        tok
        for tok, nxt in zip(toks, [*toks[1:], None][: len(toks)], strict=True)
        if not (
            tok.kind == "A"
            and not tok.currency
            and nxt is not None
            and nxt.kind == "D"
            and low[nxt.start : nxt.start + 1].isdigit()
            and price._RANGE_GAP.fullmatch(low, tok.end, nxt.start)
        )
    ]


@settings(deadline=None, max_examples=1500)
@given(_texts(_PRICE_PIECES + _NUMBER_PIECES), st.sampled_from(["USD", "CAD"]))
@example("1h30 100 roses, 2 hours 300$ 34hh 150/hr 2 1/2 hrs 80 hh 1,500 usd 30 min", "USD")
def test_price_tokens_as_first_written(text: str, dollar: str) -> None:
    low = _price_low(text)
    want = [astuple(tok) for tok in _tokens_as_first_written(low, dollar)]
    assert [astuple(tok) for tok in price._tokens(low, dollar)] == want


# --- indicators -------------------------------------------------------------------------


def _phrases() -> list[indicator.Tokens]:
    lexicon = indicator.matcher()
    return [
        phrase.tokens
        for anchored in lexicon.anchors.values()
        for listed in (anchored.alone, *anchored.by_next.values(), *anchored.by_previous.values())
        for phrase in listed
    ]


_WORDS = sorted({token for phrase in _phrases() for token in phrase})
_INDICATOR_TOKENS = [*_WORDS[::4], b"2", b"24", b"7", b"xq", b"the", b"in", b"town"]


def _phrase_hits_as_first_written(
    tokens: list[bytes], lexicon: indicator.Matcher
) -> list[tuple[int, int, object]]:
    """:func:`indicator._phrase_hits` before its early exit."""
    found: list[tuple[int, int, object]] = []
    for index in [i for i, token in enumerate(tokens) if token in lexicon.anchors]:
        anchored = lexicon.anchors[tokens[index]]
        candidates = anchored.alone
        if anchored.by_next and index + 1 < len(tokens):
            candidates += indicator._neighbours(anchored.by_next, tokens[index + 1])
        if anchored.by_previous and index > 0:
            candidates += indicator._neighbours(anchored.by_previous, tokens[index - 1])
        for phrase in candidates:
            span = indicator._phrase_at(phrase, tokens, index)
            if span is not None:
                found.append((*span, phrase.entry))
    if len(found) < 2:
        return found
    found.sort(key=lambda hit: (hit[0], hit[0] - hit[1]))
    kept: list[tuple[int, int, object]] = []
    for hit in found:
        if not kept or hit[0] > kept[-1][1]:
            kept.append(hit)
    return kept


@settings(deadline=None, max_examples=1000)
@given(st.lists(st.sampled_from(_INDICATOR_TOKENS), max_size=14))
@example([b"new", b"in", b"town"])
@example([b"available", b"24", b"7"])
def test_indicator_phrase_hits_as_first_written(tokens: list[bytes]) -> None:
    lexicon = indicator.matcher()
    want = _phrase_hits_as_first_written(tokens, lexicon)
    assert indicator._phrase_hits(tokens, lexicon) == want
    phrase = b" ".join(tokens).decode("latin-1")  # and phrases written whole
    assert indicator._phrase_hits(phrase.encode("latin-1").split(), lexicon) == want


@settings(deadline=None, max_examples=300)
@given(
    _texts([w.decode("latin-1") for w in _INDICATOR_TOKENS] + ["🌹", "✈️", "new in town"]),
    st.sampled_from([None, "en", "ES", "pt_BR", " de-DE ", ""]),
)
def test_indicator_spans_in_text_order(text: str, language: str | None) -> None:
    found = indicator.extract_indicators(text_post(text, language=language), "body", text)
    assert [(m.start, m.end) for m in found] == sorted((m.start, m.end) for m in found)


def test_indicator_language_read_where_a_phrase_matched() -> None:
    """The post's language is now read only for fields with a phrase: same confidences."""
    spanish = indicator.indicator("sex.new_in_town").specificity
    cases = [
        ("nueva en la ciudad", None, spanish),
        ("nueva en la ciudad", "es_MX", spanish),
        ("nueva en la ciudad", " EN-us ", spanish * indicator.OTHER_LANGUAGE_FACTOR),
        ("new in town", "es", spanish),
        ("new in town 🌹", "de", spanish),
    ]
    for text, language, confidence in cases:
        found = indicator.extract_indicators(text_post(text, language=language), "body", text)
        assert found[0].value == "sex.new_in_town"
        assert found[0].confidence == round(confidence, 4), (text, language)
