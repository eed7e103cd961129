"""Initial schema: runs, posts with full-text search, images, mentions, selectors,
links, networks and rejects.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("command", sa.String(32), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("summary", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_table(
        "posts",
        sa.Column("seq", sa.Integer, autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("posted_at", TZ),
        sa.Column("collected_at", TZ),
        sa.Column("title", sa.Text),
        sa.Column("body", sa.Text),
        sa.Column("location", sa.Text),
        sa.Column("country", sa.String(2)),
        sa.Column("language", sa.String(35)),
        sa.Column("extra", sa.JSON, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("locator", sa.Text, nullable=False),
        sa.Column("raw_sha256", sa.String(64)),
        sa.Column("ingest_run_id", sa.Integer),
        sa.Column("extract_version", sa.Integer),
        sa.PrimaryKeyConstraint("seq", name="pk_posts"),
        sa.UniqueConstraint("id", name="uq_posts_id"),
        sa.ForeignKeyConstraint(["ingest_run_id"], ["runs.id"], name="fk_posts_ingest_run_id_runs"),
    )
    op.create_index("ix_posts_posted_at", "posts", ["posted_at"])
    op.create_index("ix_posts_extract_version", "posts", ["extract_version"])
    op.create_table(
        "image_blobs",
        sa.Column("sha256", sa.String(64)),
        sa.Column("uri", sa.Text, nullable=False),
        sa.Column("media_type", sa.String(64)),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("locator", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_image_blobs"),
    )
    op.create_table(
        "post_images",
        sa.Column("post_id", sa.String(32)),
        sa.Column("position", sa.Integer),
        sa.Column("uri", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("post_id", "position", name="pk_post_images"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_post_images_post_id_posts"),
    )
    op.create_index("ix_post_images_sha256", "post_images", ["sha256"])
    op.create_index("ix_post_images_uri", "post_images", ["uri"])
    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("post_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("span_start", sa.Integer, nullable=False),
        sa.Column("span_end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mentions"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_mentions_post_id_posts"),
        sa.UniqueConstraint(
            "post_id",
            "kind",
            "value",
            "field",
            "span_start",
            "span_end",
            name="uq_mentions_span",
        ),
    )
    op.create_index("ix_mentions_kind_value", "mentions", ["kind", "value"])
    op.create_table(
        "selectors",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("post_count", sa.Integer, nullable=False),
        sa.Column("is_hub", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_selectors"),
        sa.UniqueConstraint("kind", "value", name="uq_selectors_kind_value"),
    )
    op.create_table(
        "links",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("post_id", sa.String(32), nullable=False),
        sa.Column("selector_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("mention_count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_links"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_links_post_id_posts"),
        sa.ForeignKeyConstraint(
            ["selector_id"], ["selectors.id"], name="fk_links_selector_id_selectors"
        ),
        sa.UniqueConstraint("post_id", "selector_id", name="uq_links_post_selector"),
    )
    op.create_index("ix_links_selector_id", "links", ["selector_id"])
    op.create_table(
        "networks",
        sa.Column("id", sa.String(16)),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("selector_count", sa.Integer, nullable=False),
        sa.Column("first_seen", TZ),
        sa.Column("last_seen", TZ),
        sa.Column("risk", sa.Float),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("run_id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_networks"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_networks_run_id_runs"),
    )
    op.create_table(
        "network_posts",
        sa.Column("network_id", sa.String(16)),
        sa.Column("post_id", sa.String(32)),
        sa.PrimaryKeyConstraint("network_id", "post_id", name="pk_network_posts"),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name="fk_network_posts_network_id_networks"
        ),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_network_posts_post_id_posts"),
    )
    op.create_index("ix_network_posts_post_id", "network_posts", ["post_id"])
    op.create_table(
        "network_selectors",
        sa.Column("network_id", sa.String(16)),
        sa.Column("selector_id", sa.Integer),
        sa.PrimaryKeyConstraint("network_id", "selector_id", name="pk_network_selectors"),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name="fk_network_selectors_network_id_networks"
        ),
        sa.ForeignKeyConstraint(
            ["selector_id"], ["selectors.id"], name="fk_network_selectors_selector_id_selectors"
        ),
    )
    op.create_table(
        "rejects",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("run_id", sa.Integer),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("locator", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("excerpt", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rejects"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_rejects_run_id_runs"),
        sa.UniqueConstraint("origin", "locator", name="uq_rejects_origin_locator"),
    )
    _create_text_search()


def _create_text_search() -> None:
    """Full-text search over title and body, native to each database.

    SQLite: an FTS5 index over the posts table (external content, so the text is not
    stored twice), fed by a trigger; posts are immutable, so inserts are all it needs.
    PostgreSQL: a generated tsvector with the language-neutral ``simple`` configuration
    (ads mix languages; stemming one language would mangle the others) and a GIN index.
    """
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE posts_fts USING fts5("
            "title, body, content='posts', content_rowid='seq', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN "
            "INSERT INTO posts_fts(rowid, title, body) VALUES (new.seq, new.title, new.body); "
            "END"
        )
        op.execute(
            "CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN "
            "INSERT INTO posts_fts(posts_fts, rowid, title, body) "
            "VALUES ('delete', old.seq, old.title, old.body); END"
        )
    elif dialect == "postgresql":
        op.execute(
            "ALTER TABLE posts ADD COLUMN search tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('simple', coalesce(body, '')), 'B')) STORED"
        )
        op.execute("CREATE INDEX ix_posts_search ON posts USING gin (search)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS posts_fts_delete")
        op.execute("DROP TRIGGER IF EXISTS posts_fts_insert")
        op.execute("DROP TABLE IF EXISTS posts_fts")
    for table in (
        "rejects",
        "network_selectors",
        "network_posts",
        "networks",
        "links",
        "selectors",
        "mentions",
        "post_images",
        "image_blobs",
        "posts",
        "runs",
    ):
        op.drop_table(table)
