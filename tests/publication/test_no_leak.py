"""Nothing unpublished leaks: every public plan page, the feed, every public API endpoint, the
public report list and every report download in all four formats (HTML, PDF text, XLSX cells,
CSV tables).

The routes are discovered from the URL resolver (and checked against the OpenAPI document and
the public list of tests/test_url_access.py), so a new public route is walked without changing
this test. Each is requested with every plan id (published, unpublished, the other tenant's),
a range of numbers and 年度 and every format. The data holds, next to what is published, a
returned evaluation and unpublished reviews in the published 年度, an open and a closed cycle
and a value of a 年度 not published yet (tests/publication/world.py).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver

from sasaeai.accounts import services as accounts_services
from sasaeai.accounts.models import Municipality, OrganisationUnit
from sasaeai.accounts.roles import UnitKind
from sasaeai.plans.models import Plan
from sasaeai.publication.models import ReportFile
from tests.publication.readable import readable
from tests.publication.world import PUBLIC_MARK, SECRET, SECRET_NUMBER, publish_world
from tests.test_url_access import PUBLIC, walk

PAGE_PREFIX = "m/<lgcode:code>/plan/"
REPORT_PREFIX = "m/<lgcode:code>/reports/"
API_PREFIX = "api/v1/public/"
PREFIXES = (PAGE_PREFIX, REPORT_PREFIX, API_PREFIX)
OTHER_TOWN = "藤沢マーカー"
FORMATS = ["html", "pdf", "xlsx", "csv"]


def public_routes() -> list[str]:
    routes = sorted(set(walk(get_resolver().url_patterns)))
    return [r for r in routes if r.startswith(PREFIXES)]


def expand(route: str, values: dict[str, list[str]]) -> Iterator[str]:
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    for combo in itertools.product(*(values[name] for name in names)):
        path = route
        for name, value in zip(names, combo, strict=True):
            path = re.sub(rf"<(?:\w+:)?{name}>", value, path, count=1)
        yield "/" + path


@pytest.fixture
def world(
    kamakura: Municipality, fujisawa: Municipality, units: dict[str, OrganisationUnit]
) -> dict[str, Any]:
    staff = accounts_services.user_upsert(
        actor="test",
        municipality=kamakura,
        username="staff-secret-user",
        display_name=f"{SECRET}職員",
    )
    built = publish_world(kamakura, units, staff=staff)
    other_units = {
        code: accounts_services.unit_upsert(
            actor="test",
            municipality=fujisawa,
            code=code,
            kind=UnitKind.DEPARTMENT,
            name=f"{OTHER_TOWN}{code}課",
        )
        for code in ("koreisha", "fukushi-somu")
    }
    other = publish_world(
        fujisawa, other_units, name=f"{OTHER_TOWN}計画", secrets=False, published_years=(2024,)
    )
    other["plan"].vision = f"{OTHER_TOWN}理念"
    other["plan"].save()
    built["other_plan"] = other["plan"]
    return built


def test_routes_are_discovered_and_match_openapi(client: Client, db: None) -> None:
    routes = public_routes()
    pages = [r for r in routes if r.startswith(PAGE_PREFIX)]
    apis = [r for r in routes if r.startswith(API_PREFIX)]
    reports = [r for r in routes if r.startswith(REPORT_PREFIX)]
    assert (len(pages), len(reports), len(apis)) == (8, 2, 4)
    # every public route of the publication app is walked, and every walked route is public
    assert set(routes) == {r for r in PUBLIC if r.startswith(PREFIXES)}
    document = client.get("/api/v1/openapi.json").json()
    documented = sorted(p for p in document["paths"] if p.startswith("/api/v1/public/"))
    assert documented == sorted("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r) for r in apis)


def test_nothing_unpublished_on_any_public_route(client: Client, world: dict[str, Any]) -> None:
    plan = world["plan"]
    unpublished = Plan.objects.get(name=f"{SECRET}次期計画")
    values = {
        "code": ["142042"],
        "plan_id": [str(plan.pk), str(unpublished.pk), str(world["other_plan"].pk)],
        "number": [str(n) for n in range(1, 8)],
        "fiscal_year": [str(fy) for fy in range(2021, 2027)],
        "fmt": FORMATS,
    }
    seen: dict[str, int] = {}
    public_text = []
    for route in public_routes():
        for path in expand(route, values):
            response = client.get(path, follow=True)
            assert response.status_code in {200, 404}, path
            body = readable(response)
            seen[path] = response.status_code
            for marker in (SECRET, SECRET_NUMBER, OTHER_TOWN, "staff-secret-user"):
                assert marker not in body, (path, marker)
            # the wording of evaluation states never appears either
            for state in ("差し戻し", "入力中", "提出済み", "承認済み"):
                assert state not in body, (path, state)
            public_text.append(body)
    # the walk reached real content: every kind of published text is shown somewhere
    everything = "\n".join(public_text)
    for text in (
        f"{PUBLIC_MARK}実績2024-1",
        f"{PUBLIC_MARK}実績2023-2",
        f"{PUBLIC_MARK}課題2024-3",
        f"{PUBLIC_MARK}講評2024-1",
        f"{PUBLIC_MARK}市の対応2024-2",
        f"{PUBLIC_MARK}総括2024-1",
        f"{PUBLIC_MARK}コメント2023",
        f"{PUBLIC_MARK}コメントへの対応2024",
    ):
        assert text in everything, text
    # the published plan answers; the unpublished and the other tenant's plan do not
    assert seen[f"/m/142042/plan/{plan.pk}/"] == 200
    assert seen[f"/api/v1/public/142042/plans/{plan.pk}"] == 200
    assert seen[f"/m/142042/plan/{unpublished.pk}/"] == 404
    assert seen[f"/api/v1/public/142042/plans/{unpublished.pk}"] == 404
    assert seen[f"/m/142042/plan/{world['other_plan'].pk}/"] == 404
    assert seen[f"/api/v1/public/142042/plans/{world['other_plan'].pk}/indicators"] == 404
    assert seen[f"/m/142042/plan/{plan.pk}/years/2022/"] == 404  # closed, not published
    assert seen[f"/m/142042/plan/{plan.pk}/years/2025/"] == 404  # open
    assert seen[f"/m/142042/plan/{plan.pk}/years/2024/"] == 200
    # the published 年度 download in every format; the closed, open and unknown ones do not
    for fmt in FORMATS:
        assert (seen[f"/m/142042/reports/2024/{fmt}/"], seen[f"/m/142042/reports/2023/{fmt}/"]) == (
            200,
            200,
        )
        for year in (2021, 2022, 2025, 2026):
            assert seen[f"/m/142042/reports/{year}/{fmt}/"] == 404, (year, fmt)
    assert ReportFile.objects.filter(cycle__fiscal_year__in=(2022, 2025)).count() == 0


def test_every_format_shows_the_published_text_and_hides_the_rest(
    client: Client, world: dict[str, Any]
) -> None:
    """Each download on its own: the published texts are in it, nothing else is."""
    for fmt in FORMATS:
        text = readable(client.get(f"/m/142042/reports/2024/{fmt}/"))
        for marker in (SECRET, SECRET_NUMBER, OTHER_TOWN, "staff-secret-user", "差し戻し"):
            assert marker not in text, (fmt, marker)
        if fmt == "csv":  # the open-data tables: names, grades and figures, no prose
            assert "テスト計画,2024,令和6年度,1,相談,1,施策一,種類一,1,取組1" in text
            continue
        for published in (
            f"{PUBLIC_MARK}実績2024-1",
            f"{PUBLIC_MARK}課題2024-3",
            f"{PUBLIC_MARK}講評2024-1",
            f"{PUBLIC_MARK}市の対応2024-2",
            f"{PUBLIC_MARK}総括2024-1",
            f"{PUBLIC_MARK}コメントへの対応2024",
        ):
            assert published in text, (fmt, published)


def test_other_tenant_sees_only_its_own(client: Client, world: dict[str, Any]) -> None:
    other = world["other_plan"]
    body = client.get("/m/142051/plan/").content.decode()
    assert f"{OTHER_TOWN}計画" in body
    assert "テスト計画" not in body and SECRET not in body
    feed = client.get("/m/142051/plan/feed.atom").content.decode()
    assert feed.count("<entry>") == 1 and "テスト計画" not in feed
    assert [p["name"] for p in client.get("/api/v1/public/142051/plans").json()] == [
        f"{OTHER_TOWN}計画"
    ]
    assert client.get(f"/m/142051/plan/{world['plan'].pk}/").status_code == 404
    assert client.get(f"/m/142051/plan/{other.pk}/").status_code == 200
