"""Persona-name and location extraction scored on public data, read in place.

* ``name``: the etk ``name_*.jl`` ground truth (``extracted`` = expected names), values
  compared lower-cased, per record.
* ``location``: the etk ``address.jl`` labels are street addresses (``2072 avenue road``),
  not cities, so they cannot score a city gazetteer. Instead the Backpage California
  posts (``backpage_ca_womenseekmen_posts/posts.csv``) give a weak label: the city in
  the ad's URL subdomain (``losangeles`` -> ``Los Angeles, US``), for the subdomains
  that name one city. Reported: recall of that city from the post's ``location`` field
  and from title + body, and the share of title + body posts where the extractor found
  any location outside the US (a proxy for false positives: every ad is Californian).
  Only aggregate numbers are printed; the posts are never copied.

Usage: ``.venv/bin/python eval/names_eval.py [--data DIR]``
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from extraction_eval import DEFAULT_DATA, Score, _post, markdown
from tracelight.extract.location import extract_locations
from tracelight.extract.name import extract_names

SUBDOMAIN_CITIES = {
    "losangeles": "Los Angeles, US",
    "sandiego": "San Diego, US",
    "sacramento": "Sacramento, US",
    "sf": "San Francisco, US",
    "stockton": "Stockton, US",
    "modesto": "Modesto, US",
    "bakersfield": "Bakersfield, US",
    "santabarbara": "Santa Barbara, US",
}
"""Backpage subdomains that name one city (``eastbay``, ``orangecounty`` and
``inlandempire`` are regions and are left out)."""


def score_names(data: Path) -> list[Score]:
    records: list[dict[str, object]] = []
    for path in sorted((data / "escort_ads_etk_extraction_groundtruth").glob("name_*.jl")):
        with path.open(encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    score = Score("name", "tracelight", len(records))
    for record in records:
        text = str(record["text"])
        labels = record["extracted"]
        assert isinstance(labels, list)
        gold = {str(v).lower() for v in labels}
        found = {m.value.lower() for m in extract_names(_post(text), "body", text)}
        score.add(found, gold)
    return [score]


def _locations(text: str) -> set[str]:
    return {m.value for m in extract_locations(_post(text), "body", text)}


def score_locations(data: Path) -> list[Score]:
    path = data / "backpage_ca_womenseekmen_posts" / "posts.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    labelled = []
    for row in rows:
        host = (row.get("url") or "").split("//")[-1].split(".")[0]
        if host in SUBDOMAIN_CITIES:
            labelled.append((SUBDOMAIN_CITIES[host], row))
    field = Score("location (location field vs URL city)", "tracelight", len(labelled))
    body = Score("location (title+body vs URL city)", "tracelight", len(labelled))
    for city, row in labelled:
        gold = {city}
        found = _locations(row.get("location") or "")
        field.add(found & gold, gold)  # recall only: other named places are not errors
        text = f"{row.get('title') or ''}\n{row.get('body') or ''}"
        body.add(_locations(text) & gold, gold)
    outside = Score("location (title+body, non-US value = FP proxy)", "tracelight", len(rows))
    for row in rows:
        text = f"{row.get('title') or ''}\n{row.get('body') or ''}"
        found = _locations(text)
        us = {v for v in found if v.endswith(", US") or v == "US"}
        outside.true_positives += len(us)
        outside.false_positives += len(found - us)
    return [field, body, outside]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no evaluation data at {args.data}", file=sys.stderr)
        return 2
    print(markdown(score_names(args.data) + score_locations(args.data)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
