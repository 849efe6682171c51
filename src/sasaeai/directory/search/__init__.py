"""Directory search: one interface, a backend per database vendor.

    index_services(municipality, service_ids=None)   # after every write to services
    search(municipality, "さろん 大船", district=..., target=..., category=...,
           weekday=..., free=..., offset=0, limit=20, exact_total=False) -> SearchResult

Matching: the query is split on white space into terms; each term is folded
(``sasaeai.core.textnorm.fold``) and must occur in the service's folded search text
(name, reading, organisation, description, categories, targets, districts, towns,
address): several terms narrow the results (AND). Terms of 3+ characters use the trigram
index (SQLite FTS5 ``trigram``, PostgreSQL ``pg_trgm``); 2-character terms use the bigram
index; 1-character terms are checked by substring within the rows the other terms and
filters leave.

Ranking (``ServiceHit.rank``, smaller is better), with ``q`` the folded query:
0 the name (without 「（架空）」) or its reading equals ``q``; 1 the name or reading starts
with ``q``; 2 every term is in the name or reading; 3 the rest (matched elsewhere, e.g. in
the description). Ties are ordered by reading, then name, then service id (code point
order on both databases). Only services whose status is 実施中 or 一時休止 are found
(休止中・終了 are hidden from the public). Past ``COUNT_LIMIT`` matches the total is
capped (「1,000件以上」); how the page is then found is in search/sql.py.

See docs/directory.md and docs/decisions/0007-directory-search.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Protocol

from django.db import connection

from sasaeai.accounts.models import Municipality
from sasaeai.core.textnorm import fold
from sasaeai.directory.search.indexing import index_services

__all__ = [
    "COUNT_LIMIT",
    "Query",
    "SearchResult",
    "ServiceHit",
    "index_services",
    "parse_query",
    "search",
]

# More matches than this are not counted (the page says 「1,000件以上」) and the page of
# results is found rank by rank (search/sql.py ``_dense_page``).
COUNT_LIMIT = 1000
MAX_TERMS = 8
MAX_TERM_LENGTH = 100
MAX_LIMIT = 200


@dataclass(frozen=True)
class ServiceHit:
    id: uuid.UUID
    name: str
    name_kana: str
    organization: str
    districts: list[str]
    categories: list[str]
    targets: list[str]
    rank: int
    is_demo: bool = False

    @property
    def district(self) -> str:
        """The district names joined for one line (「鎌倉・大船」), empty if none."""
        return "\u30fb".join(self.districts)  # ・


@dataclass(frozen=True)
class SearchResult:
    """``total`` matches (when ``capped``, there are more than ``total``: counting stops at
    ``COUNT_LIMIT`` unless the search asked for an exact total) and one page of them."""

    total: int
    results: list[ServiceHit] = field(default_factory=list)
    capped: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed query and its filters, as the backends receive it."""

    municipality_id: int
    terms: tuple[str, ...]
    district: str | None = None
    target: str | None = None
    category: str | None = None
    weekday: int | None = None
    free: bool | None = None

    @property
    def folded(self) -> str:
        """The whole query folded (terms joined), compared with names for ranking."""
        return "".join(self.terms)

    @property
    def trigram_terms(self) -> list[str]:
        return [term for term in self.terms if len(term) >= 3]

    @property
    def bigram_terms(self) -> list[str]:
        return [term for term in self.terms if len(term) == 2 and is_bigram_text(term)]

    @property
    def substring_terms(self) -> list[str]:
        return [
            term
            for term in self.terms
            if len(term) < 2 or (len(term) == 2 and not is_bigram_text(term))
        ]


def is_bigram_text(text: str) -> bool:
    """Whether every character may be part of an indexed bigram (letters and digits)."""
    return all(char.isalnum() for char in text)


def parse_query(text: str) -> tuple[str, ...]:
    """The distinct folded terms of a query, in order (at most 8, each at most 100 chars)."""
    terms: list[str] = []
    for raw in text.split():
        term = fold(raw)[:MAX_TERM_LENGTH]
        if term and term not in terms:
            terms.append(term)
    return tuple(terms[:MAX_TERMS])


def search(
    municipality: Municipality,
    query: str,
    *,
    district: str | None = None,
    target: str | None = None,
    category: str | None = None,
    weekday: int | None = None,
    free: bool | None = None,
    offset: int = 0,
    limit: int = 20,
    exact_total: bool = False,
) -> SearchResult:
    """Public services of ``municipality`` matching ``query`` and the filters, best first.

    ``district`` is a district name (行政地区), ``target`` and ``category`` are term codes
    (``sasaeai.directory.taxonomies``), ``weekday`` is 0 (Monday) – 6 (Sunday), ``free``
    True for free services only.

    Up to ``COUNT_LIMIT`` (1,000) matches: two queries (the matches, the page's rows) and
    the exact total. More: the total is ``COUNT_LIMIT`` with ``capped`` True and the page
    is found rank by rank (a few more queries, never reading every match) — unless
    ``exact_total``, which counts them all (for scripts; slower with tens of thousands).
    The page is the same either way (search/sql.py).
    """
    parsed = Query(
        municipality_id=municipality.pk,
        terms=parse_query(query),
        district=district or None,
        target=target or None,
        category=category or None,
        weekday=weekday,
        free=free,
    )
    offset = max(0, offset)
    limit = max(0, min(limit, MAX_LIMIT))
    backend = _backend()
    total, capped, rows = backend.run(parsed, offset=offset, limit=limit, exact_total=exact_total)
    return SearchResult(total=total, results=[_hit(row) for row in rows], capped=capped)


def _backend() -> _Backend:
    if connection.vendor == "postgresql":
        from sasaeai.directory.search import postgres

        return postgres
    from sasaeai.directory.search import sqlite

    return sqlite


class _Backend(Protocol):  # what search/sqlite.py and search/postgres.py provide
    def run(
        self, query: Query, *, offset: int, limit: int, exact_total: bool
    ) -> tuple[int, bool, list[tuple[object, ...]]]: ...


def _lines(value: str) -> list[str]:
    return [line for line in value.split("\n") if line]


def _hit(row: tuple[object, ...]) -> ServiceHit:
    (
        service_id,
        name,
        name_kana,
        organization,
        districts,
        categories,
        targets,
        is_demo,
        rank,
    ) = row
    return ServiceHit(
        id=service_id if isinstance(service_id, uuid.UUID) else uuid.UUID(str(service_id)),
        name=str(name),
        name_kana=str(name_kana),
        organization=str(organization),
        districts=_lines(str(districts)),
        categories=_lines(str(categories)),
        targets=_lines(str(targets)),
        rank=int(str(rank)),
        is_demo=bool(is_demo),
    )
