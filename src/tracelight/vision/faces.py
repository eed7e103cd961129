"""Face detection, landmarks and 128-d encodings with dlib's ResNet face model.

Only identity encodings are computed: no age, gender, ethnicity or emotion estimation,
ever (docs/vision.md explains why). Face search compares encodings by Euclidean
distance against a threshold measured on labelled pairs (:func:`face_threshold`).

The model files ship in the ``face-recognition-models`` package; they are found by path
without importing that package, whose ``__init__`` needs ``pkg_resources`` (gone from
current setuptools). ``TRACELIGHT_FACE_MODELS`` may point at another folder holding the
same files, e.g. on an air-gapped machine. Models load once per process
(:func:`default_encoder`), not per image: loading takes about a second.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

DETECT_SIDE = 1600
"""Images are reduced to at most this side for detection; boxes are scaled back."""
MODEL_FILES = {
    "landmarks": "shape_predictor_5_face_landmarks.dat",
    "encoder": "dlib_face_recognition_resnet_model_v1.dat",
}


class FaceModelsMissing(RuntimeError):
    """The dlib model files are not installed: install ``tracelight[faces]``."""


@dataclass(frozen=True, slots=True)
class Face:
    """One detected face: box ``(left, top, right, bottom)`` in image pixels, 5 landmarks."""

    box: tuple[int, int, int, int]
    landmarks: tuple[tuple[int, int], ...]
    embedding: np.ndarray


def model_dir() -> Path:
    """The folder holding the dlib model files, or :class:`FaceModelsMissing`."""
    configured = os.environ.get("TRACELIGHT_FACE_MODELS")
    if configured:
        folder = Path(configured)
    else:
        spec = importlib.util.find_spec("face_recognition_models")
        locations = list(spec.submodule_search_locations or []) if spec else []
        if not locations:
            raise FaceModelsMissing(
                "face models not installed: pip install 'tracelight[faces]' "
                "or set TRACELIGHT_FACE_MODELS to a folder with the dlib model files"
            )
        folder = Path(locations[0]) / "models"
    missing = [name for name in MODEL_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise FaceModelsMissing(f"face model files missing in {folder}: {', '.join(missing)}")
    return folder


class FaceEncoder:
    """dlib's HOG face detector, 5-point landmarks and ResNet encoder, loaded together."""

    def __init__(self, folder: Path | None = None, *, upsample: int = 1, jitter: int = 0) -> None:
        try:
            import dlib
        except ImportError as exc:  # pragma: no cover - depends on the install
            message = "dlib is not installed: pip install 'tracelight[faces]'"
            raise FaceModelsMissing(message) from exc
        folder = folder or model_dir()
        self._dlib: Any = dlib
        self._detector: Any = dlib.get_frontal_face_detector()
        self._landmarks: Any = dlib.shape_predictor(str(folder / MODEL_FILES["landmarks"]))
        self._encoder: Any = dlib.face_recognition_model_v1(str(folder / MODEL_FILES["encoder"]))
        self.upsample = upsample
        self.jitter = jitter

    def encode(self, image: Image.Image) -> list[Face]:
        """Every face found in an RGB image, left to right, with its 128-d encoding."""
        if image.mode != "RGB":
            image = image.convert("RGB")
        scale = 1.0
        if max(image.size) > DETECT_SIDE:
            scale = max(image.size) / DETECT_SIDE
            image = image.resize(
                (max(1, round(image.width / scale)), max(1, round(image.height / scale))),
                Image.Resampling.BILINEAR,
            )
        pixels = np.ascontiguousarray(np.asarray(image, dtype=np.uint8))
        rects = self._detector(pixels, self.upsample)
        faces: list[Face] = []
        for rect in sorted(rects, key=lambda r: (r.left(), r.top())):
            shape = self._landmarks(pixels, rect)
            vector = self._encoder.compute_face_descriptor(pixels, shape, self.jitter)
            box = (
                max(0, round(rect.left() * scale)),
                max(0, round(rect.top() * scale)),
                round(rect.right() * scale),
                round(rect.bottom() * scale),
            )
            points = tuple(
                (round(shape.part(i).x * scale), round(shape.part(i).y * scale))
                for i in range(shape.num_parts)
            )
            faces.append(Face(box, points, np.asarray(vector, dtype=np.float32)))
        return faces


@functools.cache
def default_encoder() -> FaceEncoder:
    """The process's one encoder: models load on first use, once per worker process."""
    return FaceEncoder()


def face_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two encodings (the metric the threshold is set in)."""
    return float(np.linalg.norm(np.asarray(a, np.float32) - np.asarray(b, np.float32)))


@dataclass(frozen=True, slots=True)
class FaceThreshold:
    """The default match threshold and the rates measured for it (shown to users)."""

    threshold: float
    far: float | None
    tar: float | None
    measured: dict[str, Any]


@functools.cache
def face_threshold() -> FaceThreshold:
    """The threshold chosen by ``eval/face_eval.py``, from ``vision/data/face_threshold.json``."""
    text = resources.files("tracelight.vision").joinpath("data/face_threshold.json").read_text()
    data = json.loads(text)
    return FaceThreshold(
        threshold=float(data["threshold"]),
        far=data.get("far"),
        tar=data.get("tar"),
        measured=data,
    )
