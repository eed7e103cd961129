"""Phone numbers as E.164, found by Google's libphonenumber rules.

The post's country is the default region for national formats (``(415) 555-0123``
only means something once we know it is a US ad); numbers written with ``+`` or
``00`` parse without it. VALID leniency rejects digit runs that cannot be a number
in that region, which keeps most prices and dates out.
"""

from __future__ import annotations

import re

import phonenumbers

from tracelight.extract.normalize import normalize
from tracelight.model import Mention, Post

METHOD = "phonenumbers"
MAX_TRIES = 256
"""libphonenumber's own per-text bound on candidates, stated here to bound hostile input."""

MIN_DIGITS = 4
"""No valid number anywhere has fewer digits; a field with fewer needs no matcher run,
which is most titles (the matcher is most of the pipeline's CPU, see benchmarks/)."""


_DECIMAL = re.compile(r"\d")


def _enough_digits(text: str) -> bool:
    """Whether ``text`` has at least :data:`MIN_DIGITS` characters with ``str.isdigit``.

    ``\\d`` (decimal digits) is a subset of ``isdigit`` (which adds superscripts and the
    like), so a regex count settles most texts in C; the exact per-character count only
    runs for non-ASCII text the regex found short.
    """
    if len(_DECIMAL.findall(text)) >= MIN_DIGITS:
        return True
    if text.isascii():
        return False
    return sum(map(str.isdigit, text)) >= MIN_DIGITS


def _matches(text: str, region: str | None) -> list[tuple[int, int, str, bool]]:
    matcher = phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.VALID, max_tries=MAX_TRIES
    )
    return [
        (
            match.start,
            match.end,
            phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164),
            match.raw_string.lstrip().startswith("+"),
        )
        for match in matcher
    ]


def extract_phones(post: Post, field: str, text: str) -> list[Mention]:
    """Numbers as written, then numbers a reader sees once disguises are undone.

    The second pass runs libphonenumber over the normalised text (look-alike letters,
    number words, keycaps, fullwidth and circled digits, emoji separators) and maps each
    match back to the exact original characters; a disguised number is reported with
    a lower confidence, and never where the plain pass already found one.
    """
    region = post.country if post.country else None
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []
    plain = _matches(text, region) if _enough_digits(text) else []
    for start, end, value, international in plain:
        taken.append((start, end))
        mentions.append(
            Mention.found(
                post_id=post.id,
                kind="phone",
                value=value,
                field=field,
                original=text,
                start=start,
                end=end,
                method=METHOD,
                confidence=0.9 if international else 0.8,
            )
        )
    norm = normalize(text)
    if not norm.changed or not _enough_digits(norm.text):
        return mentions
    for start, end, value, _ in _matches(norm.text, region):
        o_start, o_end = norm.span(start, end)
        if any(o_start < t_end and t_start < o_end for t_start, t_end in taken):
            continue
        taken.append((o_start, o_end))
        mentions.append(
            Mention.found(
                post_id=post.id,
                kind="phone",
                value=value,
                field=field,
                original=text,
                start=o_start,
                end=o_end,
                method=METHOD + "+normalized",
                confidence=0.7,
            )
        )
    return mentions
