"""``directory_export``: a municipality's directory as HSDS 3.0 files.

- ``hsds-json``: ``services.json`` (fully nested service objects), ``organizations.json``,
  ``taxonomies.json``, ``taxonomy_terms.json`` (the municipality's own and the profile's);
- ``hsds-csv``: the tabular format, ``datapackage.json`` and one CSV per HSDS table.

Every service of the municipality is written, whatever its status (the read API shows only
active ones). A fixed number of queries whatever the size.
"""

from __future__ import annotations

import json
from typing import Any, Final

from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.core.errors import DomainError
from sasaeai.directory.exporting import hsds, tabular
from sasaeai.directory.models import Organization, Taxonomy, TaxonomyTerm

FORMATS: Final = ("hsds-json", "hsds-csv")


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")


def service_objects(municipality: Municipality) -> list[dict[str, Any]]:
    services = hsds.services_queryset(municipality).order_by("name_kana", "name", "id")
    loaded = hsds.load_services(municipality, services)
    return [hsds.service_object(loaded, service) for service in loaded.services]


def taxonomy_objects(
    municipality: Municipality,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    taxonomies = [
        hsds.taxonomy_object(t) for t in Taxonomy.objects.filter(municipality=municipality)
    ]
    terms = [
        hsds.taxonomy_term_object(term, detail=False)
        for term in TaxonomyTerm.objects.filter(municipality=municipality).select_related(
            "taxonomy"
        )
    ]
    taxonomies.append(hsds.profile_taxonomy(municipality))
    terms += hsds.profile_terms(municipality)
    return taxonomies, terms


def directory_export(*, municipality: Municipality, fmt: str) -> dict[str, bytes]:
    """File name → contents for the chosen format."""
    if fmt not in FORMATS:
        raise DomainError(
            code="unknown_format",
            message=_("形式「{fmt}」はありません。{formats} のいずれかを指定してください。").format(
                fmt=fmt, formats="、".join(FORMATS)
            ),
        )
    services = service_objects(municipality)
    taxonomies, terms = taxonomy_objects(municipality)
    if fmt == "hsds-json":
        rows = list(
            Organization.objects.filter(municipality=municipality).order_by(
                "name_kana", "name", "id"
            )
        )
        loaded = hsds.load_organizations(municipality, rows)
        organizations = [hsds.organization_object(org, loaded=loaded) for org in rows]
        return {
            "services.json": _dump(services),
            "organizations.json": _dump(organizations),
            "taxonomies.json": _dump(taxonomies),
            "taxonomy_terms.json": _dump(terms),
        }
    tables = tabular.flatten(services)
    for taxonomy in taxonomies:
        tables["taxonomy"].setdefault(taxonomy["id"], taxonomy)
    for term in terms:
        tables["taxonomy_term"].setdefault(term["id"], term)
    for org in Organization.objects.filter(municipality=municipality):
        tables["organization"].setdefault(str(org.pk), hsds.organization_object(org))
    return tabular.write_package(
        tables,
        name=f"sasaeai-{municipality.code}",
        title=_("{municipality}の地域資源情報（HSDS 3.0）").format(municipality=municipality),
    )
