"""The vision stage end to end: images in posts become near-duplicate ``image`` links."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, select

from helpers import ad, write_jsonl
from tracelight.pipeline.analyze import analyze
from tracelight.pipeline.engine import SerialEngine
from tracelight.pipeline.ingest import ingest_sources
from tracelight.pipeline.vision import analyze_images
from tracelight.store import repository as repo
from tracelight.store import schema as t
from tracelight.store.workspace import Workspace
from vision_images import encode, photo, png_bomb


def test_reused_photo_links_posts_and_bad_images_keep_their_posts(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    original = photo(21, (640, 480))
    (folder / "a.png").write_bytes(encode(original, "PNG"))
    # The same photo, shrunk and re-encoded: different bytes, same picture.
    (folder / "a_small.jpg").write_bytes(encode(original.resize((320, 240)), "JPEG", quality=50))
    (folder / "b.png").write_bytes(encode(photo(22, (640, 480)), "PNG"))
    (folder / "bomb.png").write_bytes(png_bomb())
    (folder / "liar.jpg").write_bytes(encode(photo(23), "PNG"))
    records = [
        ad(1, body="Sweet new girl in town", images=["a.png"]),
        ad(2, body="Different name, same pics", images=["a_small.jpg"]),
        ad(3, body="Another one", images=["b.png"]),
        ad(4, body="Bomb carrier", images=["bomb.png", "liar.jpg"]),
    ]
    ingest_sources(workspace, [write_jsonl(folder / "ads.jsonl", records)])

    store = create_engine(workspace.db_url)
    try:
        summary = analyze_images(store, workspace, SerialEngine(), faces=False)
        assert summary.images == 5
        assert summary.rejected == 2
        assert summary.rejected_by_code == {"bomb": 1, "type_mismatch": 1}
        again = analyze_images(store, workspace, SerialEngine(), faces=False)
        assert again.images == 0  # incremental: nothing new
        with store.connect() as conn:
            features = {row.sha256: row for row in conn.execute(select(t.image_features))}
            reasons = sorted(r.reason for r in features.values() if r.status != "ok")
            clusters = {r.cluster for r in features.values() if r.status == "ok"}
            posts = conn.execute(select(t.posts.c.external_id)).scalars().all()
        assert reasons[0].startswith("bomb: decompression bomb refused")
        assert reasons[1].startswith("type_mismatch: declared JPEG but the content is PNG")
        assert len(clusters) == 2  # a.png and a_small.jpg share one; b.png its own
        assert sorted(posts) == ["ad-1", "ad-2", "ad-3", "ad-4"]  # the bomb's post is kept
    finally:
        store.dispose()

    result = analyze(workspace, SerialEngine())
    assert result.networks >= 1
    store = create_engine(workspace.db_url)
    try:
        with store.connect() as conn:
            by_post: dict[str, set[str]] = {}
            for post_id, kind, value in repo.iter_post_selectors(conn):
                if kind == "image":
                    by_post.setdefault(post_id, set()).add(value)
            rows = conn.execute(select(t.posts.c.external_id, t.posts.c.id))
            ids = {row.external_id: row.id for row in rows}
    finally:
        store.dispose()
    assert by_post[ids["ad-1"]] == by_post[ids["ad-2"]]
    assert by_post[ids["ad-1"]].isdisjoint(by_post[ids["ad-3"]])
    assert len(by_post[ids["ad-4"]]) == 2  # rejected images still link by their SHA-256
