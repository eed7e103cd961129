"""Cities and countries named in a post, by gazetteer lookup (see ``gazetteer``).

Value: ``City, CC`` (the GeoNames name and ISO 3166 alpha-2 country, ``Los Angeles,
US``, ``São Paulo, BR``) for a city; ``CC`` alone for a bare country name (``in Spain``
-> ``ES``). A country or US state right after a city qualifies it instead
(``Paris, Texas``) and the mention's span covers both.

Matching: the text is split into letter runs once; runs 1–4 long that start with a known
first token are looked up in a dict (longest first), so there is no per-city regex and
the cost grows with the text, not the gazetteer.

Which place a name means: a qualifier (``, TX``, ``, France``) decides; else a place in
the post's ``country``; else the most populous. A city below 50,000 people is only taken
with a qualifier that names its country.

When a name is also a word: names in :data:`WORD_CITIES` (``Mobile``, ``Reading``,
``Nice``, ``Orange``, ``Split``...), single-token names of three letters or fewer, and
ambiguous abbreviations (``LA``, ``SF``...) must be capitalised and backed by evidence:
a candidate in the post's country, a locative cue just before (``in``, ``en``, ``à``,
``em``, ``near``, ``visiting``...) or a qualifier after. All-capitals word-cities need a
cue or a qualifier. Everyday words in :data:`STRICT_WORDS` (``Mobile``, ``Reading``,
``Young``, ``Orange``) need a cue or a qualifier even in the post's country. A one-word
*alternate* name (GeoNames lists ``Thai``, ``Soul``, ``Downtown`` as alternates of some
city) must be capitalised and backed by the post's country, a cue or a qualifier.
Names that are also given names (``Charlotte``, ``Florence``,
``Victoria``, ``Paris``...) need a cue or a qualifier, and never follow a name cue
(``I'm Paris``). Country names that are also words or names (``Chad``, ``Jordan``,
``Turkey``, ``China``) need a cue.

Confidence: 0.6 (primary name) or 0.5 (alternate name) or 0.55 (abbreviation), plus
0.1 for a multi-token name, 0.1 when the place is in the post's country, 0.1 for a
locative cue, 0.15 for a qualifier, capped at 0.95. A bare country is 0.5 (0.6 with a
cue).
"""

from __future__ import annotations

import re
import unicodedata

from tracelight.extract.evidence import mention
from tracelight.extract.gazetteer import (
    AMBIGUOUS_ABBREVIATIONS,
    COMPLETE,
    LONGER,
    MAX_TOKENS,
    TOKEN,
    TOKEN_NFD,
    Entry,
    Gazetteer,
    Place,
    Region,
    fold_token,
    gazetteer,
    pair_bit,
)
from tracelight.extract.gazetteer import words as _words
from tracelight.extract.name import GIVEN_NAMES
from tracelight.extract.tokens import letters, lowered
from tracelight.model import Mention, Post

METHOD = "gazetteer"

STRICT_WORDS: frozenset[str] = _words(
    """
    mobile reading independence young bath sandy marina orange split mission vista
    paradise normal surprise date most man male oral union spring bend deal best born
    bay hat pearl sparks temple woodland highland van sale corona city fort garden
    league homestead delta plantation sunrise providence paramount concord flint cali
    latina como chico chino bello mesa plano auburn carmel
    """
)
"""Folded city names that are everyday words in ads: taken only after a locative cue
(``in Reading``) or with a qualifier (``Reading, England``)."""

WORD_CITIES: frozenset[str] = _words(
    """
    nice lima roman gent batman hue bristol oxford cambridge richmond lancaster
    newport wellington hollywood venice columbia ontario georgia florida
    """
)
"""Folded city names that are words in some language: capitalised, and in the post's
country or with a cue or qualifier (``Nice`` in a French ad)."""

PERSON_CITIES: frozenset[str] = _words(
    """
    charlotte florence victoria savannah austin dallas madison tyler jackson lincoln
    eugene regina elizabeth alexandria sofia valencia aurora phoenix paris chelsea
    tracy kandy kandi mary kent warren troy clinton franklin milton hamilton lafayette
    marion lawrence gary cary chandler gilbert salem lorena mercedes santiago
    """
)
"""Folded city names that are also given names (with :data:`GIVEN_NAMES`): taken with
a cue or qualifier, or, for cities of :data:`PERSON_CITY_POPULATION` or more, in the
post's country; never right after a name cue (``I'm Paris``)."""

PERSON_CITY_POPULATION = 300_000

AMBIGUOUS_COUNTRIES: frozenset[str] = _words(
    """
    chad jordan georgia turkey china chile guinea niger mali india kenya israel jersey
    togo oman panama cuba peru malta chile monaco america iran
    """
)

_CUES: frozenset[str] = _words(
    """
    in at near visiting visit from around to en à em nach bei aus dans près
    cerca desde depuis within downtown central north south east west
    """
)
_NAME_CUE = re.compile(
    r"(?:\bi\s*['’]\s*m|\bi\s+am|\bmy\s+names?\s+is|\bit\s*['’]\s*s|\bthis\s+is|"
    r"\bsoy|\bich\s+bin|\bje\s+suis|\bname\s*:|\bcall\s+me|\bask\s+for)\s*$",
    re.IGNORECASE,
)
_QUALIFIER_GAP = re.compile(r"[ \t]*(?:,|\(|-)?[ \t]*")
"""What may stand between a name and its qualifier (``Paris, TX``, ``Paris (France)``)."""
_GAP_MARKS = ("", ",", "(", "-")
""":data:`_QUALIFIER_GAP` matches a whole gap exactly when the gap, stripped of spaces
and tabs, is one of these."""
_SEPARATOR = re.compile(r"[ \t.'’-]{1,3}")


class _Spans:
    """Where the runs of a field are, found by ``str.find`` only as far as asked.

    Exact: between one run's end and the next run's start there are only characters no
    run holds, so the first occurrence of the next run from there is the run itself.
    Five times cheaper than asking the regex for match objects, and cheaper than a
    ``split`` with a group and a running sum of the lengths (measured). Each run's end
    is kept, not a ``(start, end)`` pair (the run's length gives the start), and only up
    to the last run asked for: a field with a candidate has dozens of runs, the matcher
    reads the few around its candidates, and none after the last one (counted with
    callgrind on Backpage ads: the spans were a seventh of the matcher's instructions,
    most of them in ``find``, which widens an ASCII run to search a wide string).
    A plain class: built natively when compiled.
    """

    __slots__ = ("ends", "runs", "text")

    def __init__(self, text: str, runs: list[str]) -> None:
        self.text = text
        self.runs = runs
        """The runs, as found in ``text`` (``runs[k]`` is ``text[start(k) : end(k)]``)."""
        self.ends: list[int] = []
        """The ends of ``runs[0]``, ``runs[1]``... as far as found so far."""

    def end(self, k: int) -> int:
        ends = self.ends
        if k >= len(ends):
            text, runs = self.text, self.runs
            pos = ends[-1] if ends else 0
            for j in range(len(ends), k + 1):
                run = runs[j]
                # ``text.find`` as a method, not a bound method kept in a variable:
                # compiled, that is a direct C call.
                pos = text.find(run, pos) + len(run)
                ends.append(pos)
        return ends[k]

    def start(self, k: int) -> int:
        return self.end(k) - len(self.runs[k])


def _spaced(tokens: list[str]) -> bool:
    """Whether a folded token holds a space (``fold_token`` of a ligature such as
    U+FDFA decomposes to several words)."""
    return " " in "".join(tokens)


def _candidates(
    index: Gazetteer,
    tokens: list[str],
    words: frozenset[str] | None = None,
    *,
    spaced: bool = False,
) -> list[tuple[int, list[int]]]:
    """Token positions where some complete key starts, with the key lengths in tokens
    found there, longest first. ``words``: the set of ``tokens`` when at hand, else None.

    The words (distinct words when their set is at hand) are first intersected with
    :attr:`~Gazetteer.heads` in C (a set probe per word: in the full extraction run,
    with the caches full of other extractors' data, cheaper than a probe of the big
    trie dict; sometimes nothing is left), and the hits with
    :attr:`~Gazetteer.prefix_only`, which leaves those that are keys on their own. Most
    hits are common words (``i``, ``to``, ``the``, ``new``) that are no key alone and
    start a longer key only before one of their :attr:`~Gazetteer.followers`; at each
    position of a hit, a probe of :attr:`~Gazetteer.seconds` (the next word is no key's
    second token at two thirds of the positions on Backpage ads) and then the filter
    :attr:`~Gazetteer.pairs` rule that out for all but a few of the words that follow
    (on Backpage ads, 17 positions of hits a post and 0.3 of them followed by a
    follower), and only those few are looked up in ``followers`` and, as a two-token
    key, in the trie.

    Exact for tokens without a space, which every trie key's first token is (neither
    filter has false negatives: a follower is in ``seconds`` and its pair bit is always
    set). A folded token can hold one (NFKD of a compatibility ligature such as U+FDFA)
    and may then be a whole multi-token key: with ``spaced``,
    :func:`_candidates_in_trie` does it all.
    """
    if spaced:
        return _candidates_in_trie(index, tokens)
    found: list[tuple[int, list[int]]] = []
    hits = index.heads.intersection(tokens if words is None else words)
    if not hits:
        return found
    complete = hits - index.prefix_only  # a head is either a key or a prefix only
    pairs, seconds = index.pairs, index.seconds
    n_tokens = len(tokens)
    for i in [i for i, token in enumerate(tokens) if token in hits]:
        word = tokens[i]
        j = i + 1
        if j < n_tokens and tokens[j] in seconds:
            second = tokens[j]
            bit = pair_bit(word, second)
            if pairs[bit >> 3] >> (bit & 7) & 1:
                nexts = index.followers.get(word)
                if nexts is not None and second in nexts:
                    key = word + " " + second
                    trie = index.trie
                    lengths = _walk(trie, tokens, i, j, key=key, flags=trie.get(key, 0))
                    lengths.reverse()
                    if word in complete:
                        lengths.append(1)
                    if lengths:
                        found.append((i, lengths))
                    continue
        if word in complete:
            found.append((i, [1]))
    return found


def _candidates_in_trie(index: Gazetteer, tokens: list[str]) -> list[tuple[int, list[int]]]:
    """:func:`_candidates` by the trie alone: a look-up at every token, then a walk to
    longer keys from each hit (any token, spaces included)."""
    trie = index.trie
    found: list[tuple[int, list[int]]] = []
    for i in [i for i, token in enumerate(tokens) if token in trie]:
        lengths = _walk(trie, tokens, i, i, key=tokens[i], flags=trie[tokens[i]])
        if lengths:
            lengths.reverse()
            found.append((i, lengths))
    return found


def _walk(
    trie: dict[str, int], tokens: list[str], i: int, j: int, *, key: str, flags: int
) -> list[int]:
    """Extend the key ``key`` of tokens ``i..j`` (its trie flags ``flags``, 0 for none)
    token by token while the trie holds it: the token count of every complete key on
    the way, shortest first."""
    lengths: list[int] = []
    n_tokens = len(tokens)
    while flags:
        if flags & COMPLETE:
            lengths.append(j - i + 1)
        j += 1
        if not flags & LONGER or j >= n_tokens or j - i >= MAX_TOKENS:
            break
        key = key + " " + tokens[j]
        flags = trie.get(key, 0)
    return lengths


def _cued(text: str, start: int, spans: _Spans, i: int) -> bool:
    if i == 0:
        return False
    s, e = spans.start(i - 1), spans.end(i - 1)
    if text[e:start].strip(" \t,") != "":
        return False
    return text[s:e].lower() in _CUES


def _qualifier(
    index: Gazetteer,
    text: str,
    end: int,
    spans: _Spans,
    j: int,
    *,
    tokens: list[str],
) -> tuple[Region, int] | None:
    """A country or region written right after a name ending at token ``j``.

    The gap before token ``j`` must be what :data:`_QUALIFIER_GAP` matches in full:
    spaces and tabs around at most one ``,``, ``(`` or ``-``, which ``strip`` and a
    tuple test say without a regex call. An ASCII token's folded form is ``tokens[j]``
    already (``fold_token`` of ASCII is ``lower``, as the tokens are made).
    """
    n_runs = len(spans.runs)
    if j >= n_runs:
        return None
    s, e = spans.start(j), spans.end(j)
    if text[end:s].strip(" \t") not in _GAP_MARKS:
        return None
    code = text[s:e]
    region = index.region_codes.get(code) if len(code) == 2 and code.isupper() else None
    if region is not None:
        return region, e
    head = tokens[j] if code.isascii() else fold_token(code)
    longest = index.country_heads.get(head, 0)
    for n in range(min(longest, n_runs - j), 0, -1):
        key = " ".join([fold_token(text[spans.start(k) : spans.end(k)]) for k in range(j, j + n)])
        region = index.countries.get(key) or index.regions.get(key)
        if region is not None:
            return region, spans.end(j + n - 1)
    return None


def _pick(entries: tuple[Entry, ...], country: str | None, region: Region | None) -> Entry | None:
    if region is not None:
        for entry in entries:
            place = entry.place
            if place.country == region.country and region.admin1 in ("", place.admin1):
                return entry
        return None
    major = [e for e in entries if e.place.major]
    if not major:
        return None
    if country:
        for entry in major:
            if entry.place.country == country:
                return entry
    primary = [e for e in major if e.primary]
    return primary[0] if primary else major[0]


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _shouting(text: str, spans: _Spans, i: int) -> bool:
    """Whether a neighbouring word is all capitals too (``LA MEJOR``, ``NICE GIRL``)."""
    for k in (i - 1, i + 1):
        if 0 <= k < len(spans.runs):
            word = text[spans.start(k) : spans.end(k)]
            if len(word) > 1 and word.isupper():
                return True
    return False


class _Scan:
    """One field being matched: the text, its tokens and what was found so far.

    A plain class, not a dataclass: compiled, a dataclass's ``__init__`` is the one the
    ``dataclasses`` module writes, run by the interpreter, and this one is built for
    every field with a candidate.
    """

    def __init__(
        self,
        index: Gazetteer,
        text: str,
        tokens: list[str],
        spans: _Spans,
        *,
        post_id: str,
        field: str,
        country: str | None,
    ) -> None:
        self.index = index
        self.post_id = post_id
        self.field = field
        self.text = text
        self.tokens = tokens
        self.spans = spans
        self.country = country
        self.mentions: list[Mention] = []

    def emit(self, start: int, end: int, value: str, method: str, conf: float) -> None:
        self.mentions.append(
            mention(
                post_id=self.post_id,
                kind="location",
                value=value,
                field=self.field,
                original=self.text,
                start=start,
                end=end,
                method=method,
                confidence=round(min(conf, 0.95), 2),
            )
        )

    def upto(self, i: int, end: int) -> int:
        """How many tokens from ``i`` on lie before ``end``."""
        k = i
        spans = self.spans
        while k < len(spans.runs) and spans.start(k) < end:
            k += 1
        return k - i

    def city_at(self, i: int, lengths: list[int]) -> int:
        """Match a city at token ``i`` (keys of ``lengths`` tokens start there, longest
        first); the number of tokens consumed (0: none)."""
        index, text, spans, country = self.index, self.text, self.spans, self.country
        start = spans.start(i)
        for n in lengths:
            if n > 1 and not _joined(text, spans, i, n):  # one token is always joined
                continue
            end = spans.end(i + n - 1)
            written = text[start:end]
            abbrev = index.abbreviations.get(written) if n <= 2 else None
            entries = index.city(self.tokens[i] if n == 1 else " ".join(self.tokens[i : i + n]))
            if abbrev is None and entries is None:
                continue
            # ``_cued`` is only read once a place is picked (rare): computed there.
            qualified = _qualifier(index, text, end, spans, i + n, tokens=self.tokens)
            region = qualified[0] if qualified else None
            if abbrev is not None:
                cued = _cued(text, start, spans, i)
                place = _pick_abbrev(abbrev, country)
                if written not in AMBIGUOUS_ABBREVIATIONS or (
                    cued
                    or region is not None
                    or (country == place.country and not _shouting(text, spans, i))
                ):
                    conf = 0.55 + (0.1 if country == place.country else 0) + (0.1 if cued else 0)
                    self.emit(start, end, place.value, METHOD + "+abbreviation", conf)
                    return n
            if entries is None:
                continue
            entry = _pick(entries, country, region)
            if entry is None:
                if region is not None and any(e.place.major for e in entries):
                    return n  # qualified by a region without such a city: not this one
                continue
            cued = _cued(text, start, spans, i)
            if n == 1 and not _plausible(
                text,
                start,
                end,
                key=self.tokens[i],
                entry=entry,
                country=country,
                cued=cued,
                qualified=region is not None,
            ):
                return n
            place = entry.place
            conf = 0.6 if entry.primary else 0.5
            conf += 0.1 if n > 1 else 0
            conf += 0.1 if country == place.country else 0
            conf += 0.1 if cued else 0
            if qualified:
                conf += 0.15
                end = qualified[1]
            self.emit(start, end, place.value, METHOD, conf)
            return self.upto(i, end)
        return 0

    def country_at(self, i: int, lengths: list[int]) -> int:
        """Match a bare country name at token ``i``; the number of tokens consumed."""
        index, text, spans = self.index, self.text, self.spans
        for n in lengths:
            key = " ".join(self.tokens[i : i + n])
            region = index.countries.get(key)
            if region is None or not _joined(text, spans, i, n):
                continue
            start, end = spans.start(i), spans.end(i + n - 1)
            if not _capitalised(text[start:end]):
                return n
            cued = _cued(text, start, spans, i)
            if (key in AMBIGUOUS_COUNTRIES or key in GIVEN_NAMES) and not cued:
                return n
            self.emit(start, end, region.country, METHOD, 0.6 if cued else 0.5)
            return n
        return 0


def extract_locations(post: Post, field: str, text: str) -> list[Mention]:
    """Cities (``City, CC``) and bare countries (``CC``) named in ``text``."""
    country = post.country.upper() if post.country else None
    return _locate(post.id, field, text, country)


def _locate(post_id: str, field: str, text: str, country: str | None) -> list[Mention]:
    index = gazetteer()
    low = lowered(text)
    if len(low) == len(text) and unicodedata.is_normalized("NFC", text):
        # The common case: tokens are the shared letter runs of ``low`` (folded when
        # not ASCII), and their spans are only needed once a key is found.
        runs = letters(low)
        found = runs.runs
        if runs.plain:  # text with emoji but plain words stays cheap
            tokens = found
            starts = _candidates(index, tokens, runs.distinct)
        else:
            tokens = [t if t.isascii() else fold_token(t) for t in found]
            starts = _candidates(index, tokens, spaced=_spaced(tokens))
        if not starts:
            return []
        spans = _Spans(low, found)
    else:
        pattern = TOKEN if unicodedata.is_normalized("NFC", text) else TOKEN_NFD
        found = pattern.findall(text)
        tokens = [fold_token(t) for t in found]
        starts = _candidates(index, tokens, spaced=_spaced(tokens))
        if not starts:
            return []
        spans = _Spans(text, found)
    scan = _Scan(index, text, tokens, spans, post_id=post_id, field=field, country=country)
    done = 0
    for i, lengths in starts:
        if i < done:
            continue
        consumed = scan.city_at(i, lengths)
        if not consumed and tokens[i] in index.country_heads:
            consumed = scan.country_at(i, lengths)
        done = i + consumed
    return scan.mentions


CONFIDENT = 0.55
"""Least confidence of a city or abbreviation that :func:`countries_in_text` trusts:
a primary name with no other evidence is 0.6 and an abbreviation 0.55, while a lone
one-word *alternate* name (0.5; GeoNames lists ``Thai`` and ``Soul`` as alternates) is
too weak to pick a country's phone plan from."""


def countries_in_text(text: str) -> list[str]:
    """ISO alpha-2 countries of the places ``text`` names confidently, most confident
    first (ties: first named first), each once.

    For the phone extractor: a number written with a national trunk prefix
    (``09921488433``) is ambiguous until the post says where it is, and a post without
    a ``country`` often says it in its words (``Pune escorts``). The text is read with
    no country assumed, so a place only counts on its own evidence; a country written
    by name (``in Spain``) counts as it is (0.5 or more).
    """
    ranked: dict[str, tuple[float, int]] = {}
    for m in _locate("", "body", text, None):
        bare = len(m.value) == 2
        if m.confidence < CONFIDENT and not bare:
            continue
        iso = m.value if bare else m.value.rsplit(", ", 1)[1]
        old = ranked.get(iso)
        if old is None or m.confidence > old[0]:
            ranked[iso] = (m.confidence, old[1] if old else m.start)
    return sorted(ranked, key=lambda iso: (-ranked[iso][0], ranked[iso][1]))


def _joined(text: str, spans: _Spans, i: int, n: int) -> bool:
    """Whether tokens ``i..i+n`` are written as one name (only spaces, dots, hyphens)."""
    for k in range(i, i + n - 1):
        gap = _SEPARATOR.fullmatch(text, spans.end(k), spans.start(k + 1))
        if gap is None:
            return False
    return True


def _plausible(
    text: str,
    start: int,
    end: int,
    *,
    key: str,
    entry: Entry,
    country: str | None,
    cued: bool,
    qualified: bool,
) -> bool:
    """The word-city rules of the module doc, for a one-token name written at
    ``text[start:end]``."""
    written = text[start:end]
    if not _word_rule(
        written, key=key, entry=entry, country=country, cued=cued, qualified=qualified
    ):
        return False
    # Never right after a name cue (``I'm Paris``): the regex runs last, for the few
    # names the rules above let through.
    return _NAME_CUE.search(text, max(0, start - 20), start) is None


def _word_rule(
    written: str, *, key: str, entry: Entry, country: str | None, cued: bool, qualified: bool
) -> bool:
    """The rules of :func:`_plausible` other than the name cue."""
    backed = cued or qualified
    shouting = written.isupper() and len(written) > 1
    in_country = entry.place.country == country
    if key in STRICT_WORDS:
        return _capitalised(written) and backed
    if not entry.primary:
        # A one-word alternate name (``Thai``, ``Soul``, ``Downtown``): GeoNames lists
        # many that are words somewhere, so it needs evidence.
        return _capitalised(written) and not shouting and (backed or in_country)
    if key in PERSON_CITIES or key in GIVEN_NAMES:
        if not _capitalised(written):
            return False
        big = entry.place.population >= PERSON_CITY_POPULATION
        return backed or (big and in_country and not shouting)
    if key in WORD_CITIES or len(key) <= 3:
        if not _capitalised(written):
            return False
        if shouting:
            return backed
        return backed or in_country
    if written.islower():
        # Ads do write cities in lower case (``in chicago``), but a lower-case word with
        # no cue, no qualifier and no tie to the post's country is more often a word of
        # the ad's language that happens to be a city somewhere (``ambiente limpio``).
        return backed or in_country
    return True


def _pick_abbrev(places: tuple[Place, ...], country: str | None) -> Place:
    for place in places:
        if place.country == country:
            return place
    return places[0]


__all__ = [
    "CONFIDENT",
    "PERSON_CITIES",
    "STRICT_WORDS",
    "WORD_CITIES",
    "countries_in_text",
    "extract_locations",
]
