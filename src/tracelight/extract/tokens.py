"""Letter runs of a lower-cased field, computed once for the extractors that read words.

The phone normaliser (number words) and the place matcher both split the lower-cased
field into runs of letters; on most fields they split the very same string, and the
split is one of the costlier C calls per field. A small cache keyed by the string lets
the second reader reuse the first one's list.
"""

from __future__ import annotations

import functools
import re

LETTER_RUN = re.compile(r"[^\W\d_]+")
"""A run of letters (no digits, no underscore)."""


@functools.lru_cache(maxsize=16)
def letter_runs(low: str) -> list[str]:
    """``LETTER_RUN.findall(low)``, shared: callers must not modify the list."""
    return LETTER_RUN.findall(low)


__all__ = ["LETTER_RUN", "letter_runs"]
