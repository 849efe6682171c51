"""The public report list and the HTML report itself in a real browser, at desktop and phone
sizes: 0 axe-core violations and no sideways scrolling at 375 px."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.conftest import axe_violations

PHONE = (375, 740)
DESKTOP = (1280, 900)

# path → text of the first-level heading
PAGES = {
    "/m/142042/reports/": "推進状況報告書",
    "/m/142042/reports/2024/html/": "令和6年度 推進状況報告書",
}


def test_report_list_and_html_report(demo_site: str, page_factory: Callable[..., Any]) -> None:
    for path, heading in PAGES.items():
        for size in (DESKTOP, PHONE):
            page = page_factory(*size)
            response = page.goto(demo_site + path)
            assert response.status == 200, path
            assert page.evaluate("document.documentElement.lang") == "ja"
            assert heading in page.get_by_role("heading", level=1).first.inner_text(), path
            assert axe_violations(page) == [], (path, size)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                path,
                size,
            )
    # the HTML report's charts come with their figures as tables
    page = page_factory(*DESKTOP)
    page.goto(demo_site + "/m/142042/reports/2024/html/")
    charts = page.locator("figure svg[role=img]").count()
    assert charts > 0
    assert page.locator("figure table").count() == charts
