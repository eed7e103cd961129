"""``tracelight networks``: the networks found, largest or riskiest first."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tracelight.cli.common import DbOpt, JsonOpt, WorkspaceOpt, failures, workspace_of
from tracelight.cli.render import emit_json, safe, stdout
from tracelight.pipeline import reports
from tracelight.pipeline.reports import NetworkReport


def networks(
    top: Annotated[int, typer.Option(min=0, help="How many to show; 0 shows all.")] = 10,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List networks of two or more linked posts with their selectors."""
    with failures():
        found = reports.networks(workspace_of(workspace, db), top or None)
        if as_json:
            for network in found:
                emit_json(network.as_json())
            return
        print_networks(found)


def print_networks(found: list[NetworkReport]) -> None:
    if not found:
        stdout.print("no networks yet: run `tracelight analyze` after ingesting posts")
        return
    table = Table(title="Networks", show_lines=False)
    table.add_column("network")
    table.add_column("risk", justify="right")
    table.add_column("posts", justify="right")
    table.add_column("selectors")
    table.add_column("places")
    table.add_column("seen")
    for network in found:
        selectors = ", ".join(f"{kind}:{value}" for kind, value in network.selectors[:4])
        if len(network.selectors) > 4:
            selectors += f" +{len(network.selectors) - 4}"
        places = " → ".join(network.places[:5]) + (" …" if len(network.places) > 5 else "")
        span = ""
        if network.first_seen and network.last_seen:
            span = f"{network.first_seen:%Y-%m-%d} … {network.last_seen:%Y-%m-%d}"
        table.add_row(
            network.id,
            "—" if network.risk is None else f"{network.risk:.2f}",
            str(network.size),
            safe(selectors, 80),
            safe(places, 60),
            span,
        )
    stdout.print(table)
