"""The public plan pages on the demo site in a real browser, at desktop and phone sizes:
0 axe-core violations, no sideways scrolling at 375 px, every chart with its data table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sasaeai.plans.models import Plan
from tests.browser.conftest import axe_violations

PHONE = (375, 740)
DESKTOP = (1280, 900)

# page → (heading text, number of charts)
PAGES = {
    "plan": ("鎌倉市地域福祉計画", 5),  # goals 1–5 (goal 6 applies from 令和7年度)
    "goals/1": ("総合的な相談体制の確立", 1),
    "initiatives/1": ("取組1", 0),
    "indicators/1": ("成果指標1", 1),
    "indicators": ("成果指標の一覧", 0),
}


def _path(page: str, plan_id: int) -> str:
    return "/m/142042/plan/" if page == "plan" else f"/m/142042/plan/{plan_id}/{page}/"


@pytest.mark.parametrize("page_name", list(PAGES))
def test_public_plan_page(demo_site: str, page_factory: Callable[..., Any], page_name: str) -> None:
    plan_id = Plan.objects.get(name="鎌倉市地域福祉計画").pk
    heading, chart_count = PAGES[page_name]
    for size in (DESKTOP, PHONE):
        page = page_factory(*size)
        response = page.goto(demo_site + _path(page_name, plan_id))
        assert response.status == 200
        assert page.evaluate("document.documentElement.lang") == "ja"
        assert heading in page.get_by_role("heading", level=1).inner_text()
        assert "デモ（架空のデータを含みます）" in page.inner_text("main")
        assert axe_violations(page) == [], size
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), size
        # every chart comes with its figures as a table
        assert page.locator("figure.chart svg[role=img]").count() == chart_count
        assert page.locator("figure.chart table.chart-table").count() == chart_count
        for index in range(chart_count):
            rows = page.locator("figure.chart table.chart-table").nth(index).locator("tbody tr")
            assert rows.count() >= 2


def test_print_layout(demo_site: str, page_factory: Callable[..., Any]) -> None:
    plan_id = Plan.objects.get(name="鎌倉市地域福祉計画").pk
    page = page_factory(*DESKTOP)
    page.goto(demo_site + f"/m/142042/plan/{plan_id}/goals/1/")
    assert page.locator(".print-url").is_hidden()
    page.emulate_media(media="print")
    assert page.locator(".site-header nav").is_hidden()
    assert page.locator(".breadcrumbs").is_hidden()
    assert page.locator(".print-url").is_visible()
    assert "このページのアドレス" in page.locator(".print-url").inner_text()
    colour = page.evaluate("getComputedStyle(document.querySelector('main h1')).color")
    assert colour == "rgb(0, 0, 0)"
    after = page.evaluate(
        "getComputedStyle(document.querySelector('.initiative-list a'), '::after').content"
    )
    assert after.startswith('" (/m/142042/plan/')
