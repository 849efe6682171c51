"""The issue's "done when", on the demo tenant: the secretariat closes 令和7年度's cycle, opens
the gate, keeps a term, publishes (confirming open errors if any), the four formats download,
and an anonymous visitor finds 令和7年度 in the public report list."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from sasaeai.accounts.models import User
from sasaeai.plans.models import CycleStatus, Evaluation, EvaluationCycle, EvaluationState
from sasaeai.plans.services import evaluations
from sasaeai.publication import services
from sasaeai.publication.models import KeptTerm, ReportBuild, ReportFile
from tests.conftest import login

UNAPPROVED_2025 = 86  # evaluations of 令和7年度 still in draft or returned after the approvals


@pytest.fixture
def demo(db: None) -> None:
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())


def test_close_check_keep_publish_download(demo: None, settings: Any) -> None:
    settings.REPORTS_BUILD_SYNC = True
    secretariat = User.objects.get(username="demo-jimukyoku")
    kamakura = secretariat.municipality
    cycle = EvaluationCycle.objects.get(municipality=kamakura, fiscal_year=2025)
    assert cycle.status == CycleStatus.OPEN
    staff = login(Client(), secretariat)

    # the demo keeps three terms already (用語解説)
    assert list(KeptTerm.objects.filter(municipality=kamakura).values_list("term", flat=True)) == [
        "ケアラー",
        "コーディネーター",
        "フレイル",
    ]

    # 1. approve what was submitted, then close the cycle
    for evaluation in Evaluation.objects.filter(cycle=cycle, state=EvaluationState.SUBMITTED):
        evaluations.evaluation_approve(
            actor=secretariat, evaluation=evaluation, expected_version=evaluation.version
        )
    assert not Evaluation.objects.filter(cycle=cycle, state=EvaluationState.SUBMITTED).exists()
    left_out = Evaluation.objects.filter(cycle=cycle).exclude(state=EvaluationState.APPROVED)
    assert left_out.count() == UNAPPROVED_2025
    response = staff.post(
        f"/staff/plans/cycles/{cycle.pk}/close/", {"confirm": "on", "leave_unapproved": "on"}
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED

    # 2. the gate
    gate_url = f"/staff/reports/cycles/{cycle.pk}/gate/"
    page = staff.get(gate_url).content.decode()
    assert "令和7年度 公表前の確認" in page
    before = services.cycle_gate(cycle)
    needs = sum(1 for finding in before.findings() if finding.text == "ニーズ")
    assert needs > 0
    assert f"「ニーズ」（{needs} 件）" in page

    # 3. keep ニーズ with an explanation
    response = staff.post(
        "/staff/reports/terms/new/",
        {
            "term": "ニーズ",
            "explanation": "（架空）困りごとや、必要としている支援。",
            "next": f"{gate_url}#terms",
        },
    )
    assert response.status_code == 302
    after = services.cycle_gate(cycle)
    assert after.total == before.total - needs
    assert "ニーズ" not in [finding.text for finding in after.findings()]

    # 4. publish, confirming that the unapproved evaluations stay out and open errors if any
    seen = re.search(r'name="seen_unapproved" value="([0-9,]+)"', page)
    assert seen is not None and len(seen.group(1).split(",")) == UNAPPROVED_2025
    data = {"leave_unapproved": "on", "seen_unapproved": seen.group(1)}
    if after.open_errors:
        data |= {"confirm_open_errors": "on", "confirmation_note": "固有の名称のため"}
    response = staff.post(f"/staff/reports/cycles/{cycle.pk}/publish/", data)
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.PUBLISHED
    assert cycle.published_at is not None
    page = staff.get(f"/staff/reports/cycles/{cycle.pk}/").content.decode()
    assert "<strong>公表済み</strong>" in page

    # 5. a staff build of the published report goes through the build screen
    response = staff.post(f"/staff/reports/cycles/{cycle.pk}/builds/", {"format": "xlsx"})
    assert response.status_code == 302
    build = ReportBuild.objects.get(cycle=cycle)
    assert (build.state, build.progress) == ("done", 100)

    # 6. anyone downloads the four formats
    visitor = Client()
    pdf = visitor.get("/m/142042/reports/2025/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith('inline; filename="142042_2025_report.pdf"')
    assert pdf.content.startswith(b"%PDF")

    xlsx = visitor.get("/m/142042/reports/2025/xlsx/")
    assert xlsx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(xlsx.content)).namelist()
    assert xlsx.content == bytes(build.content)

    tables = visitor.get("/m/142042/reports/2025/csv/")
    assert tables["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(tables.content))
    assert archive.namelist() == ["indicators.csv", "initiatives.csv"]
    initiatives = list(csv.reader(io.StringIO(archive.read("initiatives.csv").decode("utf-8-sig"))))
    assert len(initiatives) > 200  # header + 203 originals + 再掲 rows

    html = visitor.get("/m/142042/reports/2025/html/")
    assert html["Content-Type"] == "text/html; charset=utf-8"
    body = html.content.decode()
    assert "令和7年度" in body
    assert "困りごとや、必要としている支援。" in body  # the kept term in 用語解説

    assert set(ReportFile.objects.filter(cycle=cycle).values_list("format", flat=True)) == {
        "html",
        "pdf",
        "xlsx",
        "csv",
    }

    # 7. the public list shows 令和7年度
    listing = visitor.get("/m/142042/reports/").content.decode()
    assert "令和7年度" in listing
    assert '<a href="/m/142042/reports/2025/pdf/">令和7年度の報告書（PDF、' in listing
