"""The report as a PDF: the HTML report with the print stylesheet, through WeasyPrint.

A4, 10.5pt, a cover page, running header with the title, page numbers 「- 3 -」, table
headers repeated on every page, bookmarks for the sections; the text stays real text.
"""

from __future__ import annotations

from sasaeai.core.pdf import render_pdf
from sasaeai.publication.document import ReportDocument
from sasaeai.publication.render.html import render_html


def render_pdf_report(doc: ReportDocument) -> bytes:
    """PDF bytes of the report (raises ``core.pdf.PdfUnavailable`` without a Japanese font)."""
    html = render_html(doc, for_print=True)
    return render_pdf(html)  # the print stylesheet is in the HTML (media="print")
