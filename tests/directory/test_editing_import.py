"""The secretariat's import screen: upload → preview (nothing saved) → apply (all or nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sasaeai.accounts.roles import Role
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
        {"add": 3, "update": 0, "unchanged": 0},
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
