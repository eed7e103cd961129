"""Mentions built by compiled code, for the extractors.

:meth:`Mention.found <tracelight.model.Mention.found>` is the reference way to make a
mention, and it runs in the interpreter (the model is not compiled: it is pickled, stored
and shipped to Spark executors as a plain frozen dataclass). The extractors make one for
every finding, so they call :func:`mention` instead: the same object, built by setting
each slot through its descriptor from compiled code, without the interpreted classmethod,
its keyword arguments and the interpreted ``__init__`` in between.
"""

from __future__ import annotations

from tracelight.model import Mention
from tracelight.model.mention import SLOT_SETTERS

_POST_ID, _KIND, _VALUE, _FIELD, _START, _END, _TEXT, _METHOD, _CONFIDENCE = SLOT_SETTERS


def mention(
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
    """``Mention.found(...)``, with the same arguments and the same result; ``text`` is
    cut from ``original`` here, so the evidence always equals ``original[start:end]``."""
    made: Mention = Mention.__new__(Mention)
    _POST_ID(made, post_id)
    _KIND(made, kind)
    _VALUE(made, value)
    _FIELD(made, field)
    _START(made, start)
    _END(made, end)
    _TEXT(made, original[start:end])
    _METHOD(made, method)
    _CONFIDENCE(made, confidence)
    return made


__all__ = ["mention"]
