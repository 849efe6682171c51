"""Reading documents to check: plain text, Word (.docx) and Excel (.xlsx).

A document becomes a sequence of ``Segment``s. A text file is one segment, placed by
line and column; a Word file gives one segment per paragraph (``段落12``) and an Excel
file one per text cell (``Sheet1!B3``). Only the standard library and openpyxl are used.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.etree import ElementTree

import openpyxl

from sasaeai.plainlang.engine.model import Segment

SourceKind = Literal["text", "docx", "xlsx"]

# Refuse archives that would unpack to more than this (a "zip bomb").
MAX_UNPACKED_BYTES = 256 * 1024 * 1024

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_PARAGRAPH = f"{_W}p"
_TEXT = f"{_W}t"
_TEXT_BOX = f"{_W}txbxContent"
_BREAKS = {f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}tab": "\t", f"{_W}noBreakHyphen": "-"}
# Sheet names that Excel writes in quotes in a reference such as 'My Sheet'!B3.
_QUOTED_SHEET = re.compile(r"[\s!'\"(),;+\-&=<>{}\[\]^%~`@#$]")


class SourceError(ValueError):
    """A document that cannot be read; ``message`` says why, in Japanese."""

    def __init__(self, message: str, *, name: str | None = None) -> None:
        super().__init__(f"{name}: {message}" if name else message)
        self.message = message
        self.name = name


@dataclass(frozen=True, slots=True)
class Source:
    """A document read into segments; ``text`` joins them with line breaks."""

    name: str
    kind: SourceKind
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "\n".join(segment.text for segment in self.segments)


def read_text_source(source: str | os.PathLike[str] | bytes, *, name: str | None = None) -> Source:
    """Read a file (a path) or its contents (bytes), telling its kind from the contents.

    Text may be UTF-8 (with or without BOM), UTF-16 with BOM, or CP932 (Shift_JIS).
    """
    if isinstance(source, bytes):
        data, label = source, name or "<bytes>"
    else:
        label = name or os.fspath(source)
        try:
            data = Path(source).read_bytes()
        except OSError as error:
            raise SourceError(f"ファイルを読めません（{error.strerror}）。", name=label) from None
    try:
        if data.startswith(b"PK\x03\x04"):
            return _read_archive(data, label)
        return Source(label, "text", (Segment(decode_text(data)),))
    except SourceError as error:
        raise SourceError(error.message, name=label) from None


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (BOM optional), UTF-16 with BOM, or CP932; refuse binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\0" not in data:
        for encoding in ("utf-8-sig", "cp932"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise SourceError(
        "文字コードを判別できません。UTF-8 か Shift_JIS（CP932）のテキストにしてください。"
    )


def _read_archive(data: bytes, name: str) -> Source:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise SourceError("ファイルが大きすぎます。")
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return Source(name, "docx", tuple(_docx_segments(archive)))
    except (zipfile.BadZipFile, zlib.error):
        raise SourceError("ファイルが壊れています（ZIP として読めません）。") from None
    if "xl/workbook.xml" in names:
        return Source(name, "xlsx", tuple(_xlsx_segments(data)))
    raise SourceError("Word（.docx）でも Excel（.xlsx）でもない ZIP ファイルです。")


# ---------------------------------------------------------------- Word


def _docx_segments(archive: zipfile.ZipFile) -> Iterator[Segment]:
    """One segment per non-empty paragraph of the body, numbered as 段落1, 段落2, …

    Every paragraph counts towards the number, empty ones and those in tables and text
    boxes included. Headers, footers, notes and comments are not read.
    """
    xml = archive.read("word/document.xml")
    # Word never writes a DTD; refusing one rules out entity tricks. ElementTree does not
    # fetch external entities, and expat limits entity expansion.
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise SourceError("Word ファイルの本文に、使えない記述（DTD）があります。")
    try:
        root = ElementTree.fromstring(xml)  # noqa: S314 - see the check above
    except ElementTree.ParseError:
        raise SourceError("Word ファイルの本文を読めません。") from None
    for number, paragraph in enumerate(_paragraphs(root), start=1):
        parts: list[str] = []
        _collect_text(paragraph, parts)
        text = "".join(parts)
        if text.strip():
            yield Segment(text, f"段落{number}")


def _paragraphs(element: ElementTree.Element) -> Iterator[ElementTree.Element]:
    """Paragraphs in document order, skipping the duplicate copies in mc:Fallback."""
    for child in element:
        if child.tag == _FALLBACK:
            continue
        if child.tag == _PARAGRAPH:
            yield child
        yield from _paragraphs(child)


def _collect_text(element: ElementTree.Element, parts: list[str]) -> None:
    """The text of one paragraph, leaving out the paragraphs of text boxes inside it."""
    for child in element:
        if child.tag in (_PARAGRAPH, _TEXT_BOX, _FALLBACK):
            continue
        if child.tag == _TEXT:
            parts.append(child.text or "")
        elif child.tag in _BREAKS:
            parts.append(_BREAKS[child.tag])
        else:
            _collect_text(child, parts)


# ---------------------------------------------------------------- Excel


def _xlsx_segments(data: bytes) -> Iterator[Segment]:
    """One segment per cell holding text, sheet by sheet, row by row.

    Cells are read as stored: a formula is never evaluated and is skipped, as are
    numbers and dates.
    """
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds of errors for bad files
        raise SourceError(f"Excel ファイルを読めません（{type(error).__name__}）。") from None
    try:
        for sheet in workbook.worksheets:
            prefix = _sheet_reference(sheet.title)
            for row in sheet.iter_rows():
                for cell in row:
                    value = cell.value
                    if cell.data_type != "f" and isinstance(value, str) and value.strip():
                        yield Segment(value, f"{prefix}!{cell.coordinate}")
    finally:
        workbook.close()


def _sheet_reference(title: str) -> str:
    if _QUOTED_SHEET.search(title):
        return "'" + title.replace("'", "''") + "'"
    return title
