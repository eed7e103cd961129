"""The score stage in the store (SQLite and PostgreSQL): scores, reasons, the triage queue."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from tracelight.ingest import ReadOptions
from tracelight.pipeline import reports
from tracelight.pipeline.analyze import analyze
from tracelight.pipeline.engine import make_engine
from tracelight.pipeline.ingest import ingest_sources
from tracelight.pipeline.risk import ensure_scored, mark_network, risk_model, score_networks
from tracelight.risk.jobs import JobModel, screen, screen_with_indicators, train
from tracelight.store import repository as repo
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace
from tracelight.synth import generate_corpus


@pytest.fixture
def analysed(workspace: Workspace, tmp_path: Path) -> Workspace:
    workspace.ensure()
    corpus = generate_corpus(tmp_path / "corpus", 400, seed=3)
    ingest_sources(workspace, [corpus.posts_path], ReadOptions())
    engine = make_engine("serial")
    try:
        analyze(workspace, engine)
    finally:
        engine.close()
    return workspace


def test_scores_reasons_and_triage_state(analysed: Workspace) -> None:
    store = open_engine(analysed.db_url)
    with store.begin() as conn:
        summary = score_networks(conn, model=risk_model(analysed), run_id=None)
    assert summary.networks > 0 and summary.above_half > 0
    assert ensure_scored(store, risk_model(analysed)) is None  # fresh: nothing to do
    queue = reports.triage(analysed, None)
    assert [r.risk for r in queue] == sorted((r.risk or 0 for r in queue), reverse=True)
    top = queue[0]
    assert top.risk is not None
    assert 0.5 < top.risk <= 1 and top.reasons and top.cities
    with store.connect() as conn:
        posts = {p.id: p for p in repo.get_posts(conn, top.posts)}
    spans = [s for r in top.reasons for s in r["spans"]]
    assert spans
    for span in spans:  # every pointer is a real span of a real member post
        assert span["post"] in posts
        assert posts[span["post"]].text(span["field"])[span["start"] : span["end"]] == span["text"]

    mark_network(analysed, top.id, "dismissed", "ana", "independent, checked")
    assert top.id not in [r.id for r in reports.triage(analysed, None)]
    closed = {r.id: r for r in reports.triage(analysed, None, include_closed=True)}
    state = closed[top.id].state
    assert state is not None and state["state"] == "dismissed"
    mark_network(analysed, top.id, "escalated", "ben")
    assert top.id in [r.id for r in reports.triage(analysed, None)]
    with store.connect() as conn:
        marks = repo.triage_marks(conn, top.id)
        leaves = conn.execute(
            select(t.ledger_leaves.c.kind).where(t.ledger_leaves.c.ref == top.id)
        ).all()
    assert [m["state"] for m in marks] == ["dismissed", "escalated"]
    # The CLI decides for ``local`` unless told otherwise; "ana" has no account here.
    assert {(m["org"], m["user_id"]) for m in marks} == {("local", None)}
    assert sum(1 for (kind,) in leaves if kind == "triage") == 2
    # Another organisation's marks are its own queue's: local's state is unchanged.
    mark_network(analysed, top.id, "dismissed", "cy", org="elsewhere")
    assert top.id in [r.id for r in reports.triage(analysed, None)]
    assert top.id not in [r.id for r in reports.triage(analysed, None, org="elsewhere")]
    # "open" (the web app's reopen) puts a dismissed network back in the queue.
    mark_network(analysed, top.id, "open", "cy", org="elsewhere")
    assert top.id in [r.id for r in reports.triage(analysed, None, org="elsewhere")]
    with pytest.raises(LookupError):
        mark_network(analysed, "Nnope", "reviewed", "ana")
    with pytest.raises(ValueError, match="state must be"):
        mark_network(analysed, top.id, "ignored", "ana")

    # The organisation changes its weights: the next read scores again with them.
    (analysed.root / "risk.json").write_text(json.dumps({"network": {"intercept": -20}}))
    rescored = {r.id: r.risk or 0.0 for r in reports.networks(analysed, None)}
    assert rescored[top.id] < top.risk
    store.dispose()


def test_reviewed_network_comes_back_when_it_grows() -> None:
    base = reports.NetworkReport(
        id="N1", size=10, posts=[], selectors=[], places=[], first_seen=None,
        last_seen=None, risk=0.5, reasons=[],
        state={"state": "reviewed", "size_then": 10, "risk_then": 0.5},
    )  # fmt: skip
    assert not reports.reopened(base)
    assert reports.reopened(replace(base, size=15))
    assert reports.reopened(replace(base, risk=0.65))
    assert not reports.reopened(replace(base, size=15, state={"state": "escalated"}))


ADS = [
    ("Data entry from home, earn $5000 weekly, no experience, pay registration fee", 1),
    ("Work from home data entry clerk, weekly pay $4000, registration fee required", 1),
    ("Earn money fast from home, no interview, processing fee and bank details needed", 1),
    ("Administrative assistant, easy home job, weekly cash, application fee first", 1),
    ("Senior accountant for audit team, CPA required, five years experience, Boston office", 0),
    ("Backend engineer, Python and PostgreSQL, hybrid in Berlin, competitive salary", 0),
    ("Registered nurse for night shifts at county hospital, licence required", 0),
    ("Marketing manager to lead brand campaigns, agency background preferred", 0),
    ("Warehouse associate, forklift certificate, day shift, benefits after 90 days", 0),
    ("Customer support specialist, Spanish and English, remote within Spain", 0),
]


def test_job_screening_trains_saves_and_explains(tmp_path: Path) -> None:
    records = [{"text": text} for text, _ in ADS * 3]
    labels = [y for _, y in ADS * 3]
    model = train(records, labels, folds=3)
    model.save(tmp_path / "model")
    loaded = JobModel.load(tmp_path / "model")
    probe = {"text": "home data entry job, weekly pay, registration fee"}
    assert abs(loaded.probability(probe) - model.probability(probe)) < 1e-4
    result = screen(probe, loaded)
    assert result.fraudulent and result.method == "model"
    terms = {r["term"] for r in result.reasons if "term" in r}
    assert terms & {"registration fee", "data entry", "registration", "entry", "home", "weekly"}, (
        terms
    )
    assert not screen({"text": "Backend engineer in Berlin, PostgreSQL"}, loaded).fraudulent
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "model.json").write_text('{"format": "pickle"}')
    with pytest.raises(ValueError, match="not a Tracelight"):
        JobModel.load(tmp_path / "bad")


def test_job_screening_without_a_model_uses_the_indicator_library() -> None:
    text = "Work in Dubai, visa sponsorship guaranteed. Recruitment fee of $500, housing provided."
    result = screen_with_indicators({"text": text})
    assert result.method == "indicators" and result.fraudulent
    found = {r["indicator"] for r in result.reasons}
    assert "labor.recruitment_fee" in found
    for reason in result.reasons:
        for span in reason["spans"]:
            assert text[span["start"] : span["end"]] == span["text"]
    assert not screen_with_indicators({"text": "Nurse, county hospital, licence"}).fraudulent


def test_network_mentions_by_page_equal_the_whole_store_join(analysed: Workspace) -> None:
    # Risk scoring reads mentions a page of networks at a time through two index lookups
    # (a single join chose a plan that probed every mention of a kind per network); the
    # pages together must give exactly what one join over the whole store gives.
    kinds = ("phone", "email", "age", "price", "indicator", "location")
    store = open_engine(analysed.db_url)
    try:
        with store.connect() as conn:
            whole = list(repo.iter_network_mentions(conn, kinds))
            ids = sorted({network_id for network_id, _ in whole})
            paged = [
                pair
                for start in range(0, len(ids), 7)
                for pair in repo.iter_network_mentions(conn, kinds, ids[start : start + 7])
            ]
    finally:
        store.dispose()
    assert len(ids) > 7 and len(whole) > len(ids)
    assert {m.kind for _, m in whole} <= set(kinds)
    assert paged == whole
