"""The staff「文章をチェック」page: results in Japanese without JavaScript, hints with it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from django.test import Client

from sasaeai.accounts.models import Municipality, User
from sasaeai.accounts.roles import Role

STATIC = Path(__file__).resolve().parents[2] / "src" / "sasaeai" / "static"


def test_results_are_listed_in_japanese(
    users: dict[str, User], client_for: Callable[[User], Client], configured: Municipality
) -> None:
    client = client_for(users[Role.COMMITTEE_MEMBER])
    response = client.post(
        "/staff/plainlang/check/", {"text": "あいさつ。\nプラットフォームを作ります。"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    rows = re.findall(r'<tr class="severity-(\w+)">(.*?)</tr>', page, flags=re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row, flags=re.S) for _, row in rows]
    assert [severity for severity, _ in rows] == ["error"]
    assert cells[0][0] == "2:1"
    assert ">エラー</span>" in cells[0][1]
    assert cells[0][2:] == [
        "カタカナ語",
        "「プラットフォーム」は用語集で言い換えることになっている語です。"
        "「活動の場・仕組み」と書いてください。",
        "活動の場・仕組み",
    ]
    assert "読みやすさ: " in page
    assert "指摘 1 件" in page


def test_empty_and_too_long_texts_are_refused(
    users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(users[Role.DEPARTMENT])
    assert (
        "調べる文章を入力してください。"
        in client.post("/staff/plainlang/check/", {"text": ""}).content.decode()
    )
    too_long = client.post("/staff/plainlang/check/", {"text": "あ" * 100_001})
    assert "文章は10万字までにしてください（いまは 100001 字）。" in too_long.content.decode()


def test_the_textarea_gets_hints_from_a_static_script(
    users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    page = client_for(users[Role.DEPARTMENT]).get("/staff/plainlang/check/").content.decode()
    textarea = re.search(r"<textarea[^>]*>", page)
    assert textarea is not None
    assert 'data-plainlang-hints="/api/v1/plainlang/check"' in textarea.group()
    assert 'data-plainlang-municipality="142042"' in textarea.group()
    assert 'aria-describedby="id_text_helptext"' in textarea.group()
    assert '<script src="/static/js/plainlang-hints.js" defer></script>' in page
    assert '<script id="plainlang-labels" type="application/json">' in page
    # CSP allows scripts from files only: no inline script that would run.
    scripts = re.findall(r"<script(?![^>]*(?:src=|application/json))[^>]*>", page)
    assert scripts == []
    assert 'name="csrfmiddlewaretoken"' in page


def test_hints_script_is_accessible_and_debounced() -> None:
    script = (STATIC / "js" / "plainlang-hints.js").read_text(encoding="utf-8")
    assert 'querySelectorAll("textarea[data-plainlang-hints]")' in script
    assert 'setAttribute("aria-live", "polite")' in script
    assert 'setAttribute("aria-describedby"' in script
    assert "var DELAY_MS = 600;" in script
    assert '"X-CSRFToken": csrfToken(textarea)' in script
    assert "innerHTML" not in script  # findings are inserted as text, never as markup
