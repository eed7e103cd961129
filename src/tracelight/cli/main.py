"""Entry point: the ``tracelight`` command and its verbs."""

from __future__ import annotations

import typer

from tracelight import __version__
from tracelight.cli.alerts_cmd import alerts
from tracelight.cli.analyze_cmd import analyze
from tracelight.cli.demo_cmd import demo
from tracelight.cli.extract_cmd import extract
from tracelight.cli.faces_cmd import faces_app
from tracelight.cli.images_cmd import images_app
from tracelight.cli.ingest_cmd import ingest
from tracelight.cli.jobs_cmd import jobs_app
from tracelight.cli.ledger_cmd import evidence_app, ledger_app, verify
from tracelight.cli.networks_cmd import networks
from tracelight.cli.search_cmd import search
from tracelight.cli.serve_cmd import serve
from tracelight.cli.stats_cmd import stats
from tracelight.cli.triage_cmd import triage_app
from tracelight.cli.users_cmd import users_app

app = typer.Typer(
    name="tracelight",
    help="Counter-human-trafficking intelligence: posts in, contacts out, networks ranked.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
for verb in (demo, ingest, analyze, networks, search, stats, extract):
    app.command()(verb)
app.command()(verify)
app.add_typer(ledger_app, name="ledger")
app.add_typer(evidence_app, name="evidence")
app.add_typer(triage_app, name="triage")
app.add_typer(jobs_app, name="jobs")
app.command()(serve)
app.add_typer(users_app, name="users")
app.command()(alerts)
app.add_typer(images_app, name="images")
app.add_typer(faces_app, name="faces")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tracelight {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """Counter-human-trafficking intelligence: posts in, contacts out, networks ranked."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
