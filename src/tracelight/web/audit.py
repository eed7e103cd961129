"""The audit log: who did what, when, from where, for every read, search and change.

Each entry is a row of ``audit_log`` written in the same transaction as the read or
change it describes (an entry exists exactly when the action happened) and, when the
evidence ledger is available, also a leaf of the ledger, so that an organisation cannot
quietly rewrite its own access history.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from tracelight.store import repository as repo

if TYPE_CHECKING:
    from tracelight.web.accounts import Principal

AUDIT_KIND = "audit"
"""Ledger leaf kind of an audit entry."""


def record(
    conn: Connection,
    ledger_root: Path | None,
    who: Principal | None,
    action: str,
    target: str,
    client: str,
    detail: dict[str, Any] | None = None,
    *,
    username: str | None = None,
    org_id: int | None = None,
    org: str | None = None,
) -> int:
    """Write one audit entry (and its ledger leaf when ``ledger_root`` is given)."""
    entry = {
        "at": datetime.now(UTC),
        "user_id": who.user_id if who else None,
        "username": (who.username if who else username or None),
        "org_id": who.org_id if who else org_id,
        "action": action[:32],
        "target": target[:500],
        "detail": detail or {},
        "client": client[:64],
    }
    entry_id = repo.insert_audit(conn, entry)
    if ledger_root is not None:
        _to_ledger(conn, ledger_root, entry_id, entry, who.org if who else org)
    return entry_id


def _to_ledger(
    conn: Connection, root: Path, entry_id: int, entry: dict[str, Any], org: str | None
) -> None:
    try:
        from tracelight.ledger import evidence
    except ImportError:  # a build without the ledger: the audit table alone is the record
        return
    body = {**entry, "id": entry_id, "at": entry["at"].isoformat()}
    content = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    item = evidence.Item(content.encode(), AUDIT_KIND, f"audit/{entry_id}")
    evidence.record(
        conn,
        evidence.evidence_store(root),
        [item],
        actor=f"web:{entry['username'] or 'anonymous'}",
        org=org or evidence.DEFAULT_ORG,
    )
