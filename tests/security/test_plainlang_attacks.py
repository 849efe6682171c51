"""Attacks on the plain-language checker (issue 11): each test reproduces one hole.

- a slow regular expression entered by the secretariat (``(あ|ああ)+$``) must not stall the
  anonymous API: the checker stops it and says so, and the settings refuse to save it;
- the settings CSV the secretariat downloads must not carry spreadsheet formulas, and must
  still read back as the same settings;
- a lone surrogate (``"\\ud800"`` in JSON) must get a Japanese 400, never a 500;
- a Word file must not get a DTD past the reader by writing its body in UTF-16;
- a Word or Excel file must be refused by its unpacked size before it is read.
"""

from __future__ import annotations

import csv
import html
import io
import os
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from sasaeai.accounts.models import Municipality, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.core.errors import DomainError
from sasaeai.plainlang import selectors, services
from sasaeai.plainlang.engine import (
    Checker,
    Config,
    ConfigError,
    ExpressionEntry,
    Segment,
    SourceError,
    check,
    read_text_source,
)
from sasaeai.plainlang.importing import ConfigImportError, preview_import
from sasaeai.plainlang.models import AllowedWord, GlossaryTerm, PreferredExpression

API = "/api/v1/plainlang/check"
MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """The API counts requests per address in the cache; start every test at zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _state() -> tuple[object, ...]:
    return (
        sorted(GlossaryTerm.objects.values_list("term", "paraphrase", "note")),
        sorted(PreferredExpression.objects.values_list("pattern", "preferred", "regex")),
        sorted(AllowedWord.objects.values_list("word", flat=True)),
        AuditEvent.objects.count(),
    )


# ---------------------------------------------------------------- point 9: slow regular expressions

SLOW_PATTERN = "(あ|ああ)+$"
SLOW_TEXT = "あ" * 36 + "。"
REFUSED_SLOW = (
    "正規表現「(あ|ああ)+$」は、調べるのに時間がかかりすぎるため使えません"
    "（試しの文章で 0.25 秒を超えました）。「(あ|ああ)+」「(a+)+」のように、"
    "繰り返しの中に、同じ文字に当たる選択肢や繰り返しを入れない形に書き直してください。"
)
STOPPED_SLOW = {
    "rule": "expression",
    "severity": "warning",
    "line": 1,
    "column": 1,
    "offset": 0,
    "length": 1,
    "text": "あ",
    "message": "設定の表現「(あ|ああ)+$」（正規表現）は調べるのに時間がかかりすぎるため、"
    "この文書では途中で調べるのをやめました（上限 0.25 秒）。事務局は、"
    "わかりやすさチェックの設定でこの正規表現を書き直してください。",
    "suggestion": None,
}


def _saved_before_the_speed_check(municipality: Municipality) -> PreferredExpression:
    """A slow pattern as a row saved before patterns were checked for speed (the services
    refuse it now, so it is written directly)."""
    return PreferredExpression.objects.create(
        municipality=municipality, pattern=SLOW_PATTERN, preferred="あ", regex=True
    )


def test_anonymous_api_stops_a_slow_saved_regex_and_reports_it(
    client: Client, kamakura: Municipality
) -> None:
    _saved_before_the_speed_check(kamakura)
    check("あ")  # loads the morphological analyser, which is not what is timed
    start = time.perf_counter()
    response = client.post(
        API, {"text": SLOW_TEXT, "municipality": "142042"}, content_type="application/json"
    )
    elapsed = time.perf_counter() - start
    assert response.status_code == 200
    assert response.json()["findings"] == [STOPPED_SLOW]
    assert elapsed < 2  # it took 9 s and more before the limit


def test_a_slow_regex_is_stopped_once_per_document_not_per_paragraph() -> None:
    config = Config(expressions=(ExpressionEntry(SLOW_PATTERN, "あ", regex=True),))
    checker = Checker(config)
    checker.check("あ")
    start = time.perf_counter()
    report = checker.check_segments(Segment(SLOW_TEXT, f"段落{n}") for n in range(1, 6))
    elapsed = time.perf_counter() - start
    assert [(f.rule, f.location, f.offset, f.length) for f in report.findings] == [
        ("expression", "段落1", 0, 1)
    ]
    assert elapsed < 2


def test_settings_screen_refuses_a_slow_regex(
    users: dict[str, User], client_for: Callable[[User], Client], kamakura: Municipality
) -> None:
    client = client_for(users[Role.SECRETARIAT])
    before = _state()
    response = client.post(
        "/staff/plainlang/expressions/new/",
        {"pattern": SLOW_PATTERN, "preferred": "あ", "regex": "on", "severity": "warning"},
    )
    assert response.status_code == 200
    assert REFUSED_SLOW in html.unescape(response.content.decode())
    assert _state() == before


def test_service_refuses_a_slow_regex_on_its_pattern(
    users: dict[str, User], kamakura: Municipality
) -> None:
    before = _state()
    with pytest.raises(DomainError) as caught:
        services.preferred_expression_create(
            actor=users[Role.SECRETARIAT],
            municipality=kamakura,
            pattern=SLOW_PATTERN,
            preferred="あ",
            regex=True,
        )
    location = caught.value.location
    assert (caught.value.code, caught.value.message) == ("invalid", REFUSED_SLOW)
    assert location is not None and location.field == "pattern"
    assert _state() == before


def test_settings_file_with_a_slow_regex_is_refused_with_its_row(
    kamakura: Municipality,
) -> None:
    data = f"kind,term,replacement,note,severity,regex\r\nexpression,{SLOW_PATTERN},あ,,,true\r\n"
    before = _state()
    with pytest.raises(ConfigImportError) as caught:
        preview_import(municipality=kamakura, data=data.encode(), filename="slow.csv")
    assert (caught.value.code, str(caught.value)) == (
        "config-slow-regex",
        f"ファイル「slow.csv」 2行目 列「term」: {REFUSED_SLOW}",
    )
    with pytest.raises(ConfigImportError):
        services.plainlang_config_import(
            actor="test", municipality=kamakura, data=data.encode(), filename="slow.csv"
        )
    assert _state() == before


def test_command_line_refuses_a_settings_file_with_a_slow_regex(tmp_path: Path) -> None:
    settings = tmp_path / "slow.yaml"
    settings.write_text(
        f"expressions:\n  - pattern: '{SLOW_PATTERN}'\n    preferred: あ\n    regex: true\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        Config.from_file(settings)
    assert (caught.value.code, caught.value.line, caught.value.field) == (
        "slow-regex",
        2,
        "pattern",
    )
    text = tmp_path / "text.txt"
    text.write_text(SLOW_TEXT, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("plain", "check", "--config", str(settings), str(text))
    assert (refused.value.returncode, str(refused.value)) == (
        2,
        f"設定ファイルに誤りがあります: {settings}:2: {REFUSED_SLOW}（項目: pattern）",
    )


def test_settings_page_points_out_a_slow_regex_saved_before(
    users: dict[str, User], client_for: Callable[[User], Client], kamakura: Municipality
) -> None:
    _saved_before_the_speed_check(kamakura)
    PreferredExpression.objects.create(
        municipality=kamakura, pattern="(?P<what>[一-龯]+)の周知徹底", preferred="x", regex=True
    )
    page = client_for(users[Role.SECRETARIAT]).get("/staff/plainlang/").content.decode()
    warning = (
        '<strong class="warning">調べるのに時間がかかりすぎる正規表現です。'
        "チェックでは上限の時間で調べるのをやめます。「変更」から書き直してください。</strong>"
    )
    assert page.count(warning) == 1
    assert page.index("(あ|ああ)+$") < page.index(warning) < page.index("周知徹底")


# ---------------------------------------------------------------- point 11: formulas in the CSV

FORMULA = '=HYPERLINK("http://x","y")'


def test_settings_csv_export_guards_formulas_and_reads_back_the_same(
    users: dict[str, User], client_for: Callable[[User], Client], kamakura: Municipality
) -> None:
    services.glossary_term_create(
        actor="test", municipality=kamakura, term=FORMULA, paraphrase="@SUM(1)", note="+1"
    )
    services.preferred_expression_create(
        actor="test", municipality=kamakura, pattern="-ある", preferred="'=既に", message="@{text}"
    )
    services.allowed_word_create(actor="test", municipality=kamakura, word="'@SNS")
    response = client_for(users[Role.SECRETARIAT]).get("/staff/plainlang/export/csv/")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows == [
        ["kind", "term", "replacement", "note", "severity", "regex"],
        ["glossary", "'" + FORMULA, "'@SUM(1)", "'+1", "", ""],
        # A value that itself starts with ' before a formula keeps it: one more ' is added.
        ["expression", "'-ある", "''=既に", "'@{text}", "warning", "false"],
        ["allowlist", "''@SNS", "", "", "", ""],
        ["setting", "sentence_length_info", "60", "", "", ""],
        ["setting", "sentence_length_warning", "100", "", "", ""],
        ["setting", "comma_max", "3", "", "", ""],
        ["setting", "builtin_expressions", "true", "", "", ""],
    ]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    preview = services.plainlang_config_import(
        actor="test",
        municipality=kamakura,
        data=response.content,
        filename="plainlang-142042.csv",
        dry_run=True,
    )
    assert (preview.has_changes, preview.unchanged) == (False, 3)
    assert Config.from_csv(response.content.decode("utf-8-sig")) == selectors.config_for(kamakura)


# ---------------------------------------------------------------- point 12: lone surrogates


def _post_raw(client: Client, body: str) -> Any:
    """``body`` sent as it is: the JSON escape ``\\ud800`` stays an escape on the wire."""
    return client.post(API, body, content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "あい\\ud800う",
            "文章の 1 行目 3 文字目に、文字として扱えないデータ（対になっていないサロゲート U+D800）"
            "があります。その文字を消してから、もう一度お試しください。",
        ),
        (
            "はい。\\nいいえ\\udfff",
            "文章の 2 行目 4 文字目に、文字として扱えないデータ（対になっていないサロゲート U+DFFF）"
            "があります。その文字を消してから、もう一度お試しください。",
        ),
    ],
)
def test_api_answers_a_lone_surrogate_with_a_japanese_400(
    client: Client, text: str, message: str
) -> None:
    response = _post_raw(client, f'{{"text": "{text}"}}')
    assert (response.status_code, response.json()) == (
        400,
        {"code": "invalid_text", "message": message},
    )


@pytest.mark.django_db
def test_api_refuses_a_municipality_code_that_is_not_six_digits(client: Client) -> None:
    refused = {
        "code": "invalid_municipality",
        "message": "団体コードは 6 桁の数字（全国地方公共団体コード、例: 142042）で指定してください。",
    }
    for code in ("\\ud800", "14204２", "142042\\n"):
        response = _post_raw(client, f'{{"text": "はい。", "municipality": "{code}"}}')
        assert (response.status_code, response.json()) == (400, refused)


@pytest.mark.django_db
def test_api_answers_surrogates_in_other_places_with_json(client: Client) -> None:
    ignored_key = _post_raw(client, '{"\\ud800": 1, "text": "はい。"}')
    assert ignored_key.status_code == 200
    not_text = _post_raw(client, '{"text": ["\\ud800"]}')
    assert (not_text.status_code, not_text.json()["code"]) == (
        422,
        "validation_error",
    )


def test_check_page_reads_bytes_that_are_not_utf8_as_replacement_characters(
    users: dict[str, User], client_for: Callable[[User], Client], kamakura: Municipality
) -> None:
    client = client_for(users[Role.DEPARTMENT])
    response = client.post(
        "/staff/plainlang/check/",
        "text=%ED%A0%80%FF%E3%81%AF%E3%81%84%E3%80%82",  # a UTF-8 surrogate, 0xFF, はい。
        content_type="application/x-www-form-urlencoded",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert ">\n\ufffd\ufffd\ufffd\ufffdはい。</textarea>" in page
    assert "指摘はありません。" in page


def test_engine_refuses_a_lone_surrogate_where_it_is() -> None:
    with pytest.raises(SourceError) as caught:
        Checker().check_segments([Segment("はい。", "段落1"), Segment("い\ud800", "段落2")])
    assert caught.value.message == (
        "「段落2」の 1 行目 2 文字目に、文字として扱えないデータ"
        "（対になっていないサロゲート U+D800）があります。その文字を消してから、もう一度お試しください。"
    )


@pytest.mark.django_db
def test_command_line_reads_unreadable_text_files_and_names_without_crashing(
    tmp_path: Path,
) -> None:
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(b"\xff\xfe" + "はい".encode("utf-16-le") + b"\x00\xd8")  # lone U+D800
    with pytest.raises(CommandError) as caught:
        call_command("plain", "check", str(utf16))
    assert (caught.value.returncode, str(caught.value)) == (
        2,
        f"{utf16}: 文字コードを判別できません。UTF-8 か Shift_JIS（CP932）のテキストにしてください。",
    )
    # A file name that is not UTF-8 is shown with U+FFFD, so the report can be printed.
    named = tmp_path / os.fsdecode(b"\xff.txt")
    named.write_text("アウトリーチを使う。\n", encoding="utf-8")
    out = io.StringIO()
    call_command("plain", "check", "--format", "json", str(named), stdout=out)
    assert f'"path": "{tmp_path}/\ufffd.txt"' in out.getvalue()
    out.getvalue().encode("utf-8")  # no lone surrogate left


# ---------------------------------------------------------------- point 14: a DTD in UTF-16

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 10)
    )
    + "]>",
    "&lol9;",
)
ONE_ENTITY = ("<!DOCTYPE x [<!ENTITY a '見えない言葉'>]>", "&a;")
EXTERNAL = ('<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]>', "&a;")


def _encoded(xml: str, encoding: str) -> bytes:
    if encoding == "utf-16-le":
        return b"\xff\xfe" + xml.replace("UTF-8", "UTF-16").encode("utf-16-le")
    if encoding == "utf-16-be":
        return b"\xfe\xff" + xml.replace("UTF-8", "UTF-16").encode("utf-16-be")
    return xml.encode("utf-8")


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _docx(document: bytes, **others: bytes) -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": document, **others})


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-8"])
@pytest.mark.parametrize(
    ("doctype", "reference"), [BILLION_LAUGHS, ONE_ENTITY, EXTERNAL], ids=["laughs", "one", "ext"]
)
def test_docx_with_a_dtd_is_refused_in_any_encoding(
    encoding: str, doctype: str, reference: str
) -> None:
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<w:document xmlns:w="{W}"><w:body>'
        f"<w:p><w:r><w:t>{reference}</w:t></w:r></w:p></w:body></w:document>"
    )
    with pytest.raises(SourceError) as caught:
        read_text_source(_docx(_encoded(xml, encoding)), name="plan.docx")
    assert str(caught.value) == "plan.docx: Word ファイルの本文に、使えない記述（DTD）があります。"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_docx_in_utf16_without_a_dtd_is_read(encoding: str) -> None:
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'
        "<w:p><w:r><w:t>本文です。</w:t></w:r></w:p></w:body></w:document>"
    )
    source = read_text_source(_docx(_encoded(xml, encoding)))
    assert source.segments == (Segment("本文です。", "段落1"),)


def _xlsx(**replace: bytes) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "アウトリーチ"
    out = io.BytesIO()
    workbook.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return _zip({**members, **replace})


def test_xlsx_with_a_dtd_in_any_part_is_refused() -> None:
    shared = _encoded(
        f'<?xml version="1.0" encoding="UTF-8"?>{ONE_ENTITY[0]}'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"'
        ' uniqueCount="1"><si><t>&a;</t></si></sst>',
        "utf-16-le",
    )
    assert read_text_source(_xlsx()).segments == (Segment("アウトリーチ", "Sheet!A1"),)
    with pytest.raises(SourceError) as caught:
        read_text_source(_xlsx(**{"xl/sharedStrings.xml": shared}))
    assert caught.value.message == (
        "Excel ファイルの「xl/sharedStrings.xml」に、使えない記述（DTD）があります。"
    )


# ---------------------------------------------------------------- point 5: zip bombs


def _declare_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with ``name``'s uncompressed size in the central directory set to ``size``."""
    start = data.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + name_length] == name.encode():
            return data[: start + 24] + struct.pack("<I", size) + data[start + 28 :]
        start = data.index(b"PK\x01\x02", start + 4)


def test_docx_whose_body_unpacks_to_40mb_is_refused_without_reading_it() -> None:
    bomb = _docx(b"\0" * (40 * MIB))
    assert len(bomb) < 100 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(SourceError) as caught:
            read_text_source(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.message == (
        "Word ファイルの本文（word/document.xml）が大きすぎます（展開すると 40MB、上限は 16MB）。"
        "文書をいくつかに分けて保存し直してください。"
    )
    assert peak < 4 * MIB


def test_docx_that_declares_a_huge_member_is_refused_by_the_docx_limit() -> None:
    small = _docx(b'<w:document xmlns:w="' + W.encode() + b'"/>', **{"word/media/a.png": b"x"})
    lying = _declare_size(small, "word/media/a.png", 0x7FFFFFFF)
    with pytest.raises(SourceError) as caught:
        read_text_source(lying)
    assert caught.value.message == (
        "ファイルの中身が大きすぎます（展開すると 2048MB、上限は 64MB）。"
        "不要なシートや画像を消して保存し直してください。"
    )


def test_xlsx_over_its_16mb_limit_is_refused_before_openpyxl_reads_it() -> None:
    with pytest.raises(SourceError) as caught:
        read_text_source(_xlsx(**{"xl/media/image1.png": b"\0" * (17 * MIB)}))
    assert caught.value.message == (
        "ファイルの中身が大きすぎます（展開すると 17MB、上限は 16MB）。"
        "不要なシートや画像を消して保存し直してください。"
    )


@pytest.mark.django_db
def test_command_line_refuses_a_docx_bomb_with_exit_2(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(_docx(b"\0" * (40 * MIB)))
    with pytest.raises(CommandError) as caught:
        call_command("plain", "check", str(bomb))
    assert (caught.value.returncode, str(caught.value)) == (
        2,
        f"{bomb}: Word ファイルの本文（word/document.xml）が大きすぎます（展開すると 40MB、"
        "上限は 16MB）。文書をいくつかに分けて保存し直してください。",
    )
