"""The Excel round-trip for departments: export, preview, conflicts, errors, apply, the web flow.

The web flow is the one of every import (``core.uploads``): the upload is a pending upload of
the user who chose it, and the confirmation applies exactly the preview it carries the
fingerprint of — a change to the evaluations since (on the web or directly in the database)
is refused and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from openpyxl import load_workbook

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.config import urls as root_urls
from sasaeai.core import uploads
from sasaeai.core.errors import DomainError, PermissionRefused
from sasaeai.core.models import PendingUpload
from sasaeai.plans import urls as plans_urls
from sasaeai.plans.models import (
    CycleStatus,
    Evaluation,
    EvaluationCycle,
    EvaluationState,
    Initiative,
    InitiativeUnit,
)
from sasaeai.plans.services import department_import as service
from sasaeai.plans.services.evaluations import evaluation_save
from sasaeai.plans.views import department_workbook as views
from sasaeai.plans.workbook import department as wb
from tests.conftest import login
from tests.plans.builders import build_plan

# The lead wires views.urlpatterns into plans/urls.py; until then this module's URLconf does.
_plans = list(plans_urls.urlpatterns)
if not any(getattr(p, "name", "") == "dept_workbook_index" for p in _plans):
    _plans += views.urlpatterns
urlpatterns = [
    *(p for p in root_urls.urlpatterns if getattr(p, "namespace", None) != "plans"),
    path("staff/plans/", include((_plans, "plans"))),
]
pytestmark = pytest.mark.urls(__name__)

SHEET = "評価"
PREVIEW = "/staff/plans/workbooks/preview/"


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path  # pending uploads
    return tmp_path


GRADE_CHOICES = "A 順調・B 概ね順調・C やや遅れている・D 遅れている"
DIRECTION_CHOICES = "拡充・継続・見直し・終了"


@pytest.fixture
def built(kamakura: Municipality, units: dict[str, OrganisationUnit]) -> dict[str, Any]:
    """4 initiatives of 高齢者いきいき課 in an open 2024 cycle (deadline 令和7年1月31日), and a
    2023 cycle with last year's entries."""
    data = build_plan(kamakura, units, initiatives=4)
    cycle = data["cycle"]
    cycle.deadline = dt.date(2025, 1, 31)
    cycle.save()
    previous = EvaluationCycle.objects.create(
        municipality=kamakura, plan=data["plan"], fiscal_year=2023, status=CycleStatus.CLOSED
    )
    Evaluation.objects.bulk_create(
        Evaluation(
            cycle=previous,
            initiative=initiative,
            unit=units["koreisha"],
            results=f"前年の実績{initiative.number}",
            grade="B",
            direction="拡充",
        )
        for initiative in data["initiatives"]
    )
    data["previous"] = previous
    return data


def evaluations(built: dict[str, Any]) -> list[Evaluation]:
    return list(Evaluation.objects.filter(cycle=built["cycle"]).order_by("initiative__number"))


def state(built: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Everything an import could change, to show a refused import changed nothing."""
    return [
        (e.pk, e.results, e.grade, e.issues, e.direction, e.state, e.version, e.updated_by_id)
        for e in Evaluation.objects.order_by("pk")
    ]


def export(built: dict[str, Any], actor: Any, unit: OrganisationUnit) -> bytes:
    return service.department_workbook_export(actor=actor, cycle=built["cycle"], unit=unit).content


def edit(data: bytes, cells: dict[str, Any]) -> bytes:
    """The workbook with cells of the 評価 sheet set, as a user would in Excel."""
    book = load_workbook(io.BytesIO(data))
    sheet = book[SHEET]
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def located(errors: list[DomainError]) -> list[tuple[Any, ...]]:
    return [
        (
            e.location.sheet if e.location else None,
            e.location.row if e.location else None,
            e.location.column if e.location else None,
            e.message,
        )
        for e in errors
    ]


def diffs(preview: service.DepartmentImportPreview) -> list[tuple[Any, ...]]:
    return [
        (change.row, change.number, item.label, item.before, item.after)
        for change in preview.changes
        for item in change.changes
    ]


# ------------------------------------------------------------------ pure helpers


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("A 順調", "A"),
        ("Ａ　順調", "A"),
        ("  A  順調 ", "A"),
        ("A", "A"),
        ("ａ", "A"),
        ("順調", "A"),
        ("A：順調", "A"),
        ("A順調", "A"),
        ("B 概ね順調", "B"),
        ("", ""),
        ("A 遅れている", None),
        ("E", None),
        ("とても順調", None),
    ],
)
def test_grade_text_maps_back_to_its_code(text: str, code: str | None) -> None:
    grades = [
        {"code": "A", "label": "順調"},
        {"code": "B", "label": "概ね順調"},
        {"code": "C", "label": "やや遅れている"},
        {"code": "D", "label": "遅れている"},
    ]
    assert wb.grade_code(text, grades) == code


def test_direction_tolerates_full_width_and_spaces() -> None:
    choices = ["拡充", "継続", "見直し", "終了"]
    assert wb.direction_value(" 継続　", choices) == "継続"
    assert wb.direction_value("", choices) == ""
    assert wb.direction_value("廃止", choices) is None


# ------------------------------------------------------------------ the produced file


def test_workbook_layout_protection_and_lists(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    first, second, *_ = evaluations(built)
    Evaluation.objects.filter(pk=second.pk).update(state=EvaluationState.SUBMITTED)
    Evaluation.objects.filter(pk=first.pk).update(results="=1+1 と書いた実績")
    book = load_workbook(io.BytesIO(export(built, users[Role.DEPARTMENT], units["koreisha"])))
    assert book.sheetnames == ["評価", "説明", "_meta"]
    assert book["_meta"].sheet_state == "veryHidden"
    assert book.security.lockStructure
    sheet = book["評価"]
    assert [c.value for c in sheet[1]] == [
        "番号", "取組名", "基本目標", "施策", "取組の種類", "状態", "前年度の実績",
        "前年度の評価", "前年度の方向性", "実施内容・実績", "評価", "課題", "今後の方向性",
        "評価ID", "出力時の版", "出力時の確認値",
    ]  # fmt: skip
    assert [c.value for c in sheet[2]][:13] == [
        1, "取組1", "1 相談", "1 施策一", "1 種類一", "入力中", "前年の実績1", "B 概ね順調",
        "拡充", "=1+1 と書いた実績", "A 順調", None, "継続",
    ]  # fmt: skip
    assert sheet["J2"].data_type == "s"  # text starting with "=" stays text, never a formula
    assert (sheet["N2"].value, sheet["O2"].value) == (first.pk, 1)
    assert sheet["P2"].value == wb.values_digest(
        {"results": "=1+1 と書いた実績", "grade": "A", "issues": "", "direction": "継続"}
    )
    assert sheet.protection.sheet is True
    assert sheet.protection.password is None
    for ref in ("A2", "B2", "C2", "F2", "G2", "H2", "I2", "N2", "O2", "P2", "J1", "K1"):
        assert sheet[ref].protection.locked is True, ref
    for ref in ("J2", "K2", "L2", "M2", "J4", "K5"):
        assert sheet[ref].protection.locked is False, ref
    for ref in ("J3", "K3", "L3", "M3"):  # the submitted row cannot be edited
        assert sheet[ref].protection.locked is True, ref
    assert sheet["F3"].value == "提出済み"
    assert [sheet.column_dimensions[c].hidden for c in "JKLMNOP"] == [False] * 4 + [True] * 3
    assert sheet.freeze_panes == "C2"
    assert sheet["J2"].alignment.wrap_text is True
    assert sheet.column_dimensions["J"].width == 48
    validations = {
        str(v.sqref): (v.type, v.formula1) for v in sheet.data_validations.dataValidation
    }
    assert validations == {
        "K2:K5": ("list", "'_meta'!$D$2:$D$5"),
        "M2:M5": ("list", "'_meta'!$E$2:$E$5"),
    }
    meta = book["_meta"]
    assert [meta[f"D{n}"].value for n in range(2, 6)] == GRADE_CHOICES.split("・")
    assert [meta[f"E{n}"].value for n in range(2, 6)] == DIRECTION_CHOICES.split("・")
    guide = [v for row in book["説明"].iter_rows(values_only=True) for v in row if v]
    assert "高齢者いきいき課" in guide
    assert "令和6年度" in guide
    assert "令和7年1月31日" in guide
    assert "テスト計画" in guide
    assert any("パスワードはありません" in str(v) for v in guide)
    assert book["説明"].protection.sheet is True


def test_unit_name_is_the_one_of_that_year(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    from sasaeai.accounts import services as accounts

    accounts.unit_rename(
        actor=users[Role.SECRETARIAT],
        unit=units["koreisha"],
        name="長寿いきいき課",
        reading="",
        from_fy=2025,
    )
    unit = OrganisationUnit.objects.get(pk=units["koreisha"].pk)
    book = service.department_workbook_export(
        actor=users[Role.SECRETARIAT], cycle=built["cycle"], unit=unit
    )
    assert book.unit_name == "高齢者いきいき課"
    assert book.filename == "令和6年度_高齢者いきいき課_評価.xlsx"


def test_last_year_of_the_previous_plan_comes_through_the_successor(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    from sasaeai.plans.models import Plan

    second_plan = Plan.objects.create(
        municipality=built["plan"].municipality, name="第2期", start_fy=2025, end_fy=2030
    )
    old = built["initiatives"][0]
    kind = old.initiative_type
    kind.pk, kind.plan = None, second_plan
    kind.save()
    new = Initiative.objects.create(plan=second_plan, initiative_type=kind, number=1, title="後継")
    Initiative.objects.filter(pk=old.pk).update(successor=new)
    cycle = EvaluationCycle.objects.create(
        municipality=second_plan.municipality, plan=second_plan, fiscal_year=2025
    )
    Evaluation.objects.create(cycle=cycle, initiative=new, unit=units["koreisha"])
    book = service.department_workbook_export(
        actor=users[Role.DEPARTMENT], cycle=cycle, unit=units["koreisha"]
    )
    sheet = load_workbook(io.BytesIO(book.content))["評価"]
    assert [sheet[f"{c}2"].value for c in "ABGHI"] == [1, "後継", "実施した。", "A 順調", "継続"]


# ------------------------------------------------------------------ round trip


def test_round_trip_without_edits_changes_nothing(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    user = users[Role.DEPARTMENT]
    data = export(built, user, units["koreisha"])
    before, audits = state(built), AuditEvent.objects.exclude(action="refused").count()
    preview = service.department_import_preview(
        actor=user, municipality=built["plan"].municipality, data=data
    )
    assert (preview.rows_read, preview.unchanged, preview.changes) == (4, 4, [])
    assert preview.ok
    assert preview.summary() == "変更はありません。"
    result = service.department_import_apply(
        actor=user, municipality=built["plan"].municipality, data=data
    )
    assert result.summary() == "変更はありません。"
    assert state(built) == before
    assert AuditEvent.objects.exclude(action="refused").count() == audits


def test_edits_show_exact_diffs_and_are_saved(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    user = users[Role.DEPARTMENT]
    first, second, third, fourth = evaluations(built)
    data = edit(
        export(built, user, units["koreisha"]),
        {
            "J2": "見守り訪問を120件実施した。\r\n研修を2回開いた。  ",
            "K2": "Ｂ　概ね順調",
            "L3": "担い手が足りない。",
            "M3": " 拡充 ",
            "K4": "",  # clearing the grade is a change too
            "J5": "  実施した。　",  # only stray spaces: no change
        },
    )
    municipality = built["plan"].municipality
    preview = service.department_import_preview(actor=user, municipality=municipality, data=data)
    assert preview.errors == [] and preview.conflicts == []
    assert diffs(preview) == [
        (2, 1, "実施内容・実績", "実施した。", "見守り訪問を120件実施した。\n研修を2回開いた。"),
        (2, 1, "評価", "A 順調", "B 概ね順調"),
        (3, 2, "課題", "", "担い手が足りない。"),
        (3, 2, "今後の方向性", "継続", "拡充"),
        (4, 3, "評価", "B 概ね順調", ""),
    ]
    assert preview.unchanged == 1
    assert preview.summary() == "3 件の取組で、5 か所が変わります。"
    audits = AuditEvent.objects.exclude(action="refused").count()
    service.department_import_apply(
        actor=user, municipality=municipality, data=data, filename="kore.xlsx"
    )
    after = {e.pk: e for e in evaluations(built)}
    assert (after[first.pk].results, after[first.pk].grade, after[first.pk].version) == (
        "見守り訪問を120件実施した。\n研修を2回開いた。",
        "B",
        2,
    )
    assert (after[second.pk].issues, after[second.pk].direction, after[second.pk].version) == (
        "担い手が足りない。",
        "拡充",
        2,
    )
    assert (after[third.pk].grade, after[third.pk].version) == ("", 2)
    assert (after[fourth.pk].results, after[fourth.pk].version) == ("実施した。", 1)
    assert after[first.pk].updated_by_id == user.pk
    events = list(AuditEvent.objects.filter(id__gt=0).order_by("id"))[audits:]
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("update", "plans.Evaluation", str(first.pk)),
        ("update", "plans.Evaluation", str(second.pk)),
        ("update", "plans.Evaluation", str(third.pk)),
        ("update", "plans.EvaluationCycle", str(built["cycle"].pk)),
    ]
    assert events[0].changes == {
        "grade": ["A", "B"],
        "results": ["実施した。", "見守り訪問を120件実施した。\n研修を2回開いた。"],
    }
    assert events[3].detail == (
        "部署別ワークブックから取込: 高齢者いきいき課（取組 3 件・5 か所、ファイル「kore.xlsx」）"
    )
    # importing the same file again: nothing left to change (the versions moved, the values match)
    again = service.department_import_preview(actor=user, municipality=municipality, data=data)
    assert again.ok and again.summary() == "変更はありません。"


# ------------------------------------------------------------------ conflicts


def test_web_save_after_export_is_a_conflict_and_nothing_is_saved(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    department, secretariat = users[Role.DEPARTMENT], users[Role.SECRETARIAT]
    first, *_ = evaluations(built)
    data = edit(
        export(built, department, units["koreisha"]),
        {"J2": "ファイルで書いた実績", "L3": "ファイルで書いた課題"},
    )
    evaluation_save(
        actor=secretariat,
        evaluation=first,
        expected_version=1,
        results="ウェブで書いた実績",
        grade="A",
        issues="",
        direction="継続",
    )
    before, audits = state(built), AuditEvent.objects.exclude(action="refused").count()
    municipality = built["plan"].municipality
    preview = service.department_import_preview(
        actor=department, municipality=municipality, data=data
    )
    assert not preview.ok
    assert [(c.row, c.number, c.exported_version, c.updated_by) for c in preview.conflicts] == [
        (2, 1, 1, "secretariat の利用者")
    ]
    assert [(f.label, f.web, f.file) for f in preview.conflicts[0].fields] == [
        ("実施内容・実績", "ウェブで書いた実績", "ファイルで書いた実績")
    ]
    assert preview.conflicts[0].describe() == (
        "シート「評価」 2行目: 番号 1「取組1」は出力のあとにウェブで変更されています"
        "（secretariat の利用者）。実施内容・実績: ウェブ「ウェブで書いた実績」／"
        "ファイル「ファイルで書いた実績」"
    )
    assert preview.summary() == (
        "出力のあとにウェブで変更された取組が 1 件あります（競合）。何も保存していません。"
    )
    with pytest.raises(service.WorkbookConflict) as refused:
        service.department_import_apply(actor=department, municipality=municipality, data=data)
    assert len(refused.value.conflicts) == 1
    assert state(built) == before  # row 3 (no conflict) was not saved either
    assert AuditEvent.objects.exclude(action="refused").count() == audits


def test_untouched_row_changed_on_the_web_is_also_a_conflict_until_the_file_agrees(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    department = users[Role.DEPARTMENT]
    first, *_ = evaluations(built)
    exported = export(built, department, units["koreisha"])
    evaluation_save(
        actor=department,
        evaluation=first,
        expected_version=1,
        results="ウェブで書いた実績",
        grade="A",
        issues="",
        direction="継続",
    )
    municipality = built["plan"].municipality
    data = edit(exported, {"L3": "ファイルで書いた課題"})
    preview = service.department_import_preview(
        actor=department, municipality=municipality, data=data
    )
    assert [(f.label, f.web, f.file) for c in preview.conflicts for f in c.fields] == [
        ("実施内容・実績", "ウェブで書いた実績", "実施した。")
    ]
    # resolved in the file: row 2 now holds the web's values
    resolved = edit(data, {"J2": "ウェブで書いた実績"})
    preview = service.department_import_preview(
        actor=department, municipality=municipality, data=resolved
    )
    assert preview.ok
    assert diffs(preview) == [(3, 2, "課題", "", "ファイルで書いた課題")]


def test_new_version_with_the_same_values_is_not_a_conflict(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    from sasaeai.plans.services.evaluations import evaluation_return, evaluation_submit

    department, secretariat = users[Role.DEPARTMENT], users[Role.SECRETARIAT]
    first, *_ = evaluations(built)
    data = edit(export(built, department, units["koreisha"]), {"L2": "追記した課題"})
    submitted = evaluation_submit(actor=department, evaluation=first, expected_version=1)
    evaluation_return(
        actor=secretariat, evaluation=submitted, expected_version=2, comment="課題も書いてください"
    )
    municipality = built["plan"].municipality
    preview = service.department_import_preview(
        actor=department, municipality=municipality, data=data
    )
    assert preview.ok
    assert diffs(preview) == [(2, 1, "課題", "", "追記した課題")]
    service.department_import_apply(actor=department, municipality=municipality, data=data)
    first.refresh_from_db()
    assert (first.issues, first.state, first.version) == ("追記した課題", "returned", 4)


# ------------------------------------------------------------------ validation


def test_every_bad_row_is_reported_with_sheet_row_and_column(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    department = users[Role.DEPARTMENT]
    first, *_ = evaluations(built)
    old = Evaluation.objects.filter(cycle=built["previous"]).order_by("pk").first()
    assert old is not None
    data = edit(
        export(built, department, units["koreisha"]),
        {
            "K2": "S すばらしい",
            "M2": "やめる",
            "J3": '=CONCATENATE("a","b")',
            "N4": 999999,
            "N5": old.pk,
            # row 7 is blank (ignored); row 8 is a row someone typed in without an id
            "B8": "追加した取組",
            "J8": "書いた",
            # row 9 repeats row 2
            "N9": first.pk,
            "O9": 1,
            "P9": "x",
        },
    )
    before, audits = state(built), AuditEvent.objects.exclude(action="refused").count()
    municipality = built["plan"].municipality
    preview = service.department_import_preview(
        actor=department, municipality=municipality, data=data
    )
    assert located(preview.errors) == [
        (SHEET, 2, "評価", f"「S すばらしい」は評価として選べません。{GRADE_CHOICES} から選んでください。"),
        (SHEET, 2, "今後の方向性", f"「やめる」は今後の方向性として選べません。{DIRECTION_CHOICES} から選んでください。"),
        (SHEET, 3, "実施内容・実績", "数式は使えません（数式は計算せずに読みます）。値を直接入力してください。"),
        (SHEET, 4, "評価ID", "評価ID 999999 の評価は、この進捗調査（令和6年度）にありません。"),
        (SHEET, 5, "評価ID", f"評価ID {old.pk} の評価は、この進捗調査（令和6年度）にありません。"),
        (SHEET, 8, "評価ID", "評価IDがないか、読み取れません。この様式には行を追加できません。ささえあいから出力した行だけを使ってください。"),
        (SHEET, 8, "出力時の版", "出力時の版がないか、読み取れません。出力し直してください。"),
        (SHEET, 8, "出力時の確認値", "出力時の確認値がありません。出力し直してください。"),
        (SHEET, 9, "評価ID", "2行目と同じ取組の行です。1つの取組は1行にしてください。"),
    ]  # fmt: skip
    assert str(preview.errors[0]).startswith("シート「評価」 2行目 列「評価」: ")
    assert preview.summary() == "ファイルに 9 件のエラーがあります。何も保存していません。"
    with pytest.raises(service.WorkbookRejected) as refused:
        service.department_import_apply(actor=department, municipality=municipality, data=data)
    assert len(refused.value.details) == 9
    assert state(built) == before
    assert AuditEvent.objects.exclude(action="refused").count() == audits


def test_a_row_far_below_the_others_is_reported_at_its_own_row(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    """Rows are streamed, not counted: blank rows in between do not shift the row numbers."""
    data = edit(export(built, "system:test", units["koreisha"]), {"J300": "迷子の行"})
    preview = service.department_import_preview(
        actor=users[Role.DEPARTMENT], municipality=built["plan"].municipality, data=data
    )
    assert located(preview.errors) == [
        (
            "評価",
            300,
            "評価ID",
            "評価IDがないか、読み取れません。この様式には行を追加できません。ささえあいから出力した行だけを使ってください。",
        ),
        ("評価", 300, "出力時の版", "出力時の版がないか、読み取れません。出力し直してください。"),
        ("評価", 300, "出力時の確認値", "出力時の確認値がありません。出力し直してください。"),
    ]
    assert preview.rows_read == 5


def test_row_of_another_unit_is_refused(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    secretariat = users[Role.SECRETARIAT]
    first, *_ = evaluations(built)
    data = edit(export(built, secretariat, units["koreisha"]), {"J2": "変えた"})
    Evaluation.objects.filter(pk=first.pk).update(unit=units["fukushi-somu"])
    preview = service.department_import_preview(
        actor=secretariat, municipality=built["plan"].municipality, data=data
    )
    assert located(preview.errors) == [
        (SHEET, 2, "評価ID", "番号 1「取組1」は、このファイルの担当課（高齢者いきいき課）の担当ではありません。")
    ]  # fmt: skip


def test_changes_to_a_submitted_evaluation_are_refused(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    department = users[Role.DEPARTMENT]
    second = evaluations(built)[1]
    exported = export(built, department, units["koreisha"])
    Evaluation.objects.filter(pk=second.pk).update(state=EvaluationState.APPROVED)
    municipality = built["plan"].municipality
    unchanged = edit(exported, {"J2": "変えた"})  # the approved row 3 is left as it was
    preview = service.department_import_preview(
        actor=department, municipality=municipality, data=unchanged
    )
    assert preview.ok and diffs(preview) == [(2, 1, "実施内容・実績", "実施した。", "変えた")]
    changed = edit(unchanged, {"M3": "終了", "L3": "書き足した"})
    preview = service.department_import_preview(
        actor=department, municipality=municipality, data=changed
    )
    assert located(preview.errors) == [
        (SHEET, 3, "課題", "番号 2「取組2」の評価は承認済みのため変更できません（変更した列: 課題、今後の方向性）。変更が必要なときは事務局に差し戻しを依頼してください。")
    ]  # fmt: skip
    before = state(built)
    with pytest.raises(service.WorkbookRejected):
        service.department_import_apply(actor=department, municipality=municipality, data=changed)
    assert state(built) == before


def test_closed_cycle_is_refused(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    department = users[Role.DEPARTMENT]
    data = edit(export(built, department, units["koreisha"]), {"J2": "変えた"})
    EvaluationCycle.objects.filter(pk=built["cycle"].pk).update(status=CycleStatus.CLOSED)
    before = state(built)
    with pytest.raises(DomainError) as refused:
        service.department_import_apply(
            actor=department, municipality=built["plan"].municipality, data=data
        )
    assert (refused.value.code, refused.value.message) == (
        "cycle_locked",
        "テスト計画 令和6年度の進捗調査は締め切られている（締切（ロック））ため、取り込めません。",
    )
    assert state(built) == before


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (
            b"not a workbook",
            "not_xlsx",
            "Excel ファイル（.xlsx）として読み取れません。Excel で「Excel ブック（*.xlsx）」の形式で保存したファイルを選んでください。",
        ),
        (
            None,
            "not_department_workbook",
            "ささえあいから出力した評価のワークブックではありません（隠しシート「_meta」がありません）。職員ページまたは `sasaeai evaluations export` で出力したファイルを使ってください。",
        ),
    ],
)
def test_foreign_files_are_refused(
    built: dict[str, Any], users: dict[str, User], data: bytes | None, code: str, message: str
) -> None:
    if data is None:
        from openpyxl import Workbook

        out = io.BytesIO()
        Workbook().save(out)
        data = out.getvalue()
    with pytest.raises(DomainError) as refused:
        service.department_import_preview(
            actor=users[Role.DEPARTMENT], municipality=built["plan"].municipality, data=data
        )
    assert (refused.value.code, refused.value.message) == (code, message)


def test_moved_columns_are_refused(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    department = users[Role.DEPARTMENT]
    data = edit(export(built, department, units["koreisha"]), {"K1": "課題", "L1": "評価"})
    with pytest.raises(DomainError) as refused:
        service.department_import_preview(
            actor=department, municipality=built["plan"].municipality, data=data
        )
    assert refused.value.code == "header_mismatch"
    assert [str(d) for d in refused.value.details] == [
        "シート「評価」 1行目: K列の見出しが「課題」になっています（様式では「評価」）。",
        "シート「評価」 1行目: L列の見出しが「評価」になっています（様式では「課題」）。",
    ]


def test_file_of_another_municipality_is_refused(
    built: dict[str, Any],
    units: dict[str, OrganisationUnit],
    users: dict[str, User],
    fujisawa: Municipality,
) -> None:
    data = export(built, users[Role.SECRETARIAT], units["koreisha"])
    with pytest.raises(DomainError) as refused:
        service.department_import_preview(actor="system:test", municipality=fujisawa, data=data)
    assert refused.value.message == (
        "このファイルは別の自治体（団体コード 142042）のものです。藤沢市（142051）のファイルを使ってください。"
    )


# ------------------------------------------------------------------ permissions


@pytest.fixture
def somu_initiative(built: dict[str, Any], units: dict[str, OrganisationUnit]) -> Evaluation:
    """Initiative 4 moved to 福祉総務課 (the secretariat's own unit)."""
    fourth = evaluations(built)[3]
    Evaluation.objects.filter(pk=fourth.pk).update(unit=units["fukushi-somu"])
    InitiativeUnit.objects.filter(initiative=fourth.initiative).update(unit=units["fukushi-somu"])
    return Evaluation.objects.get(pk=fourth.pk)


def test_department_cannot_import_another_units_workbook(
    built: dict[str, Any],
    units: dict[str, OrganisationUnit],
    users: dict[str, User],
    somu_initiative: Evaluation,
    client_for: Callable[[User], Client],
) -> None:
    secretariat, department = users[Role.SECRETARIAT], users[Role.DEPARTMENT]
    data = edit(export(built, secretariat, units["fukushi-somu"]), {"J2": "担当外の書き換え"})
    municipality = built["plan"].municipality
    before, audits = state(built), AuditEvent.objects.exclude(action="refused").count()
    with pytest.raises(PermissionRefused) as refused:
        service.department_import_apply(actor=department, municipality=municipality, data=data)
    assert refused.value.message == "福祉総務課の評価のワークブックを扱う権限がありません。"
    with pytest.raises(PermissionRefused):
        service.department_workbook_export(
            actor=department, cycle=built["cycle"], unit=units["fukushi-somu"]
        )
    client = client_for(department)
    upload = io.BytesIO(data)
    upload.name = "somu.xlsx"
    response = client.post("/staff/plans/workbooks/", {"file": upload})
    assert response.status_code == 403
    assert "福祉総務課の評価のワークブックを扱う権限がありません。" in response.content.decode()
    assert not PendingUpload.objects.exists()  # a refused file is not kept
    download = client.get(f"/staff/plans/workbooks/{built['cycle'].pk}/fukushi-somu/")
    assert download.status_code == 403
    assert state(built) == before
    assert AuditEvent.objects.exclude(action="refused").count() == audits
    # the secretariat may import it
    service.department_import_apply(actor=secretariat, municipality=municipality, data=data)
    somu_initiative.refresh_from_db()
    assert somu_initiative.results == "担当外の書き換え"


@pytest.mark.parametrize("role", [Role.COMMITTEE_MEMBER, Role.COUNCIL_COORDINATOR])
def test_other_roles_cannot_open_the_pages(
    built: dict[str, Any], users: dict[str, User], client_for: Callable[[User], Client], role: str
) -> None:
    client = client_for(users[role])
    assert client.get("/staff/plans/workbooks/").status_code == 403
    assert client.get(f"/staff/plans/workbooks/{built['cycle'].pk}/koreisha/").status_code == 403
    assert client.get("/staff/plans/workbooks/preview/").status_code == 403


def test_pages_need_login(client: Client, built: dict[str, Any]) -> None:
    for url in (
        "/staff/plans/workbooks/",
        f"/staff/plans/workbooks/{built['cycle'].pk}/koreisha/",
        "/staff/plans/workbooks/preview/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# ------------------------------------------------------------------ command line


def test_command_exports_every_department_into_a_directory(
    built: dict[str, Any], somu_initiative: Evaluation, tmp_path: Path
) -> None:
    out = io.StringIO()
    call_command(
        "evaluations", "export", "--municipality", "142042", "--fy", "R6",
        "-o", str(tmp_path / "out"), stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "evaluations-2024-fukushi-somu.xlsx",
        "evaluations-2024-koreisha.xlsx",
    ]
    assert "2 件のワークブックを出力しました。" in out.getvalue()
    call_command(
        "evaluations", "export", "--municipality", "142042", "--fy", "2024",
        "--unit", "koreisha", "-o", str(tmp_path / "one.xlsx"), stdout=io.StringIO(),
    )  # fmt: skip
    sheet = load_workbook(tmp_path / "one.xlsx")["評価"]
    assert [sheet[f"A{n}"].value for n in range(2, 6)] == [1, 2, 3, None]


def test_command_dry_run_writes_nothing_and_import_applies(
    built: dict[str, Any],
    units: dict[str, OrganisationUnit],
    users: dict[str, User],
    tmp_path: Path,
) -> None:
    first, *_ = evaluations(built)
    file = tmp_path / "kore.xlsx"
    file.write_bytes(
        edit(export(built, "system:test", units["koreisha"]), {"K2": "C", "J2": "書き直した"})
    )
    before, audits = state(built), AuditEvent.objects.exclude(action="refused").count()
    out = io.StringIO()
    call_command(
        "evaluations", "import", str(file), "--municipality", "142042", "--dry-run", stdout=out
    )
    assert out.getvalue().splitlines() == [
        "テスト計画 令和6年度 高齢者いきいき課: 4 行を読みました。",
        "2行目 番号 1「取組1」 実施内容・実績: 実施した。 → 書き直した",
        "2行目 番号 1「取組1」 評価: A 順調 → C やや遅れている",
        "1 件の取組で、2 か所が変わります。",
        "（--dry-run のため保存していません）",
    ]
    assert state(built) == before
    assert AuditEvent.objects.exclude(action="refused").count() == audits
    with pytest.raises(CommandError, match="--as で変更を行う利用者を指定してください"):
        call_command("evaluations", "import", str(file), "--municipality", "142042")
    assert state(built) == before
    out = io.StringIO()
    call_command(
        "evaluations", "import", str(file), "--municipality", "142042",
        "--as", users[Role.DEPARTMENT].username, stdout=out,
    )  # fmt: skip
    assert "取り込みました（取組 1 件・2 か所）。" in out.getvalue()
    first.refresh_from_db()
    assert (first.results, first.grade, first.version) == ("書き直した", "C", 2)


def test_command_reports_errors_and_exits_non_zero(
    built: dict[str, Any], units: dict[str, OrganisationUnit], tmp_path: Path
) -> None:
    file = tmp_path / "bad.xlsx"
    file.write_bytes(edit(export(built, "system:test", units["koreisha"]), {"M3": "やめる"}))
    before = state(built)
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "evaluations", "import", str(file), "--municipality", "142042", "--dry-run",
            stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    assert str(refused.value) == "ファイルに 1 件のエラーがあります。何も保存していません。"
    assert err.getvalue().splitlines() == [
        f"シート「評価」 3行目 列「今後の方向性」: 「やめる」は今後の方向性として選べません。{DIRECTION_CHOICES} から選んでください。"
    ]
    assert state(built) == before


# ------------------------------------------------------------------ web flow


def _upload(client: Client, data: bytes, name: str = "kore.xlsx") -> Any:
    upload = io.BytesIO(data)
    upload.name = name
    return client.post("/staff/plans/workbooks/", {"file": upload})


def _preview_url(response: Any) -> str:
    """The preview page the upload sent the user to (``?upload=<id>``)."""
    upload = PendingUpload.objects.latest("created_at")
    assert (response.status_code, response["Location"]) == (302, f"{PREVIEW}?upload={upload.pk}")
    return str(response["Location"])


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_web_download_preview_and_confirm(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User],
    client_for: Callable[[User], Client], var_dir: Path,
) -> None:  # fmt: skip
    department = users[Role.DEPARTMENT]
    client = client_for(department)
    index = client.get("/staff/plans/workbooks/").content.decode()
    assert "高齢者いきいき課のワークブック（.xlsx）" in index
    assert "令和7年1月31日" in index
    download = client.get(f"/staff/plans/workbooks/{built['cycle'].pk}/koreisha/")
    assert download.status_code == 200
    assert download["Content-Type"] == views.XLSX
    assert "filename*=utf-8''" in download["Content-Disposition"]
    data = edit(download.content, {"K3": "D 遅れている", "L3": "人が足りない"})
    url = _preview_url(_upload(client, data))
    pending = PendingUpload.objects.get()
    assert (pending.purpose, pending.user_id, pending.filename, pending.size) == (
        "plans.department_workbook",
        department.pk,
        "kore.xlsx",
        len(data),
    )
    assert (var_dir / "uploads" / f"{pending.pk.hex}.upload").read_bytes() == data
    before = state(built)
    page = client.get(url)
    html = page.content.decode()
    assert "1 件の取組で、2 か所が変わります。" in html
    assert "<td>B 概ね順調</td>" in html and "<td>D 遅れている</td>" in html
    assert "<td>人が足りない</td>" in html
    assert f'<input type="hidden" name="upload" value="{pending.pk}">' in html
    assert state(built) == before  # the preview saved nothing
    fingerprint = page.context["preview"].fingerprint
    response = client.post(url, {"upload": str(pending.pk), "fingerprint": fingerprint})
    assert (response.status_code, response["Location"]) == (302, "/staff/plans/workbooks/")
    second = evaluations(built)[1]
    assert (second.grade, second.issues, second.version) == ("D", "人が足りない", 2)
    assert not PendingUpload.objects.exists()
    assert list((var_dir / "uploads").iterdir()) == []
    follow = client.get("/staff/plans/workbooks/").content.decode()
    assert "取り込みました（取組 1 件・2 か所）。" in follow


def test_web_confirm_of_an_outdated_preview_saves_nothing(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User],
    client_for: Callable[[User], Client],
) -> None:  # fmt: skip
    department = users[Role.DEPARTMENT]
    client = client_for(department)
    data = edit(export(built, department, units["koreisha"]), {"L3": "人が足りない"})
    url = _preview_url(_upload(client, data))
    fingerprint = client.get(url).context["preview"].fingerprint
    fourth = evaluations(built)[3]
    evaluation_save(
        actor=users[Role.SECRETARIAT],
        evaluation=fourth,
        expected_version=1,
        results="実施した。",
        grade="A",
        issues="",
        direction="継続",
    )  # another row, same values after: not a conflict, but the preview is out of date
    before = state(built)
    response = client.post(url, {"fingerprint": fingerprint})
    assert response.status_code == 200
    assert "確認したあとで、ファイルの取組がウェブで変更されました。" in response.content.decode()
    assert state(built) == before


def test_an_evaluation_edited_in_the_database_after_the_preview_is_refused(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User],
    client_for: Callable[[User], Client],
) -> None:  # fmt: skip
    """Not through a service (no new version): the recomputed preview differs all the same."""
    department = users[Role.DEPARTMENT]
    client = client_for(department)
    second = evaluations(built)[1]
    data = edit(export(built, department, units["koreisha"]), {"L3": "人が足りない"})
    url = _preview_url(_upload(client, data))
    fingerprint = client.get(url).context["preview"].fingerprint
    Evaluation.objects.filter(pk=second.pk).update(issues="担い手の確保")
    before, audits = state(built), AuditEvent.objects.count()
    response = client.post(url, {"fingerprint": fingerprint})
    assert response.status_code == 200
    assert _messages(response) == [
        "確認したあとで、ファイルの取組がウェブで変更されました。新しい差分を確かめてから、もう一度取り込んでください。何も保存していません。"
    ]
    assert state(built) == before
    assert Evaluation.objects.get(pk=second.pk).issues == "担い手の確保"
    assert AuditEvent.objects.count() == audits
    # the page shows the preview again, as it is now: 担い手の確保 → 人が足りない
    assert [(f.before, f.after) for f in response.context["preview"].changes[0].changes] == [
        ("担い手の確保", "人が足りない")
    ]


def test_another_users_upload_is_refused(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User],
    client_for: Callable[[User], Client], make_user: Callable[..., User],
) -> None:  # fmt: skip
    department = users[Role.DEPARTMENT]
    data = edit(export(built, department, units["koreisha"]), {"L3": "人が足りない"})
    owner = client_for(department)
    url = _preview_url(_upload(owner, data))
    fingerprint = owner.get(url).context["preview"].fingerprint
    colleague = login(Client(), make_user(Role.DEPARTMENT, username="koreisha-2"))
    before = state(built)
    for response in (
        colleague.get(url, follow=True),
        colleague.post(url, {"fingerprint": fingerprint}, follow=True),
        colleague.post(url, {"cancel": "1"}, follow=True),
    ):
        assert response.redirect_chain == [("/staff/plans/workbooks/", 302)]
        assert _messages(response) == [
            "この確認はほかの職員が始めたものです。取り込むには、ご自分でファイルを選んで確認してください。"
        ]
    assert state(built) == before
    assert PendingUpload.objects.count() == 1


def test_the_web_and_the_command_refuse_the_same_oversize_file(
    built: dict[str, Any], users: dict[str, User], client_for: Callable[[User], Client],
    tmp_path: Path,
) -> None:  # fmt: skip
    """One limit (``core.uploads``, xlsx: 10MB) and one message, on the web and the CLI."""
    data = b"\0" * (uploads.MAX_UPLOAD_BYTES["xlsx"] + 1)
    message = "ファイルが大きすぎます（10.0MB）。10MB 以下にしてください。"
    before = state(built)
    response = _upload(client_for(users[Role.DEPARTMENT]), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    file = tmp_path / "kore.xlsx"
    file.write_bytes(data)
    with pytest.raises(CommandError) as refused:
        call_command(
            "evaluations", "import", str(file), "--municipality", "142042",
            "--as", users[Role.DEPARTMENT].username, stdout=io.StringIO(),
        )  # fmt: skip
    assert str(refused.value) == message
    with pytest.raises(DomainError) as raised:
        service.department_import_preview(
            actor=users[Role.DEPARTMENT], municipality=built["plan"].municipality, data=data
        )
    assert (raised.value.code, raised.value.message) == ("too_large", message)
    assert state(built) == before
    assert not PendingUpload.objects.exists()


def test_web_preview_shows_conflicts_without_a_confirm_button(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User],
    client_for: Callable[[User], Client],
) -> None:  # fmt: skip
    department = users[Role.DEPARTMENT]
    client = client_for(department)
    first, *_ = evaluations(built)
    data = edit(export(built, department, units["koreisha"]), {"J2": "ファイルの実績"})
    evaluation_save(
        actor=department, evaluation=first, expected_version=1, results="ウェブの実績",
        grade="A", issues="", direction="継続",
    )  # fmt: skip
    url = _preview_url(_upload(client, data))
    html = client.get(url).content.decode()
    assert "競合: 出力のあとにウェブで変更された取組" in html
    assert "<td>ウェブの実績</td>" in html and "<td>ファイルの実績</td>" in html
    assert 'name="confirm"' not in html
    before = state(built)
    response = client.post(url, {"fingerprint": "x"})
    assert response.status_code == 200
    assert state(built) == before
    response = client.post(url, {"cancel": "1"})
    assert response.status_code == 302
    assert not PendingUpload.objects.exists()


def test_web_upload_errors_are_listed(
    users: dict[str, User], built: dict[str, Any], client_for: Callable[[User], Client]
) -> None:
    response = _upload(client_for(users[Role.DEPARTMENT]), b"garbage", "x.xlsx")
    assert response.status_code == 200
    assert "Excel ファイル（.xlsx）として読み取れません。" in response.content.decode()
    assert not PendingUpload.objects.exists()


def test_secretariat_sees_every_unit(
    built: dict[str, Any], users: dict[str, User], somu_initiative: Evaluation,
    client_for: Callable[[User], Client],
) -> None:  # fmt: skip
    response = client_for(users[Role.SECRETARIAT]).get("/staff/plans/workbooks/")
    targets = response.context["targets"]
    assert [(t.unit_name, t.total, t.frozen) for t in targets] == [
        ("福祉総務課", 1, 0),
        ("高齢者いきいき課", 3, 0),
    ]
    department = client_for(users[Role.DEPARTMENT]).get("/staff/plans/workbooks/")
    assert [t.unit_name for t in department.context["targets"]] == ["高齢者いきいき課"]


# ------------------------------------------------------------------ query counts


def _grow(built: dict[str, Any], units: dict[str, OrganisationUnit], total: int) -> None:
    """More initiatives with evaluations in the open cycle, up to ``total``."""
    plan, cycle = built["plan"], built["cycle"]
    existing = Initiative.objects.filter(plan=plan).count()
    kind = built["initiatives"][0].initiative_type
    rows = Initiative.objects.bulk_create(
        Initiative(plan=plan, initiative_type=kind, number=existing + n, title=f"追加{n}")
        for n in range(1, total - 4 + 1)
    )
    Evaluation.objects.bulk_create(
        Evaluation(cycle=cycle, initiative=i, unit=units["koreisha"], results="実施した。")
        for i in rows
    )


def _count(client: Client, method: str, url: str, **kwargs: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, **kwargs)
    assert response.status_code in {200, 302}
    return len(queries)


@pytest.mark.parametrize("size", [10, 200])
def test_pages_run_a_constant_number_of_queries(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User],
    client_for: Callable[[User], Client], django_assert_num_queries: Any, size: int,
) -> None:  # fmt: skip
    _grow(built, units, size)
    department = users[Role.DEPARTMENT]
    client = client_for(department)
    data = edit(export(built, department, units["koreisha"]), {"L2": "課題"})
    url = _preview_url(_upload(client, data))
    client.get("/staff/plans/workbooks/")  # warm the session
    with django_assert_num_queries(INDEX_QUERIES):
        client.get("/staff/plans/workbooks/")
    with django_assert_num_queries(PREVIEW_QUERIES):
        page = client.get(url)
    assert page.context["preview"].rows_read == size
    with CaptureQueriesContext(connection) as queries:
        service.department_workbook_export(
            actor=department, cycle=built["cycle"], unit=units["koreisha"]
        )
    assert len(queries) == EXPORT_QUERIES


INDEX_QUERIES = 12
PREVIEW_QUERIES = 13
EXPORT_QUERIES = 4
