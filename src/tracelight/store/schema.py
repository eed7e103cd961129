"""The relational schema: one table per record of the model, plus runs and rejects.

SQLAlchemy Core tables rather than ORM classes: every write path here is a bulk
insert of batches, and Core keeps those fast and explicit on both SQLite and
PostgreSQL. The Alembic migrations create exactly this schema; a test compares them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("command", String(32), nullable=False),
    Column("params", JSON, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),
    Column("summary", JSON),
)

posts = Table(
    "posts",
    metadata,
    # An integer key gives full-text indexes a stable row id; the content-addressed
    # ``id`` is what everything else refers to.
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(32), nullable=False, unique=True),
    Column("source", Text, nullable=False),
    Column("external_id", Text),
    Column("url", Text),
    Column("posted_at", DateTime(timezone=True)),
    Column("collected_at", DateTime(timezone=True)),
    Column("title", Text),
    Column("body", Text),
    Column("location", Text),
    Column("country", String(2)),
    Column("language", String(35)),
    Column("extra", JSON, nullable=False),
    Column("origin", Text, nullable=False),
    Column("locator", Text, nullable=False),
    Column("raw_sha256", String(64)),
    Column("ingest_run_id", Integer, ForeignKey("runs.id")),
    Column("extract_version", Integer),
    Index("ix_posts_posted_at", "posted_at"),
    Index("ix_posts_extract_version", "extract_version"),
)

image_blobs = Table(
    "image_blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("uri", Text, nullable=False),
    Column("media_type", String(64)),
    Column("size", Integer, nullable=False),
    Column("origin", Text, nullable=False),
    Column("locator", Text, nullable=False),
)

post_images = Table(
    "post_images",
    metadata,
    Column("post_id", String(32), ForeignKey("posts.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("uri", Text, nullable=False),
    Column("sha256", String(64)),
    Column("status", String(16), nullable=False),
    Index("ix_post_images_sha256", "sha256"),
    Index("ix_post_images_uri", "uri"),
)

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post_id", String(32), ForeignKey("posts.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("field", String(16), nullable=False),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("method", String(64), nullable=False),
    Column("confidence", Float, nullable=False),
    UniqueConstraint(
        "post_id", "kind", "value", "field", "span_start", "span_end", name="uq_mentions_span"
    ),
    Index("ix_mentions_kind_value", "kind", "value"),
)

selectors = Table(
    "selectors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("post_count", Integer, nullable=False, default=0),
    Column("is_hub", Boolean, nullable=False, default=False),
    UniqueConstraint("kind", "value", name="uq_selectors_kind_value"),
)

links = Table(
    "links",
    metadata,
    # A post tied to a selector; two posts are linked through a shared selector.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post_id", String(32), ForeignKey("posts.id"), nullable=False),
    Column("selector_id", Integer, ForeignKey("selectors.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("mention_count", Integer, nullable=False),
    UniqueConstraint("post_id", "selector_id", name="uq_links_post_selector"),
    Index("ix_links_selector_id", "selector_id"),
)

networks = Table(
    "networks",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("selector_count", Integer, nullable=False),
    Column("first_seen", DateTime(timezone=True)),
    Column("last_seen", DateTime(timezone=True)),
    Column("risk", Float),
    Column("reasons", JSON, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id")),
)

network_posts = Table(
    "network_posts",
    metadata,
    Column("network_id", String(16), ForeignKey("networks.id"), primary_key=True),
    Column("post_id", String(32), ForeignKey("posts.id"), primary_key=True),
    Index("ix_network_posts_post_id", "post_id"),
)

network_selectors = Table(
    "network_selectors",
    metadata,
    Column("network_id", String(16), ForeignKey("networks.id"), primary_key=True),
    Column("selector_id", Integer, ForeignKey("selectors.id"), primary_key=True),
)

rejects = Table(
    "rejects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("origin", Text, nullable=False),
    Column("locator", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("excerpt", Text, nullable=False),
    UniqueConstraint("origin", "locator", name="uq_rejects_origin_locator"),
)
