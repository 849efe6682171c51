"""SQLite backend: FTS5 ``trigram`` for terms of 3+ characters, a bigram FTS5 table for
2-character terms, ``instr`` for the rest. The FTS5 tables are external-content tables over
``directory_searchtext`` (rowid = the index row id), kept in step by triggers (migration 0003)."""

from __future__ import annotations

from typing import Any

from sasaeai.directory.search import Query
from sasaeai.directory.search import sql as shared


def _phrases(terms: list[str]) -> str:
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def term_clauses(query: Query) -> shared.Clauses:
    where: list[str] = []
    params: list[Any] = []
    if query.trigram_terms:
        where.append(
            "e.id IN (SELECT rowid FROM directory_search_trigram "
            "WHERE directory_search_trigram MATCH %s)"
        )
        params.append(_phrases(query.trigram_terms))
    if query.bigram_terms:
        where.append(
            "e.id IN (SELECT rowid FROM directory_search_bigram "
            "WHERE directory_search_bigram MATCH %s)"
        )
        params.append(_phrases(query.bigram_terms))
    for term in query.substring_terms:
        where.append(
            "EXISTS (SELECT 1 FROM directory_searchtext t "
            "WHERE t.entry_id = e.id AND instr(t.body, %s) > 0)"
        )
        params.append(term)
    return where, params


def run(query: Query, *, offset: int, limit: int) -> tuple[int, list[tuple[object, ...]]]:
    return shared.run(
        query, offset=offset, limit=limit, contains="instr", term_clauses=term_clauses
    )
