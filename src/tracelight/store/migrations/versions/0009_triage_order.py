"""An index in the triage queue's walking order: ``networks (risk, size, id)``.

Revision ID: 0009_triage_order
Revises: 0008_search_filters
Create Date: 2026-11-29

The triage queue walks networks riskiest and largest first until it has found a page of
the organisation's networks. That order was over ``coalesce(network_risk.risk,
networks.risk)``, which no index serves, so every view sorted all networks: 0.2-1.4 s
on the 1M-post bench store (143,500 networks). ``networks.risk`` always equals the
stored score (scores are written in the linking transaction and copied onto
``networks``), so the walk reads it alone, and on SQLite this index, scanned backwards,
gives the order without a sort.
"""

from __future__ import annotations

from alembic import op

revision = "0009_triage_order"
down_revision = "0008_search_filters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_networks_risk_size_id", "networks", ["risk", "size", "id"])


def downgrade() -> None:
    op.drop_index("ix_networks_risk_size_id", table_name="networks")
