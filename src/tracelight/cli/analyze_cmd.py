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
        int | None,
        typer.Option(
            min=1, help="Worker processes (default: one per core); partitions for --engine spark."
        ),
    ] = None,
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            help="Spark master URL for --engine spark (default local[2] or "
            "$TRACELIGHT_SPARK_MASTER).",
        ),
    ] = None,
    max_degree: Annotated[
        int,
        typer.Option(min=2, help="A selector on more posts than this is a hub, not a link."),
    ] = DEFAULT_MAX_DEGREE,
    relink: Annotated[
        bool,
        typer.Option(
            "--relink",
            help="Link every stored post again instead of only the new ones "
            "(after changing linking parameters; gives the same networks otherwise).",
        ),
    ] = False,
    as_json: JsonOpt = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Extract mentions from new posts and link them into networks.

    New posts are linked against everything stored through the near-duplicate index
    kept in the workspace; ``--relink`` rebuilds it from all posts.
    """
    with failures():
        if engine not in ENGINES:
            raise typer.BadParameter(f"choose one of {', '.join(ENGINES)}", param_hint="--engine")
        ws = workspace_of(workspace, db)
        reporter: Reporter = RichReporter() if progress and not as_json else NullReporter()
        runner = make_engine(engine, workers, spark_master=spark_master)
        if isinstance(reporter, RichReporter) and hasattr(runner, "progress"):
            # Spark's own stages (tasks done, retried, failed) above the batch bar.
            runner.progress = lambda status: reporter.log(status.line())
        try:
            summary = run_analyze(ws, runner, reporter, max_degree=max_degree, relink=relink)
        finally:
            reporter.close()
            runner.close()
        if as_json:
            emit_json(summary.as_dict())
            return
        stdout.print(
            f"extracted {summary.extracted_posts} posts ({summary.mentions} mentions); "
            f"{summary.selectors} selectors, {summary.hubs} hubs; "
            f"[bold]{summary.networks}[/] networks covering {summary.posts_in_networks} posts "
            f"({summary.indexed_posts} posts linked "
            f"{'in full' if summary.relinked else 'against the saved index'}, "
            f"{summary.networks_written} networks changed)"
        )
