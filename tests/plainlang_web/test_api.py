"""POST /api/v1/plainlang/check: anonymous but rate-limited, staff allowed more, JSON errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sasaeai.accounts.models import Municipality, User
from sasaeai.accounts.roles import Role
from sasaeai.plainlang.engine import check

URL = "/api/v1/plainlang/check"
RATE_LIMITED = {
    "code": "rate_limited",
    "message": "短時間のリクエストが多すぎます。しばらく待ってから再度お試しください。",
}


def _post(client: Client, body: object, **extra: str) -> object:
    return client.post(URL, body, content_type="application/json", **extra)


@pytest.mark.django_db
def test_anonymous_check_uses_the_default_config(client: Client) -> None:
    response = _post(client, {"text": "アウトリーチを利用することができる。"})
    assert response.status_code == 200
    assert response.json() == check("アウトリーチを利用することができる。").to_dict()
    assert [f["suggestion"] for f in response.json()["findings"]] == ["訪問による支援", "できる"]


def test_municipality_config_is_used(client: Client, configured: Municipality) -> None:
    body = _post(client, {"text": "プラットフォーム", "municipality": "142042"}).json()
    assert [(f["severity"], f["suggestion"]) for f in body["findings"]] == [
        ("error", "活動の場・仕組み")
    ]


@pytest.mark.django_db
def test_unknown_municipality_is_json_404(client: Client) -> None:
    response = _post(client, {"text": "x", "municipality": "999999"})
    assert (response.status_code, response.json()) == (
        404,
        {"code": "not_found", "message": "指定されたデータは見つかりませんでした。"},
    )


@pytest.mark.django_db
def test_text_too_long_is_refused_in_japanese(client: Client) -> None:
    response = _post(client, {"text": "あ" * 100_001})
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": "text_too_long",
            "message": "文章は10万字までにしてください（いまは 100,001 字）。",
        },
    )
    assert _post(client, {"text": "あ" * 100_000}).status_code == 200


@pytest.mark.django_db
def test_missing_text_is_a_validation_error(client: Client) -> None:
    response = _post(client, {"municipality": "142042"})
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert response.json()["details"][0]["field"] == "payload.text"


@pytest.mark.django_db
def test_anonymous_clients_are_limited_to_30_a_minute(client: Client) -> None:
    statuses = [_post(client, {"text": "はい。"}).status_code for _ in range(30)]
    assert statuses == [200] * 30
    response = _post(client, {"text": "はい。"})
    assert (response.status_code, response.json()) == (429, RATE_LIMITED)
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another address has its own count; a forged X-Forwarded-For does not give one.
    assert _post(client, {"text": "はい。"}, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert _post(client, {"text": "はい。"}, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_staff_get_a_higher_limit(
    users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(users[Role.COMMUNITY_GROUP])
    statuses = {_post(client, {"text": "はい。"}).status_code for _ in range(40)}
    assert statuses == {200}


def test_the_api_is_in_the_openapi_document(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/plainlang/check"]["post"]
    assert operation["summary"] == "文章のわかりやすさをチェックする"
    assert sorted(operation["responses"]) == ["200", "400", "404", "422", "429"]


@pytest.mark.django_db
def test_the_limit_can_be_set(client: Client, settings: object) -> None:
    settings.SASAEAI_PLAINLANG_RATE_ANONYMOUS = 2  # type: ignore[attr-defined]
    statuses = [_post(client, {"text": "はい。"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
