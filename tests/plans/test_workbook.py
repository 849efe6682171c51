"""The plan workbook: reading real-world files, every error kind, import/export, the command.

Workbooks are built here with openpyxl, as a city's staff would have made them.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sasaeai.accounts import services as accounts_services
from sasaeai.accounts.models import Municipality, OrganisationUnit
from sasaeai.accounts.roles import Role, UnitKind
from sasaeai.audit.models import AuditEvent
from sasaeai.core.errors import PermissionRefused
from sasaeai.plans.models import (
    Evaluation,
    EvaluationCycle,
    Goal,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeType,
    InitiativeUnit,
    Plan,
    Policy,
    Review,
    Summary,
)
from sasaeai.plans.services import plan_import as service
from sasaeai.plans.workbook import spec as wb
from sasaeai.plans.workbook.read import read_workbook
from sasaeai.plans.workbook.write import cell_values, write_workbook

HEADERS: dict[str, list[str]] = {
    "計画": ["名称", "開始年度", "終了年度", "基本理念"],
    "基本目標": ["番号", "名称", "説明", "開始年度"],
    "施策": ["番号", "基本目標番号", "名称"],
    "取組種類": ["番号", "施策番号", "名称"],
    "取組": ["番号", "取組種類番号", "名称", "内容", "担当課", "再掲元"],
    "成果指標": [
        "番号",
        "基本目標番号",
        "名称",
        "単位",
        "基準値",
        "基準年度",
        "目標値",
        "目標年度",
        "方向",
        "出典",
    ],
}


def rows() -> dict[str, list[list[Any]]]:
    return {
        "計画": [["テスト計画", "令和2年度", "令和7年度", "ともに生きるまち"]],
        "基本目標": [[1, "相談体制の確立", "説明一", None], [2, "ケアラーへの支援", None, "R7"]],
        "施策": [[1, 1, "施策一"], [2, 2, "施策二"]],
        "取組種類": [[1, 1, "種類一"], [2, 2, "種類二"]],
        "取組": [
            [1, 1, "取組一", "内容一", "高齢者いきいき課、福祉総務課", None],
            [2, 1, "取組二", None, "福祉総務課", None],
            [3, 2, "取組一", None, None, 1],
        ],
        "成果指標": [
            [
                1,
                1,
                "相談できる人がいない割合",
                "%",
                10,
                "令和元年度",
                5,
                "令和7年度",
                "減らす",
                "市民アンケート",
            ],
            [2, 2, "相談件数", "件", 100, 2019, 200, 2025, "増やす", "業務統計"],
        ],
    }


def build(
    data: dict[str, list[list[Any]]] | None = None,
    *,
    header_row: int = 1,
    headers: dict[str, list[str]] | None = None,
    edit: Callable[[Any], None] | None = None,
) -> bytes:
    """An .xlsx with one sheet per entry, headers on ``header_row`` and data below."""
    data = rows() if data is None else data
    headers = {**HEADERS, **(headers or {})}
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet, values in data.items():
        ws = book.create_sheet(sheet)
        for col, title in enumerate(headers[sheet], start=1):
            ws.cell(row=header_row, column=col, value=title)
        for offset, row in enumerate(values, start=1):
            for col, value in enumerate(row, start=1):
                ws.cell(row=header_row + offset, column=col, value=value)
    if edit is not None:
        edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes, **kwargs: Any) -> wb.ReadResult:
    return read_workbook(data, **kwargs)


def errors_of(data: bytes) -> list[tuple[str | None, int | None, str | None, str]]:
    return [error.as_tuple() for error in read(data).errors]


def only(sheet: str, values: list[list[Any]]) -> bytes:
    data = rows()
    data[sheet] = values
    return build(data)


# --- reading: what real files contain --------------------------------------------------------


def test_reads_a_clean_workbook_into_dataclasses() -> None:
    result = read(build())
    assert result.errors == []
    book = result.workbook
    assert book.plan == wb.PlanRow("テスト計画", 2020, 2025, "ともに生きるまち", 2)
    assert book.goals == [
        wb.GoalRow(1, "相談体制の確立", "説明一", None, 2),
        wb.GoalRow(2, "ケアラーへの支援", "", 2025, 3),
    ]
    assert book.policies == [wb.PolicyRow(1, 1, "施策一", 2), wb.PolicyRow(2, 2, "施策二", 3)]
    assert book.types == [wb.TypeRow(1, 1, "種類一", 2), wb.TypeRow(2, 2, "種類二", 3)]
    assert book.initiatives == [
        wb.InitiativeRow(1, 1, "取組一", "内容一", ("高齢者いきいき課", "福祉総務課"), None, 2),
        wb.InitiativeRow(2, 1, "取組二", "", ("福祉総務課",), None, 3),
        wb.InitiativeRow(3, 2, "取組一", "", (), 1, 4),
    ]
    assert book.indicators == [
        wb.IndicatorRow(
            1,
            1,
            "相談できる人がいない割合",
            "%",
            Decimal("10"),
            2019,
            Decimal("5"),
            2025,
            "decrease",
            "市民アンケート",
            2,
        ),
        wb.IndicatorRow(
            2,
            2,
            "相談件数",
            "件",
            Decimal("100"),
            2019,
            Decimal("200"),
            2025,
            "increase",
            "業務統計",
            3,
        ),
    ]
    assert book.indicators[0].is_survey is True
    assert book.indicators[1].is_survey is False


def test_full_width_digits_and_numbers_stored_as_text() -> None:
    data = rows()
    data["基本目標"][0][0] = "１"
    data["施策"][0] = ["１", "１", "施策一"]
    data["取組"][2][5] = "１"
    data["成果指標"][0][4:8] = ["１２．５", "令和元年度", "１，２３４．５", "２０２５"]
    data["成果指標"][1][4:7] = ["12.5%", 2019, "△５"]
    result = read(build(data))
    assert result.errors == []
    assert result.workbook.goals[0].number == 1
    assert result.workbook.policies[0] == wb.PolicyRow(1, 1, "施策一", 2)
    assert result.workbook.initiatives[2].repost_of == 1
    first, second = result.workbook.indicators
    assert (first.baseline, first.target, first.target_fy) == (
        Decimal("12.5"),
        Decimal("1234.5"),
        2025,
    )
    assert (second.baseline, second.target) == (Decimal("12.5"), Decimal("-5"))


def test_a_cell_formatted_as_percent_reads_as_shown() -> None:
    def percent(book: Any) -> None:
        cell = book["成果指標"]["E2"]
        cell.value = 0.125
        cell.number_format = "0.0%"

    result = read(build(edit=percent))
    assert result.errors == []
    assert result.workbook.indicators[0].baseline == Decimal("12.5")


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("令和2年度", 2020),
        ("令和２年度", 2020),
        ("R2", 2020),
        ("Ｒ２", 2020),
        ("2020", 2020),
        (2020, 2020),
        (2020.0, 2020),
        ("2020年度", 2020),
        ("平成31年度", 2019),
        ("令和元年度", 2019),
    ],
)
def test_fiscal_years_in_any_spelling(text: Any, year: int) -> None:
    data = rows()
    data["計画"][0][1] = text
    data["計画"][0][2] = "令和7年度"
    data["成果指標"][0][5] = text
    result = read(build(data))
    assert result.errors == []
    assert result.workbook.plan is not None
    assert result.workbook.plan.start_fy == year
    assert result.workbook.indicators[0].baseline_fy == year


def test_stray_spaces_are_trimmed_also_full_width() -> None:
    data = rows()
    data["計画"][0][0] = "　テスト計画 "
    data["基本目標"][0][1] = "\u3000相談体制の確立\u3000"
    data["取組"][0][4] = " 高齢者いきいき課 、　福祉総務課　"
    data["成果指標"][0][8] = " 減らす　"
    data["成果指標"][0][4] = " １０ "
    headers = {"施策": [" 番号", "基本目標 番号", "名\u3000称"]}
    result = read(build(data, headers=headers))
    assert result.errors == []
    book = result.workbook
    assert book.plan is not None and book.plan.name == "テスト計画"
    assert book.goals[0].name == "相談体制の確立"
    assert book.initiatives[0].units == ("高齢者いきいき課", "福祉総務課")
    assert book.indicators[0].direction == "decrease"
    assert book.indicators[0].baseline == Decimal("10")
    assert book.policies[0] == wb.PolicyRow(1, 1, "施策一", 2)


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers() -> None:
    data = rows()
    data["取組"] = [
        [None] * 6,
        data["取組"][0],
        ["", "  ", "\u3000", None, None, None],
        data["取組"][1],
        data["取組"][2],
        [None] * 6,
    ]
    result = read(build(data))
    assert result.errors == []
    assert [(i.number, i.row) for i in result.workbook.initiatives] == [(1, 3), (2, 5), (3, 6)]


def test_merged_cells_apply_their_value_to_every_cell_they_cover() -> None:
    data = rows()
    data["取組"] = [
        [1, 1, "取組一", "内容一", "福祉総務課", None],
        [2, None, "取組二", None, None, None],
        [3, None, "取組三", None, None, None],
    ]

    def merge(book: Any) -> None:
        ws = book["取組"]
        ws.merge_cells("B2:B4")  # 取組種類番号 1 for the three rows
        ws.merge_cells("E2:E4")  # 担当課 福祉総務課 for the three rows

    result = read(build(data, edit=merge))
    assert result.errors == []
    assert [(i.number, i.type_number, i.units) for i in result.workbook.initiatives] == [
        (1, 1, ("福祉総務課",)),
        (2, 1, ("福祉総務課",)),
        (3, 1, ("福祉総務課",)),
    ]


def test_a_row_with_only_merged_values_is_blank() -> None:
    data = rows()
    data["施策"] = [[1, 1, "施策一"], [2, 2, "施策二"], [None, None, None]]

    def merge(book: Any) -> None:
        book["施策"].merge_cells("B3:B4")

    result = read(build(data, edit=merge))
    assert result.errors == []
    assert result.workbook.policies == [
        wb.PolicyRow(1, 1, "施策一", 2),
        wb.PolicyRow(2, 2, "施策二", 3),
    ]


def test_header_on_row_3_below_a_merged_title_with_columns_in_any_order() -> None:
    def reshape(book: Any) -> None:
        ws = book["取組"]
        ws.insert_rows(1, 2)
        ws["A1"] = "鎌倉市地域福祉計画 取組一覧"
        ws.merge_cells("A1:F1")
        ws.move_range("A3:A6", cols=7)  # 番号 becomes column H
        ws["G3"] = "備考"  # an extra column is ignored
        ws["G4"] = "=1+1"  # even with a formula in it

    result = read(build(edit=reshape))
    assert result.errors == []
    assert [(i.number, i.title, i.row) for i in result.workbook.initiatives] == [
        (1, "取組一", 4),
        (2, "取組二", 5),
        (3, "取組一", 6),
    ]


def test_header_cells_merged_downwards_start_the_data_below_them() -> None:
    def two_row_header(book: Any) -> None:
        ws = book["施策"]
        ws.insert_rows(2)
        for col in "ABC":
            ws.merge_cells(f"{col}1:{col}2")

    result = read(build(edit=two_row_header))
    assert result.errors == []
    assert [p.row for p in result.workbook.policies] == [3, 4]


def with_sheet_xml(data: bytes, sheet: str, edit: Callable[[str], str]) -> bytes:
    """The workbook with the XML of one sheet (by name, as written by ``build``) edited."""
    member = f"xl/worksheets/sheet{list(HEADERS).index(sheet) + 1}.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == member:
                content = edit(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


def with_merges(data: bytes, sheet: str, ranges: list[str]) -> bytes:
    cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in ranges)
    return with_sheet_xml(
        data,
        sheet,
        lambda xml: xml.replace(
            "</sheetData>", f'</sheetData><mergeCells count="{len(ranges)}">{cells}</mergeCells>'
        ),
    )


def test_values_hidden_under_a_merged_range_are_blank() -> None:
    """LibreOffice can keep the values of the cells a merge hides; Excel shows only the
    top-left one, and so does the reader: in the header rows and in the data."""
    data = rows()
    data["施策"] = [[1, 1, "施策一"], [2, 2, "施策二"]]

    def hide(book: Any) -> None:
        ws = book["施策"]
        ws.insert_rows(1)
        ws["A1"], ws["B1"], ws["C1"] = "番号", "基本目標番号", "名称"  # B1, C1 hidden below
        ws.merged_cells.add("A1:C1")
        ws["B4"] = 2  # hidden by B3:B4, which shows 1
        ws.merged_cells.add("B3:B4")

    result = read(build(data, edit=hide))
    assert result.errors == []
    assert result.workbook.policies == [
        wb.PolicyRow(1, 1, "施策一", 3),
        wb.PolicyRow(2, 1, "施策二", 4),
    ]


def test_rows_written_out_of_order_are_read_in_order() -> None:
    """Excel writes rows top to bottom, but the format allows any order: here the header
    row comes last, after rows below the first 30 (the reader reads such a sheet twice)."""
    data = rows()
    data["取組"] += [[n, 1, f"取組{n}", "内容", "福祉総務課", None] for n in range(4, 41)]
    in_order = build(data)

    def reverse(xml: str) -> str:
        head, rest = xml.split("<sheetData>", 1)
        body, tail = rest.split("</sheetData>", 1)
        found = re.findall(r"<row .*?</row>", body, flags=re.DOTALL)
        assert "".join(found) == body and len(found) == 41
        return head + "<sheetData>" + "".join(reversed(found)) + "</sheetData>" + tail

    expected = read(in_order)
    assert (expected.errors, len(expected.workbook.initiatives)) == ([], 40)
    result = read(with_sheet_xml(in_order, "取組", reverse))
    assert result.errors == []
    assert result.workbook == expected.workbook


def test_a_sheet_with_too_many_rows_is_refused() -> None:
    def far(book: Any) -> None:
        book["施策"].cell(row=50_001, column=10, value="備考")

    assert errors_of(build(edit=far))[0] == (
        "施策",
        None,
        None,
        "行が多すぎます（50,001行）。50,000行以内にしてください。",
    )
    merged = with_merges(build(), "施策", ["J2:J60000"])  # a merged range counts too
    assert errors_of(merged)[0] == (
        "施策",
        None,
        None,
        "行が多すぎます（60,000行）。50,000行以内にしてください。",
    )


def test_a_sheet_with_too_many_merged_ranges_is_refused() -> None:
    ranges = [f"H{n}:I{n}" for n in range(1, 10_002)]
    assert errors_of(with_merges(build(), "取組種類", ranges))[0] == (
        "取組種類",
        None,
        None,
        "結合したセルの範囲が多すぎます（10,000か所まで）。不要なセルの結合を解除してください。",
    )
    assert errors_of(with_merges(build(), "取組種類", ranges[:10_000])) == []


def test_overlapping_merged_ranges_are_refused() -> None:
    """Excel never writes them (it repairs such a file when it opens it)."""
    ranges = ["H1:I2", "B2:C3", "A5:A9", "C3:D4"]
    assert errors_of(with_merges(build(), "取組", ranges))[0] == (
        "取組",
        None,
        None,
        "結合したセルの範囲 B2:C3 と C3:D4 が重なっています。Excel で開いて保存し直してください。",
    )
    assert errors_of(with_merges(build(), "取組", ["H1:I2", "B2:C3", "A5:A9", "D3:D4"])) == []


def test_header_aliases_and_notes_are_accepted() -> None:
    headers = {
        "取組": [
            "No.",
            "取組の種類番号",
            "取組名",
            "取組内容",
            "担当課（主担当を先頭に）",
            "再掲元番号",
        ],
        "成果指標": [
            "番号",
            "基本目標番号",
            "指標名",
            "単位",
            "基準値",
            "基準年度",
            "目標値",
            "目標年度",
            "方向※",
            "出典",
        ],
    }
    result = read(build(headers=headers))
    assert result.errors == []
    assert result.workbook.initiatives[0].units == ("高齢者いきいき課", "福祉総務課")


def test_plan_sheet_may_be_written_as_label_value_pairs() -> None:
    def vertical(book: Any) -> None:
        ws = book["計画"]
        ws.delete_rows(1, 2)
        for row, (label, value) in enumerate(
            [
                ("名称", "テスト計画"),
                ("開始年度", "R2"),
                ("終了年度", "R7"),
                ("基本理念", "ともに"),
            ],
            start=2,
        ):
            ws.cell(row=row, column=1, value=label)
            ws.cell(row=row, column=2, value=value)

    result = read(build(edit=vertical))
    assert result.errors == []
    assert result.workbook.plan == wb.PlanRow("テスト計画", 2020, 2025, "ともに", 2)


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("福祉総務課、高齢者いきいき課", ("福祉総務課", "高齢者いきいき課")),
        ("福祉総務課,高齢者いきいき課", ("福祉総務課", "高齢者いきいき課")),
        ("福祉総務課，高齢者いきいき課", ("福祉総務課", "高齢者いきいき課")),
        ("福祉総務課\n高齢者いきいき課", ("福祉総務課", "高齢者いきいき課")),
        ("福祉総務課\r\n\r\n高齢者いきいき課", ("福祉総務課", "高齢者いきいき課")),
        ("福祉総務課・高齢者いきいき課", ("福祉総務課・高齢者いきいき課",)),  # split on ・ later
    ],
)
def test_responsible_units_separators(text: str, units: tuple[str, ...]) -> None:
    data = rows()
    data["取組"][0][4] = text
    assert read(build(data)).workbook.initiatives[0].units == units


@pytest.mark.parametrize(
    ("value", "number"), [("No.3", 3), ("(3)", 3), ("（３）", 3), ("③", 3), ("第3", 3), (3.0, 3)]
)
def test_number_spellings(value: Any, number: int) -> None:
    data = rows()
    data["取組"][1][0] = value
    assert read(build(data)).workbook.initiatives[1].number == number


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("増やす", "increase"),
        ("増加", "increase"),
        ("↑", "increase"),
        ("減少", "decrease"),
        ("維持", "maintain"),
        ("現状維持", "maintain"),
        ("maintain", "maintain"),
    ],
)
def test_direction_spellings(spelling: str, code: str) -> None:
    data = rows()
    data["成果指標"][0][8] = spelling
    assert read(build(data)).workbook.indicators[0].direction == code


# --- reading: files that are not plan workbooks ----------------------------------------------


def test_a_formula_is_an_error_and_is_never_evaluated() -> None:
    def formula(book: Any) -> None:
        book["取組"]["B3"] = "=1"
        book["成果指標"]["E2"] = "=SUM(1,2)"

    assert errors_of(build(edit=formula)) == [
        ("取組", 3, "取組種類番号", "数式は読み込めません。値を入力してください。"),
        ("成果指標", 2, "基準値", "数式は読み込めません。値を入力してください。"),
    ]


def test_an_error_value_cell_is_an_error() -> None:
    def broken(book: Any) -> None:
        cell = book["施策"]["C2"]
        cell.value = "#N/A"
        cell.data_type = "e"

    assert errors_of(build(edit=broken)) == [
        ("施策", 2, "名称", "セルがエラー（#N/A）になっています。値を入力してください。")
    ]


def test_xlsm_is_read_and_its_macros_are_dropped() -> None:
    source = build()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(out, "w") as macro:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            macro.writestr(item, content)
        macro.writestr("xl/vbaProject.bin", b'Attribute VB_Name = "Evil"\nShell "calc"')
    result = read(out.getvalue(), filename="plan.xlsm")
    assert result.errors == []
    assert len(result.workbook.initiatives) == 3


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"name,start\n",
            "plan.csv",
            "ファイル「plan.csv」は読み込めません。Excel ファイル（.xlsx または .xlsm）を指定してください。",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "plan.xls",
            "古い形式（.xls）のファイルは読み込めません。Excel で開き、「Excel ブック（.xlsx）」として保存し直してください。",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "plan.xlsx",
            "このファイルは古い形式（.xls）か、パスワードで保護されたファイルです。パスワードを外し、「Excel ブック（.xlsx）」として保存し直してください。",
        ),
        (
            b"%PDF-1.7 not a workbook",
            "plan.xlsx",
            "Excel ファイル（.xlsx または .xlsm）ではありません。ファイルを確認してください。",
        ),
        (
            b"PK\x03\x04 broken zip",
            "plan.xlsx",
            "ファイルが壊れているため読み込めません。Excel で開いて保存し直してください。",
        ),
    ],
)
def test_files_that_are_not_excel_workbooks(data: bytes, filename: str, message: str) -> None:
    assert errors_of_named(data, filename) == [(None, None, None, message)]


def errors_of_named(data: bytes, filename: str) -> list[tuple[Any, ...]]:
    return [error.as_tuple() for error in read(data, filename=filename).errors]


def test_a_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert errors_of(out.getvalue()) == [
        (
            None,
            None,
            None,
            "Excel ファイル（.xlsx または .xlsm）ではありません。ファイルを確認してください。",
        )
    ]


# --- reading: every error kind, with sheet, row and column -----------------------------------


def test_missing_sheet() -> None:
    data = rows()
    del data["取組種類"]
    assert errors_of(build(data)) == [
        (
            "取組種類",
            None,
            None,
            "シート「取組種類」がありません。テンプレートのシートを使ってください。",
        )
    ]


def test_missing_column() -> None:
    headers = {"取組": ["番号", "取組種類番号", "名称", "内容", "部署", "再掲元"]}
    assert errors_of(build(headers=headers)) == [
        ("取組", 1, "担当課", "列「担当課」がありません。見出しの行（1行目）に追加してください。")
    ]


def test_header_row_not_found() -> None:
    headers = {"施策": ["A", "B", "C"]}
    assert errors_of(build(headers=headers)) == [
        (
            "施策",
            None,
            None,
            "見出しの行が見つかりません。先頭30行のどこかに「番号」「基本目標番号」「名称」の列名を並べた行を入れてください。",
        )
    ]


def test_duplicate_column() -> None:
    headers = {"施策": ["番号", "基本目標番号", "名称", "名称"]}
    data = rows()
    data["施策"] = [[1, 1, "施策一", "x"], [2, 2, "施策二", "y"]]
    result = read(build(data, headers=headers))
    assert [e.as_tuple() for e in result.errors] == [
        ("施策", 1, "名称", "列「名称」が2つあります（C列とD列）。1つにしてください。")
    ]
    assert result.errors[0].letter == "D"
    assert str(result.errors[0]) == (
        "シート「施策」 1行目 列「名称」（D列）: 列「名称」が2つあります（C列とD列）。1つにしてください。"
    )


def test_duplicate_numbers() -> None:
    data = rows()
    data["取組"][1][0] = 1
    assert errors_of(build(data)) == [
        ("取組", 3, "番号", "番号 1 が重複しています（2行目と同じ番号です）。")
    ]


def test_references_to_unknown_parent_numbers() -> None:
    data = rows()
    data["施策"][1][1] = 9
    data["取組種類"][1][1] = 8
    data["取組"][1][1] = 7
    data["成果指標"][1][1] = 6
    assert errors_of(build(data)) == [
        ("施策", 3, "基本目標番号", "基本目標番号 9 がシート「基本目標」にありません。"),
        ("取組種類", 3, "施策番号", "施策番号 8 がシート「施策」にありません。"),
        ("取組", 3, "取組種類番号", "取組種類番号 7 がシート「取組種類」にありません。"),
        ("成果指標", 3, "基本目標番号", "基本目標番号 6 がシート「基本目標」にありません。"),
    ]


def test_repost_errors() -> None:
    data = rows()
    data["取組"] += [
        [4, 1, "自分を再掲", None, None, 4],
        [5, 1, "ない取組を再掲", None, None, 99],
        [6, 2, "再掲の再掲", None, None, 3],
    ]
    assert errors_of(build(data)) == [
        ("取組", 5, "再掲元", "再掲元に自分自身の番号（4）は指定できません。"),
        ("取組", 6, "再掲元", "再掲元の番号 99 の取組がありません。"),
        (
            "取組",
            7,
            "再掲元",
            "再掲元の取組 3 自体が再掲です。元の取組の番号（1）を指定してください。",
        ),
    ]


def test_years_outside_the_plan_period() -> None:
    data = rows()
    data["基本目標"][1][3] = "令和8年度"
    data["成果指標"][0][7] = "R9"
    data["成果指標"][1][5] = "令和6年度"
    data["成果指標"][1][7] = "令和5年度"
    assert errors_of(build(data)) == [
        (
            "基本目標",
            3,
            "開始年度",
            "開始年度（令和8年度）が計画の期間（令和2年度〜令和7年度）の外です。",
        ),
        (
            "成果指標",
            2,
            "目標年度",
            "目標年度（令和9年度）が計画の期間（令和2年度〜令和7年度）の外です。",
        ),
        ("成果指標", 3, "基準年度", "基準年度（令和6年度）が目標年度（令和5年度）より後です。"),
    ]


def test_plan_sheet_errors() -> None:
    data = rows()
    data["計画"] = [["テスト計画", "令和7年度", "令和2年度", None], ["別の計画", 2020, 2025, None]]
    assert errors_of(build(data)) == [
        ("計画", 2, "終了年度", "終了年度（令和2年度）が開始年度（令和7年度）より前です。"),
        (
            "計画",
            3,
            None,
            "計画のシートには計画を1行だけ入力してください（1つのファイルで扱う計画は1つです）。",
        ),
    ]


def test_empty_plan_sheet() -> None:
    data = rows()
    data["計画"] = []
    assert errors_of(build(data)) == [
        ("計画", None, None, "計画の名称・開始年度・終了年度を入力した行がありません。")
    ]


def test_cell_value_errors() -> None:
    data = rows()
    data["基本目標"][1][1] = None
    data["基本目標"].append(["一の一", "番号が読めない", None, None])
    data["施策"] += [[0, 1, "番号が0"], [1.5, 1, "番号が小数"]]
    data["取組"][0][4] = None
    data["取組"][1][2] = "あ" * 301
    data["成果指標"][0][4] = "約10"
    data["成果指標"][0][5] = "平成32年度"
    data["成果指標"][0][8] = "上下"
    data["成果指標"][1][6] = "12.3456"
    assert errors_of(build(data)) == [
        ("基本目標", 3, "名称", "「名称」が入力されていません。"),
        (
            "基本目標",
            4,
            "番号",
            "「一の一」を番号として読み取れません。1以上の整数を入力してください。",
        ),
        ("施策", 4, "番号", "番号は1から32,767までの整数にしてください（「0」）。"),
        ("施策", 5, "番号", "「1.5」は整数ではありません。1以上の整数を入力してください。"),
        ("取組", 2, "担当課", "担当課を入力してください（最初に書いた課が主担当になります）。"),
        ("取組", 3, "名称", "300文字以内にしてください（301文字あります）。"),
        (
            "成果指標",
            2,
            "基準値",
            "「約10」を数値として読み取れません。12.5 のように数字で入力してください。",
        ),
        (
            "成果指標",
            2,
            "基準年度",
            '"平成32年度" は年度として読み取れません（平成は31年（2019年）までです）。令和2年度 と入力してください。',
        ),
        (
            "成果指標",
            2,
            "方向",
            "方向「上下」は使えません。増やす・減らす・維持 のいずれかを入力してください。",
        ),
        ("成果指標", 3, "目標値", "小数点以下は3桁までにしてください（「12.3456」）。"),
    ]


def test_all_errors_are_collected_across_sheets() -> None:
    data = rows()
    del data["成果指標"]
    data["施策"][0][1] = 5
    data["取組"][0][0] = 2

    def formula(book: Any) -> None:
        book["基本目標"]["C2"] = "=A1"

    assert errors_of(build(data, edit=formula)) == [
        ("基本目標", 2, "説明", "数式は読み込めません。値を入力してください。"),
        ("施策", 2, "基本目標番号", "基本目標番号 5 がシート「基本目標」にありません。"),
        ("取組", 3, "番号", "番号 2 が重複しています（2行目と同じ番号です）。"),
        ("取組", 4, "再掲元", "再掲元の番号 1 の取組がありません。"),
        (
            "成果指標",
            None,
            None,
            "シート「成果指標」がありません。テンプレートのシートを使ってください。",
        ),
    ]


def test_error_text_names_sheet_row_and_column() -> None:
    data = rows()
    data["取組"][1][1] = 7
    (error,) = read(build(data)).errors
    assert str(error) == (
        "シート「取組」 3行目 列「取組種類番号」: 取組種類番号 7 がシート「取組種類」にありません。"
    )


# --- writing ---------------------------------------------------------------------------------


def test_template_has_sheets_headers_help_dropdown_widths_and_frozen_headers() -> None:
    book = openpyxl.load_workbook(io.BytesIO(service.plan_template()))
    assert book.sheetnames == ["説明", "計画", "基本目標", "施策", "取組種類", "取組", "成果指標"]
    for sheet, headers in HEADERS.items():
        ws = book[sheet]
        assert [cell.value for cell in ws[1]] == headers
        assert ws.freeze_panes == "A2"
        assert ws.max_row == 1
        assert all(ws.column_dimensions[c.column_letter].width >= 8 for c in ws[1])
    (validation,) = book["成果指標"].data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"増やす,減らす,維持"'
    assert str(validation.sqref) == "I2:I1001"
    help_text = [row for row in book["説明"].iter_rows(values_only=True)]
    assert help_text[0][0] == "計画ワークブックの書き方"
    assert (
        "数式とマクロ",
        "数式は読み込めません。値を入力してください。マクロは実行しません。",
    ) in help_text
    # the template itself reads back with only "no plan row" as error
    assert errors_of(service.plan_template()) == [
        ("計画", None, None, "計画の名称・開始年度・終了年度を入力した行がありません。")
    ]


def test_text_that_looks_like_a_formula_is_written_as_text() -> None:
    book = read(build()).workbook
    book.goals[0] = wb.GoalRow(1, "=HYPERLINK(1)", "+1", None)
    written = write_workbook(book)
    assert read(written).workbook.goals[0].name == "=HYPERLINK(1)"
    ws = openpyxl.load_workbook(io.BytesIO(written))["基本目標"]
    assert ws["B2"].data_type == "s"


# --- importing into the database --------------------------------------------------------------


@pytest.fixture
def tenant(kamakura: Municipality, units: dict[str, OrganisationUnit]) -> Municipality:
    return kamakura


def run(data: bytes, municipality: Municipality, **kwargs: Any) -> service.PlanImportResult:
    kwargs.setdefault("actor", "test")
    return service.plan_import(municipality=municipality, data=data, **kwargs)


def state() -> dict[str, int]:
    """Rows per table; refusals are logged (a 403 is not a change) and not counted."""
    return {
        model.__name__: model.objects.exclude(action="refused").count()
        if model is AuditEvent
        else model.objects.count()
        for model in (
            Plan,
            Goal,
            Policy,
            InitiativeType,
            Initiative,
            InitiativeUnit,
            Indicator,
            AuditEvent,
            OrganisationUnit,
        )
    }


def test_import_creates_the_plan_it_names(tenant: Municipality, units: dict[str, Any]) -> None:
    result = run(build(), tenant, filename="plan.xlsx")
    assert result.errors == []
    assert result.applied and result.plan_created
    assert [(c.sheet, c.added, c.changed, c.removed) for c in result.sheets] == [
        ("計画", 1, 0, 0),
        ("基本目標", 2, 0, 0),
        ("施策", 2, 0, 0),
        ("取組種類", 2, 0, 0),
        ("取組", 3, 0, 0),
        ("成果指標", 2, 0, 0),
    ]
    assert result.summary() == "追加 12 件、変更 0 件、削除 0 件を保存しました。"
    plan = Plan.objects.get(municipality=tenant)
    assert (plan.name, plan.start_fy, plan.end_fy, plan.vision, plan.is_demo) == (
        "テスト計画",
        2020,
        2025,
        "ともに生きるまち",
        False,
    )
    assert list(
        Goal.objects.filter(plan=plan).values_list("number", "name", "applies_from_fy")
    ) == [
        (1, "相談体制の確立", None),
        (2, "ケアラーへの支援", 2025),
    ]
    assert list(Policy.objects.filter(plan=plan).values_list("number", "goal__number", "name")) == [
        (1, 1, "施策一"),
        (2, 2, "施策二"),
    ]
    assert list(
        InitiativeType.objects.filter(plan=plan).values_list("number", "policy__number", "name")
    ) == [(1, 1, "種類一"), (2, 2, "種類二")]
    initiatives = {i.number: i for i in Initiative.objects.filter(plan=plan)}
    assert initiatives[3].repost_of_id == initiatives[1].pk
    assert initiatives[1].initiative_type.number == 1
    assert list(
        InitiativeUnit.objects.filter(initiative__plan=plan)
        .order_by("initiative__number", "-is_lead", "id")
        .values_list("initiative__number", "unit__code", "is_lead", "valid_from_fy", "valid_to_fy")
    ) == [
        (1, "koreisha", True, None, None),
        (1, "fukushi-somu", False, None, None),
        (2, "fukushi-somu", True, None, None),
    ]
    assert list(
        Indicator.objects.filter(plan=plan).values_list(
            "number",
            "goal__number",
            "unit_label",
            "baseline",
            "baseline_fy",
            "target",
            "target_fy",
            "direction",
            "source",
            "is_survey",
        )
    ) == [
        (1, 1, "%", Decimal("10"), 2019, Decimal("5"), 2025, "decrease", "市民アンケート", True),
        (2, 2, "件", Decimal("100"), 2019, Decimal("200"), 2025, "increase", "業務統計", False),
    ]


def test_import_is_audited_per_object_and_with_one_import_row(tenant: Municipality) -> None:
    before = AuditEvent.objects.count()
    data = build()
    run(data, tenant, filename="plan.xlsx", actor="cli:tester")
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert len(events) == 13  # 12 objects + the import row
    assert {e.actor_label for e in events} == {"cli:tester"}
    assert {e.municipality_id for e in events} == {tenant.pk}
    kinds = [(e.action, e.object_type) for e in events]
    assert kinds.count(("create", "plans.Initiative")) == 3
    assert kinds.count(("create", "plans.Goal")) == 2
    summary = events[-1]
    assert (summary.action, summary.object_type) == ("import", "plans.Plan")
    sha = hashlib.sha256(data).hexdigest()
    assert summary.detail == (
        f"計画ワークブックを取り込みました（ファイル: plan.xlsx、SHA-256: {sha[:16]}）: "
        "追加 12 件、変更 0 件、削除 0 件"
    )
    first = next(e for e in events if e.object_type == "plans.Initiative")
    assert first.changes["title"] == [None, "取組一"]
    unit_ids = [OrganisationUnit.objects.get(code=c).pk for c in ("koreisha", "fukushi-somu")]
    assert first.changes["responsible_units"] == [[], unit_ids]


def test_dry_run_writes_nothing_but_reports_everything(tenant: Municipality) -> None:
    before = state()
    result = run(build(), tenant, dry_run=True)
    assert state() == before
    assert result.errors == [] and not result.applied and result.dry_run
    assert result.plan_created
    assert result.summary() == "追加 12 件、変更 0 件、削除 0 件（確認のみ。まだ保存していません）"
    assert [(c.sheet, c.action, c.number, c.name) for c in result.changes][:3] == [
        ("計画", "add", None, "テスト計画"),
        ("基本目標", "add", 1, "相談体制の確立"),
        ("基本目標", "add", 2, "ケアラーへの支援"),
    ]


def test_reimporting_the_same_file_changes_nothing_and_says_so(tenant: Municipality) -> None:
    data = build()
    run(data, tenant)
    stamps = list(Initiative.objects.order_by("number").values_list("key", "updated_at"))
    before = state()
    result = run(data, tenant)
    assert result.errors == [] and not result.has_changes and not result.applied
    assert result.summary() == "変更はありません。"
    assert state() == before
    assert list(Initiative.objects.order_by("number").values_list("key", "updated_at")) == stamps


def _plan_with(initiatives: int) -> bytes:
    data = rows()
    data["取組"] = [
        [n, 1 + n % 2, f"取組{n}", "内容", "福祉総務課、高齢者いきいき課", None]
        for n in range(1, initiatives + 1)
    ]
    return build(data)


def test_reimport_runs_the_same_queries_whatever_the_size(tenant: Municipality) -> None:
    counts = []
    for size, name in ((10, "小さい計画"), (200, "大きい計画")):
        data = _plan_with(size)
        book = openpyxl.load_workbook(io.BytesIO(data))
        book["計画"]["A2"] = name
        out = io.BytesIO()
        book.save(out)
        run(out.getvalue(), tenant)
        with CaptureQueriesContext(connection) as queries:
            result = run(out.getvalue(), tenant)
        assert not result.has_changes
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_updates_match_by_number_and_keep_the_initiative_key(
    tenant: Municipality, units: dict[str, OrganisationUnit]
) -> None:
    run(build(), tenant)
    keys = dict(Initiative.objects.values_list("number", "key"))
    data = rows()
    data["計画"][0][3] = "新しい理念"
    data["取組"][0] = [1, 2, "取組一（改）", "内容一", "福祉総務課", None]  # moved, renamed, units
    data["成果指標"][1][6] = "250"
    before = AuditEvent.objects.count()
    result = run(build(data), tenant)
    assert result.errors == []
    assert [(c.sheet, c.action, c.number, c.fields) for c in result.changes] == [
        (
            "計画",
            "change",
            None,
            (service.FieldChange("基本理念", "ともに生きるまち", "新しい理念"),),
        ),
        (
            "取組",
            "change",
            1,
            (
                service.FieldChange("取組種類番号", "1", "2"),
                service.FieldChange("名称", "取組一", "取組一（改）"),
                service.FieldChange("担当課", "高齢者いきいき課、福祉総務課", "福祉総務課"),
            ),
        ),
        ("成果指標", "change", 2, (service.FieldChange("目標値", "200", "250"),)),
    ]
    assert dict(Initiative.objects.values_list("number", "key")) == keys
    first = Initiative.objects.get(number=1)
    assert (first.initiative_type.number, first.title) == (2, "取組一（改）")
    assert list(first.responsible_units.values_list("unit__code", "is_lead")) == [
        ("fukushi-somu", True)
    ]
    assert Indicator.objects.get(number=2).target == Decimal("250")
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.object_type) for e in events] == [
        ("update", "plans.Plan"),
        ("update", "plans.Initiative"),
        ("update", "plans.Indicator"),
        ("import", "plans.Plan"),
    ]
    assert events[1].changes["title"] == ["取組一", "取組一（改）"]
    assert events[1].changes["responsible_units"] == [
        [units["koreisha"].pk, units["fukushi-somu"].pk],
        [units["fukushi-somu"].pk],
    ]
    assert events[2].changes == {"target": ["200.000", "250.000"]}


def test_rows_absent_from_the_file_are_removed(tenant: Municipality) -> None:
    run(build(), tenant)
    data = rows()
    data["取組"] = data["取組"][:2]
    data["成果指標"] = data["成果指標"][:1]
    preview = run(build(data), tenant, dry_run=True)
    assert [(c.sheet, c.action, c.number, c.name) for c in preview.changes] == [
        ("取組", "remove", 3, "取組一"),
        ("成果指標", "remove", 2, "相談件数"),
    ]
    assert Initiative.objects.count() == 3
    result = run(build(data), tenant)
    assert result.applied
    assert sorted(Initiative.objects.values_list("number", flat=True)) == [1, 2]
    assert list(Indicator.objects.values_list("number", flat=True)) == [1]
    deleted = AuditEvent.objects.filter(action="delete").order_by("id")
    assert [(e.object_type, e.object_repr) for e in deleted] == [
        ("plans.Initiative", "3 取組一"),
        ("plans.Indicator", "2 相談件数"),
    ]


def test_a_removed_goal_takes_its_structure_with_it(tenant: Municipality) -> None:
    run(build(), tenant)
    data = rows()
    data["基本目標"] = data["基本目標"][:1]
    data["施策"] = data["施策"][:1]
    data["取組種類"] = data["取組種類"][:1]
    data["取組"] = data["取組"][:2]
    data["成果指標"] = data["成果指標"][:1]
    result = run(build(data), tenant)
    assert [(c.sheet, c.removed) for c in result.sheets] == [
        ("計画", 0),
        ("基本目標", 1),
        ("施策", 1),
        ("取組種類", 1),
        ("取組", 1),
        ("成果指標", 1),
    ]
    assert list(Goal.objects.values_list("number", flat=True)) == [1]
    assert list(InitiativeType.objects.values_list("number", flat=True)) == [1]


def test_removal_is_refused_when_something_refers_to_the_row(
    tenant: Municipality, units: dict[str, OrganisationUnit]
) -> None:
    run(build(), tenant)
    plan = Plan.objects.get()
    cycle = EvaluationCycle.objects.create(municipality=tenant, plan=plan, fiscal_year=2024)
    second = Initiative.objects.get(number=2)
    Evaluation.objects.create(cycle=cycle, initiative=second, unit=units["fukushi-somu"])
    goal = Goal.objects.get(number=2)
    Summary.objects.create(cycle=cycle, goal=goal, heading="❶社会動向", body="…")
    Review.objects.create(cycle=cycle, kind="goal_review", goal=goal, body="講評")
    indicator = Indicator.objects.get(number=2)
    IndicatorValue.objects.create(indicator=indicator, fiscal_year=2024, value=Decimal("120"))
    data = rows()
    data["計画"][0][3] = "変えた理念"
    data["基本目標"] = data["基本目標"][:1]
    data["施策"] = data["施策"][:1]
    data["取組種類"] = data["取組種類"][:1]
    data["取組"] = data["取組"][:1]
    data["成果指標"] = data["成果指標"][:1]
    before = state()
    result = run(build(data), tenant)
    assert [e.as_tuple() for e in result.errors] == [
        (
            "基本目標",
            None,
            "番号",
            "番号 2「ケアラーへの支援」はファイルにないため削除の対象ですが、委員会の講評が 1 件、総括が 1 件登録されているため削除できません。この行をファイルに戻してください。",
        ),
        (
            "取組",
            None,
            "番号",
            "番号 2「取組二」はファイルにないため削除の対象ですが、評価が 1 件登録されているため削除できません。この行をファイルに戻してください。",
        ),
        (
            "成果指標",
            None,
            "番号",
            "番号 2「相談件数」はファイルにないため削除の対象ですが、実績値が 1 件登録されているため削除できません。この行をファイルに戻してください。",
        ),
    ]
    assert not result.applied
    assert state() == before
    assert Plan.objects.get().vision == "ともに生きるまち"  # all or nothing


def test_an_initiative_named_as_successor_cannot_be_removed(tenant: Municipality) -> None:
    run(build(), tenant)
    older = Plan.objects.create(municipality=tenant, name="前の計画", start_fy=2015, end_fy=2019)
    goal = Goal.objects.create(plan=older, number=1, name="目標")
    policy = Policy.objects.create(plan=older, goal=goal, number=1, name="施策")
    kind = InitiativeType.objects.create(plan=older, policy=policy, number=1, name="種類")
    Initiative.objects.create(
        plan=older,
        initiative_type=kind,
        number=1,
        title="前の取組",
        successor=Initiative.objects.get(plan__name="テスト計画", number=2),
    )
    data = rows()
    data["取組"] = [data["取組"][0], data["取組"][2]]
    result = run(build(data), tenant)
    assert [e.message for e in result.errors] == [
        "番号 2「取組二」はファイルにないため削除の対象ですが、前の計画の取組からの後継の指定が 1 件登録されているため削除できません。この行をファイルに戻してください。"
    ]


def test_an_evaluated_initiative_cannot_become_a_repost(
    tenant: Municipality, units: dict[str, OrganisationUnit]
) -> None:
    run(build(), tenant)
    plan = Plan.objects.get()
    cycle = EvaluationCycle.objects.create(municipality=tenant, plan=plan, fiscal_year=2024)
    Evaluation.objects.create(
        cycle=cycle, initiative=Initiative.objects.get(number=2), unit=units["fukushi-somu"]
    )
    data = rows()
    data["取組"][1][5] = 1
    assert [e.as_tuple() for e in run(build(data), tenant).errors] == [
        ("取組", 3, "再掲元", "取組 2 には評価が 1 件登録されているため、再掲にはできません。")
    ]


def test_the_plan_period_cannot_drop_a_year_with_a_cycle(tenant: Municipality) -> None:
    run(build(), tenant)
    EvaluationCycle.objects.create(municipality=tenant, plan=Plan.objects.get(), fiscal_year=2020)
    data = rows()
    data["計画"][0][1] = "令和3年度"
    data["成果指標"][0][5] = None
    assert [e.as_tuple() for e in run(build(data), tenant).errors] == [
        (
            "計画",
            2,
            "開始年度",
            "令和2年度の進捗調査があるため、計画の期間をその年度を含まない期間には変更できません。",
        )
    ]


def test_unknown_department_is_an_error_and_no_unit_is_created(tenant: Municipality) -> None:
    data = rows()
    data["取組"][0][4] = "福祉総務課、存在しない課"
    data["取組"][1][4] = "架空課"
    before = state()
    result = run(build(data), tenant)
    assert [e.as_tuple() for e in result.errors] == [
        (
            "取組",
            2,
            "担当課",
            "担当課「存在しない課」が見つかりません。組織の現在の名称か識別子で書いてください（組織を新しく作ることはしません。先に組織を登録してください）。",
        ),
        (
            "取組",
            3,
            "担当課",
            "担当課「架空課」が見つかりません。組織の現在の名称か識別子で書いてください（組織を新しく作ることはしません。先に組織を登録してください）。",
        ),
    ]
    assert state() == before


def test_units_by_code_by_current_name_and_middle_dot(tenant: Municipality) -> None:
    dotted = accounts_services.unit_upsert(
        actor="test",
        municipality=tenant,
        code="hoken",
        kind=UnitKind.DEPARTMENT,
        name="福祉・保健課",
    )
    renamed = accounts_services.unit_upsert(
        actor="test", municipality=tenant, code="kyu", kind=UnitKind.DEPARTMENT, name="旧名課"
    )
    renamed.names.update(valid_to_fy=2023)
    renamed.names.create(name="新名課", valid_from_fy=2024)
    data = rows()
    data["取組"][0][4] = "福祉・保健課・高齢者いきいき課"  # a name with ・, then split on ・
    data["取組"][1][4] = "KOREISHA\n新名課"  # a code (any case) and the current name
    result = run(build(data), tenant)
    assert result.errors == []
    assert list(
        InitiativeUnit.objects.filter(initiative__number=1)
        .order_by("-is_lead", "id")
        .values_list("unit__code", "is_lead")
    ) == [("hoken", True), ("koreisha", False)]
    assert list(
        InitiativeUnit.objects.filter(initiative__number=2)
        .order_by("-is_lead", "id")
        .values_list("unit__code", "is_lead")
    ) == [("koreisha", True), ("kyu", False)]
    assert dotted.pk != renamed.pk
    data["取組"][1][4] = "旧名課"  # only the current name counts
    assert [e.message for e in run(build(data), tenant).errors] == [
        "担当課「旧名課」が見つかりません。組織の現在の名称か識別子で書いてください（組織を新しく作ることはしません。先に組織を登録してください）。"
    ]


def test_two_units_with_the_same_name_must_be_named_by_code(tenant: Municipality) -> None:
    accounts_services.unit_upsert(
        actor="test",
        municipality=tenant,
        code="somu-2",
        kind=UnitKind.DEPARTMENT,
        name="福祉総務課",
    )
    result = run(build(), tenant)
    assert [e.as_tuple() for e in result.errors][:1] == [
        (
            "取組",
            2,
            "担当課",
            "担当課「福祉総務課」という名称の組織が複数あります。識別子（fukushi-somu、somu-2）で指定してください。",
        )
    ]
    data = rows()
    data["取組"][0][4] = "高齢者いきいき課、fukushi-somu"
    data["取組"][1][4] = "somu-2"
    assert run(build(data), tenant).errors == []
    plan = Plan.objects.get()
    exported = read_workbook(service.plan_export(plan=plan)).workbook
    assert [i.units for i in exported.initiatives] == [
        ("高齢者いきいき課", "fukushi-somu"),
        ("somu-2",),
        (),
    ]


def test_units_of_another_municipality_are_not_found(
    tenant: Municipality, fujisawa: Municipality
) -> None:
    accounts_services.unit_upsert(
        actor="test",
        municipality=fujisawa,
        code="fujisawa-ka",
        kind=UnitKind.DEPARTMENT,
        name="藤沢の課",
    )
    data = rows()
    data["取組"][0][4] = "藤沢の課"
    assert [e.column for e in run(build(data), tenant).errors] == ["担当課"]


def test_closed_assignments_are_kept_when_units_change(
    tenant: Municipality, units: dict[str, OrganisationUnit]
) -> None:
    run(build(), tenant)
    first = Initiative.objects.get(number=1)
    InitiativeUnit.objects.create(
        initiative=first, unit=units["iinkai"], is_lead=True, valid_from_fy=2020, valid_to_fy=2021
    )
    data = rows()
    data["取組"][0][4] = "福祉総務課"
    run(build(data), tenant)
    assert list(
        first.responsible_units.order_by("id").values_list("unit__code", "is_lead", "valid_to_fy")
    ) == [("iinkai", True, 2021), ("fukushi-somu", True, None)]


def test_a_sheet_that_cannot_be_read_removes_nothing(tenant: Municipality) -> None:
    run(build(), tenant)
    headers = {"成果指標": ["番号", "基本目標番号", "名称", "単位"]}
    data = rows()
    data["成果指標"] = [[1, 1, "指標", "%"]]
    data["取組"][1][4] = "存在しない課"
    result = run(build(data, headers=headers), tenant)
    messages = [e.as_tuple()[:3] for e in result.errors]
    assert messages == [
        ("取組", 3, "担当課"),
        ("成果指標", 1, "基準値"),
        ("成果指標", 1, "基準年度"),
        ("成果指標", 1, "目標値"),
        ("成果指標", 1, "目標年度"),
        ("成果指標", 1, "方向"),
        ("成果指標", 1, "出典"),
    ]
    assert result.counts("成果指標").removed == 0


def test_any_error_means_no_change_at_all(tenant: Municipality) -> None:
    run(build(), tenant)
    data = rows()
    data["基本目標"].append([3, "新しい目標", None, None])
    data["取組"][0][4] = "存在しない課"
    before = state()
    result = run(build(data), tenant)
    assert len(result.errors) == 1 and not result.applied
    assert result.summary() == "誤りが 1 件あります。何も変更していません。"
    assert state() == before
    assert not Goal.objects.filter(number=3).exists()


def test_a_changed_preview_is_not_applied(tenant: Municipality) -> None:
    data = build()
    preview = run(data, tenant, dry_run=True)
    before = state()
    result = run(data, tenant, expected_fingerprint="0" * 64)
    assert [e.message for e in result.errors] == [
        "確認の画面を表示した後に、計画または組織が変更されました。何も保存していません。もう一度読み込んで、変更の内容を確認してください。"
    ]
    assert state() == before
    assert run(data, tenant, expected_fingerprint=preview.fingerprint()).applied


def test_command_refuses_a_file_too_large_before_reading_it(
    tenant: Municipality, tmp_path: Path
) -> None:
    path = tmp_path / "plan.xlsx"
    with path.open("wb") as handle:
        handle.truncate(wb.MAX_UPLOAD_BYTES + 1)
    with pytest.raises(CommandError) as raised:
        call_command("plan", "import", str(path), "--municipality", "142042")
    assert str(raised.value) == "ファイルが大きすぎます（10.0MB）。10MB 以下にしてください。"
    assert not Plan.objects.exists()


def test_a_person_needs_plans_manage(tenant: Municipality, make_user: Callable[..., Any]) -> None:
    department = make_user(Role.DEPARTMENT)
    before = state()
    with pytest.raises(PermissionRefused):
        run(build(), tenant, actor=department)
    with pytest.raises(PermissionRefused):
        run(build(), tenant, actor=department, dry_run=True)
    assert state() == before
    secretariat = make_user(Role.SECRETARIAT)
    result = run(build(), tenant, actor=secretariat)
    assert result.applied
    assert AuditEvent.objects.filter(action="import").get().actor_id == secretariat.pk


def test_a_secretariat_of_another_municipality_is_refused(
    tenant: Municipality, fujisawa: Municipality, make_user: Callable[..., Any]
) -> None:
    secretariat = make_user(Role.SECRETARIAT)
    with pytest.raises(PermissionRefused):
        run(build(), fujisawa, actor=secretariat)
    assert not Plan.objects.exists()


# --- round trip -------------------------------------------------------------------------------


def test_export_imports_back_unchanged_and_exports_identically(tenant: Municipality) -> None:
    data = rows()
    data["基本目標"][0][2] = "説明\n二行目"
    data["成果指標"][0][4] = "12.345"

    def text_with_equals(book: Any) -> None:
        cell = book["取組"]["D2"]
        cell.value = "=これは数式ではない"
        cell.data_type = "s"  # typed as text (Excel: a leading apostrophe)

    assert run(build(data, edit=text_with_equals), tenant).applied
    plan = Plan.objects.get()
    first = service.plan_export(plan=plan)
    result = run(first, tenant, dry_run=True)
    assert result.errors == [] and not result.has_changes
    assert run(first, tenant).summary() == "変更はありません。"
    second = service.plan_export(plan=plan)
    assert cell_values(first) == cell_values(second)
    values = cell_values(first)
    assert values["計画"] == [
        ("名称", "開始年度", "終了年度", "基本理念"),
        ("テスト計画", "令和2年度", "令和7年度", "ともに生きるまち"),
    ]
    assert values["取組"][1] == (
        1,
        1,
        "取組一",
        "=これは数式ではない",
        "高齢者いきいき課、福祉総務課",
        None,
    )
    assert values["成果指標"][1][4] == 12.345


def test_export_in_western_years_also_round_trips(tenant: Municipality, settings: Any) -> None:
    settings.SASAEAI_YEAR_STYLE = "seireki"
    run(build(), tenant)
    exported = service.plan_export(plan=Plan.objects.get())
    assert cell_values(exported)["計画"][1][1] == "2020年度"
    assert not run(exported, tenant, dry_run=True).has_changes


def test_the_demo_plans_round_trip(db: None) -> None:
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())
    municipality = Municipality.objects.get(code="142042")
    for plan in Plan.objects.filter(municipality=municipality):
        first = service.plan_export(plan=plan)
        result = run(first, municipality, dry_run=True)
        assert result.errors == [], plan.name
        assert not result.has_changes, (plan.name, result.changes[:3])
        assert cell_values(first) == cell_values(service.plan_export(plan=plan))


# --- the command ------------------------------------------------------------------------------


def command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("plan", *args, stdout=out, stderr=err, no_color=True)
    return out.getvalue(), err.getvalue()


def test_command_template(tmp_path: Path, db: None) -> None:
    target = tmp_path / "plan.xlsx"
    out, _err = command("template", "-o", str(target))
    assert out == f"テンプレートを書き出しました: {target}\n"
    assert openpyxl.load_workbook(target).sheetnames[1:] == list(HEADERS)
    with pytest.raises(CommandError, match="すでにあります"):
        command("template", "-o", str(target))
    command("template", "-o", str(target), "--force")


def test_command_import_dry_run_then_import_then_no_change(
    tmp_path: Path, tenant: Municipality
) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(build())
    out, _ = command("import", str(path), "--municipality", "142042", "--dry-run")
    assert "計画「テスト計画」（新規作成）" in out
    assert "  取組: 追加 3 件、変更 0 件、削除 0 件" in out
    assert "    [追加] 1 取組一" in out
    assert out.endswith("追加 12 件、変更 0 件、削除 0 件（確認のみ。まだ保存していません）\n")
    assert not Plan.objects.exists()
    out, _ = command("import", str(path), "--municipality", "142042")
    assert out.endswith("追加 12 件、変更 0 件、削除 0 件を保存しました。\n")
    event = AuditEvent.objects.get(action="import")
    assert event.actor_label.startswith("cli")
    out, _ = command("import", str(path), "--municipality", "142042")
    assert out == "計画「テスト計画」\n変更はありません。\n"


def test_command_import_lists_every_error_and_exits_non_zero(
    tmp_path: Path, tenant: Municipality
) -> None:
    data = rows()
    data["施策"][0][1] = 9
    data["取組"][1][4] = "存在しない課"
    path = tmp_path / "plan.xlsx"
    path.write_bytes(build(data))
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("plan", "import", str(path), "--municipality", "142042", stderr=err)
    assert str(raised.value) == "取り込めませんでした（誤り 2 件）。何も変更していません。"
    assert err.getvalue().splitlines() == [
        "シート「施策」 2行目 列「基本目標番号」: 基本目標番号 9 がシート「基本目標」にありません。",
        "シート「取組」 3行目 列「担当課」: 担当課「存在しない課」が見つかりません。組織の現在の名称か識別子で書いてください（組織を新しく作ることはしません。先に組織を登録してください）。",
    ]
    assert not Plan.objects.exists()


def test_command_exit_status_from_the_shell(tmp_path: Path, tenant: Municipality) -> None:
    from sasaeai.cli import main

    path = tmp_path / "notes.csv"
    path.write_text("a,b\n")
    with pytest.raises(SystemExit) as raised:
        main(["plan", "import", str(path), "--municipality", "142042"])
    assert raised.value.code == 1


def test_command_refuses_unknown_municipality_file_and_plan(
    tmp_path: Path, tenant: Municipality
) -> None:
    with pytest.raises(CommandError, match="自治体コード 999999 の自治体が登録されていません。"):
        command("import", str(tmp_path / "x.xlsx"), "--municipality", "999999")
    with pytest.raises(CommandError, match="を読み込めません"):
        command("import", str(tmp_path / "missing.xlsx"), "--municipality", "142042")
    with pytest.raises(
        CommandError, match="計画「ない計画」がありません。登録されている計画: （なし）"
    ):
        command("export", "--municipality", "142042", "--plan", "ない計画", "-o", "x.xlsx")


def test_command_export_writes_a_workbook_that_imports_back_unchanged(
    tmp_path: Path, tenant: Municipality
) -> None:
    run(build(), tenant)
    target = tmp_path / "out.xlsx"
    out, _ = command(
        "export", "--municipality", "142042", "--plan", "テスト計画", "-o", str(target)
    )
    assert out == f"計画「テスト計画」を書き出しました: {target}\n"
    out, _ = command("import", str(target), "--municipality", "142042", "--dry-run")
    assert out == "計画「テスト計画」\n変更はありません。\n"
    assert os.path.getsize(target) > 0
