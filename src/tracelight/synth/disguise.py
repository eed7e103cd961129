"""How posters hide contacts from filters, one named function per trick.

Each disguise takes a :class:`~tracelight.synth.contacts.Contact`, an ``rng`` and
the post's language and returns the text as written in the ad, or ``None`` when
the trick does not apply to that contact (a number without a 0 or 1 cannot be
written with letters O and l). The name goes into the ground truth, so an
extractor can be scored per trick. ``plain`` disguises are the ones an ordinary
extractor is expected to find as written (``phonenumbers.PhoneNumberMatcher`` for
phones, a standard address pattern for emails, a platform label or link for
handles); the others need obfuscation-aware extraction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from random import Random
from types import MappingProxyType

from tracelight.synth.contacts import Contact
from tracelight.synth.vocab import LEXICONS, SEPARATOR_EMOJI

DisguiseFn = Callable[[Contact, Random, str], "str | None"]


@dataclass(frozen=True, slots=True)
class Disguise:
    name: str
    kind: str  # phone | email | handle
    plain: bool
    weight: float
    fn: DisguiseFn
    platforms: frozenset[str] = frozenset()


_DIGITS = re.compile(r"\d+")
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_CIRCLED = str.maketrans("0123456789", "⓪①②③④⑤⑥⑦⑧⑨")
_KEYCAP = "\ufe0f\u20e3"


def _groups(contact: Contact) -> tuple[str, list[str]]:
    """``("+", ["1", "415", ...])`` for international displays, ``("", [...])`` otherwise."""
    prefix = "+" if contact.display.startswith("+") else ""
    return prefix, _DIGITS.findall(contact.display)


def _national_groups(contact: Contact) -> list[str] | None:
    prefix, groups = _groups(contact)
    return None if prefix else groups


# --- phones: plain forms ---------------------------------------------------------


def plain(contact: Contact, rng: Random, lang: str) -> str | None:
    return contact.display


def plain_intl(contact: Contact, rng: Random, lang: str) -> str | None:
    if contact.phone is None:
        return None
    text = contact.phone.international
    return text.replace("-", " ") if rng.random() < 0.5 else text


def plain_dots(contact: Contact, rng: Random, lang: str) -> str | None:
    groups = _national_groups(contact)
    return ".".join(groups) if groups and len(groups) > 1 else None


def plain_dashes(contact: Contact, rng: Random, lang: str) -> str | None:
    groups = _national_groups(contact)
    return "-".join(groups) if groups and len(groups) > 1 else None


def plain_compact(contact: Contact, rng: Random, lang: str) -> str | None:
    prefix, groups = _groups(contact)
    return prefix + "".join(groups)


# --- phones: obfuscated ------------------------------------------------------------


def _letter_for(ch: str, rng: Random) -> str:
    if ch == "0":
        return "O" if rng.random() < 0.8 else "o"
    return "l" if rng.random() < 0.6 else "I"


def letters(contact: Contact, rng: Random, lang: str) -> str | None:
    """Letter O for zero, l or I for one: ``2O2-555-Ol23``."""
    text = contact.display
    spots = [i for i, ch in enumerate(text) if ch in "01"]
    if not spots:
        return None
    chosen = {i for i in spots if rng.random() < 0.7} or {rng.choice(spots)}
    return "".join(_letter_for(ch, rng) if i in chosen else ch for i, ch in enumerate(text))


def mixed_words(contact: Contact, rng: Random, lang: str) -> str | None:
    """Some digits as words in the post's language, some as letters: ``2O2-555-O1two3``."""
    words = LEXICONS[lang].digits
    text = contact.display
    spots = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(spots) < 4:
        return None
    chosen = set(rng.sample(spots, rng.randint(1, 3)))
    out = []
    for i, ch in enumerate(text):
        if i in chosen:
            out.append(words[int(ch)])
        elif ch in "01" and rng.random() < 0.4:
            out.append(_letter_for(ch, rng))
        else:
            out.append(ch)
    return "".join(out)


def spelled(contact: Contact, rng: Random, lang: str) -> str | None:
    """Every digit as a word: ``four one five, five five five, ...``."""
    words = LEXICONS[lang].digits
    prefix, groups = _groups(contact)
    joiner = rng.choice((", ", " - ", " / ", "  "))
    text = joiner.join(" ".join(words[int(d)] for d in group) for group in groups)
    if rng.random() < 0.2:
        text = text.upper()
    return ("+" if prefix else "") + text


def keycap(contact: Contact, rng: Random, lang: str) -> str | None:
    """Keycap emoji digits: ``4️⃣1️⃣5️⃣ 5️⃣5️⃣5️⃣``."""
    prefix, groups = _groups(contact)
    sep = rng.choice((" ", "", "-"))
    return prefix + sep.join("".join(d + _KEYCAP for d in group) for group in groups)


def fullwidth(contact: Contact, rng: Random, lang: str) -> str | None:
    """Fullwidth digits, separators as written: ``(４１５) ５５５-０１２３``."""
    return contact.display.translate(_FULLWIDTH)


def circled(contact: Contact, rng: Random, lang: str) -> str | None:
    """Circled digits: ``④①⑤ ⑤⑤⑤ ⓪①②③``."""
    prefix, groups = _groups(contact)
    return prefix + " ".join(group.translate(_CIRCLED) for group in groups)


def separated(contact: Contact, rng: Random, lang: str) -> str | None:
    """Every digit apart, by dots, spaces, stars or emoji: ``4💋1💋5💋5...``."""
    prefix, groups = _groups(contact)
    sep = rng.choice((" ", ".", "-", "*", " . ", "_", *SEPARATOR_EMOJI))
    return prefix + sep.join("".join(groups))


def line_split(contact: Contact, rng: Random, lang: str) -> str | None:
    """The number broken over lines so a line-based matcher never sees it whole."""
    prefix, groups = _groups(contact)
    if len(groups) < 2:
        return None
    cut = rng.randint(1, len(groups) - 1)
    head = " ".join(groups[:cut])
    tail = " ".join(groups[cut:])
    return f"{prefix}{head}\n{tail}"


def wa_link(contact: Contact, rng: Random, lang: str) -> str | None:
    """A WhatsApp click-to-chat link carrying the number in international digits."""
    if contact.phone is None:
        return None
    digits = contact.phone.e164[1:]
    return rng.choice(("wa.me/", "https://wa.me/", "WA: wa.me/")) + digits


# --- emails ----------------------------------------------------------------------


def email_plain(contact: Contact, rng: Random, lang: str) -> str | None:
    return contact.display


def at_brackets(contact: Contact, rng: Random, lang: str) -> str | None:
    """``name [at] example [dot] com``."""
    local, _, domain = contact.display.partition("@")
    return f"{local} [at] " + " [dot] ".join(domain.split("."))


def at_parens(contact: Contact, rng: Random, lang: str) -> str | None:
    """``name(at)example(dot)com``."""
    local, _, domain = contact.display.partition("@")
    return f"{local}(at)" + "(dot)".join(domain.split("."))


def at_words(contact: Contact, rng: Random, lang: str) -> str | None:
    """``name arroba example punto com`` in the post's language."""
    lex = LEXICONS[lang]
    local, _, domain = contact.display.partition("@")
    dot = f" {rng.choice(lex.dot)} "
    return f"{local} {rng.choice(lex.at)} " + dot.join(domain.split("."))


def spaced(contact: Contact, rng: Random, lang: str) -> str | None:
    """``name @ example . com``."""
    local, _, domain = contact.display.partition("@")
    return f"{local} @ " + " . ".join(domain.split("."))


# --- handles ----------------------------------------------------------------------


def _fmt(rng: Random, forms: tuple[str, ...], handle: str) -> str:
    return rng.choice(forms).format(h=handle)


def sc_label(contact: Contact, rng: Random, lang: str) -> str | None:
    return _fmt(
        rng, ("sc: {h}", "SC - {h}", "snap: {h}", "Snapchat: {h}", "SC {h}"), contact.display
    )


def snap_ghost(contact: Contact, rng: Random, lang: str) -> str | None:
    return _fmt(rng, ("👻 {h}", "snap 👻 {h}", "👻: {h}"), contact.display)


def ig_at(contact: Contact, rng: Random, lang: str) -> str | None:
    return _fmt(rng, ("IG @{h}", "insta @{h}", "Instagram: @{h}", "IG: {h}"), contact.display)


def ig_camera(contact: Contact, rng: Random, lang: str) -> str | None:
    return _fmt(rng, ("📸 {h}", "📷 @{h}"), contact.display)


def tme_link(contact: Contact, rng: Random, lang: str) -> str | None:
    return _fmt(rng, ("t.me/{h}", "https://t.me/{h}"), contact.display)


def telegram_at(contact: Contact, rng: Random, lang: str) -> str | None:
    return _fmt(rng, ("Telegram @{h}", "TG: @{h}", "telegram: {h}"), contact.display)


def tg_plane(contact: Contact, rng: Random, lang: str) -> str | None:
    return _fmt(rng, ("✈️ {h}", "✈ @{h}"), contact.display)


def kik_label(contact: Contact, rng: Random, lang: str) -> str | None:
    return _fmt(rng, ("kik: {h}", "Kik - {h}", "KIK {h}"), contact.display)


def _handle(name: str, plain_: bool, weight: float, fn: DisguiseFn, platform: str) -> Disguise:
    return Disguise(name, "handle", plain_, weight, fn, frozenset({platform}))


_ALL: tuple[Disguise, ...] = (
    Disguise("plain", "phone", True, 40, plain),
    Disguise("plain_intl", "phone", True, 12, plain_intl),
    Disguise("plain_dots", "phone", True, 14, plain_dots),
    Disguise("plain_dashes", "phone", True, 10, plain_dashes),
    Disguise("plain_compact", "phone", True, 8, plain_compact),
    Disguise("letters", "phone", False, 14, letters),
    Disguise("mixed_words", "phone", False, 12, mixed_words),
    Disguise("spelled", "phone", False, 9, spelled),
    Disguise("keycap", "phone", False, 8, keycap),
    Disguise("fullwidth", "phone", False, 5, fullwidth),
    Disguise("circled", "phone", False, 5, circled),
    Disguise("separated", "phone", False, 12, separated),
    Disguise("line_split", "phone", False, 8, line_split),
    Disguise("wa_link", "phone", False, 7, wa_link),
    Disguise("plain", "email", True, 1, email_plain),
    Disguise("at_brackets", "email", False, 4, at_brackets),
    Disguise("at_parens", "email", False, 3, at_parens),
    Disguise("at_words", "email", False, 3, at_words),
    Disguise("spaced", "email", False, 2, spaced),
    _handle("sc_label", True, 1, sc_label, "snapchat"),
    _handle("snap_ghost", False, 1, snap_ghost, "snapchat"),
    _handle("ig_at", True, 1, ig_at, "instagram"),
    _handle("ig_camera", False, 1, ig_camera, "instagram"),
    _handle("tme_link", True, 1, tme_link, "telegram"),
    _handle("telegram_at", True, 1, telegram_at, "telegram"),
    _handle("tg_plane", False, 1, tg_plane, "telegram"),
    _handle("kik_label", True, 1, kik_label, "kik"),
)

DISGUISES: Mapping[tuple[str, str], Disguise] = MappingProxyType(
    {(d.kind, d.name): d for d in _ALL}
)
"""Every disguise by ``(contact kind, name)``: names repeat across kinds (``plain``)."""

PLAIN_NAMES: frozenset[tuple[str, str]] = frozenset((d.kind, d.name) for d in _ALL if d.plain)


_CANDIDATES: dict[tuple[str, str, bool], tuple[Disguise, ...]] = {}


def _candidates(contact: Contact, plain_: bool) -> list[Disguise]:
    key = (contact.kind, contact.platform, plain_)
    found = _CANDIDATES.get(key)
    if found is None:
        found = tuple(
            d
            for d in _ALL
            if d.kind == contact.kind
            and d.plain == plain_
            and (not d.platforms or contact.platform in d.platforms)
        )
        _CANDIDATES[key] = found
    return list(found)


def disguise(contact: Contact, rng: Random, lang: str, obfuscation: float) -> tuple[str, str]:
    """Pick a trick (hidden with probability ``obfuscation``) and write the contact.

    Returns ``(disguise name, text as written)``. Falls back to a plain form when
    no hidden trick applies, so every contact is always written somehow.
    """
    hidden = rng.random() < obfuscation
    pool = _candidates(contact, plain_=not hidden) or _candidates(contact, plain_=True)
    while pool:
        choice = rng.choices(pool, weights=[d.weight for d in pool])[0]
        text = choice.fn(contact, rng, lang)
        if text:
            return choice.name, text
        pool.remove(choice)
    return "plain", contact.display
