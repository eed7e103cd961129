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


def load_synth_posters(path: Path) -> tuple[dict[str, str | None], dict[str, str]]:
    """Post id -> poster (the person or operation behind it), and post id -> kind.

    Scoring by poster counts a woman's own reposts, or an employer's ads, as correctly
    linked, and posts of different people (spam, a booking line's women) as wrongly linked.
    """
    posters: dict[str, str | None] = {}
    kinds: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            key = post_id_for(record["source"], str(record["id"]), None, None, None)
            posters[key] = record.get("poster")
            kinds[key] = record["kind"]
    return posters, kinds


def _comb2(n: int) -> int:
    return n * (n - 1) // 2


def adjusted_rand(networks: Iterable[Sequence[str]], truth: Mapping[str, str | None]) -> float:
    """Adjusted Rand index over all posts in ``truth``; unlinked posts are singletons."""
    assigned: dict[str, int] = {}
    for n, members in enumerate(networks):
        for post in members:
            assigned[post] = n
    table: Counter[tuple[object, object]] = Counter()
    rows: Counter[object] = Counter()
    cols: Counter[object] = Counter()
    for post, group in truth.items():
        t = group if group is not None else ("solo", post)
        p: object = assigned.get(post, ("solo", post))
        table[(t, p)] += 1
        rows[t] += 1
        cols[p] += 1
    index = sum(_comb2(v) for v in table.values())
    a = sum(_comb2(v) for v in rows.values())
    b = sum(_comb2(v) for v in cols.values())
    total = _comb2(len(truth))
    expected = a * b / total if total else 0.0
    maximum = (a + b) / 2
    return 1.0 if maximum == expected else (index - expected) / (maximum - expected)


def recovered_share(
    networks: Iterable[Sequence[str]],
    truth: Mapping[str, str | None],
    groups: Iterable[str],
    *,
    coverage: float = 0.8,
    purity: float = 0.8,
) -> float:
    """Share of ``groups`` with ≥ ``coverage`` of their posts in one network of ≥ ``purity``."""
    sizes = Counter(g for g in truth.values() if g is not None)
    wanted = set(groups)
    hit: set[str] = set()
    for members in networks:
        cells = Counter(truth.get(p) for p in members)
        for group, count in cells.items():
            pure = count >= purity * len(members)
            if group in wanted and count >= coverage * sizes[group] and pure:
                hit.add(group)
    return len(hit) / len(wanted) if wanted else 1.0
