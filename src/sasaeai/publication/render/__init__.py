"""Render a :class:`~sasaeai.publication.document.ReportDocument` to a file in one of four formats.

``render(doc, "pdf")`` → :class:`RenderedFile`. HTML and PDF are made here; XLSX and CSV by
``render/xlsx.py`` and ``render/csv.py`` (imported only when asked for). CSV is a ZIP of the
open-data tables. Filenames are ``<団体コード>_<年度>_推進状況報告書.<ext>``
(``142042_2024_推進状況報告書.pdf``, a 案 ``142042_2024_推進状況報告書_案.pdf``);
``ascii_filename`` gives ``142042_2024_report.pdf`` for places that need ASCII (the HTTP
``filename=`` fallback).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sasaeai.core.errors import DomainError
from sasaeai.publication.document import ReportDocument

FORMATS = ("html", "pdf", "xlsx", "csv")

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
}
EXTENSIONS = {"html": "html", "pdf": "pdf", "xlsx": "xlsx", "csv": "zip"}

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class RenderedFile:
    filename: str
    content_type: str
    content: bytes


def filename(doc: ReportDocument, fmt: str) -> str:
    """``142042_2024_推進状況報告書.pdf`` (CSV: ``….zip``); a 案 ends ``_案``."""
    stem = _("推進状況報告書") + (_("_案") if doc.is_draft else "")
    return f"{doc.municipality_code}_{doc.fiscal_year}_{stem}.{EXTENSIONS[fmt]}"


def ascii_filename(doc: ReportDocument, fmt: str) -> str:
    """``142042_2024_report.pdf``: the same name in ASCII only (a 案: ``…_report_draft.pdf``)."""
    stem = "report_draft" if doc.is_draft else "report"
    return f"{doc.municipality_code}_{doc.fiscal_year}_{stem}.{EXTENSIONS[fmt]}"


def _ignore(percent: int, step: str) -> None:
    return None


def csv_zip(tables: dict[str, bytes]) -> bytes:
    """The CSV tables (filename → bytes) as one ZIP, in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in tables.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def render(doc: ReportDocument, fmt: str, progress: Progress | None = None) -> RenderedFile:
    """The report in ``fmt`` (html, pdf, xlsx or csv); ``progress(percent, step)`` is told
    how far it has got."""
    report = progress or _ignore
    if fmt not in FORMATS:
        raise DomainError(
            code="unknown_format",
            message=_(
                "形式「{fmt}」には対応していません。html・pdf・xlsx・csv のどれかです。"
            ).format(fmt=fmt),
        )
    report(10, _("報告書の内容を組み立てています"))
    if fmt == "html":
        from sasaeai.publication.render.html import render_html

        content = render_html(doc).encode("utf-8")
    elif fmt == "pdf":
        from sasaeai.publication.render.pdf import render_pdf_report

        report(30, _("PDFを作成しています（数十秒かかることがあります）"))
        content = render_pdf_report(doc)
    elif fmt == "xlsx":
        from sasaeai.publication.render.xlsx import render_xlsx

        report(30, _("Excel ファイルを作成しています"))
        content = render_xlsx(doc)
    else:
        from sasaeai.publication.render.csv import render_csv_tables

        report(30, _("CSV ファイルを作成しています"))
        content = csv_zip(render_csv_tables(doc))
    report(100, _("完了しました"))
    return RenderedFile(filename(doc, fmt), CONTENT_TYPES[fmt], content)
