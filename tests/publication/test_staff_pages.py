"""The secretariat's report screens: cycles, builds with progress, the gate, publishing,
unpublishing and 用語解説 — and who may open them."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.plans.models import CycleStatus, Evaluation, EvaluationCycle
from sasaeai.plans.services import evaluations
from sasaeai.publication.models import BuildState, KeptTerm, ReportBuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(report_plan: dict[str, Any]) -> EvaluationCycle:
    return report_plan["cycle"]


@pytest.fixture
def secretariat(users: dict[str, Any]) -> Any:
    return users[Role.SECRETARIAT]


@pytest.fixture
def staff(client_for: Any, secretariat: Any) -> Client:
    return client_for(secretariat)


@pytest.fixture
def glossary(kamakura: Any) -> None:
    from sasaeai.plainlang.models import GlossaryTerm

    GlossaryTerm.objects.create(municipality=kamakura, term="アウトリーチ", paraphrase="訪問支援")


@pytest.fixture
def closed(cycle: EvaluationCycle, secretariat: Any) -> EvaluationCycle:
    evaluations.cycle_close(actor=secretariat, cycle=cycle, leave_unapproved=True)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def sync(settings: Any) -> None:
    settings.REPORTS_BUILD_SYNC = True


def text(response: Any) -> str:
    return response.content.decode()


# --- index and cycle page -----------------------------------------------------------------


def test_index_lists_cycles_per_plan_with_their_actions(
    staff: Client, cycle: EvaluationCycle
) -> None:
    response = staff.get("/staff/reports/")
    assert response.status_code == 200
    page = text(response)
    assert '<h2 id="plan-' in page and "テスト計画</h2>" in page
    assert f'<a href="/staff/reports/cycles/{cycle.pk}/">令和6年度</a>' in page
    assert "<td>受付中</td>" in page
    assert f'href="/staff/reports/cycles/{cycle.pk}/gate/">公表前の確認' in page
    assert 'href="/staff/reports/terms/">用語解説' in page


def test_cycle_page_offers_four_formats_and_says_what_to_do_next(
    staff: Client, cycle: EvaluationCycle
) -> None:
    page = text(staff.get(f"/staff/reports/cycles/{cycle.pk}/"))
    for fmt, label in (
        ("html", "HTML"),
        ("pdf", "PDF"),
        ("xlsx", "Excel（XLSX）"),
        ("csv", "CSV（オープンデータ）"),
    ):
        assert f'<section id="format-{fmt}"' in page
        assert f'<input type="hidden" name="format" value="{fmt}">' in page
        assert f'<button type="submit" class="button">{label}を作成</button>' in page
        assert f'<div id="build-status-{fmt}" aria-live="polite">' in page
    assert "この進捗調査はまだ受付中です。公表するには、先に進捗調査を締め切ってください。" in page
    assert f'href="/staff/plans/cycles/{cycle.pk}/close/"' in page


def test_build_without_javascript_redirects_and_the_page_offers_the_download(
    staff: Client, cycle: EvaluationCycle, sync: None
) -> None:
    response = staff.post(f"/staff/reports/cycles/{cycle.pk}/builds/", {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/reports/cycles/{cycle.pk}/#format-csv"
    build = ReportBuild.objects.get()
    assert build.state == BuildState.DONE

    page = text(staff.get(f"/staff/reports/cycles/{cycle.pk}/"))
    assert f'<a href="/staff/reports/builds/{build.pk}/download/" download>' in page
    assert "ダウンロード: 142042_2024_推進状況報告書_案.zip" in page  # the open cycle: a 案

    download = staff.get(f"/staff/reports/builds/{build.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"] == (
        "attachment; filename=\"142042_2024_report_draft.zip\"; filename*=UTF-8''"
        "142042_2024_%E6%8E%A8%E9%80%B2%E7%8A%B6%E6%B3%81%E5%A0%B1%E5%91%8A%E6%9B%B8_%E6%A1%88.zip"
    )
    assert zipfile.ZipFile(io.BytesIO(download.content)).namelist() == [
        "indicators.csv",
        "initiatives.csv",
    ]


def test_build_with_htmx_returns_the_progress_fragment(
    staff: Client, cycle: EvaluationCycle, sync: None
) -> None:
    response = staff.post(
        f"/staff/reports/cycles/{cycle.pk}/builds/", {"format": "html"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    fragment = text(response)
    build = ReportBuild.objects.get()
    assert fragment.startswith('<div id="build-html" class="report-build">')
    assert "hx-trigger" not in fragment
    assert f'href="/staff/reports/builds/{build.pk}/download/"' in fragment


def test_progress_is_polled_every_second_until_done(staff: Client, cycle: EvaluationCycle) -> None:
    build = ReportBuild.objects.create(
        cycle=cycle, format="pdf", state=BuildState.RUNNING, progress=40, step="PDFを組版しています"
    )
    url = f"/staff/reports/builds/{build.pk}/"
    fragment = text(staff.get(url, HTTP_HX_REQUEST="true"))
    assert fragment.startswith(
        f'<div id="build-pdf" class="report-build" hx-get="{url}" hx-trigger="every 1s" '
        'hx-swap="outerHTML">'
    )
    assert '<progress id="build-pdf-bar" max="100" value="40">40%</progress>' in fragment
    assert '<label for="build-pdf-bar">PDFを組版しています（40%）</label>' in fragment

    ReportBuild.objects.filter(pk=build.pk).update(
        state=BuildState.FAILED, error="日本語のフォントがありません。"
    )
    fragment = text(staff.get(url, HTTP_HX_REQUEST="true"))
    assert "hx-trigger" not in fragment
    assert "作成できませんでした。 日本語のフォントがありません。" in fragment

    # without htmx the address leads back to the cycle page
    response = staff.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/reports/cycles/{cycle.pk}/#format-pdf"


def test_a_build_still_running_is_shown_polling_on_the_cycle_page(
    staff: Client, cycle: EvaluationCycle
) -> None:
    build = ReportBuild.objects.create(
        cycle=cycle, format="xlsx", state=BuildState.QUEUED, step="待機中"
    )
    page = text(staff.get(f"/staff/reports/cycles/{cycle.pk}/"))
    assert f'hx-get="/staff/reports/builds/{build.pk}/" hx-trigger="every 1s"' in page
    download = staff.get(f"/staff/reports/builds/{build.pk}/download/")
    assert download.status_code == 404


# --- the gate and publishing ----------------------------------------------------------------


def test_gate_page_shows_counts_findings_sources_and_keep_forms(
    staff: Client, closed: EvaluationCycle, glossary: None, report_plan: dict[str, Any]
) -> None:
    page = text(staff.get(f"/staff/reports/cycles/{closed.pk}/gate/"))
    assert (
        '<tr><th scope="row"><span class="severity-tag severity-tag-error">エラー</span></th>'
        "<td>1</td>"
    ) in page
    assert '<h3 id="loc-1">取組 2 取組2</h3>' in page
    assert "<h4>委員のコメント 1</h4>" in page
    assert (
        f'<a href="/staff/plans/cycles/{closed.pk}/reviews/">元の文章を開く（講評・コメントの一覧）</a>'
    ) in page
    assert "文中: <mark>アウトリーチ</mark>を広げてください。" in page
    assert "言い換えの案: 訪問支援" in page
    assert '<a href="#keep-1">「アウトリーチ」を残す（用語解説に加える）</a>' in page
    assert '<input type="hidden" name="term" value="アウトリーチ">' in page
    assert "わかりやすさチェックのエラーが 1 件残っています。" in page
    assert "エラーが残っていることを確認したうえで公表します" in page


def test_gate_links_evaluation_text_to_the_evaluation_page(
    staff: Client, closed: EvaluationCycle, report_plan: dict[str, Any]
) -> None:
    evaluation = Evaluation.objects.get(cycle=closed, initiative=report_plan["initiatives"][2])
    Evaluation.objects.filter(pk=evaluation.pk).update(results="講座の事業が完了しました。")
    page = text(staff.get(f"/staff/reports/cycles/{closed.pk}/gate/"))
    assert "<h4>実施内容・実績</h4>" in page
    assert (
        f'<a href="/staff/plans/evaluations/{evaluation.pk}/">元の文章を開く（評価の入力画面）</a>'
    ) in page
    assert "言い換えの案: 事業を実施しました" in page


def test_publishing_from_the_gate_needs_the_confirmation_then_succeeds(
    staff: Client, closed: EvaluationCycle, glossary: None
) -> None:
    url = f"/staff/reports/cycles/{closed.pk}/publish/"
    response = staff.post(url, {})
    assert response.status_code == 200
    assert "わかりやすさチェックのエラーが 1 件残っています。文章を直すか" in text(response)
    closed.refresh_from_db()
    assert closed.status == CycleStatus.CLOSED

    response = staff.post(url, {"confirm_open_errors": "on", "confirmation_note": ""})
    assert "「確認のメモ」に書いてください。" in text(response)
    closed.refresh_from_db()
    assert closed.status == CycleStatus.CLOSED

    response = staff.post(
        url, {"confirm_open_errors": "on", "confirmation_note": "委員の発言のため"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/staff/reports/cycles/{closed.pk}/"
    closed.refresh_from_db()
    assert closed.status == CycleStatus.PUBLISHED

    page = text(staff.get(response["Location"]))
    assert "令和6年度の推進状況報告書を公表しました。" in page
    assert "<strong>公表済み</strong>" in page
    assert 'href="/m/142042/reports/"' in page
    assert f'href="/m/142042/reports/2024/pdf/?plan={closed.plan_id}"' in page
    assert f'href="/staff/reports/cycles/{closed.pk}/unpublish/"' in page


def test_publishing_an_open_cycle_shows_the_error(staff: Client, cycle: EvaluationCycle) -> None:
    response = staff.post(f"/staff/reports/cycles/{cycle.pk}/publish/", {})
    assert response.status_code == 200
    assert "令和6年度の進捗調査はまだ受付中です。" in text(response)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN


def test_unpublish_page(staff: Client, closed: EvaluationCycle, secretariat: Any) -> None:
    from sasaeai.publication import services

    services.cycle_publish(actor=secretariat, cycle=closed)
    url = f"/staff/reports/cycles/{closed.pk}/unpublish/"
    response = staff.post(url, {"reason": ""})
    assert "公表を取り消す理由を入力してください。" in text(response)
    closed.refresh_from_db()
    assert closed.status == CycleStatus.PUBLISHED

    response = staff.post(url, {"reason": "数値の誤り"})
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.status == CycleStatus.CLOSED


# --- 用語解説 ---------------------------------------------------------------------------------


def test_keep_a_term_from_the_gate(staff: Client, closed: EvaluationCycle, glossary: None) -> None:
    gate_url = f"/staff/reports/cycles/{closed.pk}/gate/"
    response = staff.post(
        "/staff/reports/terms/new/",
        {"term": "アウトリーチ", "explanation": "", "next": f"{gate_url}#terms"},
    )
    assert response.status_code == 200
    assert "解説を入力してください。報告書の用語解説に載ります。" in text(response)
    assert KeptTerm.objects.count() == 0

    response = staff.post(
        "/staff/reports/terms/new/",
        {"term": "アウトリーチ", "explanation": "訪ねていく支援。", "next": f"{gate_url}#terms"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{gate_url}#terms"
    assert list(KeptTerm.objects.values_list("term", "explanation")) == [
        ("アウトリーチ", "訪ねていく支援。")
    ]
    page = text(staff.get(gate_url))
    assert "エラーはありません。" in page
    assert "<td>0</td>" in page


def test_an_outside_next_address_is_ignored(staff: Client, kamakura: Any) -> None:
    response = staff.post(
        "/staff/reports/terms/new/",
        {"term": "ニーズ", "explanation": "必要としていること。", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/staff/reports/terms/"


def test_term_list_edit_and_delete(staff: Client, kamakura: Any, secretariat: Any) -> None:
    kept = KeptTerm.objects.create(
        municipality=kamakura, term="ニーズ", explanation="必要としていること。", is_demo=True
    )
    page = text(staff.get("/staff/reports/terms/"))
    assert '<th scope="row">ニーズ <span class="tag-demo">架空</span></th>' in page
    assert f'href="/staff/reports/terms/{kept.pk}/edit/">「ニーズ」の解説を直す' in page

    response = staff.post(f"/staff/reports/terms/{kept.pk}/edit/", {"explanation": "求めること。"})
    assert response.status_code == 302
    kept.refresh_from_db()
    assert (kept.explanation, kept.kept_by) == ("求めること。", secretariat)

    assert "「ニーズ」を用語解説から削除" in text(
        staff.get(f"/staff/reports/terms/{kept.pk}/delete/")
    )
    response = staff.post(f"/staff/reports/terms/{kept.pk}/delete/")
    assert response.status_code == 302
    assert KeptTerm.objects.count() == 0
    actions = list(
        AuditEvent.objects.filter(object_type="reports.KeptTerm").values_list("action", flat=True)
    )
    assert sorted(actions) == ["delete", "update"]


# --- who may do what ------------------------------------------------------------------------

PAGES = {
    "index": ("/staff/reports/", {Role.SECRETARIAT, Role.COMMITTEE_MEMBER}),
    "cycle": ("/staff/reports/cycles/{cycle}/", {Role.SECRETARIAT, Role.COMMITTEE_MEMBER}),
    "gate": ("/staff/reports/cycles/{cycle}/gate/", {Role.SECRETARIAT}),
    "unpublish": ("/staff/reports/cycles/{cycle}/unpublish/", {Role.SECRETARIAT}),
    "terms": ("/staff/reports/terms/", {Role.SECRETARIAT}),
    "term_new": ("/staff/reports/terms/new/", {Role.SECRETARIAT}),
}


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(
    client_for: Any, users: dict[str, Any], closed: EvaluationCycle, role: str, page: str
) -> None:
    path, allowed = PAGES[page]
    response = client_for(users[role]).get(path.format(cycle=closed.pk))
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.SECRETARIAT])
def test_denied_writes_change_nothing(
    client_for: Any, users: dict[str, Any], closed: EvaluationCycle, kamakura: Any, role: str
) -> None:
    kept = KeptTerm.objects.create(municipality=kamakura, term="ニーズ", explanation="必要")
    before = AuditEvent.objects.exclude(action="refused").count()
    client = client_for(users[role])
    posts = [
        (
            f"/staff/reports/cycles/{closed.pk}/publish/",
            {"confirm_open_errors": "on", "confirmation_note": "x"},
        ),
        (f"/staff/reports/cycles/{closed.pk}/unpublish/", {"reason": "x"}),
        ("/staff/reports/terms/new/", {"term": "ノウハウ", "explanation": "こつ"}),
        (f"/staff/reports/terms/{kept.pk}/edit/", {"explanation": "変更"}),
        (f"/staff/reports/terms/{kept.pk}/delete/", {}),
    ]
    if role != Role.COMMITTEE_MEMBER:
        posts.append((f"/staff/reports/cycles/{closed.pk}/builds/", {"format": "csv"}))
    for path, data in posts:
        assert client.post(path, data).status_code == 403, path
    closed.refresh_from_db()
    assert closed.status == CycleStatus.CLOSED
    assert list(KeptTerm.objects.values_list("term", "explanation")) == [("ニーズ", "必要")]
    assert ReportBuild.objects.count() == 0
    assert AuditEvent.objects.exclude(action="refused").count() == before


def test_committee_members_cannot_build_drafts_of_open_cycles(
    client_for: Any, users: dict[str, Any], cycle: EvaluationCycle, sync: None
) -> None:
    client = client_for(users[Role.COMMITTEE_MEMBER])
    page = text(client.get(f"/staff/reports/cycles/{cycle.pk}/"))
    assert "受付中の進捗調査の報告書（案）は、事務局だけが作れます。" in page
    assert "を作成</button>" not in page
    response = client.post(f"/staff/reports/cycles/{cycle.pk}/builds/", {"format": "csv"})
    assert response.status_code == 403
    assert ReportBuild.objects.count() == 0


def test_a_build_of_another_municipality_is_not_found(
    staff: Client, fujisawa: Any, report_plan: dict[str, Any], units: dict[str, Any]
) -> None:
    from tests.plans.builders import build_plan

    other = build_plan(fujisawa, units, name="藤沢の計画")["cycle"]
    build = ReportBuild.objects.create(
        cycle=other, format="csv", state=BuildState.DONE, content=b"x"
    )
    assert staff.get(f"/staff/reports/cycles/{other.pk}/").status_code == 404
    assert staff.get(f"/staff/reports/builds/{build.pk}/download/").status_code == 404


def test_anonymous_visitors_are_sent_to_login(client: Client, cycle: EvaluationCycle) -> None:
    response = client.get(f"/staff/reports/cycles/{cycle.pk}/gate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_reads_run_a_constant_number_of_queries(
    cycle: EvaluationCycle,
    django_assert_num_queries: Any,
    kamakura: Any,
    units: dict[str, Any],
    users: dict[str, Any],
) -> None:
    from sasaeai.publication import permissions

    secretariat = users[Role.SECRETARIAT]
    assert permissions.can(secretariat, "reports.view")  # roles are read once, as in a request
    from sasaeai.plans.models import Review, ReviewKind
    from sasaeai.publication.selectors import staff as selectors
    from tests.plans.builders import build_plan

    with django_assert_num_queries(4):
        small = selectors.source_links(cycle)
    with django_assert_num_queries(1):
        assert len(selectors.cycles_by_plan(kamakura, secretariat)) == 1

    bigger = build_plan(kamakura, units, initiatives=30, name="大きい計画")
    for number in range(3):
        Review.objects.create(
            cycle=bigger["cycle"],
            kind=ReviewKind.INITIATIVE_COMMENT,
            initiative=bigger["initiatives"][number],
            body="コメント",
            city_response="対応",
            is_published=True,
        )
    with django_assert_num_queries(4):
        large = selectors.source_links(bigger["cycle"])
    with django_assert_num_queries(1):
        assert len(selectors.cycles_by_plan(kamakura, secretariat)) == 2
    assert len(large.links) > len(small.links)
    assert large.get("initiative-3", "市の対応 1") is not None
