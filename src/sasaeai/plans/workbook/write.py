"""Writing a plan workbook: the empty template, or a plan exported to be edited and read
back (``read.py``) — 説明 first, then the six sheets of ``spec.py``."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sasaeai.core.wareki import YearStyle, format_fiscal_year
from sasaeai.plans.workbook.spec import (
    DIRECTION_LABELS,
    SHEET_GOALS,
    SHEET_HELP,
    SHEET_INDICATORS,
    SHEET_INITIATIVES,
    SHEET_PLAN,
    SHEET_POLICIES,
    SHEET_TYPES,
    SPECS,
    PlanWorkbook,
    SheetSpec,
)

_HELP_ROWS: Final[tuple[tuple[Any, Any], ...]] = (
    (gettext_lazy("計画ワークブックの書き方"), ""),
    ("", ""),
    (
        gettext_lazy("全体"),
        gettext_lazy(
            "シート「計画」「基本目標」「施策」「取組種類」「取組」「成果指標」に入力します。見出しの行（列名）は変えないでください。列の順番は入れ替えてもかまいません。このシート（説明）は読み込みません。"
        ),
    ),
    (
        gettext_lazy("読み込み"),
        gettext_lazy(
            "1つでも誤りがあると何も保存しません。誤りはシート・行・列ごとにすべて表示します。同じファイルをもう一度読み込んでも何も変わりません。"
        ),
    ),
    (
        gettext_lazy("更新と削除"),
        gettext_lazy(
            "同じ名称の計画があれば、番号が同じ行を更新します。ファイルにない行は削除します（評価や実績値が登録されている行は削除できません）。"
        ),
    ),
    (gettext_lazy("計画"), gettext_lazy("名称・開始年度・終了年度・基本理念を1行だけ入力します。")),
    (
        gettext_lazy("基本目標"),
        gettext_lazy(
            "番号・名称・説明。計画の途中から加わる目標は、開始年度にその年度を入力します。"
        ),
    ),
    (gettext_lazy("施策"), gettext_lazy("番号・基本目標番号（どの基本目標の施策か）・名称。")),
    (gettext_lazy("取組種類"), gettext_lazy("番号・施策番号（どの施策の取組種類か）・名称。")),
    (
        gettext_lazy("取組"),
        gettext_lazy(
            "番号・取組種類番号・名称・内容・担当課・再掲元。番号は計画の中で重ならないようにします。"
        ),
    ),
    (
        gettext_lazy("担当課"),
        gettext_lazy(
            "組織の現在の名称（または識別子）を「、」「・」「,」や改行で区切って書きます。最初に書いた課が主担当です。登録されていない組織は書けません（先に組織を登録してください）。"
        ),
    ),
    (
        gettext_lazy("再掲元"),
        gettext_lazy(
            "別の基本目標にもう一度載せる取組（再掲）は、元の取組の番号を書きます。再掲の取組は集計で二重に数えません。"
        ),
    ),
    (
        gettext_lazy("成果指標"),
        gettext_lazy(
            "番号・基本目標番号・名称・単位・基準値・基準年度・目標値・目標年度・方向・出典。方向は 増やす・減らす・維持 から選びます。出典に「アンケート」「調査」を含む指標はアンケート指標として扱います。"
        ),
    ),
    (
        gettext_lazy("年度"),
        gettext_lazy("令和2年度、R2、2020年度、2020 のどの書き方でもかまいません。"),
    ),
    (
        gettext_lazy("数値"),
        gettext_lazy(
            "全角の数字、桁区切りのカンマ、末尾の %（12.5% は 12.5 として読みます）も読めます。小数点以下は3桁までです。"
        ),
    ),
    (
        gettext_lazy("数式とマクロ"),
        gettext_lazy("数式は読み込めません。値を入力してください。マクロは実行しません。"),
    ),
)


def _without_control_characters(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return str(ILLEGAL_CHARACTERS_RE.sub("", text))


def _set(ws: Any, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = _without_control_characters(value) if value else None
        if value.startswith("="):
            cell.data_type = "s"  # text that looks like a formula stays text
    elif isinstance(value, Decimal):
        cell.value = int(value) if value == value.to_integral_value() else float(value)
    else:
        cell.value = value


def _fy_text(year: int | None, style: YearStyle) -> str:
    return format_fiscal_year(year, style) if year is not None else ""


def _row_values(spec: SheetSpec, item: Any, style: YearStyle) -> list[Any]:
    values: list[Any] = []
    for column in spec.columns:
        value = getattr(item, column.key)
        if column.kind == "fy":
            value = _fy_text(value, style)
        elif column.kind == "direction":
            value = DIRECTION_LABELS.get(value, value)
        elif column.kind == "units":
            value = "、".join(value)
        values.append(value)
    return values


def write_workbook(
    workbook: PlanWorkbook | None = None, *, year_style: YearStyle = "wareki"
) -> bytes:
    """The workbook as .xlsx bytes: 説明 first, then the six sheets with headers.

    Without ``workbook`` this is the empty template. Headers are frozen and styled, columns
    sized, and 方向 has a dropdown. Years are written as 令和2年度 (or 2020年度 with
    ``year_style="seireki"``), numbers as numbers, text that starts with "=" as text.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    help_sheet = book.active
    help_sheet.title = SHEET_HELP
    for index, (label, text) in enumerate(_HELP_ROWS, start=1):
        help_sheet.cell(row=index, column=1, value=str(label) or None).font = Font(bold=True)
        cell = help_sheet.cell(row=index, column=2, value=str(text) or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    help_sheet["A1"].font = Font(bold=True, size=14)
    help_sheet.column_dimensions["A"].width = 16
    help_sheet.column_dimensions["B"].width = 100

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    items: dict[str, Sequence[Any]] = {}
    if workbook is not None:
        items = {
            SHEET_PLAN: [workbook.plan] if workbook.plan else [],
            SHEET_GOALS: workbook.goals,
            SHEET_POLICIES: workbook.policies,
            SHEET_TYPES: workbook.types,
            SHEET_INITIATIVES: workbook.initiatives,
            SHEET_INDICATORS: workbook.indicators,
        }
    for spec in SPECS:
        ws = book.create_sheet(spec.name)
        for col, column in enumerate(spec.columns, start=1):
            cell = ws.cell(row=1, column=col, value=column.label)
            cell.font = Font(bold=True)
            cell.fill = header_fill
            ws.column_dimensions[get_column_letter(col)].width = column.width
        ws.freeze_panes = "A2"
        rows = items.get(spec.name, [])
        for index, item in enumerate(rows, start=2):
            for col, value in enumerate(_row_values(spec, item, year_style), start=1):
                _set(ws, index, col, value)
        for col, column in enumerate(spec.columns, start=1):
            if column.kind == "direction":
                letter = get_column_letter(col)
                validation = DataValidation(
                    type="list",
                    formula1='"{}"'.format(",".join(DIRECTION_LABELS.values())),
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=_("方向"),
                    error=_("増やす・減らす・維持 から選んでください。"),
                )
                validation.add(f"{letter}2:{letter}{len(rows) + 1001}")
                ws.add_data_validation(validation)
            if column.kind == "text" and (column.width or 0) >= 40:
                for (cell,) in ws.iter_rows(
                    min_row=2, max_row=len(rows) + 1, min_col=col, max_col=col
                ):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.properties.creator = "sasaeai"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell_values(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's cell values (for comparing two exports), formulas left as written."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    try:
        return {
            ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)]
            for ws in book.worksheets
        }
    finally:
        book.close()
