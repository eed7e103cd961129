"""The risk model: readable logistic weights, shipped calibrated, overridable per organisation.

A score is ``1 / (1 + exp(-(intercept + sum(weight * value))))`` where each value is a
feature of the library (:mod:`.library`) in [0, 1]. The weights are all **non-negative**:
a feature can only push a score up, so adding an indicator never lowers a score and every
reason reads "this raised the risk". The shipped weights (``risk/data/model.json``) were
fitted on the synthetic ground truth by :mod:`.calibrate`; features the synthetic corpus
cannot teach (a stated minor age never occurs in it) carry fixed, hand-set weights, listed
as such in the file.

An organisation adjusts the model without touching the package: a JSON file (by default
``<workspace>/risk.json``) with any of::

    {"post": {"intercept": -3.0, "weights": {"sex.price_code": 0}},
     "network": {"weights": {"net.city_circuit": 2.5}},
     "disabled": ["sex.restrictions"]}

Every stored score records the :meth:`RiskModel.fingerprint` of the model that made it, so
a changed configuration is noticed and the networks are scored again.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tracelight.risk.library import library, network_feature_ids, post_feature_ids

CONFIG_NAME = "risk.json"
"""The organisation's overrides, looked for in the workspace folder."""


class RiskConfigError(ValueError):
    """The organisation's risk configuration is not usable; the message says why."""


@dataclass(frozen=True, slots=True)
class Logistic:
    """One readable logistic model: an intercept and a weight per feature id."""

    intercept: float
    weights: Mapping[str, float]

    def logit(self, values: Mapping[str, float]) -> float:
        return self.intercept + sum(self.weights.get(k, 0.0) * v for k, v in values.items())

    def probability(self, values: Mapping[str, float]) -> float:
        return sigmoid(self.logit(values))


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@dataclass(frozen=True, slots=True)
class RiskModel:
    post: Logistic
    network: Logistic
    fixed: frozenset[str] = frozenset()
    """Features whose weight is set by hand, not fitted (the truth cannot teach them)."""
    calibration: Mapping[str, Any] = field(default_factory=dict)
    """Where the fitted weights come from and how well they did (see ``docs/risk.md``)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "post": {"intercept": self.post.intercept, "weights": dict(self.post.weights)},
            "network": {"intercept": self.network.intercept, "weights": dict(self.network.weights)},
            "fixed": sorted(self.fixed),
            "calibration": dict(self.calibration),
        }

    def fingerprint(self) -> str:
        """A short hash of the weights, stored with every score made with them."""
        weights = {"post": self.as_dict()["post"], "network": self.as_dict()["network"]}
        raw = json.dumps(weights, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(raw).hexdigest()[:16]


def _logistic(raw: Any, allowed: tuple[str, ...], where: str) -> Logistic:
    if not isinstance(raw, Mapping):
        raise RiskConfigError(f"{where} must be an object with intercept and weights")
    intercept = raw.get("intercept")
    weights = raw.get("weights", {})
    if not isinstance(intercept, int | float) or isinstance(intercept, bool):
        raise RiskConfigError(f"{where}.intercept must be a number")
    if not isinstance(weights, Mapping):
        raise RiskConfigError(f"{where}.weights must be an object")
    out: dict[str, float] = {}
    for key, value in weights.items():
        if key not in allowed:
            raise RiskConfigError(f"{where}.weights: unknown feature {key!r}")
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise RiskConfigError(f"{where}.weights[{key!r}] must be a number")
        if not 0 <= value <= 20 or math.isnan(value):
            # Non-negative: a reason may only raise a score (monotonicity, readability).
            raise RiskConfigError(f"{where}.weights[{key!r}] must be between 0 and 20")
        out[key] = float(value)
    return Logistic(float(intercept), out)


def model_from_dict(data: Mapping[str, Any]) -> RiskModel:
    """A model from its JSON form, checked: known features, weights in [0, 20]."""
    return RiskModel(
        post=_logistic(data.get("post"), post_feature_ids(), "post"),
        network=_logistic(data.get("network"), network_feature_ids(), "network"),
        fixed=frozenset(data.get("fixed", ())),
        calibration=dict(data.get("calibration", {})),
    )


def default_model() -> RiskModel:
    """The shipped, calibrated model."""
    data = resources.files("tracelight.risk").joinpath("data", "model.json")
    return model_from_dict(json.loads(data.read_text(encoding="utf-8")))


def with_overrides(base: RiskModel, overrides: Mapping[str, Any]) -> RiskModel:
    """``base`` with an organisation's intercepts, weights and disabled features applied."""
    unknown = set(overrides) - {"post", "network", "disabled", "comment"}
    if unknown:
        raise RiskConfigError(f"unknown keys in risk configuration: {sorted(unknown)}")
    data = base.as_dict()
    for level in ("post", "network"):
        change = overrides.get(level, {})
        if not isinstance(change, Mapping):
            raise RiskConfigError(f"{level} must be an object")
        if "intercept" in change:
            data[level]["intercept"] = change["intercept"]
        data[level]["weights"].update(change.get("weights", {}))
    disabled = overrides.get("disabled", [])
    if not isinstance(disabled, list) or not all(isinstance(d, str) for d in disabled):
        raise RiskConfigError("disabled must be a list of feature ids")
    for ident in disabled:
        if ident not in library():
            raise RiskConfigError(f"disabled: unknown feature {ident!r}")
        for level in ("post", "network"):
            data[level]["weights"].pop(ident, None)
    data["calibration"] = {**data["calibration"], "overridden": True}
    return model_from_dict(data)


def load_model(config: Path | None = None) -> RiskModel:
    """The shipped model, with the overrides in ``config`` when that file exists."""
    base = default_model()
    if config is None or not config.is_file():
        return base
    try:
        overrides = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RiskConfigError(f"{config}: {exc}") from None
    if not isinstance(overrides, Mapping):
        raise RiskConfigError(f"{config}: must be a JSON object")
    return with_overrides(base, overrides)
