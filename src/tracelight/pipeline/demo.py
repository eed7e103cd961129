"""The main job on the embedded default: synthesise a corpus, ingest it, analyse it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tracelight.ingest import ReadOptions
from tracelight.pipeline.analyze import AnalyzeSummary, analyze
from tracelight.pipeline.engine import Engine
from tracelight.pipeline.evaluate import PairScore, load_synth_truth, pair_score
from tracelight.pipeline.ingest import IngestSummary, ingest_sources
from tracelight.pipeline.progress import Reporter
from tracelight.pipeline.reports import networks
from tracelight.store.workspace import Workspace
from tracelight.synth import CorpusSummary, generate_corpus


@dataclass(frozen=True, slots=True)
class DemoResult:
    corpus: CorpusSummary
    ingest: IngestSummary
    analyze: AnalyzeSummary
    score: PairScore


def run_demo(
    workspace: Workspace,
    posts: int,
    seed: int,
    engine: Engine,
    reporter: Reporter,
) -> DemoResult:
    workspace.ensure()
    corpus_dir = workspace.root / "demo-corpus" / f"posts-{posts}-seed-{seed}"
    corpus = generate_corpus(corpus_dir, posts, seed)
    ingested = ingest_sources(workspace, [corpus.posts_path], ReadOptions(), reporter)
    analysed = analyze(workspace, engine, reporter)
    found = networks(workspace, None)
    score = pair_score((n.posts for n in found), load_synth_truth(corpus.ground_truth_path))
    return DemoResult(corpus=corpus, ingest=ingested, analyze=analysed, score=score)


def corpus_root(workspace: Workspace) -> Path:
    return workspace.root / "demo-corpus"
