"""One generator ("actor") per kind of poster, each emitting its posts in time order.

An actor is created with the number of posts it will write and keeps only its
own small state (personas, phones, schedule, template), so the corpus streams:
the orchestrator keeps a handful of actors alive at a time, interleaves their
posts, and forgets each actor once it has written its last post and its group
record. What each kind must exercise downstream:

* ``independent``: one persona and phone, varied free text, mostly one city.
* ``agency``: one hub phone over many unrelated personas, texts and cities.
* ``spam``: one long boilerplate paragraph over many unrelated posters.
* ``trafficking``: personas sharing rotating phones, one slotted template,
  movement through a circuit of cities, reused photos, indicator phrases.
* ``job_legit`` and ``job_fraud``: honest job ads and recruitment-fraud groups.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from random import Random
from typing import Any

from tracelight.synth.contacts import Contact
from tracelight.synth.images import ImageUse
from tracelight.synth.places import CITIES_BY_COUNTRY, SITES_BY_STYLE, City, Site
from tracelight.synth.text import (
    Line,
    Slots,
    Template,
    contact_line,
    date_text,
    fill,
    joiner,
    location,
    personal_ad,
    title_cues,
)
from tracelight.synth.vocab import (
    EMOJI,
    LEXICONS,
    SHARED_NAMES,
    SPAM_BRANDS_A,
    SPAM_BRANDS_B,
    Lexicon,
)
from tracelight.synth.world import PERIOD_DAYS, Shown, World, new_phone, pick_city, pick_language
from tracelight.synth.world import show as show_contact
from tracelight.synth.world import slug as make_slug

KINDS = ("independent", "agency", "spam", "trafficking", "job_legit", "job_fraud")

REMOTE_IMAGE_SHARE = 0.04
"""Share of image references written as remote URLs (recorded, never fetched)."""


@dataclass(slots=True)
class Draft:
    """One post before the orchestrator gives it an id, a URL and a collection time."""

    site: Site
    posted_at: datetime
    city: City
    language: str
    title: str | None
    body: str
    contacts: list[dict[str, str]]
    images: list[ImageUse]
    persona: str | None
    age: int | None
    cues: list[str] = field(default_factory=list)
    location: str = ""
    extras: dict[str, Any] = field(default_factory=dict)


class Actor(ABC):
    """Base class: a poster (or group of posters) that writes ``size`` posts."""

    kind: str = ""
    group: str | None = None

    def __init__(self, world: World, size: int) -> None:
        self.world = world
        self.size = size
        self.rng = world.spawn_rng()
        self.emitted = 0
        self.members: list[str] = []
        self.cities_seen: list[str] = []
        self.phones_seen: list[str] = []
        self.emails_seen: list[str] = []
        self.handles_seen: list[str] = []
        self.photos: list[str] = []
        # Who wrote the posts, for scoring linking: the group, or this poster alone.
        # A separate counter per prefix, so no other id or random draw changes.
        self.poster = world.group_id("poster", 6)

    def poster_of(self, draft: Draft, index: int) -> str | None:
        """The one person or operation behind a post; ``None`` for a one-off writer."""
        return self.group or self.poster

    @property
    def done(self) -> bool:
        return self.emitted >= self.size

    def next(self) -> Draft:
        draft = self.make(self.emitted)
        self.emitted += 1
        if self.group is not None:
            self._note(draft)
        return draft

    @abstractmethod
    def make(self, index: int) -> Draft:
        """The ``index``-th post of this actor; each kind writes its own."""

    def record(self, post_id: str) -> None:
        if self.group is not None:
            self.members.append(post_id)

    def _note(self, draft: Draft) -> None:
        if not self.cities_seen or self.cities_seen[-1] != draft.city.name:
            self.cities_seen.append(draft.city.name)
        for entry in draft.contacts:
            seen = {
                "phone": self.phones_seen,
                "email": self.emails_seen,
                "handle": self.handles_seen,
            }[entry["kind"]]
            if entry["value"] not in seen:
                seen.append(entry["value"])

    def group_record(self) -> dict[str, Any] | None:
        """The group's entry in ``groups.json``; ``None`` for posters without a group."""
        if self.group is None:
            return None
        return {
            "id": self.group,
            "kind": self.kind,
            "posts": self.members,
            "phones": self.phones_seen,
            "emails": self.emails_seen,
            "handles": self.handles_seen,
            "cities": self.group_cities(),
            "personas": self.personas(),
            "photos": self.photos,
            **self.group_extra(),
        }

    def personas(self) -> list[str]:
        return []

    def group_cities(self) -> list[str]:
        """Cities in order of first appearance (networks override: order of movement)."""
        return list(dict.fromkeys(self.cities_seen))

    def group_extra(self) -> dict[str, Any]:
        return {}

    # --- helpers shared by the kinds ---------------------------------------------------

    def image_uses(self, photos: list[str], count: int, site: Site) -> list[ImageUse]:
        rng = self.rng
        uses: list[ImageUse] = []
        for photo in rng.sample(photos, min(count, len(photos))):
            if rng.random() < REMOTE_IMAGE_SHARE:
                key = f"{self.world.seed}:{photo}:remote".encode()
                digest = hashlib.sha256(key).hexdigest()[:12]
                uses.append(ImageUse(f"https://img.{site.domain}/{digest}.jpg", photo, "remote"))
                continue
            variant = 0 if rng.random() < 0.55 else rng.randint(1, 4)
            uses.append(self.world.images.use(photo, variant))
        return uses

    def new_photos(self, count: int) -> list[str]:
        photos = []
        for _ in range(count):
            photo = self.world.images.new_photo()
            if photo is None:
                break
            photos.append(photo)
        self.photos.extend(photos)
        return photos

    def schedule_spread(self, n: int, span: float | None = None) -> list[float]:
        """``n`` sorted instants (days into the period) spread over a random span."""
        rng = self.rng
        span = span if span is not None else rng.uniform(3, PERIOD_DAYS)
        start = rng.uniform(0, PERIOD_DAYS - span)
        return sorted(start + rng.uniform(0, span) for _ in range(n))


def _persona_name(rng: Random, lex: Lexicon) -> str:
    return rng.choice(lex.names) if rng.random() < 0.8 else rng.choice(SHARED_NAMES)


def _site_extras(
    rng: Random, site: Site, when: datetime, age: int | None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Unknown fields the site's scraper adds; each is missing now and then."""
    out: dict[str, Any] = {}
    for name in site.extras:
        if rng.random() > 0.85:
            continue
        if name == "category":
            out[name] = {
                "escort": rng.choice(("escorts", "female-escorts", "companions")),
                "massage": rng.choice(("body-rubs", "massage")),
                "dating": "dating",
                "jobs": rng.choice(("jobs", "jobs/general", "jobs/hospitality")),
            }[site.style]
        elif name == "age_field" and age is not None:
            out[name] = str(age)
        elif name == "scraper_version":
            out[name] = "2.3.1" if when.day < 15 else "2.4.0"
        elif name == "salary_field" and extra and "pay" in extra:
            out[name] = extra["pay"]
    return out


def _with_site_footer(rng: Random, site: Site, body: str) -> str:
    if site.footer and rng.random() < 0.4:
        return f"{body}\n\n{site.footer}"
    return body


# --- independents ---------------------------------------------------------------------


class Independent(Actor):
    """One person advertising herself: own phone, own words, mostly one city."""

    kind = "independent"

    def __init__(self, world: World, size: int) -> None:
        super().__init__(world, size)
        rng = self.rng
        self.city = pick_city(rng)
        self.lang = pick_language(rng, self.city)
        self.lex = LEXICONS[self.lang]
        self.style = rng.choices(("escort", "massage", "dating"), (0.5, 0.2, 0.3))[0]
        sites = SITES_BY_STYLE[self.style]
        self.sites = rng.sample(sites, min(len(sites), rng.randint(1, 2)))
        self.name = _persona_name(rng, self.lex)
        self.age = rng.randint(21, 39)
        self.states_age = rng.random() < 0.75
        self.obfuscation = rng.choices((0.0, 0.1, 0.25, 0.5), (0.35, 0.35, 0.2, 0.1))[0]
        self.contacts: list[Contact] = []
        if rng.random() < (0.5 if self.style == "dating" else 0.92):
            self.contacts.append(new_phone(world, self.city)[1])
        if rng.random() < 0.2:
            self.contacts.append(world.identities.email(self.name, self.lang, rng))
        if rng.random() < (0.7 if self.style == "dating" else 0.3) or not self.contacts:
            self.contacts.append(world.identities.handle(self.name, rng))
        times = self.schedule_spread(size)
        self.tour: City | None = None
        if size >= 2 and rng.random() < 0.1:
            self.tour = pick_city(rng, self.city.country, self.lang)
        self.cities = [
            self.tour if self.tour is not None and i >= size // 2 else self.city
            for i in range(size)
        ]
        self.times = times
        self.my_photos = self.new_photos(rng.randint(1, 3)) if world.wants_images(rng, 0.45) else []

    def make(self, index: int) -> Draft:
        rng, lex = self.rng, self.lex
        city = self.cities[index]
        when = self.world.at(self.times[index])
        site = rng.choice(self.sites)
        slots = Slots(rng, lex, city, when, name=self.name, age=self.age)
        shown = _show_some(rng, self.contacts, self.lang, self.obfuscation)
        extra: list[str] = []
        cues: list[str] = []
        if city is self.tour and rng.random() < 0.6:
            # Touring independents say "new in town" too: the cue alone is not trafficking.
            tag = rng.choice(("new_in_town", "just_arrived", "limited_time"))
            extra.append(fill(rng.choice(lex.cues[tag]), slots))
            cues.append(tag)
        lines = [_line_for(rng, lex, s, contact) for s, contact in shown]
        title, body = personal_ad(
            rng,
            lex,
            self.style,
            slots,
            contact_lines=lines,
            extra_lines=extra,
            stated_age=self.states_age,
        )
        images = (
            self.image_uses(self.my_photos, rng.choice((0, 1, 1, 2, 3)), site)
            if self.my_photos
            else []
        )
        age_field = "age_field" in site.extras
        return Draft(
            site=site,
            posted_at=when,
            city=city,
            language=self.lang,
            title=title,
            body=_with_site_footer(rng, site, body),
            contacts=[s.truth for s, _ in shown],
            images=images,
            persona=self.name,
            age=self.age if self.states_age or age_field else None,
            cues=cues,
            location=location(rng, city),
            extras=_site_extras(rng, site, when, self.age if age_field else None),
        )


def _show_some(
    rng: Random, contacts: list[Contact], lang: str, obfuscation: float
) -> list[tuple[Shown, Contact]]:
    """Each post shows the phone and some of the other contacts, at least one."""
    shown = [
        (show_contact(rng, c, lang, obfuscation), c)
        for c in contacts
        if c.kind == "phone" or rng.random() < 0.65
    ]
    if not shown:
        shown = [(show_contact(rng, contacts[0], lang, obfuscation), contacts[0])]
    return shown


def _line_for(rng: Random, lex: Lexicon, shown: Shown, contact: Contact) -> str:
    if contact.kind == "phone":
        leads = lex.whatsapp if shown.truth["disguise"] == "wa_link" else lex.call
        return contact_line(rng, leads, shown.text)
    if contact.kind == "email":
        return contact_line(rng, lex.write, shown.text)
    return shown.text


_AGENCY_WORDS = re.compile(r"agenc|agênc|agentur", re.IGNORECASE)

# --- agencies ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Persona:
    name: str
    age: int
    handle: Contact | None = None
    photos: list[str] = field(default_factory=list)


class Agency(Actor):
    """A booking line: one hub phone across many personas, texts and cities."""

    kind = "agency"

    def __init__(self, world: World, size: int) -> None:
        super().__init__(world, size)
        rng = self.rng
        self.group = world.group_id("agency", 2)
        home = pick_city(rng)
        self.lang = pick_language(rng, home)
        self.lex = LEXICONS[self.lang]
        others = [c for c in CITIES_BY_COUNTRY[home.country] if c.speaks(self.lang) and c != home]
        self.cities = [home, *rng.sample(others, min(len(others), rng.randint(1, 5)))]
        self.hub = new_phone(world, home)[1]
        world.hubs.setdefault(home.country, []).append(self.hub)
        self.name = world.unique_name(rng.choice(self.lex.agency_names))
        names = list(dict.fromkeys(_persona_name(rng, self.lex) for _ in range(40)))
        count = min(len(names), rng.randint(4, 20), max(2, size))
        self.staff = [_Persona(n, rng.randint(20, 34)) for n in names[:count]]
        with_images = world.wants_images(rng, 0.6)
        for persona in self.staff:
            if rng.random() < 0.3:
                persona.handle = world.identities.handle(persona.name, rng, "instagram")
            if with_images:
                persona.photos = self.new_photos(1)
        order = list(range(len(self.staff)))
        rng.shuffle(order)
        self.assign = [
            order[i] if i < len(order) else rng.randrange(len(order)) for i in range(size)
        ]
        self.times = self.schedule_spread(size, span=rng.uniform(20, PERIOD_DAYS))
        weights = [3.0] + [1.0] * (len(self.cities) - 1)
        self.where = [rng.choices(self.cities, weights)[0] for _ in range(size)]
        self.sites = rng.sample(
            SITES_BY_STYLE["escort"] + SITES_BY_STYLE["massage"], rng.randint(1, 3)
        )
        self.obfuscation = rng.choice((0.0, 0.0, 0.05, 0.1))
        self.desc = tuple(line for line in self.lex.desc if not _AGENCY_WORDS.search(line))

    def make(self, index: int) -> Draft:
        rng, lex = self.rng, self.lex
        persona = self.staff[self.assign[index]]
        city = self.where[index]
        when = self.world.at(self.times[index])
        site = rng.choice(self.sites)
        slots = Slots(rng, lex, city, when, name=persona.name, age=persona.age)
        slots["agency"] = self.name
        shown = [(show_contact(rng, self.hub, self.lang, self.obfuscation), self.hub)]
        if persona.handle is not None and rng.random() < 0.4:
            shown.append((show_contact(rng, persona.handle, self.lang, 0.1), persona.handle))
        lines = [fill(s, slots) for s in rng.sample(lex.agency_lines, rng.randint(1, 3))]
        lines += [fill(s, slots) for s in rng.sample(self.desc, rng.randint(1, 2))]
        if rng.random() < 0.5:
            lines.append(fill(rng.choice(lex.rates), slots))
        rng.shuffle(lines)
        # The fifth agency line of every language is the "many ladies available" one.
        many = fill(lex.agency_lines[4], slots)
        cues = ["multiple_providers"] if many in lines else []
        contact_lines = [_line_for(rng, lex, s, c) for s, c in shown]
        body = joiner(rng).join(lines) + "\n" + "\n".join(contact_lines)
        images = self.image_uses(persona.photos, 1, site) if persona.photos else []
        return Draft(
            site=site,
            posted_at=when,
            city=city,
            language=self.lang,
            title=fill(rng.choice(lex.agency_titles), slots),
            body=_with_site_footer(rng, site, body),
            contacts=[s.truth for s, _ in shown],
            images=images,
            persona=persona.name,
            age=persona.age,
            cues=cues,
            location=location(rng, city),
            extras=_site_extras(rng, site, when, persona.age),
        )

    def personas(self) -> list[str]:
        seen = dict.fromkeys(self.staff[i].name for i in self.assign[: self.emitted])
        return list(seen)

    def poster_of(self, draft: Draft, index: int) -> str | None:
        """A booking line advertises unrelated women: each persona is her own poster."""
        return f"{self.group}/{draft.persona}"

    def group_extra(self) -> dict[str, Any]:
        return {"agency": self.name, "hub": self.hub.value}


# --- spam boilerplate ---------------------------------------------------------------------


class Spam(Actor):
    """One boilerplate paragraph pasted into the ads of many unrelated posters.

    Each post is a different poster with her own contacts: the shared text is
    the only thing the posts have in common, and it must not make a network.
    """

    kind = "spam"

    def __init__(self, world: World, size: int) -> None:
        super().__init__(world, size)
        rng = self.rng
        self.group = world.group_id("spam", 2)
        self.home = pick_city(rng)
        self.lang = pick_language(rng, self.home)
        self.lex = LEXICONS[self.lang]
        brand = world.unique_name(rng.choice(SPAM_BRANDS_A) + rng.choice(SPAM_BRANDS_B))
        sentences = rng.sample(
            self.lex.spam_sentences, rng.randint(4, min(6, len(self.lex.spam_sentences)))
        )
        self.boilerplate = " ".join(s.format(brand=brand) for s in sentences)
        self.brand = brand
        self.sites = rng.sample(
            SITES_BY_STYLE["escort"] + SITES_BY_STYLE["dating"], rng.randint(1, 2)
        )
        self.times = self.schedule_spread(size)
        self.posters: list[str] = []

    def make(self, index: int) -> Draft:
        rng, lex, world = self.rng, self.lex, self.world
        city = pick_city(rng, self.home.country, self.lang)
        when = world.at(self.times[index])
        site = rng.choice(self.sites)
        name = _persona_name(rng, lex)
        age = rng.randint(20, 38)
        if rng.random() < 0.75:
            contact = new_phone(world, city)[1]
        elif rng.random() < 0.5:
            contact = world.identities.email(name, self.lang, rng)
        else:
            contact = world.identities.handle(name, rng)
        shown = show_contact(rng, contact, self.lang, rng.choice((0.0, 0.1, 0.3)))
        slots = Slots(rng, lex, city, when, name=name, age=age)
        style = "dating" if site.style == "dating" else "escort"
        title, body = personal_ad(
            rng,
            lex,
            style,
            slots,
            contact_lines=[_line_for(rng, lex, shown, contact)],
            extra_lines=[],
            stated_age=True,
        )
        if rng.random() < 0.75:
            body = f"{body}\n\n{self.boilerplate}"
        else:
            body = f"{self.boilerplate}\n\n{body}"
        self.posters.append(name)
        return Draft(
            site=site,
            posted_at=when,
            city=city,
            language=self.lang,
            title=title,
            body=body,
            contacts=[shown.truth],
            images=[],
            persona=name,
            age=age,
            location=location(rng, city),
            extras=_site_extras(rng, site, when, age),
        )

    def personas(self) -> list[str]:
        return self.posters

    def poster_of(self, draft: Draft, index: int) -> str | None:
        """Every spam post is a different poster who pasted the same paragraph."""
        return None

    def group_extra(self) -> dict[str, Any]:
        return {"brand": self.brand, "boilerplate": self.boilerplate}


# --- trafficking networks -------------------------------------------------------------------


def _network_template(rng: Random, lex: Lexicon, youth: bool, has_handle: bool) -> Template:
    title = rng.choice(lex.tr_titles)
    third = rng.random() < 0.7
    lines: list[Line] = []
    if rng.random() < 0.5:
        lines.append(Line(f"{rng.choice(lex.tr_signature)} {{e}}", (), 0.8))
    intro = rng.choice(lex.tr_intro_third if third else lex.tr_intro_first)
    lines.append(Line(intro, ("third_person",) if third else (), 1.0))
    tags = [rng.choice(("new_in_town", "just_arrived"))]
    if rng.random() < (0.85 if youth else 0.2):
        tags.append("youth")
    others = [t for t in lex.cues if t not in tags and t != "youth"]
    tags += rng.sample(others, rng.randint(1, 4))
    middle = [Line(rng.choice(lex.cues[t]), (t,), rng.uniform(0.45, 0.95)) for t in tags]
    if rng.random() < 0.6:
        middle.append(Line(rng.choice(lex.desc), (), 0.5))
    middle.append(Line(rng.choice(lex.tr_price), (), 0.85))
    rng.shuffle(middle)
    lines += middle
    lines.append(Line(rng.choice(lex.tr_contact), (), 1.0))
    if has_handle:
        lines.append(Line("{handle}", (), 0.6))
    sep = rng.choice(("\n", "\n", " ", " ✨ ", " | ", "\n\n"))
    return Template(title, tuple(lines), sep)


class Network(Actor):
    """A trafficking network: personas, rotating phones, a template, a circuit of cities."""

    kind = "trafficking"

    def __init__(self, world: World, size: int) -> None:
        super().__init__(world, size)
        rng = self.rng
        self.group = world.group_id("net", 4)
        home = pick_city(rng)
        self.lang = pick_language(rng, home)
        self.lex = LEXICONS[self.lang]
        self.stints = self._circuit(home, size)
        self.timeline = self._timeline()
        youth = rng.random() < 0.6
        names = list(dict.fromkeys(_persona_name(rng, self.lex) for _ in range(30)))
        count = min(len(names), rng.randint(2, 6), max(2, size // 2))
        self.staff = [
            _Persona(n, rng.randint(18, 21) if youth or rng.random() < 0.3 else rng.randint(22, 27))
            for n in names[:count]
        ]
        n_phones = rng.randint(2, max(2, min(4, size // 3)))
        self.phone_contacts = [new_phone(world, home)[1] for _ in range(n_phones)]
        self.handle = (
            world.identities.handle(self.staff[0].name, rng, rng.choice(("telegram", "snapchat")))
            if rng.random() < 0.3
            else None
        )
        hubs = world.hubs.get(home.country, [])
        self.hub = rng.choice(hubs) if hubs and rng.random() < 0.2 else None
        self.template = _network_template(rng, self.lex, youth, self.handle is not None)
        self.obfuscation = rng.uniform(0.15, 0.7)
        self.emoji = rng.choice(EMOJI)
        self.sites = rng.sample(
            SITES_BY_STYLE["escort"] + SITES_BY_STYLE["massage"], rng.randint(1, 3)
        )
        order = list(range(len(self.staff)))
        rng.shuffle(order)
        self.assign = [
            order[i] if i < len(order) else rng.randrange(len(order)) for i in range(size)
        ]
        rng.shuffle(self.assign)
        self.first_post = {p: self.assign.index(p) for p in set(self.assign)}
        if world.wants_images(rng, 1.0):
            photos = self.new_photos(rng.randint(max(2, count - 1), count + 3))
            if photos:
                shared = photos[0]
                for persona in self.staff:
                    own = rng.sample(photos[1:], min(len(photos) - 1, rng.randint(1, 2)))
                    persona.photos = [shared, *own]

    def _circuit(self, home: City, size: int) -> list[tuple[City, float, float, int]]:
        """Stints ``(city, first day, length in days, posts)`` in order of movement."""
        rng = self.rng
        country = CITIES_BY_COUNTRY[home.country]
        pool = [c for c in country if c.speaks(self.lang) and c != home]
        pool = pool or [c for c in country if c != home]
        if self.lang == "en" and home.country in ("US", "CA") and rng.random() < 0.15:
            other = "CA" if home.country == "US" else "US"
            pool += [c for c in CITIES_BY_COUNTRY[other] if c.speaks("en")]
        k = 2 if size < 10 else rng.randint(2, 4)
        cities = [home, *rng.sample(pool, min(len(pool), k - 1))]
        if len(cities) >= 3 and size >= 15 and rng.random() < 0.35:
            cities.append(home)  # a circuit comes back
        counts = [1] * len(cities)
        for _ in range(size - len(cities)):
            counts[rng.randrange(len(cities))] += 1
        per_day = rng.uniform(1.5, 4.5)
        days = [max(1, round(n / per_day)) + rng.randint(0, 2) for n in counts]
        while sum(days) > PERIOD_DAYS - 2:
            days = [max(1, d - 1) for d in days]
        day = rng.uniform(0, PERIOD_DAYS - 1 - sum(days))
        stints = []
        for city, n, length in zip(cities, counts, days, strict=True):
            stints.append((city, day, float(length), n))
            day += length + rng.uniform(0, 1)  # travel
        return stints

    def _timeline(self) -> list[tuple[City, float]]:
        """Post instants spread over each stint, stint after stint (never overlapping)."""
        out: list[tuple[City, float]] = []
        for city, first, length, n in self.stints:
            days = sorted(first + self.rng.uniform(0, length) for _ in range(n))
            out.extend((city, day) for day in days)
        return out

    def make(self, index: int) -> Draft:
        rng, lex, world = self.rng, self.lex, self.world
        city, day = self.timeline[index]
        when = world.at(day)
        site = rng.choice(self.sites)
        persona = self.staff[self.assign[index]]
        phase = min(len(self.phone_contacts) - 1, index * len(self.phone_contacts) // self.size)
        phones = [self.phone_contacts[phase]]
        if rng.random() < 0.3 and len(self.phone_contacts) > 1:
            neighbour = phase - 1 if phase > 0 else phase + 1
            phones.append(self.phone_contacts[neighbour])
        shown = [show_contact(rng, p, self.lang, self.obfuscation) for p in phones]
        contacts = [s.truth for s in shown]
        # Not "/" or "-": phone matchers read those as part of a number.
        contact_text = rng.choice((" | ", " • ", "\n")).join(s.text for s in shown)
        slots = Slots(rng, lex, city, when, name=persona.name, age=persona.age, emoji=self.emoji)
        if self.hub is not None and rng.random() < 0.35:
            hub = show_contact(rng, self.hub, self.lang, 0.0)
            contact_text = f"{contact_text} | {hub.text}"
            contacts.append(hub.truth)
        slots["contact"] = contact_text
        handle = (
            show_contact(rng, self.handle, self.lang, self.obfuscation)
            if self.handle is not None
            else None
        )
        if handle is not None:
            slots["handle"] = handle.text
        title, body, line_cues = self.template.render(rng, slots)
        if handle is not None and handle.text in body:
            contacts.append(handle.truth)
        cues = list(dict.fromkeys((*title_cues(self.template.title), *line_cues)))
        images: list[ImageUse] = []
        if persona.photos:
            first = self.first_post[self.assign[index]] == index
            count = rng.randint(1, 4)
            images = self.image_uses(persona.photos[1:], count - 1, site) if count > 1 else []
            if first or rng.random() < 0.6:
                images.insert(0, self.image_uses(persona.photos[:1], 1, site)[0])
        return Draft(
            site=site,
            posted_at=when,
            city=city,
            language=self.lang,
            title=title,
            body=body,
            contacts=contacts,
            images=images,
            persona=persona.name,
            age=persona.age,
            cues=cues,
            location=location(rng, city),
            extras=_site_extras(rng, site, when, persona.age),
        )

    def personas(self) -> list[str]:
        return list(dict.fromkeys(self.staff[i].name for i in self.assign[: self.emitted]))

    def group_cities(self) -> list[str]:
        """Cities in order of movement; a circuit that comes back lists a city again."""
        return self.cities_seen

    def group_extra(self) -> dict[str, Any]:
        return {
            "stints": [
                {
                    "city": c.name,
                    "country": c.country,
                    "from": self.world.at(first).isoformat(),
                    "posts": n,
                }
                for c, first, _, n in self.stints
            ],
            "template": {"title": self.template.title, "body": self.template.skeleton()},
            "hub": self.hub.value if self.hub is not None else None,
            "ages": {p.name: p.age for p in self.staff},
        }


# --- jobs ---------------------------------------------------------------------------------

_MAILBOXES = {
    "en": ("jobs", "careers", "hr", "hiring"),
    "es": ("empleo", "rrhh", "seleccion"),
    "fr": ("recrutement", "rh", "emploi"),
    "pt": ("vagas", "rh", "curriculos"),
    "de": ("jobs", "bewerbung", "personal"),
}


def _pay(rng: Random, country: str, lang: str) -> str:
    cents = rng.choice(("00", "25", "50", "75"))
    if country in ("US", "CA"):
        hourly = rng.randint(15, 27)
        return f"{hourly},{cents} $/h" if lang == "fr" else f"${hourly}.{cents}/hr"
    if country == "GB":
        return rng.choice(
            (
                f"£{rng.randint(11, 15)}.{cents} per hour",
                f"£{rng.randrange(22, 32)},{rng.choice(('000', '500'))} per year",
            )
        )
    if country == "FR":
        return f"{rng.randrange(1800, 2400, 50):,} € brut/mois".replace(",", " ")
    if country == "ES":
        return f"{rng.randrange(1200, 1900, 50):,} € brutos/mes".replace(",", ".")
    if country == "DE":
        return rng.choice(
            (
                f"{rng.randint(13, 18)},{cents} €/Std.",
                f"{rng.randrange(2200, 3200, 100):,} € brutto/Monat".replace(",", "."),
            )
        )
    if country == "MX":
        return f"${rng.randrange(8000, 16000, 500):,} mensuales"
    return f"R$ {rng.randrange(1500, 3200, 100):,},00".replace(",", ".", 1)


def _big_pay(rng: Random, lang: str) -> str:
    amount = rng.randrange(4000, 12000, 500)
    return {
        "en": f"${amount:,} per {rng.choice(('week', 'month'))}",
        "es": f"{amount:,} € al mes".replace(",", "."),
        "fr": f"{amount:,} € par mois".replace(",", " "),
        "pt": f"US$ {amount:,} por mês".replace(",", "."),
        "de": f"{amount:,} € netto im Monat".replace(",", "."),
    }[lang]


def _fee(rng: Random, country: str) -> str:
    amount = rng.randrange(100, 600, 50)
    if country == "MX":
        return f"${amount * 15:,} MXN"
    if country == "BR":
        return f"R$ {amount * 4}"
    if country in ("US", "CA"):
        return f"${amount}"
    if country == "GB":
        return f"£{amount}"
    return f"{amount} €"


class JobLegit(Actor):
    """An employer posting honest jobs: company mailbox, realistic pay, requirements."""

    kind = "job_legit"

    def __init__(self, world: World, size: int) -> None:
        super().__init__(world, size)
        rng = self.rng
        self.city = pick_city(rng)
        self.lang = pick_language(rng, self.city)
        self.lex = LEXICONS[self.lang]
        self.company = rng.choice(self.lex.companies)
        domain = world.unique_name(make_slug(self.company)) + ".example"
        self.email = world.identities.company_email(rng.choice(_MAILBOXES[self.lang]), domain)
        self.phone = new_phone(world, self.city)[1] if rng.random() < 0.35 else None
        self.times = self.schedule_spread(size)
        self.sites = (
            [SITES_BY_STYLE["jobs"][0]] if rng.random() < 0.8 else list(SITES_BY_STYLE["jobs"])
        )

    def make(self, index: int) -> Draft:
        rng, lex = self.rng, self.lex
        city = self.city
        when = self.world.at(self.times[index])
        site = rng.choice(self.sites)
        pay = _pay(rng, city.country, self.lang)
        slots = _job_slots(rng, lex, city, when)
        slots.update(
            company=self.company,
            pay=pay,
            position=rng.choice(lex.job_positions),
            schedule=rng.choice(lex.job_schedule),
            reqs=", ".join(rng.sample(lex.job_reqs, rng.randint(1, 3))),
            benefits=", ".join(rng.sample(lex.job_benefits, rng.randint(1, 3))),
        )
        lines = [fill(rng.choice(lex.job_intro), slots)]
        # The first job line of every language is the pay line, always given.
        lines += [fill(s, slots) for s in lex.job_lines[:1]]
        lines += [fill(s, slots) for s in lex.job_lines[1:] if rng.random() < 0.6]
        shown = [show_contact(rng, self.email, self.lang, 0.03)]
        if self.phone is not None and rng.random() < 0.7:
            shown.append(show_contact(rng, self.phone, self.lang, 0.02))
        for item in shown:
            pattern = rng.choice(lex.job_apply if item.truth["kind"] == "email" else lex.job_call)
            lines.append(fill(pattern, {**slots, "contact": item.text}))
        return Draft(
            site=site,
            posted_at=when,
            city=city,
            language=self.lang,
            title=fill(rng.choice(lex.job_titles), slots),
            body=joiner(rng).join(lines),
            contacts=[s.truth for s in shown],
            images=[],
            persona=None,
            age=None,
            location=location(rng, city),
            extras=_site_extras(rng, site, when, None, {"pay": pay}),
        )


def _job_slots(rng: Random, lex: Lexicon, city: City, when: datetime) -> dict[str, str]:
    return {
        "city": city.written[0] if rng.random() < 0.7 else rng.choice(city.written),
        "hood": rng.choice(city.hoods),
        "e": rng.choice(("✈️", "🌍", "💰", "🔥", "⭐")),
        "date": date_text(when, city.country, lex.lang),
        "ref": f"{rng.randrange(10_000, 10_000_000)}",
    }


class JobFraud(Actor):
    """Recruitment fraud: fees, visas, housing, passports, WhatsApp, shared contacts."""

    kind = "job_fraud"

    def __init__(self, world: World, size: int) -> None:
        super().__init__(world, size)
        rng = self.rng
        self.group = world.group_id("jobfraud", 2)
        self.lang = rng.choices(("es", "en", "pt", "fr", "de"), (0.35, 0.25, 0.2, 0.1, 0.1))[0]
        home = pick_city(rng, None, self.lang)
        self.lex = LEXICONS[self.lang]
        others = [c for c in CITIES_BY_COUNTRY[home.country] if c.speaks(self.lang) and c != home]
        self.cities = [home, *rng.sample(others, min(len(others), rng.randint(0, 2)))]
        self.phone_contacts = [new_phone(world, home)[1] for _ in range(rng.randint(1, 2))]
        self.email = (
            world.identities.email(rng.choice(("agency", "jobs", "info", "work")), self.lang, rng)
            if rng.random() < 0.5
            else None
        )
        self.dests = rng.sample(self.lex.destinations, 2)
        lex = self.lex
        self.title = rng.choice(lex.fraud_titles)
        tags = [
            "unrealistic_pay",
            *rng.sample([t for t in lex.fraud_cues if t != "unrealistic_pay"], rng.randint(3, 6)),
        ]
        self.lines = tuple(
            Line(rng.choice(lex.fraud_cues[t]), (t,), rng.uniform(0.5, 0.95)) for t in tags
        )
        self.contact_pattern = rng.choice(lex.fraud_contact)
        self.obfuscation = rng.uniform(0.1, 0.4)
        self.international = rng.random() < 0.6
        self.times = self.schedule_spread(size)
        self.sites = rng.sample(SITES_BY_STYLE["jobs"], rng.randint(1, 2))

    def make(self, index: int) -> Draft:
        rng, lex = self.rng, self.lex
        city = rng.choice(self.cities)
        when = self.world.at(self.times[index])
        site = rng.choice(self.sites)
        slots = _job_slots(rng, lex, city, when)
        slots.update(
            position=rng.choice(lex.fraud_positions),
            dest=rng.choice(self.dests),
            bigpay=_big_pay(rng, self.lang),
            fee=_fee(rng, city.country),
            count=str(rng.randint(5, 60)),
        )
        body: list[str] = []
        cues: list[str] = []
        for line in self.lines:
            if rng.random() < line.chance:
                body.append(fill(line.pattern, slots))
                cues.extend(line.tags)
        phone = rng.choice(self.phone_contacts)
        shown = [
            show_contact(rng, phone, self.lang, self.obfuscation, international=self.international)
        ]
        body.append(fill(self.contact_pattern, {**slots, "contact": shown[0].text}))
        if self.email is not None and rng.random() < 0.6:
            mail = show_contact(rng, self.email, self.lang, self.obfuscation)
            body.append(contact_line(rng, lex.write, mail.text))
            shown.append(mail)
        if any(t in self.title.lower() for t in ("visa", "visum", "visto")):
            cues.append("visa")
        return Draft(
            site=site,
            posted_at=when,
            city=city,
            language=self.lang,
            title=fill(self.title, slots),
            body=joiner(rng).join(body),
            contacts=[s.truth for s in shown],
            images=[],
            persona=None,
            age=None,
            cues=list(dict.fromkeys(cues)),
            location=location(rng, city),
            extras=_site_extras(rng, site, when, None, {"pay": slots["bigpay"]}),
        )

    def group_extra(self) -> dict[str, Any]:
        return {
            "destinations": self.dests,
            "template": {
                "title": self.title,
                "body": "\n".join(line.pattern for line in self.lines),
            },
        }


ACTORS: dict[str, type[Actor]] = {
    "independent": Independent,
    "agency": Agency,
    "spam": Spam,
    "trafficking": Network,
    "job_legit": JobLegit,
    "job_fraud": JobFraud,
}

MIN_SIZE = {
    "independent": 1,
    "agency": 5,
    "spam": 3,
    "trafficking": 5,
    "job_legit": 1,
    "job_fraud": 3,
}


def draw_size(rng: Random, kind: str) -> int:
    """How many posts a new actor of ``kind`` writes."""
    if kind == "independent":
        return rng.choices((1, 2, 3, 4, 5, 6, 8), (30, 25, 15, 10, 8, 7, 5))[0]
    if kind == "agency":
        return rng.randint(12, 80)
    if kind == "spam":
        return rng.randint(10, 60)
    if kind == "trafficking":
        return round(rng.triangular(5, 60, 12))
    if kind == "job_legit":
        return rng.choices((1, 2, 3, 4), (50, 25, 15, 10))[0]
    return rng.randint(3, 25)
