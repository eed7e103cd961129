"""Web app: organisations, users, API tokens, sessions, post ownership, cases, audit log.

Revision ID: 0006_web
Revises: 0005_risk
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_web"
down_revision = "0005_risk"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """A foreign key named as the schema's naming convention names it."""
    referred = target.split(".", maxsplit=1)[0]
    return sa.ForeignKeyConstraint([column], [target], name=f"fk_{table}_{column}_{referred}")


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organisations"),
        sa.UniqueConstraint("name", name="uq_organisations_name"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("org_id", sa.Integer, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
        _fk("users", "org_id", "organisations.id"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_sha256", name="uq_api_tokens_token_sha256"),
        _fk("api_tokens", "user_id", "users.id"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id_sha256", sa.String(64)),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id_sha256", name="pk_web_sessions"),
        _fk("web_sessions", "user_id", "users.id"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "post_orgs",
        sa.Column("post_id", sa.String(32)),
        sa.Column("org_id", sa.Integer),
        sa.Column("added_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("post_id", "org_id", name="pk_post_orgs"),
        _fk("post_orgs", "post_id", "posts.id"),
        _fk("post_orgs", "org_id", "organisations.id"),
    )
    op.create_index("ix_post_orgs_org_id", "post_orgs", ["org_id"])
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("org_id", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        _fk("cases", "org_id", "organisations.id"),
        _fk("cases", "created_by", "users.id"),
    )
    op.create_index("ix_cases_org_id", "cases", ["org_id"])
    op.create_table(
        "case_items",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.Text, nullable=False),
        sa.Column("added_by", sa.Integer, nullable=False),
        sa.Column("added_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_items"),
        sa.UniqueConstraint("case_id", "kind", "ref", name="uq_case_items_case_kind_ref"),
        _fk("case_items", "case_id", "cases.id"),
        _fk("case_items", "added_by", "users.id"),
    )
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("author", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_notes"),
        _fk("case_notes", "case_id", "cases.id"),
        _fk("case_notes", "author", "users.id"),
    )
    op.create_index("ix_case_notes_case_id", "case_notes", ["case_id"])
    op.create_table(
        "network_reviews",
        sa.Column("org_id", sa.Integer),
        sa.Column("network_id", sa.String(16)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reviewed_by", sa.Integer, nullable=False),
        sa.Column("reviewed_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "network_id", name="pk_network_reviews"),
        _fk("network_reviews", "org_id", "organisations.id"),
        _fk("network_reviews", "reviewed_by", "users.id"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("username", sa.String(64)),
        sa.Column("org_id", sa.Integer),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", "at"])
    op.create_index("ix_audit_log_org_id", "audit_log", ["org_id"])
    _adopt_existing_posts()


def _adopt_existing_posts() -> None:
    """Give posts collected before organisations existed to the ``local`` organisation.

    ``local`` is the organisation the ledger already names in every leaf of a store
    without organisations, so an upgraded store keeps one consistent owner.
    """
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT 1 FROM posts LIMIT 1")).first():
        return
    bind.execute(
        sa.text("INSERT INTO organisations (name, created_at) VALUES ('local', CURRENT_TIMESTAMP)")
    )
    bind.execute(
        sa.text(
            "INSERT INTO post_orgs (post_id, org_id, added_at) "
            "SELECT p.id, o.id, CURRENT_TIMESTAMP FROM posts p, organisations o "
            "WHERE o.name = 'local'"
        )
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_org_id", table_name="audit_log")
    op.drop_index("ix_audit_log_action_at", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("network_reviews")
    op.drop_index("ix_case_notes_case_id", table_name="case_notes")
    op.drop_table("case_notes")
    op.drop_table("case_items")
    op.drop_index("ix_cases_org_id", table_name="cases")
    op.drop_table("cases")
    op.drop_index("ix_post_orgs_org_id", table_name="post_orgs")
    op.drop_table("post_orgs")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_table("organisations")
