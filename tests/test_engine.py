"""Engines: the process pool gives exactly what the serial engine gives, in order."""

from __future__ import annotations

from pathlib import Path

from helpers import ad, write_jsonl
from tracelight.extract import extract_batch
from tracelight.model import Post
from tracelight.pipeline import reports
from tracelight.pipeline.analyze import analyze
from tracelight.pipeline.engine import LocalEngine, SerialEngine, make_engine
from tracelight.pipeline.ingest import ingest_sources
from tracelight.store.workspace import Workspace


def _square(batch: list[int]) -> list[int]:
    return [x * x for x in batch]


def test_local_engine_preserves_order_with_bounded_in_flight() -> None:
    batches = [[i, i + 1] for i in range(0, 200, 2)]
    engine = LocalEngine(workers=2, in_flight_per_worker=1)
    try:
        assert list(engine.map_batches(_square, iter(batches))) == [_square(b) for b in batches]
    finally:
        engine.close()


def test_local_engine_pulls_input_lazily() -> None:
    pulled: list[int] = []

    def source() -> object:
        for i in range(100):
            pulled.append(i)
            yield [i]

    engine = LocalEngine(workers=2, in_flight_per_worker=2)
    try:
        results = engine.map_batches(_square, source())  # type: ignore[arg-type]
        first = next(results)
        assert first == [0]
        assert len(pulled) <= engine.max_in_flight + 1  # never the whole input at once
        assert len(list(results)) == 99
    finally:
        engine.close()


def test_make_engine() -> None:
    assert isinstance(make_engine("serial"), SerialEngine)
    single = make_engine("local", 1)
    assert isinstance(single, LocalEngine) and single.workers == 1
    engine = make_engine("local", 2)
    assert isinstance(engine, LocalEngine) and engine.workers == 2


def test_extract_stage_is_identical_in_both_engines() -> None:
    posts = [
        Post(
            id=f"p{i}",
            source="s",
            external_id=None,
            url=None,
            posted_at=None,
            collected_at=None,
            title=None,
            body=f"call (415) 555-01{i % 100:02d} x{i}@example.com",
            location=None,
            country="US",
            language=None,
        )
        for i in range(300)
    ]
    batches = [posts[i : i + 37] for i in range(0, 300, 37)]
    local = LocalEngine(workers=2)
    try:
        assert list(local.map_batches(extract_batch, batches)) == list(
            SerialEngine().map_batches(extract_batch, batches)
        )
    finally:
        local.close()


def test_analyze_gives_the_same_networks_on_both_engines(tmp_path: Path) -> None:
    records = [
        ad(i, body=f"call (415) 555-01{i % 40:02d} or (415) 555-01{(i * 7) % 90:02d}")
        for i in range(400)
    ]
    source = write_jsonl(tmp_path / "ads.jsonl", records)
    results = []
    for name, engine in (("serial", SerialEngine()), ("local", LocalEngine(workers=2))):
        ws = Workspace.resolve(tmp_path / name)
        ingest_sources(ws, [source])
        try:
            analyze(ws, engine, max_degree=1000)
        finally:
            engine.close()
        results.append(([n.as_json() for n in reports.networks(ws, None)], reports.stats(ws)))
    assert results[0] == results[1]
    assert results[0][1]["networks"] >= 1
