"""The indicator library the risk model reads: text indicators and structural facts.

Two sources, one vocabulary of feature ids:

* **text indicators** (``sex.*``, ``labor.*``) are the lexicon of
  :mod:`tracelight.extract.indicator` (``extract/data/indicators.json``): phrases and emoji
  found in a post, each with its description and published sources;
* **structural facts** (``age.*``, ``net.*``) are in ``risk/data/structural.json``: what a
  stated age or the shape of a network says (several personas on one phone, a circuit of
  cities, reused photos, many ads a day), with their sources too.

Both are read-only data shipped in the package, so an analyst can look up why any feature
exists and where it comes from; the weights live apart, in the model (:mod:`.model`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from tracelight.extract.indicator import indicators

Level = Literal["post", "network", "both"]


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """One feature the model may weigh: what it is, where it comes from, where it applies."""

    id: str
    label: str
    """A short noun phrase for reasons: ``"'new in town' wording"``."""
    description: str
    source: tuple[str, ...]
    level: Level
    category: str


_TEXT_LABELS = {
    "sex.new_in_town": "'new in town' wording",
    "sex.touring": "a short stay or tour announced",
    "sex.youth_cue": "youth cues",
    "sex.third_person": "third-person wording",
    "sex.third_party_booking": "booking through a third party",
    "sex.multiple_women": "several women in one ad",
    "sex.outcall_hotels_only": "outcall to hotels only",
    "sex.incall_hotel": "incall in a hotel",
    "sex.restricted_movement": "restricted movement",
    "sex.language_barrier": "little of the local language",
    "sex.always_available": "always available",
    "sex.price_code": "coded prices",
    "sex.restrictions": "restriction markers",
    "labor.recruitment_fee": "a recruitment fee",
    "labor.passport_retention": "passport retention",
    "labor.debt": "debt owed to the employer",
    "labor.withheld_wages": "withheld wages",
    "labor.visa_promise": "a visa promise",
    "labor.unrealistic_pay_abroad": "unrealistic pay abroad",
    "labor.work_abroad": "work abroad",
    "labor.no_experience": "no experience needed",
    "labor.housing_provided": "housing provided",
    "labor.travel_paid": "travel paid",
    "labor.excessive_hours": "excessive hours",
}


@cache
def library() -> dict[str, LibraryEntry]:
    """Every feature id the model knows, text indicators first, in file order."""
    out: dict[str, LibraryEntry] = {}
    for item in indicators():
        out[item.id] = LibraryEntry(
            id=item.id,
            label=_TEXT_LABELS.get(item.id, item.id),
            description=item.description,
            source=item.source,
            level="both",
            category=item.category,
        )
    data = resources.files("tracelight.risk").joinpath("data", "structural.json")
    for raw in json.loads(data.read_text(encoding="utf-8")):
        if raw["id"] in out or raw["level"] not in ("post", "network", "both"):
            raise ValueError(f"structural.json: bad or duplicate entry {raw['id']!r}")
        out[raw["id"]] = LibraryEntry(
            id=raw["id"],
            label=raw["label"],
            description=raw["description"],
            source=tuple(raw["source"]),
            level=raw["level"],
            category="structural",
        )
    return out


def post_feature_ids() -> tuple[str, ...]:
    return tuple(k for k, v in library().items() if v.level in ("post", "both"))


def network_feature_ids() -> tuple[str, ...]:
    return tuple(k for k, v in library().items() if v.level in ("network", "both"))
