"""Who may manage the checker's settings and who may check texts; refusals change nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sasaeai.accounts.models import User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.core.errors import PermissionRefused
from sasaeai.plainlang import permissions, services
from sasaeai.plainlang.models import AllowedWord, CheckSettings, GlossaryTerm, PreferredExpression

S, D, C, K, G, A = (
    Role.SECRETARIAT,
    Role.DEPARTMENT,
    Role.COMMITTEE_MEMBER,
    Role.COUNCIL_COORDINATOR,
    Role.COMMUNITY_GROUP,
    Role.SYSTEM_ADMIN,
)

TABLE: dict[str, set[str]] = {
    "plainlang.manage": {S, A},
    "plainlang.check": {S, D, C, K, G, A},
}

PAGES = {
    "/staff/plainlang/": TABLE["plainlang.manage"],
    "/staff/plainlang/check/": TABLE["plainlang.check"],
    "/staff/plainlang/glossary/new/": TABLE["plainlang.manage"],
    "/staff/plainlang/expressions/new/": TABLE["plainlang.manage"],
    "/staff/plainlang/allowlist/new/": TABLE["plainlang.manage"],
    "/staff/plainlang/settings/": TABLE["plainlang.manage"],
    "/staff/plainlang/import/": TABLE["plainlang.manage"],
    "/staff/plainlang/export/yaml/": TABLE["plainlang.manage"],
    "/staff/plainlang/export/csv/": TABLE["plainlang.manage"],
}


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", sorted(TABLE))
def test_rules(users: dict[str, User], role: str, action: str) -> None:
    assert permissions.can(users[role], action) is (role in TABLE[action])


def test_unknown_action_is_denied(users: dict[str, User]) -> None:
    assert [permissions.can(u, "plainlang.delete_all") for u in users.values()] == [False] * 6


def test_roles_do_not_cross_municipalities(users: dict[str, User], fujisawa: object) -> None:
    assert permissions.can(users[S], "plainlang.manage", fujisawa) is False


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("path", sorted(PAGES))
def test_page_access_by_role(
    users: dict[str, User], client_for: Callable[[User], Client], role: str, path: str
) -> None:
    response = client_for(users[role]).get(path)
    if role in PAGES[path]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "このページを表示する権限がありません。" in response.content.decode()


def _state() -> tuple[object, ...]:
    return (
        list(GlossaryTerm.objects.values_list("term", "paraphrase", "note")),
        list(PreferredExpression.objects.values_list("pattern", "preferred")),
        list(AllowedWord.objects.values_list("word", flat=True)),
        list(CheckSettings.objects.values_list("rules", "comma_max")),
        AuditEvent.objects.exclude(action="refused").count(),  # a refusal is logged, not a change
    )


def _refusals() -> int:
    return AuditEvent.objects.filter(action="refused").count()


REFUSED_POSTS = [
    ("/staff/plainlang/glossary/new/", {"term": "アウトリーチ", "paraphrase": "訪問"}),
    ("/staff/plainlang/glossary/{glossary}/edit/", {"term": "アウトリーチ", "paraphrase": "x"}),
    ("/staff/plainlang/glossary/{glossary}/delete/", {}),
    ("/staff/plainlang/expressions/new/", {"pattern": "周知", "preferred": "x"}),
    ("/staff/plainlang/allowlist/new/", {"word": "ヨリドコロ"}),
    ("/staff/plainlang/allowlist/{word}/delete/", {}),
    (
        "/staff/plainlang/settings/",
        {"sentence_length_info": "10", "sentence_length_warning": "20", "comma_max": "1"},
    ),
]


@pytest.mark.parametrize("role", sorted(set(Role.values) - TABLE["plainlang.manage"]))
@pytest.mark.parametrize(("path", "data"), REFUSED_POSTS)
def test_refused_writes_change_nothing(
    users: dict[str, User],
    client_for: Callable[[User], Client],
    role: str,
    path: str,
    data: dict[str, str],
) -> None:
    municipality = users[S].municipality
    glossary = services.glossary_term_create(
        actor="test", municipality=municipality, term="ワンストップ", paraphrase="一か所で"
    )
    word = services.allowed_word_create(actor="test", municipality=municipality, word="ボッチャ")
    before, refusals = _state(), _refusals()
    response = client_for(users[role]).post(path.format(glossary=glossary.pk, word=word.pk), data)
    assert response.status_code == 403
    assert (_state(), _refusals()) == (before, refusals + 1)


def test_refused_import_changes_nothing(
    users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.plainlang_web.conftest import KAMAKURA_YAML

    client = client_for(users[D])
    before, refusals = _state(), _refusals()
    upload = SimpleUploadedFile("k.yaml", KAMAKURA_YAML.encode())
    assert client.post("/staff/plainlang/import/", {"file": upload}).status_code == 403
    assert client.post("/staff/plainlang/import/confirm/", {"digest": "x"}).status_code == 403
    assert (_state(), _refusals()) == (before, refusals + 2)


@pytest.mark.parametrize("role", sorted(set(Role.values) - TABLE["plainlang.manage"]))
def test_services_refuse_users_without_the_role(users: dict[str, User], role: str) -> None:
    municipality = users[role].municipality
    before = _state()
    with pytest.raises(PermissionRefused):
        services.glossary_term_create(
            actor=users[role], municipality=municipality, term="スキーム", paraphrase="仕組み"
        )
    with pytest.raises(PermissionRefused):
        services.plainlang_config_import(
            actor=users[role], municipality=municipality, data=b"", filename="k.yaml"
        )
    assert _state() == before


def test_secretariat_cannot_write_to_another_municipality(
    users: dict[str, User], fujisawa: object
) -> None:
    with pytest.raises(PermissionRefused):
        services.allowed_word_create(actor=users[S], municipality=fujisawa, word="ボッチャ")
    assert AllowedWord.objects.count() == 0


def test_entries_of_another_municipality_are_not_found(
    users: dict[str, User], client_for: Callable[[User], Client], fujisawa: object
) -> None:
    other = services.glossary_term_create(
        actor="test", municipality=fujisawa, term="スキーム", paraphrase="仕組み"
    )
    client = client_for(users[S])
    assert client.get(f"/staff/plainlang/glossary/{other.pk}/edit/").status_code == 404
    assert client.post(f"/staff/plainlang/glossary/{other.pk}/delete/").status_code == 404
    assert GlossaryTerm.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("role", Role.values)
def test_visible_settings_by_role(users: dict[str, User], role: str, fujisawa: object) -> None:
    kamakura = users[role].municipality
    GlossaryTerm.objects.create(municipality=kamakura, term="アウトリーチ", paraphrase="訪問支援")
    GlossaryTerm.objects.create(municipality=fujisawa, term="スキーム", paraphrase="仕組み")
    AllowedWord.objects.create(municipality=kamakura, word="ボッチャ")
    for model, expected in ((GlossaryTerm, ["アウトリーチ"]), (AllowedWord, ["ボッチャ"])):
        rows = permissions.visible_settings(users[role], model.objects.all(), kamakura)
        names = [str(row) for row in rows]
        assert len(names) == (len(expected) if role in TABLE["plainlang.manage"] else 0)
        assert list(permissions.visible_settings(users[role], model.objects.all(), fujisawa)) == []


def test_the_settings_page_lists_only_its_municipalitys_rows(
    users: dict[str, User], client_for: Callable[[User], Client], fujisawa: object
) -> None:
    kamakura = users[S].municipality
    GlossaryTerm.objects.create(municipality=kamakura, term="アウトリーチ", paraphrase="訪問支援")
    GlossaryTerm.objects.create(municipality=fujisawa, term="スキーム", paraphrase="仕組み")
    page = client_for(users[S]).get("/staff/plainlang/")
    assert [t.term for t in page.context["glossary"]] == ["アウトリーチ"]
