"""Phone numbers that are valid for their country and, wherever possible, fictional.

Extraction is measured with ``phonenumbers``, so every number must pass
``is_valid_number``; and no real person's number may appear in the corpus, so
numbers come from ranges regulators reserve for drama where ``phonenumbers``
accepts them:

* North America: ``NXX-555-0100`` to ``0199`` in every area code;
* United Kingdom: Ofcom's drama ranges (``020 7946 0xxx``, ``0161 496 0xxx``, ...);
* France: ARCEP's fiction numbers (``01 99 00 xx xx``, ``04 65 71 xx xx``, ...);
* Germany: the Bundesnetzagentur's film and TV numbers (``030 23125 xxx``, ...).

Spain, Mexico and Brazil have no such range that we know of; their numbers are
generated valid mobiles and flagged ``fictional=False``. When a country's
reserved ranges run out (only in corpora of a few hundred thousand posts and
more), further numbers are generated valid numbers too, again flagged: 555
numbers outside 01XX in North America, mobiles elsewhere.

Every number is handed out once per corpus, so two unrelated posters never share
a phone by accident: a shared phone in the ground truth is always a real link.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from random import Random

import phonenumbers

from tracelight.synth.places import City


@dataclass(frozen=True, slots=True)
class Phone:
    """One number in the forms people write it."""

    e164: str
    region: str
    national: str
    international: str
    fictional: bool

    @property
    def calling_code(self) -> str:
        return self.international.split(" ", 1)[0]


# Non-geographic UK drama numbers: freephone, premium and UK-wide.
_GB_EXTRA = ("08081570", "09098790", "03069990")
_FR_BLOCKS = ("019900", "026191", "035301", "046571", "053649")
_DE_BLOCKS = ("03023125", "04066969", "08999998", "02214710", "06990009")
_NANP_EXCLUDED = frozenset({"1212", "4334"})  # directory assistance and similar


@dataclass(slots=True)
class _Block:
    """A reserved range walked in a seeded order (an affine permutation).

    ``start + step * k mod size`` visits every number once with O(1) state, so a
    million-post corpus needs no set of used numbers for reserved ranges.
    """

    prefix: str
    width: int
    size: int
    region: str
    start: int
    step: int
    taken: int = 0
    sample: Phone | None = None

    def take(self) -> str | None:
        if self.taken >= self.size:
            return None
        index = (self.start + self.step * self.taken) % self.size
        self.taken += 1
        return f"{self.prefix}{index:0{self.width}d}"


@functools.cache
def _nanp_area_codes() -> dict[str, tuple[str, ...]]:
    """Area codes whose 555-01XX numbers ``phonenumbers`` accepts, per region."""
    out: dict[str, list[str]] = {"US": [], "CA": []}
    for area in range(200, 1000):
        number = phonenumbers.parse(f"+1{area}5550150")
        if not phonenumbers.is_valid_number(number):
            continue
        region = phonenumbers.region_code_for_number(number)
        if region in out:
            out[region].append(str(area))
    return {region: tuple(codes) for region, codes in out.items()}


def _coprime_step(rng: Random, size: int) -> int:
    while True:
        step = rng.randrange(1, size)
        if step % 2 and step % 5:
            return step


class PhoneBook:
    """Hands out unique numbers per city, falling back to the whole country."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._by_key: dict[tuple[str, str], list[_Block]] = {}
        self._by_region: dict[str, list[_Block]] = {}
        self._used_overflow: set[str] = set()
        self.allocated = 0
        self.outside_reserved = 0
        areas = _nanp_area_codes()
        for region, codes in areas.items():
            for code in codes:
                self._add(region, code, f"{code}55501", 2, 100)
        for prefix in (
            "02079460",
            "01614960",
            "01214960",
            "01134960",
            "01414960",
            "01514960",
            "01174960",
            "01144960",
            "01164960",
            "01184960",
            "01314960",
            "01914980",
            "02920180",
            *_GB_EXTRA,
        ):
            self._add("GB", prefix, prefix, 3, 1000)
        self._add("GB", "02896496", "02896496", 3, 1000)
        for prefix in _FR_BLOCKS:
            self._add("FR", prefix, prefix, 4, 10_000)
        for prefix in _DE_BLOCKS:
            self._add("DE", prefix, prefix, 3, 1000)
        for blocks in self._by_region.values():
            rng.shuffle(blocks)

    def _add(self, region: str, key: str, prefix: str, width: int, size: int) -> None:
        block = _Block(
            prefix, width, size, region, self._rng.randrange(size), _coprime_step(self._rng, size)
        )
        self._by_key.setdefault((region, key), []).append(block)
        self._by_region.setdefault(region, []).append(block)

    def allocate(self, city: City) -> Phone:
        """A number never handed out before, local to ``city`` when possible."""
        self.allocated += 1
        region = city.country
        keys = list(city.phone_keys)
        self._rng.shuffle(keys)
        for key in keys:
            for block in self._by_key.get((region, key), ()):
                national = block.take()
                if national is not None:
                    return _from_block(block, national)
        blocks = self._by_region.get(region, [])
        while blocks:
            national = blocks[-1].take()
            if national is not None:
                return _from_block(blocks[-1], national)
            blocks.pop()
        return self._overflow(city)

    def _overflow(self, city: City) -> Phone:
        """A generated valid number, unique in this corpus but not from a reserved range."""
        region = city.country
        key = self._rng.choice(city.phone_keys)
        rng = self._rng
        for _ in range(1000):
            if region in ("US", "CA"):
                tail = f"{rng.randrange(200, 10_000):04d}"
                if tail in _NANP_EXCLUDED:
                    continue
                # Local area code when possible; any of the country's once those fill up.
                area = key if rng.random() < 0.5 else rng.choice(_nanp_area_codes()[region])
                national = f"{area}555{tail}"
            elif region == "ES":
                national = f"6{rng.randrange(10**8):08d}"
            elif region == "MX":
                national = key + "".join(str(rng.randrange(10)) for _ in range(10 - len(key)))
            elif region == "BR":
                national = f"{key}9{rng.randrange(6, 10)}{rng.randrange(10**7):07d}"
            elif region == "GB":
                national = f"07{rng.choice('45789')}{rng.randrange(10**8):08d}"
            elif region == "FR":
                national = f"0{rng.choice('67')}{rng.randrange(10**8):08d}"
            else:  # DE
                national = f"01{rng.choice('567')}{rng.randrange(10):d}{rng.randrange(10**7):07d}"
            if national in self._used_overflow:
                continue
            phone = _make(national, region, fictional=False)
            if phone is not None:
                self._used_overflow.add(national)
                self.outside_reserved += 1
                return phone
        raise RuntimeError(f"could not generate a unique valid number for {region}")


def _make(national: str, region: str, *, fictional: bool) -> Phone | None:
    number = phonenumbers.parse(national, region)
    if not phonenumbers.is_valid_number(number):
        return None
    fmt = phonenumbers.PhoneNumberFormat
    return Phone(
        e164=phonenumbers.format_number(number, fmt.E164),
        region=region,
        national=phonenumbers.format_number(number, fmt.NATIONAL),
        international=phonenumbers.format_number(number, fmt.INTERNATIONAL),
        fictional=fictional,
    )


def _substitute(written: str, digits: str) -> str:
    """``written`` with its digits replaced, in order, by ``digits`` (same count)."""
    feed = iter(digits)
    return "".join(next(feed) if ch.isdigit() else ch for ch in written)


def _from_block(block: _Block, national: str) -> Phone:
    """A reserved number, formatted like the block's first (checked) number.

    Numbers of one block share length and leading digits, so ``phonenumbers``
    validates and formats them alike; parsing only the first keeps allocation
    cheap. The tests re-validate every number of a generated corpus.
    """
    sample = block.sample
    if sample is None:
        block.sample = _reserved(national, block.region)
        return block.sample
    nsn_len = len(sample.e164) - len(sample.calling_code)
    nsn = national[len(national) - nsn_len :]
    return Phone(
        e164=f"{sample.calling_code}{nsn}",
        region=sample.region,
        national=_substitute(
            sample.national, national[-sum(c.isdigit() for c in sample.national) :]
        ),
        international=_substitute(sample.international, sample.calling_code[1:] + nsn),
        fictional=True,
    )


def _reserved(national: str, region: str) -> Phone:
    phone = _make(national, region, fictional=True)
    if phone is None:  # the ranges above were checked; a new phonenumbers may disagree
        raise RuntimeError(f"reserved number {national} is not valid for {region}")
    return phone
