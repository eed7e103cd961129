"""``tracelight serve --workers 2``: several server processes behave as one server.

The real command in a subprocess on 127.0.0.1: a session made by one worker is accepted
by the other (each request below comes on a new connection, which the kernel gives to
either), every search is audited, and after Ctrl+C every audit entry is in the store.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from helpers import ad, write_jsonl
from tracelight.pipeline.ingest import ingest_sources
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace
from tracelight.web import accounts

PASSWORD = "correct horse battery"
REQUESTS = 24


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.extend(int(c) for c in (task / "children").read_text().split())
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_two_workers_share_sessions_and_lose_no_audit_entry(tmp_path: Path) -> None:
    workspace = Workspace.resolve(tmp_path / "ws")
    ingest_sources(workspace, [write_jsonl(tmp_path / "ads.jsonl", [ad(n) for n in range(5)])])
    engine = open_engine(workspace.db_url)
    with engine.begin() as conn:
        accounts.add_user(conn, "local", "analyst", "ana", PASSWORD)
    port = _free_port()
    command = [str(Path(sys.executable).with_name("tracelight")), "serve"]
    command += ["--workspace", str(workspace.root), "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                if httpx.get(base + "/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        assert len(_children(server.pid)) >= 2  # the workers (and nothing serves alone)
        fresh = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=base, limits=fresh) as client:
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            answer = client.post(
                "/login",
                data={"username": "ana", "password": PASSWORD, "csrf_token": token.group(1)},
            )
            assert answer.status_code == 303
            for n in range(REQUESTS):
                found = client.get("/search", params={"q": f"sweet OR girl{n}"})
                assert found.status_code == 200
                assert "ana · analyst · local" in found.text
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            raise
    assert server.returncode == 0
    with engine.connect() as conn:
        searches = conn.scalar(
            select(func.count()).select_from(t.audit_log).where(t.audit_log.c.action == "search")
        )
        leaves = conn.scalar(select(func.count()).select_from(t.ledger_leaves))
    engine.dispose()
    assert searches == REQUESTS
    assert leaves is not None and leaves >= REQUESTS
