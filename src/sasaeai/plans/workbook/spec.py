"""The plan workbook's format (計画ワークブック): its sheets and columns with the labels and
aliases a file may use, the limits, the rows it holds once read, and how values compare.

Documented in docs/formats/plan-workbook.md. Sheet and column names are the file format
itself, so they are fixed Japanese identifiers (marked with ``gettext_noop`` but never
translated). Reading is in ``read.py``, writing in ``write.py``; this module touches no
file and no database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sasaeai.core import uploads
from sasaeai.core.errors import ErrorLocation

# --- the format ----------------------------------------------------------------------------

SHEET_PLAN: Final = gettext_noop("計画")
SHEET_GOALS: Final = gettext_noop("基本目標")
SHEET_POLICIES: Final = gettext_noop("施策")
SHEET_TYPES: Final = gettext_noop("取組種類")
SHEET_INITIATIVES: Final = gettext_noop("取組")
SHEET_INDICATORS: Final = gettext_noop("成果指標")
SHEET_HELP: Final = gettext_noop("説明")
SHEETS: Final = (
    SHEET_PLAN,
    SHEET_GOALS,
    SHEET_POLICIES,
    SHEET_TYPES,
    SHEET_INITIATIVES,
    SHEET_INDICATORS,
)

Kind = Literal["text", "int", "fy", "decimal", "direction", "units"]

DIRECTION_LABELS: Final = {
    "increase": gettext_noop("増やす"),
    "decrease": gettext_noop("減らす"),
    "maintain": gettext_noop("維持"),
}
# Accepted spellings (compared by spelling_key: NFKC, without spaces, upper-cased). Input vocabulary of the
# file format, marked but never translated.
_DIRECTION_SPELLINGS: Final = {
    "increase": [*gettext_noop("増やす 増加 増 上げる 上昇 向上").split(), "↑", "INCREASE", "UP"],
    "decrease": [*gettext_noop("減らす 減少 減 下げる 低下 削減").split(), "↓", "DECREASE", "DOWN"],
    "maintain": [*gettext_noop("維持 現状維持 保つ").split(), "→", "MAINTAIN", "KEEP"],
}
DIRECTION_BY_SPELLING: Final = {
    spelling: code for code, spellings in _DIRECTION_SPELLINGS.items() for spelling in spellings
}

# the file's own size limit is the xlsx one of every upload (core.uploads)
MAX_UPLOAD_BYTES: Final = uploads.MAX_UPLOAD_BYTES["xlsx"]
# the unpacked size is limited by core.archives.MAX_UNPACKED_BYTES["xlsx"], as for every xlsx
MAX_ROWS: Final = 50_000
MAX_MERGED_RANGES: Final = 10_000  # per sheet; a real plan's sheet has a few hundred at most
HEADER_SCAN_ROWS: Final = 30
HEADER_SCAN_COLUMNS: Final = 100
SMALL_NUMBER_MAX: Final = 32_767
NUMBER_MAX: Final = 2_147_483_647
DECIMAL_LIMIT: Final = Decimal("100000000000")  # 11 integer digits (max_digits=14, 3 decimals)
DECIMAL_STEP: Final = Decimal("0.001")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind
    required: bool = False  # a value is required in every data row
    max_length: int | None = None
    aliases: tuple[str, ...] = ()
    width: int = 12
    small: bool = True  # for "int": PositiveSmallIntegerField (≤ 32,767)


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


NUMBER_LABEL = gettext_noop("番号")
_NAME = gettext_noop("名称")
_NUMBER_ALIASES = ("NO", "NO.")
_NAME_ALIASES = (gettext_noop("名前"),)

PLAN_SPEC: Final = SheetSpec(
    SHEET_PLAN,
    (
        Column(
            "name", _NAME, "text", True, 200, (gettext_noop("計画名"), *_NAME_ALIASES), width=40
        ),
        Column("start_fy", gettext_noop("開始年度"), "fy", True, width=14),
        Column("end_fy", gettext_noop("終了年度"), "fy", True, width=14),
        Column(
            "vision", gettext_noop("基本理念"), "text", aliases=(gettext_noop("理念"),), width=60
        ),
    ),
    (gettext_noop("計画概要"),),
)
GOAL_SPEC: Final = SheetSpec(
    SHEET_GOALS,
    (
        Column("number", NUMBER_LABEL, "int", True, aliases=_NUMBER_ALIASES, width=8),
        Column("name", _NAME, "text", True, 200, (gettext_noop("基本目標名"), *_NAME_ALIASES), 40),
        Column(
            "description", gettext_noop("説明"), "text", aliases=(gettext_noop("内容"),), width=60
        ),
        Column(
            "applies_from_fy",
            gettext_noop("開始年度"),
            "fy",
            aliases=(gettext_noop("適用開始年度"),),
            width=14,
        ),
    ),
    (gettext_noop("目標"),),
)
POLICY_SPEC: Final = SheetSpec(
    SHEET_POLICIES,
    (
        Column("number", NUMBER_LABEL, "int", True, aliases=_NUMBER_ALIASES, width=8),
        Column(
            "goal_number",
            gettext_noop("基本目標番号"),
            "int",
            True,
            aliases=(gettext_noop("基本目標NO"), gettext_noop("基本目標")),
            width=14,
        ),
        Column("name", _NAME, "text", True, 200, (gettext_noop("施策名"), *_NAME_ALIASES), 50),
    ),
)
TYPE_SPEC: Final = SheetSpec(
    SHEET_TYPES,
    (
        Column("number", NUMBER_LABEL, "int", True, aliases=_NUMBER_ALIASES, width=8),
        Column(
            "policy_number",
            gettext_noop("施策番号"),
            "int",
            True,
            aliases=(gettext_noop("施策NO"), gettext_noop("施策")),
            width=12,
        ),
        Column(
            "name",
            _NAME,
            "text",
            True,
            200,
            (gettext_noop("取組種類名"), gettext_noop("取組の種類"), *_NAME_ALIASES),
            50,
        ),
    ),
    (gettext_noop("取組の種類"),),
)
INITIATIVE_SPEC: Final = SheetSpec(
    SHEET_INITIATIVES,
    (
        Column("number", NUMBER_LABEL, "int", True, aliases=_NUMBER_ALIASES, width=8, small=False),
        Column(
            "type_number",
            gettext_noop("取組種類番号"),
            "int",
            True,
            aliases=(gettext_noop("取組の種類番号"), gettext_noop("取組種類NO")),
            width=14,
        ),
        Column(
            "title",
            _NAME,
            "text",
            True,
            300,
            (gettext_noop("取組名"), *_NAME_ALIASES),
            50,
        ),
        Column(
            "description",
            gettext_noop("内容"),
            "text",
            aliases=(gettext_noop("取組内容"), gettext_noop("説明")),
            width=60,
        ),
        Column(
            "units",
            gettext_noop("担当課"),
            "units",
            aliases=(gettext_noop("担当部署"), gettext_noop("所管課"), gettext_noop("担当")),
            width=30,
        ),
        Column(
            "repost_of",
            gettext_noop("再掲元"),
            "int",
            aliases=(gettext_noop("再掲元番号"), gettext_noop("再掲")),
            width=10,
            small=False,
        ),
    ),
)
INDICATOR_SPEC: Final = SheetSpec(
    SHEET_INDICATORS,
    (
        Column("number", NUMBER_LABEL, "int", True, aliases=_NUMBER_ALIASES, width=8),
        Column(
            "goal_number",
            gettext_noop("基本目標番号"),
            "int",
            True,
            aliases=(gettext_noop("基本目標NO"), gettext_noop("基本目標")),
            width=14,
        ),
        Column("name", _NAME, "text", True, 300, (gettext_noop("指標名"), *_NAME_ALIASES), 50),
        Column("unit_label", gettext_noop("単位"), "text", max_length=30, width=8),
        Column("baseline", gettext_noop("基準値"), "decimal", width=10),
        Column("baseline_fy", gettext_noop("基準年度"), "fy", width=14),
        Column("target", gettext_noop("目標値"), "decimal", width=10),
        Column("target_fy", gettext_noop("目標年度"), "fy", width=14),
        Column("direction", gettext_noop("方向"), "direction", True, width=10),
        Column("source", gettext_noop("出典"), "text", max_length=200, width=24),
    ),
    (gettext_noop("指標"),),
)
SPECS: Final = (PLAN_SPEC, GOAL_SPEC, POLICY_SPEC, TYPE_SPEC, INITIATIVE_SPEC, INDICATOR_SPEC)


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookError:
    """One problem, located as precisely as possible (row is the Excel row number)."""

    sheet: str | None
    row: int | None
    column: str | None
    message: str
    letter: str | None = None  # the Excel column letter, when known

    def as_tuple(self) -> tuple[str | None, int | None, str | None, str]:
        return (self.sheet, self.row, self.column, self.message)

    @property
    def where(self) -> str:
        text = ErrorLocation(sheet=self.sheet, row=self.row, column=self.column).describe()
        if self.letter and self.column:
            text += _("（{letter}列）").format(letter=self.letter)
        return text

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def error_order(error: WorkbookError) -> tuple[int, int]:
    """Sort key: file-level errors first, then by sheet in workbook order, then by row."""
    sheet = SHEETS.index(error.sheet) + 1 if error.sheet in SHEETS else 0
    return (sheet, error.row or 0)


@dataclass(frozen=True)
class PlanRow:
    name: str
    start_fy: int
    end_fy: int
    vision: str
    row: int = 0


@dataclass(frozen=True)
class GoalRow:
    number: int
    name: str
    description: str = ""
    applies_from_fy: int | None = None
    row: int = 0


@dataclass(frozen=True)
class PolicyRow:
    number: int
    goal_number: int
    name: str
    row: int = 0


@dataclass(frozen=True)
class TypeRow:
    number: int
    policy_number: int
    name: str
    row: int = 0


@dataclass(frozen=True)
class InitiativeRow:
    number: int
    type_number: int
    title: str
    description: str = ""
    units: tuple[str, ...] = ()  # as written, split on 、 , ; / and line breaks (not yet on ・)
    repost_of: int | None = None
    row: int = 0


@dataclass(frozen=True)
class IndicatorRow:
    number: int
    goal_number: int
    name: str
    unit_label: str = ""
    baseline: Decimal | None = None
    baseline_fy: int | None = None
    target: Decimal | None = None
    target_fy: int | None = None
    direction: str = "increase"
    source: str = ""
    row: int = 0

    @property
    def is_survey(self) -> bool:
        return is_survey_source(self.source)


@dataclass
class PlanWorkbook:
    plan: PlanRow | None
    goals: list[GoalRow] = field(default_factory=list)
    policies: list[PolicyRow] = field(default_factory=list)
    types: list[TypeRow] = field(default_factory=list)
    initiatives: list[InitiativeRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    # every 番号 seen per sheet (also on rows with errors), and the sheets that could be read:
    # the import removes nothing it could not see
    numbers: dict[str, set[int]] = field(default_factory=dict)
    sheets_read: set[str] = field(default_factory=set)


@dataclass
class ReadResult:
    workbook: PlanWorkbook
    errors: list[WorkbookError]

    @property
    def ok(self) -> bool:
        return not self.errors


SURVEY_WORDS: Final = tuple(gettext_noop("アンケート 調査").split())


def is_survey_source(source: str) -> bool:
    """An indicator measured by a survey (出典 mentions アンケート or 調査)."""
    return any(word in source for word in SURVEY_WORDS)


# --- comparing and writing values ----------------------------------------------------------

_MIDDLE_DOTS: Final = re.compile(r"[\u30fb\uff65]+")  # 中黒 (full and half width)


def spelling_key(text: str) -> str:
    """What two spellings of a name in the file compare by (sheet names, column labels,
    directions, units' names and codes): NFKC, no spaces of any width, upper-case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def split_middle_dots(text: str) -> list[str]:
    """``"福祉総務課・高齢者いきいき課"`` → both names (used when the whole is not a unit)."""
    return [part.strip() for part in _MIDDLE_DOTS.split(text) if part.strip()]


def trimmed_text(value: str) -> str:
    """Text as stored: line breaks unified, spaces (also full-width) trimmed at both ends."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def decimal_text(value: Decimal | None) -> str:
    """``Decimal("12.500")`` → ``"12.5"``; ``Decimal("100")`` → ``"100"``; None → ``""``."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return "0" if text in {"-0", "0"} else text
