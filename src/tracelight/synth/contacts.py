"""Contacts (phones, emails, handles) as their owner would write them plainly.

A :class:`Contact` carries both the normalised value that goes into the ground
truth (E.164, lower-case email, ``platform:handle``) and the plain written forms
that :mod:`tracelight.synth.disguise` starts from. Emails and handles are unique
per corpus for the same reason phones are: an accidental collision would be a
link the ground truth does not know about.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from tracelight.synth.phones import Phone

PERSONAL_DOMAINS = (
    "example.com",
    "example.net",
    "example.org",
    "example.com",
    "example.net",
    "mail.test",
    "inbox.test",
)
LANGUAGE_DOMAINS = {
    "es": ("correo.test",),
    "fr": ("courriel.test",),
    "pt": ("email.test",),
    "de": ("post.test",),
    "en": ("webmail.test",),
}
PLATFORMS = ("snapchat", "instagram", "telegram", "kik")

_HANDLE_WORDS = (
    "rose",
    "kiss",
    "honey",
    "angel",
    "star",
    "doll",
    "luxe",
    "velvet",
    "sunny",
    "cherry",
    "bunny",
    "peach",
    "silk",
    "pearl",
    "candy",
    "dream",
    "lush",
    "glow",
    "sugar",
    "moon",
)


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact point and the plain ways to write it.

    ``display`` is the owner's usual plain spelling (for a phone, its national
    format; an email may carry capitals). ``phone`` is set for phones so
    disguises can use other plain forms (international, digits only).
    """

    kind: str  # phone | email | handle
    value: str
    display: str
    phone: Phone | None = None
    platform: str = ""


def phone_contact(phone: Phone, *, international: bool = False) -> Contact:
    """A phone as written in its own country, or internationally when posted abroad."""
    display = phone.international if international else phone.national
    return Contact("phone", phone.e164, display, phone=phone)


class Identities:
    """Generates emails and handles no other poster in the corpus uses."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def _claim(self, local: str, scope: str) -> str:
        """``local`` or a numbered variant of it not yet used in ``scope``."""
        candidate = local
        while f"{candidate.lower()}@{scope}" in self._used:
            candidate = f"{local}{self._rng.randrange(10, 100_000)}"
        self._used.add(f"{candidate.lower()}@{scope}")
        return candidate

    def email(self, name: str, language: str, rng: Random) -> Contact:
        """A personal email on a reserved or obviously fake domain."""
        base = _ascii(name) or "contact"
        style = rng.randrange(4)
        if style == 0:
            local = f"{base}.{rng.choice(_HANDLE_WORDS)}"
        elif style == 1:
            local = f"{base}{rng.randrange(80, 100)}"
        elif style == 2:
            local = f"{rng.choice(_HANDLE_WORDS)}{base}"
        else:
            local = f"{base}_{rng.choice(_HANDLE_WORDS)}{rng.randrange(1, 10)}"
        domain = rng.choice(PERSONAL_DOMAINS + LANGUAGE_DOMAINS.get(language, ()))
        local = self._claim(local, domain)
        # Some posters capitalise: the written form differs, the value does not.
        shown = local.capitalize() if rng.random() < 0.2 else local
        return Contact("email", f"{local}@{domain}".lower(), f"{shown}@{domain}")

    def company_email(self, mailbox: str, company_domain: str) -> Contact:
        local = self._claim(mailbox, company_domain)
        return Contact("email", f"{local}@{company_domain}".lower(), f"{local}@{company_domain}")

    def handle(self, name: str, rng: Random, platform: str | None = None) -> Contact:
        """A social handle; the ground truth value is ``platform:handle``."""
        platform = platform or rng.choice(PLATFORMS)
        base = _ascii(name) or "user"
        style = rng.randrange(3)
        if style == 0:
            handle = f"{base}_{rng.choice(_HANDLE_WORDS)}"
        elif style == 1:
            handle = f"{rng.choice(_HANDLE_WORDS)}.{base}{rng.randrange(1, 100)}"
        else:
            handle = f"{base}{rng.choice(_HANDLE_WORDS)}{rng.randrange(1, 10)}"
        handle = self._claim(handle, platform)
        shown = handle.capitalize() if rng.random() < 0.15 else handle
        return Contact("handle", f"{platform}:{handle.lower()}", shown, platform=platform)


_ASCII = str.maketrans(
    {
        "á": "a",
        "à": "a",
        "â": "a",
        "ã": "a",
        "ä": "a",
        "é": "e",
        "è": "e",
        "ê": "e",
        "ë": "e",
        "í": "i",
        "ï": "i",
        "î": "i",
        "ó": "o",
        "ô": "o",
        "õ": "o",
        "ö": "o",
        "ú": "u",
        "ü": "u",
        "ç": "c",
        "ñ": "n",
        "ß": "ss",
    }
)


def _ascii(name: str) -> str:
    folded = name.lower().translate(_ASCII)
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())
