"""SQLite backend: FTS5 ``trigram`` for terms of 3+ characters, a bigram FTS5 table for
2-character terms, ``instr`` for the rest. The FTS5 tables are external-content tables over
``directory_searchtext`` (rowid = the index row id) with a column for the name and reading
alone and one for the whole text, kept in step by triggers (migration 0004). Filters are
checked row by row (SQLite does that fast); index hints choose the plan."""

from __future__ import annotations

import sys
from typing import Any

from sasaeai.directory.search import Query
from sasaeai.directory.search import sql as shared

CONTAINS = "instr"
COLLATE = ""  # SQLite compares text as UTF-8 bytes: code point order
# the last character there is: ``q <= s < q + TOP`` is "s starts with q" in binary order
TOP = "\U0010ffff"
_SOURCES = {
    # the FTS subqueries give the row ids, looked up by primary key
    "index": f"{shared.TEXT} t",
    "walk": f"{shared.TEXT} t INDEXED BY directory_search_order",
    "any": f"{shared.TEXT} t",
}


def source(cursor: Any, mode: shared.Mode) -> str:
    return _SOURCES[mode]


def _phrases(column: str, terms: list[str]) -> str:
    return " AND ".join(f'{column} : "' + term.replace('"', '""') + '"' for term in terms)


def term_clauses(query: Query, *, names: bool) -> shared.Clauses:
    where: list[str] = []
    params: list[Any] = []
    text_column, bigram_column = ("names", "name_bigrams") if names else ("body", "bigrams")
    if query.trigram_terms:
        where.append(
            "t.entry_id IN (SELECT rowid FROM directory_search_trigram "
            "WHERE directory_search_trigram MATCH %s)"
        )
        params.append(_phrases(text_column, query.trigram_terms))
    if query.bigram_terms:
        where.append(
            "t.entry_id IN (SELECT rowid FROM directory_search_bigram "
            "WHERE directory_search_bigram MATCH %s)"
        )
        params.append(_phrases(bigram_column, query.bigram_terms))
    for term in query.substring_terms:
        where.append(f"instr(t.{text_column}, %s) > 0")
        params.append(term)
    return where, params


def keys_clause(keys: list[str]) -> shared.Clauses:
    return [], []  # filter_checks does it row by row


def prefix_clause(folded: str) -> shared.Clauses:
    """Ranges of the prefix indexes (binary order)."""
    return (
        ["((t.name_folded >= %s AND t.name_folded < %s) "
         "OR (t.reading_folded >= %s AND t.reading_folded < %s))"],
        [folded, folded + TOP, folded, folded + TOP],
    )  # fmt: skip


def run(
    query: Query, *, offset: int, limit: int, exact_total: bool
) -> tuple[int, bool, list[tuple[object, ...]]]:
    return shared.run(
        query, offset=offset, limit=limit, exact_total=exact_total, backend=sys.modules[__name__]
    )
