"""The search both backends run: the same statements, with each backend's index conditions.

Everything a search matches, filters and ranks on is in ``directory_searchtext`` (``t``);
``directory_searchentry`` (``e``) is read only for the page's own results.

1. **Candidates**: the ids, ranks and order keys of the matches, from the indexes alone
   (FTS5 on SQLite, GIN on PostgreSQL), at most ``COUNT_LIMIT + 1`` of them. When there
   are no more than ``COUNT_LIMIT`` (almost every search), this is the total, and the page
   is the candidates sorted in Python by (rank, ``sort_key``, ``name``, service id).
2. **Many matches** (``_dense_page``): the total is reported as ``COUNT_LIMIT`` (capped)
   and the page is found rank by rank without reading every match: rank 0–1 from the
   prefix indexes; rank 2 (every term in the name or reading) from the names index;
   rank 3 (the rest) from the whole text; a rank is only asked for while the page is not
   full. Within a rank (``_level``): at most ``COUNT_LIMIT`` rows are sorted in Python;
   more, and the first ``WINDOW × COUNT_LIMIT`` services in order are checked row by
   row (dense matches fill the page there); if they do not, the database sorts the
   rank's rows from the indexes and keeps the first ones.

Each step tells the backend which kind of plan it needs (``Backend.source``): on
PostgreSQL planner settings, on SQLite index hints. The order in Python, in SQLite (binary)
and in PostgreSQL (``COLLATE "C"``) is the same: code point order.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Literal, Protocol

from django.db import connection

from sasaeai.directory import search as engine
from sasaeai.directory.search import Query
from sasaeai.directory.search.indexing import filter_keys

TEXT = "directory_searchtext"
ENTRY = "directory_searchentry"
COLUMNS = (
    "e.service_id, e.name, e.name_kana, e.organization_name, e.district_names, "
    "e.category_names, e.target_names, e.is_demo"
)
# SQL fragments (constants of this package; never user input) and their parameters.
Clauses = tuple[list[str], list[Any]]
# a rank with many rows: how many rows in order (× COUNT_LIMIT) are checked before its rows
# are sorted instead (``_level``)
WINDOW = 10
Mode = Literal["index", "walk", "any"]
# (rank, sort_key, name, service uuid hex) and the index row id
Candidate = tuple[tuple[int, str, str, str], int]


class Backend(Protocol):
    """What a backend module supplies (search/sqlite.py, search/postgres.py)."""

    CONTAINS: str  # the substring function: instr / strpos
    COLLATE: str  # how ``sort_key`` and ``name`` compare in code point order

    def source(self, cursor: Any, mode: Mode) -> str:
        """The ``FROM`` item for ``t``, after steering the plan: ``index`` (the search
        indexes find the rows), ``walk`` (read along the order index), ``any``."""
        ...

    def term_clauses(self, query: Query, *, names: bool) -> Clauses:
        """Every term in the body (``names=False``) or in the name or reading, as the
        search indexes serve it."""
        ...

    def keys_clause(self, keys: list[str]) -> Clauses:
        """Every filter token, as an index serves it (nothing if none does)."""
        ...

    def prefix_clause(self, folded: str) -> Clauses:
        """Name or reading starts with ``folded``, as the prefix indexes serve it."""
        ...


def query_keys(query: Query) -> list[str]:
    """The filter tokens a search asks for (``indexing.filter_keys``)."""
    weekday = query.weekday
    return filter_keys(
        municipality_id=query.municipality_id,
        is_public=True,
        districts=[query.district] if query.district else [],
        categories=[query.category] if query.category else [],
        targets=[query.target] if query.target else [],
        weekdays=[weekday] if weekday is not None and 0 <= weekday <= 6 else [],
        is_free=query.free,
    )


def filter_checks(query: Query, contains: str) -> Clauses:
    """Tenant, visibility and the filters, checked on each row."""
    # equalities, so that the order index (municipality, is_public, sort_key, …) is read
    # in order
    where = ["t.municipality_id = %s", "t.is_public = %s"]
    params: list[Any] = [query.municipality_id, True]
    for key in query_keys(query)[2:]:  # after m: and p:, which the columns check
        where.append(f"{contains}(t.filter_keys, %s) > 0")
        params.append(f" {key} ")
    return where, params


def term_checks(query: Query, contains: str, *, names: bool) -> Clauses:
    """Every term in the body or the names, checked on each row (no index)."""
    column = "t.names" if names else "t.body"
    return [f"{contains}({column}, %s) > 0" for _term in query.terms], list(query.terms)


def rank_expression(query: Query, contains: str) -> tuple[str, list[Any]]:
    """0 exact name/reading, 1 prefix of name/reading, 2 all terms in name/reading, 3 other."""
    if not query.terms:
        return "0", []
    folded = query.folded
    in_name = " AND ".join(
        f"({contains}(t.name_folded, %s) > 0 OR {contains}(t.reading_folded, %s) > 0)"
        for _term in query.terms
    )
    sql = (
        "CASE WHEN t.name_folded = %s OR t.reading_folded = %s THEN 0 "
        "WHEN substr(t.name_folded, 1, %s) = %s OR substr(t.reading_folded, 1, %s) = %s "
        f"THEN 1 WHEN {in_name} THEN 2 ELSE 3 END"
    )
    params: list[Any] = [folded, folded, len(folded), folded, len(folded), folded]
    for term in query.terms:
        params += [term, term]
    return sql, params


def run(
    query: Query, *, offset: int, limit: int, exact_total: bool, backend: Backend
) -> tuple[int, bool, list[tuple[object, ...]]]:
    """The total, whether it is capped, and one page of rows (``COLUMNS`` then the rank)."""
    cap = None if exact_total else engine.COUNT_LIMIT
    with connection.cursor() as cursor:
        found = _candidates(
            cursor, query, backend, names=False, rank=None, limit=None if cap is None else cap + 1
        )
        if cap is None or len(found) <= cap:
            total, capped = len(found), False
            page = sorted(found)[offset : offset + limit]
        else:
            total, capped = cap, True
            page = _dense_page(cursor, query, backend, offset=offset, limit=limit)
        return total, capped, _rows(cursor, page)


def _candidates(
    cursor: Any,
    query: Query,
    backend: Backend,
    *,
    names: bool,
    rank: int | None,
    limit: int | None,
    ordered: bool = False,
) -> list[Candidate]:
    """Matches found through the search indexes (at most ``limit``; the first in order if
    ``ordered``, else any)."""
    contains = backend.CONTAINS
    where, params = filter_checks(query, contains)
    for clause_where, clause_params in (
        backend.keys_clause(query_keys(query)),
        backend.term_clauses(query, names=names),
    ):
        where += clause_where
        params += clause_params
    rank_sql, rank_params = rank_expression(query, contains)
    rank_where, rank_where_params = _rank_is(rank, rank_sql, rank_params)
    where += rank_where
    params += rank_where_params
    limit_sql = "" if limit is None else f" LIMIT {int(limit)}"
    if ordered:
        limit_sql = f" ORDER BY {_order(backend)}{limit_sql}"
    source = backend.source(cursor, "index")
    cursor.execute(
        f"SELECT {rank_sql}, t.sort_key, t.name, t.service_uuid, t.entry_id FROM {source} "  # noqa: S608
        f"WHERE {' AND '.join(where)}{limit_sql}",
        [*rank_params, *params],
    )
    return [_candidate(row) for row in cursor.fetchall()]


def _dense_page(
    cursor: Any, query: Query, backend: Backend, *, offset: int, limit: int
) -> list[Candidate]:
    """One page of a search with more than ``COUNT_LIMIT`` matches: the same rows in the
    same order as sorting every match would give, rank by rank (module docstring)."""
    need = offset + limit
    if not query.terms:
        return _level(cursor, query, backend, names=None, rank=None, want=need)[offset:need]
    found = _prefixed(cursor, query, backend, limit=need)
    for rank, names in ((2, True), (3, False)):
        if len(found) >= need:
            break
        found += _level(cursor, query, backend, names=names, rank=rank, want=need - len(found))
    return found[offset:need]


def _level(
    cursor: Any,
    query: Query,
    backend: Backend,
    *,
    names: bool | None,
    rank: int | None,
    want: int,
) -> list[Candidate]:
    """The first ``want`` rows of one rank, in order, at a cost bounded by the rank's size:

    1. at most ``COUNT_LIMIT`` rows in the rank: all of them from the search indexes,
       sorted here;
    2. else the first ``WINDOW × COUNT_LIMIT`` rows in order (along the order index) are
       checked: if ``want`` of them are in the rank, they are the first ``want`` (every
       other row comes after them);
    3. else (the rank's rows come late in the order) the search indexes give every row of
       the rank and the database keeps the first ``want``.
    """
    level = _candidates(
        cursor, query, backend, names=bool(names), rank=rank, limit=engine.COUNT_LIMIT + 1
    )
    if len(level) <= engine.COUNT_LIMIT:
        return sorted(level)[:want]
    window = _window(cursor, query, backend, names=names, rank=rank, limit=want)
    if len(window) >= want:
        return window
    return _candidates(
        cursor, query, backend, names=bool(names), rank=rank, limit=want, ordered=True
    )


def _prefixed(cursor: Any, query: Query, backend: Backend, *, limit: int) -> list[Candidate]:
    """Rank 0 and 1 (the name or reading starts with the query), best first."""
    contains = backend.CONTAINS
    where, params = filter_checks(query, contains)
    prefix_where, prefix_params = backend.prefix_clause(query.folded)
    rank_sql, rank_params = rank_expression(query, contains)
    source = backend.source(cursor, "any")
    cursor.execute(
        f"SELECT {rank_sql} AS rank, t.sort_key, t.name, t.service_uuid, t.entry_id "  # noqa: S608
        f"FROM {source} WHERE {' AND '.join([*where, *prefix_where])} AND {rank_sql} <= 1 "
        f"ORDER BY rank, {_order(backend)} LIMIT %s",
        [*rank_params, *params, *prefix_params, *rank_params, limit],
    )
    return [_candidate(row) for row in cursor.fetchall()]


def _window(
    cursor: Any,
    query: Query,
    backend: Backend,
    *,
    names: bool | None,
    rank: int | None,
    limit: int,
) -> list[Candidate]:
    """The rows of one rank among the municipality's first ``WINDOW × COUNT_LIMIT`` public
    services in order (read along the order index, checked row by row for the filters,
    the terms and the rank), at most ``limit`` (``names`` None: no terms)."""
    contains = backend.CONTAINS
    filters_where, filters_params = filter_checks(query, contains)
    # the window is the first rows of the municipality's public services, whatever the
    # filters: its cost does not grow when a filter is rare
    where, params = filters_where[:2], filters_params[:2]
    check_where, check_params = filters_where[2:], filters_params[2:]
    if names is not None:
        term_where, term_params = term_checks(query, contains, names=names)
        check_where += term_where
        check_params += term_params
    rank_sql, rank_params = rank_expression(query, contains)
    rank_where, rank_where_params = _rank_is(rank, rank_sql, rank_params)
    check_where += rank_where
    check_params += rank_where_params
    window = WINDOW * engine.COUNT_LIMIT
    order = _order(backend)
    source = backend.source(cursor, "walk")
    cursor.execute(
        f"SELECT {rank_sql}, t.sort_key, t.name, t.service_uuid, t.entry_id "  # noqa: S608
        f"FROM (SELECT t.* FROM {source} WHERE {' AND '.join(where)} "
        f"ORDER BY {order} LIMIT {int(window)}) t "
        f"WHERE {' AND '.join(check_where) or '1 = 1'} ORDER BY {order} LIMIT %s",
        [*rank_params, *params, *check_params, limit],
    )
    return [_candidate(row) for row in cursor.fetchall()]


def _rank_is(rank: int | None, rank_sql: str, rank_params: list[Any]) -> Clauses:
    """The condition "the row has this rank" (nothing when ``rank`` is None)."""
    if rank is None:
        return [], []
    return [f"{rank_sql} = {int(rank)}"], list(rank_params)


def _order(backend: Backend) -> str:
    return f"t.sort_key{backend.COLLATE}, t.name{backend.COLLATE}, t.service_uuid"


def _candidate(row: Sequence[Any]) -> Candidate:
    rank, sort_key, name, service_uuid, entry_id = row
    key = service_uuid.hex if isinstance(service_uuid, uuid.UUID) else str(service_uuid)
    return (int(rank), str(sort_key), str(name), key.replace("-", "")), int(entry_id)


def _rows(cursor: Any, page: list[Candidate]) -> list[tuple[object, ...]]:
    """The result rows of the page's candidates, in the page's order."""
    if not page:
        return []
    ids = [entry_id for _key, entry_id in page]
    cursor.execute(
        f"SELECT e.id, {COLUMNS} FROM {ENTRY} e WHERE e.id IN ({', '.join(['%s'] * len(ids))})",  # noqa: S608
        ids,
    )
    by_id = {row[0]: row[1:] for row in cursor.fetchall()}
    return [(*by_id[entry_id], key[0]) for key, entry_id in page if entry_id in by_id]
