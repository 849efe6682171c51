"""The HSDS 3.0 read API: no login, only active services, HSDS-valid pages, constant queries."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator

from sasaeai.accounts.models import Municipality
from sasaeai.directory.exporting import schemas
from sasaeai.directory.importing.service import directory_import_apply
from sasaeai.directory.models import Contact, Service, TaxonomyTerm
from tests.directory.builders import (
    build_accessibility,
    build_contact,
    build_cost_option,
    build_language,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "directory"
PAGE_FIELDS = [
    "empty",
    "first_page",
    "last_page",
    "page_number",
    "size",
    "total_items",
    "total_pages",
]


def _import(municipality: Municipality, *names: str) -> None:
    for name in names:
        result = directory_import_apply(
            actor="cli:test",
            municipality=municipality,
            data=(DATA / name).read_bytes(),
            filename=name,
        )
        assert result.errors == []


@pytest.fixture
def filled(kamakura: Municipality) -> Municipality:
    _import(kamakura, "kaigo_cp932.csv", "iryo_swapped.csv", "hsds_services.json")
    return kamakura


def _valid(schema: str, value: Any) -> list[str]:
    return [error.message for error in schemas.validator(schema).iter_errors(value)]


def test_info(client: Client, kamakura: Municipality) -> None:
    body = client.get("/api/v1/hsds/142042/").json()
    assert body == {
        "version": "3.0",
        "profile": "urn:sasaeai:hsds-profile:ja-jp:1",
        "openapi_url": "http://testserver/api/v1/openapi.json",
    }
    assert client.get("/api/v1/hsds/999999/").status_code == 404


def test_services_page_is_hsds(client: Client, filled: Municipality) -> None:
    response = client.get("/api/v1/hsds/142042/services", {"per_page": 2})
    assert response.status_code == 200
    body = response.json()
    # 3 kaigo + 2 iryo + 1 active hsds; the temporarily closed one is hidden
    assert {key: body[key] for key in PAGE_FIELDS} == {
        "empty": False,
        "first_page": True,
        "last_page": False,
        "page_number": 1,
        "size": 2,
        "total_items": 6,
        "total_pages": 3,
    }
    page_schema = schemas.load("openapi.json")["components"]["schemas"]["Page"]
    assert [e.message for e in Draft202012Validator(page_schema).iter_errors(body)] == []
    assert set(page_schema["properties"]) == set(PAGE_FIELDS)
    for item in body["contents"]:
        assert _valid("compiled/service_list.json", item) == []
    last = client.get("/api/v1/hsds/142042/services", {"per_page": 2, "page": 3}).json()
    assert (last["last_page"], last["size"]) == (True, 2)
    names = [
        s["name"]
        for s in client.get("/api/v1/hsds/142042/services", {"per_page": 100}).json()["contents"]
    ]
    assert "配食サービスかまくら（架空）" not in names
    full = client.get("/api/v1/hsds/142042/services", {"full": "true", "per_page": "100"}).json()
    for item in full["contents"]:
        assert _valid("service.json", item) == []
    assert any(item["service_at_locations"] for item in full["contents"])


def test_filters(client: Client, filled: Municipality) -> None:
    elderly = TaxonomyTerm.objects.get(municipality=filled, code="elderly")
    body = client.get("/api/v1/hsds/142042/services", {"taxonomy_term_id": str(elderly.pk)}).json()
    assert body["total_items"] == 4  # 3 kaigo + the salon
    salon = Service.objects.get(source_id="0d6a4c1e-5b0a-4b7e-9e0f-1a2b3c4d5e01")
    by_org = client.get(
        "/api/v1/hsds/142042/services", {"organization_id": str(salon.organization_id)}
    ).json()
    assert [s["name"] for s in by_org["contents"]] == ["いきいきサロン大船（架空）"]
    later = client.get(
        "/api/v1/hsds/142042/services", {"modified_after": "2999-01-01T00:00:00+09:00"}
    ).json()
    assert (later["total_items"], later["empty"]) == (0, True)
    found = client.get("/api/v1/hsds/142042/services", {"search": "サロン"}).json()
    assert [s["name"] for s in found["contents"]] == ["いきいきサロン大船（架空）"]


def test_detail_and_other_lists(client: Client, filled: Municipality) -> None:
    salon = Service.objects.get(source_id="0d6a4c1e-5b0a-4b7e-9e0f-1a2b3c4d5e01")
    detail = client.get(f"/api/v1/hsds/142042/services/{salon.pk}").json()
    assert _valid("service.json", detail) == []
    assert detail["schedules"][0]["byday"] == "2WE,4WE"
    closed = Service.objects.get(source_id="not-a-uuid-service-2")
    assert client.get(f"/api/v1/hsds/142042/services/{closed.pk}").status_code == 404
    organizations = client.get("/api/v1/hsds/142042/organizations", {"per_page": 100}).json()
    assert organizations["total_items"] == 5  # the closed service's organisation is hidden
    for item in organizations["contents"]:
        assert _valid("compiled/organization_list.json", item) == []
    org = client.get(
        f"/api/v1/hsds/142042/organizations/{salon.organization_id}", {"full_service": "true"}
    ).json()
    assert _valid("organization.json", org) == []
    assert [s["name"] for s in org["services"]] == ["いきいきサロン大船（架空）"]
    taxonomies = client.get("/api/v1/hsds/142042/taxonomies").json()
    assert sorted(t["name"] for t in taxonomies["contents"]) == ["Open Eligibility", "分類", "対象"]
    for item in taxonomies["contents"]:
        assert _valid("taxonomy.json", item) == []
    terms = client.get("/api/v1/hsds/142042/taxonomy_terms", {"per_page": 100}).json()
    assert terms["total_items"] == TaxonomyTerm.objects.filter(municipality=filled).count()
    for item in terms["contents"]:
        assert _valid("taxonomy_term.json", item) == []
    pairs = client.get("/api/v1/hsds/142042/service_at_locations", {"per_page": 100}).json()
    assert pairs["total_items"] == 6
    for item in pairs["contents"]:
        assert _valid("compiled/service_at_location_list.json", item) == []


def test_errors_are_json_in_japanese(client: Client, filled: Municipality) -> None:
    assert client.get("/api/v1/hsds/999999/services").json() == {
        "code": "not_found",
        "message": "指定されたデータは見つかりませんでした。",
    }
    bad_page = client.get("/api/v1/hsds/142042/services", {"page": 0})
    assert (bad_page.status_code, bad_page.json()) == (
        400,
        {"code": "invalid_page", "message": "page は 1 以上の整数で指定してください。"},
    )
    bad_id = client.get("/api/v1/hsds/142042/services/xyz").json()
    assert bad_id == {"code": "invalid_id", "message": "id は UUID で指定してください（「xyz」）。"}
    bad_date = client.get("/api/v1/hsds/142042/services", {"modified_after": "きのう"}).json()
    assert bad_date["code"] == "invalid_datetime"
    assert (
        client.get("/api/v1/hsds/142042/services", {"per_page": 1000}).json()["code"]
        == "invalid_per_page"
    )
    assert client.post("/api/v1/hsds/142042/services").status_code == 405


def test_other_municipality_sees_nothing(
    client: Client, filled: Municipality, fujisawa: Municipality
) -> None:
    body = client.get("/api/v1/hsds/142051/services").json()
    assert (body["total_items"], body["contents"]) == (0, [])
    salon = Service.objects.get(source_id="0d6a4c1e-5b0a-4b7e-9e0f-1a2b3c4d5e01")
    assert client.get(f"/api/v1/hsds/142051/services/{salon.pk}").status_code == 404


def _add_details(municipality: Municipality) -> None:
    """A contact with a phone (with a language), a language, a cost option and, at each
    location, accessibility and a contact, for every service that has none yet."""
    for service in Service.objects.filter(municipality=municipality, contacts=None):
        contact = build_contact(service, name="窓口", phones=["0467-00-5555"])
        build_language(contact.phones.get(), name="英語", code="en")
        build_language(service, name="日本語", code="ja")
        build_cost_option(service, option="利用料", amount=Decimal(100))
        for sal in service.at_locations.all():
            build_accessibility(sal.location, description="段差なし")
            build_contact(sal.location, department="受付")
            build_language(sal.location, name="日本語", code="ja")
        build_contact(service.organization, name="事務局")


@pytest.mark.parametrize("full", ["false", "true"])
def test_constant_queries(
    client: Client, kamakura: Municipality, django_assert_num_queries: Any, full: str
) -> None:
    # full: count, page, 6 prefetches, attributes, and one query each for contacts, their
    # phones, languages, accessibility and cost options
    _import(kamakura, "iryo_swapped.csv")
    _add_details(kamakura)
    with django_assert_num_queries(15 if full == "true" else 3):
        client.get("/api/v1/hsds/142042/services", {"full": full})
    _import(kamakura, "kaigo_cp932.csv", "kosodate_utf8bom.csv", "aed.csv")
    _add_details(kamakura)
    assert Contact.objects.filter(municipality=kamakura).count() > 20
    with django_assert_num_queries(15 if full == "true" else 3):
        client.get("/api/v1/hsds/142042/services", {"full": full})


def test_details_in_full_services_and_organizations(client: Client, filled: Municipality) -> None:
    salon = Service.objects.get(source_id="0d6a4c1e-5b0a-4b7e-9e0f-1a2b3c4d5e01")
    _add_details(filled)
    detail = client.get(f"/api/v1/hsds/142042/services/{salon.pk}").json()
    assert _valid("service.json", detail) == []
    assert [
        (c["name"], [(p["number"], [lang["code"] for lang in p["languages"]]) for p in c["phones"]])
        for c in detail["contacts"]
    ] == [("窓口", [("0467-00-5555", ["en"])])]
    assert [item["code"] for item in detail["languages"]] == ["ja"]
    assert [(o["option"], o["amount"], o["currency"]) for o in detail["cost_options"]] == [
        ("利用料", 100, "JPY")
    ]
    location = detail["service_at_locations"][0]["location"]
    assert [a["description"] for a in location["accessibility"]] == ["段差なし"]
    assert [c["department"] for c in location["contacts"]] == ["受付"]
    assert [c["name"] for c in detail["organization"]["contacts"]] == ["事務局"]
    full = client.get("/api/v1/hsds/142042/services", {"full": "true", "per_page": 100}).json()
    for item in full["contents"]:
        assert _valid("service.json", item) == []
    assert all(item["cost_options"] for item in full["contents"])
    org = client.get(f"/api/v1/hsds/142042/organizations/{salon.organization_id}").json()
    assert _valid("organization.json", org) == []
    assert [c["name"] for c in org["contacts"]] == ["事務局"]
    organizations = client.get("/api/v1/hsds/142042/organizations", {"per_page": 100}).json()
    for item in organizations["contents"]:
        assert _valid("compiled/organization_list.json", item) == []
        assert "contacts" not in item
