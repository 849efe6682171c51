"""Reading documents to check: plain text, Word (.docx) and Excel (.xlsx).

A document becomes a sequence of ``Segment``s. A text file is one segment, placed by
line and column; a Word file gives one segment per paragraph (``段落12``) and an Excel
file one per text cell (``Sheet1!B3``). Only the standard library, openpyxl and the pure
modules of ``sasaeai.core`` (one unpacked-size limit per office format) are used.
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
from typing import IO, Literal
from xml.etree import ElementTree
from xml.parsers import expat

import openpyxl

from sasaeai.core.archives import (
    MAX_XML_MEMBER_BYTES,
    ArchiveError,
    check_unpacked_size,
    format_megabytes,
    read_member,
)
from sasaeai.plainlang.engine.model import Segment
from sasaeai.plainlang.engine.text import LineIndex

SourceKind = Literal["text", "docx", "xlsx"]

_DOCUMENT = "word/document.xml"
_WORKBOOK = "xl/workbook.xml"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_PARAGRAPH = f"{_W}p"
_TEXT = f"{_W}t"
_TEXT_BOX = f"{_W}txbxContent"
_BREAKS = {f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}tab": "\t", f"{_W}noBreakHyphen": "-"}
# Sheet names that Excel writes in quotes in a reference such as 'My Sheet'!B3.
_QUOTED_SHEET = re.compile(r"[\s!'\"(),;+\-&=<>{}\[\]^%~`@#$]")
# Half of a UTF-16 surrogate pair on its own: no file, database or JSON reply can hold one.
_SURROGATE = re.compile("[\ud800-\udfff]")


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
        data, label = source, _printable(name or "<bytes>")
    else:
        label = _printable(name or os.fspath(source))
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


def _printable(name: str) -> str:
    """A file name that can be printed: bytes that were not UTF-8 (kept by Python as lone
    surrogates) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", name)


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


def check_characters(text: str, *, what: str = "文章") -> None:
    """Refuse a text holding a lone surrogate (U+D800–U+DFFF), naming where it is.

    Such a code point is not a character: it cannot be written as UTF-8, so no file,
    database, morphological analyser or JSON reply can take it. Decoded files never hold
    one; a JSON string escape such as ``"\\ud800"`` can.
    """
    found = _SURROGATE.search(text)
    if found is None:
        return
    line, column = LineIndex(text).position(found.start())
    raise SourceError(
        f"{what}の {line} 行目 {column} 文字目に、文字として扱えないデータ"
        f"（対になっていないサロゲート U+{ord(found.group()):04X}）があります。"
        "その文字を消してから、もう一度お試しください。"
    )


def _read_archive(data: bytes, name: str) -> Source:
    """A .docx or .xlsx file, refused before parsing when it would unpack to more than its
    format's limit (``sasaeai.core.archives``) or declares a DTD in any of its XML parts."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if _DOCUMENT in names:
                check_unpacked_size(data, "docx")
                xml = _document_xml(archive)
                return Source(name, "docx", tuple(_docx_segments(xml)))
            if _WORKBOOK not in names:
                raise SourceError("Word（.docx）でも Excel（.xlsx）でもない ZIP ファイルです。")
            check_unpacked_size(data, "xlsx")
            _refuse_xlsx_dtds(archive)
    except ArchiveError as error:
        raise SourceError(error.message) from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        raise SourceError("ファイルが壊れています（ZIP として読めません）。") from None
    return Source(name, "xlsx", tuple(_xlsx_segments(data)))


# ---------------------------------------------------------------- XML without a DTD


class _DtdFound(Exception):
    pass


class _RootReached(Exception):
    pass


def _refuse_dtd(data: bytes | IO[bytes], part: str) -> None:
    """Refuse an XML part that has a DTD (``<!DOCTYPE``, and with it ``<!ENTITY``).

    Office files never have one; refusing it rules out entity tricks (billion laughs,
    external entities). expat reads the part as the real parser will, in whatever encoding
    it declares (UTF-8, UTF-16 LE or BE…), and stops at the root element: a DTD can only
    come before it. A part that is not XML is left for the real parser to refuse.
    """
    parser = expat.ParserCreate()

    def doctype(*_: object) -> None:
        raise _DtdFound

    def root(*_: object) -> None:
        raise _RootReached

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = root
    try:
        if isinstance(data, bytes):
            parser.Parse(data, True)
        else:
            while chunk := data.read(64 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (_RootReached, expat.ExpatError):
        return  # no DTD before the root element, or no XML: the parser itself refuses that
    except _DtdFound:
        raise SourceError(f"{part}に、使えない記述（DTD）があります。") from None


# ---------------------------------------------------------------- Word


def _document_xml(archive: zipfile.ZipFile) -> bytes:
    try:
        return read_member(archive, _DOCUMENT, "docx")
    except ArchiveError as error:
        if error.code != "too_large":
            raise
        limit = format_megabytes(MAX_XML_MEMBER_BYTES["docx"])
        size = format_megabytes(archive.getinfo(_DOCUMENT).file_size)
        raise SourceError(
            f"Word ファイルの本文（{_DOCUMENT}）が大きすぎます（展開すると {size}、上限は"
            f" {limit}）。文書をいくつかに分けて保存し直してください。"
        ) from None


def _docx_segments(xml: bytes) -> Iterator[Segment]:
    """One segment per non-empty paragraph of the body, numbered as 段落1, 段落2, …

    Every paragraph counts towards the number, empty ones and those in tables and text
    boxes included. Headers, footers, notes and comments are not read.
    """
    _refuse_dtd(xml, "Word ファイルの本文")
    try:
        root = ElementTree.fromstring(xml)  # noqa: S314 - no DTD: see _refuse_dtd
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


def _refuse_xlsx_dtds(archive: zipfile.ZipFile) -> None:
    """Refuse the workbook when any of its XML parts has a DTD (see ``_refuse_dtd``).

    openpyxl parses them with the standard library, which expands internal entities.
    """
    for info in archive.infolist():
        if info.filename.endswith((".xml", ".rels")):
            with archive.open(info) as member:
                _refuse_dtd(member, f"Excel ファイルの「{info.filename}」")


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
