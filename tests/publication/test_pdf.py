"""The PDF report: real Japanese text with the font embedded, pages, header, bookmarks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sasaeai.core import pdf as core_pdf
from sasaeai.plans.models import EvaluationCycle
from sasaeai.publication.document import ReportDocument
from sasaeai.publication.render import render
from sasaeai.publication.render.pdf import render_pdf_report
from sasaeai.publication.selectors.published import build_document
from tests.publication.pdfinspect import PdfFacts, inspect

pytestmark = pytest.mark.django_db


def _doc(built: dict[str, Any]) -> ReportDocument:
    cycle = EvaluationCycle.objects.select_related("plan__municipality").get(pk=built["cycle"].pk)
    return build_document(cycle)


@pytest.fixture
def report_pdf(report_plan: dict[str, Any]) -> tuple[bytes, PdfFacts]:
    if not core_pdf.japanese_font_families():
        pytest.skip("no Japanese font on this machine")
    content = render_pdf_report(_doc(report_plan))
    return content, inspect(content)


def test_pdf_font_text_pages_header_and_bookmarks(
    report_pdf: tuple[bytes, PdfFacts], tmp_path: Path
) -> None:
    """One render, checked several ways (a PDF takes seconds)."""
    content, facts = report_pdf
    family = core_pdf.japanese_font_families()[0].replace(" ", "")
    assert any(name.split("+")[1].startswith(family) for name in facts.font_names())
    assert b"/FontFile2" in facts.objects or b"/FontFile3" in facts.objects
    text = facts.text()
    for expected in (
        "テスト計画",
        "推進状況報告書",
        "令和6年度",
        "案",
        "取組1",
        "高齢者いきいき課、福祉総務課",
        "相談の窓口が増えたことを評価します。",
        "引き続き取り組みます。",
        "相談できる人がいない割合",
        "-120.0%",
        "110.0%",
    ):
        assert expected in text, expected
    assert "まだ公表しない講評です。" not in text

    # cover, contents, overview, progress (+ one page per goal), reviews, summaries, glossary
    assert facts.page_count >= 8
    lines = facts.text().splitlines()
    assert "テスト計画 令和6年度 推進状況報告書（案）" in lines  # running header
    assert "- 2 -" in lines and f"- {facts.page_count} -" in lines
    assert "- 1 -" not in lines  # no number on the cover

    goal1, goal2 = "基本目標 1\u3000相談", "基本目標 2\u3000情報"
    assert facts.bookmarks() == [
        "目次",
        "1\u3000計画の概要",
        "計画の体系",
        "2\u3000進捗管理の状況",
        "(1) 成果指標",
        "(2) 具体的な取組",
        goal1,
        goal2,
        "3\u3000推進委員会の講評と市の対応",
        goal1,
        goal2,
        "4\u3000総括",
        goal1,
        goal2,
        "5\u3000用語解説",
    ]

    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:  # poppler-utils: a second, independent reader, if installed
        return
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(  # noqa: S603 -- fixed arguments
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "テスト計画" in text and "推進状況報告書" in text
    assert "高齢者いきいき課、福祉総務課" in text


def test_render_pdf_file(report_plan: dict[str, Any]) -> None:
    if not core_pdf.japanese_font_families():
        pytest.skip("no Japanese font on this machine")
    steps: list[int] = []
    rendered = render(_doc(report_plan), "pdf", progress=lambda p, s: steps.append(p))
    assert rendered.filename == "142042_2024_推進状況報告書_案.pdf"
    assert rendered.content_type == "application/pdf"
    assert rendered.content.startswith(b"%PDF-")
    assert steps == [10, 30, 100]


def test_without_japanese_font_the_error_names_the_packages(
    report_plan: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core_pdf, "japanese_font_families", lambda: ())
    with pytest.raises(core_pdf.PdfUnavailable) as missing:
        render_pdf_report(_doc(report_plan))
    assert missing.value.code == "pdf_font_missing"
    assert "fonts-ipaexfont" in missing.value.message
