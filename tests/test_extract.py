"""Phone and e-mail extraction: values, spans, regions, and hostile input."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import text_post
from test_phone_cases import CASES
from tracelight.extract import EXTRACTORS, extract_batch, extract_post
from tracelight.ingest import read_source
from tracelight.model import Mention, Post
from tracelight.model.post import FIELDS
from tracelight.synth import generate_corpus


def make_post(body: str, country: str | None = "US", title: str | None = None) -> Post:
    return text_post(body, title=title, country=country)


def values(post: Post, kind: str) -> list[str]:
    return [m.value for m in extract_post(post) if m.kind == kind]


def test_national_phone_uses_post_country() -> None:
    post = make_post("Call (415) 555-0123 or 415.555.0199 now")
    mentions = extract_post(post)
    assert [m.value for m in mentions] == ["+14155550123", "+14155550199"]
    first = mentions[0]
    assert (first.field, first.start, first.end, first.text) == ("body", 5, 19, "(415) 555-0123")
    assert first.method == "phonenumbers"


def test_region_changes_the_reading() -> None:
    assert values(make_post("Tel 020 7946 0018", country="GB"), "phone") == ["+442079460018"]
    assert values(make_post("Tel 01 99 00 12 34", country="FR"), "phone") == ["+33199001234"]


def test_international_prefix_needs_no_country() -> None:
    post = make_post("WhatsApp +44 20 7946 0018 or (415) 555-0123", country=None)
    assert values(post, "phone") == ["+442079460018"]


def test_prices_and_measurements_are_not_phones() -> None:
    post = make_post("Rates $150/hr, 300 for 2 hrs, 34-24-36, 5'6, id 20260102")
    assert values(post, "phone") == []


def test_emails_lower_cased_with_spans_in_title_and_body() -> None:
    post = make_post("Write Ana.Work@Example.COM today", title="mail: x_y@mail.example.org")
    mentions = [m for m in extract_post(post) if m.kind == "email"]
    assert [(m.field, m.value) for m in mentions] == [
        ("body", "ana.work@example.com"),
        ("title", "x_y@mail.example.org"),
    ]
    assert mentions[0].text == "Ana.Work@Example.COM"


def test_an_at_sign_with_a_price_is_not_an_email() -> None:
    assert values(make_post("roses @ 200 per hour, me@ home"), "email") == []


def test_batch_returns_every_post_even_without_mentions() -> None:
    result = extract_batch([make_post("nothing here"), make_post("(415) 555-0123")])
    assert [len(found) for _, found in result] == [0, 1]


def _post_by_post(post: Post) -> list[Mention]:
    """The plain reading of the stage: every extractor over each field in turn."""
    found = [
        m
        for name in FIELDS
        if post.text(name)
        for extractor in EXTRACTORS
        for m in extractor(post, name, post.text(name))
    ]
    unique = {(m.kind, m.value, m.field, m.start, m.end): m for m in found}
    return sorted(unique.values(), key=lambda m: (m.field, m.start, m.end, m.kind, m.value))


def test_a_batch_read_extractor_by_extractor_finds_what_each_post_alone_does(
    tmp_path: Path,
) -> None:
    generate_corpus(tmp_path, 300, seed=9, max_images=0)
    posts = [p for p in read_source(tmp_path / "posts.jsonl") if isinstance(p, Post)]
    posts += [make_post(text, country, title="x@example.com") for text, country, _ in CASES]
    posts.append(make_post("write to ana [at] example [dot] com or ana@example.com"))
    batch = extract_batch(posts)
    assert [post_id for post_id, _ in batch] == [p.id for p in posts]
    assert sum(len(found) for _, found in batch) > len(posts)
    for post, (_, found) in zip(posts, batch, strict=True):
        assert found == _post_by_post(post)


@settings(max_examples=200, deadline=None)
@given(
    prefix=st.text(max_size=40),
    suffix=st.text(max_size=40),
    digits=st.sampled_from(["(415) 555-0123", "+1 415 555 0199", "a.b@example.com"]),
)
def test_every_span_is_exactly_what_was_written(prefix: str, suffix: str, digits: str) -> None:
    body = f"{prefix} {digits} {suffix}"
    post = make_post(body)
    for mention in extract_post(post):
        assert post.text(mention.field)[mention.start : mention.end] == mention.text


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_arbitrary_text_never_crashes(text: str) -> None:
    for mention in extract_post(make_post(text, title=text[:50])):
        assert 0 <= mention.start < mention.end <= len(text)


def test_disguised_numbers_are_read_and_spans_point_at_what_was_written() -> None:
    body = "Text me: four one five, five five five, zero one two three xx"
    (mention,) = [m for m in extract_post(make_post(body)) if m.kind == "phone"]
    assert mention.value == "+14155550123"
    assert mention.text == "four one five, five five five, zero one two three"
    assert mention.method == "phonenumbers+normalized" and mention.confidence < 0.8
    keycaps = "Call 4️⃣1️⃣5️⃣ 5️⃣5️⃣5️⃣ 0️⃣1️⃣9️⃣9️⃣ now"
    (found,) = [m for m in extract_post(make_post(keycaps)) if m.kind == "phone"]
    assert found.value == "+14155550199" and keycaps[found.start : found.end] == found.text
    assert values(make_post("2O2-555-O1two3"), "phone") == ["+12025550123"]


def test_plain_and_disguised_passes_do_not_report_one_number_twice() -> None:
    assert values(make_post("Call (415) 555-0123 ✨"), "phone") == ["+14155550123"]


def test_emoji_separated_number_with_variation_selectors() -> None:
    [m] = extract_post(make_post("text 702🔥️605❣️1961 ok"))
    assert (m.value, m.text, m.method) == (
        "+17026051961",
        "702🔥️605❣️1961",
        "phonenumbers+normalized",
    )
