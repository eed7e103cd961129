"""``tracelight triage``: the queue of networks by risk, and the analysts' marks on it.

``tracelight triage`` lists; ``tracelight triage mark NETWORK STATE`` records a decision
(reviewed, escalated, dismissed, open); ``tracelight triage history NETWORK`` shows them
all. Reviewed and dismissed networks leave the queue until they grow or their risk rises.
Marks are an organisation's (``--org``, default ``local``) and share one history with
the web app's triage reviews, so a decision made in either shows in both.
"""

from __future__ import annotations

import getpass
from enum import StrEnum
from typing import Annotated

import typer

from tracelight.cli.common import DbOpt, JsonOpt, WorkspaceOpt, failures, workspace_of
from tracelight.cli.render import emit_json, safe, stdout
from tracelight.pipeline import reports
from tracelight.pipeline.reports import NetworkReport
from tracelight.pipeline.risk import mark_network, marks_history
from tracelight.store.repository import DEFAULT_ORG

triage_app = typer.Typer(
    help="The triage queue: networks by risk, with reasons; mark them as you work.",
    invoke_without_command=True,
    no_args_is_help=False,
)


class State(StrEnum):
    reviewed = "reviewed"
    escalated = "escalated"
    dismissed = "dismissed"
    open = "open"


OrgOpt = Annotated[str, typer.Option("--org", help="The organisation whose decisions these are.")]


def triage_json(report: NetworkReport) -> dict[str, object]:
    """The queue entry: risk, reasons, size, cities, time span, selectors and the mark."""
    return {
        "network": report.id,
        "risk": report.risk,
        "size": report.size,
        "cities": report.cities or report.places,
        "first_seen": report.first_seen.isoformat() if report.first_seen else None,
        "last_seen": report.last_seen.isoformat() if report.last_seen else None,
        "reasons": report.reasons,
        "selectors": [{"kind": k, "value": v} for k, v in report.selectors],
        "posts": report.posts,
        "triage": report.state,
        "reopened": reports.reopened(report),
    }


@triage_app.callback()
def triage(
    ctx: typer.Context,
    top: Annotated[int, typer.Option(min=0, help="How many to show; 0 shows all.")] = 20,
    show_all: Annotated[
        bool, typer.Option("--all", help="Include reviewed and dismissed networks.")
    ] = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    org: OrgOpt = DEFAULT_ORG,
) -> None:
    """List networks by risk with their reasons, size, cities and time span."""
    if ctx.invoked_subcommand is not None:
        return
    with failures():
        queue = reports.triage(workspace_of(workspace, db), top or None, show_all, org)
        if as_json:
            for report in queue:
                emit_json(triage_json(report))
            return
        print_queue(queue)


def print_queue(queue: list[NetworkReport]) -> None:
    if not queue:
        stdout.print("the queue is empty: no networks, or all of them marked")
        return
    for rank, report in enumerate(queue, 1):
        risk = "—" if report.risk is None else f"{report.risk:.2f}"
        span = ""
        if report.first_seen and report.last_seen:
            span = f"  {report.first_seen:%Y-%m-%d} → {report.last_seen:%Y-%m-%d}"
        mark = ""
        if report.state:
            mark = f"  [{safe(report.state['state'])}"
            mark += " — changed since]" if reports.reopened(report) else "]"
        stdout.print(
            f"{rank:>3}. [bold]{report.id}[/]  risk {risk}  {report.size} posts{span}{mark}"
        )
        places = report.cities or report.places
        if places:
            cities = ", ".join(places[:6])
            more = f" (+{len(places) - 6} more)" if len(places) > 6 else ""
            stdout.print(f"     cities: {safe(cities)}{more}", soft_wrap=True)
        for reason in report.reasons[:4]:
            stdout.print(f"     · {safe(reason['text'], 200)}", soft_wrap=True)


@triage_app.command("mark")
def mark(
    network: Annotated[str, typer.Argument(help="The network id, e.g. N018b97e68ec1dd4.")],
    state: Annotated[State, typer.Argument(help="reviewed, escalated, dismissed or open.")],
    note: Annotated[str, typer.Option(help="Why, in a few words.")] = "",
    analyst: Annotated[
        str | None, typer.Option(help="Who decides (default: the login name).")
    ] = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    org: OrgOpt = DEFAULT_ORG,
) -> None:
    """Mark a network reviewed, escalated, dismissed or open again (kept, and logged in
    the ledger)."""
    with failures():
        who = analyst or getpass.getuser()
        ws = workspace_of(workspace, db)
        done = mark_network(ws, network, state.value, who, note, org=org)
        if as_json:
            emit_json(done)
            return
        stdout.print(f"{safe(network)} marked {state.value} by {safe(who)}")


@triage_app.command("history")
def history(
    network: Annotated[str, typer.Argument(help="The network id.")],
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    org: Annotated[
        str | None, typer.Option("--org", help="Only this organisation's marks.")
    ] = None,
) -> None:
    """Every mark made on a network (here or in the web app), oldest first."""
    with failures():
        marks = marks_history(workspace_of(workspace, db), network, org)
        for m in marks:
            if as_json:
                emit_json({**m, "marked_at": m["marked_at"].isoformat()})
            else:
                stdout.print(
                    f"{m['marked_at']:%Y-%m-%d %H:%M}  {safe(m['state'])}  {safe(m['analyst'])}"
                    f" ({safe(m['org'])})  {safe(m['note'])}"
                )
