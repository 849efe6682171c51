"""What a reader finds in a public answer: the text of a page, a feed, JSON, or a downloaded
report in any of the four formats (HTML, PDF text, XLSX cells, the CSV tables in the ZIP)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from openpyxl import load_workbook

from tests.publication.pdfinspect import inspect


def xlsx_text(content: bytes) -> str:
    """Every cell of every sheet, one per line (headers and footers too)."""
    workbook = load_workbook(io.BytesIO(content))
    lines = []
    for sheet in workbook.worksheets:
        lines += [sheet.title, sheet.oddHeader.center.text or "", sheet.oddFooter.center.text or ""]
        for row in sheet.iter_rows(values_only=True):
            lines += [str(value) for value in row if value is not None]
    return "\n".join(lines)


def csv_text(content: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())


def pdf_text(content: bytes) -> str:
    """The PDF's text with WeasyPrint's line breaks joined (a wrapped word reads whole)."""
    return inspect(content).text().replace("\n", "")


def readable(response: Any) -> str:
    """The text a reader gets from ``response``, whatever its format."""
    content_type = response.get("Content-Type", "")
    content = response.content
    if content_type == "application/pdf":
        return pdf_text(content)
    if content_type.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"):
        return xlsx_text(content)
    if content_type == "application/zip":
        return csv_text(content)
    return str(content.decode("utf-8"))
