"""Writes to the checker's settings: validated like a settings file, audited, one row each."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts.models import Municipality, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.core.errors import DomainError
from sasaeai.plainlang import selectors, services
from sasaeai.plainlang.engine import (
    Config,
    ExpressionEntry,
    GlossaryEntry,
    RuleSettings,
    Severity,
)
from sasaeai.plainlang.models import AllowedWord, CheckSettings, GlossaryTerm, PreferredExpression


def _events() -> list[tuple[Any, ...]]:
    return list(
        AuditEvent.objects.order_by("id").values_list(
            "actor_label", "action", "object_type", "object_repr", "changes"
        )
    )


@pytest.fixture
def secretariat(users: dict[str, User]) -> User:
    return users[Role.SECRETARIAT]


def test_glossary_term_create_update_delete_are_audited(
    secretariat: User, kamakura: Municipality
) -> None:
    start = AuditEvent.objects.count()
    entry = services.glossary_term_create(
        actor=secretariat,
        municipality=kamakura,
        term=" アウトリーチ ",
        paraphrase="訪問による支援",
    )
    services.glossary_term_update(
        actor=secretariat,
        entry=entry,
        term="アウトリーチ",
        paraphrase="訪問による支援",
        note="推進委員会で決定",
    )
    services.glossary_term_update(  # unchanged: no row
        actor=secretariat,
        entry=entry,
        term="アウトリーチ",
        paraphrase="訪問による支援",
        note="推進委員会で決定",
    )
    pk = entry.pk
    services.glossary_term_delete(actor=secretariat, entry=entry)
    assert GlossaryTerm.objects.count() == 0
    assert _events()[start:] == [
        (
            "user-secretariat",
            "create",
            "plainlang.GlossaryTerm",
            "アウトリーチ → 訪問による支援",
            {
                "id": [None, pk],
                "is_demo": [None, False],
                "municipality": [None, kamakura.pk],
                "note": [None, ""],
                "paraphrase": [None, "訪問による支援"],
                "term": [None, "アウトリーチ"],
            },
        ),
        (
            "user-secretariat",
            "update",
            "plainlang.GlossaryTerm",
            "アウトリーチ → 訪問による支援",
            {"note": ["", "推進委員会で決定"]},
        ),
        (
            "user-secretariat",
            "delete",
            "plainlang.GlossaryTerm",
            "アウトリーチ → 訪問による支援",
            {
                "id": [pk, None],
                "is_demo": [False, None],
                "municipality": [kamakura.pk, None],
                "note": ["推進委員会で決定", None],
                "paraphrase": ["訪問による支援", None],
                "term": ["アウトリーチ", None],
            },
        ),
    ]
    assert set(AuditEvent.objects.values_list("municipality_id", flat=True)) >= {kamakura.pk}


def test_expression_and_allowed_word_writes_are_audited(
    secretariat: User, kamakura: Municipality
) -> None:
    start = AuditEvent.objects.count()
    expression = services.preferred_expression_create(
        actor=secretariat,
        municipality=kamakura,
        pattern=r"(?P<what>[一-龯]+)の周知徹底",
        preferred=r"\g<what>を広く知らせる",
        regex=True,
        severity="error",
    )
    services.preferred_expression_update(
        actor=secretariat,
        entry=expression,
        pattern=expression.pattern,
        preferred=expression.preferred,
        regex=True,
        severity="warning",
    )
    word = services.allowed_word_create(actor=secretariat, municipality=kamakura, word="ヨリドコロ")
    services.allowed_word_update(actor=secretariat, entry=word, word="ヨリドコロ広場")
    services.preferred_expression_delete(actor=secretariat, entry=expression)
    services.allowed_word_delete(actor=secretariat, entry=word)
    assert [(action, kind) for _, action, kind, _, _ in _events()[start:]] == [
        ("create", "plainlang.PreferredExpression"),
        ("update", "plainlang.PreferredExpression"),
        ("create", "plainlang.AllowedWord"),
        ("update", "plainlang.AllowedWord"),
        ("delete", "plainlang.PreferredExpression"),
        ("delete", "plainlang.AllowedWord"),
    ]
    assert _events()[start + 1][4] == {"severity": ["error", "warning"]}
    assert _events()[start + 3][4] == {"word": ["ヨリドコロ", "ヨリドコロ広場"]}


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"pattern": "(周知", "regex": True}, "pattern", "正規表現「(周知」に誤りがあります"),
        ({"pattern": "(周)知", "preferred": r"\2", "regex": True}, "preferred", "言い換え「\\2」"),
        ({"pattern": "  "}, "pattern", "pattern が空です。"),
        ({"severity": "fatal"}, "severity", "重大度「fatal」は使えません。"),
    ],
)
def test_expression_is_checked_like_a_settings_file(
    secretariat: User, kamakura: Municipality, kwargs: dict[str, Any], field: str, message: str
) -> None:
    values = {"pattern": "周知を図", "preferred": "広く知らせ", **kwargs}
    with pytest.raises(DomainError) as caught:
        services.preferred_expression_create(actor=secretariat, municipality=kamakura, **values)
    assert caught.value.location is not None
    assert caught.value.location.field == field
    assert caught.value.message.startswith(message)
    assert PreferredExpression.objects.count() == 0


def test_duplicate_term_is_refused(secretariat: User, kamakura: Municipality) -> None:
    services.glossary_term_create(
        actor=secretariat, municipality=kamakura, term="ワンストップ", paraphrase="一か所で"
    )
    count = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="この語はすでに用語集にあります。"):
        services.glossary_term_create(
            actor=secretariat, municipality=kamakura, term="ワンストップ", paraphrase="一度に"
        )
    assert (GlossaryTerm.objects.count(), AuditEvent.objects.count()) == (1, count)


def test_check_settings_update(secretariat: User, kamakura: Municipality) -> None:
    start = AuditEvent.objects.count()
    settings = services.check_settings_update(
        actor=secretariat,
        municipality=kamakura,
        rules={
            "comma-count": RuleSettings(enabled=False),
            "redundant": RuleSettings(severity=Severity.WARNING),
            "loanword": RuleSettings(),
        },
        sentence_length_info=50,
        sentence_length_warning=90,
        comma_max=2,
        builtin_expressions=False,
    )
    assert settings.rules == {
        "comma-count": {"enabled": False, "severity": None},
        "redundant": {"enabled": True, "severity": "warning"},
    }
    assert CheckSettings.objects.count() == 1
    event = AuditEvent.objects.order_by("id")[start]
    assert (event.action, event.object_type, sorted(event.changes)) == (
        "create",
        "plainlang.CheckSettings",
        [
            "builtin_expressions",
            "comma_max",
            "id",
            "municipality",
            "rules",
            "sentence_length_info",
            "sentence_length_warning",
        ],
    )
    with pytest.raises(DomainError, match="長すぎる文（警告）の文字数は"):
        services.check_settings_update(
            actor=secretariat,
            municipality=kamakura,
            rules={},
            sentence_length_info=90,
            sentence_length_warning=90,
            comma_max=2,
            builtin_expressions=False,
        )
    assert AuditEvent.objects.count() == start + 1


def test_config_for_builds_the_engine_config(configured: Municipality) -> None:
    assert selectors.config_for(configured) == Config(
        glossary=(
            GlossaryEntry("アウトリーチ", "訪問による支援", "推進委員会で決定"),
            GlossaryEntry("プラットフォーム", "活動の場・仕組み"),
        ),
        expressions=(ExpressionEntry("周知を図", "広く知らせ"),),
        allowlist=frozenset({"ヨリドコロ"}),
        rules={
            "comma-count": RuleSettings(enabled=False),
            "redundant": RuleSettings(severity=Severity.WARNING),
        },
        sentence_length_info=50,
        sentence_length_warning=90,
        comma_max=3,
    )


def test_config_for_defaults_without_rows(kamakura: Municipality) -> None:
    assert selectors.config_for(kamakura) == Config()


@pytest.mark.parametrize("size", [1, 40])
def test_config_for_runs_four_queries_at_any_size(
    kamakura: Municipality, django_assert_num_queries: Any, size: int
) -> None:
    for i in range(size):
        GlossaryTerm.objects.create(municipality=kamakura, term=f"テスト{i}", paraphrase="試し")
        PreferredExpression.objects.create(municipality=kamakura, pattern=f"表現{i}", preferred="x")
        AllowedWord.objects.create(municipality=kamakura, word=f"ヨリドコロ{i}")
    CheckSettings.objects.create(municipality=kamakura, comma_max=2)
    with django_assert_num_queries(4):
        config = selectors.config_for(kamakura)
    assert (len(config.glossary), len(config.expressions), len(config.allowlist)) == (size,) * 3


def test_entry_pages_save_through_the_services(
    users: dict[str, User], client_for: Callable[[User], Client], kamakura: Municipality
) -> None:
    client = client_for(users[Role.SYSTEM_ADMIN])
    response = client.post(
        "/staff/plainlang/glossary/new/",
        {"term": "アウトリーチ", "paraphrase": "訪問による支援", "note": ""},
    )
    assert (response.status_code, response["Location"]) == (302, "/staff/plainlang/#glossary")
    entry = GlossaryTerm.objects.get()
    response = client.post(
        f"/staff/plainlang/glossary/{entry.pk}/edit/",
        {"term": "アウトリーチ", "paraphrase": "訪問支援", "note": "改めた"},
    )
    assert response.status_code == 302
    assert GlossaryTerm.objects.values_list("paraphrase", "note").get() == ("訪問支援", "改めた")
    event = AuditEvent.objects.latest("id")
    assert (event.actor_id, event.action, event.changes) == (
        users[Role.SYSTEM_ADMIN].pk,
        "update",
        {"note": ["", "改めた"], "paraphrase": ["訪問による支援", "訪問支援"]},
    )
    duplicate = client.post(
        "/staff/plainlang/glossary/new/", {"term": "アウトリーチ", "paraphrase": "x"}
    )
    assert duplicate.status_code == 200
    assert "この語はすでに用語集にあります。" in duplicate.content.decode()
    bad_regex = client.post(
        "/staff/plainlang/expressions/new/",
        {"pattern": "(周知", "preferred": "x", "regex": "on", "severity": "warning"},
    )
    assert "正規表現「(周知」に誤りがあります" in bad_regex.content.decode()
    assert client.post(f"/staff/plainlang/glossary/{entry.pk}/delete/").status_code == 302
    assert (GlossaryTerm.objects.count(), PreferredExpression.objects.count()) == (0, 0)


def test_settings_page(
    users: dict[str, User], client_for: Callable[[User], Client], kamakura: Municipality
) -> None:
    client = client_for(users[Role.SECRETARIAT])
    page = client.get("/staff/plainlang/settings/").content.decode()
    assert 'name="loanword_enabled"' in page and "checked" in page
    data = {
        "sentence_length_info": "50",
        "sentence_length_warning": "40",
        "comma_max": "3",
        "builtin_expressions": "on",
    }
    data.update({f"{rule}_enabled": "on" for rule in ("loanword", "abbreviation", "expression")})
    refused = client.post("/staff/plainlang/settings/", data)
    assert "長すぎる文（警告）の文字数は" in refused.content.decode()
    assert CheckSettings.objects.count() == 0
    data["sentence_length_warning"] = "80"
    data["redundant_severity"] = "warning"
    assert client.post("/staff/plainlang/settings/", data).status_code == 302
    settings = CheckSettings.objects.get()
    assert settings.rules == {
        "sentence-length": {"enabled": False, "severity": None},
        "comma-count": {"enabled": False, "severity": None},
        "double-negative": {"enabled": False, "severity": None},
        "redundant": {"enabled": False, "severity": "warning"},
    }
    assert (settings.sentence_length_info, settings.sentence_length_warning) == (50, 80)


def test_index_lists_the_settings(
    users: dict[str, User], client_for: Callable[[User], Client], configured: Municipality
) -> None:
    page = client_for(users[Role.SECRETARIAT]).get("/staff/plainlang/").content.decode()
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", page, flags=re.S)
    assert [(term.strip(), paraphrase) for term, paraphrase in rows][:3] == [
        ("アウトリーチ", "訪問による支援"),
        ("プラットフォーム", "活動の場・仕組み"),
        ("周知を図", "広く知らせ"),
    ]
    assert "<tr><td>読点の数</td><td>調べない</td><td>規則どおり</td></tr>" in page
    assert "<tr><td>回りくどい表現</td><td>調べる</td><td>警告</td></tr>" in page
    assert "50 字を超える文" in page
