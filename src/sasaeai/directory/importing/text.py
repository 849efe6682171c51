"""Decoding uploaded files and reading CSV as text, without a heavy detection library.

Order: a byte-order mark (UTF-8, UTF-16 LE/BE) wins; otherwise strict UTF-8; otherwise CP932
(Windows' Shift_JIS, which Excel writes). Nothing else is guessed: a file that none of these
decodes is refused with a clear message. Every cell stays text (codes keep leading zeros).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sasaeai.core.errors import DomainError

ENCODING_LABELS = {
    "utf-8-sig": gettext_noop("UTF-8（BOM付き）"),
    "utf-8": "UTF-8",
    "cp932": gettext_noop("Shift_JIS（CP932）"),
    "utf-16": gettext_noop("UTF-16（BOM付き）"),
}


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # a key of ENCODING_LABELS

    @property
    def encoding_label(self) -> str:
        return _(ENCODING_LABELS[self.encoding])


def decode(data: bytes) -> DecodedText:
    """Decode file bytes; raise DomainError(code="encoding") if no supported encoding fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        try:
            return DecodedText(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            encoding = "cp932"
    try:
        return DecodedText(data.decode(encoding), encoding)
    except UnicodeDecodeError as error:
        raise DomainError(
            code="encoding",
            message=_(
                "文字コードを判別できません（{position} バイト目）。UTF-8、UTF-8（BOM付き）、"
                "Shift_JIS（CP932）、UTF-16（BOM付き）のいずれかで保存してください。"
            ).format(position=error.start + 1),
        ) from None


def normalize_header(cell: str) -> str:
    """「 建物名等（方書） 」→「建物名等(方書)」: NFKC, no spaces, no BOM, no quotes."""
    text = unicodedata.normalize("NFKC", cell.replace("\ufeff", ""))
    return "".join(ch for ch in text if not ch.isspace()).strip('"')


def clean_cell(cell: str) -> str:
    """A cell's text without surrounding (also full-width) spaces; inner text untouched."""
    return cell.replace("\ufeff", "").strip(" \t\r\n\u3000")


@dataclass(frozen=True)
class Table:
    """A CSV read as text: normalized header cells and the data rows (file line numbers)."""

    header: list[str]
    raw_header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells)
    encoding: str
    delimiter: str


def read_csv(data: bytes) -> Table:
    """Decode and split a CSV (or the tab-separated text Excel saves as 'Unicode text')."""
    decoded = decode(data)
    text = decoded.text
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    previous_end = 0
    try:
        for cells in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(clean_cell(cell) for cell in cells):
                continue
            if header is None:
                header = cells
                continue
            rows.append((start, cells))
    except csv.Error as error:
        raise DomainError(
            code="csv",
            message=_("{line}行目: CSV として読めません（{reason}）。").format(
                line=reader.line_num, reason=error
            ),
        ) from None
    if header is None:
        raise DomainError(code="empty", message=_("ファイルに見出しの行がありません。"))
    return Table(
        header=[normalize_header(cell) for cell in header],
        raw_header=[clean_cell(cell) for cell in header],
        rows=rows,
        encoding=decoded.encoding,
        delimiter=delimiter,
    )
