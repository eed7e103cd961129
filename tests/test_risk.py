"""Explained risk: the library, monotone scores, reasons on real spans, configuration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import text_post
from tracelight.extract import extract_post
from tracelight.model import Mention
from tracelight.risk import (
    LinkRef,
    RiskConfigError,
    default_model,
    load_model,
    score_network,
    score_post,
)
from tracelight.risk.calibrate import average_precision, fit, roc_auc
from tracelight.risk.features import network_observations
from tracelight.risk.library import library, network_feature_ids, post_feature_ids


def indicator(post: str, ident: str, start: int = 0, text: str = "x") -> Mention:
    return Mention(post, "indicator", ident, "body", start, start + len(text), text, "lexicon", 0.8)


def test_every_feature_has_a_source_and_a_label() -> None:
    for entry in library().values():
        assert entry.source and all(s.strip() for s in entry.source)
        assert entry.label and entry.description.endswith(".")
    model = default_model()
    assert set(model.post.weights) <= set(post_feature_ids())
    assert set(model.network.weights) <= set(network_feature_ids())
    assert all(w >= 0 for w in [*model.post.weights.values(), *model.network.weights.values()])
    # Calibrated weights, not placeholders, with the numbers they were measured at.
    assert model.calibration["test_network_auc"] > 0.9


@pytest.mark.parametrize(
    ("body", "language", "expected"),
    [
        (
            "Passport will be kept by the employer until the debt is paid",
            "en",
            "labor.passport_retention",
        ),
        ("Al llegar, retenemos su pasaporte por seguridad", "es", "labor.passport_retention"),
        ("Vermittlungsgebühr von 500 Euro vorab zu zahlen", "de", "labor.recruitment_fee"),
        ("New in town, sweet and young, call now", "en", "sex.new_in_town"),
        ("Nouvelle en ville, appelle-moi", "fr", "sex.new_in_town"),
        ("Morena linda, pouco inglês, muito carinhosa", "pt", "sex.language_barrier"),
    ],
)
def test_indicators_become_reasons_on_the_spans_written(
    body: str, language: str, expected: str
) -> None:
    post = text_post(body, language=language)
    score = score_post(extract_post(post), default_model())
    reason = next((r for r in score.reasons if r.feature == expected), None)
    assert reason is not None, [r.feature for r in score.reasons]
    assert reason.spans and reason.text.startswith("The ad shows")
    for span in reason.spans:
        assert body[span.start : span.end] == span.text and span.text in reason.text


@pytest.mark.parametrize(
    "body",
    [
        "We never charge a placement fee and your passport stays with you",  # negated
        "Sin costo de reclutamiento: nunca pedimos dinero",
        "Software engineer, Berlin office, salary 70k, apply with CV",
        "Ich spreche kein Englisch, aber gut Deutsch: Reisepass bitte mitbringen",
    ],
)
def test_hard_negatives_give_no_labour_reason(body: str) -> None:
    score = score_post(extract_post(text_post(body)), default_model())
    assert not [r for r in score.reasons if r.feature.startswith("labor.")]
    assert score.risk < 0.5


def test_a_stated_minor_dominates() -> None:
    post = text_post("Hi im Lily, 15 years old, new in town")
    score = score_post(extract_post(post), default_model())
    assert score.reasons[0].feature == "age.minor" and score.risk > 0.95
    assert "15 years old" in score.reasons[0].text


IDS = sorted(k for k in post_feature_ids() if k.startswith(("sex.", "labor.")))


@settings(max_examples=60, deadline=None)
@given(
    base=st.lists(st.sampled_from(IDS), max_size=6),
    extra=st.sampled_from(IDS),
    members=st.integers(min_value=2, max_value=6),
)
def test_adding_an_indicator_never_lowers_a_score(
    base: list[str], extra: str, members: int
) -> None:
    model = default_model()
    before = [indicator("p0", ident, i * 10) for i, ident in enumerate(base)]
    after = [*before, indicator("p0", extra, 500)]
    assert score_post(after, model).risk >= score_post(before, model).risk
    posts = [f"p{i}" for i in range(members)]
    n_before = score_network(posts, before, {}, [], model).risk
    n_after = score_network(posts, after, {}, [], model).risk
    assert n_after >= n_before


def _persona_post(post: str, name: str, phone: str, city: str) -> list[Mention]:
    return [
        Mention(post, "name", name, "body", 0, len(name), name, "gazetteer", 0.9),
        Mention(post, "phone", phone, "body", 20, 32, "(415) 555-0177", "x", 0.9),
        Mention(
            post, "location", city, "title", 0, 5, city.split(",", maxsplit=1)[0], "gazetteer", 0.9
        ),
    ]


def test_network_structure_is_explained_with_links_and_spans() -> None:
    mentions = [
        *_persona_post("a", "Lily", "+14155550177", "Houston, US"),
        *_persona_post("b", "Mia", "+14155550177", "Houston, US"),
        *_persona_post("c", "Ava", "+14155550177", "Dallas, US"),
        *_persona_post("d", "Ava", "+14155550111", "Austin, US"),
    ]
    evidence = [LinkRef("phone", "+14155550177", ("a", "b"))]
    score = score_network(
        ["a", "b", "c", "d"], mentions, {"posts_per_day": 3.0}, evidence, default_model()
    )
    by_id = {r.feature: r for r in score.reasons}
    personas = by_id["net.personas_on_phones"]
    assert "3 personas" in personas.text and personas.links[0].value == "+14155550177"
    assert "Houston, US → Dallas, US → Austin, US" in by_id["net.city_circuit"].text
    assert by_id["net.phone_rotation"].text.startswith("2 different phones")
    assert score.reasons == tuple(sorted(score.reasons, key=lambda r: -r.contribution))
    as_json = score.as_json()
    assert 0 <= as_json["risk"] <= 1 and as_json["model"] == default_model().fingerprint()


def test_organisation_overrides_and_rejects_bad_weights(tmp_path: Path) -> None:
    config = tmp_path / "risk.json"
    config.write_text(
        json.dumps({"post": {"weights": {"sex.new_in_town": 0}}, "disabled": ["age.young"]})
    )
    model = load_model(config)
    assert "sex.new_in_town" not in model.post.weights or model.post.weights["sex.new_in_town"] == 0
    assert "age.young" not in model.network.weights
    assert model.fingerprint() != default_model().fingerprint()
    post = text_post("New in town tonight")
    assert score_post(extract_post(post), model).reasons == ()
    config.write_text(json.dumps({"network": {"weights": {"net.city_circuit": -1}}}))
    with pytest.raises(RiskConfigError, match="between 0 and 20"):
        load_model(config)
    config.write_text(json.dumps({"network": {"weights": {"net.horoscope": 1}}}))
    with pytest.raises(RiskConfigError, match="unknown feature"):
        load_model(config)
    assert load_model(tmp_path / "absent.json") == default_model()


def test_fit_recovers_the_useful_feature_and_keeps_weights_non_negative() -> None:
    rows = (
        [{"a": 1.0} for _ in range(40)] + [{"b": 1.0} for _ in range(40)] + [{} for _ in range(40)]
    )
    labels = [1] * 36 + [0] * 4 + [0] * 40 + [0] * 40
    part = fit(rows, labels, ["a", "b"], prior={"b": 0.5}, l2=1.0, steps=1500)
    assert part.weights["a"] > 2 and part.weights.get("b", 0.0) >= 0
    scores = [part.probability(r) for r in rows]
    assert roc_auc(scores, labels) > 0.9 and average_precision(scores, labels) > 0.8
    assert roc_auc([0.1, 0.9], [0, 1]) == 1.0 and roc_auc([0.5, 0.5], [0, 1]) == 0.5


def _m(post: str, kind: str, value: str, text: str | None = None) -> Mention:
    written = text or value
    return Mention(post, kind, value, "body", 0, len(written), written, "test", 0.9)


def _one_persona(post: str, name: str, phone: str, city: str, age: str) -> list[Mention]:
    return [
        _m(post, "name", name),
        _m(post, "phone", phone, "(415) 555-0177"),
        _m(post, "location", city, city.split(",", maxsplit=1)[0]),
        _m(post, "age", age, f"{age} yo"),
    ]


_PHONE, _OTHER = "+14155550177", "+14155550111"
_IMAGE = LinkRef("image", "img-1", ("a", "b"))
_TEXT = LinkRef("text", "template", ("a", "b"))

# (indicator, positive network, negative network): each network is
# (mentions, profile, evidence) over the members a, b, c in time order.
_STRUCTURAL: list[tuple[str, tuple[Any, ...], tuple[Any, ...]]] = [
    (
        "net.personas_on_phones",
        ([*_one_persona("a", "Lily", _PHONE, "Houston, US", "22"),
          *_one_persona("b", "Mia", _PHONE, "Houston, US", "22")], {}, []),
        ([*_one_persona("a", "Lily", _PHONE, "Houston, US", "22"),
          *_one_persona("b", "Lily", _PHONE, "Houston, US", "22")], {}, []),
    ),
    (
        "net.phone_rotation",
        ([*_one_persona("a", "Lily", _PHONE, "Houston, US", "22"),
          *_one_persona("b", "Lily", _OTHER, "Houston, US", "22")], {}, []),
        ([*_one_persona("a", "Lily", _PHONE, "Houston, US", "22"),
          *_one_persona("b", "Lily", _PHONE, "Houston, US", "22")], {}, []),
    ),
    (
        "net.city_circuit",
        ([*_one_persona("a", "Lily", _PHONE, "Houston, US", "22"),
          *_one_persona("b", "Lily", _PHONE, "Dallas, US", "22")], {}, []),
        ([*_one_persona("a", "Lily", _PHONE, "Houston, US", "22"),
          *_one_persona("b", "Lily", _PHONE, "Houston, US", "22")], {}, []),
    ),
    (
        "net.images_across_personas",
        ([], {"images_across_personas": ["img-1"]}, [_IMAGE]),
        ([], {"images_across_personas": []}, [_IMAGE]),
    ),
    (
        "net.ages_per_persona",
        ([*_one_persona("a", "Lily", _PHONE, "Houston, US", "19"),
          *_one_persona("b", "Lily", _PHONE, "Houston, US", "24")], {}, []),
        ([*_one_persona("a", "Lily", _PHONE, "Houston, US", "19"),
          *_one_persona("b", "Lily", _PHONE, "Houston, US", "19")], {}, []),
    ),
    (
        "net.posting_rate",
        ([], {"posts_per_day": 4.0}, []),
        ([], {"posts_per_day": 0.2}, []),
    ),
    (
        "net.shared_template",
        ([_m("a", "name", "Lily"), _m("b", "name", "Mia")], {}, [_TEXT]),
        ([_m("a", "name", "Lily"), _m("b", "name", "Lily")], {}, [_TEXT]),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("indicator", "positive", "negative"), _STRUCTURAL)
def test_each_structural_indicator_fires_on_its_pattern_only(
    indicator: str, positive: tuple[Any, ...], negative: tuple[Any, ...]
) -> None:
    members = ["a", "b", "c"]
    assert indicator in network_observations(members, *positive)
    assert indicator not in network_observations(members, *negative)
    assert indicator in network_feature_ids()
