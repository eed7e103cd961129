"""Entry point: the ``tracelight`` command and its verbs."""

from __future__ import annotations

import typer

from tracelight import __version__
from tracelight.cli.analyze_cmd import analyze
from tracelight.cli.demo_cmd import demo
from tracelight.cli.extract_cmd import extract
from tracelight.cli.ingest_cmd import ingest
from tracelight.cli.ledger_cmd import evidence_app, ledger_app, verify
from tracelight.cli.networks_cmd import networks
from tracelight.cli.search_cmd import search
from tracelight.cli.stats_cmd import stats

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
