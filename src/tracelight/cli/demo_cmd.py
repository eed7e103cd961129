"""``tracelight demo``: the whole pipeline on a synthetic corpus, in one command.

It ends by saying how to open the web app on the demo workspace: it makes a demo
account (an admin of the organisation ``local``, which holds the demo's posts) with a
generated passphrase kept in ``<workspace>/demo-account.txt``, readable by its owner
only, never printed (terminal output ends up in logs and screen shares).
"""

from __future__ import annotations

import os
import secrets
import shlex
from pathlib import Path
from typing import Annotated

import typer

from tracelight.cli.common import JsonOpt, WorkspaceOpt, failures, workspace_of
from tracelight.cli.networks_cmd import print_networks
from tracelight.cli.render import emit_json, safe, stdout
from tracelight.pipeline import reports
from tracelight.pipeline.demo import run_demo
from tracelight.pipeline.engine import make_engine
from tracelight.pipeline.progress import NullReporter, Reporter, RichReporter
from tracelight.store import repository as repo
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace

DEMO_USER = "demo-admin"
DEMO_ROLE = "admin"
DEMO_ACCOUNT_FILE = "demo-account.txt"


def ensure_demo_account(ws: Workspace) -> Path:
    """The demo account, made once: its passphrase file is written (mode 0600) in the
    transaction that creates the account, so neither exists without the other. A rerun
    keeps both; if the file was deleted, the account gets a new passphrase and file."""
    from tracelight.web import accounts
    from tracelight.web.security import hash_password

    path = ws.root / DEMO_ACCOUNT_FILE
    engine = open_engine(ws.db_url)
    try:
        with engine.begin() as conn:
            existing = repo.user_by_username(conn, DEMO_USER)
            if existing is not None and path.exists():
                return path
            passphrase = secrets.token_urlsafe(18)
            if existing is None:
                accounts.add_user(conn, repo.DEFAULT_ORG, DEMO_ROLE, DEMO_USER, passphrase)
            else:
                repo.set_user_password(conn, int(existing.id), hash_password(passphrase))
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(
                    f"username: {DEMO_USER}\npassphrase: {passphrase}\n"
                    f"organisation: {repo.DEFAULT_ORG}\nrole: {DEMO_ROLE}\n"
                )
    finally:
        engine.dispose()
    return path


def serve_command(ws: Workspace) -> str:
    return f"tracelight serve --workspace {shlex.quote(str(ws.root))}"


def demo(
    posts: Annotated[int, typer.Option(min=1, help="Synthetic posts to generate.")] = 5000,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same corpus.")] = 7,
    workspace: WorkspaceOpt = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: one per core).")
    ] = None,
    top: Annotated[int, typer.Option(min=0, help="Networks to show.")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Generate a seeded synthetic corpus, run the full pipeline on it into an SQLite
    workspace, and show the top networks with how well they match the ground truth."""
    with failures():
        ws = workspace_of(workspace, None)
        reporter: Reporter = NullReporter() if as_json else RichReporter()
        engine = make_engine("local", workers)
        try:
            result = run_demo(ws, posts, seed, engine, reporter)
        finally:
            reporter.close()
            engine.close()
        counts = reports.stats(ws)
        score = result.score
        account_file = ensure_demo_account(ws)
        if as_json:
            emit_json(
                {
                    "workspace": str(ws.root),
                    "corpus": str(result.corpus.out_dir),
                    "ground_truth": str(result.corpus.ground_truth_path),
                    "stats": counts,
                    "ingest": result.ingest.as_dict(),
                    "analyze": result.analyze.as_dict(),
                    "pairwise": {
                        "precision": score.precision,
                        "recall": score.recall,
                        "f1": score.f1,
                        "groups_found": score.groups_found,
                        "groups": score.groups,
                    },
                    "web": {
                        "serve": serve_command(ws),
                        "url": "http://127.0.0.1:8000/",
                        "username": DEMO_USER,
                        "organisation": repo.DEFAULT_ORG,
                        "passphrase_file": str(account_file),
                    },
                }
            )
            return
        stdout.print(f"workspace: {safe(str(ws.root))}  (store: {safe(ws.db_url)})")
        stdout.print(f"corpus: {safe(str(result.corpus.out_dir))}")
        stdout.print("stats: " + ", ".join(f"{value:,} {name}" for name, value in counts.items()))
        stdout.print(
            f"against the ground truth: pairwise precision {score.precision:.3f}, "
            f"recall {score.recall:.3f}; {score.groups_found} of {score.groups} "
            "linked groups (trafficking networks, recruitment fraud) found at least in part"
        )
        print_networks(reports.networks(ws, top or None))
        hubs = reports.hubs(ws)
        if hubs:
            shown = ", ".join(f"{kind}:{value} ({count} posts)" for kind, value, count in hubs[:5])
            stdout.print(f"hubs set aside (shared by too many unrelated posts): {safe(shown)}")
        stdout.print(
            f"\nopen the web app on this workspace: {safe(serve_command(ws))}"
            "  then http://127.0.0.1:8000/",
            soft_wrap=True,
        )
        stdout.print(
            f"sign in as {DEMO_USER} ({DEMO_ROLE} of organisation {repo.DEFAULT_ORG}); "
            f"the passphrase is in {safe(str(account_file))}",
            soft_wrap=True,
        )
