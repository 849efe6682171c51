"""Decoding uploaded files and reading CSV as text, without a heavy detection library.

Order: a byte-order mark (UTF-8, UTF-16 LE/BE) wins; otherwise strict UTF-8; otherwise CP932
(Windows' Shift_JIS, which Excel writes). Nothing else is guessed: a file that none of these
decodes is refused with a clear message. Every cell stays text (codes keep leading zeros).

A CSV is read as a stream (:class:`CsvFile`): the encoding is checked block by block, then
the rows are read as many times as the importer needs, never all held in memory. C0 control
characters other than tab, line feed and carriage return (NUL above all: PostgreSQL refuses
it) are removed from every value with :func:`remove_controls`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sasaeai.core.errors import DomainError
from sasaeai.core.weburl import WEB_URL_MESSAGE
from sasaeai.directory.importing.source import READ_SIZE, ImportFile

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


def _encoding_error(position: int) -> DomainError:
    return DomainError(
        code="encoding",
        message=_(
            "文字コードを判別できません（{position} バイト目）。UTF-8、UTF-8（BOM付き）、"
            "Shift_JIS（CP932）、UTF-16（BOM付き）のいずれかで保存してください。"
        ).format(position=position),
    )


def _first_bad_byte(source: ImportFile, encoding: str) -> int | None:
    """The 1-based position of the first byte ``encoding`` cannot decode; None if none."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with source.open() as stream:
        while True:
            block = stream.read(READ_SIZE)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as error:
                return offset - pending + error.start + 1
            if not block:
                return None
            offset += len(block)


def detect_encoding(source: ImportFile) -> str:
    """The file's encoding (a key of ENCODING_LABELS), checked over the whole file; raise
    DomainError(code="encoding") if no supported encoding fits."""
    head = source.head(4)
    if head.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif _first_bad_byte(source, "utf-8") is None:
        return "utf-8"
    else:
        encoding = "cp932"
    position = _first_bad_byte(source, encoding)
    if position is not None:
        raise _encoding_error(position)
    return encoding


def decode(data: bytes) -> DecodedText:
    """Decode file bytes; raise DomainError(code="encoding") if no supported encoding fits."""
    encoding = detect_encoding(ImportFile(data=data))
    return DecodedText(data.decode(encoding), encoding)


def open_text(source: ImportFile, encoding: str) -> TextIO:
    """The file as text, line endings untouched (for the csv module)."""
    return io.TextIOWrapper(source.open(), encoding=encoding, newline="")


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def remove_controls(value: str) -> tuple[str, str]:
    """(``value`` without C0 control characters other than tab, line feed and carriage
    return, the characters removed as 「U+0000、U+001B」 or "" if none)."""
    if _CONTROL.search(value) is None:
        return value, ""
    found = sorted(set(_CONTROL.findall(value)))
    return _CONTROL.sub("", value), "、".join(f"U+{ord(ch):04X}" for ch in found)


def controls_message(removed: str) -> str:
    """The warning for a value whose control characters were removed."""
    return _("制御文字（{chars}）を取り除きました。").format(chars=removed)


def url_message(value: str) -> str:
    """The warning for a web address that is not http(s), dropped from an imported row."""
    shown = value if len(value) <= 80 else value[:80] + "…"
    return _("「{value}」は URL として使えないため読み飛ばしました。{rule}").format(
        value=shown, rule=WEB_URL_MESSAGE
    )


def normalize_header(cell: str) -> str:
    """「 建物名等（方書） 」→「建物名等(方書)」: NFKC, no spaces, no BOM, no quotes."""
    text = unicodedata.normalize("NFKC", cell.replace("\ufeff", ""))
    return "".join(ch for ch in text if not ch.isspace()).strip('"')


def clean_cell(cell: str) -> str:
    """A cell's text without surrounding (also full-width) spaces; inner text untouched."""
    return cell.replace("\ufeff", "").strip(" \t\r\n\u3000")


@dataclass(frozen=True)
class Header:
    """A CSV's header row: the cells normalized (to find columns) and as written (to name
    them in messages)."""

    cells: list[str]
    raw: list[str]
    line: int = 1


class CsvFile:
    """A CSV (or the tab-separated text Excel saves as 'Unicode text') read as a stream.

    Opening checks the encoding over the whole file and reads the header (the first row that
    is not blank); :meth:`rows` then reads the data rows from the start each time it is
    called. Raises DomainError (encoding, empty, csv)."""

    def __init__(self, source: ImportFile) -> None:
        self.source = source
        self.encoding = detect_encoding(source)
        with open_text(source, self.encoding) as text:
            first_line = text.readline()
        self.delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        header = None
        for line, cells in self._rows():
            header = Header(
                cells=[normalize_header(remove_controls(cell)[0]) for cell in cells],
                raw=[clean_cell(remove_controls(cell)[0]) for cell in cells],
                line=line,
            )
            break
        if header is None:
            raise DomainError(code="empty", message=_("ファイルに見出しの行がありません。"))
        self.header = header

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every row that is not blank, with the line in the file it starts on."""
        with open_text(self.source, self.encoding) as text:
            reader = csv.reader(text, delimiter=self.delimiter)
            previous_end = 0
            try:
                for cells in reader:
                    start, previous_end = previous_end + 1, reader.line_num
                    if any(clean_cell(cell) for cell in cells):
                        yield start, cells
            except csv.Error as error:
                raise DomainError(
                    code="csv",
                    message=_("{line}行目: CSV として読めません（{reason}）。").format(
                        line=reader.line_num, reason=error
                    ),
                ) from None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """The data rows (after the header): (line in the file, cells)."""
        rows = self._rows()
        next(rows, None)  # the header
        yield from rows
