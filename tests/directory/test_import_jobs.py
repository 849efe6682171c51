"""The secretariat's import screen: upload → preview (a background job) → apply (a job).

Most tests run the jobs in the request (``DIRECTORY_IMPORT_SYNC``); one runs them in their
thread, as in production. The refusals an attacker would try (another municipality, another
user, a changed file, malformed uploads, too many rows) are in
tests/security/test_directory_imports.py. The upload is a pending upload (``core.uploads``);
the apply refuses, writing nothing, when the directory changed since the preview.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from sasaeai.accounts.models import Municipality, User
from sasaeai.accounts.roles import Role
from sasaeai.audit import db_guard
from sasaeai.audit.models import AuditEvent
from sasaeai.core import uploads
from sasaeai.core.models import PendingUpload
from sasaeai.directory.importing import jobs
from sasaeai.directory.importing.service import directory_import_apply, directory_import_preview
from sasaeai.directory.models import ImportJob, Service
from tests.conftest import login
from tests.security.test_directory_imports import kaigo_csv, kaigo_row

DATA = Path(__file__).resolve().parents[1] / "data" / "directory"
IMPORT = "/staff/directory/import/"


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes(), content_type="text/csv")


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def sync(settings: Any) -> None:
    settings.DIRECTORY_IMPORT_SYNC = True


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path  # stored uploads and progress files


@pytest.fixture
def secretariat(users: dict[str, User]) -> Client:
    return login(Client(), users[Role.SECRETARIAT])


def test_preview_then_apply(secretariat: Client, sync: None) -> None:
    before = Service.objects.count()
    response = secretariat.post(IMPORT, {"file": upload("kaigo_cp932.csv"), "kind": "auto"})
    preview = ImportJob.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"{IMPORT}{preview.pk}/")
    assert (preview.mode, preview.state, preview.filename, preview.rows_total) == (
        "preview",
        "done",
        "kaigo_cp932.csv",
        4,  # data rows, one of another municipality
    )
    page = secretariat.get(response["Location"])
    result = page.context["result"]
    assert (result.ok, result.counts("service")) == (
        True,
        {"add": 3, "update": 0, "unchanged": 0, "retire": 0},
    )
    assert page.context["can_apply"]
    html = page.content.decode()
    assert "確認のみ（保存していません）: サービス 追加 3 件、変更 0 件、変更なし 0 件" in html
    assert f'<form method="post" action="{IMPORT}{preview.pk}/apply/">' in html
    assert Service.objects.count() == before  # the preview saved nothing
    pending = PendingUpload.objects.get()
    assert (pending.pk.hex, pending.purpose, pending.user_id, pending.sha256) == (
        preview.file_token,
        "directory.import",
        preview.requested_by_id,
        preview.sha256,
    )
    assert jobs.stored_path(preview.file_token).is_file()
    assert len(result.fingerprint) == 64

    response = secretariat.post(f"{IMPORT}{preview.pk}/apply/")
    applied = ImportJob.objects.get(mode="apply")
    assert response["Location"] == f"{IMPORT}{applied.pk}/"
    assert (applied.state, applied.preview_id, applied.sha256) == (
        "done",
        preview.pk,
        preview.sha256,
    )
    assert Service.objects.count() == before + 3
    page = secretariat.get(response["Location"]).content.decode()
    assert "取り込みました: サービス 追加 3 件、変更 0 件、変更なし 0 件" in page
    assert "取り込む</button>" not in page
    assert not jobs.stored_path(preview.file_token).exists()  # the file is forgotten
    assert not PendingUpload.objects.exists()
    assert list(
        AuditEvent.objects.filter(object_type__in=["directory.ImportJob", "directory.import"])
        .order_by("pk")
        .values_list("action", "object_type")
    ) == [
        ("create", "directory.ImportJob"),
        ("create", "directory.ImportJob"),
        ("import", "directory.import"),
    ]
    # the preview now links to its apply instead of offering it again
    page = secretariat.get(f"{IMPORT}{preview.pk}/").content.decode()
    assert f'<a href="{IMPORT}{applied.pk}/">このファイルの取り込み（完了）を見る</a>' in page
    assert "取り込む</button>" not in page


def test_a_file_with_errors_cannot_be_applied(secretariat: Client, sync: None) -> None:
    response = secretariat.post(IMPORT, {"file": upload("bad_missing_column.csv")})
    page = secretariat.get(response["Location"])
    assert page.context["result"].errors
    assert not page.context["can_apply"]
    assert "取り込む</button>" not in page.content.decode()
    job = ImportJob.objects.get()
    response = secretariat.post(f"{IMPORT}{job.pk}/apply/")
    assert messages_of(response) == [
        "取り込めるのは、確認が終わって誤りがなく、変更のあるファイルだけです。"
    ]
    assert ImportJob.objects.count() == 1


def test_only_the_secretariat(users: dict[str, User], secretariat: Client, sync: None) -> None:
    secretariat.post(IMPORT, {"file": upload("kaigo_cp932.csv")})
    job = ImportJob.objects.get()
    for who in (Role.COUNCIL_COORDINATOR, Role.DEPARTMENT, Role.SYSTEM_ADMIN):
        client = login(Client(), users[who])
        assert client.get(IMPORT).status_code == 403
        assert client.get(f"{IMPORT}{job.pk}/").status_code == 403
        assert client.get(f"{IMPORT}{job.pk}/progress/").status_code == 403
        assert client.post(f"{IMPORT}{job.pk}/apply/").status_code == 403
    assert (ImportJob.objects.count(), Service.objects.filter(source_kind="kaigo").count()) == (
        1,
        0,
    )


def test_an_unknown_job_is_not_found(secretariat: Client) -> None:
    for path in ("x/", "00000000-0000-0000-0000-000000000000/"):
        assert secretariat.get(IMPORT + path).status_code == 404


def test_the_upload_page_lists_the_latest_jobs(secretariat: Client, sync: None) -> None:
    secretariat.post(IMPORT, {"file": upload("kaigo_cp932.csv")})
    job = ImportJob.objects.get()
    page = secretariat.get(IMPORT).content.decode()
    assert f'<a href="{IMPORT}{job.pk}/">kaigo_cp932.csv</a></td><td>確認</td><td>完了</td>' in page
    assert (
        "この画面で取り込めるのは 20,000 行（HSDS はサービス 20,000 件）までです。"
        "それより多いファイルは、サーバーのコマンドラインで取り込みます: "
        "sasaeai directory import ファイル名 --municipality 142042"
    ) in page


def test_retire_missing_checkbox_preview_then_apply(
    secretariat: Client, kamakura: Municipality, sync: None
) -> None:
    directory_import_apply(
        actor="cli:test",
        municipality=kamakura,
        data=(DATA / "kaigo_cp932.csv").read_bytes(),
        filename="kaigo_cp932.csv",
    )
    day_service = Service.objects.get(source_kind="kaigo", source_id="0171000002")
    response = secretariat.post(
        IMPORT,
        {"file": upload("kaigo_closed_cp932.csv"), "kind": "auto", "retire_missing": "on"},
    )
    preview = ImportJob.objects.get()
    assert preview.retire_missing
    page = secretariat.get(response["Location"])
    result = page.context["result"]
    assert (result.ok, result.counts("service")) == (
        True,
        {"add": 0, "update": 0, "unchanged": 2, "retire": 1},
    )
    assert [(c.key, c.name) for c in page.context["retirements"]] == [
        ("0171000002", "ささえあいデイサービス（架空）")
    ]
    assert page.context["changes"] == result.changes[:-1]  # the table without retirements
    html = page.content.decode()
    assert "このファイルにないため「休止中」にするサービス（1件）" in html
    assert (
        "<tr><td>ささえあいデイサービス（架空）</td><td>0171000002</td><td>休止にする</td></tr>"
        in html
    )
    assert Service.objects.get(pk=day_service.pk).status == "active"  # the preview saved nothing
    response = secretariat.post(f"{IMPORT}{preview.pk}/apply/")
    assert Service.objects.get(pk=day_service.pk).status == "inactive"
    page = secretariat.get(response["Location"]).content.decode()
    assert "取り込みました: サービス 追加 0 件、変更 0 件、変更なし 2 件、休止 1 件" in page


def test_without_the_checkbox_nothing_is_retired(
    secretariat: Client, kamakura: Municipality, sync: None
) -> None:
    directory_import_apply(
        actor="cli:test",
        municipality=kamakura,
        data=(DATA / "kaigo_cp932.csv").read_bytes(),
        filename="kaigo_cp932.csv",
    )
    response = secretariat.post(IMPORT, {"file": upload("kaigo_closed_cp932.csv")})
    page = secretariat.get(response["Location"])
    assert page.context["result"].counts("service") == {
        "add": 0,
        "update": 0,
        "unchanged": 2,
        "retire": 0,
    }
    assert (page.context["retirements"], page.context["can_apply"]) == ([], False)
    assert "休止中」にするサービス" not in page.content.decode()


def test_retire_missing_with_hsds_is_refused(secretariat: Client, sync: None) -> None:
    response = secretariat.post(
        IMPORT, {"file": upload("hsds_services.json"), "kind": "hsds", "retire_missing": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "retire_missing": [
            "HSDS のファイルでは、このファイルにない情報を「休止中」にすることはできません。"
            "オープンデータの CSV のときだけ選んでください。"
        ]
    }
    assert ImportJob.objects.count() == 0
    # detected from the file (自動で判定する): refused by the import itself
    response = secretariat.post(
        IMPORT, {"file": upload("hsds_services.json"), "kind": "auto", "retire_missing": "on"}
    )
    page = secretariat.get(response["Location"])
    assert [issue.code for issue in page.context["result"].errors] == ["retire_missing_hsds"]
    assert not page.context["can_apply"]
    assert Service.objects.count() == 0


def test_one_apply_at_a_time(secretariat: Client, settings: Any) -> None:
    settings.DIRECTORY_IMPORT_SYNC = True
    secretariat.post(IMPORT, {"file": upload("kaigo_cp932.csv")})
    secretariat.post(IMPORT, {"file": upload("aed.csv")})
    first, second = ImportJob.objects.order_by("created_at")
    settings.DIRECTORY_IMPORT_SYNC = False  # the first apply stays queued (no commit in tests)
    secretariat.post(f"{IMPORT}{first.pk}/apply/")
    assert ImportJob.objects.get(mode="apply").state == "queued"
    response = secretariat.post(f"{IMPORT}{second.pk}/apply/")
    assert messages_of(response) == [
        "ほかの取り込みが実行中です。終わってから、もう一度「取り込む」を押してください。"
    ]
    assert ImportJob.objects.filter(mode="apply").count() == 1


# --- progress, stalled and failed jobs -----------------------------------------------------


def test_a_queued_job_polls_then_is_shown_failed_once_stalled(secretariat: Client) -> None:
    response = secretariat.post(IMPORT, {"file": upload("kaigo_cp932.csv")})
    job = ImportJob.objects.get()
    assert job.state == "queued"  # its thread starts on commit, which a test never reaches
    page = secretariat.get(response["Location"]).content.decode()
    progress = f"{IMPORT}{job.pk}/progress/"
    assert (
        f'<div aria-live="polite">\n  <div id="import-progress" hx-get="{progress}" '
        'hx-trigger="every 1s" hx-swap="outerHTML">'
    ) in page
    assert '<progress id="import-progress-bar" max="100" value="0">0%</progress>' in page
    fragment = secretariat.get(progress, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in fragment
    assert '<label for="import-progress-bar">待機中</label>' in fragment.content.decode()
    assert secretariat.get(progress)["Location"] == f"{IMPORT}{job.pk}/"  # without htmx

    ImportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - jobs.JOB_STALLED_AFTER - dt.timedelta(seconds=1)
    )
    page = secretariat.get(f"{IMPORT}{job.pk}/").content.decode()
    assert "hx-get" not in page
    assert (
        "確認が途中で止まりました（サーバーの再起動など）。何も変更していません。"
        "もう一度ファイルを選んでください。"
    ) in page
    fragment = secretariat.get(progress, headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true"


def test_progress_is_read_from_the_running_job(secretariat: Client, kamakura: Municipality) -> None:
    """The job's progress as its import reports it: rows done of the rows in the file."""
    response = secretariat.post(IMPORT, {"file": upload("kaigo_cp932.csv")})
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(state="running")
    job.refresh_from_db()
    seen: list[tuple[int, int, int, str]] = []
    tracker = jobs._Tracker(job.pk)

    def report(done: int, total: int, step: str) -> None:
        tracker.update(done, total, step)
        live = jobs.job_progress(job)
        seen.append((live.done, live.total, live.percent, live.step))

    directory_import_preview(
        municipality=kamakura,
        path=jobs.stored_path(job.file_token),
        filename=job.filename,
        progress=report,
    )
    assert seen == [
        (0, 0, 0, "ファイルを読んでいます"),
        (0, 4, 0, "行を確かめています"),
        (4, 4, 99, "行を確かめています"),  # one chunk; 100% only once the job is done
    ]
    page = secretariat.get(response["Location"]).content.decode()
    assert '<label for="import-progress-bar">行を確かめています（4 / 4 行、99%）</label>' in page


def test_a_job_that_raises_is_marked_failed_with_a_message(
    secretariat: Client, sync: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_loads = json.loads

    def loads(text: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(text, str) and "いきいきサロン大船" in text:
            raise MemoryError
        return real_loads(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", loads)  # the standard library, not the project
    response = secretariat.post(IMPORT, {"file": upload("hsds_services.json")})
    job = ImportJob.objects.get()
    assert job.state == "failed"
    assert job.error == (
        "取り込みの処理が止まりました。何も変更していません。もう一度ファイルを選んでください。"
        f"続くときはシステム管理者に連絡してください（取り込み番号 {job.pk}）。"
    )
    page = secretariat.get(response["Location"]).content.decode()
    assert f'<div class="error-summary" role="alert">\n  <p>{job.error}</p>' in page
    assert Service.objects.count() == 0


@pytest.fixture
def audit_guard_back(django_db_blocker: Any) -> Iterator[None]:
    """Set up before ``transactional_db``, so torn down after its flush: the audit log's
    append-only triggers are put back for the tests that follow."""
    yield
    with django_db_blocker.unblock():
        db_guard.install(connection)


@pytest.fixture
def audit_guard_lifted(transactional_db: None) -> Iterator[None]:
    """Torn down before the flush, which empties every table, the audit log included."""
    yield
    db_guard.lift(connection)


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the tests' shared in-memory SQLite database refuses a second writer at once"
    " (SQLITE_LOCKED, no busy wait): the request's session and the job's progress collide",
)
def test_jobs_run_in_a_thread_after_commit(
    audit_guard_back: None, audit_guard_lifted: None, users: dict[str, User]
) -> None:
    client = login(Client(), users[Role.SECRETARIAT])
    response = client.post(IMPORT, {"file": upload("kaigo_cp932.csv")})
    preview = ImportJob.objects.get()
    _join(preview)
    preview.refresh_from_db()
    assert (preview.state, preview.rows_done, preview.rows_total) == ("done", 4, 4)
    fragment = client.get(f"{IMPORT}{preview.pk}/progress/", headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true"
    assert "終わりました。結果を表示します。" in fragment.content.decode()
    assert client.get(response["Location"]).context["can_apply"]

    response = client.post(f"{IMPORT}{preview.pk}/apply/")
    applied = ImportJob.objects.get(mode="apply")
    _join(applied)
    applied.refresh_from_db()
    assert (applied.state, Service.objects.filter(source_kind="kaigo").count()) == ("done", 3)
    assert "取り込みました: サービス 追加 3 件" in client.get(response["Location"]).content.decode()


def _join(job: ImportJob) -> None:
    for thread in threading.enumerate():
        if thread.name == f"directory-import-{job.pk}":
            thread.join(timeout=60)


def test_the_page_lists_the_first_errors_and_counts_them_all(
    secretariat: Client, sync: None
) -> None:
    header = "NO,名称,住所,設置位置\r\n"
    rows = "".join(f"{n},,神奈川県鎌倉市大船{n},玄関\r\n" for n in range(1, 1502))
    data = (header + rows).encode("utf-8")
    response = secretariat.post(
        IMPORT, {"file": SimpleUploadedFile("aed.csv", data, content_type="text/csv")}
    )
    page = secretariat.get(response["Location"])
    result = page.context["result"]
    assert (result.error_count, len(result.errors)) == (1501, jobs.RESULT_LIMIT)
    assert result.errors[0].describe() == "2行目 列「名称」: 名称が空欄です。"
    html = page.content.decode()
    assert "取り込めませんでした（誤り 1501 件）。何も変更していません。" in html
    assert (
        "誤りは全部で 1501件です（最初の分だけ表示しています）。すべて見るには、"
        "コマンドラインで確認してください: sasaeai directory import aed.csv "
        "--municipality 142042 --dry-run --verbosity 2"
    ) in html


# --- the data changed between the preview and the apply -------------------------------------


def test_a_service_edited_in_the_database_after_the_preview_is_not_imported(
    secretariat: Client, kamakura: Municipality, sync: None
) -> None:
    """The apply compares its own change list with the preview's (the fingerprint) before it
    commits: a service changed meanwhile (not through an import) refuses the whole file."""
    directory_import_apply(
        actor="cli:test",
        municipality=kamakura,
        data=(DATA / "kaigo_cp932.csv").read_bytes(),
        filename="kaigo_cp932.csv",
    )
    response = secretariat.post(
        IMPORT, {"file": upload("kaigo_closed_cp932.csv"), "retire_missing": "on"}
    )
    preview = ImportJob.objects.get()
    assert secretariat.get(response["Location"]).context["result"].counts("service") == {
        "add": 0,
        "update": 0,
        "unchanged": 2,
        "retire": 1,
    }
    listed = Service.objects.filter(source_kind="kaigo").exclude(source_id="0171000002").first()
    assert listed is not None
    Service.objects.filter(pk=listed.pk).update(name="窓口で直した名称")
    before = sorted(Service.objects.values_list("pk", "name", "status"))
    imports = AuditEvent.objects.filter(action="import").count()

    response = secretariat.post(f"{IMPORT}{preview.pk}/apply/")
    applied = ImportJob.objects.get(mode="apply")
    result = jobs.job_result(applied)
    assert result is not None
    assert (applied.state, result.applied, result.has_changes) == ("done", False, False)
    assert [(issue.code, issue.message) for issue in result.errors] == [
        (
            "preview_outdated",
            "確認したあとで、地域資源情報が変更されました（取り込みの内容が確認のときと違います）。"
            "何も取り込んでいません。もう一度ファイルを選んで確認してください。",
        )
    ]
    assert sorted(Service.objects.values_list("pk", "name", "status")) == before
    assert AuditEvent.objects.filter(action="import").count() == imports
    page = secretariat.get(response["Location"]).content.decode()
    assert "取り込めませんでした（誤り 1 件）。何も変更していません。" in page


def test_the_apply_compares_the_values_an_update_replaces(kamakura: Municipality) -> None:
    """The same field changed to another value: the change list names the same field, but
    not the same value before, so the preview is out of date."""
    directory_import_apply(
        actor="cli:test",
        municipality=kamakura,
        data=kaigo_csv([kaigo_row(1), kaigo_row(2)]),
        filename="kaigo.csv",
    )
    data = kaigo_csv([kaigo_row(1, 介護サービス事業所名称="新しい名称（架空）"), kaigo_row(2)])
    preview = directory_import_preview(municipality=kamakura, data=data, filename="kaigo.csv")
    assert [(c.action, c.fields) for c in preview.changes_of("service", "update")] == [
        ("update", ("name",))
    ]
    Service.objects.filter(source_id="1400000001").update(name="別の人が直した名称")
    refused = directory_import_apply(
        actor="cli:test",
        municipality=kamakura,
        data=data,
        filename="kaigo.csv",
        expected_fingerprint=preview.fingerprint,
    )
    assert [issue.code for issue in refused.errors] == ["preview_outdated"]
    assert (refused.applied, refused.changes) == (False, [])
    assert Service.objects.get(source_id="1400000001").name == "別の人が直した名称"
    # previewed again, the same file imports
    again = directory_import_preview(municipality=kamakura, data=data, filename="kaigo.csv")
    assert again.fingerprint != preview.fingerprint
    result = directory_import_apply(
        actor="cli:test",
        municipality=kamakura,
        data=data,
        filename="kaigo.csv",
        expected_fingerprint=again.fingerprint,
    )
    assert result.applied
    assert Service.objects.get(source_id="1400000001").name == "新しい名称（架空）"


def test_the_web_and_the_command_refuse_the_same_oversize_file(
    secretariat: Client, kamakura: Municipality, tmp_path: Path
) -> None:
    """One limit per format (``core.uploads``; HSDS JSON: 20MB) and one message."""
    data = b"[" + b" " * (uploads.MAX_UPLOAD_BYTES["json"] - 1) + b"]"
    message = "ファイルが大きすぎます（20.0MB）。20MB 以下にしてください。"
    response = secretariat.post(
        IMPORT, {"file": SimpleUploadedFile("big.json", data, content_type="application/json")}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert (ImportJob.objects.count(), PendingUpload.objects.count()) == (0, 0)
    path = tmp_path / "big.json"
    path.write_bytes(data)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "directory", "import", str(path), "--municipality", "142042", stdout=out, stderr=err
        )
    assert (refused.value.returncode, out.getvalue(), err.getvalue()) == (1, "", message + "\n")
    result = directory_import_preview(municipality=kamakura, data=data, filename="big.json")
    assert [(issue.code, issue.message) for issue in result.errors] == [("too_large", message)]
    assert Service.objects.count() == 0
