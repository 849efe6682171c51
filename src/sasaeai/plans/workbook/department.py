"""The department workbook (部署別の評価ワークブック): writing and reading the .xlsx file.

This module only turns data into a workbook and a workbook back into raw rows; it runs no
queries. ``services/department_import.py`` gathers the data, validates the rows against the
database and applies them. The format is documented in docs/formats/department-workbook.md.

Sheets:

* 評価 — one row per evaluation. Read-only columns are locked, the four editable ones are
  unlocked, 評価 and 今後の方向性 have drop-down lists; three hidden technical columns hold the
  evaluation id, its version at export and a digest of the exported editable values.
* 説明 — the cycle, the unit's name in that 年度, the deadline in 和暦 and instructions.
* ``_meta`` — very hidden: the identity of the cycle and unit, and the drop-down lists.

Sheet protection has no password: it prevents accidents, not attacks. The import never
trusts the file — every value is validated against the database again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection

from sasaeai.core.archives import ArchiveError, check_unpacked_size
from sasaeai.core.errors import DomainError, ErrorLocation
from sasaeai.core.wareki import format_date, format_fiscal_year
from sasaeai.plans.workbook.read import iter_sheet_rows

FORMAT_NAME = "sasaeai-department-workbook"
FORMAT_VERSION = 1
META_SHEET = "_meta"
SHEET_EVALUATIONS = gettext_lazy("評価")
SHEET_GUIDE = gettext_lazy("説明")
EDITABLE_FIELDS = ("results", "grade", "issues", "direction")
MAX_ROWS = 5000
MAX_ID = 2**63 - 1
HEADER_ROW = 1
FIRST_DATA_ROW = 2


@dataclass(frozen=True)
class Column:
    key: str
    header: Promise
    width: float
    editable: bool = False
    hidden: bool = False

    @property
    def letter(self) -> str:
        return get_column_letter(COLUMNS.index(self) + 1)


COLUMNS: tuple[Column, ...] = (
    Column("number", gettext_lazy("番号"), 7),
    Column("title", gettext_lazy("取組名"), 28),
    Column("goal", gettext_lazy("基本目標"), 18),
    Column("policy", gettext_lazy("施策"), 18),
    Column("initiative_type", gettext_lazy("取組の種類"), 18),
    Column("state", gettext_lazy("状態"), 12),
    Column("previous_results", gettext_lazy("前年度の実績"), 36),
    Column("previous_grade", gettext_lazy("前年度の評価"), 13),
    Column("previous_direction", gettext_lazy("前年度の方向性"), 13),
    Column("results", gettext_lazy("実施内容・実績"), 48, editable=True),
    Column("grade", gettext_lazy("評価"), 16, editable=True),
    Column("issues", gettext_lazy("課題"), 36, editable=True),
    Column("direction", gettext_lazy("今後の方向性"), 14, editable=True),
    Column("evaluation_id", gettext_lazy("評価ID"), 10, hidden=True),
    Column("version", gettext_lazy("出力時の版"), 10, hidden=True),
    Column("digest", gettext_lazy("出力時の確認値"), 28, hidden=True),
)
COLUMN = {column.key: column for column in COLUMNS}


# ------------------------------------------------------------------ values


def tidy_text(value: str) -> str:
    """A free-text value (実績, 課題) as compared and saved: no control characters, ``\\n``
    line breaks, no trailing spaces on any line, no leading or trailing blank (full-width
    spaces too)."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in value.split("\n")).strip()


def choice_key(value: str) -> str:
    """What a choice (評価, 今後の方向性), a header or a hidden value compares by: full-width
    folded (NFKC), runs of spaces made one, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def grade_display(code: str, grades: Sequence[Mapping[str, Any]]) -> str:
    """The text a grade shows in the file and its drop-down: ``"A 順調"``."""
    for grade in grades:
        if str(grade["code"]) == code:
            return f"{grade['code']} {grade['label']}"
    return code


_SEPARATORS = " :.-\u30fb\u3001,/"  # also ・ and 、
CHOICE_SEPARATOR = "\u30fb"  # ・ between choices in messages


def grade_code(text: str, grades: Sequence[Mapping[str, Any]]) -> str | None:
    """The grade code a cell means, or None when it matches no grade.

    Accepts the drop-down text (``A 順調``), the code alone (``A``, ``ａ``), the label alone
    (``順調``) and the code and label with another separator (``A：順調``, ``Ａ　順調``).
    An empty cell is the empty code ``""`` (not yet graded).
    """
    folded = choice_key(text)
    if not folded:
        return ""
    wanted = folded.upper()
    for grade in grades:
        code, label = choice_key(str(grade["code"])), choice_key(str(grade["label"]))
        if wanted in {code.upper(), label.upper()}:
            return str(grade["code"])
    for grade in grades:
        code, label = choice_key(str(grade["code"])), choice_key(str(grade["label"]))
        if wanted.startswith(code.upper()):
            rest = folded[len(code) :].lstrip(_SEPARATORS)
            if rest == label:
                return str(grade["code"])
    return None


def direction_value(text: str, directions: Sequence[str]) -> str | None:
    """The plan's direction a cell means (``""`` when empty), or None when it matches none."""
    folded = choice_key(text)
    if not folded:
        return ""
    for direction in directions:
        if choice_key(direction) == folded:
            return direction
    return None


def canonical(values: Mapping[str, str]) -> dict[str, str]:
    """Editable values as compared: text cleaned, grade and direction trimmed."""
    return {
        "results": tidy_text(values.get("results", "") or ""),
        "grade": (values.get("grade", "") or "").strip(),
        "issues": tidy_text(values.get("issues", "") or ""),
        "direction": (values.get("direction", "") or "").strip(),
    }


def values_digest(values: Mapping[str, str]) -> str:
    """A digest of the editable values (canonical form), written at export in a hidden column.

    At import it tells whether the values in the database are still those that were exported.
    It is not a signature: it detects changes, it does not stop anyone forging them.
    """
    clean = canonical(values)
    payload = "\x1f".join(clean[name] for name in EDITABLE_FIELDS)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


# ------------------------------------------------------------------ writing


@dataclass(frozen=True)
class WorkbookMeta:
    """Identity of the cycle and unit a workbook was exported for (the hidden ``_meta`` sheet)."""

    municipality_code: str
    plan_id: int
    plan_name: str
    cycle_id: int
    fiscal_year: int
    unit_id: int
    unit_code: str
    unit_name: str
    exported_at: str = ""
    exported_by: str = ""


@dataclass(frozen=True)
class ExportRow:
    evaluation_id: int
    version: int
    number: int
    title: str
    goal: str
    policy: str
    initiative_type: str
    state: str
    editable: bool
    previous_results: str
    previous_grade: str
    previous_direction: str
    results: str
    grade: str
    issues: str
    direction: str


@dataclass(frozen=True)
class ExportData:
    meta: WorkbookMeta
    deadline: dt.date | None
    grades: list[dict[str, Any]]
    directions: list[str]
    rows: list[ExportRow]
    exported_at: dt.datetime | None = None


_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EDITABLE_HEADER_FILL = PatternFill("solid", fgColor="FFF2CC")
_READONLY_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_LOCKED = Protection(locked=True)
_UNLOCKED = Protection(locked=False)


def _protect(ws: Any) -> None:
    """Protect a sheet without a password; columns and rows may still be resized and filtered."""
    ws.protection = SheetProtection(
        sheet=True, formatColumns=False, formatRows=False, autoFilter=False
    )


def _set_text(cell: Any, value: str) -> None:
    """Write text as text: a value starting with ``=`` must not become a formula."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value or None
    if value:
        cell.data_type = "s"


def write_workbook(data: ExportData) -> bytes:
    """The .xlsx file for one unit and cycle."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(SHEET_EVALUATIONS)
    _write_evaluations(sheet, data)
    _write_guide(workbook.create_sheet(str(SHEET_GUIDE)), data)
    _write_meta(workbook.create_sheet(META_SHEET), data)
    workbook.active = 0
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.properties.creator = "sasaeai"
    workbook.properties.title = _("{year} 評価（{unit}）").format(
        year=format_fiscal_year(data.meta.fiscal_year), unit=data.meta.unit_name
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_evaluations(sheet: Any, data: ExportData) -> None:
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index)
        _set_text(cell, str(column.header))
        cell.font = _HEADER_FONT
        cell.fill = _EDITABLE_HEADER_FILL if column.editable else _HEADER_FILL
        cell.alignment = _HEADER_ALIGN
        cell.border = _BORDER
        cell.protection = _LOCKED
        dimension = sheet.column_dimensions[column.letter]
        dimension.width = column.width
        dimension.hidden = column.hidden
    grades = data.grades
    for offset, row in enumerate(data.rows):
        number = FIRST_DATA_ROW + offset
        values: dict[str, Any] = {
            "number": row.number,
            "title": row.title,
            "goal": row.goal,
            "policy": row.policy,
            "initiative_type": row.initiative_type,
            "state": row.state,
            "previous_results": row.previous_results,
            "previous_grade": row.previous_grade,
            "previous_direction": row.previous_direction,
            "results": row.results,
            "grade": grade_display(row.grade, grades) if row.grade else "",
            "issues": row.issues,
            "direction": row.direction,
            "evaluation_id": row.evaluation_id,
            "version": row.version,
            "digest": values_digest(
                {
                    "results": row.results,
                    "grade": row.grade,
                    "issues": row.issues,
                    "direction": row.direction,
                }
            ),
        }
        for index, column in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=number, column=index)
            value = values[column.key]
            if isinstance(value, str):
                _set_text(cell, value)
            else:
                cell.value = value
            cell.alignment = _WRAP
            cell.border = _BORDER
            unlocked = column.editable and row.editable
            cell.protection = _UNLOCKED if unlocked else _LOCKED
            if not unlocked:
                cell.fill = _READONLY_FILL
            if column.editable:
                cell.number_format = "@"
    last = FIRST_DATA_ROW + max(len(data.rows), 1) - 1
    _add_list(
        sheet,
        column=COLUMN["grade"],
        last_row=last,
        source=f"'{META_SHEET}'!$D$2:$D${1 + max(len(grades), 1)}",
        title=_("評価"),
        message=_("一覧から選んでください。"),
    )
    _add_list(
        sheet,
        column=COLUMN["direction"],
        last_row=last,
        source=f"'{META_SHEET}'!$E$2:$E${1 + max(len(data.directions), 1)}",
        title=_("今後の方向性"),
        message=_("一覧から選んでください。"),
    )
    sheet.freeze_panes = f"C{FIRST_DATA_ROW}"
    visible_last = COLUMNS[-1 - sum(1 for c in COLUMNS if c.hidden)]
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{visible_last.letter}{last}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    _protect(sheet)


def _add_list(
    sheet: Any, *, column: Column, last_row: int, source: str, title: str, message: str
) -> None:
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showDropDown=False,  # False shows the in-cell arrow (the OOXML name is inverted)
        showErrorMessage=True,
        errorTitle=title,
        error=message,
        showInputMessage=True,
        promptTitle=title,
        prompt=message,
    )
    validation.add(f"{column.letter}{FIRST_DATA_ROW}:{column.letter}{last_row}")
    sheet.add_data_validation(validation)


def _write_guide(sheet: Any, data: ExportData) -> None:
    meta = data.meta
    exported_at = data.exported_at
    rows: list[tuple[str, str]] = [
        (_("計画"), meta.plan_name),
        (_("年度"), format_fiscal_year(meta.fiscal_year)),
        (_("担当課"), meta.unit_name),
        (_("提出期限"), format_date(data.deadline) if data.deadline else _("（設定なし）")),
        (_("取組の数"), _("{count} 件").format(count=len(data.rows))),
        (
            _("出力日時"),
            f"{format_date(exported_at)} {exported_at:%H:%M}" if exported_at else "",
        ),
        (_("出力した人"), meta.exported_by),
    ]
    title = sheet.cell(row=1, column=1)
    _set_text(title, _("進捗調査 評価の入力（{unit}）").format(unit=meta.unit_name))
    title.font = Font(bold=True, size=14)
    line = 3
    for label, value in rows:
        _set_text(sheet.cell(row=line, column=1), label)
        sheet.cell(row=line, column=1).font = _HEADER_FONT
        _set_text(sheet.cell(row=line, column=2), value)
        line += 1
    line += 1
    _set_text(sheet.cell(row=line, column=1), _("入力のしかた"))
    sheet.cell(row=line, column=1).font = _HEADER_FONT
    line += 1
    instructions = [
        _(
            "「評価」シートの白い欄（実施内容・実績、評価、課題、今後の方向性）に入力してください。灰色の欄は変更できません。"
        ),
        _("評価と今後の方向性は、セルを選ぶと出る一覧から選んでください（下の表のとおり）。"),
        _(
            "入力が終わったら、ささえあいの職員ページ「評価のExcel入出力」から取り込みます。取り込む前に、変わる点を画面で確かめられます。確定するまでは何も保存されません。"
        ),
        _(
            "行や列を追加・削除・移動しないでください。数式は使えません（計算せずにエラーとします）。値を直接入力してください。"
        ),
        _(
            "このファイルを出力したあとに、同じ取組の評価がウェブの画面で変更されていると、取込は止まり、ファイル全体のどの行も保存されません（競合）。画面に出る「ウェブの値」と「ファイルの値」を見比べ、ファイルを出力し直すか、ウェブの画面で修正してから取り込み直してください。"
        ),
        _(
            "提出済み・承認済みの取組は変更できません。変更が必要なときは事務局に差し戻しを依頼してください。"
        ),
        _(
            "シートの保護にパスワードはありません。誤って消したり書き換えたりしないための保護で、改ざんを防ぐものではありません。取込のときに、すべての値をもう一度確かめます。"
        ),
    ]
    for number, text in enumerate(instructions, start=1):
        _set_text(sheet.cell(row=line, column=1), f"{number}.")
        cell = sheet.cell(row=line, column=2)
        _set_text(cell, text)
        cell.alignment = _WRAP
        line += 1
    line += 1
    _set_text(sheet.cell(row=line, column=1), _("評価の段階"))
    sheet.cell(row=line, column=1).font = _HEADER_FONT
    line += 1
    for grade in data.grades:
        _set_text(sheet.cell(row=line, column=1), str(grade["code"]))
        _set_text(sheet.cell(row=line, column=2), str(grade["label"]))
        line += 1
    line += 1
    _set_text(sheet.cell(row=line, column=1), _("今後の方向性"))
    sheet.cell(row=line, column=1).font = _HEADER_FONT
    line += 1
    for direction in data.directions:
        _set_text(sheet.cell(row=line, column=2), direction)
        line += 1
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 100
    _protect(sheet)


def _write_meta(sheet: Any, data: ExportData) -> None:
    meta = data.meta
    pairs: list[tuple[str, Any]] = [
        ("format", FORMAT_NAME),
        ("format_version", FORMAT_VERSION),
        ("municipality", meta.municipality_code),
        ("plan_id", meta.plan_id),
        ("plan", meta.plan_name),
        ("cycle_id", meta.cycle_id),
        ("fiscal_year", meta.fiscal_year),
        ("unit_id", meta.unit_id),
        ("unit_code", meta.unit_code),
        ("unit_name", meta.unit_name),
        ("exported_at", meta.exported_at),
        ("exported_by", meta.exported_by),
    ]
    for line, (key, value) in enumerate(pairs, start=1):
        sheet.cell(row=line, column=1).value = key
        cell = sheet.cell(row=line, column=2)
        if isinstance(value, str):
            _set_text(cell, value)
        else:
            cell.value = value
    sheet.cell(row=1, column=4).value = "grades"
    for line, grade in enumerate(data.grades, start=2):
        _set_text(sheet.cell(row=line, column=4), grade_display(str(grade["code"]), data.grades))
    sheet.cell(row=1, column=5).value = "directions"
    for line, direction in enumerate(data.directions, start=2):
        _set_text(sheet.cell(row=line, column=5), direction)
    sheet.sheet_state = "veryHidden"
    _protect(sheet)


# ------------------------------------------------------------------ reading


@dataclass
class RawRow:
    """One non-blank data row as read: raw editable texts, technical values, cell problems."""

    row: int
    evaluation_id: int | None = None
    version: int | None = None
    digest: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    problems: list[DomainError] = field(default_factory=list)


@dataclass
class ReadWorkbook:
    meta: WorkbookMeta
    rows: list[RawRow]


def error_at(row: int | None, column: Column | None, message: str, code: str) -> DomainError:
    """An error on the 評価 sheet, located by row and column header."""
    return DomainError(
        code=code,
        message=message,
        location=ErrorLocation(
            sheet=str(SHEET_EVALUATIONS),
            row=row,
            column=str(column.header) if column else None,
        ),
    )


def _not_this_format(reason: str) -> DomainError:
    return DomainError(
        code="not_department_workbook",
        message=_(
            "ささえあいから出力した評価のワークブックではありません（{reason}）。職員ページまたは `sasaeai evaluations export` で出力したファイルを使ってください。"
        ).format(reason=reason),
    )


def _not_xlsx() -> DomainError:
    return DomainError(
        code="not_xlsx",
        message=_(
            "Excel ファイル（.xlsx）として読み取れません。Excel で「Excel ブック（*.xlsx）」の形式で保存したファイルを選んでください。"
        ),
    )


def read_workbook(data: bytes) -> ReadWorkbook:
    """Read a department workbook without evaluating anything.

    Raises :class:`DomainError` when the file is not such a workbook at all (not an .xlsx,
    larger unpacked than the xlsx limit of ``core.archives`` — checked before openpyxl sees
    it —, no ``_meta`` sheet, another format version, headers moved). Problems in single
    cells (formulas, error values, unreadable ids) are returned on their rows, so every one
    of them can be listed.
    """
    try:
        check_unpacked_size(data, "xlsx")
    except ArchiveError as error:
        if error.code == "too_large":
            raise DomainError(code="too_large", message=error.message) from None
        raise _not_xlsx() from None
    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception:  # openpyxl raises many types for damaged or foreign files
        raise _not_xlsx() from None
    try:
        if META_SHEET not in workbook.sheetnames:
            raise _not_this_format(_("隠しシート「{sheet}」がありません").format(sheet=META_SHEET))
        meta = _read_meta(workbook, workbook[META_SHEET])
        sheet_name = str(SHEET_EVALUATIONS)
        if sheet_name not in workbook.sheetnames:
            raise _not_this_format(_("シート「{sheet}」がありません").format(sheet=sheet_name))
        rows = _read_rows(workbook, workbook[sheet_name])
    except DomainError:
        raise
    except Exception:  # read-only sheets are parsed while they are read: damage shows here
        raise _not_xlsx() from None
    finally:
        workbook.close()
    return ReadWorkbook(meta=meta, rows=rows)


@dataclass(frozen=True, slots=True)
class _Cell:
    value: Any
    data_type: str = "n"


_BLANK = _Cell(None)


def _sheet_rows(book: Any, sheet: Any, width: int) -> Iterator[tuple[int, list[_Cell]]]:
    """Each row's number and its first ``width`` cells (blank where the file has none), in
    the file's order, streamed (``read.iter_sheet_rows``: merged ranges are not
    even kept). Rows missing from the file are not made up; a row that comes again or after
    a later row is skipped, as openpyxl's read-only mode does."""
    expected = 1
    for number, cells in iter_sheet_rows(book, sheet):
        if number < expected:
            continue
        expected = number + 1
        row = [_BLANK] * width
        for cell in cells:
            if 1 <= cell["column"] <= width:
                row[cell["column"] - 1] = _Cell(cell["value"], cell["data_type"])
        yield number, row


def _read_meta(book: Any, sheet: Any) -> WorkbookMeta:
    values: dict[str, Any] = {}
    for number, row in _sheet_rows(book, sheet, 2):
        if number > 40:
            break
        if isinstance(row[0].value, str):
            values[row[0].value.strip()] = row[1].value
    if values.get("format") != FORMAT_NAME:
        raise _not_this_format(_("様式の名前が違います"))
    version = _as_int(values.get("format_version"))
    if version != FORMAT_VERSION:
        raise DomainError(
            code="unsupported_version",
            message=_(
                "このワークブックの様式（第{found}版）には対応していません（対応は第{supported}版）。出力し直してください。"
            ).format(found=values.get("format_version"), supported=FORMAT_VERSION),
        )
    numbers = {key: _as_int(values.get(key)) for key in ("plan_id", "cycle_id", "fiscal_year")}
    numbers["unit_id"] = _as_int(values.get("unit_id"))
    missing = [key for key, value in numbers.items() if value is None]
    if missing or not values.get("municipality") or not values.get("unit_code"):
        raise _not_this_format(_("出力時の情報が欠けています"))
    return WorkbookMeta(
        municipality_code=str(values["municipality"]).strip(),
        plan_id=numbers["plan_id"] or 0,
        plan_name=str(values.get("plan") or ""),
        cycle_id=numbers["cycle_id"] or 0,
        fiscal_year=numbers["fiscal_year"] or 0,
        unit_id=numbers["unit_id"] or 0,
        unit_code=str(values["unit_code"]).strip(),
        unit_name=str(values.get("unit_name") or ""),
        exported_at=str(values.get("exported_at") or ""),
        exported_by=str(values.get("exported_by") or ""),
    )


def _as_int(value: Any) -> int | None:
    """An integer written as a number or as text (full-width digits too); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and 0 < value <= MAX_ID else None
    if isinstance(value, str):
        text = choice_key(value).replace(",", "")
        if text.isdigit() and text.isascii():
            number = int(text)
            return number if 0 < number <= MAX_ID else None
    return None


def _is_formula(cell: Any) -> bool:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f":
        return True
    return value is not None and type(value).__name__ in {"ArrayFormula", "DataTableFormula"}


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return f"{value:%Y/%m/%d %H:%M}" if value.time() != dt.time() else f"{value:%Y/%m/%d}"
    if isinstance(value, dt.date):
        return f"{value:%Y/%m/%d}"
    return str(value)


def _check_headers(header: Sequence[Any]) -> None:
    problems: list[DomainError] = []
    for index, column in enumerate(COLUMNS):
        found = _cell_text(header[index].value) if index < len(header) else ""
        if choice_key(found) != choice_key(str(column.header)):
            problems.append(
                DomainError(
                    code="header_mismatch",
                    message=_(
                        "{letter}列の見出しが「{found}」になっています（様式では「{expected}」）。"
                    ).format(letter=column.letter, found=found, expected=column.header),
                    location=ErrorLocation(sheet=str(SHEET_EVALUATIONS), row=HEADER_ROW),
                )
            )
    if problems:
        raise DomainError(
            code="header_mismatch",
            message=_(
                "「評価」シートの列の並びが出力したときと違います。列を追加・削除・移動せずに入力するか、出力し直したファイルを使ってください。"
            ),
            details=problems,
        )


def _read_rows(book: Any, sheet: Any) -> list[RawRow]:
    """Every non-blank row below the header, whatever size the sheet says it has."""
    rows: list[RawRow] = []
    iterator = _sheet_rows(book, sheet, len(COLUMNS))
    first = next(iterator, None)
    _check_headers(first[1] if first is not None and first[0] == HEADER_ROW else ())
    for number, cells in iterator:
        if all(
            getattr(cell, "value", None) is None or _cell_text(cell.value).strip() == ""
            for cell in cells
        ):
            continue
        if len(rows) >= MAX_ROWS:
            raise DomainError(
                code="too_many_rows",
                message=_("行が多すぎます（{limit} 行まで）。").format(limit=MAX_ROWS),
            )
        rows.append(_read_row(number, cells))
    return rows


def _read_row(number: int, cells: Sequence[Any]) -> RawRow:
    raw = RawRow(row=number)
    for index, column in enumerate(COLUMNS):
        cell = cells[index] if index < len(cells) else None
        if cell is None:
            value: Any = None
        elif _is_formula(cell):
            raw.problems.append(
                error_at(
                    number,
                    column,
                    _("数式は使えません（数式は計算せずに読みます）。値を直接入力してください。"),
                    "formula",
                )
            )
            continue
        elif getattr(cell, "data_type", None) == "e":
            raw.problems.append(
                error_at(
                    number,
                    column,
                    _("エラー値「{value}」が入っています。値を直接入力してください。").format(
                        value=cell.value
                    ),
                    "error_value",
                )
            )
            continue
        else:
            value = cell.value
        if column.key in EDITABLE_FIELDS:
            raw.texts[column.key] = _cell_text(value)
        elif column.key == "evaluation_id":
            raw.evaluation_id = _as_int(value)
            if raw.evaluation_id is None:
                raw.problems.append(
                    error_at(
                        number,
                        column,
                        _(
                            "評価IDがないか、読み取れません。この様式には行を追加できません。ささえあいから出力した行だけを使ってください。"
                        ),
                        "bad_evaluation_id",
                    )
                )
        elif column.key == "version":
            raw.version = _as_int(value)
            if raw.version is None:
                raw.problems.append(
                    error_at(
                        number,
                        column,
                        _("出力時の版がないか、読み取れません。出力し直してください。"),
                        "bad_version",
                    )
                )
        elif column.key == "digest":
            raw.digest = choice_key(_cell_text(value)).lower()
            if not raw.digest:
                raw.problems.append(
                    error_at(
                        number,
                        column,
                        _("出力時の確認値がありません。出力し直してください。"),
                        "bad_digest",
                    )
                )
    return raw
