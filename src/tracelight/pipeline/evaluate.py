"""Scoring found networks against a ground truth, as pairs of posts.

Pairwise precision and recall are the measure used for entity resolution and for
InfoShield-style clustering: of the post pairs we put in one network, how many
truly belong together, and of the pairs that belong together, how many we found.
Only groups that *are* one operation (trafficking networks, fraudulent recruiters)
count as true pairs; agency and spam groups are unrelated posters by construction,
so linking them counts against precision.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tracelight.model import post_id_for

LINKED_KINDS = frozenset({"trafficking", "job_fraud"})


@dataclass(frozen=True, slots=True)
class PairScore:
    precision: float
    recall: float
    true_pairs: int
    found_pairs: int
    correct_pairs: int
    groups_found: int
    groups: int

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 0.0 if total == 0 else 2 * self.precision * self.recall / total


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_score(networks: Iterable[Sequence[str]], truth: Mapping[str, str | None]) -> PairScore:
    """Compare ``networks`` (lists of post ids) with ``truth`` (post id -> group or None)."""
    found = 0
    correct = 0
    groups_hit: set[str] = set()
    for members in networks:
        found += _pairs(len(members))
        cells = Counter(truth.get(post) for post in members)
        for group, count in cells.items():
            if group is not None:
                correct += _pairs(count)
                if count >= 2:
                    groups_hit.add(group)
    sizes = Counter(group for group in truth.values() if group is not None)
    true_pairs = sum(_pairs(n) for n in sizes.values())
    return PairScore(
        precision=correct / found if found else 1.0,
        recall=correct / true_pairs if true_pairs else 1.0,
        true_pairs=true_pairs,
        found_pairs=found,
        correct_pairs=correct,
        groups_found=len(groups_hit),
        groups=len(sizes),
    )


def load_synth_truth(path: Path) -> dict[str, str | None]:
    """Post id -> group for posts of linked kinds in a synthetic ground-truth file."""
    truth: dict[str, str | None] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            key = post_id_for(record["source"], str(record["id"]), None, None, None)
            truth[key] = record["group"] if record["kind"] in LINKED_KINDS else None
    return truth
