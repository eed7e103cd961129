"""Prices (``$150/hr``, ``hh 100 h 150``, ``30 min - 200 roses``, ``special 80``).

The value is ``amount[ currency][/duration]``: ``"150 USD/60min"``, ``"200 roses/30min"``,
``"80 EUR"``, ``"100/30min"`` (no currency written), ``"500 roses/night"``. Amounts are
integers where written as such (``1,500`` -> ``1500``), else up to two decimals.

Currencies: ``$`` (USD, or CAD/MXN/AUD/NZD when the post's country says so), ``US$``,
``C$``/``CA$``, ``R$``, ``€``, ``£``, the codes ``USD EUR GBP CAD MXN BRL``, the words
``dollars``, ``euros``, ``reais``, and the slang ``rose(s)`` (-> ``roses``) and
``donation(s)`` (-> ``donation``). ``bill(s)`` is not a currency here: in this slang a
"bill" is $100 (``2 bills`` = $200), and reading ``150 bills`` as 150 units would be
wrong either way; ``pounds`` is a weight in these ads (``159 pounds``), not sterling.

Durations, in minutes: ``qv``/``qk``/``quick visit``/``quickie`` 15, ``hh``/``hhr``/
``half hour``/``1/2 hr``/``media hora``/``meia hora``/``demi-heure``/``halbe Stunde`` 30,
``h``/``hr``/``hour``/``fh``/``hora``/``heure``/``Stunde``/``Std`` 60, counted forms
(``30 min``, ``1h``, ``2 hours``, ``1.5 hr``, ``2 1/2 hrs``, ``1h30``, ``hour and half``);
``night``/``overnight``/``noche``/``nuit``/``noite``/``pernoite``/``Nacht`` -> ``night``.

How amounts meet durations: the text is read as tokens (amounts with their currency,
durations, price keywords); tokens separated only by punctuation, spaces or a connector
(``per``, ``for``, ``a``, ``por``, ``pour``...) form a run. A run's first adjacent
amount/duration pair sets its orientation: ``hh 100 h 150`` and ``30 min - 200 roses
90 min - 450 roses`` put the duration first (it applies to the amounts after it until the
next duration, so ``1h - 300 roses 350 roses`` gives both 60 minutes); ``100 qv 150 hh``
and ``50 roses 20 mins, 60 roses 30 mins`` put it after (it applies to the amounts since
the previous duration, so ``100-150 QV`` gives both 15 minutes).

Reported: an amount with a currency; an amount paired with a duration; an amount right
after a price keyword (``special``, ``rate(s)``, ``price``, ``donation``, ``precio``,
``tarif(a)``, ``prix``, ``preço``, ``Preis``). Not prices: phone numbers and other long
digit groups, ``34-24-36``, ``34HH`` (a cup size), ``5'6``, ``24/7``, ``100%``, times
(``9:30``), years without a currency, and bare numbers with no price context (ages,
``2 girls``). The span covers the amount and currency, plus the duration when it is
the amount's neighbour. Bounded regexes, a cheap pre-check; never raises.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from tracelight.extract.evidence import mention
from tracelight.extract.tokens import letters, lowered
from tracelight.model import Mention, Post

METHOD = "pattern"
MIN_AMOUNT = 10
MAX_AMOUNT = 50_000

DOLLAR_BY_COUNTRY = {"CA": "CAD", "MX": "MXN", "AU": "AUD", "NZ": "NZD"}

_NUM = r"[1-9][0-9]{0,4}(?:,[0-9]{3})?(?:\.[0-9]{1,2})?|0\.[0-9]{1,2}"
_NUM_FAST = r"[1-9][0-9]{0,4}+(?:,[0-9]{3}|)(?:\.[0-9]{1,2}|)|0\.[0-9]{1,2}"
""":data:`_NUM` as the regex engine runs it faster, the same matches wherever a digit
cannot follow (``(?![0-9])``): the digits are possessive (giving one back leaves a digit
next, which nothing after them accepts), and ``(?:x|)`` is the branch that ``(?:x)?``
stands for, without the engine's slower repeat machinery."""
_CURSUF = r"\$|€|£|(?:usd|eur|euros?|gbp|cad|mxn|brl|reais|dollars?|roses?|donations?)(?![a-z])"
_UNIT = (
    r"hour\s(?:and|&|n)\s(?:a\s)?half|hr\s?(?:and|&|\+)\s?(?:a\s)?half"
    r"|half\s(?:an\s)?hour|media\shora|meia\shora|demi[-\s]heure|halbe\sstunde|1/2\s?h(?:ou)?r"
    r"|minutes?|minutos?|minuten?|mins?|mn"
    r"|hhr|hh|hours?|hrs?|horas?|heures?|stunden?|std\.?|h"
    r"|qv|qk|quick\s?visit|quickie|fh|full\shour"
    r"|over\s?nights?|all\snight|nights?|noches?|nuits?|noites?|pernoite|nacht"
)
_CONNECT = (
    r"(?:\s{0,2}(?:/|=|-|@|:|x)?\s{0,2}"
    r"|\s{1,2}(?:per|for|a|an|each|por|pour|la|par|pro)\s{1,2}(?:an?\s)?)"
)
_LB = "|".join(
    f"(?<={pre}[1-9])" for pre in ("[a-z]", "[a-z] ", "[a-z]:", "[a-z]=", "[a-z]: ", "[a-z] - ",
                                   "[a-z] = ", "[a-z] : ", "[a-z]- ", "[a-z] -")
)  # fmt: skip
_NUM_REST = r"(?<=[1-9])[0-9]{0,4}+(?:,[0-9]{3}|)(?:\.[0-9]{1,2}|)|(?<=0)\.[0-9]{1,2}"
""":data:`_NUM_FAST` after its first digit, which the look-behinds check (one branch each)."""
_UNIT_FIRST = "[1adfhmnopqs]"
"""The first characters of the :data:`_UNIT` words: tested once before trying them all."""
_TOKEN = re.compile(
    r"[$€£0-9]"
    rf"(?:(?<=[$€£])\s?(?P<num1>{_NUM_FAST})(?![0-9])"
    r"|(?<![\w'’#][0-9])"
    r"(?:(?<=[1-9])(?P<fr>[0-9]?)h(?P<frm>[0-5][0-9])(?![0-9])"
    rf"|(?P<num2>{_NUM_REST})(?![0-9])(?P<half>\s1/2|½)?"
    rf"(?=\s?(?:{_CURSUF})|{_CONNECT}(?={_UNIT_FIRST})(?:{_UNIT})(?![a-z])"
    r"|\s{0,2}(?:-|to)\s{0,2}[0-9$€£])"
    r"|(?P<num3>(?<=[1-9])(?<=[a-z :=\-][1-9])"
    rf"(?:{_LB})[0-9]{{0,4}}+(?:,[0-9]{{3}}|)(?:\.[0-9]{{1,2}}|))(?![0-9])))",
)
"""A number (or a symbol and a number); what follows it is read by :data:`_AFTER`.

The first character (a symbol or a digit) is consumed by a class, which lets the regex
engine skip to the next one in C instead of trying every position; the branches then
check it by look-behind: a symbol, or a digit with no word character, ``'``, ``’`` or
``#`` before it (a bare number glued to a word or another digit is rejected by
:func:`_tokens` anyway, and a phone number would otherwise try every alternative at each
of its digits). The ``fr``, ``num2`` and ``num3`` groups therefore hold the number less
its first digit: the number is ``low[start:end of the group]``. Numbers are read as
:data:`_NUM_FAST`; a unit word is tried only after a character that starts one
(:data:`_UNIT_FIRST`), and the ten look-behinds of :data:`_LB` only after a character
that ends one of them. Equivalent to :data:`_TOKEN_PLAIN`, as written before (a property
test compares the two); together these cut the scan by a fifth (measured on both
corpora)."""

_TOKEN_PLAIN = (
    r"(?=[$€£0-9])"
    rf"(?:(?P<sym>[$€£])\s?(?P<num1>{_NUM})(?![0-9])"
    r"|(?<![\w'’#])"
    r"(?:(?P<fr>[1-9][0-9]?)h(?P<frm>[0-5][0-9])(?![0-9])"
    rf"|(?P<num2>{_NUM})(?![0-9])(?P<half>\s1/2|½)?"
    rf"(?=\s?(?:{_CURSUF})|{_CONNECT}(?:{_UNIT})(?![a-z])|\s{{0,2}}(?:-|to)\s{{0,2}}[0-9$€£])"
    rf"|(?P<num3>[1-9](?:{_LB})[0-9]{{0,4}}(?:,[0-9]{{3}})?(?:\.[0-9]{{1,2}})?)(?![0-9])))"
)
"""The token pattern in its plain form, kept for the property test of :data:`_TOKEN`."""

_AFTER = re.compile(
    rf"(?:\s?(?P<cur>{_CURSUF})|)(?:{_CONNECT}(?={_UNIT_FIRST})(?P<unit>{_UNIT})(?![a-z])|)"
)
"""The currency and unit after a number: ``(?:x|)`` for ``(?:x)?`` and a unit word tried
only after a character that starts one, as in :data:`_TOKEN` (a third faster, the same
matches: a property test compares it with the plain form)."""
_AFTER_PLAIN = rf"(?:\s?(?P<cur>{_CURSUF}))?(?:{_CONNECT}(?P<unit>{_UNIT})(?![a-z]))?"
""":data:`_AFTER` as first written, kept for the property test."""
_BEFORE = re.compile(
    r"(?<![a-z])(?:(?P<cur>usd|eur|gbp|cad|mxn|brl|r\$|c\$|ca\$|us\$)"
    rf"|(?P<unit>{_UNIT})"
    r"|(?P<kw>specials?|rates?|prices?|donations?|precios?|tarifas?|tarifs?|prix|pre[çc]os?"
    r"|preise?))"
    r"\s{0,2}[:=\-/]{0,2}\s{0,2}$"
)
_LETTER = re.compile(r"[a-z]")
_STRONG = re.compile(r"[/=@]|[a-z]")
"""In ``150/hr``, ``150 per hour``, ``200$hh`` the unit belongs to the amount whatever
the run's orientation; in ``100 h`` or ``800 roses night`` it may belong to the next
amount (``hh 100 h 150``, ``3h - 800 roses night - 1300 roses``)."""
_TIGHT = re.compile(
    r"[\W_]{0,10}|[\W_]{0,4}(?:per|for|a|an|each|the|por|pour|la|le|el|par|pro|je|x|only)"
    r"(?:\s(?:an?|the|one))?[\W_]{1,4}"
)
_RANGE_GAP = re.compile(r"\s{0,2}(?:-|to|a|à|~)\s{0,2}")
_BLOCK = re.compile(
    r"[0-9](?:"  # a class first: the engine skips to the next digit in C
    r"(?:[\s.\-()/]{0,3}+[0-9]){6,9}+"  # phone numbers, dates, long digit groups
    r"|[0-9][a-k]{0,3}\s?[-/]\s?[0-9]{2}\s?[-/]\s?[0-9]{2}"  # 34-24-36, 34dd-24-36
    r"|[0-9]?:[0-9]{2}"  # times
    r"|\s?['’]\s?[0-9]{1,2}"  # heights 5'6
    r")"
)
"""Digit groups that are not prices; each branch's first digit is factored out, so the
matches are those of :data:`_BLOCK_PLAIN` (a property test compares the two). The
repeats of the first branch are possessive: separators and digits are disjoint, and
nothing follows the group, so the engine has nothing to gain by giving any back."""
_BLOCK_PLAIN = (  # as first written: a look-ahead tried at every position
    r"(?=[0-9])(?:"
    r"[0-9](?:[\s.\-()/]{0,3}[0-9]){6,9}"
    r"|[0-9]{2}[a-k]{0,3}\s?[-/]\s?[0-9]{2}\s?[-/]\s?[0-9]{2}"
    r"|[0-9]{1,2}:[0-9]{2}"
    r"|[0-9]\s?['’]\s?[0-9]{1,2}"
    r")"
)
_CUES = (
    "h ", "min", "night", "h.", "h,", "hr", "special", "hour", "rose", "rate", "£", "h/",
    "eur", "hh", "€", "precio", "cad", "hora", "donat", "qv", "qk", "price", "dollar",
    "noche", "usd", "tarif", "$", "gbp", "mxn", "brl", "reais", "fh", "heure", "stund",
    "std", "nuit", "noite", "nacht", "prix", "preço", "preco", "preis",
)  # fmt: skip
"""Pre-check: a text with none of these (lower-cased) has no price (``str.__contains__``
is a fast C search, far cheaper than running the token pattern). Ordered from the most
to the least common in ads, so that a text with a price stops after a few tests."""
_CUE_H = re.compile(r"h(?:[ .,/hr]|our|ora|eure)")
_CUE_NP = re.compile(r"n(?:ight|oche|uit|oite|acht)|pr(?:ice|ecio|ix|eço|eco|eis)")
"""Twenty of :data:`_CUES` as two searches: each pattern matches exactly those cues
(a finite language), so a search finds one of them iff one is in the text. A text with
no price (most titles) is tested for every cue, and one search that looks for ``h`` and
then checks what follows is cheaper than nine substring searches."""
_CUES_REST = tuple(c for c in _CUES if not (_CUE_H.fullmatch(c) or _CUE_NP.fullmatch(c)))


def _has_cue(low: str) -> bool:
    """``any(cue in low for cue in _CUES)``, with the cues of :data:`_CUE_H` and
    :data:`_CUE_NP` tested by those patterns (``map``: no Python frame per cue)."""
    return (
        _CUE_H.search(low) is not None
        or any(map(low.__contains__, _CUES_REST))
        or _CUE_NP.search(low) is not None
    )


_UNIT_RUNS = (
    "h", "hh", "hhr", "hr", "hrs", "hrand", "hrandhalf", "hour", "hours", "hora", "horas",
    "heure", "heures", "stunde", "stunden", "std", "min", "mins", "minute", "minutes",
    "minuto", "minutos", "minuten", "mn", "qv", "qk", "quick", "quickvisit", "quickie", "fh",
    "night", "nights", "overnight", "overnights", "noche", "noches", "nuit", "nuits", "noite",
    "noites", "pernoite", "nacht",
)  # fmt: skip
"""A letter run that every match of :data:`_UNIT` puts in the text: its first word (``hr``
of ``hr and half``, ``hrand`` of ``hrand half``), or a word it cannot do without (``hr``
of ``1/2hr``, ``hour`` of ``half an hour`` and ``full hour``, ``night`` of ``all night``
and ``over night``, ``hora`` of ``media hora``, ``heure`` of ``demi-heure``, ``stunde``
of ``halbe Stunde``), so that frequent words (``all``, ``over``, ``full``, ``half``) are
not cues."""
_PRICE_RUNS = frozenset(
    (
        *_UNIT_RUNS,
        *(f"x{unit}" for unit in _UNIT_RUNS),  # x: the connector in "100xhr"
        *("usd", "eur", "euro", "euros", "gbp", "cad", "mxn", "brl", "reais", "dollar"),
        *("dollars", "rose", "roses", "donation", "donations"),
        *("special", "specials", "rate", "rates", "price", "prices", "precio", "precios"),
        *("tarifa", "tarifas", "tarif", "tarifs", "prix", "preco", "precos", "preis", "preise"),
    )
)
"""The ``[a-z]`` runs a price needs one of, when its currency is not a symbol.

A mention needs an amount with a currency (a symbol, or a word of :data:`_CURSUF` or
:data:`_BEFORE`), a duration (a :data:`_UNIT` match, or the ``h`` of ``1h30``) or a
keyword (:data:`_BEFORE`). Every such word is a whole ``[a-z]`` run (the currency
codes written with ``$`` hold a symbol): :data:`_AFTER` reads it after a number, a
symbol, a space or a connector (``/``, ``-``, ``x``...), and ends it with
``(?![a-z])``; :data:`_BEFORE` starts it with ``(?<![a-z])`` and ends it with spaces
and punctuation before the amount, which starts with a digit or a symbol (or with the
``r`` of ``r$``, moved there only when no letter precedes it)."""
_ASCII_RUN = re.compile("[a-z]+")


def _may_price(low: str) -> bool:
    """False only when ``low`` (lower-cased) has no price: no currency symbol and no run of
    :data:`_PRICE_RUNS`. A set test on the field's letter runs, shared with the other
    extractors (:mod:`tracelight.extract.tokens`), where :func:`_has_cue` makes some
    twenty substring searches and passes most ads anyway (``h `` is in ``with ``): of
    8,678 Backpage fields (23 with a price), 4,200 pass that and 1,010 pass both.

    Letter runs are split at letters outside ``[a-z]`` (``é``, ``½``): ``(?<![a-z])``
    and ``(?![a-z])`` let a unit touch them (``2½hr``), and ``preço`` is the one word
    that holds one."""
    found = letters(low)
    if not found.distinct.isdisjoint(_PRICE_RUNS):
        return True
    if "$" in low or "€" in low or "£" in low:
        return True
    if found.plain:
        return False
    return "preço" in low or any(
        not _PRICE_RUNS.isdisjoint(_ASCII_RUN.findall(run))
        for run in found.distinct
        if not run.isascii()
    )


_MINUTES = {"qv": 15, "qk": 15, "quickvisit": 15, "quick visit": 15, "quickie": 15}
_MINUTES |= {"hh": 30, "hhr": 30, "fh": 60, "full hour": 60}
_NIGHT = ("night", "nacht", "noche", "nuit", "noite", "pernoite", "overnight", "all night")
_CURRENCY = {
    "usd": "USD", "us$": "USD", "dollar": "USD", "dollars": "USD",
    "eur": "EUR", "euro": "EUR", "euros": "EUR", "€": "EUR",
    "gbp": "GBP", "£": "GBP",
    "cad": "CAD", "c$": "CAD", "ca$": "CAD",
    "mxn": "MXN",
    "brl": "BRL", "r$": "BRL", "reais": "BRL",
    "rose": "roses", "roses": "roses",
    "donation": "donation", "donations": "donation",
}  # fmt: skip


def _unit_minutes(unit: str) -> int | str | None:
    """Minutes for one hour/minute/night unit (``None`` for a unit that takes a count)."""
    u = " ".join(unit.split())
    if u in _MINUTES:
        return _MINUTES[u]
    if "half" in u:
        return 90 if u.startswith(("hour ", "hr")) else 30
    if u.startswith(("media", "meia", "demi", "halbe", "1/2")):
        return 30
    if u.startswith(_NIGHT) or u.startswith("over"):
        return "night"
    if u.startswith(("min", "mn")):
        return None  # needs a count
    return 60  # h, hr, hour, hora, heure, stunde, std


@dataclass(slots=True, init=False)
class _Tok:
    """A token of the price reader.

    A dataclass (tests compare tokens as tuples) with a hand-written ``__init__``: the
    one a dataclass generates runs in the interpreter even when compiled, and sets each
    field through its descriptor; this one is native (synthetic posts, with prices in
    most fields, make some 9 tokens a post).
    """

    kind: str  # "A" amount, "D" duration, "K" keyword
    start: int
    end: int
    amount: str
    currency: str
    duration: str  # "60min" or "night"
    inherited: bool
    keyword: bool
    bound: _Tok | None  # a duration tied to this amount by the way it is written

    def __init__(
        self,
        kind: str,
        start: int,
        end: int,
        *,
        amount: str = "",
        currency: str = "",
        duration: str = "",
    ) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.amount = amount
        self.currency = currency
        self.duration = duration
        self.inherited = False
        self.keyword = False
        self.bound = None


def _amount_text(num: str) -> str | None:
    if num.isascii() and num.isdigit():  # most amounts: an integer, no float round trip
        value_int = int(num)
        return str(value_int) if MIN_AMOUNT <= value_int <= MAX_AMOUNT else None
    try:
        value = float(num.replace(",", ""))
    except ValueError:
        return None
    if not MIN_AMOUNT <= value <= MAX_AMOUNT:
        return None
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0")


def _duration(minutes: int | str) -> str:
    return minutes if isinstance(minutes, str) else f"{minutes}min"


def _blocked(low: str, at: int, lo: int, hi: int) -> bool:
    """Whether a match of ``_BLOCK.finditer(low, lo, hi)`` covers ``at``.

    The same matches, by ``search`` from each match's end (they are never empty), so the
    usual case, no match in the window, costs one call; and the scan stops at the first
    match that starts after ``at``.
    """
    x = _BLOCK.search(low, lo, hi)
    while x is not None:
        if x.start() > at:
            return False
        if at < x.end():
            return True
        x = _BLOCK.search(low, x.end(), hi)
    return False


def _tokens(low: str, dollar: str) -> list[_Tok]:
    toks: list[_Tok] = []
    prev_end = 0
    for m in _TOKEN.finditer(low):
        start, m_end = m.span()
        if start < prev_end:
            continue
        num1, fr, frm, num2, half, num3 = m.groups()  # one call, not one per group
        if num1 is not None:
            num = num1
            sym = low[start]
            n_start = m.start("num1")
        else:
            sym = ""
            n_start = start
            rest = "num2" if num2 is not None else "num3" if num3 is not None else "fr"
            num = low[start : m.end(rest)]
        before = low[n_start - 1] if n_start else " "
        if (
            before.isalnum()
            or before in "'’#_"
            or (n_start >= 2 and before in ":/.," and low[n_start - 2].isdigit())
        ):
            continue
        if _blocked(low, n_start, max(0, n_start - 14), min(len(low), m_end + 14)):
            continue
        end = m_end
        nxt = low[end : end + 2]
        if nxt[:1] in ("%", "'", "’", '"', "+") or (nxt[:1] == "/" and nxt[1:2].isdigit()):
            continue
        after = _AFTER.match(low, end)
        cur_word, unit = after.group("cur", "unit") if after else (None, None)
        currency = ""
        if sym:
            prefix = low[max(0, start - 2) : start]
            if sym == "$" and prefix[-1:] in ("r", "c") and not prefix[:-1].isalpha():
                currency = "BRL" if prefix[-1] == "r" else "CAD"
                start -= 1
            elif sym == "$":
                currency = dollar
            else:
                currency = _CURRENCY[sym]
        elif cur_word:
            currency = dollar if cur_word == "$" else _CURRENCY.get(cur_word, "")
        minutes: int | str | None = None
        if fr is not None:  # 1h30
            count = float(num)
            if count <= 12:
                minutes_total = int(count * 60) + int(frm)
                toks.append(_Tok("D", start, m_end, duration=_duration(minutes_total)))
                prev_end = m_end
            continue
        if unit is not None:
            minutes = _unit_minutes(unit)
            end = after.end() if after else end
        tok_end = after.end() if after and (cur_word or unit) else m_end
        if unit is not None and not currency:
            # A count of time ("30 min", "2 hours") or an amount and a unit ("100 hh")?
            try:
                count = float(num.replace(",", "")) + (0.5 if half else 0.0)
            except ValueError:
                continue
            u = " ".join(unit.split())
            is_count = (
                (minutes is None and 5 <= count <= 240)
                or (minutes == 60 and u not in ("fh", "full hour") and count <= 24)
                or (minutes == "night" and count <= 3)
            )
            if is_count:
                if minutes is None:
                    total: int | str = int(count)
                elif minutes == "night":
                    total = "night"
                else:
                    total = int(count * 60) + (30 if "half" in u else 0)
                toks.append(_Tok("D", start, tok_end, duration=_duration(total)))
                prev_end = tok_end
                continue
            if minutes is None:
                continue  # "300 minutes": neither a count nor a price
            if u in ("hh", "h") and low[m_end : m_end + 1].isalpha() and num.isdigit():
                value = int(num)
                if 28 <= value <= 48 and value % 2 == 0:
                    continue  # 34HH, 36H: a cup size glued to the band
        amount = _amount_text(num)  # here: durations above do not need it
        if amount is None or half:
            continue
        if not currency and unit is None and num.isdigit() and 1900 <= int(num) <= 2099:
            continue  # a year
        u_start = after.start("unit") if after and unit else tok_end
        a_end = after.end("cur") if after and cur_word else m_end
        amount_tok = _Tok("A", start, a_end, amount=amount, currency=currency)
        toks.append(amount_tok)
        if unit is not None and minutes is not None:
            dur = _Tok("D", u_start, tok_end, duration=_duration(minutes))
            toks.append(dur)
            connector = low[a_end:u_start]
            if _STRONG.search(connector) or (cur_word and not connector):
                amount_tok.bound = dur
        prev_end = tok_end
    return [  # "15-25 mins": a range of durations, not an amount of 15
        tok
        for tok, nxt in zip(toks, [*toks[1:], None][: len(toks)], strict=True)
        if not (
            tok.kind == "A"
            and not tok.currency
            and nxt is not None
            and nxt.kind == "D"
            and low[nxt.start : nxt.start + 1].isdigit()
            and _RANGE_GAP.fullmatch(low, tok.end, nxt.start)
        )
    ]


def _with_context(low: str, toks: list[_Tok]) -> list[_Tok]:
    """Add the bare duration, currency code or keyword written just before an amount."""
    out: list[_Tok] = []
    prev_end = 0
    for tok in toks:
        window_start = max(prev_end, tok.start - 24)
        if (
            tok.kind == "A"
            and tok.start > prev_end
            and _LETTER.search(low, window_start, tok.start)
        ):
            before = _BEFORE.search(low, window_start, tok.start)
            if before is not None:
                if before.group("cur"):
                    if tok.currency:
                        out.append(tok)
                        prev_end = tok.end
                        continue
                    tok.currency = _CURRENCY.get(before.group("cur"), "")
                    tok.start = before.start()
                elif before.group("kw"):
                    tok.keyword = True
                    out.append(_Tok("K", before.start(), before.end("kw")))
                elif before.group("unit"):
                    minutes = _unit_minutes(before.group("unit"))
                    if minutes is not None:
                        out.append(
                            _Tok(
                                "D", before.start(), before.end("unit"), duration=_duration(minutes)
                            )
                        )
        out.append(tok)
        prev_end = tok.end
    return out


def _runs(low: str, toks: list[_Tok]) -> list[list[_Tok]]:
    runs: list[list[_Tok]] = []
    for tok in toks:
        if runs and _TIGHT.fullmatch(low, runs[-1][-1].end, tok.start):
            runs[-1].append(tok)
        else:
            runs.append([tok])
    return runs


def _pair(low: str, run: list[_Tok]) -> list[tuple[_Tok, _Tok | None]]:
    """Each amount of a run with its duration (or ``None``)."""
    for i in range(len(run) - 1):  # ranges: "100-200 roses" gives 100 the currency too
        a, b = run[i], run[i + 1]
        if a.kind == b.kind == "A" and _RANGE_GAP.fullmatch(low, a.end, b.start):
            if not a.currency and b.currency:
                a.currency, a.inherited = b.currency, True
            elif a.currency and not b.currency:
                b.currency, b.inherited = a.currency, True
    pairs: list[tuple[_Tok, _Tok | None]] = []
    bound = {id(t.bound) for t in run if t.bound is not None}
    pairs.extend((t, t.bound) for t in run if t.bound is not None)
    run = [t for t in run if t.bound is None and id(t) not in bound]
    duration_first = False
    for a, b in itertools.pairwise(run):
        if {a.kind, b.kind} == {"A", "D"}:
            duration_first = a.kind == "D"
            break
    if duration_first:
        current: _Tok | None = None
        for tok in run:
            if tok.kind == "D":
                current = tok
            elif tok.kind == "A":
                pairs.append((tok, current))
    else:
        pending: list[_Tok] = []
        for tok in run:
            if tok.kind == "A":
                pending.append(tok)
            elif tok.kind == "D":
                pairs.extend((a, tok) for a in pending)
                pending = []
        pairs.extend((a, None) for a in pending)
    return pairs


def extract_prices(post: Post, field: str, text: str) -> list[Mention]:
    """Every price in ``text``, one mention per amount. Never raises on a ``str``."""
    if not text:
        return []
    low = lowered(text)
    if len(low) != len(text):  # a few characters lower-case to two: keep offsets exact
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    if not (_may_price(low) and _has_cue(low)):
        return []
    return _prices(post, field, text, low)


def _prices(post: Post, field: str, text: str, low: str) -> list[Mention]:
    """:func:`extract_prices` past its pre-checks (``low`` is the lower-cased text)."""
    dollar = DOLLAR_BY_COUNTRY.get((post.country or "").upper(), "USD")
    toks = _with_context(low, _tokens(low, dollar))
    mentions: list[Mention] = []
    for run in _runs(low, toks):
        if not any(t.kind == "A" for t in run):
            continue
        for amount, duration in _pair(low, run):
            if not (amount.currency or duration or amount.keyword):
                continue
            start, end = amount.start, amount.end
            if (
                duration is not None
                and _TIGHT.fullmatch(low, min(end, duration.end), max(start, duration.start))
                and (duration.end <= start or duration.start >= end)
            ):
                neighbours = [t for t in run if t.kind == "A" and t is not amount]
                between = [
                    t for t in neighbours
                    if min(end, duration.end) <= t.start < max(start, duration.start)
                ]  # fmt: skip
                if not between:
                    start, end = min(start, duration.start), max(end, duration.end)
            value = amount.amount
            if amount.currency:
                value += f" {amount.currency}"
            if duration is not None:
                value += f"/{duration.duration}"
            confidence = (
                0.9 if amount.currency and duration
                else 0.8 if amount.currency and not amount.inherited
                else 0.75 if duration
                else 0.7 if amount.currency
                else 0.6
            )  # fmt: skip
            mentions.append(
                mention(
                    post_id=post.id,
                    kind="price",
                    value=value,
                    field=field,
                    original=text,
                    start=start,
                    end=end,
                    method=METHOD,
                    confidence=confidence,
                )
            )
    return sorted(mentions, key=lambda m: (m.start, m.end))


__all__ = ["extract_prices"]
