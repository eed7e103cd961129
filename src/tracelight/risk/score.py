"""Scores with their reasons: one sentence per contributing feature, pointing at evidence.

A reason is a feature whose weight times value raised the logit; reasons are listed by
how much they raised it. The sentence names the indicator, says how often it was seen and
quotes one span (post, field, offsets) or names the link behind it; the JSON form carries
every pointer, the weight and the contribution, so an analyst can check each one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracelight.model import Mention
from tracelight.risk.features import (
    LinkRef,
    Observation,
    Span,
    network_observations,
    post_observations,
)
from tracelight.risk.library import library
from tracelight.risk.model import Logistic, RiskModel

QUOTE = 60
"""Longest quote of ad text in a sentence (the span itself is kept whole)."""


@dataclass(frozen=True, slots=True)
class Reason:
    feature: str
    weight: float
    value: float
    contribution: float
    """``weight * value``: how much this reason raised the logit."""
    text: str
    spans: tuple[Span, ...] = ()
    links: tuple[LinkRef, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "indicator": self.feature,
            "text": self.text,
            "weight": round(self.weight, 4),
            "value": round(self.value, 4),
            "contribution": round(self.contribution, 4),
            "spans": [s.as_json() for s in self.spans],
            "links": [link.as_json() for link in self.links],
        }


@dataclass(frozen=True, slots=True)
class RiskScore:
    risk: float
    reasons: tuple[Reason, ...]
    model: str
    """The fingerprint of the model that made the score."""

    def as_json(self) -> dict[str, Any]:
        return {
            "risk": round(self.risk, 4),
            "model": self.model,
            "reasons": [r.as_json() for r in self.reasons],
        }


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE else text[: QUOTE - 1] + "…"


def _where(span: Span, with_post: bool) -> str:
    place = f"{span.field} {span.start}–{span.end}"
    return f"post {span.post[:12]}, {place}" if with_post else place


def sentence(ident: str, obs: Observation, size: int | None) -> str:
    """The one-sentence reason for feature ``ident``; ``size`` is None for a single post."""
    entry = library()[ident]
    label = entry.label
    example = ""
    if obs.spans:
        span = obs.spans[0]
        example = f", e.g. “{_quote(span.text)}” ({_where(span, size is not None)})"
    if ident == "net.personas_on_phones":
        return f"{obs.count} personas advertised with the same phone {obs.detail}{example}."
    if ident == "net.phone_rotation":
        return f"{obs.count} different phones used across the network's posts."
    if ident == "net.city_circuit":
        return f"Posts move through {obs.count} cities in turn: {obs.detail}."
    if ident == "net.images_across_personas":
        return f"{obs.count} image{'s' if obs.count > 1 else ''} shown under different names."
    if ident == "net.ages_per_persona":
        return f"{obs.count} persona{'s' if obs.count > 1 else ''} state different ages{example}."
    if ident == "net.posting_rate":
        return f"{obs.detail} ads a day over the network's active period ({obs.count} posts)."
    if ident == "net.shared_template":
        return f"Ads for different personas share one text template ({obs.count} text links)."
    if size is None:
        return f"The ad shows {label}{example}."
    return f"{obs.count} of {size} posts show {label}{example}."


def explain(
    part: Logistic, observed: Mapping[str, Observation], model: str, size: int | None
) -> RiskScore:
    """Score ``observed`` with ``part`` and turn each raising feature into a reason."""
    values = {k: o.value for k, o in observed.items()}
    reasons = [
        Reason(
            feature=k,
            weight=part.weights[k],
            value=o.value,
            contribution=part.weights[k] * o.value,
            text=sentence(k, o, size),
            spans=tuple(o.spans),
            links=tuple(o.links),
        )
        for k, o in observed.items()
        if part.weights.get(k, 0.0) > 0 and o.value > 0
    ]
    reasons.sort(key=lambda r: (-r.contribution, r.feature))
    return RiskScore(part.probability(values), tuple(reasons), model)


def score_post(mentions: Iterable[Mention], model: RiskModel) -> RiskScore:
    """The post-level risk of one post from its mentions (indicators and stated ages)."""
    return explain(model.post, post_observations(mentions), model.fingerprint(), None)


def score_network(
    members: Sequence[str],
    mentions: Iterable[Mention],
    profile: Mapping[str, Any],
    evidence: Sequence[LinkRef],
    model: RiskModel,
) -> RiskScore:
    """The network-level risk: text indicators over its posts plus its structure."""
    observed = network_observations(members, mentions, profile, evidence)
    return explain(model.network, observed, model.fingerprint(), len(members))
