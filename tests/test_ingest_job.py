"""The ingest job end to end: archived images tied to their posts, blobs on disk."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from helpers import ad, write_jsonl
from test_ingest_warc import _crawl
from tracelight.model import sha256_hex
from tracelight.pipeline import reports
from tracelight.pipeline.ingest import ingest_sources
from tracelight.store import schema
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace


def test_warc_images_are_stored_and_tied_to_their_pages(
    workspace: Workspace, tmp_path: Path
) -> None:
    archive = _crawl(tmp_path / "crawl.warc.gz", gz=True)
    summary = ingest_sources(workspace, [archive])
    assert summary.accepted == 2 and summary.rejected == 0
    assert summary.images == 3
    engine = open_engine(workspace.db_url)
    with engine.connect() as conn:
        rows = list(conn.execute(select(schema.post_images).order_by(schema.post_images.c.uri)))
        blobs = {row.sha256: row.uri for row in conn.execute(select(schema.image_blobs))}
    engine.dispose()
    archived = {row.uri: row.sha256 for row in rows if row.status == "archived"}
    # Both the image archived before the page and the one archived after it are tied.
    assert archived["http://ex.test/img/before.jpg"] is not None
    assert archived["http://ex.test/img/after.jpg"] is not None
    for digest in filter(None, archived.values()):
        assert blobs[digest].startswith("http://ex.test/img/")
        assert sha256_hex(workspace.blobs.get(digest)) == digest
    assert reports.stats(workspace)["images"] == 3
    again = ingest_sources(workspace, [archive])
    assert (again.accepted, again.duplicate) == (0, 2)


def test_ingest_tags_posts_with_the_collecting_organisation(tmp_path: Path) -> None:
    workspace = Workspace.resolve(tmp_path / "ws")
    first = write_jsonl(tmp_path / "a.jsonl", [ad(1), ad(2)])
    second = write_jsonl(tmp_path / "b.jsonl", [ad(2), ad(3)])
    ingest_sources(workspace, [first], org="north")
    ingest_sources(workspace, [second], org="south")
    engine = open_engine(workspace.db_url)
    with engine.connect() as conn:
        owners: dict[str, set[str]] = {}
        rows = conn.execute(
            select(schema.posts.c.external_id, schema.organisations.c.name)
            .join(schema.post_orgs, schema.post_orgs.c.post_id == schema.posts.c.id)
            .join(schema.organisations, schema.organisations.c.id == schema.post_orgs.c.org_id)
        )
        for external_id, org in rows:
            owners.setdefault(external_id, set()).add(org)
        leaves = conn.execute(select(schema.ledger_leaves)).mappings().all()
    engine.dispose()
    # The same ad collected by both organisations is one post that both hold.
    assert owners == {"ad-1": {"north"}, "ad-2": {"north", "south"}, "ad-3": {"south"}}
    # One post leaf per stored post, none for the duplicate, each naming its collector.
    orgs = sorted(json.loads(leaf["leaf"])["org"] for leaf in leaves)
    assert orgs == ["north", "north", "south"]
