"""Reading and checking a plan workbook into the rows of ``spec.py``.

Reading is tolerant of what real city files contain (full-width digits, 和暦 years, stray
spaces, blank rows, merged cells, headers below a title, columns in any order, numbers
stored as text) and strict about the rest: every problem is collected as a
:class:`~sasaeai.plans.workbook.spec.WorkbookError` with sheet, row and column, and the
caller decides nothing is saved while any error remains.

Formulas and macros are never evaluated: the file is opened with ``data_only=False`` and
``keep_vba=False``, and a formula in a cell that is read is an error. This module touches no
database; matching against the database is done by ``plans.services.plan_import``.

The cost of a file is bounded before and while it is read: the zip's declared unpacked size
is checked first (``core.archives``, one limit for every xlsx reader); the workbook is opened
in openpyxl's read-only mode and each sheet is read in one streaming pass
(:func:`iter_sheet_rows`, also used by the department workbook's reader) that keeps only the
cells reading can use (:class:`_SheetData`), with a limit on merged ranges.
"""

from __future__ import annotations

import bisect
import heapq
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.utils.translation import gettext as _

from sasaeai.core import uploads
from sasaeai.core.archives import ArchiveError, check_unpacked_size
from sasaeai.core.wareki import FiscalYearParseError, format_fiscal_year, parse_fiscal_year
from sasaeai.plans.workbook.spec import (
    DECIMAL_LIMIT,
    DECIMAL_STEP,
    DIRECTION_BY_SPELLING,
    GOAL_SPEC,
    HEADER_SCAN_COLUMNS,
    HEADER_SCAN_ROWS,
    INDICATOR_SPEC,
    INITIATIVE_SPEC,
    MAX_MERGED_RANGES,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    NUMBER_LABEL,
    NUMBER_MAX,
    PLAN_SPEC,
    POLICY_SPEC,
    SHEET_GOALS,
    SHEET_INDICATORS,
    SHEET_INITIATIVES,
    SHEET_PLAN,
    SHEET_POLICIES,
    SHEET_TYPES,
    SMALL_NUMBER_MAX,
    SPECS,
    TYPE_SPEC,
    Column,
    GoalRow,
    IndicatorRow,
    InitiativeRow,
    PlanRow,
    PlanWorkbook,
    PolicyRow,
    ReadResult,
    SheetSpec,
    TypeRow,
    WorkbookError,
    decimal_text,
    error_order,
    spelling_key,
    trimmed_text,
)

# --- reading values ------------------------------------------------------------------------

_UNIT_SEPARATORS: Final = re.compile(r"[、,，;；/／\n]+")
# 3, No.3, (3), 3., 第3 (\u7b2c), ③ (NFKC makes it 3)
_NUMBER_TEXT: Final = re.compile(r"(?:NO\.?|\u7b2c)?\(?([0-9]+)\)?[.\u3001]?")
_DASHES: Final = dict.fromkeys(map(ord, "−‐‑‒–—―"), "-")
_HEADER_MARKS: Final = re.compile(r"[※*]|\(.*?\)")  # marks and notes: 名称（必須） → 名称


def _header_key(text: str) -> str:
    return _HEADER_MARKS.sub("", spelling_key(text))


class _CellProblem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class _Cell:
    value: Any
    data_type: str
    percent: bool
    row: int
    column: int


def _number_to_text(value: int | float | Decimal) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_text(cell: _Cell) -> str:
    value = cell.value
    if isinstance(value, str):
        return trimmed_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return _number_to_text(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    return trimmed_text(str(value))


def _as_int(cell: _Cell, column: Column) -> int:
    value = cell.value
    if isinstance(value, bool):
        raise _CellProblem(_("数（1以上の整数）を入力してください。"))
    if isinstance(value, float):
        if not value.is_integer():
            raise _CellProblem(
                _("「{value}」は整数ではありません。1以上の整数を入力してください。").format(
                    value=_number_to_text(value)
                )
            )
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str):
        match = _NUMBER_TEXT.fullmatch(spelling_key(value))
        if match is None:
            raise _CellProblem(
                _("「{value}」を番号として読み取れません。1以上の整数を入力してください。").format(
                    value=trimmed_text(value)
                )
            )
        number = int(match.group(1))
    else:
        raise _CellProblem(_("数（1以上の整数）を入力してください。"))
    limit = SMALL_NUMBER_MAX if column.small else NUMBER_MAX
    if not 1 <= number <= limit:
        raise _CellProblem(
            _("番号は1から{limit}までの整数にしてください（「{value}」）。").format(
                limit=f"{limit:,}", value=number
            )
        )
    return number


def _as_fiscal_year(cell: _Cell) -> int:
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _CellProblem(
            _("年度として読み取れません。令和2年度、R2、2020 のように入力してください。")
        )
    try:
        return parse_fiscal_year(str(value))
    except FiscalYearParseError as error:
        raise _CellProblem(error.message) from None


def _as_decimal(cell: _Cell) -> Decimal:
    value = cell.value
    if isinstance(value, bool):
        raise _CellProblem(_("数値を入力してください。"))
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if cell.percent:
            number *= 100  # a cell formatted as 12.5% holds 0.125: read what people see
    elif isinstance(value, str):
        text = spelling_key(value).translate(_DASHES).replace(",", "")
        text = text.replace("△", "-").replace("▲", "-")
        if text.endswith("%"):
            text = text[:-1]
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _CellProblem(
                _(
                    "「{value}」を数値として読み取れません。12.5 のように数字で入力してください。"
                ).format(value=trimmed_text(value))
            ) from None
    else:
        raise _CellProblem(_("数値を入力してください。"))
    if not number.is_finite():
        raise _CellProblem(_("数値を入力してください。"))
    if abs(number) >= DECIMAL_LIMIT:
        raise _CellProblem(_("数値が大きすぎます（整数部分は11桁までです）。"))
    if number != number.quantize(DECIMAL_STEP):
        raise _CellProblem(
            _("小数点以下は3桁までにしてください（「{value}」）。").format(
                value=decimal_text(number)
            )
        )
    return number


def _as_direction(cell: _Cell) -> str:
    text = _as_text(cell)
    code = DIRECTION_BY_SPELLING.get(spelling_key(text))
    if code is None:
        raise _CellProblem(
            _(
                "方向「{value}」は使えません。増やす・減らす・維持 のいずれかを入力してください。"
            ).format(value=text)
        )
    return code


def _as_units(cell: _Cell) -> tuple[str, ...]:
    text = _as_text(cell)
    return tuple(part.strip() for part in _UNIT_SEPARATORS.split(text) if part.strip())


# --- opening the file ----------------------------------------------------------------------

_ZIP_MAGIC: Final = b"PK\x03\x04"
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ACCEPTED_SUFFIXES: Final = (".xlsx", ".xlsm")


def _file_error(message: str) -> WorkbookError:
    return WorkbookError(None, None, None, message)


def check_filename(filename: str) -> WorkbookError | None:
    """An error when the name does not end in .xlsx or .xlsm."""
    lowered = filename.lower()
    if lowered.endswith(ACCEPTED_SUFFIXES):
        return None
    suffix = lowered.rsplit(".", 1)[-1] if "." in lowered else ""
    if suffix == "xls":
        return _file_error(
            _(
                "古い形式（.xls）のファイルは読み込めません。"
                "Excel で開き、「Excel ブック（.xlsx）」として保存し直してください。"
            )
        )
    return _file_error(
        _(
            "ファイル「{name}」は読み込めません。Excel ファイル（.xlsx または .xlsm）を指定してください。"
        ).format(name=filename)
    )


def _broken() -> WorkbookError:
    return _file_error(
        _("ファイルが壊れているため読み込めません。Excel で開いて保存し直してください。")
    )


def _open(data: bytes) -> tuple[Any, WorkbookError | None]:
    """The workbook opened in openpyxl's read-only mode, or the error that refuses the file.

    Its declared unpacked size is checked before openpyxl sees it. zipfile never returns more
    of a member than its header declares (and then checks the member's CRC), so a member
    that lies about its size cannot get past the check either.
    """
    import openpyxl

    if data.startswith(_OLE_MAGIC):
        return None, _file_error(
            _(
                "このファイルは古い形式（.xls）か、パスワードで保護されたファイルです。"
                "パスワードを外し、「Excel ブック（.xlsx）」として保存し直してください。"
            )
        )
    if not data.startswith(_ZIP_MAGIC):
        return None, _file_error(
            _("Excel ファイル（.xlsx または .xlsm）ではありません。ファイルを確認してください。")
        )
    try:
        check_unpacked_size(data, "xlsx")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except ArchiveError as error:
        return None, _file_error(error.message) if error.code == "too_large" else _broken()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None, _broken()
    if "xl/workbook.xml" not in names:
        return None, _file_error(
            _("Excel ファイル（.xlsx または .xlsm）ではありません。ファイルを確認してください。")
        )
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(data),
            read_only=True,  # sheets are streamed by _SheetData, never held as cell objects
            data_only=False,  # formulas stay formulas: they are refused, never evaluated
            keep_vba=False,  # macros are dropped, never run
            keep_links=False,
            rich_text=False,
        )
    except Exception:  # openpyxl raises many kinds for damaged files
        return None, _broken()
    return book, None


# --- reading sheets ------------------------------------------------------------------------


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


Merge = tuple[int, int, int, int]  # min_row, min_col, max_row, max_col


class _TooManyMerges(Exception):
    pass


def iter_sheet_rows(
    book: Any, ws: Any, merges: list[Merge] | None = None
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """The rows of a worksheet of a read-only workbook, streamed: each row's number and its
    cells as openpyxl's parser gives them (``row``, ``column``, ``value``, ``data_type``,
    ``style_id``). With ``merges``, the merged ranges are appended to it as they are met
    (after the rows, where files keep them), at most MAX_MERGED_RANGES (then _TooManyMerges);
    without, they are skipped.

    openpyxl's own read-only iteration keeps an emptied element for every row read, builds an
    object for every merged range before giving any back and makes up the missing rows; this
    loop removes each element once it is read. It uses openpyxl's parser for the cells (the
    same values and types as openpyxl's other modes) and the worksheet's source and shared
    strings (openpyxl is pinned in pyproject.toml). Used by both workbook readers.
    """
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse  # the standard library's, or defusedxml's

    row_tag, merge_tag = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}mergeCell"
    parser = WorkSheetParser(
        None,
        ws._shared_strings,
        data_only=False,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    with ws._get_source() as source:
        open_elements: list[Any] = []
        row_depth = 0  # how deep the row being read is (0: not in a row)
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                open_elements.append(element)
                if not row_depth and element.tag == row_tag:
                    row_depth = len(open_elements)
                continue
            open_elements.pop()
            if row_depth:
                if len(open_elements) >= row_depth:
                    continue  # a cell of the row: read with the row
                row_depth = 0
                yield parser.parse_row(element)
            elif merges is not None and element.tag == merge_tag:
                if len(merges) >= MAX_MERGED_RANGES:
                    raise _TooManyMerges
                min_col, min_row, max_col, max_row = range_boundaries(element.get("ref", ""))
                if min_col is None or min_row is None or max_col is None or max_row is None:
                    raise ValueError("a merged range must have rows and columns")
                merges.append((min_row, min_col, max_row, max_col))
            if open_elements:
                open_elements[-1].remove(element)  # read: nothing keeps it any more


class _SheetData:
    """What reading needs of one worksheet, from one streaming pass over its XML.

    Kept: the non-blank cells of the first HEADER_SCAN_ROWS rows (HEADER_SCAN_COLUMNS
    columns) and, below them, of the columns up to the last one where a column name was seen
    in those rows (the header, and so every column read, is there); none beyond MAX_ROWS.
    Cells covered by a merged range other than its top-left one are blank, as Excel shows
    them. ``max_row`` and ``max_col`` count every cell and merged range, as openpyxl does.
    """

    def __init__(self, book: Any, ws: Any, spec: SheetSpec) -> None:
        self.labels = {
            _header_key(spelling)
            for column in spec.columns
            for spelling in (column.label, *column.aliases)
        }
        self.rows: dict[int, dict[int, _Cell]] = {}
        self.merges: list[Merge] = []
        self.too_many_merges = False
        self.max_row = self.max_col = 1
        self._percent: dict[int, bool] = {}
        reread = self._read(book, ws, None)
        if reread is not None:  # rows came out of order: read again knowing every header cell
            self.rows, self.merges = {}, []
            self._read(book, ws, reread)
        self._blank_merged_header_cells()

    def _read(self, book: Any, ws: Any, keep: int | None) -> int | None:
        """Read the sheet keeping columns up to ``keep`` below the header rows (None: find
        it when the first row below them comes). Returns the right ``keep`` if the one used
        was too small (a header row came after the rows below it), else None."""
        from openpyxl.cell.read_only import ReadOnlyCell

        max_row = max_col = 1
        reread = None
        try:
            for _number, cells in iter_sheet_rows(book, ws, self.merges):
                for cell in cells:
                    row, col = cell["row"], cell["column"]
                    max_row, max_col = max(max_row, row), max(max_col, col)
                    if row <= HEADER_SCAN_ROWS:
                        limit = HEADER_SCAN_COLUMNS
                        if (
                            keep is not None
                            and col > keep
                            and self._is_label(cell["value"], cell["data_type"])
                        ):
                            reread = max(reread or 0, col)
                    elif row <= MAX_ROWS:
                        if keep is None:
                            keep = self._last_label_column()
                        limit = keep
                    else:
                        continue
                    if col > limit:
                        continue
                    value = cell["value"]
                    if value is None:
                        self.rows.get(row, {}).pop(col, None)  # a later cell replaces one
                        continue
                    style = int(cell["style_id"] or 0)
                    percent = self._percent.get(style)
                    if percent is None:
                        number_format = ReadOnlyCell(ws, row, col, None, "n", style).number_format
                        percent = self._percent[style] = "%" in str(number_format or "")
                    self.rows.setdefault(row, {})[col] = _Cell(
                        value, cell["data_type"], percent, row, col
                    )
        except _TooManyMerges:
            self.too_many_merges = True
        for _first_row, _first_col, last_row, last_col in self.merges:
            max_row, max_col = max(max_row, last_row), max(max_col, last_col)
        self.max_row, self.max_col = max_row, max_col
        if reread is not None:
            return max(reread, self._last_label_column())
        return None

    def _is_label(self, value: Any, data_type: str) -> bool:
        """A column name of the sheet (the header row is made of them)."""
        return isinstance(value, str) and data_type != "f" and _header_key(value) in self.labels

    def _last_label_column(self) -> int:
        return max(
            (
                col
                for row, cells in self.rows.items()
                if row <= HEADER_SCAN_ROWS
                for col, cell in cells.items()
                if self._is_label(cell.value, cell.data_type)
            ),
            default=0,
        )

    def _blank_merged_header_cells(self) -> None:
        if not self.merges:
            return
        covered = {
            row: bytearray(HEADER_SCAN_COLUMNS + 2) for row in self.rows if row <= HEADER_SCAN_ROWS
        }
        for min_row, min_col, max_row, max_col in self.merges:
            if min_row > HEADER_SCAN_ROWS or min_col > HEADER_SCAN_COLUMNS:
                continue
            last_col = min(max_col, HEADER_SCAN_COLUMNS)
            for row in range(min_row, min(max_row, HEADER_SCAN_ROWS) + 1):
                mask = covered.get(row)
                if mask is not None:
                    first = min_col + 1 if row == min_row else min_col
                    mask[first : last_col + 1] = b"\x01" * max(0, last_col + 1 - first)
        for row, mask in covered.items():
            cells = self.rows[row]
            for col in [col for col in cells if mask[col]]:
                del cells[col]

    def header_rows(self) -> Iterator[tuple[int, list[_Cell]]]:
        """The first rows' non-blank cells, left to right."""
        for row in range(1, min(self.max_row, HEADER_SCAN_ROWS) + 1):
            cells = self.rows.get(row)
            if cells:
                yield row, [cells[col] for col in sorted(cells)]

    def overlapping_merges(self) -> tuple[Merge, Merge] | None:
        """Two merged ranges that share a cell (Excel never writes them), or None.

        A sweep down the rows: the ranges met so far that reach the current row have
        disjoint columns, so a new range can only overlap its two neighbours among them.
        """
        active: list[tuple[int, int, Merge]] = []  # (min_col, max_col, range), sorted
        ending: list[tuple[int, int, int, Merge]] = []  # heap of (max_row, min_col, ...)
        for merge in sorted(self.merges):
            min_row, min_col, max_row, max_col = merge
            while ending and ending[0][0] < min_row:
                _last, first_col, last_col, done = heapq.heappop(ending)
                active.pop(bisect.bisect_left(active, (first_col, last_col, done)))
            index = bisect.bisect_left(active, (min_col, max_col, merge))
            for other in active[max(index - 1, 0) : index + 1]:
                if other[0] <= max_col and min_col <= other[1]:
                    return other[2], merge
            active.insert(index, (min_col, max_col, merge))
            heapq.heappush(ending, (max_row, min_col, max_col, merge))
        return None


class _SheetReader:
    """Cells of one worksheet with merged ranges resolved to their top-left value."""

    def __init__(self, sheet: _SheetData, spec: SheetSpec, errors: list[WorkbookError]) -> None:
        self.sheet = sheet
        self.spec = spec
        self.errors = errors
        self.merges = sheet.merges
        self.max_row = sheet.max_row
        self.max_col = sheet.max_col
        self.reported: set[tuple[int, int]] = set()
        self.positions: dict[str, int] = {}

    def error(self, row: int | None, column: Column | None, message: str, col: int = 0) -> None:
        self.errors.append(
            WorkbookError(
                self.spec.name,
                row,
                column.label if column else None,
                message,
                _letter(col) if col else None,
            )
        )

    def _merge_of(self, row: int, col: int) -> Merge | None:
        for merge in self.merges:
            if merge[0] <= row <= merge[2] and merge[1] <= col <= merge[3]:
                return merge
        return None

    def header_row(self) -> tuple[int, dict[str, int]] | None:
        """The row holding the most column names (in the first rows), and where each is."""
        lookup: dict[str, str] = {}
        for column in self.spec.columns:
            for spelling in (column.label, *column.aliases):
                lookup.setdefault(_header_key(spelling), column.key)
        best: tuple[int, dict[str, int]] | None = None
        duplicates: dict[int, list[tuple[str, int, int]]] = {}
        for row, cells in self.sheet.header_rows():
            found: dict[str, int] = {}
            for cell in cells:
                if not isinstance(cell.value, str) or cell.data_type == "f":
                    continue
                key = lookup.get(_header_key(cell.value))
                if key is None:
                    continue
                if key in found:
                    duplicates.setdefault(row, []).append((key, found[key], cell.column))
                    continue
                found[key] = cell.column
            if found and (best is None or len(found) > len(best[1])):
                best = (row, found)
        if best is None:
            return None
        for key, first, second in duplicates.get(best[0], []):
            column = self.spec.column(key)
            self.error(
                best[0],
                column,
                _(
                    "列「{column}」が2つあります（{first}列と{second}列）。1つにしてください。"
                ).format(column=column.label, first=_letter(first), second=_letter(second)),
                second,
            )
        return best

    def data_start(self, header: int, positions: dict[str, int]) -> int:
        """The first row below the header, past header cells merged downwards."""
        start = header + 1
        for col in positions.values():
            merge = self._merge_of(header, col)
            if merge is not None:
                start = max(start, merge[2] + 1)
        return start

    def rows(self, start: int, positions: dict[str, int]) -> Iterable[tuple[int, dict[str, _Cell]]]:
        """Non-blank data rows: {column key: cell}; merged cells carry their range's value.

        A row whose only values come from cells merged from rows above is blank.
        """
        if start > self.max_row or not positions:
            return
        wanted = {col: key for key, col in positions.items()}
        # per column read, the merged ranges reaching the data rows as (first row, last row,
        # first column), by first row: they do not overlap (such a sheet is refused before)
        spans: dict[int, list[tuple[int, int, int]]] = {col: [] for col in wanted}
        for min_row, min_col, max_row, max_col in self.merges:
            if max_row < start:
                continue
            for col in wanted:
                if min_col <= col <= max_col:
                    spans[col].append((min_row, max_row, min_col))
        firsts: dict[int, list[int]] = {}
        for col in wanted:
            spans[col].sort()
            firsts[col] = [span[0] for span in spans[col]]
        stored = self.sheet.rows
        for row in sorted(number for number in stored if start <= number <= self.max_row):
            cells = stored[row]
            values: dict[str, _Cell] = {}
            own = False
            for col in sorted(wanted):
                anchor = None
                index = bisect.bisect_right(firsts[col], row) - 1
                if index >= 0:
                    first_row, last_row, first_col = spans[col][index]
                    if row <= last_row and (row, col) != (first_row, first_col):
                        anchor = (first_row, first_col)
                source = (
                    cells.get(col) if anchor is None else stored.get(anchor[0], {}).get(anchor[1])
                )
                if source is None or (isinstance(source.value, str) and not source.value.strip()):
                    continue
                if anchor is None:
                    own = True
                values[wanted[col]] = source
            if own:
                yield row, values


def _convert(
    reader: _SheetReader, row: int, cells: dict[str, _Cell], columns: Sequence[Column]
) -> dict[str, Any] | None:
    """Typed values of one row (None where blank), or None when any cell is in error."""
    values: dict[str, Any] = {}
    ok = True
    for column in columns:
        cell = cells.get(column.key)
        if cell is None:
            if column.required:
                reader.error(
                    row,
                    column,
                    _("「{column}」が入力されていません。").format(column=column.label),
                    reader.positions.get(column.key, 0),
                )
                ok = False
            values[column.key] = None
            continue
        if cell.data_type == "f":
            if (cell.row, cell.column) not in reader.reported:
                reader.reported.add((cell.row, cell.column))
                reader.error(
                    cell.row,
                    column,
                    _("数式は読み込めません。値を入力してください。"),
                    cell.column,
                )
            ok = False
            continue
        if cell.data_type == "e":
            reader.error(
                row,
                column,
                _("セルがエラー（{value}）になっています。値を入力してください。").format(
                    value=cell.value
                ),
                cell.column,
            )
            ok = False
            continue
        try:
            values[column.key] = _convert_cell(cell, column)
        except _CellProblem as problem:
            reader.error(row, column, problem.message, cell.column)
            ok = False
    return values if ok else None


def _convert_cell(cell: _Cell, column: Column) -> Any:
    if column.kind == "int":
        return _as_int(cell, column)
    if column.kind == "fy":
        return _as_fiscal_year(cell)
    if column.kind == "decimal":
        return _as_decimal(cell)
    if column.kind == "direction":
        return _as_direction(cell)
    if column.kind == "units":
        return _as_units(cell)
    text = _as_text(cell)
    if column.max_length is not None and len(text) > column.max_length:
        raise _CellProblem(
            _("{limit}文字以内にしてください（{length}文字あります）。").format(
                limit=column.max_length, length=len(text)
            )
        )
    return text


Rows = list[tuple[int, dict[str, Any] | None, dict[str, _Cell]]]


def _find_sheets(book: Any) -> dict[str, Any]:
    by_key = {spelling_key(ws.title): ws for ws in book.worksheets}
    found: dict[str, Any] = {}
    for spec in SPECS:
        for spelling in (spec.name, *spec.aliases):
            ws = by_key.get(spelling_key(spelling))
            if ws is not None:
                found[spec.name] = ws
                break
    return found


def _range_text(merge: Merge) -> str:
    min_row, min_col, max_row, max_col = merge
    return f"{_letter(min_col)}{min_row}:{_letter(max_col)}{max_row}"


def _read_sheet(sheet: _SheetData, spec: SheetSpec, errors: list[WorkbookError]) -> Rows | None:
    """Rows of one sheet as (row number, typed values or None if in error, raw cells).

    None when the sheet itself cannot be read (no header row, missing columns).
    """
    reader = _SheetReader(sheet, spec, errors)
    if sheet.too_many_merges:
        reader.error(
            None,
            None,
            _(
                "結合したセルの範囲が多すぎます（{limit}か所まで）。不要なセルの結合を解除してください。"
            ).format(limit=f"{MAX_MERGED_RANGES:,}"),
        )
        return None
    if reader.max_row > MAX_ROWS:
        reader.error(
            None,
            None,
            _("行が多すぎます（{count}行）。{limit}行以内にしてください。").format(
                count=f"{reader.max_row:,}", limit=f"{MAX_ROWS:,}"
            ),
        )
        return None
    overlap = sheet.overlapping_merges()
    if overlap is not None:
        reader.error(
            None,
            None,
            _(
                "結合したセルの範囲 {first} と {second} が重なっています。Excel で開いて保存し直してください。"
            ).format(first=_range_text(overlap[0]), second=_range_text(overlap[1])),
        )
        return None
    header = reader.header_row()
    if header is None or (len(header[1]) < 2 and spec is not PLAN_SPEC):
        if spec is PLAN_SPEC:
            return _read_vertical(reader)
        names = "」「".join(column.label for column in spec.columns)
        reader.error(
            None,
            None,
            _(
                "見出しの行が見つかりません。先頭{rows}行のどこかに「{names}」の列名を並べた行を入れてください。"
            ).format(rows=HEADER_SCAN_ROWS, names=names),
        )
        return None
    header_row, positions = header
    if spec is PLAN_SPEC and len(positions) < 2:
        vertical = _read_vertical(reader)
        if vertical is not None:
            return vertical
    reader.positions = positions
    missing = [column for column in spec.columns if column.key not in positions]
    for column in missing:
        reader.error(
            header_row,
            column,
            _("列「{column}」がありません。見出しの行（{row}行目）に追加してください。").format(
                column=column.label, row=header_row
            ),
        )
    if missing:
        return None
    start = reader.data_start(header_row, positions)
    return [
        (row, _convert(reader, row, cells, spec.columns), cells)
        for row, cells in reader.rows(start, positions)
    ]


def _read_vertical(
    reader: _SheetReader,
) -> Rows | None:
    """The 計画 sheet written as label | value pairs, one per row."""
    spec = reader.spec
    lookup: dict[str, Column] = {}
    for spec_column in spec.columns:
        for spelling in (spec_column.label, *spec_column.aliases):
            lookup.setdefault(_header_key(spelling), spec_column)
    cells: dict[str, _Cell] = {}
    first_row = 0
    for _row, row in reader.sheet.header_rows():
        for index, label in enumerate(row):
            if not isinstance(label.value, str) or label.data_type == "f":
                continue
            found = lookup.get(_header_key(label.value))
            if found is None or found.key in cells:
                continue
            value = next((c for c in row[index + 1 :] if str(c.value).strip()), None)
            first_row = first_row or label.row
            if value is not None:
                cells[found.key] = value
            else:
                cells[found.key] = _Cell(None, "n", False, label.row, label.column + 1)
            break
    if not first_row:
        names = "」「".join(column.label for column in spec.columns)
        reader.error(
            None,
            None,
            _(
                "見出しの行が見つかりません。先頭{rows}行のどこかに「{names}」の列名を並べた行を入れてください。"
            ).format(rows=HEADER_SCAN_ROWS, names=names),
        )
        return None
    values: dict[str, Any] = {}
    ok = True
    for column in spec.columns:
        cell = cells.get(column.key)
        if cell is None or cell.value is None:
            values[column.key] = None
            if column.required:
                reader.error(
                    cell.row if cell else None,
                    column,
                    _("「{column}」が入力されていません。").format(column=column.label),
                )
                ok = False
            continue
        single = _convert(reader, cell.row, {column.key: cell}, [column])
        if single is None:
            ok = False
        else:
            values[column.key] = single[column.key]
    return [(first_row, values if ok else None, {})]


# --- the whole workbook --------------------------------------------------------------------


def read_workbook(data: bytes, *, filename: str | None = None) -> ReadResult:
    """Parse and check a plan workbook; every problem found is in ``errors``."""
    errors: list[WorkbookError] = []
    empty = PlanWorkbook(plan=None)
    if filename is not None:
        problem = check_filename(filename)
        if problem is not None:
            return ReadResult(empty, [problem])
    if len(data) > MAX_UPLOAD_BYTES:
        return ReadResult(
            empty,
            [
                _file_error(
                    _("ファイルが大きすぎます（{size}）。{limit} 以下にしてください。").format(
                        size=f"{len(data) / 1024 / 1024:.1f}MB", limit=uploads.limit_text("xlsx")
                    )
                )
            ],
        )
    book, problem = _open(data)
    if problem is not None:
        return ReadResult(empty, [problem])
    try:
        sheets = _find_sheets(book)
        for spec in SPECS:
            if spec.name not in sheets:
                errors.append(
                    WorkbookError(
                        spec.name,
                        None,
                        None,
                        _(
                            "シート「{sheet}」がありません。テンプレートのシートを使ってください。"
                        ).format(sheet=spec.name),
                    )
                )
        raw: Raw = {}
        for spec in SPECS:
            if spec.name in sheets:
                try:
                    sheet = _SheetData(book, sheets[spec.name], spec)
                except Exception:  # a damaged sheet: openpyxl, zipfile and XML raise many kinds
                    return ReadResult(empty, [_broken()])
                rows = _read_sheet(sheet, spec, errors)
                if rows is not None:
                    raw[spec.name] = rows
    finally:
        book.close()
    workbook = _assemble(raw, errors)
    errors.sort(key=error_order)  # stable: within a row, in the order found
    return ReadResult(workbook, errors)


Raw = dict[str, Rows]


class _Checker:
    def __init__(self, errors: list[WorkbookError]) -> None:
        self.errors = errors

    def add(self, sheet: str, row: int, column: str | None, message: str) -> None:
        self.errors.append(WorkbookError(sheet, row, column, message))

    def numbers(self, sheet: str, rows: Rows) -> set[int]:
        """Numbers used in a sheet (also of rows with other errors), reporting duplicates."""
        seen: dict[int, int] = {}
        for row, values, cells in rows:
            number = values["number"] if values else _raw_number(cells)
            if number is None:
                continue
            if number in seen:
                self.add(
                    sheet,
                    row,
                    NUMBER_LABEL,
                    _("番号 {number} が重複しています（{first}行目と同じ番号です）。").format(
                        number=number, first=seen[number]
                    ),
                )
            else:
                seen[number] = row
        return set(seen)


def _raw_number(cells: dict[str, _Cell]) -> int | None:
    cell = cells.get("number")
    if cell is None or cell.data_type in {"f", "e"}:
        return None
    try:
        return _as_int(cell, INITIATIVE_SPEC.column("number"))
    except _CellProblem:
        return None


def _period(plan: PlanRow) -> str:
    return _("{start}〜{end}").format(
        start=format_fiscal_year(plan.start_fy), end=format_fiscal_year(plan.end_fy)
    )


def _assemble(raw: Raw, errors: list[WorkbookError]) -> PlanWorkbook:
    check = _Checker(errors)
    plan = _assemble_plan(raw.get(SHEET_PLAN), check)
    result = PlanWorkbook(plan=plan, sheets_read=set(raw))

    goal_rows = raw.get(SHEET_GOALS, [])
    goal_numbers = result.numbers[SHEET_GOALS] = check.numbers(SHEET_GOALS, goal_rows)
    for row, values, _cells in goal_rows:
        if values is None:
            continue
        fy = values["applies_from_fy"]
        if fy is not None and plan is not None and not plan.start_fy <= fy <= plan.end_fy:
            check.add(
                SHEET_GOALS,
                row,
                GOAL_SPEC.column("applies_from_fy").label,
                _("開始年度（{year}）が計画の期間（{period}）の外です。").format(
                    year=format_fiscal_year(fy), period=_period(plan)
                ),
            )
        result.goals.append(
            GoalRow(
                values["number"],
                values["name"],
                values["description"] or "",
                fy,
                row,
            )
        )

    policy_rows = raw.get(SHEET_POLICIES, [])
    policy_numbers = result.numbers[SHEET_POLICIES] = check.numbers(SHEET_POLICIES, policy_rows)
    for row, values, _cells in policy_rows:
        if values is None:
            continue
        _check_parent(
            check,
            SHEET_POLICIES,
            row,
            POLICY_SPEC.column("goal_number").label,
            values["goal_number"],
            goal_numbers,
            SHEET_GOALS,
            SHEET_GOALS in raw,
        )
        result.policies.append(
            PolicyRow(values["number"], values["goal_number"], values["name"], row)
        )

    type_rows = raw.get(SHEET_TYPES, [])
    type_numbers = result.numbers[SHEET_TYPES] = check.numbers(SHEET_TYPES, type_rows)
    for row, values, _cells in type_rows:
        if values is None:
            continue
        _check_parent(
            check,
            SHEET_TYPES,
            row,
            TYPE_SPEC.column("policy_number").label,
            values["policy_number"],
            policy_numbers,
            SHEET_POLICIES,
            SHEET_POLICIES in raw,
        )
        result.types.append(TypeRow(values["number"], values["policy_number"], values["name"], row))

    initiative_rows = raw.get(SHEET_INITIATIVES, [])
    result.numbers[SHEET_INITIATIVES] = check.numbers(SHEET_INITIATIVES, initiative_rows)
    _assemble_initiatives(initiative_rows, type_numbers, SHEET_TYPES in raw, check, result)

    indicator_rows = raw.get(SHEET_INDICATORS, [])
    result.numbers[SHEET_INDICATORS] = check.numbers(SHEET_INDICATORS, indicator_rows)
    for row, values, _cells in indicator_rows:
        if values is None:
            continue
        _check_parent(
            check,
            SHEET_INDICATORS,
            row,
            INDICATOR_SPEC.column("goal_number").label,
            values["goal_number"],
            goal_numbers,
            SHEET_GOALS,
            SHEET_GOALS in raw,
        )
        _check_indicator_years(check, row, values, plan)
        result.indicators.append(
            IndicatorRow(
                number=values["number"],
                goal_number=values["goal_number"],
                name=values["name"],
                unit_label=values["unit_label"] or "",
                baseline=values["baseline"],
                baseline_fy=values["baseline_fy"],
                target=values["target"],
                target_fy=values["target_fy"],
                direction=values["direction"],
                source=values["source"] or "",
                row=row,
            )
        )
    return result


def _assemble_plan(rows: Rows | None, check: _Checker) -> PlanRow | None:
    if rows is None:
        return None
    if not rows:
        check.errors.append(
            WorkbookError(
                SHEET_PLAN,
                None,
                None,
                _("計画の名称・開始年度・終了年度を入力した行がありません。"),
            )
        )
        return None
    for row, _values, _cells in rows[1:]:
        check.add(
            SHEET_PLAN,
            row,
            None,
            _(
                "計画のシートには計画を1行だけ入力してください（1つのファイルで扱う計画は1つです）。"
            ),
        )
    row, values, _cells = rows[0]
    if values is None:
        return None
    if values["end_fy"] < values["start_fy"]:
        check.add(
            SHEET_PLAN,
            row,
            PLAN_SPEC.column("end_fy").label,
            _("終了年度（{end}）が開始年度（{start}）より前です。").format(
                end=format_fiscal_year(values["end_fy"]),
                start=format_fiscal_year(values["start_fy"]),
            ),
        )
        return None
    return PlanRow(
        values["name"], values["start_fy"], values["end_fy"], values["vision"] or "", row
    )


def _check_parent(
    check: _Checker,
    sheet: str,
    row: int,
    column: str,
    number: int,
    known: set[int],
    parent_sheet: str,
    parent_present: bool,
) -> None:
    if parent_present and number not in known:
        check.add(
            sheet,
            row,
            column,
            _("{column} {number} がシート「{parent}」にありません。").format(
                column=column, number=number, parent=parent_sheet
            ),
        )


def _assemble_initiatives(
    rows: Rows,
    type_numbers: set[int],
    types_present: bool,
    check: _Checker,
    result: PlanWorkbook,
) -> None:
    repost_label = INITIATIVE_SPEC.column("repost_of").label
    reposts = {values["number"]: values["repost_of"] for _row, values, _c in rows if values}
    numbers = set(reposts)
    for _row, values, cells in rows:
        if values is None:
            number = _raw_number(cells)
            if number is not None:
                numbers.add(number)
    for row, values, _cells in rows:
        if values is None:
            continue
        number, repost_of = values["number"], values["repost_of"]
        _check_parent(
            check,
            SHEET_INITIATIVES,
            row,
            INITIATIVE_SPEC.column("type_number").label,
            values["type_number"],
            type_numbers,
            SHEET_TYPES,
            types_present,
        )
        if repost_of is not None:
            if repost_of == number:
                check.add(
                    SHEET_INITIATIVES,
                    row,
                    repost_label,
                    _("再掲元に自分自身の番号（{number}）は指定できません。").format(number=number),
                )
            elif repost_of not in numbers:
                check.add(
                    SHEET_INITIATIVES,
                    row,
                    repost_label,
                    _("再掲元の番号 {number} の取組がありません。").format(number=repost_of),
                )
            elif reposts.get(repost_of) is not None:
                check.add(
                    SHEET_INITIATIVES,
                    row,
                    repost_label,
                    _(
                        "再掲元の取組 {number} 自体が再掲です。元の取組の番号（{original}）を指定してください。"
                    ).format(number=repost_of, original=reposts[repost_of]),
                )
        units = values["units"] or ()
        if not units and repost_of is None:
            check.add(
                SHEET_INITIATIVES,
                row,
                INITIATIVE_SPEC.column("units").label,
                _("担当課を入力してください（最初に書いた課が主担当になります）。"),
            )
        result.initiatives.append(
            InitiativeRow(
                number=number,
                type_number=values["type_number"],
                title=values["title"],
                description=values["description"] or "",
                units=tuple(units),
                repost_of=repost_of,
                row=row,
            )
        )


def _check_indicator_years(
    check: _Checker, row: int, values: dict[str, Any], plan: PlanRow | None
) -> None:
    target_fy, baseline_fy = values["target_fy"], values["baseline_fy"]
    if plan is not None and target_fy is not None and not plan.start_fy <= target_fy <= plan.end_fy:
        check.add(
            SHEET_INDICATORS,
            row,
            INDICATOR_SPEC.column("target_fy").label,
            _("目標年度（{year}）が計画の期間（{period}）の外です。").format(
                year=format_fiscal_year(target_fy), period=_period(plan)
            ),
        )
    elif baseline_fy is not None and target_fy is not None and baseline_fy > target_fy:
        check.add(
            SHEET_INDICATORS,
            row,
            INDICATOR_SPEC.column("baseline_fy").label,
            _("基準年度（{base}）が目標年度（{target}）より後です。").format(
                base=format_fiscal_year(baseline_fy), target=format_fiscal_year(target_fy)
            ),
        )
    elif plan is not None and baseline_fy is not None and baseline_fy > plan.end_fy:
        check.add(
            SHEET_INDICATORS,
            row,
            INDICATOR_SPEC.column("baseline_fy").label,
            _("基準年度（{year}）が計画の終了年度より後です。").format(
                year=format_fiscal_year(baseline_fy)
            ),
        )
