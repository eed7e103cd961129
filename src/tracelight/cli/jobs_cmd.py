"""``tracelight jobs``: recruitment-fraud screening of job ads (labour-trafficking prevention).

``jobs train DATA.csv --out MODEL_DIR`` fits the classifier of :mod:`tracelight.risk.jobs`
from a CSV (or JSON Lines) file with a ``text`` column or EMSCAD's raw columns, and a
``fraudulent`` 0/1 column; ``jobs screen INPUT [--model MODEL_DIR] --json`` prints one
object per ad in input order. Without ``--model`` the indicator library screens alone.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from tracelight.cli.common import JsonOpt, failures
from tracelight.cli.render import emit_json, safe, stdout
from tracelight.risk.jobs import JobModel, screen_all, train

jobs_app = typer.Typer(help="Screen job ads for recruitment fraud.", no_args_is_help=True)

ID_COLUMNS = ("id", "job_id", "source_row_id")


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a CSV/TSV file, or objects of a JSON Lines file, in file order."""
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    item = json.loads(line)
                    if not isinstance(item, dict):
                        raise ValueError(f"{path} line {number}: not a JSON object")
                    yield item
        return
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as handle:
        dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
        yield from csv.DictReader(handle, dialect=dialect)


@jobs_app.command("train")
def train_cmd(
    data: Annotated[Path, typer.Argument(help="CSV or JSON Lines with a fraudulent column.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the model to.")],
    split: Annotated[
        str, typer.Option(help="With a split column, train only on rows of this split; 'all'.")
    ] = "train",
    as_json: JsonOpt = False,
) -> None:
    """Train the fraud classifier; the threshold is chosen on the training data only."""
    with failures():
        rows = list(read_records(data))
        if rows and "split" in rows[0] and split != "all":
            rows = [r for r in rows if r.get("split") == split]
        labelled = [r for r in rows if str(r.get("fraudulent", "")).strip() in ("0", "1")]
        if len(labelled) < 10 or len({r["fraudulent"] for r in labelled}) < 2:
            raise ValueError("need at least 10 rows with fraudulent 0 and 1 to train")
        model = train(labelled, [int(r["fraudulent"]) for r in labelled])
        model.save(out)
        summary = {"model": str(out), "threshold": model.threshold, **model.info}
        if as_json:
            emit_json(summary)
        else:
            stdout.print(
                f"trained on {model.info['trained_on']} ads ({model.info['fraudulent']} "
                f"fraudulent); threshold {model.threshold:.3f}; saved to {safe(str(out))}"
            )


@jobs_app.command("screen")
def screen_cmd(
    source: Annotated[Path, typer.Argument(help="CSV or JSON Lines of job ads.")],
    model: Annotated[
        Path | None, typer.Option("--model", help="A folder made by `jobs train`.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Screen each ad: fraud probability, decision and reasons, in input order."""
    with failures():
        trained = JobModel.load(model) if model is not None else None
        records = list(read_records(source))
        for index, (record, result) in enumerate(
            zip(records, screen_all(records, trained), strict=True)
        ):
            ident = next((record[c] for c in ID_COLUMNS if record.get(c)), None)
            entry = {"index": index, "id": ident, **result.as_json()}
            if as_json:
                emit_json(entry)
                continue
            flag = "[bold red]FRAUD?[/]" if result.fraudulent else "ok    "
            title = safe(str(record.get("title") or ""), 60)
            stdout.print(f"{index:>5} {flag} {result.fraud_probability:.2f}  {title}")
            for reason in result.reasons[:3]:
                stdout.print(f"        · {safe(str(reason['text']), 160)}", soft_wrap=True)
