"""Whether the extractors run compiled, and the way back to their Python sources.

The extraction modules are compiled with mypyc when the package is built (``setup.py``):
the same typed source, translated to C, which reads 1.1-1.35 times as many posts per
CPU second (the extractors read every post of every corpus, so this is the stage that
decides how long a national-scale run takes). The Python source stays the reference: it is what
:mod:`tracelight.extract` runs when nothing was compiled (no C compiler at install time,
``TRACELIGHT_PURE_PYTHON=1`` at build time), and the test suite proves both give the
same mentions.

Python prefers an extension module to a ``.py`` file of the same name, so an edited
source would silently lose to the extension built from the old one. The build therefore
writes :data:`MANIFEST`, the SHA-256 of every source it compiled; at import the sources
are hashed again (about a millisecond) and, if any differs, the extractors run from the
sources with a warning to rebuild, never stale code. ``TRACELIGHT_PURE_PYTHON=1`` at run
time makes the same choice on purpose (to compare, or to debug with a Python debugger).

Standard library only: ``setup.py`` loads this file before any dependency is installed.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

PACKAGE = "tracelight.extract"

MODULES: tuple[str, ...] = (
    "age",
    "email",
    "evidence",
    "gazetteer",
    "handle",
    "indicator",
    "keccak",
    "location",
    "name",
    "normalize",
    "numberwords",
    "obfuscated_email",
    "phone",
    "price",
    "tokens",
    "url",
    "wallet",
)
"""The modules compiled (this one and the package's ``__init__`` are not: they must run
before the choice between compiled and source is made)."""

MANIFEST = "compiled-sources.json"
"""Written by the build beside the compiled modules: ``{module: sha256 of its source}``."""

PURE_ENV = "TRACELIGHT_PURE_PYTHON"
"""Set to ``1`` to run the Python sources even when compiled modules exist."""


def pure_requested(environ: Mapping[str, str]) -> bool:
    """Whether :data:`PURE_ENV` asks for the sources (read at build and at import)."""
    return environ.get(PURE_ENV, "").strip().lower() in ("1", "true", "yes")


def source_digest(path: Path) -> str:
    """SHA-256 of a source file's bytes (what the manifest records)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_for(package_dir: Path, modules: Sequence[str] = MODULES) -> dict[str, str]:
    """The manifest of the sources in ``package_dir`` as they are now (the build's view)."""
    return {name: source_digest(package_dir / f"{name}.py") for name in modules}


def _extension(package_dir: Path, name: str) -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = package_dir / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


@dataclass(frozen=True)
class Choice:
    """What the extractors run: ``compiled``, ``source`` (nothing compiled), ``forced``
    (compiled modules present, ``TRACELIGHT_PURE_PYTHON`` set) or ``stale`` (compiled
    from other sources than those present: listed in ``stale``)."""

    mode: str
    stale: tuple[str, ...] = ()

    @property
    def compiled(self) -> bool:
        return self.mode == "compiled"


def decide(
    package_dir: Path, environ: Mapping[str, str], modules: Sequence[str] = MODULES
) -> Choice:
    """Choose between the compiled modules in ``package_dir`` and their sources.

    Compiled only when every listed module has an extension, the manifest exists and
    every source still has the digest it was compiled from: a partial build (one module
    failed) or a missing manifest counts as stale, since a mix of old and new code is
    exactly what must not run.
    """
    if not any(_extension(package_dir, name) for name in modules):
        return Choice("source")
    if pure_requested(environ):
        return Choice("forced")
    try:
        recorded = json.loads((package_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = {}
    if not isinstance(recorded, dict):
        recorded = {}
    stale = tuple(
        name
        for name in modules
        if _extension(package_dir, name) is None
        or recorded.get(name) != source_digest(package_dir / f"{name}.py")
    )
    return Choice("stale", stale) if stale else Choice("compiled")


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Serves the listed modules from their ``.py`` files, ahead of the extensions."""

    def __init__(self, sources: Mapping[str, Path]) -> None:
        self._sources = dict(sources)

    def serves(self, sources: Mapping[str, Path]) -> bool:
        return self._sources == dict(sources)

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        source = self._sources.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def install(package_dir: Path, package: str = PACKAGE, modules: Sequence[str] = MODULES) -> Choice:
    """Make the package's imports follow :func:`decide`; call before any listed module
    is imported (the package's ``__init__`` does)."""
    choice = decide(package_dir, os.environ, modules)
    if choice.mode in ("forced", "stale"):
        if choice.mode == "stale":
            warnings.warn(
                f"compiled extractors are older than their sources ({', '.join(choice.stale)}):"
                " running the Python sources; rebuild with `pip install -e .` (or `make`)",
                RuntimeWarning,
                stacklevel=2,
            )
        sources = {f"{package}.{name}": package_dir / f"{name}.py" for name in modules}
        if not any(isinstance(f, _SourceFinder) and f.serves(sources) for f in sys.meta_path):
            sys.meta_path.insert(0, _SourceFinder(sources))
    return choice


__all__ = [
    "MANIFEST",
    "MODULES",
    "PURE_ENV",
    "Choice",
    "decide",
    "install",
    "manifest_for",
    "pure_requested",
]
