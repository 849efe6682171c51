"""The library, the command and the API give the same findings for the same text and config."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from sasaeai.accounts.models import Municipality
from sasaeai.plainlang.engine import Config, check
from tests.plainlang_web.conftest import KAMAKURA_YAML, SAMPLE_TEXT


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [sys.executable, "-m", "sasaeai", "plain", *args],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=120,
    )


def test_library_cli_and_api_agree(
    configured: Municipality, tmp_path: Path, client: Client
) -> None:
    config_file = tmp_path / "kamakura.yaml"
    config_file.write_text(KAMAKURA_YAML, encoding="utf-8")
    text_file = tmp_path / "お知らせ.txt"
    text_file.write_text(SAMPLE_TEXT, encoding="utf-8")

    library = check(SAMPLE_TEXT, Config.from_yaml(KAMAKURA_YAML)).to_dict()
    command = _cli("check", "--format", "json", "--config", str(config_file), str(text_file))
    in_process = io.StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command(
            "plain",
            "check",
            "--format",
            "json",
            "--municipality",
            "142042",
            str(text_file),
            stdout=in_process,
        )
    api = client.post(
        "/api/v1/plainlang/check",
        {"text": SAMPLE_TEXT, "municipality": "142042"},
        content_type="application/json",
    )

    assert command.returncode == caught.value.code == 1  # the glossary term is an error
    (from_cli,) = json.loads(command.stdout)["files"]
    (from_db,) = json.loads(in_process.getvalue())["files"]
    assert from_cli.pop("path") == str(text_file)
    assert from_db.pop("path") == str(text_file)
    assert api.status_code == 200
    assert library == from_cli == from_db == api.json()
    assert [(f["rule"], f["severity"], f["text"]) for f in library["findings"]] == [
        ("loanword", "error", "アウトリーチ"),
        ("redundant", "warning", "することができる"),
        ("expression", "warning", "周知を図"),
        ("loanword", "warning", "ワークショップ"),
    ]


def test_json_output_shape(tmp_path: Path) -> None:
    text_file = tmp_path / "a.txt"
    text_file.write_text("事業が完了した。", encoding="utf-8")
    result = _cli("check", "--format", "json", str(text_file))
    assert result.returncode == 0
    body = json.loads(result.stdout)
    assert list(body) == ["files"]
    (file,) = body["files"]
    assert list(file) == ["path", "findings", "readability"]
    assert file["findings"] == [
        {
            "rule": "expression",
            "severity": "warning",
            "line": 1,
            "column": 1,
            "offset": 0,
            "length": 7,
            "text": "事業が完了した",
            "message": "「事業が完了した」では、誰が何をしたのかが伝わりません。"
            "「事業を実施した」のように、行ったことを書いてください。",
            "suggestion": "事業を実施した",
        }
    ]
    assert set(file["readability"]) == {"score", "level"}


def test_text_format_cp932_file_and_exit_0(tmp_path: Path) -> None:
    text_file = tmp_path / "sjis.txt"
    text_file.write_bytes("まず、\r\nアウトリーチを行います。\r\n".encode("cp932"))
    result = _cli("check", str(text_file))
    assert result.returncode == 0
    assert result.stdout.decode("utf-8").splitlines() == [
        f"{text_file}:2:1: warning [loanword] 「アウトリーチ」は分かりにくいカタカナ語です。"
        "「訪問による支援」などに言い換えるか、初出で説明を添えてください。 (→ 訪問による支援)"
    ]


@pytest.mark.parametrize("args", [("check",), ("check", "-")])
def test_reads_standard_input(args: tuple[str, ...]) -> None:
    result = _cli(*args, stdin="事業が完了した。".encode())
    assert result.returncode == 0
    assert result.stdout.decode().startswith("<stdin>:1:1: warning [expression] ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("check", "no-such-file.txt"), "no-such-file.txt: ファイルを読めません"),
        (
            ("check", "--config", "no-such.yaml", "-"),
            "設定ファイルに誤りがあります: no-such.yaml: 設定ファイルを読めません。",
        ),
        (
            ("check", "--config", "a.yaml", "--municipality", "142042"),
            "--config と --municipality は、どちらか一方だけを指定してください。",
        ),
        (("check", "--bogus"), "使い方に誤りがあります（unrecognized arguments: --bogus）。"),
        (("check", "--format", "xml"), "使い方に誤りがあります（argument --format: invalid choice"),
        (
            ("frobnicate",),
            "使い方に誤りがあります（argument {check,export-config,import-config}: invalid choice: 'frobnicate'",
        ),
    ],
)
def test_usage_errors_exit_2_in_japanese(args: tuple[str, ...], message: str) -> None:
    result = _cli(*args, stdin=b"")
    assert result.returncode == 2
    assert message in result.stderr.decode()
    assert result.stdout == b""


def test_bad_config_file_exits_2(tmp_path: Path) -> None:
    config_file = tmp_path / "bad.yaml"
    config_file.write_text("glossary:\n  - term: アウトリーチ\n", encoding="utf-8")
    result = _cli("check", "--config", str(config_file), "-", stdin=b"x")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == (
        f"エラー: 設定ファイルに誤りがあります: {config_file}:2: paraphrase がありません。（項目: paraphrase）"
    )


def test_in_process_exit_codes(configured: Municipality) -> None:
    out = io.StringIO()
    call_command(
        "plain",
        "check",
        "--municipality",
        "142042",
        stdin=io.BytesIO("よい天気です。".encode()),
        stdout=out,
    )
    assert out.getvalue() == ""
    with pytest.raises(SystemExit) as caught:
        call_command(
            "plain",
            "check",
            "--municipality",
            "142042",
            stdin=io.BytesIO("プラットフォームを作る。".encode()),
            stdout=out,
        )
    assert caught.value.code == 1
    assert out.getvalue().startswith("<stdin>:1:1: error [loanword] 「プラットフォーム」")
