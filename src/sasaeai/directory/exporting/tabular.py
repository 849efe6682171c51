"""Nested HSDS objects ⇄ the tabular format (one CSV per table, datapackage.json).

``flatten`` walks fully nested service objects and yields one row per object per table,
setting the parent's id column (``service_id``, ``location_id`` …) where HSDS has one;
``nest`` does the reverse for the importer: a row is nested under every parent its id
columns name (a phone with both ``service_id`` and ``location_id`` is given to both; a
language with a ``phone_id`` also to that phone, a phone with a ``contact_id`` to that
contact). Columns are exactly those of ``schema/compiled/tabular.json``.

Formula injection: every text cell goes through :func:`sasaeai.core.csvfile.guard_text` (an
apostrophe before a leading ``= + - @``, tab or carriage return), the guard every CSV export
uses; numbers, and text that is just a number (``bymonthday`` ``-1``), are written as they are.
``nest`` takes the apostrophe off again (``unguard_text``), so our export round-trips through
the importer unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sasaeai.core.csvfile import FORMULA_PREFIXES, guard_text
from sasaeai.directory.exporting import schemas

# nested key → table name
CHILD_TABLES: dict[str, str] = {
    "organization": "organization",
    "program": "program",
    "programs": "program",
    "phones": "phone",
    "schedules": "schedule",
    "service_at_locations": "service_at_location",
    "location": "location",
    "locations": "location",
    "addresses": "address",
    "attributes": "attribute",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
    "contacts": "contact",
    "languages": "language",
    "accessibility": "accessibility",
    "cost_options": "cost_option",
    "funding": "funding",
    "required_documents": "required_document",
    "service_areas": "service_area",
    "metadata": "metadata",
    "organization_identifiers": "organization_identifier",
}
PARENT_COLUMN: dict[str, str] = {
    "service": "service_id",
    "location": "location_id",
    "organization": "organization_id",
    "service_at_location": "service_at_location_id",
    "contact": "contact_id",
    "phone": "phone_id",
}


def flatten(services: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """table name → id → row (HSDS column → value) for nested service objects."""
    tables: dict[str, dict[str, dict[str, Any]]] = {spec.name: {} for spec in schemas.tables()}

    def visit(table: str, obj: Mapping[str, Any], parent: tuple[str, str] | None) -> None:
        spec = schemas.table(table)
        row = {column: obj[column] for column in spec.columns if column in obj}
        if parent is not None:
            parent_table, parent_id = parent
            column = PARENT_COLUMN.get(parent_table)
            if column in spec.columns and column not in row:
                row[column] = parent_id
        if table == "service" and "organization" in obj and "organization_id" not in row:
            row["organization_id"] = obj["organization"]["id"]
        current = tables[table].setdefault(str(obj["id"]), {})
        current.update(row)
        for key, value in obj.items():
            child = CHILD_TABLES.get(key)
            if child is None or value is None:
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Mapping) and "id" in item:
                    visit(child, item, (table, str(obj["id"])))

    for service in services:
        visit("service", service, None)
    return tables


_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and not _NUMBER.fullmatch(value):
        return guard_text(value)
    return str(value)


def unguard_text(value: str) -> str:
    """The text ``guard_text`` protected: without the apostrophe it put before a formula-like
    start (a cell written ``'=1+2`` reads ``=1+2``); anything else as it is."""
    if len(value) > 2 and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def write_csv(spec: schemas.TableSpec, rows: Iterable[Mapping[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(spec.columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in spec.columns])
    return buffer.getvalue().encode("utf-8")


def datapackage(name: str, title: str) -> dict[str, Any]:
    """The Frictionless datapackage.json describing every table."""
    resources = []
    for spec in schemas.tables():
        fields = []
        for column in spec.columns:
            item: dict[str, Any] = {"name": column, "type": spec.types[column]}
            fmt = spec.formats.get(column)
            if fmt in {"email", "uri", "uuid"}:
                item["format"] = fmt
            if column in spec.required:
                item["constraints"] = {"required": True}
            fields.append(item)
        resources.append(
            {
                "name": spec.name,
                "path": spec.path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": fields, "primaryKey": "id"},
            }
        )
    return {
        "name": name,
        "title": title,
        "profile": "tabular-data-package",
        "version": schemas.HSDS_VERSION,
        "licenses": [],
        "resources": resources,
    }


def write_package(
    tables: Mapping[str, Mapping[str, Mapping[str, Any]]], *, name: str, title: str
) -> dict[str, bytes]:
    """File name → bytes: datapackage.json and one CSV per HSDS table (header only if empty)."""
    files: dict[str, bytes] = {
        "datapackage.json": json.dumps(
            datapackage(name, title), ensure_ascii=False, indent=2
        ).encode("utf-8")
    }
    for spec in schemas.tables():
        rows = sorted(tables.get(spec.name, {}).values(), key=lambda row: str(row.get("id")))
        files[spec.path] = write_csv(spec, rows)
    return files


def nest(tables: Mapping[str, list[dict[str, str]]]) -> list[dict[str, Any]]:
    """Tabular rows (as read from CSV, all text) → nested service objects, for the importer.
    Cells lose the apostrophe the export's formula guard put before them (``unguard_text``)."""
    unguarded = {
        name: [{key: unguard_text(value) for key, value in row.items()} for row in table]
        for name, table in tables.items()
    }

    def rows(name: str) -> list[dict[str, str]]:
        return unguarded.get(name, [])

    def by(name: str, column: str) -> dict[str, list[dict[str, Any]]]:
        index: dict[str, list[dict[str, Any]]] = {}
        for row in rows(name):
            if row.get(column):
                index.setdefault(row[column], []).append(dict(row))
        return index

    def clean(row: Mapping[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in row.items() if value not in {"", None}}

    taxonomies = {row["id"]: clean(row) for row in rows("taxonomy") if row.get("id")}
    terms: dict[str, dict[str, Any]] = {}
    for row in rows("taxonomy_term"):
        term = clean(row)
        detail = taxonomies.get(term.get("taxonomy_id", ""))
        if detail:
            term["taxonomy_detail"] = detail
        terms[term["id"]] = term

    def attributes(link_id: str) -> list[dict[str, Any]]:
        found = []
        for row in attributes_by_link.get(link_id, []):
            attribute = clean(row)
            term = terms.get(attribute.get("taxonomy_term_id", ""))
            if term:
                attribute["taxonomy_term"] = term
            found.append(attribute)
        return found

    attributes_by_link = by("attribute", "link_id")
    organizations = {row["id"]: clean(row) for row in rows("organization") if row.get("id")}
    phones_by = {
        column: by("phone", column) for column in ("service_id", "location_id", "organization_id")
    }
    schedules_by = {column: by("schedule", column) for column in ("service_id", "location_id")}
    contacts_by = {
        column: by("contact", column) for column in ("service_id", "location_id", "organization_id")
    }
    contact_phones = by("phone", "contact_id")
    languages_by = {
        column: by("language", column) for column in ("service_id", "location_id", "phone_id")
    }
    accessibility = by("accessibility", "location_id")
    cost_options = by("cost_option", "service_id")
    addresses = by("address", "location_id")
    locations = {row["id"]: clean(row) for row in rows("location") if row.get("id")}
    sal_by_service = by("service_at_location", "service_id")

    def schedule(row: Mapping[str, Any]) -> dict[str, Any]:
        value = clean(row)
        value["attributes"] = attributes(value["id"])
        return value

    def phone(row: Mapping[str, Any]) -> dict[str, Any]:
        value = clean(row)
        found = languages_by["phone_id"].get(value.get("id", ""), [])
        value["languages"] = [clean(language) for language in found]
        return value

    def contact(row: Mapping[str, Any]) -> dict[str, Any]:
        value = clean(row)
        value["phones"] = [phone(p) for p in contact_phones.get(value.get("id", ""), [])]
        return value

    def details(value: dict[str, Any], owner: str, owner_id: str) -> None:
        value["contacts"] = [contact(c) for c in contacts_by[owner].get(owner_id, [])]
        if owner != "organization_id":
            value["languages"] = [clean(item) for item in languages_by[owner].get(owner_id, [])]

    def location(location_id: str) -> dict[str, Any] | None:
        base = locations.get(location_id)
        if base is None:
            return None
        value = dict(base)
        value["addresses"] = [clean(a) for a in addresses.get(location_id, [])]
        value["phones"] = [phone(p) for p in phones_by["location_id"].get(location_id, [])]
        value["schedules"] = [schedule(s) for s in schedules_by["location_id"].get(location_id, [])]
        details(value, "location_id", location_id)
        value["accessibility"] = [clean(a) for a in accessibility.get(location_id, [])]
        value["attributes"] = attributes(location_id)
        return value

    services = []
    for row in rows("service"):
        service: dict[str, Any] = clean(row)
        service_id = service.get("id", "")
        org = organizations.get(service.get("organization_id", ""))
        if org is not None:
            service["organization"] = {**org, "attributes": attributes(org["id"])}
            details(service["organization"], "organization_id", org["id"])
        service["phones"] = [phone(p) for p in phones_by["service_id"].get(service_id, [])]
        service["schedules"] = [schedule(s) for s in schedules_by["service_id"].get(service_id, [])]
        details(service, "service_id", service_id)
        service["cost_options"] = [clean(c) for c in cost_options.get(service_id, [])]
        service["service_at_locations"] = []
        for sal in sal_by_service.get(service_id, []):
            item = clean(sal)
            nested = location(item.get("location_id", ""))
            if nested is not None:
                item["location"] = nested
            service["service_at_locations"].append(item)
        service["attributes"] = attributes(service_id)
        services.append(service)
    return services
