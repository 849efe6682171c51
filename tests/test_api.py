"""The JSON API: its OpenAPI document, and errors that are JSON with a Japanese message."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sasaeai.accounts import services
from sasaeai.accounts.models import Municipality, User
from sasaeai.accounts.roles import Role


def test_openapi_document_lists_the_endpoints(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "ささえあい API"
    assert sorted(document["paths"]) == [
        "/api/v1/fiscal-years/parse",
        "/api/v1/hsds/{code}/",
        "/api/v1/hsds/{code}/organizations",
        "/api/v1/hsds/{code}/organizations/{organization_id}",
        "/api/v1/hsds/{code}/service_at_locations",
        "/api/v1/hsds/{code}/services",
        "/api/v1/hsds/{code}/services/{service_id}",
        "/api/v1/hsds/{code}/taxonomies",
        "/api/v1/hsds/{code}/taxonomy_terms",
        "/api/v1/me",
        "/api/v1/municipalities",
        "/api/v1/municipalities/{code}",
        "/api/v1/plainlang/check",
        "/api/v1/plans",
        "/api/v1/plans/{plan_id}/indicators",
        "/api/v1/plans/{plan_id}/initiatives",
        "/api/v1/plans/{plan_id}/tree",
        "/api/v1/public/{code}/plans",
        "/api/v1/public/{code}/plans/{plan_id}",
        "/api/v1/public/{code}/plans/{plan_id}/indicators",
        "/api/v1/public/{code}/plans/{plan_id}/initiatives/{number}",
    ]


@pytest.mark.django_db
def test_unknown_api_path_is_json_404(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "not_found",
        "message": "お探しのページは見つかりませんでした。",
    }


@pytest.mark.django_db
def test_missing_object_is_json_404(client: Client) -> None:
    response = client.get("/api/v1/municipalities/999999")
    assert (response.status_code, response.json()) == (
        404,
        {"code": "not_found", "message": "指定されたデータは見つかりませんでした。"},
    )


@pytest.mark.django_db
def test_validation_error_is_json_422(client: Client) -> None:
    response = client.get("/api/v1/fiscal-years/parse")
    body = response.json()
    assert (response.status_code, body["code"], body["message"]) == (
        422,
        "validation_error",
        "入力内容に誤りがあります。details を確認してください。",
    )
    assert body["details"][0]["field"] == "text"


@pytest.mark.django_db
def test_fiscal_year_parse(client: Client) -> None:
    assert client.get("/api/v1/fiscal-years/parse", {"text": "Ｒ５"}).json() == {
        "fiscal_year": 2023,
        "wareki": "令和5年度",
        "seireki": "2023年度",
    }
    bad = client.get("/api/v1/fiscal-years/parse", {"text": "昭和100年度"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "era_year_out_of_range"
    assert "昭和100年度" in bad.json()["message"]


def test_me_requires_login(client: Client, db: None) -> None:
    response = client.get("/api/v1/me")
    assert (response.status_code, response.json()) == (
        401,
        {"code": "unauthenticated", "message": "ログインが必要です。"},
    )


def test_me(users: dict[str, User], client_for: Callable[[User], Client]) -> None:
    body = client_for(users[Role.DEPARTMENT]).get("/api/v1/me").json()
    assert body == {
        "username": "user-department",
        "display_name": "department の利用者",
        "municipality": {
            "code": "142042",
            "name": "鎌倉市",
            "prefecture": "神奈川県",
            "is_demo": False,
        },
        "memberships": [
            {
                "unit": "高齢者いきいき課",
                "unit_code": "koreisha",
                "role": "department",
                "role_label": "担当課",
            }
        ],
        "two_factor_verified": True,
    }


def test_municipality_with_districts(kamakura: Municipality, client: Client) -> None:
    district = services.district_upsert(
        actor="test", municipality=kamakura, name="大船", reading="おおふな", order=4
    )
    services.town_upsert(actor="test", district=district, name="台", is_demo=True)
    body = client.get("/api/v1/municipalities/142042").json()
    assert body["districts"] == [
        {
            "name": "大船",
            "reading": "おおふな",
            "is_demo": False,
            "towns": [{"name": "台", "reading": "", "is_demo": True}],
        }
    ]


@pytest.mark.django_db
def test_html_404_for_pages(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "お探しのページは見つかりませんでした。" in response.content.decode()
