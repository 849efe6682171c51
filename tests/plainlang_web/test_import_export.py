"""Importing a settings file: preview, confirm, all or nothing; exporting YAML and CSV.

The web flow is the one of every import (``core.uploads``): the upload is a pending upload of
the user who chose it, and the confirmation saves only the preview it carries the
fingerprint of — settings changed since are refused and nothing changes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from sasaeai.accounts.models import Municipality, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.core import uploads
from sasaeai.core.models import PendingUpload
from sasaeai.plainlang import selectors, services
from sasaeai.plainlang.engine import Config
from sasaeai.plainlang.importing import ConfigImportError, preview_import
from sasaeai.plainlang.models import AllowedWord, CheckSettings, GlossaryTerm, PreferredExpression
from tests.conftest import login
from tests.plainlang_web.conftest import KAMAKURA_YAML

NEW_CSV = (
    "種別,語句,言い換え,備考,重要度,正規表現\r\n"
    "用語集,アウトリーチ,訪問支援,,,\r\n"
    "用語集,ワンストップ,一か所で,,,\r\n"
    "許可語,ヨリドコロ,,,,\r\n"
    "規則,comma-count,off,,,\r\n"
    "規則,redundant,on,,warning,\r\n"
    "設定,sentence_length_info,50,,,\r\n"
    "設定,sentence_length_warning,90,,,\r\n"
)


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path  # pending uploads
    return tmp_path


def _confirm_url(response: Any) -> str:
    """The preview page the upload sent the user to (``?upload=<id>``)."""
    pending = PendingUpload.objects.latest("created_at")
    assert (response.status_code, response["Location"]) == (
        302,
        f"/staff/plainlang/import/confirm/?upload={pending.pk}",
    )
    return str(response["Location"])


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _state() -> tuple[object, ...]:
    return (
        sorted(GlossaryTerm.objects.values_list("term", "paraphrase", "note")),
        sorted(PreferredExpression.objects.values_list("pattern", "preferred")),
        sorted(AllowedWord.objects.values_list("word", flat=True)),
        list(CheckSettings.objects.values_list("rules", "sentence_length_info", "comma_max")),
        AuditEvent.objects.count(),
    )


def test_preview_counts_and_writes_nothing(configured: Municipality) -> None:
    before = _state()
    preview = preview_import(
        municipality=configured, data=NEW_CSV.encode("cp932"), filename="C:\\職員\\新しい.csv"
    )
    assert preview.filename == "新しい.csv"
    assert preview.counts == {"added": 1, "changed": 1, "removed": 2}
    assert [(c.kind, c.key, c.before, c.after) for c in preview.added] == [
        ("glossary", "ワンストップ", None, "一か所で")
    ]
    assert [(c.kind, c.key, c.before, c.after) for c in preview.changed] == [
        ("glossary", "アウトリーチ", "訪問による支援（備考: 推進委員会で決定）", "訪問支援")
    ]
    assert [(c.kind, c.key) for c in preview.removed] == [
        ("glossary", "プラットフォーム"),
        ("expression", "周知を図"),
    ]
    assert preview.unchanged == 1
    assert _state() == before


def test_import_replaces_everything_and_is_audited(configured: Municipality) -> None:
    start = AuditEvent.objects.count()
    result = services.plainlang_config_import(
        actor="system:cli", municipality=configured, data=NEW_CSV.encode(), filename="new.csv"
    )
    assert result.counts == {"added": 1, "changed": 1, "removed": 2}
    assert selectors.config_for(configured) == Config.from_csv(NEW_CSV)
    events = list(
        AuditEvent.objects.order_by("id")[start:].values_list(
            "actor_label", "action", "object_type", "detail"
        )
    )
    detail = "設定ファイル「new.csv」から取込"
    assert events == [
        ("system:cli", "delete", "plainlang.GlossaryTerm", detail),
        ("system:cli", "update", "plainlang.GlossaryTerm", detail),
        ("system:cli", "create", "plainlang.GlossaryTerm", detail),
        ("system:cli", "delete", "plainlang.PreferredExpression", detail),
        ("system:cli", "import", "plainlang.Config", f"{detail}（追加 1・変更 1・削除 2）"),
    ]


def test_importing_the_same_settings_again_writes_nothing(configured: Municipality) -> None:
    before = _state()
    result = services.plainlang_config_import(
        actor="test", municipality=configured, data=KAMAKURA_YAML.encode(), filename="k.yaml"
    )
    assert (result.has_changes, result.unchanged) == (False, 4)
    assert _state() == before


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        (
            "bad.csv",
            "kind,term,replacement,note,severity,regex\r\n"
            "glossary,アウトリーチ,訪問支援,,,\r\n"
            "expression,周知を図,広く知らせ,,fatal,\r\n",
            "ファイル「bad.csv」 3行目 列「severity」: 重要度「fatal」は使えません。"
            "error、warning、info のどれかを指定してください。",
        ),
        (
            "bad.csv",
            "kind,term,replacement\r\nglossary,アウトリーチ,\r\n",
            "ファイル「bad.csv」 2行目 列「replacement」: paraphrase が空です。",
        ),
        (
            "bad.yaml",
            "glossary:\n  - term: アウトリーチ\n    paraphrase: 訪問\n    color: red\n",
            "ファイル「bad.yaml」 4行目 項目「color」: 「color」という項目はありません。"
            "使える項目は note、paraphrase、term です。",
        ),
        (
            "twice.yaml",
            "glossary:\n  - {term: ア, paraphrase: イ}\n  - {term: ア, paraphrase: ウ}\n",
            "ファイル「twice.yaml」: 用語集の語「ア」が 2 回以上書かれています。1 つにまとめてください。",
        ),
        (
            "settings.txt",
            "",
            "ファイル「settings.txt」: 設定ファイルは .yaml、.yml、.csv のどれかにしてください。",
        ),
    ],
)
def test_bad_file_names_row_and_column_and_changes_nothing(
    configured: Municipality, filename: str, data: str, message: str
) -> None:
    before = _state()
    with pytest.raises(ConfigImportError) as caught:
        services.plainlang_config_import(
            actor="test", municipality=configured, data=data.encode(), filename=filename
        )
    assert str(caught.value) == message
    assert _state() == before


def test_import_pages_preview_then_confirm(
    users: dict[str, User],
    client_for: Callable[[User], Client],
    configured: Municipality,
    var_dir: Path,
) -> None:
    client = client_for(users[Role.SECRETARIAT])
    before = _state()
    upload = SimpleUploadedFile("新しい.csv", NEW_CSV.encode("utf-8-sig"))
    url = _confirm_url(client.post("/staff/plainlang/import/", {"file": upload}))
    pending = PendingUpload.objects.get()
    assert (pending.purpose, pending.user_id, pending.filename, pending.file_format) == (
        "plainlang.settings",
        users[Role.SECRETARIAT].pk,
        "新しい.csv",
        "text",
    )
    page = client.get(url)
    text = page.content.decode()
    assert "追加 1 件・変更 1 件・削除 2 件" in text
    assert "ワンストップ" in text and "プラットフォーム" in text
    fingerprint = page.context["preview"].fingerprint
    assert f'<input type="hidden" name="fingerprint" value="{fingerprint}">' in text
    assert _state() == before  # nothing saved before confirming
    stale = client.post(url, {"fingerprint": "old", "confirm": ""})
    assert "確認のあとで設定が変わりました" in stale.content.decode()
    assert _state() == before
    response = client.post(url, {"fingerprint": fingerprint, "confirm": ""})
    assert (response.status_code, response["Location"]) == (302, "/staff/plainlang/")
    assert selectors.config_for(configured) == Config.from_csv(NEW_CSV)
    event = AuditEvent.objects.latest("id")
    assert (event.actor_id, event.action, event.detail) == (
        users[Role.SECRETARIAT].pk,
        "import",
        "設定ファイル「新しい.csv」から取込（追加 1・変更 1・削除 2）",
    )
    # The pending file is gone once used.
    assert not PendingUpload.objects.exists()
    assert list((var_dir / "uploads").iterdir()) == []
    assert client.get(url)["Location"] == "/staff/plainlang/import/"


def test_a_glossary_term_edited_after_the_preview_is_refused(
    users: dict[str, User], client_for: Callable[[User], Client], configured: Municipality
) -> None:
    """Changed directly in the database (not through the screens): the comparison made again
    at the confirmation differs from the one confirmed, so nothing is saved."""
    client = client_for(users[Role.SECRETARIAT])
    upload = SimpleUploadedFile("新しい.csv", NEW_CSV.encode("utf-8"))
    url = _confirm_url(client.post("/staff/plainlang/import/", {"file": upload}))
    fingerprint = client.get(url).context["preview"].fingerprint
    GlossaryTerm.objects.filter(municipality=configured, term="アウトリーチ").update(
        paraphrase="出向いての支援"
    )
    before = _state()
    response = client.post(url, {"fingerprint": fingerprint, "confirm": ""})
    assert response.status_code == 200
    assert _messages(response) == [
        "確認のあとで設定が変わりました。新しい差分を確かめてから、もう一度取り込んでください。何も保存していません。"
    ]
    assert _state() == before
    # the page shows the differences as they are now
    changed = response.context["preview"].changed
    assert [(c.key, c.before, c.after) for c in changed] == [
        ("アウトリーチ", "出向いての支援（備考: 推進委員会で決定）", "訪問支援")
    ]
    assert response.context["preview"].fingerprint != fingerprint


def test_the_service_refuses_an_outdated_preview(configured: Municipality) -> None:
    preview = preview_import(municipality=configured, data=NEW_CSV.encode(), filename="n.csv")
    AllowedWord.objects.create(municipality=configured, word="ミマモリ")
    before = _state()
    with pytest.raises(ConfigImportError) as refused:
        services.plainlang_config_import(
            actor="test",
            municipality=configured,
            data=NEW_CSV.encode(),
            filename="n.csv",
            expected_fingerprint=preview.fingerprint,
        )
    assert (refused.value.code, str(refused.value)) == (
        "preview_outdated",
        "ファイル「n.csv」: 確認のあとで設定が変わりました。新しい差分を確かめてから、もう一度取り込んでください。何も保存していません。",
    )
    assert _state() == before


def test_another_users_upload_is_refused(
    users: dict[str, User],
    client_for: Callable[[User], Client],
    configured: Municipality,
    make_user: Callable[..., User],
) -> None:
    owner = client_for(users[Role.SECRETARIAT])
    url = _confirm_url(
        owner.post(
            "/staff/plainlang/import/", {"file": SimpleUploadedFile("n.csv", NEW_CSV.encode())}
        )
    )
    fingerprint = owner.get(url).context["preview"].fingerprint
    colleague = login(Client(), make_user(Role.SECRETARIAT, username="jimukyoku-2"))
    before = _state()
    for response in (
        colleague.get(url, follow=True),
        colleague.post(url, {"fingerprint": fingerprint, "confirm": ""}, follow=True),
        colleague.post(url, {"cancel": ""}, follow=True),
    ):
        assert response.redirect_chain == [("/staff/plainlang/import/", 302)]
        assert _messages(response) == [
            "この確認はほかの職員が始めたものです。取り込むには、ご自分でファイルを選んで確認してください。"
        ]
    assert _state() == before
    assert PendingUpload.objects.count() == 1


def test_the_web_and_the_command_refuse_the_same_oversize_file(
    users: dict[str, User],
    client_for: Callable[[User], Client],
    configured: Municipality,
    tmp_path: Path,
) -> None:
    """One limit (``core.uploads``, settings files: 1MB) and one message, web and CLI."""
    data = b"#" * uploads.MAX_UPLOAD_BYTES["text"] + b"\n"
    message = "ファイル「big.yaml」: ファイルが大きすぎます（1.0MB）。1MB 以下にしてください。"
    before = _state()
    client = client_for(users[Role.SECRETARIAT])
    response = client.post(
        "/staff/plainlang/import/", {"file": SimpleUploadedFile("big.yaml", data)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert not PendingUpload.objects.exists()
    path = tmp_path / "big.yaml"
    path.write_bytes(data)
    with pytest.raises(CommandError) as refused:
        call_command("plain", "import-config", str(path), "--municipality", "142042")
    assert (refused.value.returncode, str(refused.value)) == (2, message)
    with pytest.raises(ConfigImportError) as raised:
        services.plainlang_config_import(
            actor="test", municipality=configured, data=data, filename="big.yaml"
        )
    assert str(raised.value) == message
    assert _state() == before


def test_import_can_be_cancelled(
    users: dict[str, User], client_for: Callable[[User], Client], configured: Municipality
) -> None:
    client = client_for(users[Role.SECRETARIAT])
    before = _state()
    url = _confirm_url(
        client.post(
            "/staff/plainlang/import/", {"file": SimpleUploadedFile("n.csv", NEW_CSV.encode())}
        )
    )
    response = client.post(url, {"cancel": ""})
    assert response["Location"] == "/staff/plainlang/"
    assert _state() == before
    assert not PendingUpload.objects.exists()


def test_import_page_shows_the_place_of_a_mistake(
    users: dict[str, User], client_for: Callable[[User], Client], configured: Municipality
) -> None:
    client = client_for(users[Role.SECRETARIAT])
    before = _state()
    bad = SimpleUploadedFile("bad.csv", b"kind,term,replacement\r\nglossary,X,\r\n")
    response = client.post("/staff/plainlang/import/", {"file": bad})
    assert response.status_code == 200
    assert "ファイル「bad.csv」 2行目 列「replacement」: paraphrase が空です。" in (
        response.content.decode()
    )
    assert _state() == before


@pytest.mark.parametrize(
    ("fmt", "content_type", "read"),
    [
        ("yaml", "application/yaml; charset=utf-8", lambda b: Config.from_yaml(b.decode())),
        ("csv", "text/csv; charset=utf-8", lambda b: Config.from_csv(b.decode("utf-8-sig"))),
    ],
)
def test_export_round_trips(
    users: dict[str, User],
    client_for: Callable[[User], Client],
    configured: Municipality,
    fmt: str,
    content_type: str,
    read: Callable[[bytes], Config],
) -> None:
    response = client_for(users[Role.SECRETARIAT]).get(f"/staff/plainlang/export/{fmt}/")
    assert (response["Content-Type"], response["Content-Disposition"]) == (
        content_type,
        f'attachment; filename="plainlang-142042.{fmt}"',
    )
    assert read(response.content) == selectors.config_for(configured)
    if fmt == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM


def test_cli_export_and_import(configured: Municipality, tmp_path: object) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "kamakura.csv"
    call_command("plain", "export-config", "--municipality", "142042", "-o", str(target))
    assert Config.from_file(target) == selectors.config_for(configured)

    source = Path(str(tmp_path)) / "new.csv"
    source.write_text(NEW_CSV, encoding="cp932")
    before = _state()
    out = io.StringIO()
    call_command(
        "plain", "import-config", str(source), "--municipality", "142042", "--dry-run", stdout=out
    )
    assert out.getvalue().splitlines()[0] == "追加 1 件・変更 1 件・削除 2 件"
    assert "（--dry-run のため保存していません）" in out.getvalue()
    assert _state() == before
    call_command("plain", "import-config", str(source), "--municipality", "142042", stdout=out)
    assert selectors.config_for(configured) == Config.from_csv(NEW_CSV)
    assert AuditEvent.objects.latest("id").actor_label == "system:cli"


def test_cli_import_errors_exit_2(configured: Municipality, tmp_path: object) -> None:
    from pathlib import Path

    bad = Path(str(tmp_path)) / "bad.csv"
    bad.write_text("kind,term,replacement\r\nglossary,X,\r\n", encoding="utf-8")
    before = _state()
    with pytest.raises(CommandError) as caught:
        call_command("plain", "import-config", str(bad), "--municipality", "142042")
    assert (caught.value.returncode, str(caught.value)) == (
        2,
        "ファイル「bad.csv」 2行目 列「replacement」: paraphrase が空です。",
    )
    with pytest.raises(CommandError, match="団体コード「999999」の自治体は登録されていません。"):
        call_command("plain", "import-config", str(bad), "--municipality", "999999")
    assert _state() == before
