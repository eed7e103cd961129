"""``tracelight networks``: the networks found, riskiest first, then largest."""

from __future__ import annotations

from typing import Annotated

import typer

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
    """One block per network: a header line, then its selectors and places.

    Blocks rather than a table: selector values and place names are long and a
    table squeezed into a terminal truncates exactly the evidence analysts need.
    """
    if not found:
        stdout.print("no networks yet: run `tracelight analyze` after ingesting posts")
        return
    for network in found:
        risk = "risk —" if network.risk is None else f"risk {network.risk:.2f}"
        span = ""
        if network.first_seen and network.last_seen:
            span = f"  {network.first_seen:%Y-%m-%d} → {network.last_seen:%Y-%m-%d}"
        stdout.print(f"[bold]{network.id}[/]  {network.size} posts  {risk}{span}")
        selectors = ", ".join(f"{kind}:{value}" for kind, value in network.selectors[:8])
        if len(network.selectors) > 8:
            selectors += f" (+{len(network.selectors) - 8} more)"
        stdout.print(f"    selectors: {safe(selectors)}", soft_wrap=True)
        if network.places:
            places = " → ".join(network.places[:8])
            if len(network.places) > 8:
                places += f" (+{len(network.places) - 8} more)"
            stdout.print(f"    places:    {safe(places)}", soft_wrap=True)
        for reason in network.reasons[:5]:
            stdout.print(f"    reason:    {safe(reason['text'])}", soft_wrap=True)
