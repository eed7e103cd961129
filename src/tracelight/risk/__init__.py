"""Explained risk: indicator library, transparent scores, calibration, job-ad screening.

* :mod:`.library`: every feature the model may weigh, with its description and sources;
* :mod:`.features`: feature values in [0, 1] for a post or a network, with pointers;
* :mod:`.model`: the readable logistic weights, shipped calibrated, overridable;
* :mod:`.score`: scores and their one-sentence reasons;
* :mod:`.calibrate`: fitting the weights on labelled examples, and the measures used;
* :mod:`.jobs`: the recruitment-fraud classifier for job ads.

Pure functions (no database, no I/O besides reading packaged data), like every module of
the analysis layer.
"""

from __future__ import annotations

from tracelight.risk.features import LinkRef, Span
from tracelight.risk.model import RiskConfigError, RiskModel, default_model, load_model
from tracelight.risk.score import Reason, RiskScore, score_network, score_post

__all__ = [
    "LinkRef",
    "Reason",
    "RiskConfigError",
    "RiskModel",
    "RiskScore",
    "Span",
    "default_model",
    "load_model",
    "score_network",
    "score_post",
]
