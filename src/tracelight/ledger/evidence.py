"""Encrypted, content-addressed evidence items, crypto-shredding, and the pipeline hooks.

Each item (a post as stored, image bytes, a raw record, an extraction result, a
network's membership) is stored once under its SHA-256, encrypted with AES-256-GCM
under a key of its own. The ciphertext lives in files under ``<workspace>/evidence``;
the keys live in the ``ledger_item_keys`` table, apart from the blobs, so that a copy
of either alone reveals nothing. Erasing an item destroys its key and its blob: the
content is gone for good, while its leaf (which holds only the hash) and every proof
that includes it still verify, and the erasure itself is appended as a leaf.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, delete, select, text, update

from tracelight.ledger import log
from tracelight.ledger.verify import ERASURE_KIND
from tracelight.store import schema as t

NONCE_SIZE = 12
DEFAULT_ORG = "local"


class EvidenceError(RuntimeError):
    """An evidence item is missing, erased or fails authentication; the message says which."""


class ErasedError(EvidenceError):
    """The item was crypto-shredded: its key no longer exists."""


@dataclass(frozen=True, slots=True)
class Item:
    """One piece of evidence to record: its bytes, its kind and the record it belongs to."""

    content: bytes
    kind: str
    ref: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def canonical_json(value: Any) -> bytes:
    """The stable byte form of a derived result, so the same result hashes the same."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


class EvidenceStore:
    """Encrypted blobs under ``root``, keys and item records in the store's tables."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, digest: str) -> Path:
        if len(digest) != 64 or digest.strip("0123456789abcdef"):
            raise EvidenceError(f"not a SHA-256 hex digest: {digest!r}")
        return self.root / digest[:2] / digest[2:4] / digest

    def _write(self, digest: str, data: bytes) -> None:
        target = self.path_for(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def put(self, conn: Connection, items: Sequence[Item]) -> list[Item]:
        """Encrypt and store items not yet held; return the ones that are new.

        The blob is written before the key row: a crash in between leaves an
        unreadable orphan file, never a key without its blob's transaction.
        """
        fresh: dict[str, Item] = {}
        for item in items:
            fresh.setdefault(item.sha256, item)
        held: set[str] = set()
        digests = list(fresh)
        for start in range(0, len(digests), 500):
            chunk = digests[start : start + 500]
            held.update(
                r.sha256
                for r in conn.execute(
                    select(t.ledger_items.c.sha256).where(t.ledger_items.c.sha256.in_(chunk))
                )
            )
        new = [item for digest, item in fresh.items() if digest not in held]
        if not new:
            return []
        now = datetime.now(UTC)
        key_rows, item_rows = [], []
        for item in new:
            digest = item.sha256
            key = AESGCM.generate_key(bit_length=256)
            nonce = secrets.token_bytes(NONCE_SIZE)
            sealed = AESGCM(key).encrypt(nonce, item.content, digest.encode())
            self._write(digest, nonce + sealed)
            key_rows.append({"sha256": digest, "key": key})
            item_rows.append(
                {
                    "sha256": digest,
                    "kind": item.kind,
                    "ref": item.ref,
                    "size": len(item.content),
                    "created_at": now,
                }
            )
        conn.execute(t.ledger_items.insert(), item_rows)
        conn.execute(t.ledger_item_keys.insert(), key_rows)
        return new

    def get(self, conn: Connection, digest: str) -> bytes:
        """Decrypt an item and check it against its hash; name the file on any failure."""
        row = conn.execute(
            select(t.ledger_item_keys.c.key).where(t.ledger_item_keys.c.sha256 == digest)
        ).first()
        if row is None:
            erased = conn.execute(
                select(t.ledger_items.c.erased_at).where(t.ledger_items.c.sha256 == digest)
            ).first()
            if erased is not None and erased.erased_at is not None:
                raise ErasedError(f"item {digest} was erased at {erased.erased_at}")
            raise EvidenceError(f"item {digest}: no key in the store")
        path = self.path_for(digest)
        try:
            blob = path.read_bytes()
        except OSError as exc:
            raise EvidenceError(f"item {digest}: blob {path} is unreadable ({exc})") from exc
        try:
            plain = AESGCM(bytes(row.key)).decrypt(
                blob[:NONCE_SIZE], blob[NONCE_SIZE:], digest.encode()
            )
        except InvalidTag as exc:
            raise EvidenceError(
                f"item {digest}: blob {path} fails authentication (modified or corrupt)"
            ) from exc
        if hashlib.sha256(plain).hexdigest() != digest:
            raise EvidenceError(f"item {digest}: blob {path} decrypts to different content")
        return plain

    def check_all(self, conn: Connection) -> list[str]:
        """Decrypt every held item; report each one that is missing or modified."""
        problems = []
        for row in conn.execute(select(t.ledger_item_keys.c.sha256)):
            try:
                self.get(conn, row.sha256)
            except EvidenceError as exc:
                problems.append(str(exc))
        return problems

    def erase(
        self, conn: Connection, digest: str, *, actor: str, org: str = DEFAULT_ORG, reason: str = ""
    ) -> int:
        """Crypto-shred an item: destroy key and blob, log the erasure; return its leaf."""
        found = conn.execute(
            select(t.ledger_items.c.erased_at).where(t.ledger_items.c.sha256 == digest)
        ).first()
        if found is None:
            raise EvidenceError(f"item {digest} is not in the evidence store")
        if found.erased_at is not None:
            raise ErasedError(f"item {digest} was already erased at {found.erased_at}")
        if conn.dialect.name == "sqlite":
            # Overwrite freed pages so the key does not linger in the database file.
            conn.execute(text("PRAGMA secure_delete=ON"))
        conn.execute(delete(t.ledger_item_keys).where(t.ledger_item_keys.c.sha256 == digest))
        conn.execute(
            update(t.ledger_items)
            .where(t.ledger_items.c.sha256 == digest)
            .values(erased_at=datetime.now(UTC))
        )
        self.path_for(digest).unlink(missing_ok=True)
        leaf = log.Leaf(ERASURE_KIND, digest, actor, org, log.now_text(), reason)
        return log.append(conn, [leaf])[0]


def record(
    conn: Connection,
    store: EvidenceStore,
    items: Sequence[Item],
    *,
    actor: str,
    org: str = DEFAULT_ORG,
) -> list[int]:
    """Store new items and append one leaf each, in the caller's transaction."""
    new = store.put(conn, items)
    when = log.now_text()
    leaves = [log.Leaf(i.kind, i.sha256, actor, org, when, i.ref) for i in new]
    return log.append(conn, leaves)


def evidence_store(workspace_root: Path) -> EvidenceStore:
    return EvidenceStore(workspace_root / "evidence")


def post_item(post: Any) -> Item:
    """The post as stored, in canonical JSON (Post is a dataclass; datetimes as ISO text)."""
    from dataclasses import asdict

    return Item(canonical_json(asdict(post)), "post", post.id)


def record_ingest(
    conn: Connection,
    workspace_root: Path,
    posts: Iterable[Any],
    blobs: Iterable[Any] = (),
    *,
    run_id: int | None = None,
    org: str = DEFAULT_ORG,
) -> list[int]:
    """Pipeline hook for ingest: log each new post and each stored image or raw record.

    ``posts`` are :class:`tracelight.model.Post` and ``blobs`` are
    :class:`tracelight.model.ImageBlob` (anything with ``data``, ``sha256``, ``uri``).
    Call it in the same transaction that inserts them.
    """
    items = [post_item(p) for p in posts]
    items.extend(Item(bytes(b.data), "image", b.uri) for b in blobs)
    actor = f"tracelight ingest (run {run_id})" if run_id is not None else "tracelight ingest"
    return record(conn, evidence_store(workspace_root), items, actor=actor, org=org)


def record_analysis(
    conn: Connection,
    workspace_root: Path,
    extractions: Sequence[tuple[str, Sequence[Any]]] = (),
    networks: Sequence[Any] = (),
    *,
    run_id: int | None = None,
    org: str = DEFAULT_ORG,
) -> list[int]:
    """Pipeline hook for analyze: log extraction results per post and network membership.

    ``extractions`` is the ``(post_id, [Mention, ...])`` list the extract stage writes;
    ``networks`` are :class:`tracelight.model.Network` as stored by the link stage. A
    network's item is its membership at this run, so a later run that changes it
    records a new item rather than altering the old one.
    """
    from dataclasses import asdict

    items = [
        Item(
            canonical_json({"post": post_id, "mentions": [asdict(m) for m in mentions]}),
            "extraction",
            post_id,
        )
        for post_id, mentions in extractions
    ]
    for network in networks:
        body = {"network": network.id, "run": run_id, **asdict(network)}
        items.append(Item(canonical_json(body), "network", network.id))
    actor = f"tracelight analyze (run {run_id})" if run_id is not None else "tracelight analyze"
    return record(conn, evidence_store(workspace_root), items, actor=actor, org=org)
