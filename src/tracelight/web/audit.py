"""The audit log: who did what, when, from where, for every read, search and change.

Each entry is a row of ``audit_log`` and, when the evidence ledger is available, also a
leaf of the ledger, so that an organisation cannot quietly rewrite its own access
history. A change's entry is written in the same transaction as the change (it exists
exactly when the change does). A read changes nothing, so the hot read pages (search,
post, network) hand their entry to the app's :class:`AuditWriter` instead, which
commits the entries of concurrent requests together and answers each request only once
its entry is committed: no answered read is ever missing from the log.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine

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
    entry = _entry(who, action, target, client, detail, username=username, org_id=org_id)
    return _write(conn, ledger_root, entry, who.org if who else org)


def _entry(
    who: Principal | None,
    action: str,
    target: str,
    client: str,
    detail: dict[str, Any] | None,
    *,
    username: str | None = None,
    org_id: int | None = None,
) -> dict[str, Any]:
    return {
        "at": datetime.now(UTC),
        "user_id": who.user_id if who else None,
        "username": (who.username if who else username or None),
        "org_id": who.org_id if who else org_id,
        "action": action[:32],
        "target": target[:500],
        "detail": detail or {},
        "client": client[:64],
    }


def _write(
    conn: Connection, ledger_root: Path | None, entry: dict[str, Any], org: str | None
) -> int:
    entry_id = repo.insert_audit(conn, entry)
    if ledger_root is not None:
        _to_ledger(conn, ledger_root, entry_id, entry, org)
    return entry_id


class AuditWriter:
    """Group commit of the audit entries of reads, one writer thread per app.

    Every request used to write its entry (a row, an encrypted ledger item, a ledger
    leaf) in a transaction of its own. With many requests at once, SQLite's single
    writer made them queue for the write lock, and its busy handler waits in growing
    sleeps, so a view could spend far longer waiting than writing. Here a request
    queues its entry and waits; the writer thread takes every entry waiting, writes them
    all in one transaction, in arrival order, and then releases their requests. So:

    * a request is answered only after its entry is committed: a crash can lose only
      entries whose requests had not been answered yet, and those fail with an error;
    * if the transaction fails, every request of the batch fails (500), as before;
    * :meth:`close` (the app's shutdown, after the server has finished the requests in
      flight) writes whatever is still queued before the thread ends; a request
      arriving after it writes its entry itself.
    """

    MAX_BATCH = 200

    def __init__(self, engine: Engine, ledger_root: Path | None) -> None:
        self._engine = engine
        self._ledger_root = ledger_root
        self._ready = threading.Condition()
        self._queue: list[tuple[dict[str, Any], str | None, Future[int]]] = []
        self._thread: threading.Thread | None = None
        self._closed = False

    def record(
        self,
        who: Principal | None,
        action: str,
        target: str,
        client: str,
        detail: dict[str, Any] | None = None,
    ) -> int:
        """Queue one entry and wait until it is committed; its id."""
        entry = _entry(who, action, target, client, detail)
        org = who.org if who else None
        done: Future[int] = Future()
        with self._ready:
            queued = not self._closed
            if queued:
                if self._thread is None:  # started in the serving process, on first use
                    self._thread = threading.Thread(
                        target=self._run, name="audit-writer", daemon=True
                    )
                    self._thread.start()
                self._queue.append((entry, org, done))
                self._ready.notify()
        if not queued:
            with self._engine.begin() as conn:
                return _write(conn, self._ledger_root, entry, org)
        return done.result()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                if not self._queue:
                    return
                batch = self._queue[: self.MAX_BATCH]
                del self._queue[: self.MAX_BATCH]
            for _e, _o, done in batch:
                done.set_running_or_notify_cancel()
            try:
                with self._engine.begin() as conn:
                    ids = [_write(conn, self._ledger_root, e, org) for e, org, _ in batch]
            except BaseException as exc:  # every request of the batch fails with it
                for _e, _o, done in batch:
                    done.set_exception(exc)
                continue
            for (_e, _o, done), entry_id in zip(batch, ids, strict=True):
                done.set_result(entry_id)

    def close(self) -> None:
        """Write the entries still queued, then stop the thread."""
        with self._ready:
            self._closed = True
            self._ready.notify()
            thread = self._thread
        if thread is not None:
            thread.join()


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
