"""Sharing between organisations, saved searches with alerts, one triage history.

Revision ID: 0007_sharing
Revises: 0006_web
Create Date: 2026-12-04

``triage_marks`` (the CLI's append-only history) becomes the one record of triage
decisions: it gains the organisation and the user, every row of the web's former
``network_reviews`` is copied into it, and ``network_reviews`` goes. Marks made before
organisations existed belong to ``local``, like the posts of that time. The merged rows
are written back in time order, so "the latest mark" stays the latest decision.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007_sharing"
down_revision = "0006_web"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """A foreign key named as the schema's naming convention names it."""
    referred = target.split(".", maxsplit=1)[0]
    return sa.ForeignKeyConstraint([column], [target], name=f"fk_{table}_{column}_{referred}")


_MARK_COLUMNS = ("network_id", "state", "analyst", "note", "marked_at", "risk", "size")
_marks = sa.table(
    "triage_marks",
    sa.column("id", sa.Integer),
    sa.column("network_id", sa.String),
    sa.column("state", sa.String),
    sa.column("analyst", sa.Text),
    sa.column("note", sa.Text),
    sa.column("marked_at", TZ),
    sa.column("risk", sa.Float),
    sa.column("size", sa.Integer),
    sa.column("org_id", sa.Integer),
    sa.column("user_id", sa.Integer),
)
_reviews = sa.table(
    "network_reviews",
    sa.column("org_id", sa.Integer),
    sa.column("network_id", sa.String),
    sa.column("status", sa.String),
    sa.column("reviewed_by", sa.Integer),
    sa.column("reviewed_at", TZ),
)
_users = sa.table("users", sa.column("id", sa.Integer), sa.column("username", sa.String))
_networks = sa.table(
    "networks",
    sa.column("id", sa.String),
    sa.column("size", sa.Integer),
    sa.column("risk", sa.Float),
)
_orgs = sa.table(
    "organisations",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("created_at", TZ),
)


def _when(value: datetime | None) -> datetime:
    """Sort key: SQLite hands back naive datetimes, PostgreSQL aware ones; all are UTC."""
    if value is None:
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _local_org(bind: sa.Connection) -> int:
    found = bind.scalar(sa.select(_orgs.c.id).where(_orgs.c.name == "local"))
    if found is None:
        bind.execute(sa.insert(_orgs).values(name="local", created_at=datetime.now(UTC)))
        found = bind.execute(sa.select(_orgs.c.id).where(_orgs.c.name == "local")).scalar_one()
    return int(found)


def upgrade() -> None:
    bind = op.get_bind()
    old_columns = [_marks.c[name] for name in _MARK_COLUMNS]
    cli_marks = [dict(r._mapping) for r in bind.execute(sa.select(*old_columns))]
    web_marks = [
        {
            "network_id": r.network_id,
            "state": r.status,
            "analyst": r.username,
            "note": "",
            "marked_at": r.reviewed_at,
            "risk": r.risk,
            "size": r.size,
            "org_id": r.org_id,
            "user_id": r.reviewed_by,
        }
        for r in bind.execute(
            sa.select(_reviews, _users.c.username, _networks.c.risk, _networks.c.size)
            .join(_users, _users.c.id == _reviews.c.reviewed_by)
            .outerjoin(_networks, _networks.c.id == _reviews.c.network_id)
        )
    ]
    if cli_marks:
        local = _local_org(bind)
        for mark in cli_marks:
            mark.update(org_id=local, user_id=None)
    bind.execute(sa.delete(_marks))
    with op.batch_alter_table("triage_marks") as batch:
        batch.add_column(sa.Column("org_id", sa.Integer, nullable=False))
        batch.add_column(sa.Column("user_id", sa.Integer))
        batch.create_foreign_key(
            "fk_triage_marks_org_id_organisations", "organisations", ["org_id"], ["id"]
        )
        batch.create_foreign_key("fk_triage_marks_user_id_users", "users", ["user_id"], ["id"])
    op.create_index("ix_triage_marks_org_id_network_id", "triage_marks", ["org_id", "network_id"])
    merged: list[dict[str, Any]] = sorted(
        cli_marks + web_marks, key=lambda m: _when(m["marked_at"])
    )
    if merged:
        bind.execute(sa.insert(_marks), merged)
    op.drop_table("network_reviews")

    op.create_table(
        "shares",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("owner_org_id", sa.Integer, nullable=False),
        sa.Column("target_org_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("case_id", sa.Integer),
        sa.Column("created_by", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_by", sa.Integer),
        sa.Column("revoked_at", TZ),
        sa.PrimaryKeyConstraint("id", name="pk_shares"),
        _fk("shares", "owner_org_id", "organisations.id"),
        _fk("shares", "target_org_id", "organisations.id"),
        _fk("shares", "case_id", "cases.id"),
        _fk("shares", "created_by", "users.id"),
        _fk("shares", "revoked_by", "users.id"),
    )
    op.create_index("ix_shares_target_org_id", "shares", ["target_org_id", "kind"])
    op.create_index("ix_shares_owner_org_id", "shares", ["owner_org_id"])
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("org_id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("filters", sa.JSON, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_saved_searches"),
        _fk("saved_searches", "org_id", "organisations.id"),
        _fk("saved_searches", "user_id", "users.id"),
    )
    op.create_index("ix_saved_searches_org_id", "saved_searches", ["org_id"])
    op.create_index("ix_saved_searches_user_id", "saved_searches", ["user_id"])
    op.create_table(
        "search_alerts",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("saved_search_id", sa.Integer, nullable=False),
        sa.Column("post_id", sa.String(32), nullable=False),
        sa.Column("raised_at", TZ, nullable=False),
        sa.Column("read_at", TZ),
        sa.PrimaryKeyConstraint("id", name="pk_search_alerts"),
        sa.UniqueConstraint("saved_search_id", "post_id", name="uq_search_alerts_search_post"),
        _fk("search_alerts", "saved_search_id", "saved_searches.id"),
        _fk("search_alerts", "post_id", "posts.id"),
    )


def downgrade() -> None:
    op.drop_table("search_alerts")
    op.drop_index("ix_saved_searches_user_id", table_name="saved_searches")
    op.drop_index("ix_saved_searches_org_id", table_name="saved_searches")
    op.drop_table("saved_searches")
    op.drop_index("ix_shares_owner_org_id", table_name="shares")
    op.drop_index("ix_shares_target_org_id", table_name="shares")
    op.drop_table("shares")
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
    bind = op.get_bind()
    # The latest mark by a user of each organisation on each network was the web's review;
    # 0006 kept no history of those, so the older ones are lost, and they leave
    # triage_marks (which held only the CLI's) rather than be taken for ``local``'s.
    latest: dict[tuple[int, str], dict[str, Any]] = {}
    query = sa.select(_marks).where(_marks.c.user_id.is_not(None)).order_by(_marks.c.id)
    for row in bind.execute(query):
        latest[(row.org_id, row.network_id)] = {
            "org_id": row.org_id,
            "network_id": row.network_id,
            "status": row.state,
            "reviewed_by": row.user_id,
            "reviewed_at": row.marked_at,
        }
    if latest:
        bind.execute(sa.insert(_reviews), list(latest.values()))
    bind.execute(sa.delete(_marks).where(_marks.c.user_id.is_not(None)))
    op.drop_index("ix_triage_marks_org_id_network_id", table_name="triage_marks")
    with op.batch_alter_table("triage_marks") as batch:
        batch.drop_constraint("fk_triage_marks_user_id_users", type_="foreignkey")
        batch.drop_constraint("fk_triage_marks_org_id_organisations", type_="foreignkey")
        batch.drop_column("user_id")
        batch.drop_column("org_id")
