"""The Jinja2 environment: autoescape on, and every printed value through ``reveal``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tracelight.web.text import finalize, reveal, snippet

TEMPLATES = Path(__file__).with_name("templates")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["reveal"] = reveal
    env.filters["snippet"] = snippet
    env.filters["when"] = _when
    return env


templates = Jinja2Templates(env=_environment())
