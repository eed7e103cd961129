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

    expression = " OR ".join("(" + " AND ".join(_quote(p) for p in group) + ")" for group in groups)
    for piece in excluded:
        expression = f"({expression}) NOT {_quote(piece)}"
    return expression


RANK_CANDIDATES = 1000
"""Relevance ranking looks at no more than this many matches, the newest collected first.

Ranking every match costs time in proportion to the match set: a common word matches
hundreds of thousands of posts in a million, and scoring (``bm25``, ``ts_rank``) and
sorting all of them took seconds. The newest ``RANK_CANDIDATES`` matches that pass the
filters and the organisation's access are found by walking the full-text index in
collection order, which stops as soon as enough are found; only those are scored, and
only the ``limit`` best get a snippet. A search with fewer matches than this is ranked
exactly as before; a broader one shows the most relevant of its newest matches, which is
what an analyst narrowing a search wants first (and filters reach further back).
"""


_BEST_WITH_SNIPPETS = (
    "best AS (SELECT seq, rank FROM hits ORDER BY rank, seq LIMIT :limit) "
    "SELECT p.id, p.source, p.title, p.location, p.posted_at, "
    "snippet(posts_fts, -1, :hs, :he, '…', 16) AS snippet, best.rank AS rank "
    "FROM posts_fts CROSS JOIN best ON best.seq = posts_fts.rowid "
    "JOIN posts p ON p.seq = best.seq "
    "WHERE posts_fts MATCH :match "
    "AND posts_fts.rowid BETWEEN (SELECT min(seq) FROM best) AND (SELECT max(seq) FROM best) "
    "ORDER BY best.rank, best.seq"
)
"""The end of both SQLite search statements: the ``limit`` best of the ranked ``hits``,
with snippets read in one pass over the matches between their lowest and highest rowid."""


def sqlite_search_sql(where: str = "") -> str:
    """The SQLite search statement, with bounded ranking (see :data:`RANK_CANDIDATES`).

    ``where`` is extra conditions, each starting with `` AND ``, over ``posts p`` and
    ``posts_fts``; they must hold only fixed SQL and bind-parameter names. Binds
    ``:match`` (:func:`fts5_query`), ``:candidates``, ``:limit``, ``:hs`` and ``:he``.

    FTS5 walks its index in descending rowid order natively, so the candidate scan
    stops early. ``snippet`` needs the full-text cursor on the row, and looking the
    ``limit`` best up one by one (``rowid = ?``) reloads the terms' posting lists each
    time; one pass over the matches between the best rows' lowest and highest rowid
    (``CROSS JOIN`` keeps the full-text table the outer loop) is about a third faster.
    """
    return (
        "WITH hits AS ("
        "SELECT p.seq AS seq, bm25(posts_fts) AS rank "
        "FROM posts_fts JOIN posts p ON p.seq = posts_fts.rowid "
        "WHERE posts_fts MATCH :match" + where + " "
        "ORDER BY posts_fts.rowid DESC LIMIT :candidates), " + _BEST_WITH_SNIPPETS
    )


FILTER_MONTHS_MAX = 36
"""A date filter spanning more posting months than this is left out of the full-text
match (:func:`filter_match`): so wide a range passes most posts anyway."""


def _quote(piece: str) -> str:
    return '"' + piece.replace('"', '""') + '"'


def month_tokens(since: str | None, until: str | None) -> list[str] | None:
    """The ``posts_filter_fts`` month tokens (``m`` + ``YYYYMM``) a date filter can pass.

    ``since`` and ``until`` are the bounds as stored text (``YYYY-MM-DD ...``), ``None``
    for an open end (the caller gives the store's first or last posting date instead,
    or ``None`` when it holds no dates). Text that is ``>= since`` and ``< until`` starts
    with a month between theirs, inclusive, so the tokens never leave out a post the
    exact filter keeps. ``None`` when the range is open or spans more than
    :data:`FILTER_MONTHS_MAX` months (then the date filter is applied on the rows only).
    """
    if not since or not until:
        return None
    try:
        first = int(since[:4]) * 12 + int(since[5:7]) - 1
        last = int(until[:4]) * 12 + int(until[5:7]) - 1
    except ValueError:
        return None
    if last < first:
        return []
    if last - first + 1 > FILTER_MONTHS_MAX:
        return None
    return [f"m{m // 12:04d}{m % 12 + 1:02d}" for m in range(first, last + 1)]


def filter_match(
    query: str,
    *,
    country: str | None = None,
    source: str | None = None,
    months: list[str] | None = None,
) -> str:
    """The ``posts_filter_fts`` MATCH expression: the query over title and body only,
    and the country, source and posting months as index columns of their own.

    These filters only narrow the walk: the rows still pass the exact SQL filters
    (``p.country = ...``), so a source whose tokens also occur in a longer source name
    costs a row check, never a wrong hit. A value with no word characters gives no
    token to match on and is left to the row check.
    """
    expression = "{title body} : (" + fts5_query(query) + ")"
    for column, value in (("country", country), ("source", source)):
        if value and any(ch.isalnum() for ch in value):
            expression += f" AND {column} : " + _quote(value)
    if months is not None:
        if not months:
            return expression + " AND month : " + _quote("m")  # nothing can pass
        expression += " AND (" + " OR ".join("month : " + _quote(m) for m in months) + ")"
    return expression


def sqlite_filtered_search_sql(where: str = "") -> str:
    """:func:`sqlite_search_sql` for a search with a country, source or date filter.

    The newest :data:`RANK_CANDIDATES` matches that pass the filters and the
    organisation's access are found in ``posts_filter_fts`` (``:fmatch``, from
    :func:`filter_match`), which holds the filter values beside the words, so the walk
    skips the rows a filter rejects instead of reading each one; ``where`` is checked
    on the rows it keeps, exactly as in :func:`sqlite_search_sql`. They are the same
    candidates as there, and they are ranked the same way, with ``bm25`` over
    ``posts_fts`` (``:match``), in one pass over the matches between the lowest and
    highest candidate; only the ``limit`` best get a snippet.
    """
    return (
        "WITH cand AS ("  # noqa: S608 - fixed SQL and bind names only, see the docstring
        "SELECT p.seq AS seq "
        "FROM posts_filter_fts JOIN posts p ON p.seq = posts_filter_fts.rowid "
        "WHERE posts_filter_fts MATCH :fmatch" + where + " "
        "ORDER BY posts_filter_fts.rowid DESC LIMIT :candidates), "
        "hits AS (SELECT cand.seq AS seq, bm25(posts_fts) AS rank "
        "FROM posts_fts CROSS JOIN cand ON cand.seq = posts_fts.rowid "
        "WHERE posts_fts MATCH :match "
        "AND posts_fts.rowid BETWEEN (SELECT min(seq) FROM cand) AND (SELECT max(seq) FROM cand)), "
        + _BEST_WITH_SNIPPETS
    )


def postgres_search_sql(expression: str, where: str = "") -> str:
    """The PostgreSQL search statement, with bounded ranking like :func:`sqlite_search_sql`.

    ``expression`` comes from :func:`postgres_tsquery` (fixed function calls and
    bind-parameter names only). The candidates are the newest matches by ``seq``; only
    they are scored with ``ts_rank``, and only the ``limit`` best get a ``ts_headline``.
    """
    return (
        f"WITH query AS (SELECT {expression} AS q), "  # noqa: S608 - fixed SQL, see docstring
        "hits AS (SELECT p.seq FROM posts p, query "
        "WHERE p.search @@ query.q" + where + " ORDER BY p.seq DESC LIMIT :candidates), "
        "best AS (SELECT p.seq, -ts_rank(p.search, query.q) AS rank "
        "FROM hits JOIN posts p ON p.seq = hits.seq, query ORDER BY rank, p.seq LIMIT :limit) "
        "SELECT p.id, p.source, p.title, p.location, p.posted_at, "
        "ts_headline('simple', coalesce(p.title, '') || ' — ' || coalesce(p.body, ''), "
        "  query.q, 'StartSel=' || :hs || ', StopSel=' || :he || ', MaxWords=24, MinWords=8') "
        "  AS snippet, best.rank AS rank "
        "FROM best JOIN posts p ON p.seq = best.seq, query ORDER BY best.rank, best.seq"
    )


def search_posts(conn: Connection, query: str, limit: int = 20) -> list[SearchHit]:
    """Every post of the store (no organisation), ranked as :data:`RANK_CANDIDATES` says."""
    params: dict[str, object] = {
        "limit": limit,
        "candidates": max(RANK_CANDIDATES, limit),
        "hs": HIT_START,
        "he": HIT_END,
    }
    if conn.dialect.name == "sqlite":
        params["match"] = fts5_query(query)
        sql = sqlite_search_sql()
    else:
        expression, phrases = postgres_tsquery(query)
        params.update(phrases)
        sql = postgres_search_sql(expression)
    return [_hit(row) for row in conn.execute(text(sql), params)]


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
