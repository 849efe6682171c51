"""HSDS 3.0 read API of the directory, no login: /api/v1/hsds/{code}/...

Follows HSDS's own API (schema/openapi.json in data/hsds-3.0): paginated lists with
``total_items``, ``total_pages``, ``page_number``, ``size``, ``first_page``, ``last_page``,
``empty`` and ``contents``. Read-only, only the *active* services of the municipality
(and the organisations, places and terms they use). Errors are the API's JSON errors with
Japanese messages. Reads: ``directory.selectors.hsds``.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_noop
from ninja import Router

from sasaeai.accounts.models import Municipality
from sasaeai.directory.exporting import hsds
from sasaeai.directory.selectors import hsds as hsds_selectors
from sasaeai.directory.selectors.hsds import PageRequest, ServiceFilters

MUNICIPALITY_CODE = re.compile(r"[0-9]{6}")

router = Router(tags=[gettext_noop("地域資源情報（HSDS 3.0、公開）")])


def _municipality(code: str) -> Municipality:
    if not MUNICIPALITY_CODE.fullmatch(code):  # NUL, or too long for the column: none such
        raise Http404
    return get_object_or_404(Municipality, code=code)


@router.get("/{code}/", summary=gettext_noop("この API と HSDS の関係（版とプロフィール）"))
def info(request: HttpRequest, code: str) -> dict[str, Any]:
    _municipality(code)
    return hsds.api_info(request.build_absolute_uri("/api/v1/openapi.json"))


@router.get("/{code}/services", summary=gettext_noop("サービスの一覧（実施中のみ、ページ分け）"))
def services(
    request: HttpRequest,
    code: str,
    search: str = "",
    taxonomy_term_id: str = "",
    taxonomy_id: str = "",
    organization_id: str = "",
    modified_after: str = "",
    page: int = 1,
    per_page: int = hsds_selectors.DEFAULT_PER_PAGE,
    full: bool = False,
    full_service: bool = False,
) -> dict[str, Any]:
    """full=true（または full_service=true）で入れ子のすべての項目を返します。"""
    filters = ServiceFilters(
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        organization_id=organization_id,
        modified_after=modified_after,
    )
    return hsds_selectors.services_page(
        _municipality(code), filters, PageRequest(page, per_page), full=full or full_service
    )


@router.get(
    "/{code}/services/{service_id}", summary=gettext_noop("サービス1件（入れ子のすべての項目）")
)
def service(request: HttpRequest, code: str, service_id: str) -> dict[str, Any]:
    found = hsds_selectors.service_detail(_municipality(code), service_id)
    if found is None:
        raise Http404
    return found


@router.get(
    "/{code}/organizations", summary=gettext_noop("団体の一覧（実施中のサービスがある団体）")
)
def organizations(
    request: HttpRequest,
    code: str,
    search: str = "",
    page: int = 1,
    per_page: int = hsds_selectors.DEFAULT_PER_PAGE,
) -> dict[str, Any]:
    return hsds_selectors.organizations_page(
        _municipality(code), search, PageRequest(page, per_page)
    )


@router.get(
    "/{code}/organizations/{organization_id}", summary=gettext_noop("団体1件とそのサービス")
)
def organization(
    request: HttpRequest, code: str, organization_id: str, full_service: bool = False
) -> dict[str, Any]:
    found = hsds_selectors.organization_detail(
        _municipality(code), organization_id, full_service=full_service
    )
    if found is None:
        raise Http404
    return found


@router.get("/{code}/taxonomies", summary=gettext_noop("分類体系の一覧"))
def taxonomies(
    request: HttpRequest, code: str, page: int = 1, per_page: int = hsds_selectors.DEFAULT_PER_PAGE
) -> dict[str, Any]:
    return hsds_selectors.taxonomies_page(_municipality(code), PageRequest(page, per_page))


@router.get("/{code}/taxonomy_terms", summary=gettext_noop("分類の語の一覧"))
def taxonomy_terms(
    request: HttpRequest,
    code: str,
    taxonomy_id: str = "",
    parent_id: str = "",
    top_only: bool = False,
    page: int = 1,
    per_page: int = hsds_selectors.DEFAULT_PER_PAGE,
) -> dict[str, Any]:
    return hsds_selectors.taxonomy_terms_page(
        _municipality(code),
        PageRequest(page, per_page),
        taxonomy_id=taxonomy_id,
        parent_id=parent_id,
        top_only=top_only,
    )


@router.get("/{code}/service_at_locations", summary=gettext_noop("サービスと実施場所の組の一覧"))
def service_at_locations(
    request: HttpRequest,
    code: str,
    search: str = "",
    taxonomy_term_id: str = "",
    taxonomy_id: str = "",
    organization_id: str = "",
    modified_after: str = "",
    page: int = 1,
    per_page: int = hsds_selectors.DEFAULT_PER_PAGE,
) -> dict[str, Any]:
    filters = ServiceFilters(
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        organization_id=organization_id,
        modified_after=modified_after,
    )
    return hsds_selectors.service_at_locations_page(
        _municipality(code), filters, PageRequest(page, per_page)
    )
