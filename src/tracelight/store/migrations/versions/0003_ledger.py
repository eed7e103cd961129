"""Evidence ledger: Merkle log leaves and nodes, checkpoints, encrypted items and keys.

Revision ID: 0003_ledger
Revises: 0002_linking
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_ledger"
down_revision = "0002_linking"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer, autoincrement=False),
        sa.Column("size", BIG, nullable=False),
        sa.Column("root", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_head"),
    )
    op.create_table(
        "ledger_leaves",
        sa.Column("idx", BIG, autoincrement=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("ref", sa.Text, nullable=False),
        sa.Column("leaf", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("idx", name="pk_ledger_leaves"),
    )
    op.create_index("ix_ledger_leaves_item", "ledger_leaves", ["item"])
    op.create_index("ix_ledger_leaves_ref", "ledger_leaves", ["ref"])
    op.create_table(
        "ledger_nodes",
        sa.Column("id", BIG, autoincrement=False),
        sa.Column("hash", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_nodes"),
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("size", BIG, autoincrement=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("size", name="pk_ledger_checkpoints"),
    )
    op.create_table(
        "ledger_items",
        sa.Column("sha256", sa.String(64)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ref", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("erased_at", TZ),
        sa.PrimaryKeyConstraint("sha256", name="pk_ledger_items"),
    )
    op.create_table(
        "ledger_item_keys",
        sa.Column("sha256", sa.String(64)),
        sa.Column("key", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_ledger_item_keys"),
    )


def downgrade() -> None:
    for table in (
        "ledger_item_keys",
        "ledger_items",
        "ledger_checkpoints",
        "ledger_nodes",
        "ledger_leaves",
        "ledger_head",
    ):
        op.drop_table(table)
