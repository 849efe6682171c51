"""The secretariat's import screen: upload → preview (nothing saved) → apply (all or nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from sasaeai.accounts.roles import Role
from sasaeai.directory.importing.service import directory_import_apply
from sasaeai.directory.models import Service
from tests.conftest import login
from tests.directory.test_editing_support import *  # noqa: F403

DATA = Path(__file__).resolve().parents[1] / "data" / "directory"


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes(), content_type="text/csv")


def test_preview_then_apply(client: Any, world: dict[str, Any]) -> None:
    before = Service.objects.count()
    login(client, world["users"][Role.SECRETARIAT])
    response = client.post(
        "/staff/directory/import/", {"file": upload("kaigo_cp932.csv"), "kind": "auto"}
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.ok, result.counts("service")) == (
        True,
        {"add": 3, "update": 0, "unchanged": 0, "retire": 0},
    )
    assert response.context["can_apply"]
    assert Service.objects.count() == before  # the preview saved nothing
    response = client.post("/staff/directory/import/apply/")
    assert response.status_code == 302
    assert Service.objects.count() == before + 3
    # the file is forgotten: applying again finds nothing
    response = client.post("/staff/directory/import/apply/")
    assert response["Location"] == "/staff/directory/import/"
    assert Service.objects.count() == before + 3


def test_a_file_with_errors_cannot_be_applied(client: Any, world: dict[str, Any]) -> None:
    login(client, world["users"][Role.SECRETARIAT])
    response = client.post("/staff/directory/import/", {"file": upload("bad_missing_column.csv")})
    assert response.status_code == 200
    assert response.context["result"].errors
    assert not response.context["can_apply"]
    assert "取り込む</button>" not in response.content.decode()
    assert client.post("/staff/directory/import/apply/")["Location"] == "/staff/directory/import/"


def test_only_the_secretariat(client: Any, world: dict[str, Any]) -> None:
    for who in (Role.COUNCIL_COORDINATOR, Role.DEPARTMENT, Role.SYSTEM_ADMIN):
        login(client, world["users"][who])
        assert client.get("/staff/directory/import/").status_code == 403
        assert client.post("/staff/directory/import/apply/").status_code == 403


def test_retire_missing_checkbox_preview_then_apply(client: Any, world: dict[str, Any]) -> None:
    kamakura = world["municipality"]
    directory_import_apply(
        actor="cli:test",
        municipality=kamakura,
        data=(DATA / "kaigo_cp932.csv").read_bytes(),
        filename="kaigo_cp932.csv",
    )
    day_service = Service.objects.get(source_kind="kaigo", source_id="0171000002")
    manual = {s.pk: s.status for s in Service.objects.filter(source_kind="manual")}
    login(client, world["users"][Role.SECRETARIAT])
    page = client.get("/staff/directory/import/").content.decode()
    assert (
        '<label class="choice" for="id_retire_missing"><input type="checkbox" '
        'name="retire_missing" aria-describedby="id_retire_missing_helptext" '
        'id="id_retire_missing"> このファイルにない取り込み済みの情報を「休止中」にする</label>'
    ) in page
    response = client.post(
        "/staff/directory/import/",
        {"file": upload("kaigo_closed_cp932.csv"), "kind": "auto", "retire_missing": "on"},
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.ok, result.counts("service")) == (
        True,
        {"add": 0, "update": 0, "unchanged": 2, "retire": 1},
    )
    assert [(c.key, c.name) for c in response.context["retirements"]] == [
        ("0171000002", "ささえあいデイサービス（架空）")
    ]
    assert response.context["changes"] == result.changes[:-1]  # the table without retirements
    assert response.context["can_apply"]
    html = response.content.decode()
    assert "このファイルにないため「休止中」にするサービス（1件）" in html
    assert (
        "<tr><td>ささえあいデイサービス（架空）</td><td>0171000002</td><td>休止にする</td></tr>"
        in html
    )
    assert (
        "確認のみ（保存していません）: サービス 追加 0 件、変更 0 件、変更なし 2 件、休止 1 件"
        in html
    )
    assert (
        'name="retire_missing" aria-describedby="id_retire_missing_helptext" id="id_retire_missing" checked'
        in html
    )
    assert Service.objects.get(pk=day_service.pk).status == "active"  # the preview saved nothing
    response = client.post("/staff/directory/import/apply/")
    assert (response.status_code, response["Location"]) == (302, "/staff/directory/")
    assert Service.objects.get(pk=day_service.pk).status == "inactive"
    assert {s.pk: s.status for s in Service.objects.filter(source_kind="manual")} == manual
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "取り込みました: サービス 追加 0 件、変更 0 件、変更なし 2 件、休止 1 件"
    ]


def test_without_the_checkbox_nothing_is_retired(client: Any, world: dict[str, Any]) -> None:
    directory_import_apply(
        actor="cli:test",
        municipality=world["municipality"],
        data=(DATA / "kaigo_cp932.csv").read_bytes(),
        filename="kaigo_cp932.csv",
    )
    login(client, world["users"][Role.SECRETARIAT])
    response = client.post(
        "/staff/directory/import/", {"file": upload("kaigo_closed_cp932.csv"), "kind": "auto"}
    )
    assert response.context["result"].counts("service") == {
        "add": 0,
        "update": 0,
        "unchanged": 2,
        "retire": 0,
    }
    assert (response.context["retirements"], response.context["can_apply"]) == ([], False)
    assert "休止中」にするサービス" not in response.content.decode()


def test_retire_missing_with_hsds_is_refused(client: Any, world: dict[str, Any]) -> None:
    before = Service.objects.count()
    login(client, world["users"][Role.SECRETARIAT])
    response = client.post(
        "/staff/directory/import/",
        {"file": upload("hsds_services.json"), "kind": "hsds", "retire_missing": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "retire_missing": [
            "HSDS のファイルでは、このファイルにない情報を「休止中」にすることはできません。"
            "オープンデータの CSV のときだけ選んでください。"
        ]
    }
    assert response.context["result"] is None
    # detected from the file (自動で判定する): refused by the import itself
    response = client.post(
        "/staff/directory/import/",
        {"file": upload("hsds_services.json"), "kind": "auto", "retire_missing": "on"},
    )
    result = response.context["result"]
    assert [issue.code for issue in result.errors] == ["retire_missing_hsds"]
    assert not response.context["can_apply"]
    assert client.post("/staff/directory/import/apply/")["Location"] == "/staff/directory/import/"
    assert Service.objects.count() == before
