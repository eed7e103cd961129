"""The extraction evaluation runs on the shared ground truth (skipped when absent)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from conftest import SHARED_DATA

EVAL = Path(__file__).resolve().parents[1] / "eval" / "extraction_eval.py"


@pytest.mark.skipif(
    not (SHARED_DATA / "escort_ads_phone_groundtruth").exists(), reason="shared data absent"
)
def test_evaluation_scores_tracelight_beside_the_baseline() -> None:
    spec = importlib.util.spec_from_file_location("extraction_eval", EVAL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["extraction_eval"] = module
    spec.loader.exec_module(module)
    scores = {(s.kind, s.system): s for s in module.score_phones(SHARED_DATA)}
    ours, baseline = scores[("phone", "tracelight")], scores[("phone", "phonenumbers baseline")]
    assert ours.records == baseline.records > 0
    # Tracelight never does worse than the library it builds on.
    assert ours.true_positives >= baseline.true_positives
    assert ours.precision >= 0.8
