"""The annual report (推進状況報告書) as an Excel workbook: one sheet per part, in report order.

Reads only a :class:`~sasaeai.publication.document.ReportDocument`; runs no queries. The layout is
documented in docs/formats/report-xlsx.md.

Rules every sheet follows:

* Numbers are number cells (``Decimal`` → a number with a format showing the value's own
  decimals); 達成率 is the percentage as a plain number (85.3) under a 「（%）」 header, the same
  figure the HTML report and the CSV show.
* 年度 are text in 和暦 (令和6年度).
* Text is always a text cell — never a formula. Text that starts with ``= + - @`` is also given
  Excel's quote prefix, so editing the cell in Excel does not turn it into a formula either.
* Tables: bold header row with a fill, panes frozen under it, an autofilter, the header repeated
  on every printed page; A4 landscape, fitted to the page width.
* The output depends only on the document, apart from the file's timestamps.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from sasaeai.core.wareki import format_date, format_fiscal_year
from sasaeai.publication.document import (
    CountRow,
    GoalSection,
    IndicatorEntry,
    InitiativeEntry,
    ReportDocument,
)

__all__ = ["CONTENT_TYPE", "SHEET_TITLES", "render_xlsx", "safe_sheet_title"]

CONTENT_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SHEET_COVER = gettext_lazy("表紙")
SHEET_OVERVIEW = gettext_lazy("計画の概要")
SHEET_INDICATORS = gettext_lazy("成果指標")
SHEET_INITIATIVES = gettext_lazy("取組の評価")
SHEET_TALLY = gettext_lazy("評価の集計")
SHEET_REVIEWS = gettext_lazy("委員会の講評")
SHEET_SUMMARIES = gettext_lazy("総括")
SHEET_GLOSSARY = gettext_lazy("用語解説")
SHEET_TITLES: Final = (
    SHEET_COVER,
    SHEET_OVERVIEW,
    SHEET_INDICATORS,
    SHEET_INITIATIVES,
    SHEET_TALLY,
    SHEET_REVIEWS,
    SHEET_SUMMARIES,
    SHEET_GLOSSARY,
)
_SHEET_CONTENTS: Final = (
    gettext_lazy("この表紙と目次"),
    gettext_lazy("基本理念と計画の体系（基本目標・施策・取組の種類ごとの取組数）"),
    gettext_lazy("成果指標ごとの基準値・目標値・年度ごとの実績・達成率・判定"),
    gettext_lazy("取組ごとの実施内容・実績、評価、課題、今後の方向性"),
    gettext_lazy("基本目標ごとの評価と今後の方向性の件数"),
    gettext_lazy("基本目標への講評と取組へのコメント、市の対応"),
    gettext_lazy("基本目標ごとの総括"),
    gettext_lazy("報告書で使った言葉の解説"),
)

MAX_SHEET_TITLE: Final = 31
MAX_CELL_TEXT: Final = 32767  # Excel's limit for one cell
MAX_DECIMALS: Final = 6
FORMULA_PREFIXES: Final = ("=", "+", "-", "@")
UNIT_SEPARATOR: Final = "\u30fb"  # 「・」 between 担当課
_FORBIDDEN_IN_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")

_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_TOP = Alignment(vertical="top")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TITLE_FONT = Font(bold=True, size=16)
_LABEL_FONT = Font(bold=True)
_NOTICE_FONT = Font(bold=True, color="C00000", size=12)
_LINK_FONT = Font(color="0563C1", underline="single")

ColumnKind = Literal["text", "long", "number", "integer", "code", "percent"]

_LONG_WIDTH: Final = 60.0  # long prose columns: fixed width, wrapped
_MAX_WIDTH: Final = 40.0  # other columns: fitted to their content, at most this
_MIN_WIDTH: Final = 6.0


@dataclass(frozen=True)
class _Column:
    header: str
    kind: ColumnKind = "text"


# --- public entry point --------------------------------------------------------------------


def render_xlsx(doc: ReportDocument) -> bytes:
    """The report as an .xlsx file (bytes)."""
    workbook = Workbook()
    cover = workbook.active
    assert isinstance(cover, Worksheet)
    titles = [safe_sheet_title(str(title)) for title in SHEET_TITLES]
    cover.title = titles[0]
    sheets = [cover, *(workbook.create_sheet(title) for title in titles[1:])]
    _write_cover(sheets[0], doc, titles)
    _write_overview(sheets[1], doc)
    _write_indicators(sheets[2], doc)
    _write_initiatives(sheets[3], doc)
    _write_tally(sheets[4], doc)
    _write_reviews(sheets[5], doc)
    _write_summaries(sheets[6], doc)
    _write_glossary(sheets[7], doc)
    for sheet in sheets:
        _print_setup(sheet, doc)
    workbook.active = 0
    properties = workbook.properties
    properties.creator = "sasaeai"
    properties.lastModifiedBy = "sasaeai"
    properties.title = doc.title
    properties.language = "ja-JP"
    properties.created = _utc_naive(doc.built_at)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def safe_sheet_title(title: str) -> str:
    """A title Excel accepts: no ``[ ] : * ? / \\``, no leading/trailing ``'``, ≤ 31 chars."""
    cleaned = _FORBIDDEN_IN_SHEET_TITLE.sub("_", title).strip().strip("'")
    return cleaned[:MAX_SHEET_TITLE] or "_"


# --- cell writing --------------------------------------------------------------------------


def xlsx_safe_text(value: str) -> str:
    """Text a cell can hold: no control characters, LF line ends, within Excel's length."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return text[:MAX_CELL_TEXT]


def _put(cell: Any, value: object) -> None:
    """Write one value: text always as text, numbers as numbers, ``None`` as an empty cell."""
    if value is None or value == "":
        cell.value = None
    elif isinstance(value, str):
        text = xlsx_safe_text(value)
        cell.value = text or None
        if text:
            cell.data_type = "s"  # never "f": text that looks like a formula stays text
            if text.startswith(FORMULA_PREFIXES):
                cell.quotePrefix = True
    elif isinstance(value, Decimal):
        if value.is_finite():
            cell.value = int(value) if value == value.to_integral_value() else float(value)
            cell.number_format = _decimal_format(value)
        else:
            _put(cell, str(value))
    elif isinstance(value, bool):
        _put(cell, str(value))
    elif isinstance(value, int | float):
        cell.value = value
    else:
        _put(cell, str(value))


def _decimal_format(value: Decimal) -> str:
    """Show the value's own decimals: ``Decimal("12.50")`` → ``#,##0.00``."""
    exponent = value.as_tuple().exponent
    decimals = min(max(0, -exponent), 10) if isinstance(exponent, int) else 0
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _display_width(text: str) -> float:
    """Width in Excel's units (one ``0``): full-width characters count as two."""
    longest = 0.0
    for line in text.split("\n"):
        width = sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line)
        longest = max(longest, width)
    return longest


def _style_header(cell: Any) -> None:
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = _HEADER_ALIGN
    cell.border = _BORDER


def _write_table(
    sheet: Worksheet,
    columns: Sequence[_Column],
    rows: Iterable[Sequence[object]],
    *,
    header_row: int = 1,
) -> int:
    """A table with a styled header at ``header_row``; returns the number of data rows."""
    widths = [_display_width(column.header) for column in columns]
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=index)
        _put(cell, column.header)
        _style_header(cell)
    count = 0
    for count, values in enumerate(rows, start=1):
        if len(values) != len(columns):
            raise ValueError(f"row has {len(values)} values for {len(columns)} columns")
        for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = sheet.cell(row=header_row + count, column=index)
            _put(cell, value)
            cell.border = _BORDER
            cell.alignment = _WRAP if column.kind in ("text", "long") else _TOP
            if column.kind == "integer" and isinstance(value, int):
                cell.number_format = "#,##0"
            elif column.kind == "code" and isinstance(value, int):
                cell.number_format = "0"
            elif column.kind == "percent" and isinstance(value, Decimal):
                cell.number_format = "0.0"
            if column.kind != "long" and value is not None:
                shown = value if isinstance(value, str) else f"{value:,}"
                widths[index - 1] = max(widths[index - 1], _display_width(shown))
    for index, column in enumerate(columns, start=1):
        if column.kind == "long":
            width = _LONG_WIDTH
        else:
            width = min(max(widths[index - 1] * 1.1 + 2, _MIN_WIDTH), _MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = round(width, 1)
    last_column = get_column_letter(len(columns))
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{header_row + count}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    return count


def _print_setup(sheet: Worksheet, doc: ReportDocument) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = False
    sheet.oddHeader.left.text = _header_footer_text(doc.title)
    notices = " ".join(_notices(doc))
    if notices:
        sheet.oddHeader.right.text = _header_footer_text(notices)
    sheet.oddFooter.center.text = "&P / &N"


def _header_footer_text(text: str) -> str:
    """Header and footer text: ``&`` starts a code, so a literal one is doubled."""
    return xlsx_safe_text(text).replace("\n", " ").replace("&", "&&")[:200]


# --- labels --------------------------------------------------------------------------------


def _numbered(number: int, name: str) -> str:
    return f"{number} {name}" if name else str(number)


def _coded(code: str, label: str) -> str:
    """「A 順調」; just the label when there is no code (or the code is 「-」)."""
    if code and code != "-" and label and label != code:
        return f"{code} {label}"
    return label or code


def _fy(year: int | None) -> str | None:
    return format_fiscal_year(year) if year is not None else None


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _datetime_text(moment: dt.datetime) -> str:
    local = _local(moment)
    return f"{format_date(local.date())} {local:%H:%M}"


def _utc_naive(moment: dt.datetime) -> dt.datetime:
    if timezone.is_aware(moment):
        return moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _notices(doc: ReportDocument) -> list[str]:
    notices = []
    if doc.is_draft:
        notices.append(_("案"))
    if doc.is_demo:
        notices.append(_("デモ（架空のデータを含みます）"))
    return notices


def _goal_names(doc: ReportDocument) -> dict[int, str]:
    names = {goal.number: goal.name for goal in doc.structure}
    for section in doc.goals:
        names.setdefault(section.number, section.name)
    return names


def _policy_names(doc: ReportDocument) -> dict[int, str]:
    return {policy.number: policy.name for goal in doc.structure for policy in goal.policies}


# --- sheets --------------------------------------------------------------------------------


def _write_cover(sheet: Worksheet, doc: ReportDocument, titles: Sequence[str]) -> None:
    _put(sheet["A1"], doc.title)
    sheet["A1"].font = _TITLE_FONT
    row = 2
    if doc.is_draft:
        _put(sheet.cell(row=row, column=1), _("案（公表前のものです。内容は変わることがあります）"))
        sheet.cell(row=row, column=1).font = _NOTICE_FONT
        row += 1
    if doc.is_demo:
        _put(sheet.cell(row=row, column=1), _("デモ（架空のデータを含みます）"))
        sheet.cell(row=row, column=1).font = _NOTICE_FONT
        row += 1
    row += 1
    facts: list[tuple[str, object]] = [
        (_("地方公共団体"), doc.municipality_name),
        (_("全国地方公共団体コード"), doc.municipality_code),
        (_("計画"), doc.plan_name),
        (
            _("計画期間"),
            _("{start}〜{end}").format(
                start=format_fiscal_year(doc.plan_start_fy), end=format_fiscal_year(doc.plan_end_fy)
            ),
        ),
        (_("年度"), format_fiscal_year(doc.fiscal_year)),
        (_("状態"), _("案") if doc.is_draft else _("公表済み")),
        (
            _("公表日"),
            format_date(_local(doc.published_at).date()) if doc.published_at else _("未公表"),
        ),
        (_("作成日時"), _datetime_text(doc.built_at)),
    ]
    for label, value in facts:
        _put(sheet.cell(row=row, column=1), label)
        sheet.cell(row=row, column=1).font = _LABEL_FONT
        _put(sheet.cell(row=row, column=2), value)
        sheet.cell(row=row, column=2).alignment = _WRAP
        row += 1
    row += 1
    _put(sheet.cell(row=row, column=1), _("目次"))
    sheet.cell(row=row, column=1).font = _LABEL_FONT
    row += 1
    for title, contents in zip(titles[1:], _SHEET_CONTENTS[1:], strict=True):
        cell = sheet.cell(row=row, column=1)
        _put(cell, title)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"{quote_sheetname(title)}!A1")
        cell.font = _LINK_FONT
        _put(sheet.cell(row=row, column=2), str(contents))
        row += 1
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 80


def _write_overview(sheet: Worksheet, doc: ReportDocument) -> None:
    _put(sheet["A1"], _("基本理念"))
    sheet["A1"].font = _LABEL_FONT
    _put(sheet["B1"], doc.vision)
    sheet["B1"].alignment = _WRAP
    sheet.merge_cells("B1:E1")
    columns = [
        _Column(_("基本目標")),
        _Column(_("施策")),
        _Column(_("取組の種類")),
        _Column(_("取組数"), "integer"),
        _Column(_("適用開始年度")),
    ]
    rows: list[list[object]] = []
    for goal in doc.structure:
        goal_label = _numbered(goal.number, goal.name)
        since = _fy(goal.applies_from_fy)
        if not goal.policies:
            rows.append([goal_label, None, None, 0, since])
        for policy in goal.policies:
            policy_label = _numbered(policy.number, policy.name)
            if not policy.types:
                rows.append([goal_label, policy_label, None, 0, since])
            for kind in policy.types:
                rows.append(
                    [
                        goal_label,
                        policy_label,
                        _numbered(kind.number, kind.name),
                        kind.initiative_count,
                        since,
                    ]
                )
    _write_table(sheet, columns, rows, header_row=3)
    # Excel does not fit the height of merged cells: give the vision the lines it needs.
    merged_width = sum(sheet.column_dimensions[letter].width or 8 for letter in "BCDE")
    lines = sum(
        max(1, -(-int(_display_width(line)) // max(int(merged_width), 1)))
        for line in xlsx_safe_text(doc.vision).split("\n")
    )
    sheet.row_dimensions[1].height = max(1, lines) * 18


def _indicator_row(
    entry: IndicatorEntry, doc: ReportDocument, goal_names: dict[int, str]
) -> list[object]:
    by_year = {value.fiscal_year: value for value in entry.values}
    notes = [
        _("{year}：{note}").format(year=format_fiscal_year(year), note=by_year[year].note)
        for year in doc.years
        if year in by_year and by_year[year].note
    ]
    numbers = [entry.baseline, entry.target, *(value.value for value in entry.values)]
    exponent = Decimal(1).scaleb(-_decimals(numbers))

    def shown(value: Decimal | None) -> Decimal | None:
        return value.quantize(exponent) if value is not None and value.is_finite() else value

    return [
        entry.number,
        _numbered(entry.goal_number, goal_names.get(entry.goal_number, "")),
        entry.name,
        entry.unit_label,
        shown(entry.baseline),
        _fy(entry.baseline_fy),
        shown(entry.target),
        _fy(entry.target_fy),
        entry.direction_label,
        *(shown(by_year[year].value) if year in by_year else None for year in doc.years),
        entry.achievement,
        _coded(entry.status_code, entry.status_label),
        entry.source,
        "\n".join(notes),
    ]


def _decimals(values: Iterable[Decimal | None]) -> int:
    """Decimals an indicator's numbers need, trailing zeros dropped (12.400 and 13 → 1)."""
    found = 0
    for value in values:
        if value is not None and value.is_finite():
            exponent = value.normalize().as_tuple().exponent
            if isinstance(exponent, int):
                found = max(found, -exponent)
    return min(found, MAX_DECIMALS)


def _write_indicators(sheet: Worksheet, doc: ReportDocument) -> None:
    columns = [
        _Column(_("番号"), "code"),
        _Column(_("基本目標")),
        _Column(_("指標名")),
        _Column(_("単位")),
        _Column(_("基準値"), "number"),
        _Column(_("基準年度")),
        _Column(_("目標値"), "number"),
        _Column(_("目標年度")),
        _Column(_("方向")),
        *(_Column(format_fiscal_year(year), "number") for year in doc.years),
        _Column(_("達成率（%）"), "percent"),
        _Column(_("判定")),
        _Column(_("出典")),
        _Column(_("備考"), "long"),
    ]
    goal_names = _goal_names(doc)
    _write_table(sheet, columns, (_indicator_row(e, doc, goal_names) for e in doc.indicators))


def _initiative_row(
    section: GoalSection, entry: InitiativeEntry, policy_names: dict[int, str]
) -> list[object]:
    return [
        _numbered(section.number, section.name),
        _numbered(entry.policy_number, policy_names.get(entry.policy_number, "")),
        _numbered(entry.type_number, entry.type_name),
        entry.number,
        entry.title,
        UNIT_SEPARATOR.join(entry.units),
        entry.results,
        _with_note(_coded(entry.grade_code, entry.grade_label), entry.draft_note),
        entry.issues,
        entry.direction,
        entry.repost_of_number,
    ]


def _with_note(text: str, draft_note: str) -> str:
    """A cell's text with the 案's note under it (only the secretariat's check has notes)."""
    if not draft_note:
        return text
    note = _("案: {note}").format(note=draft_note)
    return f"{text}\n{note}" if text else note


def _write_initiatives(sheet: Worksheet, doc: ReportDocument) -> None:
    columns = [
        _Column(_("基本目標")),
        _Column(_("施策")),
        _Column(_("取組の種類")),
        _Column(_("番号"), "code"),
        _Column(_("取組名")),
        _Column(_("担当課")),
        _Column(_("実施内容・実績"), "long"),
        _Column(_("評価")),
        _Column(_("課題"), "long"),
        _Column(_("今後の方向性")),
        _Column(_("再掲元の番号"), "code"),
    ]
    policy_names = _policy_names(doc)
    rows = (
        _initiative_row(section, entry, policy_names)
        for section in doc.goals
        for entry in section.initiatives
    )
    _write_table(sheet, columns, rows)


def _count_keys(rows_by_goal: Iterable[Sequence[CountRow]]) -> list[tuple[str, str]]:
    """Every (code, label) in first-seen order: the plan's own order."""
    keys: list[tuple[str, str]] = []
    for rows in rows_by_goal:
        for row in rows:
            if (row.code, row.label) not in keys:
                keys.append((row.code, row.label))
    return keys


def _counts(rows: Sequence[CountRow], keys: Sequence[tuple[str, str]]) -> list[int]:
    found = {(row.code, row.label): row.count for row in rows}
    return [found.get(key, 0) for key in keys]


def _write_tally(sheet: Worksheet, doc: ReportDocument) -> None:
    grade_keys = _count_keys([doc.grade_legend, *(g.grade_counts for g in doc.goals), doc.totals])
    direction_keys = _count_keys(g.direction_counts for g in doc.goals)
    columns = [
        _Column(_("基本目標")),
        _Column(_("取組数（再掲を除く）"), "integer"),
        *(
            _Column(_("評価：{grade}").format(grade=_coded(code, label)), "integer")
            for code, label in grade_keys
        ),
        _Column(_("評価の計"), "integer"),
        *(
            _Column(_("方向性：{direction}").format(direction=label or code), "integer")
            for code, label in direction_keys
        ),
        _Column(_("方向性の計"), "integer"),
    ]
    rows: list[list[object]] = []
    initiative_sum = 0
    grade_sum = [0] * len(grade_keys)
    direction_sum = [0] * len(direction_keys)
    for section in doc.goals:
        initiatives = sum(1 for entry in section.initiatives if entry.repost_of_number is None)
        initiative_sum += initiatives
        grades = _counts(section.grade_counts, grade_keys)
        directions = _counts(section.direction_counts, direction_keys)
        grade_sum = [a + b for a, b in zip(grade_sum, grades, strict=True)]
        direction_sum = [a + b for a, b in zip(direction_sum, directions, strict=True)]
        rows.append(
            [
                _numbered(section.number, section.name),
                initiatives,
                *grades,
                sum(grades),
                *directions,
                sum(directions),
            ]
        )
    grade_total = _counts(doc.totals, grade_keys) if doc.totals else grade_sum
    rows.append(
        [
            _("計画全体"),
            initiative_sum,
            *grade_total,
            sum(grade_total),
            *direction_sum,
            sum(direction_sum),
        ]
    )
    count = _write_table(sheet, columns, rows)
    for cell in sheet[1 + count]:
        cell.font = _LABEL_FONT


def _write_reviews(sheet: Worksheet, doc: ReportDocument) -> None:
    columns = [
        _Column(_("基本目標")),
        _Column(_("対象")),
        _Column(_("委員")),
        _Column(_("講評・コメント"), "long"),
        _Column(_("市の対応"), "long"),
    ]
    rows: list[list[object]] = []
    for section in doc.goals:
        for review in section.reviews:
            rows.append(
                [
                    _numbered(section.number, section.name),
                    _("基本目標の講評"),
                    _with_note(review.author_label, review.draft_note),
                    review.body,
                    review.city_response,
                ]
            )
    for section in doc.goals:
        for entry in section.initiatives:
            for comment in entry.comments:
                rows.append(
                    [
                        _numbered(section.number, section.name),
                        _("取組 {number} {title}").format(number=entry.number, title=entry.title),
                        _with_note(comment.author_label, comment.draft_note),
                        comment.body,
                        comment.city_response,
                    ]
                )
    _write_table(sheet, columns, rows)


def _write_summaries(sheet: Worksheet, doc: ReportDocument) -> None:
    columns = [_Column(_("基本目標")), _Column(_("見出し")), _Column(_("総括"), "long")]
    rows = [
        [_numbered(section.number, section.name), summary.heading, summary.body]
        for section in doc.goals
        for summary in section.summaries
        if summary.body
    ]
    _write_table(sheet, columns, rows)


def _write_glossary(sheet: Worksheet, doc: ReportDocument) -> None:
    columns = [_Column(_("語")), _Column(_("解説"), "long")]
    _write_table(sheet, columns, ([entry.term, entry.explanation] for entry in doc.glossary))
