"""Something found in a post's text, tied to the exact characters that were written."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mention:
    """A finding with its evidence.

    ``start``/``end`` are code-point offsets into ``field`` of the original post and
    ``text`` is exactly ``post.<field>[start:end]``: evidence shows what was written,
    not our normalisation of it, which is ``value``.
    """

    post_id: str
    kind: str
    value: str
    field: str
    start: int
    end: int
    text: str
    method: str
    confidence: float

    @property
    def selector(self) -> tuple[str, str]:
        return (self.kind, self.value)
