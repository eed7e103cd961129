"""Linking: network evidence, profiles (features and templates), hubs and network events.

Revision ID: 0002_linking
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_linking"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_evidence",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("network_id", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("post_a", sa.String(32), nullable=False),
        sa.Column("post_b", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_network_evidence"),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name="fk_network_evidence_network_id_networks"
        ),
    )
    op.create_index("ix_network_evidence_network_id", "network_evidence", ["network_id"])
    op.create_table(
        "network_profiles",
        sa.Column("network_id", sa.String(16)),
        sa.Column("features", sa.JSON, nullable=False),
        sa.Column("template", sa.JSON),
        sa.PrimaryKeyConstraint("network_id", name="pk_network_profiles"),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name="fk_network_profiles_network_id_networks"
        ),
    )
    op.create_table(
        "selector_hubs",
        sa.Column("selector_id", sa.Integer),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("posts", sa.Integer, nullable=False),
        sa.Column("cohesion", sa.Float),
        sa.PrimaryKeyConstraint("selector_id", name="pk_selector_hubs"),
        sa.ForeignKeyConstraint(
            ["selector_id"], ["selectors.id"], name="fk_selector_hubs_selector_id_selectors"
        ),
    )
    op.create_table(
        "network_events",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("run_id", sa.Integer),
        sa.Column("network_id", sa.String(16), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("related", sa.JSON, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_network_events"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_network_events_run_id_runs"),
    )
    op.create_index("ix_network_events_network_id", "network_events", ["network_id"])


def downgrade() -> None:
    op.drop_index("ix_network_events_network_id", table_name="network_events")
    op.drop_table("network_events")
    op.drop_table("selector_hubs")
    op.drop_table("network_profiles")
    op.drop_index("ix_network_evidence_network_id", table_name="network_evidence")
    op.drop_table("network_evidence")
