"""Risk: network risk scores with their reasons, and the analysts' triage marks.

Revision ID: 0005_risk
Revises: 0004_vision
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_risk"
down_revision = "0004_vision"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "network_risk",
        sa.Column("network_id", sa.String(16)),
        sa.Column("risk", sa.Float, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("model", sa.String(16), nullable=False),
        sa.Column("scored_at", TZ, nullable=False),
        sa.Column("run_id", sa.Integer),
        sa.PrimaryKeyConstraint("network_id", name="pk_network_risk"),
    )
    op.create_index("ix_network_risk_risk", "network_risk", ["risk"])
    op.create_table(
        "triage_marks",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("network_id", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("analyst", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("marked_at", TZ, nullable=False),
        sa.Column("risk", sa.Float),
        sa.Column("size", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_triage_marks"),
    )
    op.create_index("ix_triage_marks_network_id", "triage_marks", ["network_id"])


def downgrade() -> None:
    op.drop_index("ix_triage_marks_network_id", table_name="triage_marks")
    op.drop_table("triage_marks")
    op.drop_index("ix_network_risk_risk", table_name="network_risk")
    op.drop_table("network_risk")
