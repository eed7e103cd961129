"""The compiled extractors and their Python sources: the same mentions, and never stale code.

``setup.py`` compiles :mod:`tracelight.extract` with mypyc; the sources stay the
reference (:mod:`tracelight.extract.compiled`). Here: the choice between the two on a
package directory built for the test (fresh, edited, half-built, forced), the import
hook that serves the sources ahead of an extension, and, when the suite runs compiled
(as ``make test`` does: it sets ``TRACELIGHT_EXPECT_COMPILED``), every mention of a
corpus compared between a compiled process and a source one.
"""

from __future__ import annotations

import csv
import importlib
import importlib.machinery
import json
import os
import subprocess
import sys
from dataclasses import astuple
from pathlib import Path

import pytest

from conftest import SHARED_DATA
from helpers import text_post
from test_phone_cases import CASES
from tracelight.extract import RUNTIME, extract_post
from tracelight.extract.compiled import (
    MANIFEST,
    MODULES,
    PURE_ENV,
    Choice,
    decide,
    install,
    manifest_for,
)
from tracelight.model import Post
from tracelight.synth import generate_corpus

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
NAMES = ("alpha", "beta")


def _package(tmp: Path, *, built: tuple[str, ...] = NAMES, manifest: bool = True) -> Path:
    """A package directory with sources, extension files for ``built`` and a manifest."""
    tmp.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        (tmp / f"{name}.py").write_text(f"WHO = {name!r}\n", encoding="utf-8")
    for name in built:
        (tmp / f"{name}{SUFFIX}").write_bytes(b"not a shared object: loading it would fail")
    if manifest:
        (tmp / MANIFEST).write_text(json.dumps(manifest_for(tmp, NAMES)), encoding="utf-8")
    return tmp


def test_nothing_built_runs_the_sources(tmp_path: Path) -> None:
    assert decide(_package(tmp_path, built=(), manifest=False), {}, NAMES) == Choice("source")


def test_a_fresh_build_runs_compiled(tmp_path: Path) -> None:
    choice = decide(_package(tmp_path), {}, NAMES)
    assert choice == Choice("compiled") and choice.compiled


def test_an_edited_source_makes_the_build_stale(tmp_path: Path) -> None:
    package = _package(tmp_path)
    (package / "beta.py").write_text("WHO = 'edited'\n", encoding="utf-8")
    assert decide(package, {}, NAMES) == Choice("stale", ("beta",))


def test_a_half_build_or_a_lost_manifest_is_stale(tmp_path: Path) -> None:
    assert decide(_package(tmp_path / "half", built=("alpha",)), {}, NAMES).stale == ("beta",)
    assert decide(_package(tmp_path / "lost", manifest=False), {}, NAMES).stale == NAMES
    broken = _package(tmp_path / "broken")
    (broken / MANIFEST).write_text("[1, 2", encoding="utf-8")
    assert decide(broken, {}, NAMES).stale == NAMES


def test_the_environment_forces_the_sources(tmp_path: Path) -> None:
    package = _package(tmp_path)
    assert decide(package, {PURE_ENV: "1"}, NAMES) == Choice("forced")
    assert decide(package, {PURE_ENV: "0"}, NAMES).compiled


def test_a_stale_build_is_never_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The extension files here are garbage: importing one would raise, so a module that
    imports proves the hook served its source."""
    root = tmp_path / "root"
    package = _package(root / "stalepkg")
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "alpha.py").write_text("WHO = 'edited'\n", encoding="utf-8")
    monkeypatch.delenv(PURE_ENV, raising=False)  # the choice must be the stale build's
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    for name in ("stalepkg", "stalepkg.alpha", "stalepkg.beta"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.warns(RuntimeWarning, match=r"older than their sources \(alpha\)"):
        choice = install(package, "stalepkg", NAMES)
    assert choice.mode == "stale"
    assert importlib.import_module("stalepkg.alpha").WHO == "edited"
    assert importlib.import_module("stalepkg.beta").WHO == "beta"
    with pytest.raises(ImportError):  # without the hook, the garbage extension is taken
        monkeypatch.setattr(
            sys, "meta_path", [f for f in sys.meta_path if f.__module__ != install.__module__]
        )
        monkeypatch.delitem(sys.modules, "stalepkg.beta")
        importlib.import_module("stalepkg.beta")


def test_every_compiled_module_is_listed() -> None:
    package = Path(importlib.import_module("tracelight.extract").__file__ or "").parent
    sources = {p.stem for p in package.glob("*.py")} - {"__init__", "compiled"}
    assert sources == set(MODULES)


def test_the_suite_runs_what_make_built() -> None:
    """``make test`` builds the extractors and says so; then they must run compiled."""
    if not os.environ.get("TRACELIGHT_EXPECT_COMPILED"):
        pytest.skip("not run by `make test`: the extractors may run from source")
    assert RUNTIME.compiled, RUNTIME
    module = importlib.import_module("tracelight.extract.normalize")
    assert not (module.__file__ or "").endswith(".py")


Record = tuple[str, str | None, str | None, str | None]
"""``(id, title, body, country)``: all an extractor reads of a post."""


def _corpus(tmp: Path) -> list[Record]:
    """Synthetic posts, the labelled phone cases (hard negatives included) and, when the
    shared data is there, 1,500 real Backpage ads."""
    from tracelight.ingest import read_source

    generate_corpus(tmp, 600, seed=5, max_images=0)
    records: list[Record] = [
        (p.id, p.title, p.body, p.country)
        for p in read_source(tmp / "posts.jsonl")
        if isinstance(p, Post)
    ]
    records += [(f"case{k}", None, text, country) for k, (text, country, _) in enumerate(CASES)]
    backpage = SHARED_DATA / "backpage_ca_womenseekmen_posts" / "posts.csv"
    if backpage.is_file():
        csv.field_size_limit(sys.maxsize)
        with backpage.open(newline="", encoding="utf-8") as handle:
            for k, row in enumerate(csv.DictReader(handle)):
                if k < 1500:
                    records.append((f"bp{k}", row.get("title"), row.get("body"), "US"))
    return records


_SOURCE_RUN = """
import json, sys
from dataclasses import astuple
import tracelight.extract as extract
from tracelight.extract import normalize
assert extract.RUNTIME.mode == "forced", extract.RUNTIME
assert normalize.__file__.endswith(".py"), normalize.__file__
sys.path.insert(0, sys.argv[1])
from helpers import text_post
out = []
for post_id, title, body, country in json.load(sys.stdin):
    post = text_post(body, title=title, country=country, post_id=post_id)
    out.append([list(astuple(m)) for m in extract.extract_post(post)])
json.dump(out, sys.stdout)
"""


def test_compiled_and_source_extract_the_same_mentions(tmp_path: Path) -> None:
    if not RUNTIME.compiled:
        pytest.skip(f"extractors not compiled here ({RUNTIME.mode}): nothing to compare")
    records = _corpus(tmp_path)
    compiled = [
        [list(astuple(m)) for m in extract_post(text_post(b, title=t, country=c, post_id=i))]
        for i, t, b, c in records
    ]
    assert sum(map(len, compiled)) > len(records)  # a corpus with plenty to find
    run = subprocess.run(
        [sys.executable, "-c", _SOURCE_RUN, str(Path(__file__).parent)],
        input=json.dumps(records),
        capture_output=True,
        text=True,
        env={**os.environ, PURE_ENV: "1"},
        check=True,
        timeout=600,
    )
    source = json.loads(run.stdout)
    differ = [r[0] for r, a, b in zip(records, compiled, source, strict=True) if a != b]
    assert differ == []
