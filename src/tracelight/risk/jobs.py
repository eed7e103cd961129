"""Recruitment-fraud screening of job ads: a small, inspectable text classifier.

Fraudulent job ads are the front door of labour trafficking (fees, fake visas, "housing
provided" abroad). The classifier is a logistic regression over hashed word unigrams and
bigrams (TF-IDF weighted, L2-normalised) plus a few structural tokens of EMSCAD's raw
columns (no company logo, no company profile, telecommuting, no screening questions).
Why this and not a larger model: it trains in seconds on a CPU, screens an ad in well
under a millisecond, and each decision is explained by the words that raised it.

A trained model is a folder of plain data (``model.json`` and two ``.npy`` arrays read
with ``allow_pickle=False``): loading a model never executes code from it. The decision
threshold is chosen on the training data only (out-of-fold predictions, best F1 of the
fraudulent class), never on the data the model is evaluated on.

Without a model, :func:`screen_with_indicators` uses the indicator library (labour
indicators with their spans) and the post-level weights of the risk model.
"""

from __future__ import annotations

import itertools
import json
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tracelight.extract.indicator import extract_indicators
from tracelight.model import Post
from tracelight.risk.features import post_observations
from tracelight.risk.model import Logistic, RiskModel, default_model
from tracelight.risk.score import explain

DIMENSION = 1 << 18
FORMAT = "tracelight-jobs/1"
TEXT_COLUMNS = ("title", "company_profile", "description", "requirements", "benefits")
FLAG_TOKENS = {
    "has_company_logo": ("0", "__no_company_logo__"),
    "telecommuting": ("1", "__telecommuting__"),
    "has_questions": ("0", "__no_screening_questions__"),
}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "we",
        "you",
        "your",
        "our",
        "us",
        "i",
        "me",
        "my",
        "they",
        "their",
        "them",
        "he",
        "she",
        "his",
        "her",
    ]
)
"""Dropped so that raw ads read like the stop-word-free preprocessed EMSCAD text."""


def job_text(record: Mapping[str, Any]) -> str:
    """One ad as text: a ``text`` column, or EMSCAD's raw columns, or a post's title/body."""
    if record.get("text"):
        return str(record["text"])
    parts = [str(record.get(c) or "") for c in (*TEXT_COLUMNS, "body")]
    return "\n".join(p for p in parts if p.strip())


def flag_tokens(record: Mapping[str, Any]) -> list[str]:
    """Structural tokens from EMSCAD's flag columns (absent columns add nothing)."""
    out = [token for col, (value, token) in FLAG_TOKENS.items() if str(record.get(col)) == value]
    if "company_profile" in record and not str(record.get("company_profile") or "").strip():
        out.append("__no_company_profile__")
    return out


def tokens(text: str) -> list[str]:
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _bucket(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) & (DIMENSION - 1)


@dataclass(frozen=True, slots=True)
class Sparse:
    """A CSR matrix in three numpy arrays: what the trainer needs, without scipy."""

    indptr: NDArray[np.int64]
    indices: NDArray[np.int64]
    data: NDArray[np.float64]

    def dot(self, w: NDArray[np.float64]) -> NDArray[np.float64]:
        rows = len(self.indptr) - 1
        products = self.data * w[self.indices]
        sums = np.zeros(rows)
        lengths = np.diff(self.indptr)
        nonempty = lengths > 0
        if products.size:
            sums[nonempty] = np.add.reduceat(products, self.indptr[:-1][nonempty])
        return sums

    def tdot(self, g: NDArray[np.float64]) -> NDArray[np.float64]:
        per_entry = np.repeat(g, np.diff(self.indptr))
        summed = np.bincount(self.indices, weights=self.data * per_entry, minlength=DIMENSION)
        return summed.astype(np.float64)

    def take(self, rows: Sequence[int]) -> Sparse:
        ptr = [0]
        idx: list[NDArray[np.int64]] = []
        dat: list[NDArray[np.float64]] = []
        for r in rows:
            a, b = self.indptr[r], self.indptr[r + 1]
            idx.append(self.indices[a:b])
            dat.append(self.data[a:b])
            ptr.append(ptr[-1] + int(b - a))
        return Sparse(
            np.asarray(ptr, dtype=np.int64),
            np.concatenate(idx) if idx else np.zeros(0, dtype=np.int64),
            np.concatenate(dat) if dat else np.zeros(0),
        )


def _counts(doc: Sequence[str]) -> dict[int, float]:
    counts: dict[int, float] = {}
    for token in doc:
        b = _bucket(token)
        counts[b] = counts.get(b, 0.0) + 1.0
    return counts


def vectorise(docs: Sequence[Sequence[str]], idf: NDArray[np.float64]) -> Sparse:
    """Sublinear TF times IDF, each row L2-normalised."""
    ptr = [0]
    idx: list[int] = []
    dat: list[float] = []
    for doc in docs:
        counts = _counts(doc)
        keys = sorted(counts)
        values = np.array([(1 + np.log(counts[k])) * idf[k] for k in keys])
        norm = float(np.sqrt((values**2).sum())) or 1.0
        idx.extend(keys)
        dat.extend((values / norm).tolist())
        ptr.append(len(idx))
    return Sparse(np.asarray(ptr, dtype=np.int64), np.asarray(idx, dtype=np.int64), np.asarray(dat))


def document_frequencies(docs: Sequence[Sequence[str]]) -> NDArray[np.float64]:
    df = np.zeros(DIMENSION)
    for doc in docs:
        df[list({_bucket(t) for t in doc})] += 1
    return np.log((1 + len(docs)) / (1 + df)) + 1.0


def train_logistic(
    x: Sparse, y: NDArray[np.float64], *, l2: float = 1e-4, steps: int = 300, rate: float = 0.1
) -> tuple[NDArray[np.float64], float]:
    """Full-batch Adam on the mean log loss with an L2 penalty; returns weights, bias."""
    w = np.zeros(DIMENSION)
    b = 0.0
    m = np.zeros(DIMENSION + 1)
    v = np.zeros(DIMENSION + 1)
    positive = y.mean() if len(y) else 0.5
    balance = np.where(y > 0, 0.5 / max(positive, 1e-9), 0.5 / max(1 - positive, 1e-9))
    for step in range(1, steps + 1):
        p = 1 / (1 + np.exp(-np.clip(x.dot(w) + b, -40, 40)))
        r = (p - y) * balance / len(y)
        g = np.concatenate([x.tdot(r) + l2 * w, [float(r.sum())]])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        delta = rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        w -= delta[:-1]
        b -= float(delta[-1])
    return w, b


def best_threshold(scores: NDArray[np.float64], y: NDArray[np.float64]) -> float:
    """The score threshold with the best F1 of the positive class."""
    best, chosen = -1.0, 0.5
    for threshold in np.unique(np.round(scores, 3)):
        predicted = scores >= threshold
        tp = float((predicted & (y > 0)).sum())
        f1 = 2 * tp / max(1.0, float(predicted.sum()) + float((y > 0).sum()))
        if f1 > best:
            best, chosen = f1, float(threshold)
    return chosen


@dataclass(frozen=True, slots=True)
class JobModel:
    weights: NDArray[np.float64]
    idf: NDArray[np.float64]
    bias: float
    threshold: float
    info: Mapping[str, Any]

    def document(self, record: Mapping[str, Any]) -> list[str]:
        return tokens(job_text(record)) + flag_tokens(record)

    def probability(self, record: Mapping[str, Any]) -> float:
        x = vectorise([self.document(record)], self.idf)
        z = float(x.dot(self.weights)[0]) + self.bias
        return float(1 / (1 + np.exp(-np.clip(z, -40, 40))))

    def top_terms(self, record: Mapping[str, Any], limit: int = 5) -> list[tuple[str, float]]:
        """The words (or flags) that raised this ad's score most, with their contributions."""
        doc = self.document(record)
        x = vectorise([doc], self.idf)
        contribution = {
            int(i): float(d * self.weights[i]) for i, d in zip(x.indices, x.data, strict=True)
        }
        seen: dict[str, float] = {}
        for token in doc:
            value = contribution.get(_bucket(token), 0.0)
            if value > 0 and token not in seen:
                seen[token] = value
        return sorted(seen.items(), key=lambda kv: -kv[1])[:limit]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "weights.npy", self.weights.astype(np.float32), allow_pickle=False)
        np.save(folder / "idf.npy", self.idf.astype(np.float32), allow_pickle=False)
        meta = {"format": FORMAT, "bias": self.bias, "threshold": self.threshold, **self.info}
        (folder / "model.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> JobModel:
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{folder}: not a Tracelight job-screening model")
        weights = np.load(folder / "weights.npy", allow_pickle=False).astype(np.float64)
        idf = np.load(folder / "idf.npy", allow_pickle=False).astype(np.float64)
        if weights.shape != (DIMENSION,) or idf.shape != (DIMENSION,):
            raise ValueError(f"{folder}: arrays of the wrong shape")
        info = {k: v for k, v in meta.items() if k not in ("format", "bias", "threshold")}
        return cls(weights, idf, float(meta["bias"]), float(meta["threshold"]), info)


def train(records: Sequence[Mapping[str, Any]], labels: Sequence[int], folds: int = 5) -> JobModel:
    """Fit the classifier; choose the threshold on out-of-fold training predictions."""
    docs = [tokens(job_text(r)) + flag_tokens(r) for r in records]
    y = np.asarray(labels, dtype=float)
    out_of_fold = np.zeros(len(docs))
    order = np.random.default_rng(0).permutation(len(docs))
    for k in range(folds):
        held = order[k::folds]
        kept = np.setdiff1d(order, held)
        idf = document_frequencies([docs[i] for i in kept])
        w, b = train_logistic(vectorise([docs[i] for i in kept], idf), y[kept])
        z = vectorise([docs[i] for i in held], idf).dot(w) + b
        out_of_fold[held] = 1 / (1 + np.exp(-np.clip(z, -40, 40)))
    threshold = best_threshold(out_of_fold, y)
    idf = document_frequencies(docs)
    w, b = train_logistic(vectorise(docs, idf), y)
    info = {"trained_on": len(docs), "fraudulent": int(y.sum()), "folds": folds}
    return JobModel(w, idf, b, threshold, info)


@dataclass(frozen=True, slots=True)
class Screening:
    fraud_probability: float
    fraudulent: bool
    reasons: list[dict[str, Any]]
    method: str

    def as_json(self) -> dict[str, Any]:
        return {
            "fraud_probability": round(self.fraud_probability, 4),
            "fraudulent": self.fraudulent,
            "method": self.method,
            "reasons": self.reasons,
        }


INDICATOR_THRESHOLD = 0.5


def _ad_post(record: Mapping[str, Any], text: str) -> Post:
    language = record.get("language")
    return Post(
        id=str(record.get("id") or record.get("job_id") or "ad"),
        source="jobs",
        external_id=None,
        url=None,
        posted_at=None,
        collected_at=None,
        title=None,
        body=text,
        location=None,
        country=None,
        language=str(language) if language else None,
    )


def _indicator_reasons(
    record: Mapping[str, Any], model: RiskModel
) -> tuple[float, list[dict[str, Any]]]:
    """Labour-indicator probability and reasons, with spans into the ad's text as screened
    (:func:`job_text`: the ``text`` column, or the raw columns joined by newlines)."""
    text = job_text(record)
    mentions = [
        m
        for m in extract_indicators(_ad_post(record, text), "text", text)
        if m.value.startswith("labor.")
    ]
    labour = Logistic(
        model.post.intercept,
        {k: v for k, v in model.post.weights.items() if k.startswith("labor.")},
    )
    score = explain(labour, post_observations(mentions), model.fingerprint(), None)
    return score.risk, [r.as_json() for r in score.reasons]


def screen_with_indicators(record: Mapping[str, Any], model: RiskModel | None = None) -> Screening:
    """Screen without a trained model: the labour indicators of the library, weighted."""
    probability, reasons = _indicator_reasons(record, model or default_model())
    return Screening(probability, probability >= INDICATOR_THRESHOLD, reasons, "indicators")


def screen(
    record: Mapping[str, Any], model: JobModel | None, risk: RiskModel | None = None
) -> Screening:
    """One ad: the classifier's probability and terms, plus the labour indicators found."""
    if model is None:
        return screen_with_indicators(record, risk)
    probability = model.probability(record)
    reasons: list[dict[str, Any]] = [
        {
            "term": term,
            "contribution": round(value, 4),
            "text": f"“{term}” raised the fraud score (+{value:.2f} to the logit).",
        }
        for term, value in model.top_terms(record)
    ]
    _, indicator_reasons = _indicator_reasons(record, risk or default_model())
    return Screening(
        probability, probability >= model.threshold, reasons + indicator_reasons, "model"
    )


def screen_all(records: Iterable[Mapping[str, Any]], model: JobModel | None) -> Iterable[Screening]:
    risk = default_model()
    for record in records:
        yield screen(record, model, risk)
