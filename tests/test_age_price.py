"""Ages and prices: labelled cases, hard negatives, and random text (never raises, exact spans)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import text_post
from tracelight.extract.age import extract_ages
from tracelight.extract.price import extract_prices
from tracelight.model import Post


def make_post(country: str | None = "US") -> Post:
    return text_post(country=country, post_id="p")


def ages(text: str, field: str = "body") -> list[str]:
    return [m.value for m in extract_ages(make_post(), field, text)]


def prices(text: str, country: str | None = "US") -> list[str]:
    return [m.value for m in extract_prices(make_post(country), "body", text)]


AGES = [
    ("19 yrs", ["19"]),
    ("I'm 19 years old", ["19"]),
    ("age: 19", ["19"]),
    ("Age 22 Eyes Blue", ["22"]),
    ("Poster's age: 26  Location: Orlando", ["26"]),
    ("I'm 19", ["19"]),
    ("I'm 21, sweet and fun", ["21"]),
    ("19yo", ["19"]),
    ("19 y/o", ["19"]),
    ("Hi, I am Bella 23 yrs old,sexy", ["23"]),
    ("23YEAR OLD", ["23"]),
    ("Sexy Face Young - 19 - Click to save", ["19"]),
    ("tengo 19 años", ["19"]),
    ("19 ans", ["19"]),
    ("j'ai 19 ans", ["19"]),
    ("19 anos", ["19"]),
    ("19 Jahre alt", ["19"]),
    ("nineteen years old", ["19"]),
    ("twenty three yrs", ["23"]),
    ("diecinueve años", ["19"]),
    ("dix-neuf ans", ["19"]),
    ("vinte e dois anos", ["22"]),
    ("trente et un ans", ["31"]),
    ("neunzehn Jahre", ["19"]),
    ("17 yo", ["17"]),  # a minor: reported, never dropped
    ("new girl 16 years old", ["16"]),
    ("girls 18-25 yrs", ["18", "25"]),
    ("18 years of age", ["18"]),
    # hard negatives
    ("24/7", []),
    ("available 24/7 - call", []),
    ("34-24-36", []),
    ("5'6", []),
    ("I'm 5'4 and 120 lbs", []),
    ("I am 34D", []),
    ("100% real", []),
    ("2 girls", []),
    ("19 years of experience", []),
    ("for 20 years", []),
    ("open 24 hours", []),
    ("at least 18 years of age", []),
    ("you must be 18+", []),
    ("21 or older", []),
    ("$150/hr", []),
    ("9:30am to 11pm", []),
    ("250 - 813 - 0801 - 24", []),
    ("quinze ans", []),  # 15: below the plausible range
    ("I am 100 percent real", []),
]


@pytest.mark.parametrize(("text", "expected"), AGES)
def test_ages(text: str, expected: list[str]) -> None:
    assert ages(text) == expected


MINOR_AGES = [
    # A stated age under 16 in a strong form is reported: a minor is the key finding.
    ("14 years old", ["14"]),
    ("new girl 13 yrs", ["13"]),
    ("14yo", ["14"]),
    ("14 y/o", ["14"]),
    ("Age: 14", ["14"]),
    ("Poster's age: 15", ["15"]),
    ("aged 12", ["12"]),
    ("tengo 14 años", ["14"]),
    ("14 ans", ["14"]),
    ("I'm 15 years old", ["15"]),
    ("j'ai 14 ans", ["14"]),
    # ... not below the strong bound, nor in a weak form, nor as a duration or limit.
    ("11 years old", []),
    ("I'm 14", []),
    ("I am 15, sweet", []),
    ("Hot new girl - 14", []),
    ("girls 14-25 yrs", []),
    ("quatorze ans", []),
    ("for 14 years", []),
    ("14 years of experience", []),
    ("12 years in business", []),
    ("at least 14 years old", []),
    ("14 hours", []),
]


@pytest.mark.parametrize(("text", "expected"), MINOR_AGES)
def test_strong_forms_report_minors_from_12(text: str, expected: list[str]) -> None:
    assert ages(text) == expected


def test_minor_title_convention_keeps_the_weak_bound() -> None:
    assert ages("Specials today - 14", field="title") == []
    assert ages("Sweet girl - 17", field="title") == ["17"]


def test_case_and_spans_survive_lower_casing() -> None:
    text = "İİ Hi, I AM 19 YEARS OLD, Poster's Age: 22"
    found = extract_ages(make_post(), "body", text)
    assert [(m.value, m.text) for m in found] == [
        ("19", "I AM 19 YEARS OLD"),
        ("22", "Poster's Age: 22"),
    ]


def test_title_convention_at_end_of_title_is_surest() -> None:
    [mention] = extract_ages(make_post(), "title", "Hot Latina 100% real - 21")
    assert (mention.value, mention.text, mention.confidence) == ("21", "21", 0.85)
    [body] = extract_ages(make_post(), "body", "Young - 19 - Click")
    assert body.confidence < mention.confidence


def test_age_mention_fields() -> None:
    text = "Hi, I am Bella 23 yrs old, sexy"
    [m] = extract_ages(make_post(), "body", text)
    assert (m.kind, m.method, m.field, m.post_id) == ("age", "pattern", "body", "p")
    assert text[m.start : m.end] == m.text == "23 yrs old"


PRICES = [
    ("$150/hr", ["150 USD/60min"]),
    ("150 per hour", ["150/60min"]),
    ("hh 100 h 150", ["100/30min", "150/60min"]),
    ("30 min - 200 roses", ["200 roses/30min"]),
    ("100 qv 150 hh 200 hr", ["100/15min", "150/30min", "200/60min"]),
    ("special 80", ["80"]),
    ("80 EUR", ["80 EUR"]),
    ("€80", ["80 EUR"]),
    ("USD 150", ["150 USD"]),
    ("R$ 200 1 hora", ["200 BRL/60min"]),
    ("1 Hour 300 EUR 2 Hour 400 EUR", ["300 EUR/60min", "400 EUR/120min"]),
    ("incall :140 / HR , 120 / hhr", ["140/60min", "120/30min"]),
    ("350$H - 200$ HH", ["350 USD/60min", "200 USD/30min"]),
    ("100-150 QV 200 HH 300 H", ["100/15min", "150/15min", "200/30min", "300/60min"]),
    (
        "1h - 300 roses 350 roses 2h - 550 roses night - 1300 roses",
        ["300 roses/60min", "350 roses/60min", "550 roses/120min", "1300 roses/night"],
    ),
    (
        "50 roses 20 mins, 60 roses 30 mins,100 roses hour, 500 roses 1 night",
        ["50 roses/20min", "60 roses/30min", "100 roses/60min", "500 roses/night"],
    ),
    ("300 roses hour and half", ["300 roses/90min"]),
    ("2 1/2 hrs 300 roses", ["300 roses/150min"]),
    ("media hora 80 euros", ["80 EUR/30min"]),
    ("1 heure 150€", ["150 EUR/60min"]),
    ("1h30 200€", ["200 EUR/90min"]),
    ("1 Stunde 200 EUR", ["200 EUR/60min"]),
    ("noche 500 MXN", ["500 MXN/night"]),
    ("Thai 40/hr Swedish 50/hr", ["40/60min", "50/60min"]),
    ("60 roses for qv (15-25 mins)", ["60 roses/15min"]),
    ("150 donations", ["150 donation"]),
    ("£120 per hour", ["120 GBP/60min"]),
    ("1,500 USD overnight", ["1500 USD/night"]),
    # hard negatives
    ("100% real", []),
    ("24/7", []),
    ("call 415-555-0123 now", []),
    ("34-24-36", []),
    ("5'6 120 lbs", []),
    ("Busty 34HH", []),
    ("22 yrs old", []),
    ("since 2016", []),
    ("open 24 hours", []),
    ("2 girls", []),
    ("9:30am to 11:30pm", []),
    ("159 pounds", []),
]


@pytest.mark.parametrize(("text", "expected"), PRICES)
def test_prices(text: str, expected: list[str]) -> None:
    assert prices(text) == expected


def test_dollar_follows_the_post_country() -> None:
    assert prices("$150/hr", country="CA") == ["150 CAD/60min"]
    assert prices("$150/hr", country=None) == ["150 USD/60min"]


def test_price_span_covers_amount_currency_and_adjacent_duration() -> None:
    text = "Rates: hh 100 h 150, $200/hr"
    found = extract_prices(make_post(), "body", text)
    assert [m.text for m in found] == ["hh 100", "h 150", "$200/hr"]
    for m in found:
        assert text[m.start : m.end] == m.text
        assert (m.kind, m.method) == ("price", "pattern")


ALPHABET = st.sampled_from(
    [*list("0123456789 -/:$€£%'.,hHrRqQvVmMiInNyYoOaAsS\n"), "yrs", "age", "roses", "ñ", "İ", "😀"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), st.lists(ALPHABET, max_size=200).map("".join)))
def test_random_text_never_raises_and_spans_are_exact(text: str) -> None:
    for extractor in (extract_ages, extract_prices):
        for field in ("title", "body"):
            for m in extractor(make_post(), field, text):
                assert 0 <= m.start < m.end <= len(text)
                assert text[m.start : m.end] == m.text
                assert 0.0 < m.confidence <= 1.0
                assert m.value


def test_long_hostile_input_is_linear() -> None:
    text = ("19 yrs - 20 - $1 hh 2 h 3 qv 4 roses " * 3000)[:100_000]
    assert extract_ages(make_post(), "body", text)
    assert extract_prices(make_post(), "body", text) is not None
