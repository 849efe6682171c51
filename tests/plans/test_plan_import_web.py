"""The secretariat's plan workbook pages: upload → preview → confirm, template, export.

Nothing is saved before the confirmation; the confirmation applies exactly the previewed file
and changes (``core.uploads``): a changed file, another user's upload or data changed since
the preview is refused and changes nothing; anyone without ``plans.manage`` is refused and
changes nothing.
"""

from __future__ import annotations

import io
import os
import re
import stat
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.core import uploads as core_uploads
from sasaeai.core.models import PendingUpload
from sasaeai.plans.models import Goal, Initiative, Plan
from sasaeai.plans.services import plan_import as service
from sasaeai.plans.views import workbook as views
from sasaeai.plans.workbook import spec as wb
from tests.conftest import login
from tests.plans.test_workbook import build, rows, state

# The project's URLs with this module's pages mounted where the lead mounts plans/urls.py.
urlpatterns = [
    path("staff/plans/", include((views.urlpatterns, "plans"), namespace="plans")),
    path("", include("sasaeai.config.urls")),
]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def secretariat(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], units: Any
) -> Client:
    return client_for(make_user(Role.SECRETARIAT))


def upload(client: Client, data: bytes, name: str = "plan.xlsx") -> Any:
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("plans:import_upload"), {"file": file})


def uploads(var_dir: Path) -> list[Path]:
    folder = var_dir / "uploads"
    return sorted(folder.glob("*")) if folder.exists() else []


def confirmation(html: str) -> dict[str, str]:
    """The confirm form's fields (the upload and the preview's fingerprint)."""
    form = html[html.index(f'action="{reverse("plans:import_confirm")}"') :]
    return dict(
        re.findall(r'name="(upload|fingerprint)" value="([^"]*)"', form[: form.index("</form>")])
    )


def preview_of(client: Client, response: Any) -> str:
    """The preview page the upload sent the client to."""
    assert response["Location"].startswith(reverse("plans:import_preview") + "?upload=")
    return client.get(response["Location"]).content.decode()


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_upload_page_offers_template_and_exports(
    secretariat: Client, kamakura: Municipality
) -> None:
    service.plan_import(actor="test", municipality=kamakura, data=build())
    response = secretariat.get(reverse("plans:import_upload"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("plans:import_template") in html
    plan = Plan.objects.get()
    assert f"{reverse('plans:export')}?plan={plan.pk}" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'accept=".xlsx,.xlsm"' in html


def test_preview_then_confirm_creates_the_plan(
    secretariat: Client, kamakura: Municipality, var_dir: Path
) -> None:
    before = state()
    data = build()
    response = upload(secretariat, data)
    assert response.status_code == 302
    assert state() == before  # nothing saved by the upload
    (kept,) = uploads(var_dir)
    pending = PendingUpload.objects.get()
    assert kept == var_dir / "uploads" / f"{pending.pk.hex}.upload"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.read_bytes() == data
    assert (pending.purpose, pending.user.username, pending.filename, pending.size) == (
        "plans.workbook",
        "user-secretariat",
        "plan.xlsx",
        len(data),
    )
    assert response["Location"] == f"{reverse('plans:import_preview')}?upload={pending.pk}"

    html = preview_of(secretariat, response)
    assert "テスト計画" in html and "新しく作ります" in html
    assert "追加 12 件、変更 0 件、削除 0 件（確認のみ。まだ保存していません）" in html
    assert "相談体制の確立" in html and "取組二" in html
    assert state() == before  # nor by the preview
    fields = confirmation(html)
    assert fields["upload"] == str(pending.pk)
    assert len(fields["fingerprint"]) == 64

    response = secretariat.post(reverse("plans:import_confirm"), fields, follow=True)
    assert response.redirect_chain == [(reverse("plans:import_upload"), 302)]
    assert "計画「テスト計画」: 追加 12 件、変更 0 件、削除 0 件を保存しました。" in (
        response.content.decode()
    )
    plan = Plan.objects.get()
    assert sorted(Initiative.objects.filter(plan=plan).values_list("number", flat=True)) == [
        1,
        2,
        3,
    ]
    event = AuditEvent.objects.get(action="import")
    assert event.actor.username == "user-secretariat"
    assert uploads(var_dir) == []  # the stored file is gone
    assert not PendingUpload.objects.exists()


def test_preview_shows_changes_and_removals_before_and_after(
    secretariat: Client, kamakura: Municipality
) -> None:
    service.plan_import(actor="test", municipality=kamakura, data=build())
    data = rows()
    data["基本目標"][0][1] = "総合的な相談体制の確立"
    data["取組"] = data["取組"][:2]
    html = preview_of(secretariat, upload(secretariat, build(data)))
    assert "追加 0 件、変更 1 件、削除 1 件" in html
    assert "<strong>名称</strong>: 相談体制の確立 → 総合的な相談体制の確立" in html
    assert "ファイルにないため削除します" in html
    assert Goal.objects.get(number=1).name == "相談体制の確立"
    assert Initiative.objects.count() == 3


def test_errors_are_listed_with_sheet_row_and_column_and_nothing_is_kept(
    secretariat: Client, kamakura: Municipality, var_dir: Path
) -> None:
    data = rows()
    data["施策"][0][1] = 9
    data["取組"][1][4] = "存在しない課"

    def formula(book: Any) -> None:
        book["成果指標"]["E2"] = "=1+1"

    before = state()
    response = upload(secretariat, build(data, edit=formula))
    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index('id="import-errors"') :]
    cells = re.findall(r"<td>(.*?)</td>", table[: table.index("</table>")], flags=re.S)
    assert [cells[i : i + 4] for i in range(0, len(cells), 4)] == [
        ["施策", "2", "基本目標番号", "基本目標番号 9 がシート「基本目標」にありません。"],
        [
            "取組",
            "3",
            "担当課",
            "担当課「存在しない課」が見つかりません。組織の現在の名称か識別子で書いてください（組織を新しく作ることはしません。先に組織を登録してください）。",
        ],
        ["成果指標", "2", "基準値（E）", "数式は読み込めません。値を入力してください。"],
    ]
    assert "ファイルに誤りが 3 件あります" in html
    assert state() == before
    assert uploads(var_dir) == []  # a refused file is not kept
    assert not PendingUpload.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(
    secretariat: Client, kamakura: Municipality, var_dir: Path
) -> None:
    response = upload(secretariat, b"a,b\n1,2\n", name="plan.csv")
    assert response.status_code == 200
    assert (
        "ファイル「plan.csv」は読み込めません。Excel ファイル（.xlsx または .xlsm）を指定してください。"
        in response.content.decode()
    )
    response = upload(secretariat, b"not really", name="plan.xlsx")
    assert (
        "Excel ファイル（.xlsx または .xlsm）ではありません。ファイルを確認してください。"
        in response.content.decode()
    )
    assert uploads(var_dir) == []
    assert not Plan.objects.exists()


def test_the_same_file_again_says_no_changes(secretariat: Client, kamakura: Municipality) -> None:
    service.plan_import(actor="test", municipality=kamakura, data=build())
    html = preview_of(secretariat, upload(secretariat, build()))
    assert "変更はありません。" in html
    assert 'name="fingerprint"' not in html  # nothing to confirm


def test_a_forged_fingerprint_saves_nothing(secretariat: Client, kamakura: Municipality) -> None:
    fields = confirmation(preview_of(secretariat, upload(secretariat, build())))
    before = state()
    response = secretariat.post(
        reverse("plans:import_confirm"), {**fields, "fingerprint": "forged"}
    )
    assert response.status_code == 200
    assert (
        "確認の画面を表示した後に、計画または組織が変更されました。何も保存していません。"
        in response.content.decode()
    )
    assert state() == before
    response = secretariat.post(reverse("plans:import_confirm"), {"upload": fields["upload"]})
    assert "何も保存していません。" in response.content.decode()  # no fingerprint at all
    assert state() == before


def test_an_unknown_upload_saves_nothing(secretariat: Client, kamakura: Municipality) -> None:
    fields = confirmation(preview_of(secretariat, upload(secretariat, build())))
    before = state()
    for name in (str(uuid.uuid4()), "nonsense", ""):
        response = secretariat.post(
            reverse("plans:import_confirm"), {**fields, "upload": name}, follow=True
        )
        assert response.redirect_chain == [(reverse("plans:import_upload"), 302)]
        assert messages_of(response) == [
            "確認したファイルが見つかりません（取り込んだか、やめたか、保存の期限が過ぎました）。"
            "何も保存していません。もう一度ファイルを選んでください。"
        ]
    assert state() == before


def test_another_users_upload_cannot_be_previewed_or_confirmed(
    secretariat: Client, kamakura: Municipality, make_user: Callable[..., Any], var_dir: Path
) -> None:
    response = upload(secretariat, build())
    fields = confirmation(preview_of(secretariat, response))
    colleague = login(Client(), make_user(Role.SECRETARIAT, username="jimukyoku-2"))
    before = state()
    refused = "この確認はほかの職員が始めたものです。取り込むには、ご自分でファイルを選んで確認してください。"
    page = colleague.get(response["Location"], follow=True)
    assert messages_of(page) == [refused]
    confirm = colleague.post(reverse("plans:import_confirm"), fields, follow=True)
    assert messages_of(confirm) == [refused]
    colleague.post(reverse("plans:import_cancel"), {"upload": fields["upload"]})
    assert state() == before
    assert len(uploads(var_dir)) == 1  # still the owner's to confirm
    secretariat.post(reverse("plans:import_confirm"), fields)
    assert Plan.objects.get().name == "テスト計画"


def test_a_file_changed_on_disk_after_the_preview_saves_nothing(
    secretariat: Client, kamakura: Municipality, var_dir: Path
) -> None:
    fields = confirmation(preview_of(secretariat, upload(secretariat, build())))
    data = rows()
    data["基本目標"].append([3, "こっそり追加", None, None])
    (kept,) = uploads(var_dir)
    kept.write_bytes(build(data))
    before = state()
    response = secretariat.post(reverse("plans:import_confirm"), fields, follow=True)
    assert messages_of(response) == [
        "確認したファイルが見つからないか、確認したときと内容が違います（SHA-256 が一致しません）。"
        "何も取り込んでいません。もう一度ファイルを選んで確認してください。"
    ]
    assert state() == before
    assert uploads(var_dir) == []  # a changed file is not kept
    assert not PendingUpload.objects.exists()


def test_a_database_change_after_the_preview_is_refused(
    secretariat: Client, kamakura: Municipality
) -> None:
    response = upload(secretariat, build())
    fields = confirmation(preview_of(secretariat, response))
    # meanwhile someone else imports a different version of the same plan
    data = rows()
    data["基本目標"][0][1] = "別の名称"
    service.plan_import(actor="other", municipality=kamakura, data=build(data))
    before = state()
    response = secretariat.post(reverse("plans:import_confirm"), fields)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "確認の画面を表示した後に、計画または組織が変更されました。何も保存していません。" in page
    )
    assert state() == before
    assert Goal.objects.get(number=1).name == "別の名称"
    # the upload is kept: a fresh preview shows the difference and can be confirmed
    assert f"{reverse('plans:import_preview')}?upload={fields['upload']}" in page
    html = secretariat.get(reverse("plans:import_preview"), {"upload": fields["upload"]})
    html = html.content.decode()
    assert "別の名称 → 相談体制の確立" in html
    secretariat.post(reverse("plans:import_confirm"), confirmation(html))
    assert Goal.objects.get(number=1).name == "相談体制の確立"


def test_a_goal_edited_in_the_database_after_the_preview_is_refused(
    secretariat: Client, kamakura: Municipality
) -> None:
    """The data the preview was compared with changed (not through an import): the changes
    recomputed at the confirmation differ from the ones shown, so nothing is saved."""
    service.plan_import(actor="test", municipality=kamakura, data=build())
    data = rows()
    data["基本目標"][0][1] = "総合的な相談体制の確立"
    fields = confirmation(preview_of(secretariat, upload(secretariat, build(data))))
    Goal.objects.filter(number=1).update(name="誰かが直した名称")
    before = state()
    audits = AuditEvent.objects.count()
    response = secretariat.post(reverse("plans:import_confirm"), fields)
    assert response.status_code == 200
    assert (
        "確認の画面を表示した後に、計画または組織が変更されました。何も保存していません。"
        in response.content.decode()
    )
    assert state() == before
    assert Goal.objects.get(number=1).name == "誰かが直した名称"
    assert AuditEvent.objects.count() == audits


def test_the_web_and_the_command_refuse_the_same_oversize_file(
    secretariat: Client, kamakura: Municipality, var_dir: Path, tmp_path: Path
) -> None:
    """One limit (``core.uploads``, xlsx: 10MB) and one message, on the web and the CLI."""
    data = b"\0" * (core_uploads.MAX_UPLOAD_BYTES["xlsx"] + 1)
    message = "ファイルが大きすぎます（10.0MB）。10MB 以下にしてください。"
    response = upload(secretariat, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert uploads(var_dir) == []
    path = tmp_path / "plan.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError) as refused:
        call_command("plan", "import", str(path), "--municipality", "142042")
    assert str(refused.value) == message
    result = service.plan_import(actor="test", municipality=kamakura, data=data)
    assert [error.message for error in result.errors] == [message]
    assert not Plan.objects.exists()
    # exactly at the limit the size is fine (the file is then refused for what it is)
    response = upload(secretariat, data[:-1])
    assert "大きすぎ" not in response.content.decode()


def test_cancel_discards_the_upload(
    secretariat: Client, kamakura: Municipality, var_dir: Path
) -> None:
    response = upload(secretariat, build())
    fields = confirmation(preview_of(secretariat, response))
    assert len(uploads(var_dir)) == 1
    cancel = secretariat.post(reverse("plans:import_cancel"), {"upload": fields["upload"]})
    assert messages_of(secretariat.get(cancel["Location"])) == [
        "取り込みをやめました。何も保存していません。"
    ]
    assert uploads(var_dir) == []
    assert not PendingUpload.objects.exists()
    assert not Plan.objects.exists()
    response = secretariat.get(response["Location"], follow=True)
    assert messages_of(response) == [
        "確認したファイルが見つかりません（取り込んだか、やめたか、保存の期限が過ぎました）。"
        "何も保存していません。もう一度ファイルを選んでください。"
    ]


def test_old_uploads_are_pruned(secretariat: Client, kamakura: Municipality, var_dir: Path) -> None:
    folder = var_dir / "uploads"
    folder.mkdir()
    old = folder / "plan-import-0123.xlsx"  # left by a stopped process
    old.write_bytes(b"old")
    os.utime(old, (1_000_000, 1_000_000))
    upload(secretariat, build())
    assert not old.exists()
    assert len(uploads(var_dir)) == 1


def test_template_download(secretariat: Client) -> None:
    response = secretariat.get(reverse("plans:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == views.XLSX
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["説明", *wb.SHEETS]


def test_export_download_imports_back_unchanged(
    secretariat: Client, kamakura: Municipality
) -> None:
    service.plan_import(actor="test", municipality=kamakura, data=build())
    plan = Plan.objects.get()
    response = secretariat.get(reverse("plans:export"), {"plan": plan.pk})
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    result = service.plan_import(
        actor="test", municipality=kamakura, data=response.content, dry_run=True
    )
    assert result.errors == [] and not result.has_changes


def test_export_of_another_municipality_or_nonsense_is_not_found(
    secretariat: Client, kamakura: Municipality, fujisawa: Municipality
) -> None:
    other = Plan.objects.create(
        municipality=fujisawa, name="藤沢の計画", start_fy=2020, end_fy=2025
    )
    assert secretariat.get(reverse("plans:export"), {"plan": other.pk}).status_code == 404
    assert secretariat.get(reverse("plans:export"), {"plan": "x"}).status_code == 404
    assert secretariat.get(reverse("plans:export")).status_code == 404


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.COMMITTEE_MEMBER, Role.SYSTEM_ADMIN])
def test_without_plans_manage_everything_is_refused_and_nothing_changes(
    role: str,
    make_user: Callable[..., Any],
    client_for: Callable[[Any], Client],
    kamakura: Municipality,
    units: dict[str, OrganisationUnit],
    var_dir: Path,
) -> None:
    service.plan_import(actor="test", municipality=kamakura, data=build())
    plan = Plan.objects.get()
    client = client_for(make_user(role))
    data = rows()
    data["基本目標"][0][1] = "書き換え"
    before = state()
    assert client.get(reverse("plans:import_upload")).status_code == 403
    assert upload(client, build(data)).status_code == 403
    assert client.get(reverse("plans:import_preview")).status_code == 403
    assert client.post(reverse("plans:import_confirm"), {"upload": "x"}).status_code == 403
    assert client.post(reverse("plans:import_cancel")).status_code == 403
    assert client.get(reverse("plans:import_template")).status_code == 403
    assert client.get(reverse("plans:export"), {"plan": plan.pk}).status_code == 403
    assert state() == before
    assert Goal.objects.get(number=1).name == "相談体制の確立"
    assert uploads(var_dir) == []


def test_losing_the_role_between_preview_and_confirm_saves_nothing(
    secretariat: Client, kamakura: Municipality
) -> None:
    fields = confirmation(preview_of(secretariat, upload(secretariat, build())))
    User.objects.get(username="user-secretariat").memberships.update(is_active=False)
    before = state()
    response = secretariat.post(reverse("plans:import_confirm"), fields)
    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize("pattern", views.urlpatterns, ids=lambda p: p.name)
def test_anonymous_users_are_sent_to_login(client: Client, db: None, pattern: Any) -> None:
    url = reverse(f"plans:{pattern.name}")
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def _plan_data(initiatives: int) -> bytes:
    data = rows()
    data["取組"] = [
        [n, 1 + n % 2, f"取組{n}", "内容", "福祉総務課、高齢者いきいき課", None]
        for n in range(1, initiatives + 1)
    ]
    return build(data)


def test_the_preview_runs_the_same_queries_whatever_the_size(
    secretariat: Client, kamakura: Municipality
) -> None:
    counts = []
    for size in (10, 300):
        Plan.objects.all().delete()
        service.plan_import(actor="test", municipality=kamakura, data=_plan_data(size))
        location = upload(secretariat, _plan_data(size))["Location"]
        secretariat.get(location)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = secretariat.get(location)
        assert "変更はありません。" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
