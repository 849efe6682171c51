"""The public read API (/api/v1/public/…): no login, JSON, published data only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit
from tests.publication.world import PUBLIC_MARK, publish_world

NOT_FOUND = {"code": "not_found", "message": "指定されたデータは見つかりませんでした。"}


@pytest.fixture
def world(kamakura: Municipality, units: dict[str, OrganisationUnit]) -> dict[str, Any]:
    return publish_world(kamakura, units)


def counts(**values: int) -> list[dict[str, Any]]:
    labels = {"A": "順調", "B": "概ね順調", "C": "やや遅れている", "D": "遅れている"}
    return [{"code": c, "label": labels[c], "count": values.get(c, 0)} for c in "ABCD"]


def test_plans(client: Client, world: dict[str, Any]) -> None:
    plan_id = world["plan"].pk
    response = client.get("/api/v1/public/142042/plans")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": plan_id,
            "name": "テスト計画",
            "vision": "ともに",
            "start_fy": 2020,
            "end_fy": 2025,
            "is_demo": False,
            "latest_fiscal_year": 2024,
            "published_years": [
                {"fiscal_year": 2023, "published_at": "2024-10-01T01:00:00+00:00"},
                {"fiscal_year": 2024, "published_at": "2025-10-01T01:00:00+00:00"},
            ],
            "url": f"/m/142042/plan/{plan_id}/",
        }
    ]


def test_plan_detail(client: Client, world: dict[str, Any]) -> None:
    plan_id = world["plan"].pk
    body = client.get(f"/api/v1/public/142042/plans/{plan_id}").json()
    assert (body["fiscal_year"], body["grade_totals"]) == (2024, counts(A=1, B=2))
    assert body["goals"] == [
        {
            "number": 1,
            "name": "相談",
            "description": "",
            "applies_from_fy": None,
            "grade_counts": counts(A=1, B=2),
            "indicator_status_counts": counts(D=1),
            "policies": [
                {
                    "number": 1,
                    "name": "施策一",
                    "types": [
                        {
                            "number": 1,
                            "name": "種類一",
                            "initiatives": [
                                {"number": n, "title": f"取組{n}", "repost_of": None}
                                for n in range(1, 5)
                            ],
                        }
                    ],
                }
            ],
        },
        {
            "number": 2,
            "name": "情報",
            "description": "",
            "applies_from_fy": 2020,
            "grade_counts": counts(),
            "indicator_status_counts": counts(A=1),
            "policies": [
                {
                    "number": 2,
                    "name": "施策二",
                    "types": [
                        {
                            "number": 2,
                            "name": "種類二",
                            "initiatives": [{"number": 5, "title": "取組1", "repost_of": 1}],
                        }
                    ],
                }
            ],
        },
    ]


def test_indicators(client: Client, world: dict[str, Any]) -> None:
    plan_id = world["plan"].pk
    body = client.get(f"/api/v1/public/142042/plans/{plan_id}/indicators").json()
    assert body[1] == {
        "number": 2,
        "goal": 2,
        "name": "相談件数",
        "unit": "件",
        "baseline": "100.000",
        "baseline_fy": 2019,
        "target": "200.000",
        "target_fy": 2025,
        "direction": "increase",
        "source": "業務統計",
        "is_survey": False,
        "values": [
            {"fiscal_year": 2023, "value": "150.000", "note": ""},
            {"fiscal_year": 2024, "value": "210.000", "note": ""},
        ],
        "achievement": "110.0",
        "status": "A",
        "status_label": "順調",
    }
    assert [(i["number"], i["status"], i["achievement"]) for i in body] == [
        (1, "D", "-120.0"),
        (2, "A", "110.0"),
    ]


def test_initiative(client: Client, world: dict[str, Any]) -> None:
    plan_id = world["plan"].pk
    body = client.get(f"/api/v1/public/142042/plans/{plan_id}/initiatives/1").json()
    assert {k: v for k, v in body.items() if k != "years"} == {
        "number": 1,
        "title": "取組1",
        "description": "",
        "goal": 1,
        "policy": 1,
        "type": 1,
        "type_name": "種類一",
        "repost_of": None,
        "predecessors": [],
        "successor": None,
    }
    assert body["years"] == [
        {
            "fiscal_year": fy,
            "units": ["高齢者いきいき課", "福祉総務課"],
            "evaluated": True,
            "results": f"{PUBLIC_MARK}実績{fy}-1",
            "grade": grade,
            "grade_label": label,
            "issues": f"{PUBLIC_MARK}課題{fy}-1",
            "direction": "継続",
            "comments": [
                {
                    "author": "副委員長",
                    "body": f"{PUBLIC_MARK}コメント{fy}",
                    "city_response": f"{PUBLIC_MARK}コメントへの対応{fy}",
                }
            ],
        }
        for fy, grade, label in ((2024, "A", "順調"), (2023, "C", "やや遅れている"))
    ]
    repost = client.get(f"/api/v1/public/142042/plans/{plan_id}/initiatives/5").json()
    assert (repost["repost_of"], [y["evaluated"] for y in repost["years"]]) == (1, [False, False])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/public/999999/plans",
        "/api/v1/public/142042/plans/{plan}9",
        "/api/v1/public/142042/plans/{plan}/indicators/x",
        "/api/v1/public/142042/plans/{plan}/initiatives/99",
    ],
)
def test_not_found_is_json(client: Client, world: dict[str, Any], path: str) -> None:
    response = client.get(path.format(plan=world["plan"].pk))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() in (
        NOT_FOUND,
        {"code": "not_found", "message": "お探しのページは見つかりませんでした。"},
    )
