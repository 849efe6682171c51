"""Browser tests: Playwright drives Debian's Chromium; axe-core (from npm) checks each page.

In CI (CI=true) a missing browser or axe-core fails the run; elsewhere the tests are skipped
with a loud message.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from sasaeai.audit import db_guard

CHROMIUM = Path(os.environ.get("SASAEAI_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} がありません（apt-get install chromium）"
    if not AXE.exists():
        return f"{AXE} がありません（npm ci）"
    return None


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"ブラウザテストを実行できません: {reason}")
    message = f"!!! ブラウザテストを省略します: {reason} !!!"
    warnings.warn(message, stacklevel=1)
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def demo_site(transactional_db: None, live_server: Any) -> Iterator[str]:
    """The live server with the Kamakura demo tenant loaded.

    Between browser tests every table is emptied, the audit log included, so the append-only
    triggers are lifted at teardown and put back at the next setup (tests/audit checks them
    with the triggers in place).
    """
    db_guard.install(connection)
    call_command("loaddemo", "--quiet-accounts", stdout=open(os.devnull, "w"))  # noqa: SIM115
    yield live_server.url
    db_guard.lift(connection)  # the test teardown empties every table, the audit log included


@pytest.fixture
def page_factory(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height}, bypass_csp=True, locale="ja-JP"
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page for WCAG 2.1 A/AA (JIS X 8341-3:2016 AA)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' '))}));
        }"""
    )
    return list(result)
