"""Turning patterns and slots into ad text, with the numeric decoys of real ads.

Real ads are full of numbers that are not phones: prices (``200 roses``,
``$150/hr``), times (``10pm``), dates, body measurements (``34-24-36``), heights
(``5'6``), reference ids and postcodes. They are written here in each country's
conventions so an extractor's false positives can be measured on the corpus.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from random import Random

from tracelight.synth.places import COUNTRY, City
from tracelight.synth.vocab import EMOJI, Lexicon


def city_text(rng: Random, city: City) -> str:
    """The city as a poster writes it: mostly its usual name, sometimes a short form."""
    if rng.random() < 0.55:
        return city.written[0]
    return rng.choice(city.written)


def location(rng: Random, city: City) -> str:
    """The ``location`` field: city as written, sometimes with a neighbourhood."""
    written = city_text(rng, city)
    roll = rng.random()
    if roll < 0.6:
        return written
    hood = rng.choice(city.hoods)
    if roll < 0.75:
        return f"{written} - {hood}"
    if roll < 0.88:
        return f"{hood}, {written}"
    return f"{written} ({hood})"


def currency(country: str, lang: str) -> str:
    """How the currency is written next to a price in this country and language."""
    if country == "MX":
        return " MXN"
    if country == "US" and lang == "es":
        return " dlls"
    return COUNTRY[country].currency


def prices(rng: Random, country: str) -> tuple[str, str, str]:
    """Quick visit, half hour and hour rates, in local magnitude."""
    low, high, step = {
        "US": (80, 300, 10),
        "CA": (100, 320, 10),
        "GB": (70, 250, 10),
        "MX": (800, 4000, 100),
        "BR": (150, 700, 50),
    }.get(country, (60, 280, 10))
    values = sorted(rng.randrange(low, high, step) for _ in range(3))
    if values[0] == values[2]:
        values[2] += step * 2
    return (f"{values[0]:,}", f"{values[1]:,}", f"{values[2]:,}")


def times(rng: Random, lang: str) -> tuple[str, str]:
    start = rng.randint(9, 14)
    end = rng.choice((22, 23, 0, 1, 2, 3, 4))
    if lang == "en":

        def fmt(hour: int) -> str:
            h12 = hour % 12 or 12
            return f"{h12}{'am' if hour < 12 else 'pm'}"

        return fmt(start), fmt(end)
    if lang == "de":
        return (
            (f"{start}:00", f"{end}:00") if rng.random() < 0.5 else (f"{start} Uhr", f"{end} Uhr")
        )
    return f"{start}h", f"{end}h"


def body_numbers(rng: Random, imperial: bool) -> tuple[str, str, str]:
    """Measurements, height and weight: numeric decoys shaped like short numbers."""
    if imperial:
        meas = f"{rng.randint(32, 38)}-{rng.randint(23, 28)}-{rng.randint(34, 40)}"
        inches = rng.randint(0, 9)
        height = rng.choice((f"5'{inches}", f"5'{inches}\"", f"5ft{inches}"))
        weight = f"{rng.randrange(100, 150, 5)} lbs"
    else:
        meas = f"{rng.randrange(84, 101, 2)}-{rng.randrange(58, 71, 2)}-{rng.randrange(86, 103, 2)}"
        cm = rng.randint(155, 178)
        height = rng.choice((f"1,{cm - 100} m", f"{cm} cm"))
        weight = f"{rng.randint(48, 68)} kg"
    return meas, height, weight


def date_text(when: datetime, country: str, lang: str) -> str:
    if country == "US":
        return (
            f"{when.month}/{when.day}/{when.year}" if lang == "en" else f"{when.day}/{when.month}"
        )
    if lang == "de":
        return f"{when.day:02d}.{when.month:02d}.{when.year}"
    return f"{when.day:02d}/{when.month:02d}/{when.year}"


def postcode(rng: Random, pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.randrange(10)))
        elif ch == "@":
            out.append(chr(ord("A") + rng.randrange(26)))
        else:
            out.append(ch)
    return "".join(out)


class Slots(dict[str, str]):
    """Slot values for one post, each drawn only when a pattern asks for it.

    Most patterns use a handful of slots, so drawing prices, measurements and
    dates for every post would be wasted work on a million-post corpus. Values
    are still deterministic: the post's ``rng`` is consumed in pattern order.
    """

    def __init__(
        self,
        rng: Random,
        lex: Lexicon,
        city: City,
        when: datetime,
        *,
        name: str = "",
        age: int | None = None,
        emoji: str | None = None,
    ) -> None:
        super().__init__(name=name, age=str(age) if age is not None else "")
        self.rng = rng
        self.lex = lex
        self.city = city
        self.when = when
        if emoji is not None:
            self["e"] = emoji

    def __missing__(self, key: str) -> str:
        rng, city, lang = self.rng, self.city, self.lex.lang
        country = city.country
        if key in ("p1", "p2", "p3"):
            self["p1"], self["p2"], self["p3"] = prices(rng, country)
        elif key == "cur":
            self["cur"] = currency(country, lang)
        elif key in ("t1", "t2"):
            self["t1"], self["t2"] = times(rng, lang)
        elif key in ("meas", "height", "weight"):
            self["meas"], self["height"], self["weight"] = body_numbers(
                rng, COUNTRY[country].imperial
            )
        elif key in ("adj", "adj2", "Adj"):
            adj, adj2 = rng.sample(self.lex.adjectives, 2)
            self["adj"], self["adj2"], self["Adj"] = adj, adj2, adj[:1].upper() + adj[1:]
        elif key in ("city", "CITY"):
            written = city_text(rng, city)
            self["city"], self["CITY"] = written, written.upper()
        elif key == "hood":
            self["hood"] = rng.choice(city.hoods)
        elif key == "e":
            self["e"] = rng.choice(EMOJI)
        elif key == "ref":
            digits = rng.randint(5, 10)
            self["ref"] = str(rng.randrange(10 ** (digits - 1), 10**digits))
        elif key == "date":
            self["date"] = date_text(self.when, country, lang)
        elif key == "zip":
            self["zip"] = postcode(rng, city.postcode)
        else:
            raise KeyError(key)
        return dict.__getitem__(self, key)


def fill(pattern: str, slots: dict[str, str]) -> str:
    return pattern.format_map(slots)


def joiner(rng: Random) -> str:
    roll = rng.random()
    return "\n" if roll < 0.55 else " " if roll < 0.9 else "\n\n"


def contact_line(rng: Random, leads: tuple[str, ...], text: str) -> str:
    """A contact as it sits in an ad: with a lead-in (``Call or text: ...``) or bare."""
    roll = rng.random()
    if roll < 0.15:
        return text
    lead = rng.choice(leads)
    return f"{lead}: {text}" if roll < 0.6 else f"{lead} {text}"


def personal_ad(
    rng: Random,
    lex: Lexicon,
    style: str,
    slots: Slots,
    *,
    contact_lines: list[str],
    extra_lines: list[str],
    stated_age: bool,
) -> tuple[str | None, str]:
    """A free-text ad (escort, massage or dating) assembled from sentence pools.

    Independent posters write differently from each other, so sentences are
    sampled and ordered per post rather than taken from one skeleton.
    """
    lines: list[str] = []
    if style == "massage":
        titles = lex.massage_titles
        if rng.random() < 0.5:
            lines.append(fill(rng.choice(lex.intro), slots))
        lines.extend(fill(s, slots) for s in rng.sample(lex.massage_lines, rng.randint(2, 4)))
    elif style == "dating":
        titles = lex.dating_titles
        lines.extend(fill(s, slots) for s in rng.sample(lex.dating_lines, rng.randint(2, 4)))
    else:
        titles = lex.ad_titles
        if rng.random() < 0.6:
            lines.append(rng.choice(lex.greet))
        intro = lex.intro_age if stated_age else lex.intro
        lines.append(fill(rng.choice(intro), slots))
        lines.extend(fill(s, slots) for s in rng.sample(lex.desc, rng.randint(1, 3)))
        for pool, chance in (
            (lex.incall, 0.7),
            (lex.avail, 0.6),
            (lex.rates, 0.6),
            (lex.stats, 0.35),
        ):
            if rng.random() < chance:
                lines.append(fill(rng.choice(pool), slots))
    for extra in extra_lines:
        lines.insert(rng.randint(0, len(lines)), extra)
    closers = [fill(c, slots) for c in rng.sample(lex.closers, rng.choice((0, 0, 1, 1, 2)))]
    sep = joiner(rng)
    # Contacts sit on their own lines: glued to "34-24-36" or a price by a space, a
    # plain number would no longer read as one number.
    parts = [sep.join(lines), "\n".join(contact_lines), sep.join(closers)]
    if not stated_age:
        titles = tuple(t for t in titles if "{age}" not in t) or titles
    title = fill(rng.choice(titles), slots) if rng.random() > 0.03 else None
    return title, "\n".join(part for part in parts if part)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a network template: a pattern, its cue tags, how often it appears."""

    pattern: str
    tags: tuple[str, ...]
    chance: float


@dataclass(frozen=True, slots=True)
class Template:
    """A network's shared ad skeleton. Slots change per post; the skeleton does not.

    ``render`` keeps line order and the joiner fixed (that is what makes the
    posts near-duplicates) while optional lines come and go, so not every post
    carries every cue.
    """

    title: str
    lines: tuple[Line, ...]
    sep: str

    def render(self, rng: Random, slots: Slots) -> tuple[str, str, list[str]]:
        body: list[str] = []
        cues: list[str] = []
        for line in self.lines:
            if line.chance >= 1.0 or rng.random() < line.chance:
                body.append(fill(line.pattern, slots))
                cues.extend(tag for tag in line.tags if tag not in cues)
        return fill(self.title, slots), self.sep.join(body), cues

    def skeleton(self) -> str:
        return self.sep.join(line.pattern for line in self.lines)


_TITLE_CUES: dict[str, tuple[str, ...]] = {
    "new_in_town": (
        "new in",
        "new girl in town",
        "fresh new girl",
        "nueva en",
        "nouvelle à",
        "nouvelle en ville",
        "novidade em",
        "nova na cidade",
        "neu in",
    ),
    "just_arrived": (
        "just arrived",
        "just landed",
        "recién llegada",
        "tout juste arrivée",
        "recém chegada",
        "gerade angekommen",
    ),
    "youth": ("young", "jovencita", "jeune", "novinha", "junge"),
    "limited_time": ("few days only", "pocos días", "quelques jours", "poucos dias", "wenige tage"),
}


def title_cues(pattern: str) -> tuple[str, ...]:
    """Indicator tags a network's title pattern carries, found by keyword."""
    lowered = pattern.lower()
    return tuple(tag for tag, words in _TITLE_CUES.items() if any(w in lowered for w in words))
