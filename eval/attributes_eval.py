"""Precision and recall of the age and price extractors on the etk ground truth.

Reads ``escort_ads_etk_extraction_groundtruth/age.jl`` and ``price.jl`` from
``../shared/data`` in place and scores, per record, the set of values found against the
labelled set (:class:`Score` from ``extraction_eval.py``):

* ``age``: ``correct`` (the true ages) against the ``age`` values found in ``text``,
  both as decimal strings.
* ``price``: ``annotated_price`` (value, currency, time_unit in minutes) against our
  ``amount[ currency][/duration]`` values, two ways:

  - ``amount+duration``: ``(amount, minutes)`` pairs; our ``night`` counts as 480
    minutes (the label etk uses for a night); a price we report without a duration
    matches a label of 60 minutes, which is what etk writes when the ad states none
    (its own extractor output uses 60 everywhere). Currency is not compared: the labels
    leave it empty where the ad's own currency word is two tokens away.
  - ``amount``: the amounts alone.

Usage: ``.venv/bin/python eval/attributes_eval.py [--data DIR]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tracelight.extract.age import extract_ages
from tracelight.extract.price import extract_prices

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data"
NIGHT_MINUTES = 480
UNSTATED_MINUTES = 60


sys.path.insert(0, str(HERE))  # extraction_eval.py sits beside this script, not in a package
from extraction_eval import Score, _post, markdown  # noqa: E402


def _jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _folder(data: Path) -> Path:
    return data / "escort_ads_etk_extraction_groundtruth"


def found_ages(text: str) -> set[str]:
    return {m.value for m in extract_ages(_post(text), "body", text)}


def score_ages(data: Path) -> list[Score]:
    records = _jsonl(_folder(data) / "age.jl")
    score = Score("age", "tracelight", len(records))
    for record in records:
        gold = {str(v) for v in record["correct"]}  # type: ignore[attr-defined]
        score.add(found_ages(str(record["text"])), gold)
    return [score]


def _minutes(duration: str | None) -> int:
    if not duration:
        return UNSTATED_MINUTES
    if duration == "night":
        return NIGHT_MINUTES
    return int(duration.removesuffix("min"))


def found_prices(text: str) -> set[tuple[str, int]]:
    """``(amount, minutes)`` for each price found."""
    out = set()
    for m in extract_prices(_post(text), "body", text):
        amount_currency, _, duration = m.value.partition("/")
        amount = amount_currency.split(" ")[0]
        out.add((amount, _minutes(duration or None)))
    return out


def _gold_prices(record: dict[str, object]) -> set[tuple[str, int]]:
    labels = record["annotated_price"]
    assert isinstance(labels, list)
    gold = set()
    for label in labels:
        value = float(label["value"])
        amount = str(int(value)) if value == int(value) else str(value)
        unit = str(label.get("metadata", {}).get("time_unit") or UNSTATED_MINUTES)
        gold.add((amount, int(float(unit))))
    return gold


def score_prices(data: Path) -> list[Score]:
    records = _jsonl(_folder(data) / "price.jl")
    paired = Score("price", "tracelight amount+duration", len(records))
    amounts = Score("price", "tracelight amount only", len(records))
    for record in records:
        gold = _gold_prices(record)
        found = found_prices(str(record["text"]))
        paired.add({f"{a}/{m}" for a, m in found}, {f"{a}/{m}" for a, m in gold})
        amounts.add({a for a, _ in found}, {a for a, _ in gold})
    return [paired, amounts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    if not _folder(args.data).exists():
        print(f"no evaluation data at {args.data}", file=sys.stderr)
        return 2
    print(markdown(score_ages(args.data) + score_prices(args.data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
