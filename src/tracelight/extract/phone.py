"""Phone numbers as E.164, found by Google's libphonenumber rules.

The post's country is the default region for national formats (``(415) 555-0123``
only means something once we know it is a US ad); numbers written with ``+`` or
``00`` parse without it. VALID leniency rejects digit runs that cannot be a number
in that region, which keeps most prices and dates out.
"""

from __future__ import annotations

import phonenumbers

from tracelight.model import Mention, Post

METHOD = "phonenumbers"
MAX_TRIES = 256
"""libphonenumber's own per-text bound on candidates, stated here to bound hostile input."""

MIN_DIGITS = 4
"""No valid number anywhere has fewer digits; a field with fewer needs no matcher run,
which is most titles (the matcher is most of the pipeline's CPU, see benchmarks/)."""


def extract_phones(post: Post, field: str, text: str) -> list[Mention]:
    if sum(ch.isdigit() for ch in text) < MIN_DIGITS:
        return []
    region = post.country if post.country else None
    mentions: list[Mention] = []
    matcher = phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.VALID, max_tries=MAX_TRIES
    )
    for match in matcher:
        value = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        mentions.append(
            Mention(
                post_id=post.id,
                kind="phone",
                value=value,
                field=field,
                start=match.start,
                end=match.end,
                text=text[match.start : match.end],
                method=METHOD,
                confidence=0.9 if match.raw_string.lstrip().startswith("+") else 0.8,
            )
        )
    return mentions
