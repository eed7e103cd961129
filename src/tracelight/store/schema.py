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
    # The triage queue's walking order (repository._triage_candidates).
    Index("ix_networks_risk_size_id", "risk", "size", "id"),
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

# --- vision ---
# What the image pipeline (tracelight.vision) derived from each stored image blob: the
# decode verdict (a rejected image keeps its post; the reason is kept), the PDQ hash and
# its quality, the near-duplicate cluster that becomes the ``image`` selector, EXIF
# evidence (sensitive: shown only to the right role), face boxes with their 128-d
# encodings and face clusters, and an audit row for every face search.

image_features = Table(
    "image_features",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("format", String(16)),
    Column("width", Integer),
    Column("height", Integer),
    Column("pdq", String(64)),
    Column("quality", Integer),
    Column("pdq_dihedral", JSON),
    Column("cluster", String(64)),
    Column("face_count", Integer),
    Column("version", Integer, nullable=False),
    Index("ix_image_features_cluster", "cluster"),
)

image_exif = Table(
    "image_exif",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("camera", Text),
    Column("captured_at", String(32)),
    Column("gps_lat", Float),
    Column("gps_lon", Float),
    Column("tags", JSON, nullable=False),
)

faces = Table(
    "faces",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("box", JSON, nullable=False),
    Column("embedding", LargeBinary, nullable=False),
    Column("cluster", String(80)),
    UniqueConstraint("sha256", "position", name="uq_faces_sha256_position"),
    Index("ix_faces_cluster", "cluster"),
)

face_searches = Table(
    "face_searches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("searched_at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("query_sha256", String(64), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("matches", JSON, nullable=False),
)
# --- end vision ---

# --- risk ---
# Network risk scores with their reasons (tracelight.risk), and the analysts' triage
# marks. No foreign key to ``networks``: networks are rebuilt by every analyze run while
# their ids stay stable, and a mark must outlive the rebuild (and the network itself).

network_risk = Table(
    "network_risk",
    metadata,
    Column("network_id", String(16), primary_key=True),
    Column("risk", Float, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("model", String(16), nullable=False),
    Column("scored_at", DateTime(timezone=True), nullable=False),
    Column("run_id", Integer),
    Index("ix_network_risk_risk", "risk"),
)

triage_marks = Table(
    "triage_marks",
    metadata,
    # Append-only: the latest mark of a network is its state; earlier ones are its history.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("network_id", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("analyst", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("marked_at", DateTime(timezone=True), nullable=False),
    Column("risk", Float),
    Column("size", Integer),
    # The one history of triage decisions, written by the CLI and the web app alike
    # (0007 merged the web's former network_reviews into it): whose decision it is
    # (``org_id``), and the user when the analyst has an account (the CLI may name
    # someone who has none; ``analyst`` always holds the name).
    Column("org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Index("ix_triage_marks_network_id", "network_id"),
    Index("ix_triage_marks_org_id_network_id", "org_id", "network_id"),
)
# --- end risk ---

# --- web ---
# The investigator web app (tracelight.web): organisations, their users and API tokens,
# server-side login sessions, which organisation each post belongs to (ownership is kept
# beside the posts, never written into them: posts are immutable evidence), cases with
# their items and notes, the audit log of every read and action, what is shared between
# organisations, and saved searches with their alerts.

organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    # Only the SHA-256 of a token is kept: a copy of the store does not grant access.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("label", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_web_sessions_user_id", "user_id"),
)

post_orgs = Table(
    "post_orgs",
    metadata,
    # One row per organisation that collected (or was explicitly given) the post.
    Column("post_id", String(32), ForeignKey("posts.id"), primary_key=True),
    Column("org_id", Integer, ForeignKey("organisations.id"), primary_key=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Index("ix_post_orgs_org_id", "org_id"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("title", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_cases_org_id", "org_id"),
)

case_items = Table(
    "case_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("ref", Text, nullable=False),
    Column("added_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_id", "kind", "ref", name="uq_case_items_case_kind_ref"),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("author", Integer, ForeignKey("users.id"), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_case_notes_case_id", "case_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_id", Integer),
    Column("username", String(64)),
    Column("org_id", Integer),
    Column("action", String(32), nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("client", String(64), nullable=False),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_action_at", "action", "at"),
    Index("ix_audit_log_org_id", "org_id"),
)

# Sharing between organisations: the owner grants another organisation read access to
# one case (and thereby its posts and networks), network or post. Reads check these rows
# in SQL (repository._owned); a revoked share keeps its row, so who granted what to
# whom, and when it ended, stays on record beside the audit log.
shares = Table(
    "shares",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner_org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("target_org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    # The post id, network id, or the case id as text; ``case_id`` repeats a case's id
    # as an integer so the visibility check joins case items without a cast.
    Column("ref", String(64), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id")),
    Column("created_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_by", Integer, ForeignKey("users.id")),
    Column("revoked_at", DateTime(timezone=True)),
    Index("ix_shares_target_org_id", "target_org_id", "kind"),
    Index("ix_shares_owner_org_id", "owner_org_id"),
)

# Saved searches and the alerts they raise when ingest brings the organisation a new
# post that matches. One alert per (saved search, post): the unique key is what makes
# matching idempotent when an ingest is rerun.
saved_searches = Table(
    "saved_searches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("query", Text, nullable=False),
    Column("filters", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_saved_searches_org_id", "org_id"),
    Index("ix_saved_searches_user_id", "user_id"),
)

search_alerts = Table(
    "search_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("saved_search_id", Integer, ForeignKey("saved_searches.id"), nullable=False),
    Column("post_id", String(32), ForeignKey("posts.id"), nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True)),
    UniqueConstraint("saved_search_id", "post_id", name="uq_search_alerts_search_post"),
)
# --- end web ---
