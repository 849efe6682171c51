"""The secretariat's plan workbook pages: upload → preview → confirm, template, export.

Nothing is saved before the confirmation; the confirmation applies exactly the previewed file
and changes; anyone without ``plans.manage`` is refused and changes nothing.
"""

from __future__ import annotations

import io
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.plans import workbook as wb
from sasaeai.plans.models import Goal, Initiative, Plan
from sasaeai.plans.services import plan_import as service
from sasaeai.plans.views import workbook as views
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


def ticket_of(html: str) -> str:
    match = re.search(r'name="ticket" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


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
    response = upload(secretariat, build())
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:import_preview")
    assert state() == before  # nothing saved by the upload
    (kept,) = uploads(var_dir)
    assert kept.name.startswith("plan-import-")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600

    response = secretariat.get(reverse("plans:import_preview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "テスト計画" in html and "新しく作ります" in html
    assert "追加 12 件、変更 0 件、削除 0 件（確認のみ。まだ保存していません）" in html
    assert "相談体制の確立" in html and "取組二" in html
    assert state() == before  # nor by the preview

    response = secretariat.post(
        reverse("plans:import_confirm"), {"ticket": ticket_of(html)}, follow=True
    )
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
    assert uploads(var_dir) == []  # the temporary file is gone
    assert views.SESSION_KEY not in secretariat.session


def test_preview_shows_changes_and_removals_before_and_after(
    secretariat: Client, kamakura: Municipality
) -> None:
    service.plan_import(actor="test", municipality=kamakura, data=build())
    data = rows()
    data["基本目標"][0][1] = "総合的な相談体制の確立"
    data["取組"] = data["取組"][:2]
    upload(secretariat, build(data))
    html = secretariat.get(reverse("plans:import_preview")).content.decode()
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
    assert uploads(var_dir) == []
    assert views.SESSION_KEY not in secretariat.session


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
    upload(secretariat, build())
    html = secretariat.get(reverse("plans:import_preview")).content.decode()
    assert "変更はありません。" in html
    assert 'name="ticket"' not in html  # nothing to confirm


def test_a_tampered_ticket_saves_nothing(secretariat: Client, kamakura: Municipality) -> None:
    upload(secretariat, build())
    secretariat.get(reverse("plans:import_preview"))
    before = state()
    response = secretariat.post(reverse("plans:import_confirm"), {"ticket": "forged"}, follow=True)
    assert "確認の期限が切れたか、ファイルが見つかりません。何も保存していません。" in (
        response.content.decode()
    )
    assert state() == before


def test_a_ticket_for_another_file_saves_nothing(
    secretariat: Client, kamakura: Municipality
) -> None:
    upload(secretariat, build())
    secretariat.get(reverse("plans:import_preview"))
    pending = secretariat.session[views.SESSION_KEY]
    forged = signing.dumps(
        {"t": pending["token"], "h": "0" * 64, "f": "x"}, salt=views.SIGNING_SALT
    )
    before = state()
    response = secretariat.post(reverse("plans:import_confirm"), {"ticket": forged}, follow=True)
    assert "確認したファイルと異なります。何も保存していません。" in response.content.decode()
    assert state() == before


def test_a_file_changed_on_disk_after_the_preview_saves_nothing(
    secretariat: Client, kamakura: Municipality, var_dir: Path
) -> None:
    upload(secretariat, build())
    html = secretariat.get(reverse("plans:import_preview")).content.decode()
    data = rows()
    data["基本目標"].append([3, "こっそり追加", None, None])
    (kept,) = uploads(var_dir)
    kept.write_bytes(build(data))
    before = state()
    response = secretariat.post(
        reverse("plans:import_confirm"), {"ticket": ticket_of(html)}, follow=True
    )
    assert "確認の期限が切れたか、ファイルが見つかりません。何も保存していません。" in (
        response.content.decode()
    )
    assert state() == before


def test_a_database_change_after_the_preview_is_refused(
    secretariat: Client, kamakura: Municipality
) -> None:
    upload(secretariat, build())
    html = secretariat.get(reverse("plans:import_preview")).content.decode()
    # meanwhile someone else imports a different version of the same plan
    data = rows()
    data["基本目標"][0][1] = "別の名称"
    service.plan_import(actor="other", municipality=kamakura, data=build(data))
    before = state()
    response = secretariat.post(reverse("plans:import_confirm"), {"ticket": ticket_of(html)})
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "確認の画面を表示した後に、計画または組織が変更されました。何も保存していません。" in page
    )
    assert state() == before
    assert Goal.objects.get(number=1).name == "別の名称"
    # the upload is kept: a fresh preview shows the difference and can be confirmed
    html = secretariat.get(reverse("plans:import_preview")).content.decode()
    assert "別の名称 → 相談体制の確立" in html
    secretariat.post(reverse("plans:import_confirm"), {"ticket": ticket_of(html)})
    assert Goal.objects.get(number=1).name == "相談体制の確立"


def test_cancel_discards_the_upload(
    secretariat: Client, kamakura: Municipality, var_dir: Path
) -> None:
    upload(secretariat, build())
    assert len(uploads(var_dir)) == 1
    response = secretariat.post(reverse("plans:import_cancel"), follow=True)
    assert "取り込みをやめました。何も保存していません。" in response.content.decode()
    assert uploads(var_dir) == []
    assert not Plan.objects.exists()
    response = secretariat.get(reverse("plans:import_preview"), follow=True)
    assert "取り込むファイルを選んでください。" in response.content.decode()


def test_old_temporary_files_are_pruned(
    secretariat: Client, kamakura: Municipality, var_dir: Path
) -> None:
    folder = var_dir / "uploads"
    folder.mkdir()
    old = folder / "plan-import-0123.xlsx"
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
    assert client.post(reverse("plans:import_confirm"), {"ticket": "x"}).status_code == 403
    assert client.post(reverse("plans:import_cancel")).status_code == 403
    assert client.get(reverse("plans:import_template")).status_code == 403
    assert client.get(reverse("plans:export"), {"plan": plan.pk}).status_code == 403
    assert state() == before
    assert Goal.objects.get(number=1).name == "相談体制の確立"
    assert uploads(var_dir) == []


def test_losing_the_role_between_preview_and_confirm_saves_nothing(
    secretariat: Client, kamakura: Municipality
) -> None:
    upload(secretariat, build())
    html = secretariat.get(reverse("plans:import_preview")).content.decode()
    User.objects.get(username="user-secretariat").memberships.update(is_active=False)
    before = state()
    response = secretariat.post(reverse("plans:import_confirm"), {"ticket": ticket_of(html)})
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
        upload(secretariat, _plan_data(size))
        secretariat.get(reverse("plans:import_preview"))  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = secretariat.get(reverse("plans:import_preview"))
        assert "変更はありません。" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
