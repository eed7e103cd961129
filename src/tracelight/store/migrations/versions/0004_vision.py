"""Vision: image decode results and PDQ hashes, EXIF evidence, faces, face-search audit.

Revision ID: 0004_vision
Revises: 0003_ledger
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_vision"
down_revision = "0003_ledger"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "image_features",
        sa.Column("sha256", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("format", sa.String(16)),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("pdq", sa.String(64)),
        sa.Column("quality", sa.Integer),
        sa.Column("pdq_dihedral", sa.JSON),
        sa.Column("cluster", sa.String(64)),
        sa.Column("face_count", sa.Integer),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_image_features"),
    )
    op.create_index("ix_image_features_cluster", "image_features", ["cluster"])
    op.create_table(
        "image_exif",
        sa.Column("sha256", sa.String(64)),
        sa.Column("camera", sa.Text),
        sa.Column("captured_at", sa.String(32)),
        sa.Column("gps_lat", sa.Float),
        sa.Column("gps_lon", sa.Float),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_image_exif"),
    )
    op.create_table(
        "faces",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("box", sa.JSON, nullable=False),
        sa.Column("embedding", sa.LargeBinary, nullable=False),
        sa.Column("cluster", sa.String(80)),
        sa.PrimaryKeyConstraint("id", name="pk_faces"),
        sa.UniqueConstraint("sha256", "position", name="uq_faces_sha256_position"),
    )
    op.create_index("ix_faces_cluster", "faces", ["cluster"])
    op.create_table(
        "face_searches",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("searched_at", TZ, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("query_sha256", sa.String(64), nullable=False),
        sa.Column("threshold", sa.Float, nullable=False),
        sa.Column("matches", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_face_searches"),
    )


def downgrade() -> None:
    op.drop_table("face_searches")
    op.drop_index("ix_faces_cluster", table_name="faces")
    op.drop_table("faces")
    op.drop_table("image_exif")
    op.drop_index("ix_image_features_cluster", table_name="image_features")
    op.drop_table("image_features")
