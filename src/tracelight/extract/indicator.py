"""Trafficking indicators written in a post, from our curated and sourced lexicon.

The lexicon is ``extract/data/indicators.json`` (see ``extract/data/README.md`` for the
sources and the phrase syntax). Each indicator has an id (``sex.new_in_town``,
``labor.passport_retention``...), phrases in English, Spanish, French, Portuguese and
German, and emoji. A match is an ``indicator`` mention whose ``value`` is the id, with
the exact span that was written, method ``lexicon``.

Matching:

* **Phrases** are case- and accent-insensitive, whole-word, and tolerant of what ads put
  between words: ``new in town``, ``NEW  in   town``, ``new-in-town``, ``new_in_town``
  and ``new🔥in🔥town`` all match ``new in town``; an apostrophe may be dropped
  (``daddys girl``, ``peu danglais``). A sentence break inside (``new. In town``)
  does not match. The text is folded once, one code point to one byte (Latin-1, then
  a byte table: lower case, accents off, every other character a space), and split into
  words in C. Each concrete phrase (the JSON's ``a|b`` and ``[optional]`` expanded,
  about 1,200) is indexed under its *anchor*, its most selective word, and under the
  word next to the anchor; one set lookup per word finds the anchors present, and only
  phrases whose neighbouring word also matches are compared in full. The cost is one
  pass over the words whatever the size of the lexicon. Where matches overlap, the
  longest wins. A number (``<n>``) must be its own word (``2 girls``, not ``2girls``).
* **Emoji** are matched as characters, with or without the variation selector U+FE0F
  and with any skin tone; the span covers what was written. An emoji inside a ZWJ
  sequence is another emoji (``👩‍✈️`` is a pilot, not ``✈️``) and does not match.
* **Languages**: every phrase is matched in every post, because ads mix languages (an
  English ``new in town`` in a German ad, Spanish in a US ad). When the post declares a
  language and the phrase belongs neither to it nor to English (the lingua franca of
  these ads), the confidence is multiplied by :data:`OTHER_LANGUAGE_FACTOR`.
* **Negation**: for indicators marked ``negatable`` (fees, passports, debts, housing,
  ...), a match preceded in the same clause, within :data:`NEGATION_WINDOW` words, by a
  negation (``no``, ``never``, ``sin``, ``sans``, ``sem``, ``kein``...) is dropped:
  ``we never charge a placement fee`` is not a fee.

``confidence`` is how sure we are that the span *expresses the indicator* (the
indicator's ``specificity`` for phrases, ``emoji_specificity`` for emoji), not how
strongly the indicator suggests trafficking: that is ``weight_hint``, for scoring.

The JSON is loaded once per process, lazily, through :mod:`importlib.resources`; the
compiled matcher is cached beside it and is never pickled.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from tracelight.extract.evidence import mention
from tracelight.model import Mention, Post

KIND = "indicator"
METHOD = "lexicon"
LANGUAGES = ("en", "es", "fr", "pt", "de")
CATEGORIES = ("sex", "labor")
LINGUA_FRANCA = "en"
OTHER_LANGUAGE_FACTOR = 0.75
"""Confidence factor for a phrase of another language than the post's declared one."""

NEGATION_WINDOW = 3
"""Words before a match, in the same clause, that are searched for a negation."""

MAX_EXPANSIONS = 256
"""Most concrete phrases one phrase pattern may stand for (a guard on the syntax)."""

REQUIRED_KEYS = (
    "id",
    "description",
    "category",
    "source",
    "languages",
    "phrases",
    "emoji",
    "weight_hint",
    "specificity",
    "negatable",
)

VS16 = "\ufe0f"
ZWJ = "\u200d"


def _fold_table() -> bytes:
    """Latin-1 byte -> folded byte: letters lower-case without accents, digits kept, the rest
    (punctuation, and ``?`` which stands for any character outside Latin-1) a space."""
    table = bytearray(b" " * 256)
    for code in range(256):
        ch = chr(code)
        if ch.isascii() and ch.isalnum():
            table[code] = ord(ch.lower())
        elif ch.isalpha() and len(ch.lower()) == 1:
            low = ch.lower()
            base = "".join(
                c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c)
            )
            if len(base) == 1 and base.isascii():
                table[code] = ord(base)  # é -> e, Ü -> u, ç -> c, ñ -> n
            elif ord(low) < 256:
                table[code] = ord(low)  # ß, æ, ø, ð, þ, µ stay letters of their own
    return bytes(table)


FOLD_TABLE = _fold_table()

NEGATIONS: frozenset[bytes] = frozenset(
    word.encode()
    for word in (
        # en (``don't`` folds to ``don`` ``t``)
        "no", "not", "never", "without", "zero", "nor", "don", "dont", "doesn", "won", "free",
        # es / pt (folded: ``não`` is ``nao``)
        "sin", "nunca", "ningun", "ninguna", "ninguno", "jamas", "gratis", "nao", "sem",
        "nenhum", "nenhuma",
        # fr
        "ne", "pas", "sans", "aucun", "aucune", "aucuns", "aucunes", "jamais", "ni", "gratuit",
        # de
        "kein", "keine", "keinen", "keiner", "nicht", "nie", "niemals", "ohne", "kostenlos",
    )
)  # fmt: skip
"""Folded words that negate a following indicator phrase (see :data:`NEGATION_WINDOW`)."""

_CLAUSE_END = re.compile(r"[.!?;:\n]")
_SENTENCE_BREAK = re.compile(r"[.!?;]\s")
"""Inside a match, a sentence break means the words only happen to follow each other."""
_PLACEHOLDER = "<n>"


# --- the lexicon ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator definition from ``indicators.json``."""

    id: str
    description: str
    category: str
    source: tuple[str, ...]
    languages: tuple[str, ...]
    phrases: Mapping[str, tuple[str, ...]]
    emoji: tuple[str, ...]
    weight_hint: float
    specificity: float
    emoji_specificity: float
    negatable: bool


def fold(text: str) -> str:
    """Text as the matcher reads it: lower case, no accents, punctuation as spaces."""
    return text.encode("latin-1", "replace").translate(FOLD_TABLE).decode("latin-1")


def validate(data: Any) -> list[str]:
    """Every problem with a parsed ``indicators.json``; an empty list when it is sound."""
    problems: list[str] = []
    if not isinstance(data, list) or not data:
        return ["the lexicon must be a non-empty JSON list of indicator objects"]
    seen: set[str] = set()
    for position, item in enumerate(data):
        where = f"indicator #{position}"
        if not isinstance(item, dict):
            problems.append(f"{where}: not an object")
            continue
        missing = [key for key in REQUIRED_KEYS if key not in item]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        ident = item["id"]
        where = f"{ident!r}"
        if not isinstance(ident, str) or not re.fullmatch(r"(sex|labor)\.[a-z0-9_]+", ident):
            problems.append(f"{where}: id must be category.snake_case")
        elif ident in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(str(ident))
        if item["category"] not in CATEGORIES or not str(ident).startswith(f"{item['category']}."):
            problems.append(f"{where}: category must be one of {CATEGORIES} and prefix the id")
        if not isinstance(item["description"], str) or not item["description"].strip():
            problems.append(f"{where}: empty description")
        source = item["source"]
        if (
            not isinstance(source, list)
            or not source
            or not all(isinstance(s, str) and s.strip() for s in source)
        ):
            problems.append(f"{where}: source must be a non-empty list of citations")
        phrases = item["phrases"]
        if not isinstance(phrases, dict) or set(phrases) - set(LANGUAGES):
            problems.append(f"{where}: phrases must map languages {LANGUAGES} to lists")
            continue
        if not all(
            isinstance(v, list) and all(isinstance(p, str) for p in v) for v in phrases.values()
        ):
            problems.append(f"{where}: phrases must be lists of strings")
            continue
        covered = sorted(lang for lang, listed in phrases.items() if listed)
        if sorted(item["languages"]) != covered:
            problems.append(
                f"{where}: languages {item['languages']} != languages with phrases {covered}"
            )
        emoji = item["emoji"]
        if not isinstance(emoji, list) or not all(isinstance(e, str) and e for e in emoji):
            problems.append(f"{where}: emoji must be a list of strings")
            continue
        if not covered and not emoji:
            problems.append(f"{where}: neither phrases nor emoji")
        numbers = [("weight_hint", item["weight_hint"]), ("specificity", item["specificity"])]
        if emoji:
            numbers.append(("emoji_specificity", item.get("emoji_specificity")))
        for name, value in numbers:
            if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= 1:
                problems.append(f"{where}: {name} must be a number in (0, 1]")
        if not isinstance(item["negatable"], bool):
            problems.append(f"{where}: negatable must be true or false")
        for listed in phrases.values():
            for phrase in listed:
                try:
                    expand(phrase)
                except ValueError as exc:
                    problems.append(f"{where}: phrase {phrase!r}: {exc}")
    return problems


def _parse(item: Mapping[str, Any]) -> Indicator:
    emoji = tuple(item["emoji"])
    return Indicator(
        id=item["id"],
        description=item["description"],
        category=item["category"],
        source=tuple(item["source"]),
        languages=tuple(item["languages"]),
        phrases={lang: tuple(item["phrases"].get(lang, ())) for lang in LANGUAGES},
        emoji=emoji,
        weight_hint=float(item["weight_hint"]),
        specificity=float(item["specificity"]),
        emoji_specificity=float(item.get("emoji_specificity", item["specificity"])),
        negatable=item["negatable"],
    )


def load_lexicon_json() -> Any:
    """The parsed ``indicators.json`` shipped in the package."""
    data = resources.files("tracelight.extract").joinpath("data", "indicators.json")
    return json.loads(data.read_text(encoding="utf-8"))


@cache
def indicators() -> tuple[Indicator, ...]:
    """All indicators, in file order, loaded and validated once per process."""
    data = load_lexicon_json()
    problems = validate(data)
    if problems:
        raise ValueError("invalid indicators.json: " + "; ".join(problems))
    return tuple(_parse(item) for item in data)


def indicator(ident: str) -> Indicator:
    """One indicator by id (``KeyError`` when unknown)."""
    for item in indicators():
        if item.id == ident:
            return item
    raise KeyError(ident)


# --- phrase syntax ----------------------------------------------------------------------
#
# A phrase is words separated by spaces. A word may be ``a|b|c`` (alternatives) or
# ``[a|b]`` (optional alternatives); ``<n>`` is a number written in digits. Inside a word,
# an apostrophe may be written or not (``daddy's`` is ``daddy s`` or ``daddys``) and any
# other punctuation separates words (``24/7`` is ``24`` then ``7``).

NUMBER = b"#"
"""The token that ``<n>`` stands for, and that a run of digits is looked up as."""

Tokens = tuple[bytes, ...]


def _fold_piece(piece: str) -> list[bytes]:
    """A phrase fragment's folded tokens; ``ValueError`` outside Latin-1."""
    try:
        raw = unicodedata.normalize("NFC", piece.lower()).encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(f"{piece!r} is not Latin-1 text") from None
    return raw.translate(FOLD_TABLE).split()


def _word_forms(word: str) -> list[list[bytes]]:
    """The token sequences of one alternative of one word."""
    if word == _PLACEHOLDER:
        return [[NUMBER]]
    if "<" in word or ">" in word:
        raise ValueError(f"unknown placeholder in {word!r}")
    forms: list[list[bytes]] = [[]]
    for index, piece in enumerate(re.split(r"['’]", word)):
        tokens = _fold_piece(piece)
        if not tokens:
            raise ValueError(f"{word!r} has an empty part")
        grown: list[list[bytes]] = []
        for form in forms:
            grown.append(form + tokens)
            if index:  # the apostrophe dropped: the two parts written as one word
                grown.append([*form[:-1], form[-1] + tokens[0], *tokens[1:]])
        forms = grown
    return forms


def expand(phrase: str) -> list[Tokens]:
    """The token sequences (folded, ``<n>`` as ``#``) one phrase pattern stands for."""
    words = phrase.split()
    if not words:
        raise ValueError("empty phrase")
    options: list[list[list[bytes]]] = []
    for word in words:
        optional = word.startswith("[") and word.endswith("]")
        body = word[1:-1] if optional else word
        if not body or "[" in body or "]" in body:
            raise ValueError(f"bad word {word!r}")
        choices = [form for alt in body.split("|") for form in _word_forms(alt)]
        if optional:
            choices.append([])
        options.append(choices)
    sequences: list[Tokens] = []
    for combination in itertools.product(*options):
        sequence = tuple(token for choice in combination for token in choice)
        if not sequence:
            raise ValueError("a phrase cannot be all optional")
        if all(token == NUMBER for token in sequence):
            raise ValueError("a phrase needs a word besides <n>")
        if sequence not in sequences:
            sequences.append(sequence)
        if len(sequences) > MAX_EXPANSIONS:
            raise ValueError(f"more than {MAX_EXPANSIONS} expansions")
    return sequences


# --- the compiled matcher ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    indicator: Indicator
    languages: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Phrase:
    """One concrete phrase, found through its anchor (its longest word)."""

    tokens: Tokens
    anchor: int
    entry: _Entry


@dataclass(frozen=True, slots=True)
class _Anchored:
    """The phrases anchored on one word, indexed by the word after it (or before it)."""

    by_next: Mapping[bytes, tuple[_Phrase, ...]]
    by_previous: Mapping[bytes, tuple[_Phrase, ...]]
    alone: tuple[_Phrase, ...]


@dataclass(frozen=True, slots=True)
class Matcher:
    """The compiled lexicon.

    A text is split into words once; one look-up per word in ``anchors`` tells which
    anchor words occur (for most ads: none or a few), and only the phrases whose
    neighbouring word also matches are checked in full.
    """

    anchors: dict[bytes, _Anchored]
    """A ``dict``, not a ``Mapping``: compiled, ``anchors.get`` is then a direct C call."""
    emoji: Mapping[str, _Entry]
    phrases: int


_FREQUENT = frozenset(
    b"""
    a all always am an and anytime are ask at available be best call calls can come day days
    do don dont experience for free from girl girls give good guaranteed have here hotel
    hotels i if in is it just keep let like looking make me meet men more my name new night
    no not now of on one only open or out private ready see so that the time to upscale
    very we what who will with you young your
    con de del el en es la las los mi por que se un una y
    est et je le les ne pas pour
    com e em nao o para um
    das der die ich ist mit nicht und zu
    """.split()
)
"""Words too common in ads to anchor a phrase on when the phrase has a rarer word. This
only decides which word a phrase is *looked up by* (speed), never whether it matches."""


def _anchor(tokens: Tokens) -> int:
    """The word a phrase is looked up by: a literal word, preferably not a frequent one,
    the longest (long words are rare), the later one on a tie."""
    best = max(
        range(len(tokens)),
        key=lambda i: (tokens[i] != NUMBER, tokens[i] not in _FREQUENT, len(tokens[i]), i),
    )
    if tokens[best] == NUMBER:
        raise ValueError("a phrase needs a word besides <n>")
    return best


def _index(phrases: list[_Phrase]) -> _Anchored:
    by_next: dict[bytes, list[_Phrase]] = {}
    by_previous: dict[bytes, list[_Phrase]] = {}
    alone: list[_Phrase] = []
    for phrase in phrases:
        if phrase.anchor + 1 < len(phrase.tokens):
            by_next.setdefault(phrase.tokens[phrase.anchor + 1], []).append(phrase)
        elif phrase.anchor > 0:
            by_previous.setdefault(phrase.tokens[phrase.anchor - 1], []).append(phrase)
        else:
            alone.append(phrase)
    return _Anchored(
        by_next={word: tuple(listed) for word, listed in by_next.items()},
        by_previous={word: tuple(listed) for word, listed in by_previous.items()},
        alone=tuple(alone),
    )


def build_matcher(items: tuple[Indicator, ...]) -> Matcher:
    """Compile indicators; ``ValueError`` when two indicators claim the same phrase or emoji."""
    owner: dict[Tokens, str] = {}
    anchored: dict[bytes, list[_Phrase]] = {}
    emoji: dict[str, _Entry] = {}
    for item in items:
        langs_by_sequence: dict[Tokens, set[str]] = {}
        for lang in LANGUAGES:
            for phrase in item.phrases.get(lang, ()):
                for sequence in expand(phrase):
                    langs_by_sequence.setdefault(sequence, set()).add(lang)
        for sequence, langs in langs_by_sequence.items():
            if sequence in owner:
                words = b" ".join(sequence).decode("latin-1")
                raise ValueError(f"{words!r} is claimed by {owner[sequence]} and {item.id}")
            owner[sequence] = item.id
            anchor = _anchor(sequence)
            compiled = _Phrase(sequence, anchor, _Entry(item, frozenset(langs)))
            anchored.setdefault(sequence[anchor], []).append(compiled)
        for symbol in item.emoji:
            base = symbol.replace(VS16, "")
            if len(base) != 1:
                raise ValueError(f"{item.id}: emoji {symbol!r} must be one code point (+ U+FE0F)")
            if base in emoji:
                raise ValueError(f"{base!r} is claimed by {emoji[base].indicator.id} and {item.id}")
            emoji[base] = _Entry(item, frozenset())
    return Matcher(
        anchors={word: _index(listed) for word, listed in anchored.items()},
        emoji=emoji,
        phrases=len(owner),
    )


@cache
def matcher() -> Matcher:
    """The compiled matcher of the packaged lexicon, once per process."""
    return build_matcher(indicators())


# --- extraction -------------------------------------------------------------------------


def _folded(text: str) -> tuple[bytes, list[int] | None]:
    """The text as folded bytes (one byte per code point), and a map back when needed.

    Fast path: Latin-1 encoding (anything else becomes ``?``), then :data:`FOLD_TABLE`
    maps letters to their lower-case unaccented form and everything else to a space;
    offsets are kept. Text that is not NFC (accents written as combining marks) takes
    the slow path: each letter with its marks becomes one byte, and ``origin[i]`` is the
    original offset of folded byte ``i``.
    """
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text.encode("latin-1", "replace").translate(FOLD_TABLE), None
    letters: list[str] = []
    origin: list[int] = []
    index = 0
    while index < len(text):
        stop = index + 1
        while stop < len(text) and unicodedata.combining(text[stop]):
            stop += 1
        letters.append(unicodedata.normalize("NFC", text[index:stop])[0])
        origin.append(index)
        index = stop
    return "".join(letters).encode("latin-1", "replace").translate(FOLD_TABLE), origin


def _phrase_at(phrase: _Phrase, tokens: list[bytes], index: int) -> tuple[int, int] | None:
    """``(first, last)`` token of ``phrase`` when its anchor word is ``tokens[index]``."""
    first = index - phrase.anchor
    last = first + len(phrase.tokens) - 1
    if first < 0 or last >= len(tokens):
        return None
    for offset, pattern in enumerate(phrase.tokens):
        token = tokens[first + offset]
        if pattern != token and not (pattern == NUMBER and token.isdigit()):
            return None
    return first, last


def _neighbours(index: Mapping[bytes, tuple[_Phrase, ...]], token: bytes) -> tuple[_Phrase, ...]:
    """Phrases keyed by ``token`` as written, and by ``<n>`` when it is a number."""
    listed = index.get(token, ())
    if token.isdigit():
        listed += index.get(NUMBER, ())
    return listed


def _phrase_hits(tokens: list[bytes], lexicon: Matcher) -> list[tuple[int, int, _Entry]]:
    """``(first token, last token, entry)`` of phrases, the longest where they overlap."""
    found: list[tuple[int, int, _Entry]] = []
    anchors = lexicon.anchors
    # One look-up per word. Two fields in three hold an anchor, and a C-level test of
    # the field against a set of the anchor words first, then a probe of the set for
    # each word and of ``anchors`` for each anchor, looked most words of those fields
    # up two or three times (compiled, in the full run: 6-9% less time in this
    # extractor on Backpage ads, 9-14% on synthetic posts).
    for index, token in enumerate(tokens):
        anchored = anchors.get(token)
        if anchored is None:
            continue
        candidates = anchored.alone
        if anchored.by_next and index + 1 < len(tokens):
            candidates += _neighbours(anchored.by_next, tokens[index + 1])
        if anchored.by_previous and index > 0:
            candidates += _neighbours(anchored.by_previous, tokens[index - 1])
        for phrase in candidates:
            span = _phrase_at(phrase, tokens, index)
            if span is not None:
                found.append((*span, phrase.entry))
    if len(found) < 2:
        return found
    found.sort(key=lambda hit: (hit[0], hit[0] - hit[1]))
    kept: list[tuple[int, int, _Entry]] = []
    for hit in found:
        if not kept or hit[0] > kept[-1][1]:
            kept.append(hit)
    return kept


def _token_starts(folded: bytes, tokens: list[bytes], count: int) -> list[int]:
    """Offsets of the first ``count`` tokens (tokens hold no space, so ``find`` is exact)."""
    starts: list[int] = []
    position = 0
    for token in tokens[:count]:
        position = folded.find(token, position)
        starts.append(position)
        position += len(token)
    return starts


def _negated(
    text: str,
    tokens: list[bytes],
    starts: list[int],
    first: int,
    origin: list[int] | None,
) -> bool:
    """A negation among the few words before token ``first``, in the same clause."""
    for index in range(max(0, first - NEGATION_WINDOW), first):
        if tokens[index] in NEGATIONS:
            between = text[_original(origin, starts[index]) : _original(origin, starts[first])]
            if not _CLAUSE_END.search(between):
                return True
    return False


def _original(origin: list[int] | None, offset: int) -> int:
    return offset if origin is None else origin[offset]


def _emoji_spans(text: str, symbols: Mapping[str, _Entry]) -> list[tuple[int, int, _Entry]]:
    """Each listed emoji as written (with U+FE0F and a skin tone), not inside a ZWJ sequence."""
    spans: list[tuple[int, int, _Entry]] = []
    size = len(text)
    for symbol, entry in symbols.items():
        start = text.find(symbol)
        while start >= 0:
            end = start + 1
            if end < size and text[end] == VS16:
                end += 1
            if end < size and "\U0001f3fb" <= text[end] <= "\U0001f3ff":
                end += 1
            if (start == 0 or text[start - 1] != ZWJ) and (end == size or text[end] != ZWJ):
                spans.append((start, end, entry))
            start = text.find(symbol, end)
    return spans


def _spans(text: str, post: Post) -> list[tuple[int, int, Indicator, float]]:
    """``(start, end, indicator, confidence)`` of every match in ``text``."""
    lexicon = matcher()
    spans: list[tuple[int, int, Indicator, float]] = []
    folded, origin = _folded(text)
    tokens = folded.split()
    hits = _phrase_hits(tokens, lexicon) if tokens else []
    if hits:
        language = _language(post)  # here: most fields have no phrase
        starts = _token_starts(folded, tokens, hits[-1][1] + 1)
        for first, last, entry in hits:
            item = entry.indicator
            if item.negatable and _negated(text, tokens, starts, first, origin):
                continue
            start = _original(origin, starts[first])
            end = _original(origin, starts[last] + len(tokens[last]) - 1) + 1
            if last > first and _SENTENCE_BREAK.search(text, start, end):
                continue
            while origin is not None and end < len(text) and unicodedata.combining(text[end]):
                end += 1  # keep the accents written on the last letter
            confidence = item.specificity
            langs = entry.languages
            if language and language not in langs and LINGUA_FRANCA not in langs:
                confidence *= OTHER_LANGUAGE_FACTOR
            spans.append((start, end, item, confidence))
    if not text.isascii():
        spans += [
            (start, end, entry.indicator, entry.indicator.emoji_specificity)
            for start, end, entry in _emoji_spans(text, lexicon.emoji)
        ]
    return spans


def extract_indicators(post: Post, field: str, text: str) -> list[Mention]:
    """Indicator mentions in one field of a post, in text order."""
    if not text:
        return []
    spans = _spans(text, post)
    if not spans:
        return []
    spans.sort(key=_span_order)
    return [
        mention(
            post_id=post.id,
            kind=KIND,
            value=item.id,
            field=field,
            original=text,
            start=start,
            end=end,
            method=METHOD,
            confidence=round(confidence, 4),
        )
        for start, end, item, confidence in spans
    ]


def _span_order(span: tuple[int, int, Indicator, float]) -> tuple[int, int]:
    """Text order (a function, not a lambda: no closure object made per field)."""
    return span[0], span[1]


def _language(post: Post) -> str | None:
    if not post.language:
        return None
    return post.language.strip().lower().replace("_", "-").split("-")[0] or None


__all__ = [
    "KIND",
    "METHOD",
    "Indicator",
    "Matcher",
    "build_matcher",
    "expand",
    "extract_indicators",
    "fold",
    "indicator",
    "indicators",
    "load_lexicon_json",
    "matcher",
    "validate",
]
