"""Exporting evidence bundles: the items, their leaves, proofs, and the signed checkpoint.

A bundle is a zip that :mod:`tracelight.ledger.verify` checks with no database and no
network::

    manifest.json            format, origin, log vkey, tree size, one entry per item
    checkpoint.txt           the C2SP signed checkpoint, with witness cosignatures
    leaves/<index>.json      the exact leaf bytes (canonical JSON)
    proofs/<index>.json      {"index", "tree_size", "leaf_hash", "proof": [base64...]}
    items/<sha256>           the decrypted content (absent for erased items)

Proofs are made against the newest stored checkpoint that covers every selected
leaf, so the witnesses' cosignatures travel with the bundle; only when none covers
them is a new checkpoint signed.
"""

from __future__ import annotations

import base64
import json
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from tracelight.ledger import log, merkle
from tracelight.ledger.evidence import ErasedError, EvidenceStore, Item, canonical_json, record
from tracelight.ledger.keys import SigningKey
from tracelight.ledger.verify import BUNDLE_FORMAT, ERASURE_KIND, parse_checkpoint, parse_note
from tracelight.store import schema as t


def selection_refs(
    conn: Connection, posts: Sequence[str] = (), networks: Sequence[str] = ()
) -> list[str] | None:
    """The leaf refs a selection covers: posts, their images, networks and their posts."""
    if not posts and not networks:
        return None
    post_ids = set(posts)
    refs = set(posts) | set(networks)
    if networks:
        rows = conn.execute(
            select(t.network_posts.c.post_id).where(t.network_posts.c.network_id.in_(networks))
        )
        post_ids.update(r.post_id for r in rows)
    refs |= post_ids
    ids = sorted(post_ids)
    for start in range(0, len(ids), 500):
        rows = conn.execute(
            select(t.post_images.c.uri).where(t.post_images.c.post_id.in_(ids[start : start + 500]))
        )
        refs.update(r.uri for r in rows)
    return sorted(refs)


def _covering_checkpoint(conn: Connection, needed: int, key: SigningKey | None) -> str:
    rows = conn.execute(
        select(t.ledger_checkpoints.c.size, t.ledger_checkpoints.c.note).order_by(
            t.ledger_checkpoints.c.size.desc()
        )
    ).first()
    if rows is not None and int(rows.size) >= needed:
        return str(rows.note)
    if key is None:
        raise log.LedgerError(
            "no signed checkpoint covers the selected leaves; run 'tracelight ledger checkpoint'"
        )
    return log.checkpoint(conn, key)


def export(
    conn: Connection,
    store: EvidenceStore,
    out: Path,
    *,
    key: SigningKey | None,
    posts: Sequence[str] = (),
    networks: Sequence[str] = (),
) -> dict[str, Any]:
    """Write a bundle of the selection (everything when nothing is selected) to ``out``."""
    refs = selection_refs(conn, posts, networks)
    leaves = log.leaves_for(conn, refs)
    if refs is not None and not leaves:
        raise log.LedgerError("the selection matches no ledger entries")
    items = sorted({json.loads(leaf)["item"] for _, leaf in leaves})
    leaves = sorted(set(leaves) | set(log.leaves_for_items(conn, items)))
    needed = max((index for index, _ in leaves), default=-1) + 1
    note = _covering_checkpoint(conn, needed, key)
    checkpoint = parse_checkpoint(parse_note(note).text)
    vkey = key.vkey if key is not None else ""
    entries: list[dict[str, Any]] = []
    erased = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("checkpoint.txt", note)
        written: set[str] = set()
        for index, leaf in leaves:
            if index >= checkpoint.size:
                continue
            decoded = json.loads(leaf)
            name = f"{index:012d}"
            proof = log.inclusion_proof(conn, index, checkpoint.size)
            archive.writestr(f"leaves/{name}.json", leaf)
            archive.writestr(
                f"proofs/{name}.json",
                json.dumps(
                    {
                        "index": index,
                        "tree_size": checkpoint.size,
                        "leaf_hash": base64.b64encode(merkle.leaf_hash(leaf)).decode(),
                        "proof": [base64.b64encode(p).decode() for p in proof],
                    },
                    indent=1,
                ),
            )
            entry: dict[str, Any] = {
                "index": index,
                "kind": decoded["kind"],
                "ref": decoded["ref"],
                "leaf": f"leaves/{name}.json",
                "proof": f"proofs/{name}.json",
                "content": None,
            }
            if decoded["kind"] != ERASURE_KIND:
                content_name = f"items/{decoded['item']}"
                try:
                    if content_name not in written:
                        archive.writestr(content_name, store.get(conn, decoded["item"]))
                        written.add(content_name)
                    entry["content"] = content_name
                except ErasedError:
                    erased += 1
            entries.append(entry)
        manifest = {
            "format": BUNDLE_FORMAT,
            "origin": checkpoint.origin,
            "log_vkey": vkey,
            "tree_size": checkpoint.size,
            "checkpoint": "checkpoint.txt",
            "created": datetime.now(UTC).isoformat(),
            "selection": {"posts": list(posts), "networks": list(networks)},
            "items": entries,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
    return {
        "bundle": str(out),
        "items": len(entries),
        "erased": erased,
        "tree_size": checkpoint.size,
    }


EXPORT_KIND = "export"
"""Ledger leaf kind of an export record."""


def record_export(
    conn: Connection,
    store: EvidenceStore,
    *,
    bundle_sha256: str,
    scope: dict[str, Any],
    ref: str,
    actor: str,
    org: str,
) -> None:
    """Enter an export in the ledger: what left the system, as which bundle, by whom.

    Evidence handed to a court or another agency is an access like any other; recording
    the bundle's SHA-256 lets anyone later match a bundle in hand to the export that made
    it. Called by both the CLI and the web app, in the transaction of the export.
    """
    content = {"bundle_sha256": bundle_sha256, "actor": actor, "org": org, **scope}
    record(conn, store, [Item(canonical_json(content), EXPORT_KIND, ref)], actor=actor, org=org)
