"""PDQ near-duplicate evaluation on ``image_near_duplicates`` (read in place).

Data: ``../shared/data/image_near_duplicates`` (Meta ThreatExchange PDQ test images and
idealo/imagededup UKBench images; see its PROVENANCE.md). ``manifest.csv`` gives each
file's ``group_id``: files of one group are copies of one source image.

Reported:

* **decode**: files refused by :func:`tracelight.vision.decode_image` and why (the
  data set holds one deliberately corrupt file).
* **recall of true copies**: pairs of files in the same group, by relation of the copy
  (resized, blurred, colour mode, rotated, flipped, EXIF-rotated ...), matched when
  the Hamming distance is <= 31 and both hashes have quality >= 50. ``plain`` compares
  the two hashes; ``dihedral`` also compares the 8 rotations/flips of one side, which
  is what catches mirrored or rotated re-posts.
* **false matches**: pairs from different groups that match anyway.
* **reference**: Hamming distance between our hash and the published reference
  hashes (``expected_pdq_hashes.csv``), per reference implementation.

Usage: ``.venv/bin/python eval/image_eval.py [--data DIR] [--full-size] [--json]``
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pdqhash
from PIL import Image

from tracelight.vision import pdq as pdq_module
from tracelight.vision.decode import Decoded, decode_image
from tracelight.vision.pdq import PDQ_MATCH_THRESHOLD, PDQ_MIN_QUALITY, bits_to_hex, hamming

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data" / "image_near_duplicates"


def dihedral_hexes(image: Image.Image) -> list[str]:
    """The 8 dihedral-transform hashes of an image (original first)."""
    if max(image.size) > pdq_module.HASH_SIDE:
        image = image.copy()
        image.thumbnail((pdq_module.HASH_SIDE, pdq_module.HASH_SIDE))
    pixels = np.ascontiguousarray(np.asarray(image.convert("RGB"), dtype=np.uint8))
    vectors, _ = pdqhash.compute_dihedral(pixels)
    return [bits_to_hex(v) for v in vectors]


def evaluate(data: Path) -> dict[str, Any]:
    rows = list(csv.DictReader((data / "manifest.csv").open(encoding="utf-8")))
    hashes: dict[str, tuple[str, int, list[str]]] = {}
    rejected: dict[str, str] = {}
    for row in rows:
        path = data / row["file"]
        result = decode_image(path.read_bytes(), name=path.name)
        if not isinstance(result, Decoded):
            rejected[row["file"]] = f"{result.code}: {result.reason}"
            continue
        digest = pdq_module.pdq_hash(result.image)
        hashes[row["file"]] = (digest.hex, digest.quality, dihedral_hexes(result.image))
    group = {row["file"]: row["group_id"] for row in rows}
    relation = {row["file"]: row["relation"] for row in rows}
    usable = [f for f, (_, q, _) in hashes.items() if q >= PDQ_MIN_QUALITY]
    true_pairs: dict[str, Counter[str]] = defaultdict(Counter)
    distances_true: list[int] = []
    false_plain = false_dihedral = negatives = 0
    false_examples: list[tuple[str, str, int]] = []
    for a, b in itertools.combinations(sorted(hashes), 2):
        ha, qa, da = hashes[a]
        hb, qb, _ = hashes[b]
        plain = hamming(ha, hb)
        dihedral = min(hamming(x, hb) for x in da)
        both_usable = qa >= PDQ_MIN_QUALITY and qb >= PDQ_MIN_QUALITY
        if group[a] == group[b]:
            kind = relation[b] if relation[a].startswith("original") else relation[a]
            if relation[a].startswith("original") == relation[b].startswith("original"):
                kind = relation[a] if relation[a] == relation[b] else "copy_vs_copy"
            counts = true_pairs[kind]
            counts["pairs"] += 1
            counts["plain"] += both_usable and plain <= PDQ_MATCH_THRESHOLD
            counts["dihedral"] += both_usable and dihedral <= PDQ_MATCH_THRESHOLD
            distances_true.append(plain)
        else:
            negatives += 1
            if both_usable and plain <= PDQ_MATCH_THRESHOLD:
                false_plain += 1
                false_examples.append((a, b, plain))
            if both_usable and dihedral <= PDQ_MATCH_THRESHOLD:
                false_dihedral += 1
    total = Counter[str]()
    for counts in true_pairs.values():
        total.update(counts)
    references: dict[str, list[int]] = defaultdict(list)
    per_file: list[dict[str, Any]] = []
    with (data / "pdq_threatexchange" / "expected_pdq_hashes.csv").open(encoding="utf-8") as fh:
        for ref in csv.DictReader(fh):
            name = "pdq_threatexchange/" + ref["file"].removeprefix("pdq_threatexchange/")
            if name not in hashes:
                continue
            d = hamming(hashes[name][0], ref["pdq_hash_hex"])
            references[ref["reference_implementation"]].append(d)
            per_file.append({"file": name, "impl": ref["reference_implementation"], "distance": d})
    return {
        "files": len(rows),
        "decoded": len(hashes),
        "usable": len(usable),
        "low_quality": sorted(f for f, (_, q, _) in hashes.items() if q < PDQ_MIN_QUALITY),
        "rejected": rejected,
        "recall": {k: dict(v) for k, v in sorted(true_pairs.items())},
        "recall_total": dict(total),
        "true_pair_distance_median": statistics.median(distances_true) if distances_true else None,
        "negative_pairs": negatives,
        "false_matches_plain": false_plain,
        "false_matches_dihedral": false_dihedral,
        "false_examples": false_examples[:10],
        "reference": {
            impl: {
                "files": len(ds),
                "mean": round(statistics.mean(ds), 2),
                "median": statistics.median(ds),
                "max": max(ds),
                "within_31": sum(d <= PDQ_MATCH_THRESHOLD for d in ds),
            }
            for impl, ds in sorted(references.items())
        },
        "reference_worst": sorted(per_file, key=lambda r: -r["distance"])[:5],
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Files {report['files']}, decoded {report['decoded']}, usable (quality >= "
        f"{PDQ_MIN_QUALITY}) {report['usable']}; rejected: "
        + "; ".join(f"{k} ({v})" for k, v in report["rejected"].items()),
        "",
        "| copy relation | pairs | matched (plain) | matched (dihedral) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for kind, c in [*report["recall"].items(), ("**all**", report["recall_total"])]:
        n = c.get("pairs", 0)
        lines.append(
            f"| {kind} | {n} | {c.get('plain', 0)} ({c.get('plain', 0) / n:.0%}) "
            f"| {c.get('dihedral', 0)} ({c.get('dihedral', 0) / n:.0%}) |"
        )
    lines += [
        "",
        f"False matches among {report['negative_pairs']} pairs of different images: "
        f"plain {report['false_matches_plain']}, dihedral {report['false_matches_dihedral']}.",
        "",
        "| reference implementation | files | mean | median | max | within 31 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for impl, r in report["reference"].items():
        lines.append(
            f"| {impl} | {r['files']} | {r['mean']} | {r['median']} | {r['max']} "
            f"| {r['within_31']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--full-size", action="store_true", help="hash without the 512 px cap")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.data / "manifest.csv").is_file():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    if args.full_size:
        pdq_module.HASH_SIDE = 1 << 30
    report = evaluate(args.data)
    print(json.dumps(report, indent=2) if args.json else markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
