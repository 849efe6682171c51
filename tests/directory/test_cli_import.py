"""``sasaeai directory import --retire-missing``: output lines and exit codes.

The other import CLI cases (folders, usage errors, refused rows) are in test_import_hsds.py.
"""

from __future__ import annotations

import hashlib
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from sasaeai.accounts.models import Municipality
from sasaeai.audit.models import AuditEvent
from sasaeai.directory.models import Service
from tests.directory.test_import_opendata import (
    BEFORE,
    CLOSED,
    DATA,
    build_retire_world,
    found,
    statuses,
)

SHA = hashlib.sha256((DATA / CLOSED).read_bytes()).hexdigest()[:16]
REPORT = [
    f"ファイル: {CLOSED}（SHA-256: {SHA}）",
    "  文字コード: Shift_JIS（CP932）",
    "  種類: 見出しから「介護サービス事業所一覧」（kaigo）と判定しました",
    "  このファイルにない取り込み済みの「介護サービス事業所一覧」（実施中・一時休止のもの）は「休止中」にします。",
    "サービス: 追加 0 件、変更 0 件、変更なし 2 件、休止 2 件",
    "    [休止にする] ささえあいデイサービス（架空）（識別子: 0171000002）",
    "    [休止にする] ささえあい訪問入浴（架空）（識別子: 0171000005）",
    "団体: 追加 0 件、変更 0 件、変更なし 2 件",
    "場所: 追加 0 件、変更 0 件、変更なし 2 件",
    "警告 1 件:",
    "  ほかの自治体の行（other_municipality）: 1 件",
    "    ほかの自治体の行を 1 件読み飛ばしました（列「全国地方公共団体コード」）。",
]
HSDS_REFUSED = (
    "--retire-missing はオープンデータの CSV（kaigo・kosodate・iryo・aed）でだけ使えます。"
    "HSDS のファイルは複数の発行元が同じ取込元（hsds）を使うため、"
    "1つのファイルに載っていないことは休止を意味しません。\n"
)


def run(*args: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``sasaeai directory import …``."""
    out, err = StringIO(), StringIO()
    try:
        call_command("directory", "import", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_dry_run_lists_what_would_be_retired_and_writes_nothing(
    kamakura: Municipality, fujisawa: Municipality
) -> None:
    build_retire_world(kamakura, fujisawa)
    events = AuditEvent.objects.count()
    status, out, err = run(
        str(DATA / CLOSED), "--municipality", "142042", "--retire-missing", "--dry-run"
    )
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        *REPORT,
        "確認のみ（保存していません）: サービス 追加 0 件、変更 0 件、変更なし 2 件、休止 2 件",
    ]
    assert statuses() == BEFORE
    assert AuditEvent.objects.count() == events


def test_retire_missing_applies(kamakura: Municipality, fujisawa: Municipality) -> None:
    build_retire_world(kamakura, fujisawa)
    status, out, err = run(str(DATA / CLOSED), "--municipality", "142042", "--retire-missing")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        *REPORT,
        "取り込みました: サービス 追加 0 件、変更 0 件、変更なし 2 件、休止 2 件",
    ]
    assert statuses() == {
        **BEFORE,
        ("142042", "kaigo", "0171000002"): "inactive",
        ("142042", "kaigo", "0171000005"): "inactive",
    }
    event = AuditEvent.objects.filter(action="import").order_by("-pk").first()
    assert event is not None
    assert (event.actor_label.startswith("cli:"), event.changes["service_retire"]) == (
        True,
        [None, 2],
    )
    assert found(kamakura, "ささえあいデイサービス") == []


def test_without_the_flag_nothing_is_retired(
    kamakura: Municipality, fujisawa: Municipality
) -> None:
    build_retire_world(kamakura, fujisawa)
    status, out, err = run(str(DATA / CLOSED), "--municipality", "142042")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[3:5] == [
        "サービス: 追加 0 件、変更 0 件、変更なし 2 件",
        "団体: 追加 0 件、変更 0 件、変更なし 2 件",
    ]
    assert lines[-1] == "変更はありません。"
    assert statuses() == BEFORE


def test_hsds_with_the_flag_is_a_usage_error(kamakura: Municipality) -> None:
    for args in (
        [str(DATA / "hsds_services.json")],
        [str(DATA / "hsds_services.json"), "--kind", "hsds"],
        [str(DATA / "hsds_example")],  # a datapackage folder
    ):
        status, out, err = run(*args, "--municipality", "142042", "--retire-missing")
        assert (status, out, err) == (2, "", HSDS_REFUSED)
    assert Service.objects.count() == 0


def test_a_file_without_services_is_refused(
    kamakura: Municipality, fujisawa: Municipality, tmp_path: Path
) -> None:
    build_retire_world(kamakura, fujisawa)
    events = AuditEvent.objects.count()
    header = (DATA / "kaigo_cp932.csv").read_bytes().splitlines(keepends=True)[0]
    empty = tmp_path / "kaigo_empty.csv"
    empty.write_bytes(header)
    status, out, err = run(str(empty), "--municipality", "142042", "--retire-missing")
    assert status == 1
    assert out.splitlines() == [
        f"ファイル: kaigo_empty.csv（SHA-256: {hashlib.sha256(header).hexdigest()[:16]}）",
        "  文字コード: Shift_JIS（CP932）",
        "  種類: 見出しから「介護サービス事業所一覧」（kaigo）と判定しました",
    ]
    assert err.splitlines() == [
        "このファイルには取り込めるサービスが1件もありません。"
        "このままでは取り込み済みの「介護サービス事業所一覧」がすべて休止中になるため、取り込みません。"
        "ファイルの中身と自治体コードを確かめてください。",
        "取り込めませんでした（誤り 1 件）。何も変更していません。",
    ]
    assert statuses() == BEFORE
    assert AuditEvent.objects.count() == events
