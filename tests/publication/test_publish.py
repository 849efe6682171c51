"""Publishing through the gate, unpublishing, kept terms, stored files and builds (services)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.utils import timezone

from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.core.errors import DomainError, PermissionRefused
from sasaeai.plans.models import CycleStatus, EvaluationCycle
from sasaeai.plans.services import evaluations
from sasaeai.publication import services
from sasaeai.publication.models import BuildState, KeptTerm, ReportBuild, ReportFile
from sasaeai.publication.services import builds

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(users: dict[str, Any]) -> Any:
    return users[Role.SECRETARIAT]


@pytest.fixture
def cycle(report_plan: dict[str, Any]) -> EvaluationCycle:
    """report_plan's 2024 cycle (open); its published comment says 「アウトリーチを広げて…」."""
    return report_plan["cycle"]


@pytest.fixture
def glossary(kamakura: Any) -> None:
    """アウトリーチ is in Kamakura's glossary: the gate reports it as an error."""
    from sasaeai.plainlang.models import GlossaryTerm

    GlossaryTerm.objects.create(municipality=kamakura, term="アウトリーチ", paraphrase="訪問支援")


@pytest.fixture
def closed(cycle: EvaluationCycle, secretariat: Any) -> EvaluationCycle:
    evaluations.cycle_close(actor=secretariat, cycle=cycle, leave_unapproved=True)
    cycle.refresh_from_db()
    return cycle


def stale_file(cycle: EvaluationCycle) -> ReportFile:
    return ReportFile.objects.create(
        cycle=cycle,
        format="csv",
        filename="old.zip",
        content_type="application/zip",
        content=b"old",
        size=3,
        sha256="0" * 64,
    )


def audit_rows(action: str | None = None) -> list[AuditEvent]:
    rows = AuditEvent.objects.filter(object_type="plans.EvaluationCycle").order_by("id")
    return list(rows.filter(action=action) if action else rows)


# --- publishing -------------------------------------------------------------------------


def test_an_open_cycle_cannot_be_published(cycle: EvaluationCycle, secretariat: Any) -> None:
    with pytest.raises(DomainError) as caught:
        services.cycle_publish(actor=secretariat, cycle=cycle)

    assert caught.value.code == "cycle_open"
    assert caught.value.message == (
        "令和6年度の進捗調査はまだ受付中です。先に進捗調査を締め切ってから公表してください。"
    )
    cycle.refresh_from_db()
    assert (cycle.status, cycle.published_at) == (CycleStatus.OPEN, None)
    assert audit_rows("publish") == []


def test_open_errors_block_publishing_without_confirmation(
    closed: EvaluationCycle, secretariat: Any, glossary: None
) -> None:
    stale_file(closed)
    before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as caught:
        services.cycle_publish(actor=secretariat, cycle=closed)

    assert caught.value.code == "plainlang_errors_open"
    assert caught.value.message.startswith("わかりやすさチェックのエラーが 1 件残っています。")
    closed.refresh_from_db()
    assert (closed.status, closed.published_at) == (CycleStatus.CLOSED, None)
    assert ReportFile.objects.filter(cycle=closed).count() == 1
    assert AuditEvent.objects.count() == before


def test_confirmation_needs_a_note(
    closed: EvaluationCycle, secretariat: Any, glossary: None
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as caught:
        services.cycle_publish(
            actor=secretariat, cycle=closed, confirm_open_errors=True, confirmation_note="  "
        )
    assert caught.value.code == "confirmation_note_required"
    assert caught.value.message == (
        "エラーが 1 件残ったまま公表する理由を「確認のメモ」に書いてください。"
    )
    closed.refresh_from_db()
    assert closed.status == CycleStatus.CLOSED
    assert AuditEvent.objects.count() == before


def test_confirmed_publishing_records_the_confirmation(
    closed: EvaluationCycle, secretariat: Any, glossary: None
) -> None:
    stale_file(closed)
    started = timezone.now()

    services.cycle_publish(
        actor=secretariat,
        cycle=closed,
        confirm_open_errors=True,
        confirmation_note=" 委員の発言の引用のため ",
    )

    closed.refresh_from_db()
    assert closed.status == CycleStatus.PUBLISHED
    assert closed.published_at is not None and closed.published_at >= started
    assert ReportFile.objects.filter(cycle=closed).count() == 0
    [row] = audit_rows("publish")
    assert row.actor == secretariat
    assert row.municipality_id == closed.municipality_id
    assert row.changes == {
        "status": ["closed", "published"],
        "published_at": [None, closed.published_at.isoformat()],
        "plainlang_open_errors": [None, 1],
        "confirm_open_errors": [False, True],
        "confirmation_note": ["", "委員の発言の引用のため"],
    }
    assert row.detail == (
        "報告書を公表（わかりやすさチェックのエラー 1 件が残っていることを確認。"
        "メモ: 委員の発言の引用のため）"
    )


def test_without_errors_no_confirmation_is_needed(
    closed: EvaluationCycle, secretariat: Any
) -> None:
    services.cycle_publish(actor=secretariat, cycle=closed)

    assert closed.status == CycleStatus.PUBLISHED
    [row] = audit_rows("publish")
    assert row.changes["plainlang_open_errors"] == [None, 0]
    assert row.changes["confirm_open_errors"] == [False, False]
    assert "confirmation_note" not in row.changes
    assert row.detail == "報告書を公表（わかりやすさチェックのエラーなし）"


def test_a_kept_term_lets_the_report_through(
    closed: EvaluationCycle, secretariat: Any, glossary: None
) -> None:
    services.kept_term_save(
        actor=secretariat,
        municipality=closed.municipality,
        term="アウトリーチ",
        explanation="支援が必要な人を訪ねていくこと。",
    )
    services.cycle_publish(actor=secretariat, cycle=closed)
    assert audit_rows("publish")[0].changes["plainlang_open_errors"] == [None, 0]


def test_a_published_cycle_cannot_be_published_again(
    closed: EvaluationCycle, secretariat: Any
) -> None:
    services.cycle_publish(actor=secretariat, cycle=closed)
    with pytest.raises(DomainError) as caught:
        services.cycle_publish(actor=secretariat, cycle=closed)
    assert (caught.value.code, caught.value.message) == (
        "already_published",
        "令和6年度の報告書はすでに公表しています。",
    )
    assert len(audit_rows("publish")) == 1


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.SECRETARIAT])
def test_only_the_secretariat_publishes(
    closed: EvaluationCycle, users: dict[str, Any], role: str
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionRefused):
        services.cycle_publish(
            actor=users[role], cycle=closed, confirm_open_errors=True, confirmation_note="x"
        )
    closed.refresh_from_db()
    assert (closed.status, closed.published_at) == (CycleStatus.CLOSED, None)
    assert AuditEvent.objects.count() == before


def test_another_municipalitys_secretariat_cannot_publish(
    closed: EvaluationCycle, make_user: Any, fujisawa: Any
) -> None:
    from sasaeai.accounts import services as accounts_services
    from sasaeai.accounts.roles import UnitKind

    unit = accounts_services.unit_upsert(
        actor="test", municipality=fujisawa, code="f-somu", kind=UnitKind.DEPARTMENT, name="総務"
    )
    outsider = make_user(None, username="fujisawa-jimukyoku", municipality=fujisawa)
    accounts_services.membership_grant(
        actor="test", user=outsider, unit=unit, role=Role.SECRETARIAT
    )
    with pytest.raises(PermissionRefused):
        services.cycle_publish(actor=outsider, cycle=closed)
    closed.refresh_from_db()
    assert closed.status == CycleStatus.CLOSED


@pytest.fixture
def closed_with_one_returned(cycle: EvaluationCycle, secretariat: Any) -> Any:
    """report_plan's cycle with initiative 4's evaluation sent back, then closed (confirmed)."""
    from sasaeai.plans.models import Evaluation, EvaluationState

    returned = Evaluation.objects.get(cycle=cycle, initiative__number=4)
    returned.state = EvaluationState.RETURNED
    returned.save()
    evaluations.cycle_close(actor=secretariat, cycle=cycle, leave_unapproved=True)
    cycle.refresh_from_db()
    return returned


def test_unapproved_evaluations_need_the_confirmation(
    cycle: EvaluationCycle, secretariat: Any, closed_with_one_returned: Any
) -> None:
    returned = closed_with_one_returned
    stale_file(cycle)
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as caught:
        services.cycle_publish(actor=secretariat, cycle=cycle)
    assert caught.value.code == "unapproved"
    assert caught.value.message == (
        "承認していない評価が 1 件あります（差し戻し 1 件）。承認していない評価は報告書と"
        "公開ページに載りません。載せるときは、受付を再開して承認してから締め切ってください。"
        "載せずに公表するときは、そのことを確認する欄にチェックを入れてください。"
    )
    # a confirmation given for another list (the page was stale) is refused too
    with pytest.raises(DomainError) as stale:
        services.cycle_publish(
            actor=secretariat,
            cycle=cycle,
            leave_unapproved=True,
            seen_unapproved=[returned.pk, returned.pk + 1000],
        )
    assert (stale.value.code, stale.value.message) == (
        "unapproved_changed",
        "承認していない評価の一覧が、確認したあとで変わりました（いま 1 件）。"
        "一覧をもう一度確かめてから公表してください。",
    )
    cycle.refresh_from_db()
    assert (cycle.status, cycle.published_at) == (CycleStatus.CLOSED, None)
    assert ReportFile.objects.filter(cycle=cycle).count() == 1
    assert AuditEvent.objects.count() == before

    services.cycle_publish(
        actor=secretariat, cycle=cycle, leave_unapproved=True, seen_unapproved=[returned.pk]
    )
    assert cycle.status == CycleStatus.PUBLISHED
    [row] = audit_rows("publish")
    assert row.changes["leave_unapproved"] == [False, True]
    assert row.changes["unapproved_left_out"] == [
        None,
        ["取組 4 取組4（高齢者いきいき課・差し戻し）"],
    ]
    assert row.detail == (
        "報告書を公表（承認していない評価 1 件（差し戻し 1 件）を載せないことを確認。"
        "わかりやすさチェックのエラーなし）"
    )
    # the stored report leaves it out: initiative 4 has no grade in the open-data table
    stored = services.report_file_get_or_build(cycle=cycle, fmt="csv")
    table = zipfile.ZipFile(io.BytesIO(bytes(stored.content))).read("initiatives.csv")
    rows = table.decode("utf-8-sig").splitlines()
    assert [line.split(",")[13] for line in rows[1:5]] == ["A", "B", "B", ""]


# --- unpublishing ---------------------------------------------------------------------------


def test_unpublish_takes_the_report_back(closed: EvaluationCycle, secretariat: Any) -> None:
    services.cycle_publish(actor=secretariat, cycle=closed)
    published_at = closed.published_at
    assert published_at is not None
    stale_file(closed)

    services.cycle_unpublish(actor=secretariat, cycle=closed, reason=" 数値の誤り ")

    closed.refresh_from_db()
    assert (closed.status, closed.published_at) == (CycleStatus.CLOSED, None)
    assert ReportFile.objects.filter(cycle=closed).count() == 0
    row = audit_rows("update")[-1]
    assert row.changes == {
        "status": ["published", "closed"],
        "published_at": [published_at.isoformat(), None],
    }
    assert row.detail == "報告書の公表を取り消し（理由: 数値の誤り）"
    # and it can be published again
    services.cycle_publish(actor=secretariat, cycle=closed)
    assert closed.status == CycleStatus.PUBLISHED


def test_unpublish_needs_a_reason_and_a_published_cycle(
    closed: EvaluationCycle, secretariat: Any, users: dict[str, Any]
) -> None:
    with pytest.raises(DomainError) as caught:
        services.cycle_unpublish(actor=secretariat, cycle=closed, reason="誤り")
    assert (caught.value.code, caught.value.message) == (
        "not_published",
        "令和6年度の報告書は公表していません。",
    )
    services.cycle_publish(actor=secretariat, cycle=closed)
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as caught:
        services.cycle_unpublish(actor=secretariat, cycle=closed, reason=" ")
    assert caught.value.code == "reason_required"
    with pytest.raises(PermissionRefused):
        services.cycle_unpublish(actor=users[Role.COMMITTEE_MEMBER], cycle=closed, reason="x")
    closed.refresh_from_db()
    assert closed.status == CycleStatus.PUBLISHED
    assert AuditEvent.objects.count() == before


# --- kept terms -------------------------------------------------------------------------


def test_kept_terms_are_created_updated_and_deleted_with_audit(
    kamakura: Any, secretariat: Any
) -> None:
    kept = services.kept_term_save(
        actor=secretariat, municipality=kamakura, term=" ｱｳﾄﾘｰﾁ ", explanation=" 訪ねる支援 "
    )
    assert (kept.term, kept.explanation, kept.kept_by) == (
        "アウトリーチ",
        "訪ねる支援",
        secretariat,
    )

    same = services.kept_term_save(
        actor=secretariat, municipality=kamakura, term="アウトリーチ", explanation="訪ねていく支援"
    )
    assert same.pk == kept.pk
    assert KeptTerm.objects.get().explanation == "訪ねていく支援"
    services.kept_term_delete(actor=secretariat, kept_term=same)
    assert KeptTerm.objects.count() == 0

    rows = AuditEvent.objects.filter(object_type="reports.KeptTerm").order_by("id")
    assert [(r.action, r.object_repr) for r in rows] == [
        ("create", "アウトリーチ"),
        ("update", "アウトリーチ"),
        ("delete", "アウトリーチ"),
    ]
    assert rows[1].changes == {"explanation": ["訪ねる支援", "訪ねていく支援"]}


def test_kept_term_needs_a_term_and_an_explanation(kamakura: Any, secretariat: Any) -> None:
    with pytest.raises(DomainError) as caught:
        services.kept_term_save(actor=secretariat, municipality=kamakura, term=" ", explanation="x")
    assert (caught.value.code, caught.value.message) == (
        "term_required",
        "用語解説に加える語を入力してください。",
    )
    with pytest.raises(DomainError) as caught:
        services.kept_term_save(
            actor=secretariat, municipality=kamakura, term="ニーズ", explanation="\n"
        )
    assert caught.value.code == "explanation_required"
    assert caught.value.message == (
        "「ニーズ」の解説を入力してください。報告書の用語解説に載り、読む人の助けになります。"
    )
    assert KeptTerm.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="reports.KeptTerm").exists()


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.SECRETARIAT])
def test_only_the_secretariat_keeps_terms(kamakura: Any, users: dict[str, Any], role: str) -> None:
    kept = KeptTerm.objects.create(municipality=kamakura, term="ニーズ", explanation="必要")
    with pytest.raises(PermissionRefused):
        services.kept_term_save(
            actor=users[role], municipality=kamakura, term="ニーズ", explanation="変更"
        )
    with pytest.raises(PermissionRefused):
        services.kept_term_delete(actor=users[role], kept_term=kept)
    assert list(KeptTerm.objects.values_list("term", "explanation")) == [("ニーズ", "必要")]
    assert not AuditEvent.objects.filter(object_type="reports.KeptTerm").exists()


# --- stored files of published reports --------------------------------------------------


def test_files_are_built_for_published_cycles_only(
    closed: EvaluationCycle, secretariat: Any
) -> None:
    with pytest.raises(DomainError) as caught:
        services.report_file_get_or_build(cycle=closed, fmt="csv")
    assert caught.value.code == "not_published"
    assert ReportFile.objects.count() == 0

    services.cycle_publish(actor=secretariat, cycle=closed)
    stored = services.report_file_get_or_build(cycle=closed, fmt="csv")
    assert stored.filename == "142042_2024_推進状況報告書.zip"
    assert stored.content_type == "application/zip"
    assert stored.source_published_at == closed.published_at
    assert stored.size == len(bytes(stored.content))
    names = zipfile.ZipFile(io.BytesIO(bytes(stored.content))).namelist()
    assert names == ["indicators.csv", "initiatives.csv"]
    assert services.report_file_get_or_build(cycle=closed, fmt="csv").pk == stored.pk


def test_a_file_stored_by_a_concurrent_request_is_reused(
    closed: EvaluationCycle, secretariat: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.cycle_publish(actor=secretariat, cycle=closed)
    real_render = builds._render

    def render_while_another_process_stores(*args: Any, **kwargs: Any) -> Any:
        rendered = real_render(*args, **kwargs)
        ReportFile.objects.create(
            cycle=closed,
            format="html",
            filename="other.html",
            content_type="text/html; charset=utf-8",
            content=b"<p>other</p>",
            size=12,
            sha256="1" * 64,
            source_published_at=closed.published_at,
        )
        return rendered

    monkeypatch.setattr(builds, "_render", render_while_another_process_stores)
    stored = services.report_file_get_or_build(cycle=closed, fmt="html")

    assert stored.filename == "other.html"
    assert ReportFile.objects.filter(cycle=closed, format="html").count() == 1


# --- builds -------------------------------------------------------------------------------


@pytest.fixture
def sync(settings: Any) -> None:
    settings.REPORTS_BUILD_SYNC = True


def test_a_build_reports_progress_and_ends_with_the_file(
    cycle: EvaluationCycle, secretariat: Any, sync: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[Any, Any]] = []
    real_set = builds._set

    def spy(build_id: int, **values: Any) -> None:
        seen.append((values.get("progress"), values.get("step")))
        real_set(build_id, **values)

    monkeypatch.setattr(builds, "_set", spy)
    build = services.report_build_start(actor=secretariat, cycle=cycle, fmt="csv")

    assert (build.state, build.progress, build.step, build.error) == (
        BuildState.DONE,
        100,
        "完了",
        "",
    )
    assert build.filename == "142042_2024_推進状況報告書_案.zip"
    assert build.content_type == "application/zip"
    assert build.size == len(bytes(build.content)) > 0
    assert zipfile.is_zipfile(io.BytesIO(bytes(build.content)))
    assert seen == [
        (1, "始めています"),
        (5, "データを集めています"),
        (15, "CSVの表を作っています"),
        (23, "報告書の内容を組み立てています"),
        (39, "CSV ファイルを作成しています"),
        (95, "完了しました"),
        (99, "保存しています"),
        (100, "完了"),
    ]
    assert ReportFile.objects.count() == 0  # a draft is not stored for the public
    row = AuditEvent.objects.get(object_type="reports.ReportBuild")
    assert (row.action, row.actor, row.detail) == (
        "create",
        secretariat,
        "報告書（CSV（オープンデータ）・令和6年度・案）の作成を開始",
    )


def test_a_build_of_a_published_cycle_stores_the_public_file(
    closed: EvaluationCycle, secretariat: Any, sync: None
) -> None:
    services.cycle_publish(actor=secretariat, cycle=closed)
    build = services.report_build_start(actor=secretariat, cycle=closed, fmt="html")
    stored = ReportFile.objects.get(cycle=closed, format="html")
    assert build.state == BuildState.DONE
    assert bytes(build.content) == bytes(stored.content)
    assert bytes(stored.content).startswith(b"<!DOCTYPE html>")


def test_a_failed_build_keeps_the_japanese_error(
    cycle: EvaluationCycle, secretariat: Any, sync: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_font(*args: Any, **kwargs: Any) -> Any:
        raise DomainError(code="no_font", message="日本語のフォントがありません。")

    monkeypatch.setattr(builds, "render", no_font)
    build = services.report_build_start(actor=secretariat, cycle=cycle, fmt="pdf")
    assert (build.state, build.error, build.content) == (
        BuildState.FAILED,
        "日本語のフォントがありません。",
        None,
    )

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(builds, "render", broken)
    build = services.report_build_start(actor=secretariat, cycle=cycle, fmt="pdf")
    assert build.state == BuildState.FAILED
    assert build.error == (
        "報告書を作れませんでした。時間をおいてもう一度作成してください。"
        f"続くときはシステム管理者に連絡してください（作成番号 {build.pk}）。"
    )


def test_builds_run_after_commit_in_the_background_unless_sync(
    cycle: EvaluationCycle,
    secretariat: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[int] = []
    monkeypatch.setattr(builds, "_in_background", lambda function, pk: started.append(pk))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        build = services.report_build_start(actor=secretariat, cycle=cycle, fmt="html")
    assert len(callbacks) == 1
    assert started == [build.pk]
    build.refresh_from_db()
    assert (build.state, build.progress, build.step) == (BuildState.QUEUED, 0, "待機中")

    services.report_build_run(build_id=build.pk)
    build.refresh_from_db()
    assert (build.state, build.progress) == (BuildState.DONE, 100)
    services.report_build_run(build_id=build.pk)  # a second run does nothing
    build.refresh_from_db()
    assert build.state == BuildState.DONE


def test_old_builds_are_deleted_when_a_new_one_starts(
    cycle: EvaluationCycle, secretariat: Any, sync: None
) -> None:
    old = ReportBuild.objects.create(cycle=cycle, format="csv", state=BuildState.DONE)
    recent = ReportBuild.objects.create(cycle=cycle, format="csv", state=BuildState.DONE)
    ReportBuild.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    build = services.report_build_start(actor=secretariat, cycle=cycle, fmt="csv")
    assert set(ReportBuild.objects.values_list("pk", flat=True)) == {recent.pk, build.pk}


def test_a_stalled_build_is_recognised(cycle: EvaluationCycle) -> None:
    build = ReportBuild.objects.create(cycle=cycle, format="pdf", state=BuildState.RUNNING)
    assert not services.build_is_stalled(build)
    ReportBuild.objects.filter(pk=build.pk).update(
        updated_at=timezone.now() - dt.timedelta(hours=1)
    )
    build.refresh_from_db()
    assert services.build_is_stalled(build)


def test_committee_members_build_closed_cycles_but_not_open_ones(
    cycle: EvaluationCycle, users: dict[str, Any], sync: None
) -> None:
    member = users[Role.COMMITTEE_MEMBER]
    with pytest.raises(PermissionRefused):
        services.report_build_start(actor=member, cycle=cycle, fmt="csv")
    assert ReportBuild.objects.count() == 0
    evaluations.cycle_close(actor=users[Role.SECRETARIAT], cycle=cycle, leave_unapproved=True)
    cycle.refresh_from_db()
    build = services.report_build_start(actor=member, cycle=cycle, fmt="csv")
    assert build.state == BuildState.DONE


@pytest.mark.parametrize(
    "role",
    [Role.DEPARTMENT, Role.COUNCIL_COORDINATOR, Role.COMMUNITY_GROUP, Role.SYSTEM_ADMIN],
)
def test_other_roles_build_nothing(
    closed: EvaluationCycle, users: dict[str, Any], role: str, sync: None
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionRefused):
        services.report_build_start(actor=users[role], cycle=closed, fmt="csv")
    assert ReportBuild.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_an_unknown_format_is_refused(cycle: EvaluationCycle, secretariat: Any) -> None:
    with pytest.raises(DomainError) as caught:
        services.report_build_start(actor=secretariat, cycle=cycle, fmt="docx")
    assert (
        caught.value.message
        == "形式「docx」には対応していません。html・pdf・xlsx・csv のどれかです。"
    )
    assert ReportBuild.objects.count() == 0
