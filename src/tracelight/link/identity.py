"""Stable network identifiers across analyze runs, and the record of how networks changed.

An analyst who wrote down network ``N3f...`` yesterday must find it under the same id
today, grown by today's posts. Each new network therefore takes the id of the stored
network it shares the most posts with (largest overlap first, each old id used once);
a network with no predecessor gets a fresh content-derived id. Changes are recorded:

* ``new``: no stored network shared a post with it;
* ``grew`` / ``shrank`` / ``same``: one predecessor, kept its id;
* ``merged``: several predecessors; it keeps the id of the largest overlap, the others
  are listed in ``related``;
* ``split``: an old network whose posts went to several new ones (recorded on each part).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tracelight.link.networks import network_id_for


@dataclass(frozen=True, slots=True)
class NetworkEvent:
    network_id: str
    event: str
    related: tuple[str, ...]
    size: int


def assign_ids(
    networks: Sequence[Sequence[str]], previous: Mapping[str, set[str]]
) -> tuple[list[str], list[NetworkEvent]]:
    """Ids for ``networks`` (lists of post ids), reusing ``previous`` ids where they overlap."""
    owner: dict[str, str] = {}
    for old_id, old_members in previous.items():
        for post in old_members:
            owner[post] = old_id
    overlaps: list[dict[str, int]] = []
    for members in networks:
        counts: dict[str, int] = defaultdict(int)
        for post in members:
            old = owner.get(post)
            if old is not None:
                counts[old] += 1
        overlaps.append(dict(counts))
    candidates = sorted(
        ((count, old, n) for n, counts in enumerate(overlaps) for old, count in counts.items()),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    ids: list[str | None] = [None] * len(networks)
    taken: set[str] = set()
    for _, old, n in candidates:
        if ids[n] is None and old not in taken:
            ids[n] = old
            taken.add(old)
    used = set(taken)
    final: list[str] = []
    for n, members in enumerate(networks):
        chosen = ids[n]
        if chosen is None:
            chosen = network_id_for(members)
            salt = 0
            while chosen in used or (chosen in previous and chosen not in taken):
                salt += 1
                chosen = network_id_for([f"{min(members)}#{salt}"])
        used.add(chosen)
        final.append(chosen)
    parts_of: dict[str, list[str]] = defaultdict(list)
    for n, counts in enumerate(overlaps):
        for old in counts:
            parts_of[old].append(final[n])
    events: list[NetworkEvent] = []
    for n, members in enumerate(networks):
        counts = overlaps[n]
        nid = final[n]
        if not counts:
            events.append(NetworkEvent(nid, "new", (), len(members)))
            continue
        others = tuple(sorted(old for old in counts if old != nid))
        if others:
            events.append(NetworkEvent(nid, "merged", others, len(members)))
        elif nid in previous:
            before = len(previous[nid])
            kind = (
                "grew" if len(members) > before else "shrank" if len(members) < before else "same"
            )
            events.append(NetworkEvent(nid, kind, (), len(members)))
        for old in counts:
            if len(parts_of[old]) > 1:
                siblings = tuple(sorted(p for p in parts_of[old] if p != nid))
                events.append(NetworkEvent(nid, "split", (old, *siblings), len(members)))
    return final, events
