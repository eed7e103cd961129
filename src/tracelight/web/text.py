"""Showing attacker-controlled ad text: escaped, with hidden controls made visible.

Jinja's autoescape stops markup, but not Unicode bidirectional controls, which can make
``moc.elpmaxe`` read as ``example.com`` or reorder the page around a post. Every value
a template prints passes :func:`finalize`, which escapes it and replaces each bidi
control with a visible marker; mention highlighting is built here from escaped pieces
so the spans stay exact without ever trusting the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from tracelight.store.search import HIT_END, HIT_START

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Arabic letter mark, LRM/RLM, the embeddings and overrides, and the isolates."""


def reveal(value: object) -> Markup:
    """Escape ``value`` and show each bidi control as a visible, inert marker."""
    if isinstance(value, Markup):
        return value
    escaped = str(escape("" if value is None else str(value)))
    if not BIDI_CONTROLS.intersection(escaped):
        return Markup(escaped)  # noqa: S704 - built from escape() output
    out = []
    for char in escaped:
        if char in BIDI_CONTROLS:
            out.append(f'<span class="ctl" title="hidden control">U+{ord(char):04X}</span>')
        else:
            out.append(char)
    return Markup("".join(out))  # noqa: S704 - escaped text plus fixed markup


def finalize(value: Any) -> Any:
    """Jinja ``finalize`` hook: every printed string goes through :func:`reveal`."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return reveal(value)
    return value


def snippet(value: str) -> Markup:
    """A search snippet with its match markers turned into ``<mark>``, all else escaped."""
    pieces = []
    for i, part in enumerate(value.split(HIT_START)):
        if i == 0:
            pieces.append(reveal(part))
            continue
        hit, _, rest = part.partition(HIT_END)
        pieces.append(Markup("<mark>") + reveal(hit) + Markup("</mark>") + reveal(rest))
    return Markup("").join(pieces)


def plain_snippet(value: str) -> str:
    """The snippet without markers, for JSON."""
    return value.replace(HIT_START, "").replace(HIT_END, "")


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of a post's text, with the mention it belongs to (``None`` for plain text)."""

    text: str
    mention: dict[str, Any] | None = None


def pieces(text: str | None, mentions: Sequence[dict[str, Any]]) -> list[Piece]:
    """Cut ``text`` at the spans of ``mentions`` (one field's), first-starting wins.

    Overlapping mentions (a phone inside a longer URL) keep the earlier, longer span;
    spans outside the text (a stale extraction) are ignored rather than trusted.
    """
    if not text:
        return []
    out: list[Piece] = []
    at = 0
    ordered = sorted(mentions, key=lambda m: (m["span_start"], -m["span_end"]))
    for mention in ordered:
        start, end = int(mention["span_start"]), int(mention["span_end"])
        if start < at or end > len(text) or start >= end:
            continue
        if start > at:
            out.append(Piece(text[at:start]))
        out.append(Piece(text[start:end], mention))
        at = end
    if at < len(text):
        out.append(Piece(text[at:]))
    return out
