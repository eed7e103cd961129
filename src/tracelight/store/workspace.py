"""Where a Tracelight installation keeps its data.

A workspace is a folder: the embedded SQLite store, the image blobs and the reject
files of each run. ``--db`` points the store at PostgreSQL instead while blobs and
rejects stay in the folder. ``TRACELIGHT_WORKSPACE`` and ``TRACELIGHT_DB`` set the
defaults so scripts and servers need not repeat them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tracelight.store.blobs import BlobStore
from tracelight.store.db import sqlite_url

DEFAULT_WORKSPACE = ".tracelight"
DB_FILE = "tracelight.db"


@dataclass(frozen=True, slots=True)
class Workspace:
    root: Path
    db_url: str

    @classmethod
    def resolve(cls, folder: str | Path | None = None, db: str | None = None) -> Workspace:
        root = Path(folder or os.environ.get("TRACELIGHT_WORKSPACE") or DEFAULT_WORKSPACE)
        root = root.expanduser().absolute()
        url = db or os.environ.get("TRACELIGHT_DB") or sqlite_url(root / DB_FILE)
        return cls(root=root, db_url=url)

    @property
    def blobs(self) -> BlobStore:
        return BlobStore(self.root / "blobs")

    @property
    def rejects_dir(self) -> Path:
        return self.root / "rejects"

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
