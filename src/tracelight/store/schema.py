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

# --- linking ---
# Why each network exists (the links that join it), what it looks like (features,
# templates), which selectors were set aside as hubs, and how networks changed from
# one analyze run to the next (ids stay stable; merges and splits are recorded).

network_evidence = Table(
    "network_evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("network_id", String(16), ForeignKey("networks.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("weight", Float, nullable=False),
    Column("post_a", String(32), nullable=False),
    Column("post_b", String(32), nullable=False),
    Index("ix_network_evidence_network_id", "network_id"),
)

network_profiles = Table(
    "network_profiles",
    metadata,
    Column("network_id", String(16), ForeignKey("networks.id"), primary_key=True),
    Column("features", JSON, nullable=False),
    Column("template", JSON),
)

selector_hubs = Table(
    "selector_hubs",
    metadata,
    Column("selector_id", Integer, ForeignKey("selectors.id"), primary_key=True),
    Column("reason", String(16), nullable=False),
    Column("posts", Integer, nullable=False),
    Column("cohesion", Float),
)

network_events = Table(
    "network_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("network_id", String(16), nullable=False),
    Column("event", String(16), nullable=False),
    Column("related", JSON, nullable=False),
    Column("size", Integer, nullable=False),
    Index("ix_network_events_network_id", "network_id"),
)
# --- end linking ---

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

# --- ledger ---
# The evidence ledger (tracelight.ledger): an RFC 9162 Merkle log over every collected
# artifact and derived result, its signed checkpoints, and the encrypted evidence
# items with their keys kept in a table of their own (destroying a key erases an item).
from sqlalchemy import BigInteger, LargeBinary  # noqa: E402

# 64-bit on PostgreSQL; plain INTEGER on SQLite so the key is the rowid (the fastest path).
LedgerInt = BigInteger().with_variant(Integer(), "sqlite")

ledger_head = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", LedgerInt, nullable=False),
    Column("root", LargeBinary, nullable=False),
)

ledger_leaves = Table(
    "ledger_leaves",
    metadata,
    Column("idx", LedgerInt, primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False),
    Column("item", String(64), nullable=False),
    Column("ref", Text, nullable=False),
    Column("leaf", LargeBinary, nullable=False),
    Index("ix_ledger_leaves_item", "item"),
    Index("ix_ledger_leaves_ref", "ref"),
)

ledger_nodes = Table(
    "ledger_nodes",
    metadata,
    # key = (index << 6) | level of a perfect subtree; written once, never updated.
    Column("id", LedgerInt, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
)

ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("size", LedgerInt, primary_key=True, autoincrement=False),
    Column("note", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

ledger_items = Table(
    "ledger_items",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("ref", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True)),
)

ledger_item_keys = Table(
    "ledger_item_keys",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("key", LargeBinary, nullable=False),
)
