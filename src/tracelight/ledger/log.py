"""The store-backed log: batched appends, proofs and checkpoints over SQL tables.

Appends run inside the caller's transaction, so a leaf exists exactly when the
record it describes was committed. Each batch reads the O(log n) nodes of the
compact range, computes the new perfect nodes in memory and writes them with the
leaves in bulk; the head row is updated first, which serialises concurrent
appenders on both SQLite (the write lock) and PostgreSQL (the row lock).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring as _json_string
from typing import Any

from sqlalchemy import Connection, insert, select, update

from tracelight.ledger import merkle
from tracelight.ledger.keys import SigningKey
from tracelight.ledger.note import add_signatures, parse_note, sign_checkpoint
from tracelight.ledger.verify import Checkpoint, parse_checkpoint
from tracelight.store import schema as t

INSERT_CHUNK = 5000
SQLITE_CACHE_KIB = 65536
LEAF_INSERT_QMARK = "INSERT INTO ledger_leaves (idx, kind, item, ref, leaf) VALUES (?, ?, ?, ?, ?)"
LEAF_INSERT_FORMAT = (
    "INSERT INTO ledger_leaves (idx, kind, item, ref, leaf) VALUES (%s, %s, %s, %s, %s)"
)
NODE_INSERT_QMARK = "INSERT INTO ledger_nodes (id, hash) VALUES (?, ?)"
NODE_INSERT_FORMAT = "INSERT INTO ledger_nodes (id, hash) VALUES (%s, %s)"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class LedgerError(RuntimeError):
    """The ledger cannot do what was asked; the message names the record and the reason."""


@dataclass(frozen=True, slots=True)
class Leaf:
    """What one log entry binds: an item's SHA-256, its kind, who, for which organisation, when.

    ``ref`` names the record the item belongs to (a post id, a network id) so that a
    bundle can be assembled by record; it is part of the signed leaf.
    """

    kind: str
    item: str
    actor: str
    org: str
    time: str
    ref: str = ""

    def encode(self) -> bytes:
        """Canonical JSON (sorted keys, no spaces, UTF-8): one byte string per leaf.

        Written out field by field rather than through ``json.dumps`` of a dict: the keys
        are fixed, so this is the same bytes (a test compares them on arbitrary text)
        at a fifth of the cost, which matters at tens of thousands of appends a second.
        ``encode_basestring`` is the string encoder ``json`` itself uses when
        ``ensure_ascii`` is off.
        """
        return (
            f'{{"actor":{_json_string(self.actor)},"item":{_json_string(self.item)},'
            f'"kind":{_json_string(self.kind)},"org":{_json_string(self.org)},'
            f'"ref":{_json_string(self.ref)},"time":{_json_string(self.time)},"v":1}}'
        ).encode()


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _lock_head(conn: Connection) -> tuple[int, bytes]:
    """Take the append lock and return (size, root); create the head row on first use."""
    row = conn.execute(
        update(t.ledger_head)
        .where(t.ledger_head.c.id == 1)
        .values(size=t.ledger_head.c.size)
        .returning(t.ledger_head.c.size, t.ledger_head.c.root)
    ).first()
    if row is None:
        conn.execute(insert(t.ledger_head).values(id=1, size=0, root=merkle.EMPTY_ROOT))
        return 0, merkle.EMPTY_ROOT
    return int(row.size), bytes(row.root)


def head(conn: Connection) -> tuple[int, bytes]:
    """The current (size, root) without taking the append lock."""
    row = conn.exec_driver_sql("SELECT size, root FROM ledger_head WHERE id = 1").first()
    return (0, merkle.EMPTY_ROOT) if row is None else (int(row[0]), bytes(row[1]))


def _fetch_nodes(conn: Connection, keys: Sequence[int]) -> dict[int, bytes]:
    """Stored node hashes by key, in one statement per 500 keys.

    Proofs are the ledger's hot read (a court's verifier, a witness, every bundle item),
    so this goes to the driver with a plain statement: building and caching a Core
    ``IN`` expression cost more than the index lookups themselves.
    """
    found: dict[int, bytes] = {}
    postgres = conn.dialect.name == "postgresql"
    for start in range(0, len(keys), 500):
        chunk = [int(k) for k in keys[start : start + 500]]
        if postgres:
            rows = conn.exec_driver_sql(
                "SELECT id, hash FROM ledger_nodes WHERE id = ANY(%s)", (chunk,)
            )
        else:
            # Only "?" placeholders are spliced in; the keys travel as parameters.
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT id, hash FROM ledger_nodes WHERE id IN ({marks})"  # noqa: S608
            rows = conn.exec_driver_sql(sql, tuple(chunk))
        found.update((int(key), bytes(value)) for key, value in rows)
    return found


def _fetcher(conn: Connection) -> merkle.NodeFetcher:
    return lambda keys: _fetch_nodes(conn, keys)


def _bulk(conn: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    for start in range(0, len(rows), INSERT_CHUNK):
        conn.exec_driver_sql(sql, list(rows[start : start + INSERT_CHUNK]))


def _copy_field(value: str) -> str:
    """A text value escaped for COPY's text format (backslash, tab, newline, return)."""
    return value.translate(_COPY_ESCAPES)


def _copy(conn: Connection, table: str, columns: str, lines: Sequence[str]) -> None:
    """PostgreSQL ``COPY ... FROM STDIN`` on the caller's connection, so in its transaction.

    Multi-row INSERTs over a socket cost a round trip and a statement per chunk; COPY
    streams the rows in one command, which is what PostgreSQL's bulk loading is for.
    The rows arrive already formatted as COPY text lines: one ``write`` of the joined
    block costs far less than psycopg's per-row ``write_row`` adaptation.
    """
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for start in range(0, len(lines), INSERT_CHUNK):
            copy.write("".join(lines[start : start + INSERT_CHUNK]))


def _write(
    conn: Connection,
    leaf_rows: Sequence[tuple[int, str, str, str, bytes]],
    new_nodes: Sequence[tuple[int, bytes]],
) -> None:
    """Insert the new leaves and nodes by the fastest path the driver offers."""
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        leaf_lines = [
            f"{idx}\t{_copy_field(kind)}\t{_copy_field(item)}\t{_copy_field(ref)}"
            f"\t\\\\x{data.hex()}\n"
            for idx, kind, item, ref, data in leaf_rows
        ]
        _copy(conn, "ledger_leaves", "idx, kind, item, ref, leaf", leaf_lines)
        node_lines = [f"{key}\t\\\\x{value.hex()}\n" for key, value in new_nodes]
        _copy(conn, "ledger_nodes", "id, hash", node_lines)
        return
    # Straight to the driver's executemany: the rows are plain tuples, and skipping the
    # per-row compilation work of Core is what keeps appends above 20,000 per second.
    qmark = conn.dialect.paramstyle == "qmark"
    if conn.dialect.name == "sqlite":
        # Leaf items are random SHA-256 keys, so every insert into their index lands on
        # a random page; SQLite's default 2 MiB page cache misses on most of them once
        # the log passes a million leaves. 64 MiB for this connection: -15 % CPU at 1M.
        conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    _bulk(conn, LEAF_INSERT_QMARK if qmark else LEAF_INSERT_FORMAT, leaf_rows)
    _bulk(conn, NODE_INSERT_QMARK if qmark else NODE_INSERT_FORMAT, new_nodes)


def append(conn: Connection, leaves: Sequence[Leaf]) -> list[int]:
    """Append ``leaves`` in the caller's transaction; return their indices."""
    if not leaves:
        return []
    size, _ = _lock_head(conn)
    plan = merkle.CompactRange.nodes_for(size)
    nodes = _fetch_nodes(conn, [merkle.node_key(*n) for n in plan])
    try:
        compact = merkle.CompactRange(size, [nodes[merkle.node_key(*n)] for n in plan])
    except KeyError as exc:
        raise LedgerError(f"ledger node {exc} of the tree's right edge is missing") from exc
    new_nodes: list[tuple[int, bytes]] = []
    leaf_rows: list[tuple[int, str, str, str, bytes]] = []
    for position, leaf in enumerate(leaves):
        data = leaf.encode()
        compact.append(merkle.leaf_hash(data), new_nodes)
        leaf_rows.append((size + position, leaf.kind, leaf.item, leaf.ref, data))
    _write(conn, leaf_rows, new_nodes)
    conn.execute(
        update(t.ledger_head)
        .where(t.ledger_head.c.id == 1)
        .values(size=compact.size, root=compact.root())
    )
    return list(range(size, compact.size))


def _check_size(conn: Connection, size: int | None) -> int:
    current, _ = head(conn)
    if size is None:
        return current
    if not 0 <= size <= current:
        raise LedgerError(f"tree size {size} is outside the log (current size {current})")
    return size


def root_at(conn: Connection, size: int | None = None) -> bytes:
    """The root hash of the tree at any past ``size``, from O(log n) stored nodes."""
    size = _check_size(conn, size)
    if size == 0:
        return merkle.EMPTY_ROOT
    return merkle.prove([(0, size)], _fetcher(conn))[0]


def leaf_at(conn: Connection, index: int) -> bytes:
    row = conn.execute(select(t.ledger_leaves.c.leaf).where(t.ledger_leaves.c.idx == index)).first()
    if row is None:
        raise LedgerError(f"no leaf at index {index}")
    return bytes(row.leaf)


def inclusion_proof(conn: Connection, index: int, size: int | None = None) -> list[bytes]:
    """The RFC 9162 inclusion proof of leaf ``index`` in the tree of ``size`` (default: now)."""
    size = _check_size(conn, size)
    if not 0 <= index < size:
        raise LedgerError(f"leaf index {index} is outside a tree of size {size}")
    return merkle.prove(merkle.inclusion_ranges(index, size), _fetcher(conn))


def consistency_proof(conn: Connection, size1: int, size2: int | None = None) -> list[bytes]:
    """The RFC 9162 consistency proof from ``size1`` to ``size2`` (default: now)."""
    size2 = _check_size(conn, size2)
    if not 0 <= size1 <= size2:
        raise LedgerError(f"cannot prove consistency from size {size1} to {size2}")
    if size1 == 0:
        return []
    return merkle.prove(merkle.consistency_ranges(0, size1, size2), _fetcher(conn))


def checkpoint(conn: Connection, key: SigningKey) -> str:
    """Sign (or return the already signed) checkpoint for the current head and keep it."""
    size, root = head(conn)
    existing = conn.execute(
        select(t.ledger_checkpoints.c.note).where(t.ledger_checkpoints.c.size == size)
    ).first()
    if existing is not None:
        stored = parse_checkpoint(parse_note(existing.note).text)
        if stored.root == root and stored.origin == key.name:
            return str(existing.note)
        raise LedgerError(
            f"stored checkpoint at size {size} has root {stored.root.hex()}, "
            f"the log now has {root.hex()}: the log was modified"
        )
    note = sign_checkpoint(Checkpoint(key.name, size, root), key)
    conn.execute(
        insert(t.ledger_checkpoints).values(size=size, note=note, created_at=datetime.now(UTC))
    )
    return note


def latest_checkpoint(conn: Connection) -> str | None:
    row = conn.execute(
        select(t.ledger_checkpoints.c.note).order_by(t.ledger_checkpoints.c.size.desc()).limit(1)
    ).first()
    return None if row is None else str(row.note)


def add_cosignature(conn: Connection, cosigned: str) -> str:
    """Attach a witness's cosignature lines to the stored checkpoint they sign."""
    body = parse_checkpoint(parse_note(cosigned).text)
    row = conn.execute(
        select(t.ledger_checkpoints.c.note).where(t.ledger_checkpoints.c.size == body.size)
    ).first()
    if row is None:
        raise LedgerError(f"no stored checkpoint at tree size {body.size}")
    merged = add_signatures(str(row.note), cosigned)
    conn.execute(
        update(t.ledger_checkpoints)
        .where(t.ledger_checkpoints.c.size == body.size)
        .values(note=merged)
    )
    return merged


def audit(conn: Connection) -> list[str]:
    """Recompute the whole tree from the stored leaves and compare every stored node.

    Proofs only touch O(log n) nodes; this full pass is the periodic check that finds
    a tampered leaf or node anywhere, and names its index.
    """
    problems: list[str] = []
    size, stored_root = head(conn)
    compact = merkle.CompactRange()
    expected: list[tuple[int, bytes]] = []
    rows = conn.execute(
        select(t.ledger_leaves.c.idx, t.ledger_leaves.c.leaf).order_by(t.ledger_leaves.c.idx)
    )
    count = 0
    for row in rows:
        if int(row.idx) != count:
            problems.append(f"leaf {count} is missing (next stored leaf is {row.idx})")
            return problems
        compact.append(merkle.leaf_hash(bytes(row.leaf)), expected)
        count += 1
    if count != size:
        problems.append(f"log head says {size} leaves, {count} are stored")
    stored = dict(
        (int(r.id), bytes(r.hash))
        for r in conn.execute(select(t.ledger_nodes.c.id, t.ledger_nodes.c.hash))
    )
    for key, value in expected:
        level, index = key & 63, key >> 6
        got = stored.get(key)
        if got is None:
            problems.append(f"node (level {level}, index {index}) is missing")
        elif got != value:
            what = f"leaf {index}" if level == 0 else f"node (level {level}, index {index})"
            problems.append(
                f"{what}: stored hash {got.hex()} does not match the hash recomputed from "
                f"the leaves {value.hex()}"
            )
    if compact.root() != stored_root:
        problems.append(
            f"log head root {stored_root.hex()} does not match the leaves' root "
            f"{compact.root().hex()}"
        )
    for note_row in conn.execute(select(t.ledger_checkpoints.c.size, t.ledger_checkpoints.c.note)):
        cp = parse_checkpoint(parse_note(note_row.note).text)
        if cp.size != int(note_row.size):
            problems.append(f"checkpoint stored at size {note_row.size} says tree size {cp.size}")
        if cp.size > count:
            problems.append(f"checkpoint at size {cp.size} is beyond the {count} stored leaves")
        elif cp.size > 0:
            recomputed = merkle.root_from_leaves(
                merkle.leaf_hash(bytes(r.leaf))
                for r in conn.execute(
                    select(t.ledger_leaves.c.leaf)
                    .where(t.ledger_leaves.c.idx < cp.size)
                    .order_by(t.ledger_leaves.c.idx)
                )
            )
            if recomputed != cp.root:
                problems.append(
                    f"checkpoint at size {cp.size}: root {cp.root.hex()} is not the root of "
                    f"the stored leaves {recomputed.hex()}"
                )
    return problems


def leaves_for(conn: Connection, refs: Sequence[str] | None) -> list[tuple[int, bytes]]:
    """(index, leaf) of every leaf whose ``ref`` is in ``refs`` (all leaves when None)."""
    query = select(t.ledger_leaves.c.idx, t.ledger_leaves.c.leaf).order_by(t.ledger_leaves.c.idx)
    if refs is None:
        return [(int(r.idx), bytes(r.leaf)) for r in conn.execute(query)]
    out: list[tuple[int, bytes]] = []
    for start in range(0, len(refs), 500):
        chunk = list(refs[start : start + 500])
        out.extend(
            (int(r.idx), bytes(r.leaf))
            for r in conn.execute(query.where(t.ledger_leaves.c.ref.in_(chunk)))
        )
    return sorted(set(out))


def leaves_for_items(conn: Connection, items: Sequence[str]) -> list[tuple[int, bytes]]:
    """(index, leaf) of every leaf naming one of ``items`` (including erasure leaves)."""
    query = select(t.ledger_leaves.c.idx, t.ledger_leaves.c.leaf)
    out: list[tuple[int, bytes]] = []
    for start in range(0, len(items), 500):
        chunk = list(items[start : start + 500])
        out.extend(
            (int(r.idx), bytes(r.leaf))
            for r in conn.execute(query.where(t.ledger_leaves.c.item.in_(chunk)))
        )
    return sorted(set(out))
