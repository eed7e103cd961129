"""Search filters inside the full-text match (SQLite): ``posts_filter_fts``.

Revision ID: 0008_search_filters
Revises: 0007_sharing
Create Date: 2026-11-29

A search with a country, site or date filter walked the full-text index newest first
and checked each match against the post row; when few matches pass (a common word in a
country that seldom uses it), it walked the whole match set: 0.5-1.7 s on a million
posts. This second FTS5 index holds the same title and body, tokenised the same way,
plus the post's country, source and posting month (``m`` and ``YYYYMM``) as columns of
their own, so such a search intersects the filters with the words inside the index and
skips straight to the rows that can pass. It is contentless (``content=''``, nothing is
stored twice) and keeps no column sizes: it is only ever asked *which* rows match.
Relevance is still ranked with ``bm25`` over ``posts_fts`` alone, whose document lengths
these extra columns would have changed. Posts are immutable, so insert and delete
triggers keep it exact. PostgreSQL needs nothing: its search index is a GIN index over a
generated column, and the planner combines it with the others.
"""

from __future__ import annotations

from alembic import op

revision = "0008_search_filters"
down_revision = "0007_sharing"
branch_labels = None
depends_on = None

MONTH = (
    "CASE WHEN {row}.posted_at IS NULL THEN NULL "
    "ELSE 'm' || substr({row}.posted_at, 1, 4) || substr({row}.posted_at, 6, 2) END"
)
"""The posting month as one token, from the stored text (``YYYY-MM-DD hh:mm:ss``), the
same text the date filter compares; ``tracelight.store.search.month_tokens`` lists them."""


def _month(row: str) -> str:
    return MONTH.format(row=row)


FILL = (
    "INSERT INTO posts_filter_fts(rowid, title, body, country, source, month) "  # noqa: S608 - fixed SQL
    f"SELECT seq, title, body, country, source, {_month('posts')} FROM posts ORDER BY seq"
)
ON_INSERT = (
    "CREATE TRIGGER posts_filter_fts_insert AFTER INSERT ON posts BEGIN "  # noqa: S608 - fixed SQL
    "INSERT INTO posts_filter_fts(rowid, title, body, country, source, month) VALUES "
    f"(new.seq, new.title, new.body, new.country, new.source, {_month('new')}); END"
)
# A contentless table forgets a row only when given the values it indexed.
ON_DELETE = (
    "CREATE TRIGGER posts_filter_fts_delete AFTER DELETE ON posts BEGIN "  # noqa: S608 - fixed SQL
    "INSERT INTO posts_filter_fts(posts_filter_fts, rowid, title, body, country, source, month) "
    "VALUES ('delete', old.seq, old.title, old.body, old.country, old.source, "
    f"{_month('old')}); END"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE posts_filter_fts USING fts5("
        "title, body, country, source, month, content='', columnsize=0, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(FILL)
    op.execute(ON_INSERT)
    op.execute(ON_DELETE)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS posts_filter_fts_delete")
    op.execute("DROP TRIGGER IF EXISTS posts_filter_fts_insert")
    op.execute("DROP TABLE IF EXISTS posts_filter_fts")
