"""Precision and recall of Tracelight's extractors on public ground truth, beside a baseline.

Reads the DIG phone-extractor test set and the etk e-mail and social-media ground truth
from ``../shared/data`` in place (they are never copied into the repository) and scores,
per kind, the set of values found in each record against the labelled set:

* ``phone``: Tracelight's extractor against plain ``phonenumbers.PhoneNumberMatcher``
  over the same title and body text. The ads carry no country, so both read national
  numbers as US/Canadian (the sites are mostly North American); a found number counts
  as correct when its national digits equal a labelled number (``text_ext_gt``), the
  label the DIG extractor was itself scored on.
* ``email`` and ``handle``: the etk labels, values compared lower-cased.

Usage: ``.venv/bin/python eval/extraction_eval.py [--data DIR] [--json OUT]``
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import phonenumbers

from tracelight.extract import extract_post
from tracelight.model import Post

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REGION = "US"


@dataclass
class Score:
    kind: str
    system: str
    records: int
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        gold = self.true_positives + self.false_negatives
        return self.true_positives / gold if gold else 1.0

    def add(self, found: set[str], gold: set[str]) -> None:
        self.true_positives += len(found & gold)
        self.false_positives += len(found - gold)
        self.false_negatives += len(gold - found)

    def row(self) -> dict[str, object]:
        return {**asdict(self), "precision": self.precision, "recall": self.recall}


def _post(text: str, title: str | None = None) -> Post:
    return Post(
        id="eval",
        source="eval",
        external_id=None,
        url=None,
        posted_at=None,
        collected_at=None,
        title=title,
        body=text,
        location=None,
        country=REGION,
        language=None,
    )


def _jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _digits(e164: str) -> tuple[str, str]:
    """National digits and country code + national digits: the DIG labels use the first
    for North American numbers and the second for international ones."""
    number = phonenumbers.parse(e164, None)
    national = str(number.national_number)
    return national, f"{number.country_code}{national}"


def tracelight_phones(title: str, body: str) -> set[tuple[str, str]]:
    found = extract_post(_post(body, title))
    return {_digits(m.value) for m in found if m.kind == "phone"}


def baseline_phones(title: str, body: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for text in (title, body):
        for match in phonenumbers.PhoneNumberMatcher(text, REGION):
            found.add(
                _digits(
                    phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
                )
            )
    return found


def _as_labelled(found: set[tuple[str, str]], gold: set[str]) -> set[str]:
    return {full if full in gold else national for national, full in found}


def score_phones(data: Path) -> list[Score]:
    path = data / "escort_ads_phone_groundtruth" / "ads_phone_groundtruth.jsonl"
    records = _jsonl(path)
    systems: dict[str, Callable[[str, str], set[tuple[str, str]]]] = {
        "tracelight": tracelight_phones,
        "phonenumbers baseline": baseline_phones,
    }
    scores = []
    for name, system in systems.items():
        score = Score("phone", name, len(records))
        for record in records:
            gold = {str(v) for v in record["text_ext_gt"]}  # type: ignore[attr-defined]
            found = system(str(record["title"] or ""), str(record["body"] or ""))
            score.add(_as_labelled(found, gold), gold)
        scores.append(score)
    return scores


def _kind_values(text: str, kind: str) -> set[str]:
    return {m.value.lower() for m in extract_post(_post(text)) if m.kind == kind}


def score_emails(data: Path) -> list[Score]:
    records = _jsonl(data / "escort_ads_etk_extraction_groundtruth" / "email.jl")
    score = Score("email", "tracelight", len(records))
    for record in records:
        gold = {str(v).lower() for v in record["correct"]}  # type: ignore[attr-defined]
        score.add(_kind_values(str(record["text"]), "email"), gold)
    return [score]


PLATFORM_NAMES = {
    "twitter": "twitter",
    "instagram": "instagram",
    "snapchat": "snapchat",
    "kik": "kik",
    "telegram": "telegram",
    "facebook": "facebook",
    "whatsapp": "whatsapp",
    "wechat": "wechat",
    "line": "line",
    "onlyfans": "onlyfans",
    "tiktok": "tiktok",
}


def score_handles(data: Path) -> list[Score]:
    records = _jsonl(data / "escort_ads_etk_extraction_groundtruth" / "social_media.jl")
    score = Score("handle", "tracelight", len(records))
    for record in records:
        labels = record["correct"]
        assert isinstance(labels, dict)
        gold = {
            f"{PLATFORM_NAMES.get(str(platform).lower(), str(platform).lower())}:"
            f"{str(handle).lower().lstrip('@')}"
            for platform, handles in labels.items()
            for handle in handles
        }
        score.add(_kind_values(str(record["text"]), "handle"), gold)
    return [score]


def markdown(scores: Iterable[Score]) -> str:
    lines = [
        "| kind | system | records | precision | recall | TP | FP | FN |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in scores:
        lines.append(
            f"| {s.kind} | {s.system} | {s.records} | {s.precision:.3f} | {s.recall:.3f} "
            f"| {s.true_positives} | {s.false_positives} | {s.false_negatives} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no evaluation data at {args.data}", file=sys.stderr)
        return 2
    scores = score_phones(args.data) + score_emails(args.data) + score_handles(args.data)
    print(markdown(scores))
    if args.json:
        args.json.write_text(json.dumps([s.row() for s in scores], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
