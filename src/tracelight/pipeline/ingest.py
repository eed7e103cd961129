"""The ingest job: sources in, posts stored, every bad record accounted for.

Items stream from the readers and are written in batches, each batch in one
transaction: image bytes first (content-addressed files, harmless if orphaned),
then posts, images and rejects together, with the organisation's ownership of the posts
and the alerts its saved searches raise on them. A process killed at any moment leaves
every committed batch whole and nothing of the interrupted one; rerunning re-reads
the sources and, because post ids are content-addressed, adds exactly what is
missing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from tracelight.ingest import ReadOptions, read_source
from tracelight.ledger import record_ingest
from tracelight.model import ImageBlob, Post, Reject
from tracelight.pipeline.progress import NullReporter, Reporter
from tracelight.store import repository as repo
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace

BATCH_POSTS = 1000


@dataclass(slots=True)
class IngestSummary:
    run_id: int
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    images: int = 0
    alerts: int = 0
    rejects_file: str | None = None
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Batch:
    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.blobs: list[ImageBlob] = []
        self.rejects: list[Reject] = []

    def __len__(self) -> int:
        return len(self.posts) + len(self.rejects)


def ingest_sources(
    workspace: Workspace,
    sources: Sequence[Path],
    options: ReadOptions | None = None,
    reporter: Reporter | None = None,
    engine: Engine | None = None,
    *,
    org: str = repo.DEFAULT_ORG,
) -> IngestSummary:
    """Read ``sources`` into the store for organisation ``org`` (who collected them)."""
    options = options or ReadOptions()
    reporter = reporter or NullReporter()
    workspace.ensure()
    db = engine or open_engine(workspace.db_url)
    try:
        return _run(db, workspace, sources, options, reporter, org=org)
    finally:
        if engine is None:
            db.dispose()


def _run(
    db: Engine,
    workspace: Workspace,
    sources: Sequence[Path],
    options: ReadOptions,
    reporter: Reporter,
    *,
    org: str,
) -> IngestSummary:
    params = {"sources": [str(s) for s in sources], "org": org, **asdict(options)}
    with db.begin() as conn:
        run_id = repo.start_run(conn, "ingest", params)
    summary = IngestSummary(run_id=run_id, sources=[str(s) for s in sources])
    workspace.rejects_dir.mkdir(parents=True, exist_ok=True)
    rejects_path = workspace.rejects_dir / f"ingest-{run_id:06d}.jsonl"
    blobs = workspace.blobs
    reporter.stage("ingest", None)
    status = "failed"
    try:
        with rejects_path.open("w", encoding="utf-8") as rejects_out:

            def flush(batch: _Batch) -> None:
                for blob in batch.blobs:
                    blobs.put(blob.data, blob.sha256)
                with db.begin() as conn:
                    summary.images += repo.insert_image_blobs(conn, batch.blobs)
                    new = repo.insert_posts(conn, batch.posts, run_id)
                    repo.insert_rejects(conn, batch.rejects, run_id)
                    # Every post of the batch, duplicates too: the same ad collected by
                    # two organisations is one post that both of them hold.
                    ids = [p.id for p in batch.posts]
                    org_id = repo.get_or_create_org(conn, org)
                    brought = repo.posts_not_held(conn, ids, org_id)
                    repo.tag_posts(conn, ids, org)
                    # Saved searches run over the posts this batch brings the
                    # organisation, in this transaction: the alerts commit with the
                    # posts, and a rerun (which brings nothing new) adds none twice.
                    raised = repo.raise_alerts(conn, brought, org_id)
                    # In the same transaction: a post is in the store exactly when its
                    # leaf is in the evidence log.
                    fresh = set(new)
                    record_ingest(
                        conn,
                        workspace.root,
                        [p for p in batch.posts if p.id in fresh],
                        batch.blobs,
                        run_id=run_id,
                        org=org,
                    )
                # Written after the commit: the file lists what this run set aside,
                # and the store's rejects table is the durable record.
                for item in batch.rejects:
                    rejects_out.write(json.dumps(asdict(item), ensure_ascii=False) + "\n")
                rejects_out.flush()
                summary.accepted += len(new)
                summary.alerts += raised
                summary.duplicate += len(batch.posts) - len(new)
                summary.rejected += len(batch.rejects)
                reporter.advance(len(batch))

            for source in sources:
                batch = _Batch()
                origins: set[str] = set()
                for item in read_source(source, options):
                    if isinstance(item, Post):
                        batch.posts.append(item)
                        origins.add(item.origin)
                    elif isinstance(item, ImageBlob):
                        batch.blobs.append(item)
                        origins.add(item.origin)
                    else:
                        batch.rejects.append(item)
                    if len(batch) >= BATCH_POSTS:
                        flush(batch)
                        batch = _Batch()
                flush(batch)
                with db.begin() as conn:
                    for origin in sorted(origins):
                        repo.attach_archived_images(conn, origin)
        summary.rejects_file = str(rejects_path) if summary.rejected else None
        if not summary.rejected:
            rejects_path.unlink(missing_ok=True)
        status = "ok"
        return summary
    finally:
        with db.begin() as conn:
            repo.finish_run(conn, run_id, status, summary.as_dict())
