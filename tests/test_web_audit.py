"""The audit writer's group commit: every entry committed before its request goes on,
in one transaction per batch, none lost at shutdown, failures reported to each caller."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tracelight.ledger import log as ledger_log
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace
from tracelight.web.accounts import Principal
from tracelight.web.audit import AUDIT_KIND, AuditWriter

WHO = Principal(
    user_id=1, username="ana", role="analyst", org_id=1, org="north", csrf=None, via="session"
)
THREADS = 16
EACH = 10


def _count(workspace: Workspace) -> tuple[int, int]:
    engine = open_engine(workspace.db_url)
    try:
        with engine.connect() as conn:
            rows = conn.scalar(select(func.count()).select_from(t.audit_log))
            leaves = conn.scalar(
                select(func.count())
                .select_from(t.ledger_leaves)
                .where(t.ledger_leaves.c.kind == AUDIT_KIND)
            )
            return int(rows or 0), int(leaves or 0)
    finally:
        engine.dispose()


def test_concurrent_entries_are_all_committed_once_with_their_leaves(tmp_path: Path) -> None:
    workspace = Workspace.resolve(tmp_path / "ws")
    engine = open_engine(workspace.db_url)
    writer = AuditWriter(engine, workspace.root)
    ids: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for i in range(EACH):
            entry_id = writer.record(WHO, "search", f"q{n}-{i}", "127.0.0.1", {"n": n})
            # Committed when record returns: another connection already sees it.
            with engine.connect() as conn:
                seen = conn.scalar(select(t.audit_log.c.target).where(t.audit_log.c.id == entry_id))
            assert seen == f"q{n}-{i}"
            with lock:
                ids.append(entry_id)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()
    assert len(set(ids)) == THREADS * EACH
    assert _count(workspace) == (THREADS * EACH, THREADS * EACH)
    with engine.connect() as conn:
        size, _root = ledger_log.head(conn)
    assert size == THREADS * EACH
    # After close (the app shutting down) an entry is written directly, never dropped.
    writer.record(WHO, "view.post", "post/late", "127.0.0.1")
    assert _count(workspace) == (THREADS * EACH + 1, THREADS * EACH + 1)
    engine.dispose()


def test_a_failed_batch_fails_its_requests(tmp_path: Path) -> None:
    workspace = Workspace.resolve(tmp_path / "ws")
    engine = open_engine(workspace.db_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE audit_log"))
    writer = AuditWriter(engine, workspace.root)
    with pytest.raises(Exception, match="audit_log"):
        writer.record(WHO, "search", "q", "127.0.0.1")
    writer.close()
    engine.dispose()
