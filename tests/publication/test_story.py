"""The issue's story, through the web: the secretariat returns one evaluation, closes the year,
is told about it at 公表前の確認, publishes with the confirmation — and neither the public pages,
the public API, the feed nor any downloaded report (HTML, PDF text, XLSX cells, CSV tables)
shows the returned text, while the page, the API, the feed and the report count the same."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.plans.models import CycleStatus, Evaluation, EvaluationState
from sasaeai.publication.models import ReportFile
from sasaeai.publication.selectors import pages
from sasaeai.publication.selectors.published import build_document, published_plans
from tests.plans.builders import build_plan
from tests.publication.readable import readable

RETURNED_RESULTS = "差し戻された実績の文章"
RETURNED_ISSUES = "差し戻された課題の文章"
RETURN_COMMENT = "数値をもう一度確かめてください"
FORMATS = ("html", "pdf", "xlsx", "csv")


def changes_outside_refusals() -> int:
    return AuditEvent.objects.exclude(action="refused").count()


@pytest.fixture
def submitted(kamakura: Municipality, units: dict[str, OrganisationUnit]) -> dict[str, Any]:
    """Six initiatives (grades A B B C A B) and a 再掲, every evaluation submitted; initiative 6
    carries the text that will be sent back."""
    built = build_plan(kamakura, units, initiatives=6)
    for evaluation in Evaluation.objects.filter(cycle=built["cycle"]).select_related("initiative"):
        number = evaluation.initiative.number
        evaluation.results = f"公表する実績{number}"
        evaluation.issues = f"公表する課題{number}"
        if number == 6:
            evaluation.results, evaluation.issues = RETURNED_RESULTS, RETURNED_ISSUES
        evaluation.state = EvaluationState.SUBMITTED
        evaluation.save()
    return built


def test_a_returned_evaluation_never_reaches_the_public(
    submitted: dict[str, Any],
    users: dict[str, User],
    client_for: Callable[[User], Client],
    kamakura: Municipality,
) -> None:
    cycle = submitted["cycle"]
    staff = client_for(users[Role.SECRETARIAT])
    rows = {
        e.initiative.number: e
        for e in Evaluation.objects.filter(cycle=cycle).select_related("initiative")
    }

    # the secretariat approves five and sends initiative 6 back
    for number in range(1, 6):
        response = staff.post(
            f"/staff/plans/evaluations/{rows[number].pk}/approve/",
            {"version": rows[number].version},
        )
        assert response.status_code == 302
    returned = rows[6]
    response = staff.post(
        f"/staff/plans/evaluations/{returned.pk}/return/",
        {"version": returned.version, "comment": RETURN_COMMENT},
    )
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.state == EvaluationState.RETURNED

    # closing the year needs the confirmation that it stays out
    response = staff.post(
        f"/staff/plans/cycles/{cycle.pk}/close/", {"confirm": "on", "leave_unapproved": "on"}
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED

    # 公表前の確認 lists it, with where it is approved or returned
    gate = staff.get(f"/staff/reports/cycles/{cycle.pk}/gate/").content.decode()
    assert "承認していない評価が 1 件あります（差し戻し 1 件）。" in gate
    assert f'<a href="/staff/plans/evaluations/{returned.pk}/">取組 6 取組6</a>' in gate
    assert "<td>高齢者いきいき課</td>\n        <td>差し戻し</td>" in gate
    assert f'href="/staff/plans/cycles/{cycle.pk}/evaluations/"' in gate
    assert f'name="seen_unapproved" value="{returned.pk}"' in gate

    # publishing without the confirmation is refused in words, and nothing changes
    before = changes_outside_refusals()
    response = staff.post(
        f"/staff/reports/cycles/{cycle.pk}/publish/", {"seen_unapproved": str(returned.pk)}
    )
    assert response.status_code == 200
    assert (
        "承認していない評価が 1 件あります（差し戻し 1 件）。承認していない評価は報告書と"
        "公開ページに載りません。" in response.content.decode()
    )
    cycle.refresh_from_db()
    assert (cycle.status, cycle.published_at) == (CycleStatus.CLOSED, None)
    assert changes_outside_refusals() == before
    assert ReportFile.objects.count() == 0

    # with it, the report is published and the audit row names what stayed out
    response = staff.post(
        f"/staff/reports/cycles/{cycle.pk}/publish/",
        {"leave_unapproved": "on", "seen_unapproved": str(returned.pk)},
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.PUBLISHED
    row = AuditEvent.objects.get(action="publish", object_id=str(cycle.pk))
    assert row.changes["leave_unapproved"] == [False, True]
    assert row.changes["unapproved_left_out"] == [
        None,
        ["取組 6 取組6（高齢者いきいき課・差し戻し）"],
    ]
    assert row.detail == (
        "報告書を公表（承認していない評価 1 件（差し戻し 1 件）を載せないことを確認。"
        "わかりやすさチェックのエラーなし）"
    )

    # nobody sees the returned text, nor its return comment: pages, API, feed, downloads
    visitor = Client()
    plan_id = submitted["plan"].pk
    paths = [
        "/m/142042/plan/",
        f"/m/142042/plan/{plan_id}/",
        f"/m/142042/plan/{plan_id}/years/2024/",
        f"/m/142042/plan/{plan_id}/goals/1/",
        f"/m/142042/plan/{plan_id}/goals/2/",
        f"/m/142042/plan/{plan_id}/initiatives/6/",
        "/m/142042/plan/feed.atom",
        "/m/142042/reports/",
        f"/api/v1/public/142042/plans/{plan_id}",
        f"/api/v1/public/142042/plans/{plan_id}/initiatives/6",
    ] + [f"/m/142042/reports/2024/{fmt}/" for fmt in FORMATS]
    texts = {}
    for path in paths:
        response = visitor.get(path)
        assert response.status_code == 200, path
        texts[path] = readable(response)
        for secret in (RETURNED_RESULTS, RETURNED_ISSUES, RETURN_COMMENT, "差し戻し"):
            assert secret not in texts[path], (path, secret)
    assert (
        "この年度の評価は公表されていません。" in texts[f"/m/142042/plan/{plan_id}/initiatives/6/"]
    )
    for fmt in ("html", "pdf", "xlsx"):
        assert "公表する実績5" in texts[f"/m/142042/reports/2024/{fmt}/"], fmt

    # and they count the same five evaluated initiatives: A 2, B 2, C 1
    assert "令和6年度に評価した取組は 5 件です。" in texts["/m/142042/plan/"]
    api = visitor.get(f"/api/v1/public/142042/plans/{plan_id}").json()
    assert [(c["code"], c["count"]) for c in api["grade_totals"]] == [
        ("A", 2),
        ("B", 2),
        ("C", 1),
        ("D", 0),
    ]
    assert (
        "評価した取組 5件（A 順調 2件、B 概ね順調 2件、C やや遅れている 1件、D 遅れている 0件）"
        in (texts["/m/142042/plan/feed.atom"])
    )
    document = build_document(cycle)
    assert [(row.code, row.count) for row in document.totals] == [
        ("A", 2),
        ("B", 2),
        ("C", 1),
        ("D", 0),
    ]
    glance = pages.plan_glance(published_plans(kamakura)[0], 2024)
    assert (glance.totals, glance.evaluated) == (document.totals, 5)
    archive = zipfile.ZipFile(io.BytesIO(visitor.get("/m/142042/reports/2024/csv/").content))
    table = list(csv.DictReader(io.StringIO(archive.read("initiatives.csv").decode("utf-8-sig"))))
    graded = [(r["取組番号"], r["評価"]) for r in table if r["評価"]]
    assert graded == [("1", "A"), ("2", "B"), ("3", "B"), ("4", "C"), ("5", "A")]
