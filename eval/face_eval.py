"""Face verification on ``face_identity_images``: TAR at FAR 1% and 0.1%, and the threshold.

Data: ``../shared/data/face_identity_images`` (read in place; see its PROVENANCE.md).
Each labelled image is encoded with :class:`tracelight.vision.faces.FaceEncoder`
(the largest face when there are several). Pairs:

* genuine / impostor pairs as labelled in ``deepface/pairs.csv`` and
  ``deepface/pairs_with_model_distances.csv`` (Yes / No);
* every pair of single-identity images in ``face_recognition_examples/labels.csv``
  (same name = genuine, different names = impostor);
* every deepface image against every face_recognition_examples image as impostors:
  the deepface set is unnamed celebrity photos and the other set is six named people
  (Obama, Biden, three actors, a writer); this assumes none of those six appear in the
  deepface set, which is what gives enough impostor pairs to estimate a 0.1% FAR at
  all (it is still a small sample; the report prints how small).

For each FAR target the threshold is the largest distance at which the share of
impostor pairs accepted (distance <= threshold) does not exceed the target; TAR is the
share of genuine pairs accepted there. ``--write`` stores the FAR 0.1% operating point
(the stricter one: a false face match can accuse the wrong person) as the package
default in ``src/tracelight/vision/data/face_threshold.json``.

Usage: ``.venv/bin/python eval/face_eval.py [--data DIR] [--write] [--json]``
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from tracelight.vision.decode import Decoded, decode_image
from tracelight.vision.faces import FaceEncoder

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data" / "face_identity_images"
THRESHOLD_FILE = HERE.parent / "src" / "tracelight" / "vision" / "data" / "face_threshold.json"
FAR_TARGETS = (0.01, 0.001)


def encode_all(encoder: FaceEncoder, paths: dict[str, Path]) -> tuple[dict[str, np.ndarray], int]:
    """The largest face's encoding per image; images with no face found are left out."""
    out: dict[str, np.ndarray] = {}
    for key, path in sorted(paths.items()):
        decoded = decode_image(path.read_bytes(), name=path.name)
        if not isinstance(decoded, Decoded):
            continue
        faces = encoder.encode(decoded.image)
        if faces:
            largest = max(faces, key=lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]))
            out[key] = largest.embedding
    return out, len(paths)


def pairs(data: Path) -> tuple[dict[str, Path], set[tuple[str, str, bool]]]:
    images: dict[str, Path] = {}
    labelled: set[tuple[str, str, bool]] = set()
    deepface = data / "deepface"
    for name in ("pairs.csv", "pairs_with_model_distances.csv"):
        with (deepface / name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                a, b = sorted((f"df/{row['file_x']}", f"df/{row['file_y']}"))
                same = (row.get("same_identity") or row.get("decision")) == "Yes"
                labelled.add((a, b, same))
                for key in (a, b):
                    images[key] = deepface / "images" / key.removeprefix("df/")
    identity: dict[str, str] = {}
    fr = data / "face_recognition_examples"
    with (fr / "labels.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["identity"] in {"unlabeled"} or row["identity"].startswith("multiple:"):
                continue
            key = f"fr/{row['file']}"
            identity[key] = row["identity"]
            images[key] = fr / "images" / row["file"]
    for a, b in itertools.combinations(sorted(identity), 2):
        labelled.add((a, b, identity[a] == identity[b]))
    df_images = sorted(k for k in images if k.startswith("df/"))
    for a in df_images:
        for b in sorted(identity):
            labelled.add((a, b, False))
    return images, labelled


def operating_points(genuine: np.ndarray, impostor: np.ndarray) -> list[dict[str, Any]]:
    points = []
    ordered = np.sort(impostor)
    for target in FAR_TARGETS:
        allowed = int(np.floor(target * len(ordered)))
        # Accept distance <= t: at most `allowed` impostors may fall at or below t.
        threshold = float(ordered[allowed]) - 1e-6 if allowed < len(ordered) else 9.0
        far = float(np.mean(impostor <= threshold))
        tar = float(np.mean(genuine <= threshold))
        points.append(
            {"far_target": target, "threshold": round(threshold, 4), "far": far, "tar": tar}
        )
    return points


def evaluate(data: Path) -> dict[str, Any]:
    images, labelled = pairs(data)
    encoder = FaceEncoder()
    start = time.perf_counter()
    encodings, total = encode_all(encoder, images)
    seconds = time.perf_counter() - start
    genuine: list[float] = []
    impostor: list[float] = []
    skipped = 0
    for a, b, same in sorted(labelled):
        if a not in encodings or b not in encodings:
            skipped += 1
            continue
        d = float(np.linalg.norm(encodings[a] - encodings[b]))
        (genuine if same else impostor).append(d)
    g, i = np.array(genuine), np.array(impostor)
    points = operating_points(g, i)
    at_06 = {"threshold": 0.6, "far": float(np.mean(i <= 0.6)), "tar": float(np.mean(g <= 0.6))}
    return {
        "images": total,
        "images_with_face": len(encodings),
        "seconds_per_image": round(seconds / max(total, 1), 3),
        "genuine_pairs": len(g),
        "impostor_pairs": len(i),
        "pairs_skipped_no_face": skipped,
        "operating_points": points,
        "dlib_customary_0.6": at_06,
        "genuine_distance_median": float(np.median(g)),
        "impostor_distance_median": float(np.median(i)),
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"{report['images_with_face']} of {report['images']} images with a face "
        f"({report['seconds_per_image']} s/image); {report['genuine_pairs']} genuine and "
        f"{report['impostor_pairs']} impostor pairs ({report['pairs_skipped_no_face']} "
        "skipped: no face found).",
        "",
        "| operating point | threshold | FAR measured | TAR |",
        "| --- | ---: | ---: | ---: |",
    ]
    for p in report["operating_points"]:
        lines.append(
            f"| FAR <= {p['far_target']:.1%} | {p['threshold']:.3f} | {p['far']:.2%} "
            f"| {p['tar']:.1%} |"
        )
    c = report["dlib_customary_0.6"]
    lines.append(f"| dlib's customary 0.6 | 0.600 | {c['far']:.2%} | {c['tar']:.1%} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--write", action="store_true", help="store the default threshold")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.data / "deepface" / "pairs.csv").is_file():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    report = evaluate(args.data)
    print(json.dumps(report, indent=2) if args.json else markdown(report))
    if args.write:
        strict = report["operating_points"][-1]
        THRESHOLD_FILE.write_text(
            json.dumps(
                {
                    "threshold": strict["threshold"],
                    "far": strict["far"],
                    "tar": strict["tar"],
                    "far_target": strict["far_target"],
                    "chosen_at": "FAR <= 0.1% (eval/face_eval.py --write)",
                    "model": "dlib_face_recognition_resnet_model_v1, HOG detector, "
                    "5-point alignment",
                    "data": "shared/data/face_identity_images (deepface, face_recognition "
                    "examples; see eval/face_eval.py for the pairs)",
                    "genuine_pairs": report["genuine_pairs"],
                    "impostor_pairs": report["impostor_pairs"],
                    "operating_points": report["operating_points"],
                    "dlib_customary_0.6": report["dlib_customary_0.6"],
                },
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
