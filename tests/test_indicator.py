"""Indicator mentions: the sourced lexicon, labelled cases in five languages, hard
negatives, spans exact in the original text, and hostile input."""

from __future__ import annotations

import copy
import csv
import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SHARED_DATA
from helpers import text_post
from tracelight.extract.indicator import (
    KIND,
    LANGUAGES,
    METHOD,
    OTHER_LANGUAGE_FACTOR,
    build_matcher,
    expand,
    extract_indicators,
    fold,
    indicator,
    indicators,
    load_lexicon_json,
    matcher,
    validate,
)
from tracelight.model import Mention, Post


def make_post(body: str, language: str | None = None) -> Post:
    return text_post(body, language=language)


def found(text: str, language: str | None = None) -> list[Mention]:
    return extract_indicators(make_post(text, language), "body", text)


def pairs(text: str, language: str | None = None) -> list[tuple[str, str]]:
    return [(m.value, m.text) for m in found(text, language)]


# (text, indicator id, exact text of the span) -- generated ad and job texts
POSITIVE: list[tuple[str, str, str]] = [
    # English, sex-trafficking cues
    ("Hi gentlemen, NEW  in   town this week only", "sex.new_in_town", "NEW  in   town"),
    ("sweet and new-in-town!!", "sex.new_in_town", "new-in-town"),
    ("Just arrived from Vegas, call me", "sex.new_in_town", "Just arrived"),
    ("✈️ visiting for the weekend", "sex.new_in_town", "✈️"),
    ("On tour this week", "sex.touring", "On tour"),
    ("last night in town, don't miss me", "sex.touring", "last night in town"),
    ("barely legal and sweet", "sex.youth_cue", "barely legal"),
    ("your daddys girl tonight", "sex.youth_cue", "daddys girl"),
    ("your daddy's little girl", "sex.youth_cue", "daddy's little girl"),
    ("sweet 🍭 treat", "sex.youth_cue", "🍭"),
    ("cute 👧🏽 here", "sex.youth_cue", "👧🏽"),
    ("She is waiting for you", "sex.third_person", "She is"),
    ("book her now, she's ready", "sex.third_person", "book her"),
    ("text my assistant for rates", "sex.third_party_booking", "my assistant"),
    ("2 girls available tonight", "sex.multiple_women", "2 girls"),
    ("new girls every week", "sex.multiple_women", "new girls"),
    ("duo special 👯", "sex.multiple_women", "👯"),
    ("Outcall to hotels only", "sex.outcall_hotels_only", "Outcall to hotels only"),
    ("incall at my hotel near the airport", "sex.incall_hotel", "incall at my hotel"),
    ("they took my passport and my phone", "sex.restricted_movement", "took my passport"),
    ("I can't leave the house", "sex.restricted_movement", "can't leave"),
    ("no english, sorry", "sex.language_barrier", "no english"),
    ("available 24/7 for you", "sex.always_available", "24/7"),
    ("150 roses/hr", "sex.price_code", "150 roses"),
    ("🌹🌹 for the hour", "sex.price_code", "🌹"),
    ("No law enforcement", "sex.restrictions", "No law enforcement"),
    ("🚫 no rush", "sex.restrictions", "🚫"),
    # English, labour-trafficking and recruitment cues
    ("Recruitment fee of $300 required", "labor.recruitment_fee", "Recruitment fee"),
    ("The employer will keep your passport", "labor.passport_retention", "keep your passport"),
    ("you will work off the debt in six months", "labor.debt", "work off the debt"),
    (
        "salary paid at the end of the contract",
        "labor.withheld_wages",
        "paid at the end of the contract",
    ),
    ("Visa guaranteed!", "labor.visa_promise", "Visa guaranteed"),
    ("Easy money for hard workers", "labor.unrealistic_pay_abroad", "Easy money"),
    ("Jobs abroad in hospitality", "labor.work_abroad", "Jobs abroad"),
    ("No experience needed.", "labor.no_experience", "No experience needed"),
    ("Free accommodation near the farm", "labor.housing_provided", "Free accommodation"),
    ("Flights paid by the employer", "labor.travel_paid", "Flights paid"),
    ("no days off in high season", "labor.excessive_hours", "no days off"),
    # Spanish
    ("Recién llegada a la ciudad", "sex.new_in_town", "Recién llegada"),
    ("RECIEN LLEGADA, llámame", "sex.new_in_town", "RECIEN LLEGADA"),
    ("de paso por Madrid", "sex.touring", "de paso"),
    ("jovencita muy cariñosa", "sex.youth_cue", "jovencita"),
    ("mis chicas te esperan", "sex.third_person", "mis chicas"),
    ("solo hoteles", "sex.outcall_hotels_only", "solo hoteles"),
    ("no hablo inglés", "sex.language_barrier", "no hablo inglés"),
    ("se cobra cuota de inscripción", "labor.recruitment_fee", "cuota de inscripción"),
    ("alojamiento incluido", "labor.housing_provided", "alojamiento incluido"),
    ("pasaje pagado a España", "labor.travel_paid", "pasaje pagado"),
    ("trabajo en el extranjero", "labor.work_abroad", "trabajo en el extranjero"),
    ("sin experiencia previa", "labor.no_experience", "sin experiencia"),
    # French
    ("Nouvelle en ville, appelle-moi", "sex.new_in_town", "Nouvelle en ville"),
    ("petite jeune très douce", "sex.youth_cue", "petite jeune"),
    ("frais de dossier : 200 euros", "labor.recruitment_fee", "frais de dossier"),
    ("nous gardons votre passeport", "labor.passport_retention", "gardons votre passeport"),
    ("logé nourri", "labor.housing_provided", "logé nourri"),
    ("billet d'avion payé", "labor.travel_paid", "billet d'avion payé"),
    ("peu d'anglais", "sex.language_barrier", "peu d'anglais"),
    ("disponible 7j/7", "sex.always_available", "7j/7"),
    # Portuguese
    ("nova na cidade", "sex.new_in_town", "nova na cidade"),
    ("novinha safada", "sex.youth_cue", "novinha"),
    ("passagem paga e alojamento incluído", "labor.travel_paid", "passagem paga"),
    ("visto garantido", "labor.visa_promise", "visto garantido"),
    ("sem experiência", "labor.no_experience", "sem experiência"),
    # German
    ("Neu in der Stadt!", "sex.new_in_town", "Neu in der Stadt"),
    ("Vermittlungsgebühr 500 Euro", "labor.recruitment_fee", "Vermittlungsgebühr"),
    ("Kost und Logis frei", "labor.housing_provided", "Kost und Logis"),
    ("Visum garantiert", "labor.visa_promise", "Visum garantiert"),
    ("keine freien Tage", "labor.excessive_hours", "keine freien Tage"),
    ("Arbeit im Ausland", "labor.work_abroad", "Arbeit im Ausland"),
    ("Pass abgeben bei Ankunft", "labor.passport_retention", "Pass abgeben"),
    ("Schulden abarbeiten", "labor.debt", "Schulden abarbeiten"),
]

# (text, the indicator that must NOT be found, why it is tempting)
HARD_NEGATIVE: list[tuple[str, str]] = [
    ("I'm new to yoga", "sex.new_in_town"),
    ("brand new in the box", "sex.new_in_town"),
    ("We never charge a placement fee", "labor.recruitment_fee"),
    ("No recruitment fees, ever.", "labor.recruitment_fee"),
    ("Do not hand over your passport to anyone", "labor.passport_retention"),
    ("A valid passport is required", "labor.passport_retention"),
    ("Need 24 hours notice", "sex.always_available"),
    ("the real girlfriend experience", "sex.third_person"),
    ("my girlfriend is jealous", "sex.third_person"),
    ("she sells sea shells", "sex.third_person"),
    ("No teens, 18+ only", "sex.youth_cue"),
    ("young at heart", "sex.youth_cue"),
    ("Satisfaction guaranteed", "labor.visa_promise"),
    ("roses are red", "sex.price_code"),
    ("our pilot 👩‍✈️ says hi", "sex.new_in_town"),
    ("family 👨‍👩‍👧 photo", "sex.youth_cue"),
    ("Hotel California", "sex.outcall_hotels_only"),
    ("no housing provided, sorry", "labor.housing_provided"),
    ("sin cuota de inscripción", "labor.recruitment_fee"),
    ("nunca retenemos su pasaporte", "labor.passport_retention"),
    ("nous ne demandons aucuns frais de dossier", "labor.recruitment_fee"),
    ("wir verlangen keine Vermittlungsgebühr", "labor.recruitment_fee"),
    ("não cobramos taxa de inscrição", "labor.recruitment_fee"),
    ("I'm so new. In town until noon", "sex.new_in_town"),
    ("newintown", "sex.new_in_town"),
    ("renew in townhall", "sex.new_in_town"),
]


@pytest.mark.parametrize(("text", "ident", "span"), POSITIVE)
def test_labelled_positive(text: str, ident: str, span: str) -> None:
    assert (ident, span) in pairs(text)


@pytest.mark.parametrize(("text", "ident"), HARD_NEGATIVE)
def test_hard_negative(text: str, ident: str) -> None:
    assert ident not in [m.value for m in found(text)]


def test_cases_cover_every_indicator_and_five_languages() -> None:
    covered = {ident for _, ident, _ in POSITIVE}
    assert covered == {item.id for item in indicators()}
    assert len(POSITIVE) + len(HARD_NEGATIVE) >= 50
    lexicon_languages = {
        lang for item in indicators() for lang in LANGUAGES for _ in item.phrases[lang]
    }
    assert lexicon_languages == set(LANGUAGES)


def test_every_indicator_has_a_phrase_or_emoji_that_matches() -> None:
    for item in indicators():
        texts = [symbol for symbol in item.emoji]
        for lang in LANGUAGES:
            texts += [
                " ".join(t.decode("latin-1").replace("#", "25") for t in expand(p)[0])
                for p in item.phrases[lang]
            ]
        assert texts, item.id
        for text in texts:
            assert item.id in [m.value for m in found(f"x {text} y")], (item.id, text)


def test_mention_fields() -> None:
    text = "Hello! New in town 🍒"
    mentions = found(text)
    assert [(m.value, m.start, m.end) for m in mentions] == [
        ("sex.new_in_town", 7, 18),
        ("sex.youth_cue", 19, 20),
    ]
    for m in mentions:
        assert (m.post_id, m.kind, m.field, m.method) == ("p1", KIND, "body", METHOD)
        assert m.text == text[m.start : m.end]
    assert mentions[0].confidence == indicator("sex.new_in_town").specificity
    assert mentions[1].confidence == indicator("sex.youth_cue").emoji_specificity


def test_language_weighting() -> None:
    spanish = "recién llegada"
    item = indicator("sex.new_in_town")
    assert found(spanish, "es")[0].confidence == item.specificity
    assert found(spanish)[0].confidence == item.specificity
    weighted = found(spanish, "de")[0].confidence
    assert weighted == pytest.approx(item.specificity * OTHER_LANGUAGE_FACTOR)
    # English is the lingua franca of these ads: never down-weighted
    assert found("new in town", "de")[0].confidence == item.specificity
    assert found("new in town", "pt-BR")[0].confidence == item.specificity


def test_overlaps_keep_the_longest_phrase() -> None:
    assert pairs("outcall to hotels only") == [
        ("sex.outcall_hotels_only", "outcall to hotels only")
    ]
    assert pairs("2 girls available") == [("sex.multiple_women", "2 girls")]


def test_emoji_with_and_without_variation_selector() -> None:
    assert pairs("go ✈ now") == [("sex.new_in_town", "✈")]
    assert pairs("go ✈\ufe0f now") == [("sex.new_in_town", "✈\ufe0f")]
    assert pairs("🍒🍒") == [("sex.youth_cue", "🍒"), ("sex.youth_cue", "🍒")]


def test_combining_accents_keep_exact_spans() -> None:
    text = "RECIE\u0301N LLEGADA y nouvelle arrive\u0301e"
    mentions = found(text)
    assert [m.text for m in mentions] == ["RECIE\u0301N LLEGADA", "nouvelle arrive\u0301e"]
    for m in mentions:
        assert m.text == text[m.start : m.end]


def test_separators_between_words() -> None:
    for text in ("new in town", "new  in   town", "new-in-town", "new🔥in🔥town", "NEW_IN_TOWN"):
        assert [m.text for m in found(f"({text})")] == [text]


def test_negation_stops_at_clause_end() -> None:
    assert pairs("No. Placement fee applies") == [("labor.recruitment_fee", "Placement fee")]


def test_title_field_and_empty_text() -> None:
    post = make_post("")
    assert extract_indicators(post, "title", "") == []
    mentions = extract_indicators(post, "title", "New in town")
    assert mentions[0].field == "title"


# --- the lexicon file -------------------------------------------------------------------


def test_packaged_json_validates() -> None:
    data = load_lexicon_json()
    assert validate(data) == []
    ids = [item["id"] for item in data]
    assert len(ids) == len(set(ids))
    for item in data:
        assert item["source"] and all(s.strip() for s in item["source"])
        assert item["category"] in ("sex", "labor")
        assert not any("ethnic" in item["id"] or "race" in item["id"] for _ in [0])
    assert matcher().phrases > 500


def _data() -> list[dict[str, Any]]:
    return copy.deepcopy(load_lexicon_json())


def test_validate_reports_problems() -> None:
    data = _data()
    data[1]["id"] = data[0]["id"]
    assert any("duplicate id" in p for p in validate(data))
    data = _data()
    del data[0]["source"]
    assert any("missing source" in p for p in validate(data))
    data = _data()
    data[0]["source"] = []
    assert any("source" in p for p in validate(data))
    data = _data()
    data[0]["phrases"]["xx"] = ["hello"]
    assert validate(data)
    data = _data()
    data[0]["languages"] = ["en"]
    assert any("languages" in p for p in validate(data))
    data = _data()
    data[0]["weight_hint"] = 2
    assert any("weight_hint" in p for p in validate(data))
    data = _data()
    data[0]["phrases"]["en"].append("[all] [optional]")
    assert any("optional" in p for p in validate(data))
    data = _data()
    data[0]["phrases"]["en"].append("cœur brisé")
    assert any("Latin-1" in p for p in validate(data))
    assert validate({}) != []


def test_two_indicators_cannot_claim_one_phrase() -> None:
    first, second = indicators()[:2]
    clash = dataclasses.replace(second, phrases={**second.phrases, "en": (first.phrases["en"][0],)})
    with pytest.raises(ValueError, match="claimed by"):
        build_matcher((first, clash))


def test_phrase_syntax() -> None:
    assert expand("new in|to [the] city") == [
        (b"new", b"in", b"the", b"city"),
        (b"new", b"in", b"city"),
        (b"new", b"to", b"the", b"city"),
        (b"new", b"to", b"city"),
    ]
    assert expand("daddy's girl") == [(b"daddy", b"s", b"girl"), (b"daddys", b"girl")]
    assert expand("<n> roses") == [(b"#", b"roses")]
    assert expand("Recién") == [(b"recien",)]
    for bad in ("<n>", "[a] [b]", "a [b", "<x> y", "cœur"):
        with pytest.raises(ValueError):
            expand(bad)
    assert fold("São-PAULO!") == "sao paulo "


# --- properties and the public corpus ---------------------------------------------------

ALPHABET = st.sampled_from(
    [
        *"abcdefghijklmnopqrstuvwxyzÉéñüç' -_/.,!?\n0123456789",
        *("\u0301", "\u0300", "\ufe0f", "\u200d", "🍒", "✈", "👧", "🏽", "🌹", "🚫", "👯"),
        *("İ", "ß"),
        *("new", " in ", "town", "no ", "fee", "placement", "passport", "keep your "),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join), st.sampled_from([None, "en", "es", "de"]))
def test_random_text_never_raises_and_spans_are_exact(text: str, language: str | None) -> None:
    mentions = found(text, language)
    ids = {item.id for item in indicators()}
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert m.text == text[m.start : m.end]
        assert m.value in ids
        assert 0 < m.confidence <= 1
    assert [(m.start, m.end) for m in mentions] == sorted((m.start, m.end) for m in mentions)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [(item.id, p) for item in indicators() for lang in LANGUAGES for p in item.phrases[lang]]
    ),
    st.sampled_from([" ", "  ", "-", " - ", "_", "...", " ~*~ ", "🔥", "\n"]),
    st.booleans(),
)
def test_any_phrase_matches_with_any_separator_and_case(
    case: tuple[str, str], separator: str, upper: bool
) -> None:
    ident, phrase = case
    words = [t.decode("latin-1").replace("#", "7") for t in expand(phrase)[-1]]
    text = separator.join(words)
    text = text.upper() if upper else text
    assert ident in [m.value for m in found(f"«{text}»")]


POSTS = SHARED_DATA / "backpage_ca_womenseekmen_posts" / "posts.csv"


@pytest.mark.skipif(not POSTS.exists(), reason="shared Backpage data not present")
def test_public_corpus_spans_exact() -> None:
    with POSTS.open(newline="", encoding="utf-8") as handle:
        bodies = [row["body"] or "" for row in csv.DictReader(handle)]
    triggered = 0
    for body in bodies:
        mentions = found(body)
        triggered += bool(mentions)
        for m in mentions:
            assert m.text == body[m.start : m.end]
    assert 0 < triggered < len(bodies)
