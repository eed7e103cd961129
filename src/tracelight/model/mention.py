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

    @classmethod
    def found(
        cls,
        *,
        post_id: str,
        kind: str,
        value: str,
        field: str,
        original: str,
        start: int,
        end: int,
        method: str,
        confidence: float,
    ) -> Mention:
        """A mention whose ``text`` is cut from the original field here, not by the caller,
        so the evidence always equals ``original[start:end]``."""
        return cls(
            post_id=post_id,
            kind=kind,
            value=value,
            field=field,
            start=start,
            end=end,
            text=original[start:end],
            method=method,
            confidence=confidence,
        )

    @property
    def selector(self) -> tuple[str, str]:
        return (self.kind, self.value)
