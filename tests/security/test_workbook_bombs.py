"""Excel workbooks that would take a process's memory are refused before parsing (issue 11).

- A department workbook (web upload, ``sasaeai evaluations import``, the service) and a plan
  workbook (web upload, ``sasaeai plan import``, the service) that unpack to more than the
  xlsx limit of ``core.archives`` are refused before openpyxl reads them, and change nothing
  (point 5).
- A member whose zip header declares less than it holds is never read past what it declares:
  the file is refused as broken, also when openpyxl reads the sheet lazily (point 5).

The bombs are real workbooks with one member made huge: 100 MiB of one repeated byte,
written with zipfile's streaming deflate (a 100 KB file), so the tests stay fast.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.core.errors import DomainError
from sasaeai.plans.models import Evaluation, Goal, Plan
from sasaeai.plans.services import department_import, plan_import
from tests.plans.builders import build_plan
from tests.plans.test_workbook import build, rows

MIB = 1024 * 1024
TOO_LARGE = (
    "ファイルの中身が大きすぎます（展開すると 100MB、上限は 16MB）。"
    "不要なシートや画像を消して保存し直してください。"
)
PLAN_BROKEN = "ファイルが壊れているため読み込めません。Excel で開いて保存し直してください。"
DEPARTMENT_BROKEN = "Excel ファイル（.xlsx）として読み取れません。Excel で「Excel ブック（*.xlsx）」の形式で保存したファイルを選んでください。"
SHEET1 = "xl/worksheets/sheet1.xml"  # 評価 in a department workbook
SHEET5 = "xl/worksheets/sheet5.xml"  # 取組 in a plan workbook of tests.plans.test_workbook
SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def with_shared_strings(data: bytes, size: int) -> bytes:
    """The workbook with a shared-strings table holding one string of ``size`` bytes.

    openpyxl reads the whole table when it opens a workbook (both modes), as Excel's own
    files have one; this is the member of the reported bomb.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                    + SHARED_STRINGS.encode()
                    + b'"/></Types>',
                )
            target.writestr(info.filename, content)
        with target.open("xl/sharedStrings.xml", "w") as member:
            member.write(
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
            )
            chunk = b"a" * MIB
            for _ in range(size // MIB):
                member.write(chunk)
            member.write(b"a" * (size % MIB) + b"</t></si></sst>")
    return out.getvalue()


def bomb(data: bytes) -> bytes:
    """A 100 MiB bomb (unpacks to 100MB and a little: the message says 100MB)."""
    return with_shared_strings(data, 100 * MIB)


def lying(data: bytes, name: str, *, padding: int = 20 * MIB, true_crc: bool = False) -> bytes:
    """Member ``name`` followed by ``padding`` bytes of XML comment, while the zip's central
    directory still declares its original size — and the CRC of the whole member, or with
    ``true_crc`` the CRC of what it declares (a consistent lie)."""
    out = io.BytesIO()
    declared: dict[str, tuple[int, int | None]] = {}
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename != name:
                target.writestr(info.filename, content)
                continue
            declared[info.filename] = (len(content), zlib.crc32(content) if true_crc else None)
            with target.open(info.filename, "w") as member:
                member.write(content + b"<!--")
                chunk = b"x" * MIB
                for _ in range(padding // MIB):
                    member.write(chunk)
                member.write(b"-->")
    return _declare(out.getvalue(), declared)


def _declare(data: bytes, members: dict[str, tuple[int, int | None]]) -> bytes:
    """Rewrite the uncompressed size (and CRC) the central directory gives some members."""
    patched = bytearray(data)
    position = patched.find(b"PK\x01\x02")
    while position != -1:
        name_length = struct.unpack_from("<H", patched, position + 28)[0]
        name = bytes(patched[position + 46 : position + 46 + name_length]).decode()
        if name in members:
            size, crc = members[name]
            struct.pack_into("<I", patched, position + 24, size)
            if crc is not None:
                struct.pack_into("<I", patched, position + 16, crc)
        position = patched.find(b"PK\x01\x02", position + 46)
    return bytes(patched)


# --- zipfile itself --------------------------------------------------------------------------


def test_a_member_is_never_read_past_the_size_its_header_declares() -> None:
    """What the readers rely on: zipfile returns no more than the declared size, and refuses
    the member when the CRC of those bytes is not the declared one."""
    book = openpyxl.Workbook()
    book.active["A1"] = "番号"
    out = io.BytesIO()
    book.save(out)
    original = zipfile.ZipFile(out).read(SHEET1)
    with zipfile.ZipFile(io.BytesIO(lying(out.getvalue(), SHEET1))) as archive:
        info = archive.getinfo(SHEET1)
        assert (info.file_size, info.compress_size > 20_000) == (len(original), True)
        with pytest.raises(zipfile.BadZipFile, match="Bad CRC-32"):
            archive.read(info)
    with zipfile.ZipFile(io.BytesIO(lying(out.getvalue(), SHEET1, true_crc=True))) as archive:
        assert archive.read(SHEET1) == original  # the 20 MiB stay unread


# --- the department workbook -----------------------------------------------------------------


@pytest.fixture
def built(kamakura: Municipality, units: dict[str, OrganisationUnit]) -> dict[str, Any]:
    data = build_plan(kamakura, units, initiatives=4)
    data["cycle"].deadline = dt.date(2025, 1, 31)
    data["cycle"].save()
    return data


def department_file(built: dict[str, Any], units: dict[str, OrganisationUnit]) -> bytes:
    """高齢者いきいき課's workbook with one edit the import would save."""
    exported = department_import.department_workbook_export(
        actor="system:test", cycle=built["cycle"], unit=units["koreisha"]
    ).content
    return edited(exported)


def edited(exported: bytes) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(exported))
    book["評価"]["J2"] = "書き直した"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def evaluations_state() -> tuple[list[tuple[Any, ...]], int]:
    return [
        (e.pk, e.results, e.grade, e.issues, e.direction, e.state, e.version)
        for e in Evaluation.objects.order_by("pk")
    ], AuditEvent.objects.count()


def test_a_department_workbook_a_little_larger_is_still_read(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    """The shared strings of the bombs are read: only their size stops them."""
    preview = department_import.department_import_preview(
        actor=users[Role.DEPARTMENT],
        municipality=built["plan"].municipality,
        data=with_shared_strings(department_file(built, units), MIB),
    )
    assert (preview.errors, preview.summary()) == ([], "1 件の取組で、1 か所が変わります。")


def test_a_department_workbook_bomb_is_refused_by_the_service(
    built: dict[str, Any], units: dict[str, OrganisationUnit], users: dict[str, User]
) -> None:
    data = bomb(department_file(built, units))
    before = evaluations_state()
    for call in (
        department_import.department_import_preview,
        department_import.department_import_apply,
    ):
        with pytest.raises(DomainError) as refused:
            call(actor=users[Role.DEPARTMENT], municipality=built["plan"].municipality, data=data)
        assert (refused.value.code, refused.value.message) == ("too_large", TOO_LARGE)
    assert evaluations_state() == before


def test_a_department_workbook_bomb_is_refused_on_the_web(
    built: dict[str, Any],
    units: dict[str, OrganisationUnit],
    users: dict[str, User],
    client_for: Callable[[User], Client],
) -> None:
    client = client_for(users[Role.DEPARTMENT])
    upload = io.BytesIO(bomb(department_file(built, units)))
    upload.name = "kore.xlsx"
    before = evaluations_state()
    response = client.post("/staff/plans/workbooks/", {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [TOO_LARGE]
    assert "plans.dept_workbook" not in client.session
    assert evaluations_state() == before


def test_a_department_workbook_bomb_is_refused_by_the_command(
    built: dict[str, Any],
    units: dict[str, OrganisationUnit],
    users: dict[str, User],
    tmp_path: Path,
) -> None:
    file = tmp_path / "kore.xlsx"
    file.write_bytes(bomb(department_file(built, units)))
    before = evaluations_state()
    with pytest.raises(CommandError) as refused:
        call_command(
            "evaluations", "import", str(file), "--municipality", "142042",
            "--as", users[Role.DEPARTMENT].username, stdout=io.StringIO(),
        )  # fmt: skip
    assert str(refused.value) == TOO_LARGE
    assert evaluations_state() == before


def test_a_department_workbook_whose_sheets_lie_about_their_size_is_refused(
    kamakura: Municipality,
    units: dict[str, OrganisationUnit],
    users: dict[str, User],
    client_for: Callable[[User], Client],
) -> None:
    """openpyxl reads the sheets of a read-only workbook after opening it (here the 評価 sheet
    is larger than what opening reads): refused there too, never a 500."""
    cycle = build_plan(kamakura, units, initiatives=60)["cycle"]
    exported = department_import.department_workbook_export(
        actor="system:test", cycle=cycle, unit=units["koreisha"]
    ).content
    data = lying(edited(exported), SHEET1)
    before = evaluations_state()
    with pytest.raises(DomainError) as refused:
        department_import.department_import_apply(
            actor=users[Role.DEPARTMENT], municipality=kamakura, data=data
        )
    assert (refused.value.code, refused.value.message) == ("not_xlsx", DEPARTMENT_BROKEN)
    upload = io.BytesIO(data)
    upload.name = "kore.xlsx"
    response = client_for(users[Role.DEPARTMENT]).post("/staff/plans/workbooks/", {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [DEPARTMENT_BROKEN]
    assert evaluations_state() == before


# --- the plan workbook -----------------------------------------------------------------------


def plan_state() -> list[tuple[Any, ...]]:
    return [
        *Plan.objects.order_by("pk").values_list("pk", "name", "vision", "updated_at"),
        *Goal.objects.order_by("pk").values_list("pk", "name", "description"),
        (AuditEvent.objects.count(),),
    ]


def changed_plan(more_initiatives: int = 0) -> bytes:
    data = rows()
    data["基本目標"][0][1] = "相談体制の確立（改）"
    data["取組"] += [[n, 1, f"取組{n}", "内容", None, None] for n in range(4, 4 + more_initiatives)]
    return build(data)


@pytest.fixture
def imported(kamakura: Municipality, units: dict[str, OrganisationUnit]) -> Municipality:
    result = plan_import.plan_import(actor="test", municipality=kamakura, data=build())
    assert result.applied
    return kamakura


def errors(result: plan_import.PlanImportResult) -> list[tuple[Any, ...]]:
    return [error.as_tuple() for error in result.errors]


def test_a_plan_workbook_a_little_larger_is_still_read(imported: Municipality) -> None:
    result = plan_import.plan_import(
        actor="test",
        municipality=imported,
        data=with_shared_strings(changed_plan(), MIB),
        dry_run=True,
    )
    assert (errors(result), result.changed) == ([], 1)


def test_a_plan_workbook_bomb_is_refused_by_the_service(imported: Municipality) -> None:
    before = plan_state()
    result = plan_import.plan_import(
        actor="test", municipality=imported, data=bomb(changed_plan()), filename="plan.xlsx"
    )
    assert errors(result) == [(None, None, None, TOO_LARGE)]
    assert not result.applied
    assert plan_state() == before


def test_a_plan_workbook_bomb_is_refused_on_the_web(
    imported: Municipality,
    users: dict[str, User],
    client_for: Callable[[User], Client],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.VAR_DIR = tmp_path
    upload = io.BytesIO(bomb(changed_plan()))
    upload.name = "plan.xlsx"
    before = plan_state()
    client = client_for(users[Role.SECRETARIAT])
    response = client.post("/staff/plans/workbook/import/", {"file": upload})
    assert response.status_code == 200
    assert [error.as_tuple() for error in response.context["errors"]] == [
        (None, None, None, TOO_LARGE)
    ]
    assert "plans.workbook_import" not in client.session
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())
    assert plan_state() == before


def test_a_plan_workbook_bomb_is_refused_by_the_command(
    imported: Municipality, tmp_path: Path
) -> None:
    file = tmp_path / "plan.xlsx"
    file.write_bytes(bomb(changed_plan()))
    before = plan_state()
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("plan", "import", str(file), "--municipality", "142042", stderr=err)
    assert str(refused.value) == "取り込めませんでした（誤り 1 件）。何も変更していません。"
    assert err.getvalue().splitlines() == [TOO_LARGE]
    assert plan_state() == before


def test_a_plan_workbook_whose_sheets_lie_about_their_size_is_refused(
    imported: Municipality,
) -> None:
    before = plan_state()
    result = plan_import.plan_import(
        actor="test",
        municipality=imported,
        data=lying(changed_plan(more_initiatives=300), SHEET5),  # read after opening
        filename="plan.xlsx",
    )
    assert errors(result) == [(None, None, None, PLAN_BROKEN)]
    assert plan_state() == before
