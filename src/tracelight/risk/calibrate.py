"""Fitting the model's weights on labelled examples, and the measures reported for it.

The fit is a logistic regression, L2-regularised towards prior weights (the indicators'
``weight_hint``), with the weights constrained to be
non-negative (projected gradient descent with Adam steps, in numpy): the constraint keeps
every feature a reason *for* risk, so scores stay monotone and explanations one-sided.
Features whose weight is fixed by hand enter as a constant offset and are not fitted.

The measures are those that make sense for a ranked queue with few positives: ROC AUC,
average precision, precision among the top N, and the Brier score with a reliability
table for calibration (a score of 0.8 should be right about 80% of the time).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tracelight.risk.model import Logistic

Rows = Sequence[Mapping[str, float]]


def matrix(rows: Rows, features: Sequence[str]) -> NDArray[np.float64]:
    index = {f: i for i, f in enumerate(features)}
    x = np.zeros((len(rows), len(features)))
    for r, row in enumerate(rows):
        for key, value in row.items():
            if key in index:
                x[r, index[key]] = value
    return x


def fit(
    rows: Rows,
    labels: Sequence[int],
    features: Sequence[str],
    fixed: Mapping[str, float] | None = None,
    *,
    prior: Mapping[str, float] | None = None,
    l2: float = 1.0,
    steps: int = 4000,
    rate: float = 0.05,
) -> Logistic:
    """Non-negative L2 logistic regression of ``labels`` on ``rows`` (feature -> value).

    ``l2`` pulls each weight towards its ``prior`` (0 when not given): a feature the data
    never shows keeps its prior, the expert's starting weight, instead of dropping to 0
    because a synthetic corpus happens not to contain it. ``fixed`` weights are used as
    they are.
    """
    fixed = dict(fixed or {})
    free = [f for f in features if f not in fixed]
    x = matrix(rows, free)
    offset = matrix(rows, list(fixed)) @ np.array(list(fixed.values())) if fixed else 0.0
    y = np.asarray(labels, dtype=float)
    n = max(1, len(y))
    w0 = np.array([float((prior or {}).get(f, 0.0)) for f in free])
    w = w0.copy()
    b = float(np.log((y.mean() + 1e-6) / (1 - y.mean() + 1e-6))) if len(y) else 0.0
    m = np.zeros(len(free) + 1)
    v = np.zeros(len(free) + 1)
    for step in range(1, steps + 1):
        z = x @ w + b + offset
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
        g = np.concatenate([x.T @ (p - y) / n + l2 * (w - w0) / n, [float((p - y).mean())]])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        delta = rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        w = np.maximum(0.0, w - delta[:-1])
        b -= float(delta[-1])
    weights = {f: round(float(wi), 4) for f, wi in zip(free, w, strict=True)}
    weights.update(fixed)
    return Logistic(round(b, 4), {f: weights[f] for f in features if weights.get(f, 0.0) > 0})


def roc_auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Probability that a random positive outranks a random negative (ties count half)."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    pos, neg = int(y.sum()), int((~y).sum())
    if not pos or not neg:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_s = s[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


def average_precision(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Area under the precision-recall curve, as the mean precision at each positive."""
    order = np.argsort(-np.asarray(scores, dtype=float), kind="mergesort")
    y = np.asarray(labels, dtype=float)[order]
    if not y.sum():
        return float("nan")
    precision = np.cumsum(y) / np.arange(1, len(y) + 1)
    return float((precision * y).sum() / y.sum())


def precision_at(scores: Sequence[float], labels: Sequence[int], k: int) -> float:
    order = np.argsort(-np.asarray(scores, dtype=float), kind="mergesort")[:k]
    return float(np.asarray(labels, dtype=float)[order].mean()) if k else float("nan")


def brier(scores: Sequence[float], labels: Sequence[int]) -> float:
    s = np.asarray(scores, dtype=float)
    return float(((s - np.asarray(labels, dtype=float)) ** 2).mean())


@dataclass(frozen=True, slots=True)
class Bin:
    low: float
    high: float
    count: int
    mean_score: float
    positive_rate: float


def reliability(scores: Sequence[float], labels: Sequence[int], bins: int = 5) -> list[Bin]:
    """Mean score against the observed positive rate, in equal-width score bins."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=float)
    out: list[Bin] = []
    for i in range(bins):
        low, high = i / bins, (i + 1) / bins
        inside = (s >= low) & ((s < high) if i < bins - 1 else (s <= high))
        if inside.any():
            out.append(
                Bin(low, high, int(inside.sum()), float(s[inside].mean()), float(y[inside].mean()))
            )
    return out
