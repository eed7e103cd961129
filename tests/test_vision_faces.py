"""Faces with dlib, on the shared face data read in place (skipped when absent).

Kept to a handful of images: dlib's HOG detector takes about a second per photo here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SHARED_DATA
from tracelight.vision import Decoded, decode_image
from tracelight.vision.faces import Face

IMAGES = SHARED_DATA / "face_identity_images" / "face_recognition_examples" / "images"

faces = pytest.importorskip("tracelight.vision.faces")
if not IMAGES.is_dir():
    pytest.skip("shared face data absent", allow_module_level=True)
try:
    faces.model_dir()
except faces.FaceModelsMissing as exc:
    pytest.skip(str(exc), allow_module_level=True)


def _encode(name: str) -> list[Face]:
    path: Path = IMAGES / name
    decoded = decode_image(path.read_bytes(), name=path.name)
    assert isinstance(decoded, Decoded)
    found: list[Face] = faces.default_encoder().encode(decoded.image)
    return found


def test_same_person_is_within_and_another_person_beyond_the_threshold() -> None:
    threshold = faces.face_threshold()
    assert 0.3 < threshold.threshold < 0.8
    assert threshold.tar is not None  # the measured rates ship with the package
    small, large, other = (_encode(n) for n in ("obama-240p.jpg", "obama__obama2.jpg", "biden.jpg"))
    assert len(small) == len(large) == len(other) == 1
    a, b, c = small[0], large[0], other[0]
    assert a.embedding.shape == (128,)
    left, top, right, bottom = a.box
    assert 0 <= left < right and 0 <= top < bottom
    assert len(a.landmarks) == 5
    assert faces.face_distance(a.embedding, b.embedding) <= threshold.threshold
    assert faces.face_distance(a.embedding, c.embedding) > threshold.threshold


def test_models_load_once_per_process() -> None:
    assert faces.default_encoder() is faces.default_encoder()
