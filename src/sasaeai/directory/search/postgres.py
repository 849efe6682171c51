"""PostgreSQL backend: ``LIKE '%term%'`` served by pg_trgm GIN indexes for terms of 3+
characters, array GIN indexes of bigrams for 2-character terms, ``strpos`` for the rest;
each for the whole text (``body``) and for the name and reading alone (``names``); an array
GIN index of the filter tokens; planner settings choose the plan of each step."""

from __future__ import annotations

import sys
from typing import Any

from django.db import connection, transaction

from sasaeai.directory.search import Query
from sasaeai.directory.search import sql as shared

CONTAINS = "strpos"
COLLATE = ' COLLATE "C"'  # code point order whatever the database's collation
# Each step's plan (module docstring of search/sql.py). The planner underrates the cost of
# LIKE and string_to_array per row and misjudges how soon a LIMIT is reached when the
# filters and the terms go together (or never do); these settings leave it one sensible
# kind of plan per step. SET LOCAL lasts until the end of the transaction.
_PLANS = {
    # bitmap scans of the GIN indexes (ANDed), then only the rows they give
    "index": "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; "
    "SET LOCAL enable_indexonlyscan = off; SET LOCAL enable_bitmapscan = on; "
    "SET LOCAL enable_sort = on",
    # along the order index (directory_search_order), stopping at the LIMIT
    "walk": "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = on; "
    "SET LOCAL enable_indexonlyscan = on; SET LOCAL enable_bitmapscan = off; "
    "SET LOCAL enable_sort = off",
    "any": "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = on; "
    "SET LOCAL enable_indexonlyscan = on; SET LOCAL enable_bitmapscan = on; "
    "SET LOCAL enable_sort = on",
}


# jit and parallel workers cost more than they save on statements this short
_ALWAYS = "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0; "


_RESTORE = "; ".join(
    f"SET LOCAL {name} TO DEFAULT"
    for name in (
        "jit", "max_parallel_workers_per_gather", "enable_seqscan", "enable_indexscan",
        "enable_indexonlyscan", "enable_bitmapscan", "enable_sort",
    )
)  # fmt: skip


def source(cursor: Any, mode: shared.Mode) -> str:
    cursor.execute(_ALWAYS + _PLANS[mode])
    return f"{shared.TEXT} t"


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def term_clauses(query: Query, *, names: bool) -> shared.Clauses:
    text_column, bigram_column = ("names", "name_bigrams") if names else ("body", "bigrams")
    where: list[str] = []
    params: list[Any] = []
    for term in query.trigram_terms:
        where.append(f"t.{text_column} LIKE %s")
        params.append(f"%{_escape(term)}%")
    if query.bigram_terms:
        where.append(f"string_to_array(t.{bigram_column}, ' ') @> %s::text[]")
        params.append(list(query.bigram_terms))
    for term in query.substring_terms:
        where.append(f"strpos(t.{text_column}, %s) > 0")
        params.append(term)
    return where, params


def keys_clause(keys: list[str]) -> shared.Clauses:
    """The filters' tokens, for the GIN index (municipality and visibility, in every search,
    are left to the row checks: as a filter on every row the array costs more than it
    saves)."""
    filters = [key for key in keys if not key.startswith(("m:", "p:"))]
    if not filters:
        return [], []
    return ["string_to_array(btrim(t.filter_keys), ' ') @> %s::text[]"], [filters]


def prefix_clause(folded: str) -> shared.Clauses:
    """``LIKE 'q%'``, served by the ``varchar_pattern_ops`` prefix indexes."""
    pattern = f"{_escape(folded)}%"
    return ["(t.name_folded LIKE %s OR t.reading_folded LIKE %s)"], [pattern, pattern]


def run(
    query: Query, *, offset: int, limit: int, exact_total: bool
) -> tuple[int, bool, list[tuple[object, ...]]]:
    """The search in a transaction (``SET LOCAL`` lasts until its end). Inside the caller's
    transaction, the settings are put back afterwards so that its later queries are
    planned as usual."""
    outer = connection.in_atomic_block
    with transaction.atomic(savepoint=False):
        found = shared.run(
            query,
            offset=offset,
            limit=limit,
            exact_total=exact_total,
            backend=sys.modules[__name__],
        )
        if outer:
            with connection.cursor() as cursor:
                cursor.execute(_RESTORE)
        return found
