"""Networks: groups of posts tied together by shared selectors."""

from __future__ import annotations

from dataclasses import dataclass, field

SelectorKey = tuple[str, str]
"""A selector as ``(kind, normalised value)``, e.g. ``("phone", "+14155550123")``."""


@dataclass(frozen=True, slots=True)
class Network:
    """A group of linked posts with the selectors that link them.

    ``id`` is derived from the smallest member post id, so a network keeps its id
    across reruns as long as that post stays in it.
    """

    id: str
    post_ids: tuple[str, ...]
    selectors: tuple[SelectorKey, ...]
    risk: float | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)
