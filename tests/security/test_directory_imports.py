"""Issue 11, directory imports: what a hostile or broken file cannot do.

- a web address that is not http(s) (``javascript:``, ``data:`` …) is dropped with a warning
  naming where it was, in open-data CSVs and HSDS JSON alike, and the model refuses it too;
- control characters (NUL above all) are removed from every imported value with a warning;
- JSON nested 200,000 levels deep is refused with a clear message, on the screen and on the
  command line, nothing written;
- an import job is seen only in its municipality, applied only by the user who previewed it
  and only for the very file previewed;
- no malformed upload answers 500; a file too large for the screen is refused with the
  command line that imports it.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from sasaeai.accounts.models import Municipality, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.directory.importing import jobs
from sasaeai.directory.importing.service import directory_import_apply, directory_import_preview
from sasaeai.directory.models import (
    Accessibility,
    ImportJob,
    Location,
    Organization,
    Service,
    Taxonomy,
    TaxonomyTerm,
)
from tests.conftest import login

WEB_URL_MESSAGE = "https:// から始まるアドレスを入力してください。"
KAIGO_HEADER = [
    "都道府県コード又は市区町村コード", "NO", "介護サービス事業所名称", "介護サービス事業所名称_カナ",
    "実施サービス", "住所", "電話番号", "事業所番号", "URL", "備考",
]  # fmt: skip


def kaigo_row(number: int, **cells: str) -> list[str]:
    values = {
        "NO": str(number),
        "介護サービス事業所名称": f"事業所{number}（架空）",
        "介護サービス事業所名称_カナ": f"ジギョウショ{number}",
        "実施サービス": "訪問介護",
        "住所": f"神奈川県鎌倉市大船{number}-1",
        "電話番号": f"0467-00-{number:04d}",
        "事業所番号": f"14{number:08d}",
        "URL": "",
        "備考": "",
        **cells,
    }
    return ["142042"] + [values[column] for column in KAIGO_HEADER[1:]]


def kaigo_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(KAIGO_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def hsds_service(**fields: Any) -> dict[str, Any]:
    service: dict[str, Any] = {
        "id": "7c1e0f3a-2b4d-4e6f-8a9b-0c1d2e3f4a01",
        "name": "見守りサロン（架空）",
        "description": "お茶の会です。",
        "organization": {
            "id": "7c1e0f3a-2b4d-4e6f-8a9b-0c1d2e3f4a10",
            "name": "見守りの会（架空）",
        },
        "service_at_locations": [
            {
                "id": "7c1e0f3a-2b4d-4e6f-8a9b-0c1d2e3f4a40",
                "location": {
                    "id": "7c1e0f3a-2b4d-4e6f-8a9b-0c1d2e3f4a50",
                    "name": "大船会館（架空）",
                },
            }
        ],
    }
    service.update(fields)
    return service


def hsds_json(*services: dict[str, Any]) -> bytes:
    return json.dumps(list(services), ensure_ascii=False).encode("utf-8")


def described(issues: Any) -> list[str]:
    return [issue.describe() for issue in issues]


@pytest.fixture(autouse=True)
def sync(settings: Any) -> None:
    settings.DIRECTORY_IMPORT_SYNC = True


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path  # stored uploads and progress files


# --- point 10: web addresses ------------------------------------------------------------


def test_opendata_csv_urls_that_are_not_http_are_dropped_with_a_warning(
    kamakura: Municipality,
) -> None:
    data = kaigo_csv(
        [
            kaigo_row(1, URL="javascript:alert(document.cookie)"),
            kaigo_row(2, URL="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
            kaigo_row(3, URL="https://example.jp/ok"),
        ]
    )
    result = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=data, filename="kaigo.csv"
    )
    assert result.errors == []
    assert described(w for w in result.warnings if w.code == "url") == [
        "2行目 列「URL」: 「javascript:alert(document.cookie)」は URL として使えないため読み飛ばしました。"
        + WEB_URL_MESSAGE,
        "3行目 列「URL」: 「data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==」は URL "
        "として使えないため読み飛ばしました。" + WEB_URL_MESSAGE,
    ]
    assert result.counts("service") == {"add": 3, "update": 0, "unchanged": 0, "retire": 0}
    assert sorted(Service.objects.values_list("source_id", "url")) == [
        ("1400000001", ""),
        ("1400000002", ""),
        ("1400000003", "https://example.jp/ok"),
    ]
    assert sorted(Location.objects.values_list("url", flat=True)) == [
        "",
        "",
        "https://example.jp/ok",
    ]


def test_hsds_urls_that_are_not_http_are_dropped_with_a_warning(kamakura: Municipality) -> None:
    service = hsds_service(url="javascript:alert(1)")
    service["organization"]["website"] = "data:text/html,<script>alert(1)</script>"
    service["service_at_locations"][0]["location"]["url"] = "vbscript:msgbox(1)"
    result = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=hsds_json(service), filename="x.json"
    )
    assert result.errors == []
    assert described(w for w in result.warnings if w.code == "url") == [
        "シート「services[0]」 列「organization.website」: 「data:text/html,<script>alert(1)</script>」"
        "は URL として使えないため読み飛ばしました。" + WEB_URL_MESSAGE,
        "シート「services[0]」 列「service_at_locations[0].location.url」: 「vbscript:msgbox(1)」"
        "は URL として使えないため読み飛ばしました。" + WEB_URL_MESSAGE,
        "シート「services[0]」 列「url」: 「javascript:alert(1)」は URL として使えないため読み飛ばしました。"
        + WEB_URL_MESSAGE,
    ]
    assert list(Service.objects.values_list("name", "url")) == [("見守りサロン（架空）", "")]
    assert list(Organization.objects.values_list("website", flat=True)) == [""]
    assert list(Location.objects.values_list("url", flat=True)) == [""]


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Organization, "website"),
        (Service, "url"),
        (Location, "url"),
        (Accessibility, "url"),
        (Taxonomy, "uri"),
        (TaxonomyTerm, "term_uri"),
    ],
)
def test_model_validation_refuses_addresses_that_are_not_http(
    kamakura: Municipality, model: Any, field: str
) -> None:
    for value, messages in (
        ("ftp://example.jp/file.txt", [WEB_URL_MESSAGE]),
        ("javascript:alert(1)", ["URLを正しく入力してください。", WEB_URL_MESSAGE]),
    ):
        obj = model(municipality=kamakura, **{field: value})
        with pytest.raises(ValidationError) as refused:
            obj.clean_fields()
        assert refused.value.message_dict[field] == messages
    model(municipality=kamakura, **{field: "https://example.jp/"}).clean_fields(
        exclude=[f.name for f in model._meta.fields if f.name != field]
    )


# --- point 12 (a): control characters ----------------------------------------------------


def test_nul_and_control_characters_in_csv_cells_are_removed_with_a_warning(
    kamakura: Municipality,
) -> None:
    data = kaigo_csv(
        [
            kaigo_row(
                1, 介護サービス事業所名称="ささえあい\x00訪問介護（架空）", 備考="送迎\x1bあり"
            ),
            kaigo_row(2, 住所="神奈川県鎌倉市大船2-1\x07\x00"),
        ]
    )
    result = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=data, filename="kaigo.csv"
    )
    assert result.errors == []
    assert described(w for w in result.warnings if w.code == "control_character") == [
        "2行目 列「介護サービス事業所名称」: 制御文字（U+0000）を取り除きました。",
        "2行目 列「備考」: 制御文字（U+001B）を取り除きました。",
        "3行目 列「住所」: 制御文字（U+0000、U+0007）を取り除きました。",
    ]
    assert sorted(Service.objects.values_list("name", "description")) == [
        ("ささえあい訪問介護（架空）", "実施サービス: 訪問介護\n送迎あり"),
        ("事業所2（架空）", "実施サービス: 訪問介護"),
    ]
    assert Location.objects.get(source_id="1400000002").addresses.get().address_1 == "大船2-1"


def test_control_characters_in_hsds_strings_are_removed_with_a_warning(
    kamakura: Municipality,
) -> None:
    service = hsds_service(name="見守り\x00サロン（架空）", description="お茶\x1fの会\ttab")
    service["organization"]["name"] = "見守りの会\x08（架空）"
    service["service_at_locations"][0]["location"]["name"] = "大船\x00会館（架空）"
    result = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=hsds_json(service), filename="x.json"
    )
    assert result.errors == []
    assert sorted(described(w for w in result.warnings if w.code == "control_character")) == [
        "シート「services[0]」 列「description」: 制御文字（U+001F）を取り除きました。",
        "シート「services[0]」 列「name」: 制御文字（U+0000）を取り除きました。",
        "シート「services[0]」 列「organization.name」: 制御文字（U+0008）を取り除きました。",
        "シート「services[0]」 列「service_at_locations[0].location.name」: 制御文字（U+0000）を取り除きました。",
    ]
    assert list(Service.objects.values_list("name", "description")) == [
        ("見守りサロン（架空）", "お茶の会\ttab")
    ]
    assert list(Organization.objects.values_list("name", flat=True)) == ["見守りの会（架空）"]
    assert list(Location.objects.values_list("name", flat=True)) == ["大船会館（架空）"]


# --- point 12 (b): JSON nested too deep ---------------------------------------------------

DEEP_MESSAGE = (
    "JSON の入れ子が深すぎます（1行目 {column}文字目で 64 段を超えています）。"
    "HSDS のファイルの入れ子は十数段までです。ファイルが壊れていないか確かめてください。"
)


def test_json_nested_200000_deep_is_refused_with_a_clear_error(kamakura: Municipality) -> None:
    for data, column in ((b"[" * 200_000, 65), (b'{"a":' * 200_000, 321)):
        message = DEEP_MESSAGE.format(column=column)
        preview = directory_import_preview(municipality=kamakura, data=data, filename="deep.json")
        assert [(e.code, e.message) for e in preview.errors] == [("json_depth", message)]
        result = directory_import_apply(
            actor="cli:test", municipality=kamakura, data=data, filename="deep.json"
        )
        assert (described(result.errors), result.applied) == ([message], False)
    assert (Service.objects.count(), Organization.objects.count()) == (0, 0)


def test_json_nested_200000_deep_on_the_command_line_exits_non_zero(
    kamakura: Municipality, tmp_path: Path
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 200_000)
    events = AuditEvent.objects.count()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "directory", "import", str(deep), "--municipality", "142042", stdout=out, stderr=err
        )
    assert failed.value.returncode == 1
    assert err.getvalue().splitlines() == [
        DEEP_MESSAGE.format(column=65),
        "取り込めませんでした（誤り 1 件）。何も変更していません。",
    ]
    assert (Service.objects.count(), AuditEvent.objects.count()) == (0, events)


# --- import jobs: who sees and applies them ----------------------------------------------


def upload(client: Client, name: str, data: bytes, **fields: str) -> Any:
    return client.post(
        "/staff/directory/import/",
        {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "kind": "auto", **fields},
    )


@pytest.fixture
def previewed(users: dict[str, User]) -> tuple[Client, ImportJob]:
    """The Kamakura secretariat's preview of a two-row CSV (nothing written yet)."""
    client = login(Client(), users[Role.SECRETARIAT])
    response = upload(client, "kaigo.csv", kaigo_csv([kaigo_row(1), kaigo_row(2)]))
    job = ImportJob.objects.get()
    assert response["Location"] == f"/staff/directory/import/{job.pk}/"
    assert (job.state, job.result["change_counts"]) == (
        "done",
        [["location", "add", 2], ["organization", "add", 2], ["service", "add", 2]],
    )
    return client, job


def test_another_municipality_cannot_see_or_apply_an_import_job(
    previewed: tuple[Client, ImportJob], chiyoda_users: dict[str, User]
) -> None:
    _owner, job = previewed
    other = login(Client(), chiyoda_users[Role.SECRETARIAT])
    base = f"/staff/directory/import/{job.pk}/"
    assert other.get(base).status_code == 404
    assert other.get(base + "progress/", headers={"HX-Request": "true"}).status_code == 404
    assert other.post(base + "apply/").status_code == 404
    assert "kaigo.csv" not in other.get("/staff/directory/import/").content.decode()
    assert (ImportJob.objects.count(), Service.objects.count()) == (1, 0)


def test_another_user_cannot_apply_someone_elses_preview(
    previewed: tuple[Client, ImportJob], make_user: Callable[..., User]
) -> None:
    _owner, job = previewed
    colleague = login(Client(), make_user(Role.SECRETARIAT, username="jimukyoku-2"))
    page = colleague.get(f"/staff/directory/import/{job.pk}/").content.decode()
    assert "取り込む</button>" not in page
    assert "取り込めるのは、このファイルを選んで確認した職員だけです。" in page
    response = colleague.post(f"/staff/directory/import/{job.pk}/apply/")
    assert response["Location"] == f"/staff/directory/import/{job.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "この確認はほかの職員が始めたものです。取り込むには、ご自分でファイルを選んで確認してください。"
    ]
    assert (ImportJob.objects.count(), Service.objects.count()) == (1, 0)


def test_apply_refuses_a_stored_file_that_changed_since_the_preview(
    previewed: tuple[Client, ImportJob],
) -> None:
    owner, job = previewed
    stored = jobs.stored_path(job.file_token)
    stored.write_bytes(
        kaigo_csv([kaigo_row(1), kaigo_row(2), kaigo_row(3, URL="https://evil.example/")])
    )
    response = owner.post(f"/staff/directory/import/{job.pk}/apply/")
    assert response["Location"] == f"/staff/directory/import/{job.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "確認したファイルが見つからないか、確認したときと内容が違います（SHA-256 が一致しません）。"
        "何も取り込んでいません。もう一度ファイルを選んで確認してください。"
    ]
    assert (ImportJob.objects.count(), Service.objects.count()) == (1, 0)


def test_a_preview_is_applied_once(previewed: tuple[Client, ImportJob]) -> None:
    owner, job = previewed
    response = owner.post(f"/staff/directory/import/{job.pk}/apply/")
    applied = ImportJob.objects.get(mode="apply")
    assert response["Location"] == f"/staff/directory/import/{applied.pk}/"
    assert (applied.state, applied.preview_id, Service.objects.count()) == ("done", job.pk, 2)
    response = owner.post(f"/staff/directory/import/{job.pk}/apply/")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "このファイルはもう取り込みを始めています。"
    ]
    assert (ImportJob.objects.count(), Service.objects.count()) == (2, 2)


# --- malformed uploads and the row limit ---------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _zip_with_bad_crc() -> bytes:
    data = bytearray(_zip({"datapackage.json": b"{}", "services.csv": b"id,name\r\n1,a\r\n"}))
    offset = data.index(b"PK\x01\x02") + 16  # the central directory's CRC-32 of the first member
    data[offset : offset + 4] = b"\x00\x00\x00\x00"
    return bytes(data)


def _zip_bomb() -> bytes:
    """A datapackage whose services.csv unpacks to 201 MB of zeros (200 KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", b"{}")
        with archive.open("services.csv", "w", force_zip64=True) as member:
            block = b"0" * 1_000_000
            for _step in range(201):
                member.write(block)
    return buffer.getvalue()


MALFORMED = [
    (
        "random.csv",
        bytes(range(128, 256)) * 8,
        "文字コードを判別できません（6 バイト目）。UTF-8、UTF-8（BOM付き）、Shift_JIS（CP932）、UTF-16（BOM付き）のいずれかで保存してください。",
    ),
    ("blank.csv", b"\r\n\r\n  \r\n", "ファイルに見出しの行がありません。"),
    (
        "quote.csv",
        kaigo_csv([]) + b'"' + b"x" * 200_000 + b"\r\n",
        "2行目: CSV として読めません（field larger than field limit (131072)）。",
    ),
    (
        "header.csv",
        b"\x00foo,bar\r\n1,2\r\n",
        "1行目: 見出しからデータセットの種類を判別できません。--kind で kaigo・kosodate・iryo・aed のいずれかを指定してください。",
    ),
    (
        "null.json",
        b"null",
        "HSDS のサービス（オブジェクト、その配列、または contents を持つ一覧）ではありません。",
    ),
    (
        "numbers.json",
        b"[1, 2]",
        "HSDS のサービス（オブジェクト、その配列、または contents を持つ一覧）ではありません。",
    ),
    (
        "broken.json",
        b'[{"id": "1",',
        "JSON として読めません（1行目 13文字目: Expecting property name enclosed in double quotes）。",
    ),
    ("deep.json", b"[" * 200_000, DEEP_MESSAGE.format(column=65)),
    ("broken.zip", b"PK\x03\x04" + b"\x00" * 100, "ZIP ファイルとして読めません。"),
    ("crc.zip", _zip_with_bad_crc(), "ZIP ファイルとして読めません。"),
    (
        "deep-package.zip",
        _zip({"datapackage.json": b"[" * 200_000}),
        "datapackage.json を JSON として読めません。",
    ),
    (
        "package.zip",
        _zip({"datapackage.json": b"{}", "services.csv": b"id,name\r\n\x81\x00,\xff\r\n"}),
        "シート「services.csv」: 文字コードを判別できません（10 バイト目）。UTF-8、UTF-8（BOM付き）、Shift_JIS（CP932）、UTF-16（BOM付き）のいずれかで保存してください。",
    ),
]


@pytest.mark.parametrize(("name", "data", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_upload_is_refused_with_a_message_never_a_500(
    users: dict[str, User], name: str, data: bytes, message: str
) -> None:
    client = login(Client(), users[Role.SECRETARIAT])
    response = upload(client, name, data)
    job = ImportJob.objects.get()
    assert response["Location"] == f"/staff/directory/import/{job.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    result = page.context["result"]
    assert (job.state, described(result.errors), result.applied) == ("done", [message], False)
    assert "取り込む</button>" not in page.content.decode()
    assert (Service.objects.count(), Organization.objects.count()) == (0, 0)


def test_a_zip_bomb_is_refused_unread(users: dict[str, User]) -> None:
    client = login(Client(), users[Role.SECRETARIAT])
    response = upload(client, "bomb.zip", _zip_bomb())
    page = client.get(response["Location"])
    assert described(page.context["result"].errors) == [
        "ZIP の中身が大きすぎます（展開すると 201MB、上限は 200MB）。"
    ]


def test_a_file_name_with_control_characters_is_stored_clean(users: dict[str, User]) -> None:
    client = login(Client(), users[Role.SECRETARIAT])
    response = upload(client, "kai\x1bgo\x00.csv", kaigo_csv([kaigo_row(1)]))
    assert response.status_code == 302
    assert ImportJob.objects.get().filename == "kaigo.csv"


def test_the_screen_refuses_more_rows_than_its_limit_and_gives_the_command_line(
    users: dict[str, User],
) -> None:
    rows = [kaigo_row(n) for n in range(1, jobs.WEB_ROW_LIMIT + 2)]
    client = login(Client(), users[Role.SECRETARIAT])
    response = upload(client, "kaigo 全件.csv", kaigo_csv(rows), retire_missing="on")
    page = client.get(response["Location"])
    assert described(page.context["result"].errors) == [
        "このファイルにはデータが 20,001 行あります。画面から取り込めるのは 20,000 行"
        "（HSDS はサービス 20,000 件）までです。サーバーのコマンドラインで取り込んでください"
        "（行数の上限はありません）: sasaeai directory import 'kaigo 全件.csv' "
        "--municipality 142042 --retire-missing"
    ]
    assert (Service.objects.count(), Organization.objects.count()) == (0, 0)


# --- after a bulk import: planner statistics (PostgreSQL) ---------------------------------


def test_an_import_analyzes_the_tables_it_filled_once_committed(
    kamakura: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    data = kaigo_csv([kaigo_row(n) for n in range(1, 6)])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = directory_import_apply(
            actor="cli:test", municipality=kamakura, data=data, filename="kaigo.csv"
        )
    assert (result.applied, len(callbacks)) == (True, 1)
    if connection.vendor != "postgresql":
        return  # SQLite plans without table statistics: nothing to refresh
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('directory_service', 'directory_location', 'directory_searchentry', "
            "'directory_searchtext') ORDER BY relname"
        )
        assert cursor.fetchall() == [
            ("directory_location", 5.0),
            ("directory_searchentry", 5.0),
            ("directory_searchtext", 5.0),
            ("directory_service", 5.0),
        ]
