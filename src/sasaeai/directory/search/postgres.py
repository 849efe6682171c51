"""PostgreSQL backend: ``LIKE '%term%'`` served by a pg_trgm GIN index for terms of 3+
characters, an array GIN index of bigrams for 2-character terms, ``strpos`` for the rest."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from sasaeai.directory.search import Query
from sasaeai.directory.search import sql as shared


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def term_clauses(query: Query) -> shared.Clauses:
    """One subquery over ``directory_searchtext`` with every term (bitmap-ANDed indexes)."""
    conditions: list[str] = []
    params: list[Any] = []
    for term in query.trigram_terms:
        conditions.append("t.body LIKE %s")
        params.append(_like(term))
    if query.bigram_terms:
        conditions.append("string_to_array(t.bigrams, ' ') @> %s::text[]")
        params.append(list(query.bigram_terms))
    for term in query.substring_terms:
        conditions.append("strpos(t.body, %s) > 0")
        params.append(term)
    if not conditions:
        return [], []
    # the conditions are the constant fragments above; the terms are parameters
    subquery = "SELECT t.entry_id FROM directory_searchtext t WHERE " + " AND ".join(conditions)  # noqa: S608
    return [f"e.id IN ({subquery})"], params


def run(query: Query, *, offset: int, limit: int) -> tuple[int, list[tuple[object, ...]]]:
    """Two queries: the planner setting, then the search.

    The planner underrates the cost of ``LIKE`` and ``string_to_array`` per row and picks a
    sequential scan when a term matches a few percent of the rows (10x slower than the GIN
    indexes at 100,000 services). ``SET LOCAL enable_seqscan = off`` makes it use them; it
    lasts until the end of the transaction (the caller's, if there is one: it only steers
    plans, never results).
    """
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        return shared.run(
            query, offset=offset, limit=limit, contains="strpos", term_clauses=term_clauses
        )
