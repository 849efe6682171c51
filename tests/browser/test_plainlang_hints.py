"""The「文章をチェック」page in a real browser: live hints while typing, results, 0 axe violations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sasaeai.accounts.demo import DEMO_PASSWORD
from tests.browser.conftest import axe_violations


def test_hints_appear_while_typing(demo_site: str, page_factory: Callable[..., Any]) -> None:
    page = page_factory()
    page.goto(demo_site + "/accounts/login/")
    page.get_by_label("ユーザー名").fill("demo-tantoka")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(demo_site + "/staff/")
    page.goto(demo_site + "/staff/plainlang/check/")
    textarea = page.get_by_label("調べる文章")
    textarea.fill("プラットフォームを利用することができる。")
    hints = page.locator("#id_text-hints")
    hints.locator("li").first.wait_for()
    assert hints.get_attribute("aria-live") == "polite"
    assert textarea.get_attribute("aria-describedby") == "id_text_helptext id_text-hints"
    assert hints.locator("p").inner_text().startswith("指摘 2 件")
    assert "言い換えの案: 活動の場・仕組み" in hints.inner_text()  # Kamakura's glossary
    assert axe_violations(page) == []
    page.get_by_role("button", name="チェックする").click()
    page.get_by_role("heading", name="チェックの結果").wait_for()
    assert page.locator("table.plainlang-results tbody tr").count() == 2
    assert axe_violations(page) == []
