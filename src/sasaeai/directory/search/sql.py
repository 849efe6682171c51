"""The SQL both backends share: filters, ranking, ordering, count and page.

A backend supplies how one term is matched (``term_clauses``) and its substring function
(``instr`` on SQLite, ``strpos`` on PostgreSQL); everything else is the same statement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection

from sasaeai.directory.search import Query

TABLE = "directory_searchentry"
COLUMNS = (
    "e.service_id, e.name, e.name_kana, e.organization_name, e.district_names, "
    "e.category_names, e.target_names, e.is_demo"
)
# SQL fragments (constants of this package; never user input) and their parameters.
Clauses = tuple[list[str], list[Any]]


def filter_clauses(query: Query, contains: str) -> Clauses:
    """Tenant, visibility and the filters; ``contains`` is the substring function."""
    where = ["e.municipality_id = %s", "e.is_public"]
    params: list[Any] = [query.municipality_id]
    for column, value in (
        ("district_keys", query.district),
        ("target_codes", query.target),
        ("category_codes", query.category),
    ):
        if value:
            where.append(f"{contains}(e.{column}, %s) > 0")
            params.append(f"|{value}|")
    if query.weekday is not None and 0 <= query.weekday <= 6:
        where.append("(e.weekdays & %s) <> 0")
        params.append(1 << query.weekday)
    if query.free is not None:
        where.append("e.is_free = %s")
        params.append(query.free)
    return where, params


def rank_expression(query: Query, contains: str) -> Clauses:
    """0 exact name/reading, 1 prefix of name/reading, 2 all terms in name/reading, 3 other."""
    if not query.terms:
        return ["0"], []
    folded = query.folded
    in_name = " AND ".join(
        f"({contains}(e.name_folded, %s) > 0 OR {contains}(e.reading_folded, %s) > 0)"
        for _term in query.terms
    )
    sql = (
        "CASE WHEN e.name_folded = %s OR e.reading_folded = %s THEN 0 "
        "WHEN substr(e.name_folded, 1, %s) = %s OR substr(e.reading_folded, 1, %s) = %s "
        f"THEN 1 WHEN {in_name} THEN 2 ELSE 3 END"
    )
    params: list[Any] = [folded, folded, len(folded), folded, len(folded), folded]
    for term in query.terms:
        params += [term, term]
    return [sql], params


def run(
    query: Query,
    *,
    offset: int,
    limit: int,
    contains: str,
    term_clauses: Callable[[Query], Clauses],
) -> tuple[int, list[tuple[object, ...]]]:
    """The total and one page of rows (``COLUMNS`` then the rank), in one query.

    The matching ids are found once (a materialised CTE); the total is counted over them
    and the page ranked from them. (``COUNT(*) OVER ()`` would make
    the database keep every matching row instead of the best ``limit``: several times
    slower with tens of thousands of matches.) A second query counts only when the page
    is empty but might not be the first.
    """
    where, params = filter_clauses(query, contains)
    term_where, term_params = term_clauses(query)
    where += term_where
    params += term_params
    condition = " AND ".join(where)
    rank_sql, rank_params = rank_expression(query, contains)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH m AS MATERIALIZED (SELECT e.id FROM {TABLE} e WHERE {condition}) "  # noqa: S608
            f"SELECT {COLUMNS}, {rank_sql[0]} AS rank, (SELECT COUNT(*) FROM m) AS total "
            f"FROM m JOIN {TABLE} e ON e.id = m.id "
            "ORDER BY rank, e.sort_key, e.name, e.service_id LIMIT %s OFFSET %s",
            [*params, *rank_params, max(limit, 1), offset],
        )
        rows: Sequence[tuple[object, ...]] = cursor.fetchall()
        if rows:
            total = int(str(rows[0][-1]))
        elif offset == 0:
            total = 0
        else:
            cursor.execute(f"SELECT COUNT(*) FROM {TABLE} e WHERE {condition}", params)  # noqa: S608
            row = cursor.fetchone()
            total = int(row[0]) if row else 0
    return total, [row[:-1] for row in rows][:limit]
