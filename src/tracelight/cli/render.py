"""Showing hostile text in a terminal.

Ad text is attacker-controlled. In a terminal that means two things to neutralise:
rich markup (``[link=...]`` in an ad must print as text, not become markup) and
control characters (ANSI escape sequences can rewrite what an analyst sees, and
bidirectional overrides can reorder a phone number on screen).
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape

from tracelight.store.search import HIT_END, HIT_START

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

stdout = Console(highlight=False, soft_wrap=False)
stderr = Console(stderr=True, highlight=False)


def clean(text: str | None, limit: int | None = None) -> str:
    """Printable text: control and direction-override characters removed, newlines
    folded to spaces, cut to ``limit`` characters."""
    if not text:
        return ""
    text = _CONTROL.sub("", text.replace("\n", " ").replace("\t", " "))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def safe(text: str | None, limit: int | None = None) -> str:
    """Text ready for rich markup: cleaned, then escaped."""
    return escape(clean(text, limit))


def highlighted(snippet: str, limit: int = 240) -> str:
    """A search snippet with its hit markers turned into highlighting, all else escaped."""
    parts: list[str] = []
    for index, piece in enumerate(re.split(f"[{HIT_START}{HIT_END}]", clean(snippet, limit))):
        parts.append(f"[bold yellow]{escape(piece)}[/]" if index % 2 else escape(piece))
    return "".join(parts)


def plain_snippet(snippet: str) -> str:
    return snippet.replace(HIT_START, "").replace(HIT_END, "")


def emit_json(value: Any) -> None:
    """One JSON document per line on stdout; non-ASCII kept, so spans stay readable."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")
