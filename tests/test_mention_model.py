"""Mention's hand-written constructor behaves as the one the dataclass would generate,
and the extractors' compiled factory as ``Mention.found``."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracelight.extract import evidence
from tracelight.model import Mention

ARGS = {
    "post_id": "p1",
    "kind": "phone",
    "value": "+14155550123",
    "field": "body",
    "start": 4,
    "end": 16,
    "text": "415 555 0123",
    "method": "phonenumbers",
    "confidence": 0.8,
}


def test_signature_is_the_fields_in_order() -> None:
    params = list(inspect.signature(Mention.__init__).parameters)[1:]
    assert params == [f.name for f in dataclasses.fields(Mention)]


def test_positional_and_keyword_construction_agree() -> None:
    by_name = Mention(**ARGS)  # type: ignore[arg-type]
    by_position = Mention(*ARGS.values())  # type: ignore[arg-type]
    assert by_name == by_position
    assert hash(by_name) == hash(by_position)
    assert dataclasses.astuple(by_name) == tuple(ARGS.values())
    assert repr(by_name).startswith("Mention(post_id='p1', kind='phone'")


def test_still_frozen_and_copyable() -> None:
    mention = Mention(**ARGS)  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        mention.value = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Mention(*list(ARGS.values())[:-1])  # type: ignore[arg-type]
    assert dataclasses.replace(mention, value="+1").value == "+1"
    assert pickle.loads(pickle.dumps(mention)) == mention
    assert (
        Mention.found(
            post_id="p1",
            kind="phone",
            value="+14155550123",
            field="body",
            original="tel 415 555 0123",
            start=4,
            end=16,
            method="phonenumbers",
            confidence=0.8,
        )
        == mention
    )


@settings(deadline=None, max_examples=200)
@given(
    st.text(max_size=8),
    st.sampled_from(["phone", "email", "age"]),
    st.text(max_size=8),
    st.sampled_from(["title", "body"]),
    st.text(max_size=40),
    st.integers(0, 40),
    st.integers(0, 40),
    st.floats(0, 1),
)
def test_the_extractors_factory_makes_what_found_makes(
    post_id: str, kind: str, value: str, field: str, original: str, a: int, b: int, conf: float
) -> None:
    """``evidence.mention`` (compiled in the build, used by every extractor) is
    ``Mention.found``: same class, fields, equality, hash and frozenness."""
    args: dict[str, Any] = {"post_id": post_id, "kind": kind, "value": value, "field": field}
    args |= {"original": original, "start": a, "end": b, "method": "m", "confidence": conf}
    made = evidence.mention(**args)
    reference = Mention.found(**args)
    assert type(made) is Mention
    assert dataclasses.astuple(made) == dataclasses.astuple(reference)
    assert made == reference and hash(made) == hash(reference)
    assert made.text == original[a:b]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.kind = "x"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(made)) == reference
