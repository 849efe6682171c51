"""Building the search index rows (``SearchEntry``) of services; the same on every backend."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_noop

from sasaeai.accounts.models import Municipality
from sasaeai.core.textnorm import fold, reading
from sasaeai.directory import schedules as schedule_rules
from sasaeai.directory.models import (
    Address,
    Attribute,
    Frequency,
    LinkEntity,
    Schedule,
    SearchEntry,
    SearchText,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)
from sasaeai.directory.readings import place_readings
from sasaeai.directory.taxonomies import CATEGORY_TAXONOMY, TARGET_TAXONOMY

PUBLIC_STATUSES = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)
DEMO_NAME_MARK = gettext_noop("（架空）")
DEMO_MARK = fold(DEMO_NAME_MARK)
CHUNK = 1000
T = TypeVar("T")


def index_services(
    municipality: Municipality, service_ids: Iterable[uuid.UUID] | None = None
) -> None:
    """Rebuild the index rows of ``service_ids`` (services that no longer exist lose their
    row), or of all the municipality's services when ``service_ids`` is None.

    Runs in the caller's transaction when there is one; callers (imports, staff edits,
    the demo) call it after their writes. Reads plain values, not model instances: about
    six queries per thousand services.
    """
    wanted = None if service_ids is None else list(dict.fromkeys(service_ids))
    if wanted == []:
        return
    known = place_readings(municipality)  # for names without よみがな
    with transaction.atomic():
        if wanted is None:
            SearchEntry.objects.filter(municipality=municipality).delete()
            ids = Service.objects.filter(municipality=municipality).order_by("pk")
            for id_chunk in _chunks(ids.values_list("pk", flat=True).iterator(), CHUNK):
                _write(municipality, id_chunk, known)
            return
        for id_chunk in _chunks(iter(wanted), CHUNK):
            SearchEntry.objects.filter(municipality=municipality, service_id__in=id_chunk).delete()
            _write(municipality, id_chunk, known)


def _chunks(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while True:
        chunk = list(itertools.islice(items, size))
        if not chunk:
            return
        yield chunk


@dataclass
class _Source:
    """What the index row of one service is made of."""

    service: dict[str, Any]
    districts: list[tuple[str, str]] = field(default_factory=list)  # (name, reading)
    places: list[str] = field(default_factory=list)
    weekdays: int = 0
    targets: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    categories: list[tuple[str, str]] = field(default_factory=list)


_SERVICE_FIELDS = (
    "pk", "municipality_id", "name", "name_kana", "alternate_name", "description",
    "eligibility_description", "status", "is_free", "is_demo", "organization__name",
    "organization__name_kana",
)  # fmt: skip
_PLACE_FIELDS = (
    "service_id", "location_id", "location__name", "location__name_kana",
    "location__district__name", "location__district__reading", "location__town__name",
    "location__town__reading", "location__town__district__name",
    "location__town__district__reading",
)  # fmt: skip


def _sources(municipality: Municipality, ids: Sequence[uuid.UUID]) -> list[_Source]:
    sources = {
        row["pk"]: _Source(service=row)
        for row in Service.objects.filter(municipality=municipality, pk__in=ids).values(
            *_SERVICE_FIELDS
        )
    }
    if not sources:
        return []
    found = list(sources)
    location_services: dict[uuid.UUID, list[_Source]] = {}
    for row in ServiceAtLocation.objects.filter(service_id__in=found).values(*_PLACE_FIELDS):
        source = sources[row["service_id"]]
        district = (row["location__district__name"], row["location__district__reading"])
        if district[0] is None:
            district = (
                row["location__town__district__name"],
                row["location__town__district__reading"],
            )
        if district[0] is not None and district not in source.districts:
            source.districts.append(district)
        source.places += [
            row["location__town__name"] or "",
            row["location__town__reading"] or "",
            row["location__name"],
            row["location__name_kana"],
        ]
        location_services.setdefault(row["location_id"], []).append(source)
    if location_services:
        for row in Address.objects.filter(location_id__in=list(location_services)).values(
            "location_id", "address_1", "address_2"
        ):
            for source in location_services[row["location_id"]]:
                source.places += [row["address_1"], row["address_2"]]
    for row in Schedule.objects.filter(
        Q(service_id__in=found) | Q(service_at_location__service_id__in=found)
    ).values("service_id", "service_at_location__service_id", "freq", "byday"):
        source = sources[row["service_id"] or row["service_at_location__service_id"]]
        if row["freq"] in (Frequency.WEEKLY, Frequency.MONTHLY):
            for day in schedule_rules.parse_byday(row["byday"]):
                source.weekdays |= 1 << day.weekday
    for row in (
        Attribute.objects.filter(link_entity=LinkEntity.SERVICE, link_id__in=found)
        .order_by("taxonomy_term__position", "taxonomy_term__name")
        .values(
            "link_id", "taxonomy_term__code", "taxonomy_term__name", "taxonomy_term__taxonomy__name"
        )
    ):
        term = (row["taxonomy_term__code"], row["taxonomy_term__name"])
        taxonomy = row["taxonomy_term__taxonomy__name"]
        if taxonomy == TARGET_TAXONOMY:
            sources[row["link_id"]].targets.append(term)
        elif taxonomy == CATEGORY_TAXONOMY:
            sources[row["link_id"]].categories.append(term)
    return list(sources.values())


def _write(municipality: Municipality, ids: Sequence[uuid.UUID], known: Mapping[str, str]) -> None:
    rows = [entry(source, known) for source in _sources(municipality, ids)]
    entries = SearchEntry.objects.bulk_create([row for row, _text in rows], batch_size=500)
    texts = []
    for saved, (_row, text) in zip(entries, rows, strict=True):
        text.entry_id = saved.pk
        texts.append(text)
    SearchText.objects.bulk_create(texts, batch_size=500)


def strip_demo_mark(folded: str) -> str:
    return folded.replace(DEMO_MARK, "")


def entry(
    source: _Source, known: Mapping[str, str] | None = None
) -> tuple[SearchEntry, SearchText]:
    """The result row of one service and its searched row (saved after the result row).
    ``known``: place names and their readings, for a service without よみがな."""
    service = source.service
    name: str = service["name"]
    name_folded = strip_demo_mark(fold(name))[:300]
    kana = service["name_kana"] or reading(name.replace(DEMO_NAME_MARK, ""), known)
    reading_folded = strip_demo_mark(fold(kana))[:600]
    districts = [district_name for district_name, _reading in source.districts]
    category_names = [name for _code, name in source.categories]
    target_names = [name for _code, name in source.targets]
    pieces = [
        name_folded,
        reading_folded,
        fold(service["alternate_name"]),
        fold(service["organization__name"]),
        fold(service["organization__name_kana"]),
        *map(fold, category_names),
        *map(fold, target_names),
        *(fold(f"{name}\n{reading}") for name, reading in source.districts),
        *map(fold, source.places),
        fold(service["description"]),
        fold(service["eligibility_description"]),
    ]
    pieces = [piece for piece in dict.fromkeys(pieces) if piece]
    names = [piece for piece in dict.fromkeys((name_folded, reading_folded)) if piece]
    is_public = service["status"] in PUBLIC_STATUSES
    keys = filter_keys(
        municipality_id=service["municipality_id"],
        is_public=is_public,
        districts=districts,
        categories=[code for code, _name in source.categories],
        targets=[code for code, _name in source.targets],
        weekdays=[day for day in range(7) if source.weekdays & (1 << day)],
        is_free=service["is_free"],
    )
    return SearchEntry(
        municipality_id=service["municipality_id"],
        service_id=service["pk"],
        name=name,
        name_kana=service["name_kana"],
        organization_name=service["organization__name"],
        district_names="\n".join(districts),
        category_names="\n".join(category_names),
        target_names="\n".join(target_names),
        is_demo=service["is_demo"],
    ), SearchText(
        municipality_id=service["municipality_id"],
        is_public=is_public,
        filter_keys=" " + " ".join(keys) + " ",
        name_folded=name_folded,
        reading_folded=reading_folded,
        sort_key=reading_folded or name_folded,
        name=name[:300],
        service_uuid=service["pk"],
        body=" ".join(pieces),
        bigrams=" ".join(bigrams(pieces)),
        names=" ".join(names),
        name_bigrams=" ".join(bigrams(names)),
    )


def filter_keys(
    *,
    municipality_id: int,
    is_public: bool | None = None,
    districts: Iterable[str] = (),
    categories: Iterable[str] = (),
    targets: Iterable[str] = (),
    weekdays: Iterable[int] = (),
    is_free: bool | None = None,
) -> list[str]:
    """The filter tokens of a service, or those a search asks for: the same function both
    ways, so that a filter matches exactly when the token is there. Spaces in names
    become ``_`` (tokens are space-separated)."""
    keys = [f"m:{municipality_id}"]
    if is_public is not None:
        keys.append(f"p:{int(is_public)}")
    keys += [f"d:{_token(name)}" for name in districts]
    keys += [f"c:{_token(code)}" for code in categories]
    keys += [f"t:{_token(code)}" for code in targets]
    keys += [f"w:{day}" for day in weekdays]
    if is_free is not None:
        keys.append(f"f:{int(is_free)}")
    return list(dict.fromkeys(keys))


def _token(value: str) -> str:
    return "_".join(value.split())


def bigrams(pieces: Iterable[str]) -> list[str]:
    """The distinct two-character pieces of letters and digits in ``pieces``, sorted."""
    found: set[str] = set()
    for piece in pieces:
        found.update(map(str.__add__, piece, piece[1:]))
    return sorted(pair for pair in found if pair.isalnum())
