"""Public pages and the login page in a real browser: 0 axe-core violations, usable on a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sasaeai.accounts.demo import DEMO_PASSWORD
from tests.browser.conftest import axe_violations

PUBLIC_PAGES = ["/", "/m/142042/", "/accounts/login/"]
PHONE = (375, 740)
DESKTOP = (1280, 900)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_accessible(
    demo_site: str, page_factory: Callable[..., Any], path: str, size: tuple[int, int]
) -> None:
    page = page_factory(*size)
    response = page.goto(demo_site + path)
    assert response.status == 200
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert axe_violations(page) == []
    # nothing wider than the screen: no sideways scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_login_error_state_is_accessible(demo_site: str, page_factory: Callable[..., Any]) -> None:
    page = page_factory(*PHONE)
    page.goto(demo_site + "/accounts/login/")
    page.get_by_label("ユーザー名").fill("demo-tantoka")
    page.get_by_label("パスワード").fill("wrong-password")
    page.get_by_role("button", name="ログイン").click()
    assert (
        page.get_by_role("alert")
        .inner_text()
        .count("ユーザー名またはパスワードが正しくありません。")
        == 1
    )
    assert axe_violations(page) == []


def test_department_user_logs_in(demo_site: str, page_factory: Callable[..., Any]) -> None:
    page = page_factory()
    page.goto(demo_site + "/accounts/login/")
    page.get_by_label("ユーザー名").fill("demo-tantoka")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(demo_site + "/staff/")
    assert page.get_by_role("heading", level=1).inner_text() == "職員ページ"
    assert "高齢者いきいき課" in page.inner_text("main")
    assert axe_violations(page) == []


def test_secretariat_logs_in_with_two_factor(
    demo_site: str, page_factory: Callable[..., Any]
) -> None:
    page = page_factory()
    page.goto(demo_site + "/accounts/login/")
    page.get_by_label("ユーザー名").fill("demo-jimukyoku")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/accounts/2fa/verify/**")
    assert axe_violations(page) == []
    device = TOTPDevice.objects.get(user__username="demo-jimukyoku")
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.get_by_label("確認コード").fill(f"{code:06d}")
    page.get_by_role("button", name="確認する").click()
    page.wait_for_url(demo_site + "/staff/")
    assert "監査ログ" in page.inner_text("main")
