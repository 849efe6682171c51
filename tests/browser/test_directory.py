"""The public directory in a real browser: 0 axe-core violations, phone size, works without JS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_violations

PHONE = (375, 740)
DESKTOP = (1280, 900)


def _no_sideways_scrolling(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_search_and_detail_pages_are_accessible(
    demo_site: str, page_factory: Callable[..., Any], size: tuple[int, int]
) -> None:
    page = page_factory(*size)
    response = page.goto(demo_site + "/m/142042/directory/")
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "地域の支え合い情報をさがす"
    assert axe_violations(page) == []
    assert _no_sideways_scrolling(page)

    page.get_by_label("さがすことば").fill("ｻﾛﾝ")
    page.get_by_label("地区").select_option("大船")
    page.get_by_role("button", name="さがす", exact=True).click()
    page.wait_for_load_state()
    assert "q=%EF%BD%BB%EF%BE%9B%EF%BE%9D" in page.url
    assert "district=%E5%A4%A7%E8%88%B9" in page.url
    status = page.locator(".result-count").inner_text()
    assert status == "17件のうち 1〜17件目"
    assert axe_violations(page) == []
    assert _no_sideways_scrolling(page)

    page.locator(".hit-name a").first.click()
    page.wait_for_load_state()
    assert "/m/142042/directory/services/" in page.url
    assert page.locator(".demo-notice").count() == 1
    assert page.locator("a.tel").first.get_attribute("href").startswith("tel:046700")
    assert axe_violations(page) == []
    assert _no_sideways_scrolling(page)


def test_search_works_without_javascript(demo_site: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    try:
        page = context.new_page()
        page.goto(demo_site + "/m/142042/directory/")
        page.get_by_label("さがすことば").fill("ほうかつ たまなわ")
        page.get_by_role("button", name="さがす", exact=True).click()
        page.wait_for_load_state()
        names = page.locator(".hit-name a").all_inner_texts()
        assert names == ["玉縄地域包括支援センター（架空）"]
    finally:
        context.close()
