"""Full-text search over post titles and bodies, on each database's own engine.

Queries come from analysts (and, through the API later, from scripts), so they are
never spliced into SQL or into the FTS5 query language: the query is parsed here
into terms, phrases, ``OR`` and ``-excluded`` terms and rebuilt from quoted pieces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, text

HIT_START = "\u2983"
HIT_END = "\u2984"
"""Markers around matched words in snippets; the interfaces turn them into highlighting."""

_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
MAX_QUERY_CHARS = 500


class SearchQueryError(ValueError):
    """The query has nothing to search for."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    post_id: str
    source: str
    title: str | None
    location: str | None
    posted_at: datetime | None
    snippet: str
    rank: float


def _terms(query: str) -> tuple[list[list[str]], list[str]]:
    """Split a web-style query into OR-groups of required terms and excluded terms."""
    groups: list[list[str]] = [[]]
    excluded: list[str] = []
    for match in _TOKEN.finditer(query[:MAX_QUERY_CHARS]):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None and word.upper() == "OR":
            if groups[-1]:
                groups.append([])
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            negated, word = "-", word[1:]
        piece = (phrase if phrase is not None else word or "").strip()
        piece = piece.replace('"', " ").strip()
        if not piece:
            continue
        (excluded if negated else groups[-1]).append(piece)
    groups = [g for g in groups if g]
    if not groups:
        raise SearchQueryError("the query has no words to search for")
    return groups, excluded


def fts5_query(query: str) -> str:
    """A safe FTS5 MATCH expression: every user piece becomes a quoted string."""
    groups, excluded = _terms(query)

    def quote(piece: str) -> str:
        return '"' + piece.replace('"', '""') + '"'

    expression = " OR ".join("(" + " AND ".join(quote(p) for p in group) + ")" for group in groups)
    for piece in excluded:
        expression = f"({expression}) NOT {quote(piece)}"
    return expression


def search_posts(conn: Connection, query: str, limit: int = 20) -> list[SearchHit]:
    if conn.dialect.name == "sqlite":
        return _search_sqlite(conn, query, limit)
    return _search_postgres(conn, query, limit)


def _search_sqlite(conn: Connection, query: str, limit: int) -> list[SearchHit]:
    match = fts5_query(query)
    rows = conn.execute(
        text(
            "SELECT p.id, p.source, p.title, p.location, p.posted_at, "
            "snippet(posts_fts, -1, :hs, :he, '…', 16) AS snippet, bm25(posts_fts) AS rank "
            "FROM posts_fts JOIN posts p ON p.seq = posts_fts.rowid "
            "WHERE posts_fts MATCH :match ORDER BY rank, p.seq LIMIT :limit"
        ),
        {"match": match, "limit": limit, "hs": HIT_START, "he": HIT_END},
    )
    return [_hit(row) for row in rows]


def postgres_tsquery(query: str) -> tuple[str, dict[str, str]]:
    """The same query semantics as SQLite, as a tsquery built from bound phrases.

    ``websearch_to_tsquery`` would parse the raw text with slightly different rules
    (an unbalanced quote swallows the rest), so both backends share :func:`_terms`
    and every user piece reaches PostgreSQL only as a bound parameter.
    """
    groups, excluded = _terms(query)
    params: dict[str, str] = {}

    def phrase(piece: str) -> str:
        name = f"p{len(params)}"
        params[name] = piece
        return f"phraseto_tsquery('simple', :{name})"

    expression = " || ".join("(" + " && ".join(phrase(p) for p in group) + ")" for group in groups)
    for piece in excluded:
        expression = f"({expression}) && !!{phrase(piece)}"
    return expression, params


def _search_postgres(conn: Connection, query: str, limit: int) -> list[SearchHit]:
    expression, params = postgres_tsquery(query)
    # ``expression`` holds only fixed function calls and bind-parameter names.
    query_from = f"FROM posts p, (SELECT {expression} AS q) query "
    sql = (
        "SELECT p.id, p.source, p.title, p.location, p.posted_at, "
        "ts_headline('simple', coalesce(p.title, '') || ' — ' || coalesce(p.body, ''), q, "
        "  'StartSel=' || :hs || ', StopSel=' || :he || ', MaxWords=24, MinWords=8') "
        "  AS snippet, -ts_rank(p.search, q) AS rank "
        + query_from
        + "WHERE p.search @@ q ORDER BY rank, p.seq LIMIT :limit"
    )
    rows = conn.execute(text(sql), {**params, "limit": limit, "hs": HIT_START, "he": HIT_END})
    return [_hit(row) for row in rows]


def _hit(row: object) -> SearchHit:
    posted = getattr(row, "posted_at", None)
    if isinstance(posted, str):  # SQLite through a text() query returns the raw string
        posted = datetime.fromisoformat(posted)
    if isinstance(posted, datetime) and posted.tzinfo is None:
        posted = posted.replace(tzinfo=UTC)
    return SearchHit(
        post_id=getattr(row, "id"),  # noqa: B009 - Row attributes are dynamic
        source=getattr(row, "source"),  # noqa: B009
        title=getattr(row, "title"),  # noqa: B009
        location=getattr(row, "location"),  # noqa: B009
        posted_at=posted,
        snippet=getattr(row, "snippet") or "",  # noqa: B009
        rank=float(getattr(row, "rank")),  # noqa: B009
    )
