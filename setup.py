"""Build step beyond pyproject.toml: the extractors are compiled with mypyc.

Why, and how the Python sources stay the reference, is explained in
``src/tracelight/extract/compiled.py``. Everything else about the package is declared in
``pyproject.toml``.

``TRACELIGHT_PURE_PYTHON=1`` at install time skips compiling (no C compiler, or to debug
the extractors in a Python debugger). A compiler failure does the same with a warning:
the package then runs its sources, with the same results, only slower.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
EXTRACT = ROOT / "src" / "tracelight" / "extract"


def _compiled() -> ModuleType:
    """``tracelight.extract.compiled`` loaded by path (nothing else is installed yet)."""
    spec = importlib.util.spec_from_file_location("_tracelight_compiled", EXTRACT / "compiled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


COMPILED = _compiled()


class BuildExtWithManifest(build_ext):  # type: ignore[misc]
    """Builds the extensions, then records which sources they were compiled from."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # a missing or failing compiler: fall back to sources
            self._remove_outputs()
            self.warn(f"compiling the extractors failed ({error}); they will run from source")
            return
        if not self.extensions:
            return
        probe = f"{COMPILED.PACKAGE}.{COMPILED.MODULES[0]}"
        target = Path(self.get_ext_fullpath(probe)).parent
        target.mkdir(parents=True, exist_ok=True)
        manifest = COMPILED.manifest_for(EXTRACT)
        (target / COMPILED.MANIFEST).write_text(
            json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )

    def _remove_outputs(self) -> None:
        for ext in self.extensions:
            Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)


def _extensions() -> list[object]:
    if COMPILED.pure_requested(os.environ):
        return []
    from mypyc.build import mypycify

    sources = [str((EXTRACT / f"{name}.py").relative_to(ROOT)) for name in COMPILED.MODULES]
    return list(mypycify(sources, opt_level="3", debug_level="0", group_name="tracelight_extract"))


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExtWithManifest})
