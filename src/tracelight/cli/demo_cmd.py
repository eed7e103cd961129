"""``tracelight demo``: the whole pipeline on a synthetic corpus, in one command."""

from __future__ import annotations

from typing import Annotated

import typer

from tracelight.cli.common import JsonOpt, WorkspaceOpt, failures, workspace_of
from tracelight.cli.networks_cmd import print_networks
from tracelight.cli.render import emit_json, safe, stdout
from tracelight.pipeline import reports
from tracelight.pipeline.demo import run_demo
from tracelight.pipeline.engine import make_engine
from tracelight.pipeline.progress import NullReporter, Reporter, RichReporter


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
