"""``tracelight analyze``: extract mentions and link posts into networks."""

from __future__ import annotations

from typing import Annotated

import typer

from tracelight.cli.common import DbOpt, JsonOpt, WorkspaceOpt, failures, workspace_of
from tracelight.cli.render import emit_json, stdout
from tracelight.link.graph import DEFAULT_MAX_DEGREE
from tracelight.pipeline.analyze import analyze as run_analyze
from tracelight.pipeline.engine import ENGINES, make_engine
from tracelight.pipeline.progress import NullReporter, Reporter, RichReporter


def analyze(
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    engine: Annotated[str, typer.Option(help=f"Where stages run: {', '.join(ENGINES)}.")] = "local",
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: one per core).")
    ] = None,
    max_degree: Annotated[
        int,
        typer.Option(min=2, help="A selector on more posts than this is a hub, not a link."),
    ] = DEFAULT_MAX_DEGREE,
    as_json: JsonOpt = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Extract phones and e-mails from new posts and rebuild the networks."""
    with failures():
        if engine not in ENGINES:
            raise typer.BadParameter(f"choose one of {', '.join(ENGINES)}", param_hint="--engine")
        ws = workspace_of(workspace, db)
        reporter: Reporter = RichReporter() if progress and not as_json else NullReporter()
        runner = make_engine(engine, workers)
        try:
            summary = run_analyze(ws, runner, reporter, max_degree=max_degree)
        finally:
            reporter.close()
            runner.close()
        if as_json:
            emit_json(summary.as_dict())
            return
        stdout.print(
            f"extracted {summary.extracted_posts} posts ({summary.mentions} mentions); "
            f"{summary.selectors} selectors, {summary.hubs} hubs; "
            f"[bold]{summary.networks}[/] networks covering {summary.posts_in_networks} posts"
        )
