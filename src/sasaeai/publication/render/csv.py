"""The annual report's open-data tables (オープンデータ) as CSV files.

Reads only a :class:`~sasaeai.publication.document.ReportDocument`; runs no queries. The tables and
their columns are documented in docs/formats/report-csv.md.

File format (what Excel and most tools expect of a Japanese open-data CSV):

* UTF-8 with a byte-order mark (BOM), so Excel opens it as UTF-8 when double-clicked;
* records end with CRLF; RFC 4180 quoting — a field holding a comma, a double quote or a line
  break is enclosed in double quotes, and a double quote inside it is doubled; a line break
  inside a field is a single LF;
* numbers without thousands separators, ``.`` for decimals and no trailing zeros (the database
  keeps three decimals: 12.400 is written 12.4), an empty field when there is no value; 年度 as the western year number (2024) plus a 和暦 column (令和6年度);
* the header names are data, not interface text: they never change with the language.

Formula injection: text fields go through :func:`sasaeai.core.csvfile.guard_text` (a leading
apostrophe before ``= + - @``, a tab or a carriage return, as OWASP's "CSV Injection" advice
says), the guard every CSV export uses. Number fields are never changed (``-3.5`` stays a
number).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final

from django.utils.translation import gettext_noop

from sasaeai.core.csvfile import BOM, LINE_END, guard_text
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.publication.document import ReportDocument

__all__ = [
    "CONTENT_TYPE",
    "INDICATORS_FILE",
    "INDICATOR_COLUMNS",
    "INITIATIVES_FILE",
    "INITIATIVE_COLUMNS",
    "guard_text",
    "render_csv_tables",
]

CONTENT_TYPE: Final = "text/csv; charset=utf-8"
INDICATORS_FILE: Final = "indicators.csv"
INITIATIVES_FILE: Final = "initiatives.csv"

UNIT_SEPARATOR: Final = "\u30fb"  # 「・」 between 担当課

INDICATOR_COLUMNS: Final = (
    gettext_noop("全国地方公共団体コード"),
    gettext_noop("地方公共団体名"),
    gettext_noop("計画名"),
    gettext_noop("基本目標番号"),
    gettext_noop("指標番号"),
    gettext_noop("指標名"),
    gettext_noop("単位"),
    gettext_noop("年度"),
    gettext_noop("年度（和暦）"),
    gettext_noop("実績値"),
    gettext_noop("基準値"),
    gettext_noop("基準年度"),
    gettext_noop("目標値"),
    gettext_noop("目標年度"),
    gettext_noop("達成率（%）"),
    gettext_noop("判定"),
    gettext_noop("判定の区分名"),
    gettext_noop("出典"),
    gettext_noop("備考"),
)

INITIATIVE_COLUMNS: Final = (
    gettext_noop("全国地方公共団体コード"),
    gettext_noop("地方公共団体名"),
    gettext_noop("計画名"),
    gettext_noop("年度"),
    gettext_noop("年度（和暦）"),
    gettext_noop("基本目標番号"),
    gettext_noop("基本目標"),
    gettext_noop("施策番号"),
    gettext_noop("施策"),
    gettext_noop("取組の種類"),
    gettext_noop("取組番号"),
    gettext_noop("取組名"),
    gettext_noop("担当課"),
    gettext_noop("評価"),
    gettext_noop("評価の区分名"),
    gettext_noop("今後の方向性"),
    gettext_noop("再掲元の取組番号"),
)

Field = str | int | Decimal | None


def render_csv_tables(doc: ReportDocument) -> dict[str, bytes]:
    """The open-data tables: ``{"indicators.csv": …, "initiatives.csv": …}``."""
    return {
        INDICATORS_FILE: _csv_bytes(INDICATOR_COLUMNS, _indicator_rows(doc)),
        INITIATIVES_FILE: _csv_bytes(INITIATIVE_COLUMNS, _initiative_rows(doc)),
    }


def _field(value: Field) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return ""
        return "0" if value == 0 else format(value.normalize(), "f")
    if isinstance(value, int):
        return str(value)
    return guard_text(value)


def _csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Field]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=LINE_END, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"row has {len(row)} fields for {len(columns)} columns")
        writer.writerow([_field(value) for value in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _indicator_rows(doc: ReportDocument) -> Iterable[list[Field]]:
    for entry in doc.indicators:
        by_year = {value.fiscal_year: value for value in entry.values}
        for year in doc.years:
            value = by_year.get(year)
            judged = year == doc.fiscal_year
            yield [
                doc.municipality_code,
                doc.municipality_name,
                doc.plan_name,
                entry.goal_number,
                entry.number,
                entry.name,
                entry.unit_label,
                year,
                format_fiscal_year(year),
                value.value if value else None,
                entry.baseline,
                entry.baseline_fy,
                entry.target,
                entry.target_fy,
                entry.achievement if judged else None,
                entry.status_code if judged else None,
                entry.status_label if judged else None,
                entry.source,
                value.note if value else None,
            ]


def _initiative_rows(doc: ReportDocument) -> Iterable[list[Field]]:
    policy_names = {
        policy.number: policy.name for goal in doc.structure for policy in goal.policies
    }
    year_text = format_fiscal_year(doc.fiscal_year)
    for section in doc.goals:
        for entry in section.initiatives:
            yield [
                doc.municipality_code,
                doc.municipality_name,
                doc.plan_name,
                doc.fiscal_year,
                year_text,
                section.number,
                section.name,
                entry.policy_number,
                policy_names.get(entry.policy_number, ""),
                entry.type_name,
                entry.number,
                entry.title,
                UNIT_SEPARATOR.join(entry.units),
                entry.grade_code,
                entry.grade_label,
                entry.direction,
                entry.repost_of_number,
            ]
