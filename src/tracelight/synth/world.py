"""The state every generator shares: clock, number and name registries, images.

It is small and bounded by the number of posters, not posts: a phone book that
walks reserved ranges, a set of used emails and handles, a capped image bank,
agency hub phones by country (networks there sometimes borrow one), and per-site
id counters. Each actor gets its own ``Random`` derived from the world's, so an
actor's content depends only on the seed and on when it was created.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

from tracelight.synth.contacts import Contact, Identities, phone_contact
from tracelight.synth.disguise import disguise
from tracelight.synth.images import ImageBank
from tracelight.synth.phones import Phone, PhoneBook
from tracelight.synth.places import CITIES, CITIES_BY_COUNTRY, COUNTRIES, SITES, City, Site

PERIOD_DAYS = 60

FILES_PER_POST = 0.3
"""Image files an uncapped corpus writes per post (measured); scales image odds at size."""


@dataclass(slots=True)
class Shown:
    """A contact as written in one post, with its ground-truth entry."""

    text: str
    truth: dict[str, str]


@dataclass(slots=True)
class World:
    """Shared state of one corpus run; see the module docstring."""

    seed: int
    images_dir: Path
    image_cap: int
    posts: int
    rng: Random = field(init=False)
    start: datetime = field(init=False)
    end: datetime = field(init=False)
    phones: PhoneBook = field(init=False)
    identities: Identities = field(init=False)
    images: ImageBank = field(init=False)
    image_share: float = field(init=False)
    hubs: dict[str, list[Contact]] = field(default_factory=dict)
    _group_counts: dict[str, int] = field(default_factory=dict)
    _site_counters: dict[str, int] = field(default_factory=dict)
    _taken_names: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rng = Random(self.seed)
        # A fixed period derived from the seed, never "now": output must not change.
        base = datetime(2023, 1, 1, tzinfo=UTC)
        self.end = base + timedelta(days=self.rng.randrange(730), seconds=self.rng.randrange(86400))
        self.start = self.end - timedelta(days=PERIOD_DAYS)
        self.phones = PhoneBook(self.spawn_rng())
        self.identities = Identities(self.spawn_rng())
        self.images = ImageBank(self.images_dir, self.seed, self.image_cap)
        demand = max(1.0, self.posts * FILES_PER_POST)
        self.image_share = min(1.0, 0.9 * self.image_cap / demand)
        for site in SITES:
            self._site_counters[site.name] = self.rng.randrange(1_000_000, 5_000_000)

    def spawn_rng(self) -> Random:
        return Random(self.rng.getrandbits(64))

    def group_id(self, prefix: str, width: int) -> str:
        count = self._group_counts.get(prefix, 0) + 1
        self._group_counts[prefix] = count
        return f"{prefix}-{count:0{width}d}"

    def post_id(self, site: Site) -> str:
        counter = self._site_counters[site.name] + self.rng.randint(1, 7)
        self._site_counters[site.name] = counter
        return site.id_format.format(n=counter)

    def unique_name(self, wanted: str) -> str:
        """``wanted`` or a numbered variant: agency brands and company domains must not collide."""
        name = wanted
        n = 2
        while name in self._taken_names:
            name = f"{wanted}{n}"
            n += 1
        self._taken_names.add(name)
        return name

    def at(self, day: float) -> datetime:
        """The instant ``day`` days into the period, to the second."""
        clamped = min(max(day, 0.0), PERIOD_DAYS - 1e-6)
        return self.start + timedelta(seconds=int(clamped * 86400))

    def wants_images(self, rng: Random, chance: float) -> bool:
        return rng.random() < chance * self.image_share


def pick_city(rng: Random, country: str | None = None, language: str | None = None) -> City:
    """A city, weighted by size, within a country and/or speaking a language."""
    if country is None:
        country = rng.choices([c.code for c in COUNTRIES], [c.weight for c in COUNTRIES])[0]
    cities: Sequence[City] = CITIES_BY_COUNTRY[country]
    if language is not None:
        speaking = [c for c in cities if c.speaks(language)]
        cities = speaking or [c for c in CITIES if c.speaks(language)] or cities
    return rng.choices(cities, [c.weight for c in cities])[0]


def pick_language(rng: Random, city: City) -> str:
    langs = city.languages
    return rng.choices([lang for lang, _ in langs], [w for _, w in langs])[0]


def show(
    rng: Random, contact: Contact, lang: str, obfuscation: float, *, international: bool = False
) -> Shown:
    """Write a contact into a post, disguised or not, and its ground-truth entry."""
    if international and contact.phone is not None:
        contact = phone_contact(contact.phone, international=True)
    name, text = disguise(contact, rng, lang, obfuscation)
    return Shown(
        text, {"kind": contact.kind, "value": contact.value, "disguise": name, "text": text}
    )


def new_phone(world: World, city: City) -> tuple[Phone, Contact]:
    phone = world.phones.allocate(city)
    return phone, phone_contact(phone)


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    folded = text.lower()
    for src, dst in (
        ("é", "e"),
        ("è", "e"),
        ("ü", "ue"),
        ("ö", "oe"),
        ("ä", "ae"),
        ("ç", "c"),
        ("ã", "a"),
        ("á", "a"),
        ("í", "i"),
        ("ó", "o"),
        ("&", "and"),
    ):
        folded = folded.replace(src, dst)
    return _SLUG.sub("-", folded).strip("-")
