"""Public report list and downloads (/m/<code>/reports/): published reports only, no login."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sasaeai.plans.models import CycleStatus, EvaluationCycle
from sasaeai.publication.models import ReportFile
from sasaeai.publication.selectors import pages as selectors
from sasaeai.publication.views import public as public_views

pytestmark = pytest.mark.django_db

PUBLISHED_AT = dt.datetime(2025, 6, 30, 9, 0, tzinfo=dt.UTC)


def publish(cycle: EvaluationCycle, when: dt.datetime = PUBLISHED_AT) -> EvaluationCycle:
    EvaluationCycle.objects.filter(pk=cycle.pk).update(
        status=CycleStatus.PUBLISHED, published_at=when
    )
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def cycle(report_plan: dict[str, Any]) -> EvaluationCycle:
    return report_plan["cycle"]


@pytest.fixture
def published(cycle: EvaluationCycle) -> EvaluationCycle:
    return publish(cycle)


def test_a_published_year_downloads_with_its_headers(client: Client, published: Any) -> None:
    response = client.get("/m/142042/reports/2024/csv/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"142042_2024_report.zip\"; filename*=UTF-8''"
        "142042_2024_%E6%8E%A8%E9%80%B2%E7%8A%B6%E6%B3%81%E5%A0%B1%E5%91%8A%E6%9B%B8.zip"
    )
    stored = ReportFile.objects.get(cycle=published, format="csv")
    assert response["ETag"] == f'"{stored.sha256}"'
    assert response["Content-Length"] == str(stored.size)
    assert response["Cache-Control"] == "public, no-cache"
    assert response.content == bytes(stored.content)
    assert response.content[:2] == b"PK"

    html = client.get("/m/142042/reports/2024/html/")
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert html["Content-Disposition"].startswith('inline; filename="142042_2024_report.html"')
    assert html.content.startswith(b"<!DOCTYPE html>")
    # the report's inline stylesheets are allowed by their hashes, nothing else inline
    policy = html["Content-Security-Policy"]
    [style_src] = [part for part in policy.split(";") if part.strip().startswith("style-src")]
    hashes = [source for source in style_src.split() if source.startswith("'sha256-")]
    assert hashes == public_views.style_hashes(html.content)
    assert len(hashes) == html.content.count(b"<style") >= 1
    assert "unsafe-inline" not in policy
    assert ReportFile.objects.filter(cycle=published).count() == 2


def test_repeat_downloads_are_answered_with_not_modified(client: Client, published: Any) -> None:
    first = client.get("/m/142042/reports/2024/csv/")
    etag, last_modified = first["ETag"], first["Last-Modified"]

    again = client.get("/m/142042/reports/2024/csv/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    since = client.get("/m/142042/reports/2024/csv/", HTTP_IF_MODIFIED_SINCE=last_modified)
    assert since.status_code == 304

    other = client.get("/m/142042/reports/2024/csv/", HTTP_IF_NONE_MATCH='"nope"')
    assert other.status_code == 200
    assert ReportFile.objects.filter(cycle=published).count() == 1

    head = client.head("/m/142042/reports/2024/csv/")
    assert head.status_code == 200
    assert head["ETag"] == etag


def test_an_unpublished_year_is_not_found_even_with_a_stored_file(
    client: Client, cycle: EvaluationCycle
) -> None:
    EvaluationCycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.CLOSED)
    ReportFile.objects.create(
        cycle=cycle,
        format="pdf",
        filename="leak.pdf",
        content_type="application/pdf",
        content=b"%PDF-secret",
        size=11,
        sha256="0" * 64,
        source_published_at=PUBLISHED_AT,
    )
    response = client.get("/m/142042/reports/2024/pdf/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "令和6年度の推進状況報告書は公表されていません。" in page
    assert "secret" not in page
    assert 'href="/m/142042/reports/"' in page
    assert ReportFile.objects.filter(cycle=cycle).count() == 1  # nothing built, nothing changed


@pytest.mark.parametrize(
    "path",
    [
        "/m/142042/reports/2023/pdf/",  # no cycle
        "/m/142042/reports/2024/docx/",  # unknown format
        "/m/142042/reports/2024/pdf/?plan=abc",
        "/m/142042/reports/2024/pdf/?plan=999999",
        "/m/999999/reports/2024/pdf/",  # unknown municipality
    ],
)
def test_unknown_things_are_not_found(client: Client, published: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "報告書が見つかりません" in response.content.decode()
    assert ReportFile.objects.count() == 0


def test_style_hashes_are_the_csp_sources_of_the_style_blocks() -> None:
    html = b'<style>a{color:red}</style><p>x</p><style media="print">b{}</style>'
    assert public_views.style_hashes(html) == [
        "'sha256-6hWWMOcF+mJesSJGYhmK2lkIIEw9Xc5XKGLPVzh8yxs='",
        "'sha256-7yqHVAesot11p6HczDsgKRipvI5UPgs97z80zNXlans='",
    ]


def test_an_unknown_municipality_list_is_not_found(client: Client, kamakura: Any) -> None:
    assert client.get("/m/999999/reports/").status_code == 404


def test_a_stored_file_of_an_earlier_publication_is_rebuilt(client: Client, published: Any) -> None:
    ReportFile.objects.create(
        cycle=published,
        format="csv",
        filename="old.zip",
        content_type="application/zip",
        content=b"old",
        size=3,
        sha256="0" * 64,
        source_published_at=PUBLISHED_AT - dt.timedelta(days=30),
    )
    response = client.get("/m/142042/reports/2024/csv/")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    stored = ReportFile.objects.get(cycle=published, format="csv")
    assert (stored.filename, stored.source_published_at) == (
        "142042_2024_推進状況報告書.zip",
        PUBLISHED_AT,
    )


def test_the_list_shows_published_years_only(
    client: Client, published: Any, report_plan: dict[str, Any], kamakura: Any
) -> None:
    EvaluationCycle.objects.create(
        municipality=kamakura, plan=report_plan["plan"], fiscal_year=2025, status="closed"
    )
    response = client.get("/m/142042/reports/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h2 id="report-2024-' in page and "令和6年度" in page
    assert "テスト計画 令和6年度 推進状況報告書" in page
    assert "公表日: 令和7年6月30日" in page
    assert '<a href="/m/142042/reports/2024/pdf/">令和6年度の報告書（PDF）</a>' in page
    assert "令和7年度" not in page
    assert "/reports/2025/" not in page


def test_the_list_says_when_nothing_is_published(client: Client, cycle: Any) -> None:
    page = client.get("/m/142042/reports/").content.decode()
    assert "公表した報告書はまだありません。" in page


def test_published_reports_selector(
    published: Any, kamakura: Any, django_assert_num_queries: Any
) -> None:
    ReportFile.objects.create(
        cycle=published,
        format="pdf",
        filename="x.pdf",
        content_type="application/pdf",
        content=b"%PDF",
        size=1234,
        sha256="0" * 64,
        source_published_at=PUBLISHED_AT,
    )
    with django_assert_num_queries(2):
        [report] = selectors.published_reports(kamakura)
    assert (report.plan_name, report.fiscal_year, report.fiscal_year_label) == (
        "テスト計画",
        2024,
        "令和6年度",
    )
    assert (report.title, report.published_at, report.is_demo) == (
        "テスト計画 令和6年度 推進状況報告書",
        PUBLISHED_AT,
        False,
    )
    assert [(link.format, link.label, link.url, link.size) for link in report.formats] == [
        ("html", "HTML", "/m/142042/reports/2024/html/", None),
        ("pdf", "PDF", "/m/142042/reports/2024/pdf/", 1234),
        ("xlsx", "Excel（XLSX）", "/m/142042/reports/2024/xlsx/", None),
        ("csv", "CSV（オープンデータ）", "/m/142042/reports/2024/csv/", None),
    ]
    assert report.link("pdf") == report.formats[1]


def test_two_plans_in_one_year_are_told_apart(
    client: Client, published: Any, kamakura: Any, units: dict[str, Any]
) -> None:
    from tests.plans.builders import build_plan

    # a later plan whose period also covers 2024: the plan in force that year
    later = build_plan(kamakura, units, name="次の計画")
    later["plan"].start_fy = 2024
    later["plan"].save()
    publish(later["cycle"], timezone.now())

    reports = selectors.published_reports(kamakura)
    assert [(r.plan_name, r.formats[0].url) for r in reports] == [
        ("次の計画", f"/m/142042/reports/2024/html/?plan={later['plan'].pk}"),
        ("テスト計画", f"/m/142042/reports/2024/html/?plan={published.plan_id}"),
    ]
    assert selectors.published_cycle(kamakura, 2024) == later["cycle"]
    assert selectors.published_cycle(kamakura, 2024, published.plan_id) == published
    response = client.get(f"/m/142042/reports/2024/csv/?plan={published.plan_id}")
    assert response.status_code == 200
    assert ReportFile.objects.get().cycle == published


def test_the_list_runs_a_constant_number_of_queries(
    client: Client,
    published: Any,
    kamakura: Any,
    units: dict[str, Any],
    django_assert_num_queries: Any,
) -> None:
    from tests.plans.builders import build_plan

    with django_assert_num_queries(3):
        assert client.get("/m/142042/reports/").status_code == 200
    for index in range(3):
        other = build_plan(kamakura, units, name=f"計画{index}")
        publish(other["cycle"])
    with django_assert_num_queries(3):
        page = client.get("/m/142042/reports/").content.decode()
    assert page.count("の報告書（PDF）</a>") == 4
