"""Options and error handling shared by every command."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from tracelight.cli.render import clean, stderr
from tracelight.store.workspace import Workspace

WorkspaceOpt = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $TRACELIGHT_WORKSPACE or ./.tracelight).",
        show_default=False,
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL, e.g. postgresql://user@host/db (default: $TRACELIGHT_DB or the "
        "workspace's SQLite file).",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def workspace_of(folder: str | None, db: str | None) -> Workspace:
    return Workspace.resolve(folder, db)


USAGE_EXIT = 2


@contextmanager
def failures() -> Iterator[None]:
    """Turn any failure into exit code 1 with a one-line reason on stderr.

    Usage errors are Typer's (exit 2); everything else a user can meet (missing
    file, unreachable database, corrupt store) becomes one readable line rather than
    a traceback. ``TRACELIGHT_DEBUG=1`` shows the traceback for bug reports.
    """
    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except BrokenPipeError:
        # The reader went away (``| head``): not a failure of ours; stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None
    except Exception as exc:
        # Typer's usage errors (bad option values) carry exit code 2: let Typer report them.
        if getattr(exc, "exit_code", None) == USAGE_EXIT or os.environ.get("TRACELIGHT_DEBUG"):
            raise
        reason = clean(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 300)
        stderr.print(f"error: {type(exc).__name__}: {reason}", markup=False)
        raise typer.Exit(1) from None
