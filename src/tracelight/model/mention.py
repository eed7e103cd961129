"""Something found in a post's text, tied to the exact characters that were written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True, init=False)
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

    def __init__(  # noqa: PLR0917 (the signature the dataclass would generate)
        self,
        post_id: str,
        kind: str,
        value: str,
        field: str,
        start: int,
        end: int,
        text: str,
        method: str,
        confidence: float,
    ) -> None:
        # The ``__init__`` a frozen dataclass generates calls ``object.__setattr__`` for
        # each field; extraction builds millions of mentions, and setting each slot
        # through its descriptor costs a third less (same fields, same checks: the
        # class stays frozen, as its generated ``__setattr__`` still refuses writes).
        s0, s1, s2, s3, s4, s5, s6, s7, s8 = SLOT_SETTERS
        s0(self, post_id)
        s1(self, kind)
        s2(self, value)
        s3(self, field)
        s4(self, start)
        s5(self, end)
        s6(self, text)
        s7(self, method)
        s8(self, confidence)

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


SLOT_SETTERS: tuple[Callable[[Mention, Any], None], ...] = tuple(
    vars(Mention)[f.name].__set__ for f in fields(Mention)
)
"""Each field's slot setter, in field order: what :meth:`Mention.__init__` unpacks, and
what the extractors' compiled factory (:func:`tracelight.extract.evidence.mention`) sets."""
