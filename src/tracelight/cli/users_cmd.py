"""``tracelight users``: accounts of the web app (add a user, issue an API token)."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from tracelight.cli.common import DbOpt, JsonOpt, WorkspaceOpt, failures, workspace_of
from tracelight.cli.render import emit_json, stdout
from tracelight.store.db import open_engine

users_app = typer.Typer(
    help="Accounts of the web app: organisations, users, roles and API tokens.",
    no_args_is_help=True,
)


def _read_password() -> str:
    """The password from stdin (first line), or asked twice on a terminal.

    Never an option: command lines end up in shell history and process lists.
    """
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise ValueError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@users_app.command("add")
def add(
    org: Annotated[str, typer.Option("--org", help="Organisation (created on first use).")],
    role: Annotated[str, typer.Option("--role", help="admin, analyst, viewer or auditor.")],
    username: Annotated[str, typer.Option("--username", help="The new user's name.")],
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Add a user; the password is read from standard input."""
    from tracelight.web import accounts

    with failures():
        password = _read_password()
        engine = open_engine(workspace_of(workspace, db).db_url)
        try:
            with engine.begin() as conn:
                accounts.add_user(conn, org, role, username, password)
        finally:
            engine.dispose()
        stdout.print(f"added {username} ({role}) to {org}", markup=False)


@users_app.command("token")
def token(
    username: Annotated[str, typer.Option("--username", help="Whose token.")],
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "api",
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue an API token for scripts (printed once; only its hash is stored)."""
    from tracelight.web import accounts

    with failures():
        engine = open_engine(workspace_of(workspace, db).db_url)
        try:
            with engine.begin() as conn:
                issued = accounts.create_api_token(conn, username, label)
        finally:
            engine.dispose()
        if as_json:
            emit_json({"username": username, "label": label, "token": issued})
        else:
            stdout.print(issued, markup=False)
