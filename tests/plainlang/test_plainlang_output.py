"""Text and JSON output, the JSON schema, and run_check."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from sasaeai.plainlang.engine import (
    Checker,
    Config,
    GlossaryEntry,
    Segment,
    UsageError,
    check,
    format_json,
    format_text,
    run_check,
)

SCHEMA_PATH = Path(__file__).parents[2] / "docs" / "formats" / "plainlang-report.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
GLOSSARY = Config(glossary=(GlossaryEntry("プラットフォーム", "基盤"),))
TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "null": type(None),
}


def validate(value: Any, schema: dict[str, Any], path: str = "$") -> None:
    """Check ``value`` against the parts of JSON Schema the report schema uses."""
    if "$ref" in schema:
        target: Any = SCHEMA
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        validate(value, target, path)
        return
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else types
        assert any(
            isinstance(value, TYPES[name]) and not isinstance(value, bool) for name in allowed
        ), f"{path}: {value!r} is not {allowed}"
    if "enum" in schema:
        assert value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{path}: missing {key}"
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(properties), f"{path}: extra {set(value) - set(properties)}"
        for key, item in value.items():
            if key in properties:
                validate(item, properties[key], f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            validate(item, schema["items"], f"{path}[{index}]")
    if "minimum" in schema:
        assert value >= schema["minimum"], f"{path}: {value} < {schema['minimum']}"
    if "minLength" in schema:
        assert len(value) >= schema["minLength"], f"{path}: too short"


def test_schema_is_draft_2020_12() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_text_format_line() -> None:
    report = check("地域のプラットフォーム\nフィンテック", GLOSSARY)
    assert format_text("plan.txt", report) == (
        "plan.txt:1:4: error [loanword] 「プラットフォーム」は用語集で言い換えることになっている語です。"
        "「基盤」と書いてください。 (→ 基盤)\n"
        "plan.txt:2:1: info [loanword] 「フィンテック」はなじみの薄いカタカナ語かもしれません。"
        "言い換えるか、初出で説明を添えてください。\n"
    )


def test_text_format_shows_location_in_place_of_line_and_column() -> None:
    report = Checker().check_segments([Segment("本市のアウトリーチ", "Sheet1!B3")])
    assert format_text("plan.xlsx", report) == (
        "plan.xlsx:Sheet1!B3: warning [loanword] 「アウトリーチ」は分かりにくいカタカナ語です。"
        "「訪問による支援」などに言い換えるか、初出で説明を添えてください。 (→ 訪問による支援)\n"
    )


def test_report_to_dict_has_exactly_the_documented_shape() -> None:
    report = check("事業が完了した。")
    assert report.readability is not None
    assert report.to_dict() == {
        "findings": [
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
        ],
        "readability": {"score": report.readability.score, "level": report.readability.level},
    }


def test_json_output_follows_the_schema() -> None:
    texts = {
        "a.txt": "アウトリーチとＳＮＳ、事業が完了した。\n\n検討を行うことができる。",
        "empty.txt": "",
    }
    results = [(path, check(text, GLOSSARY)) for path, text in texts.items()]
    for paragraphs in (False, True):
        data = json.loads(format_json(results, paragraphs=paragraphs))
        validate(data, SCHEMA)
        assert [file["path"] for file in data["files"]] == ["a.txt", "empty.txt"]
        assert ("paragraphs" in data["files"][0]) is paragraphs
    assert json.loads(format_json(results))["files"][1]["readability"] is None


def test_json_output_with_locations_follows_the_schema() -> None:
    report = Checker().check_segments([Segment("アウトリーチ", "段落3")])
    data = json.loads(format_json([("plan.docx", report)], paragraphs=True))
    validate(data, SCHEMA)
    assert data["files"][0]["findings"][0]["location"] == "段落3"
    assert data["files"][0]["paragraphs"][0]["location"] == "段落3"


def test_run_check_exit_status_is_1_only_with_errors(tmp_path: Path) -> None:
    warning_only = tmp_path / "a.txt"
    warning_only.write_text("アウトリーチ", encoding="utf-8")
    with_error = tmp_path / "b.txt"
    with_error.write_text("プラットフォーム", encoding="utf-8")
    output, status = run_check([str(warning_only)])
    assert (status, output.count("\n")) == (0, 1)
    output, status = run_check([str(warning_only), str(with_error)], GLOSSARY)
    assert status == 1
    assert output.splitlines()[1].startswith(f"{with_error}:1:1: error [loanword]")


def test_run_check_reads_standard_input_when_given_no_path() -> None:
    stdin = io.BytesIO("事業が完了した。".encode("cp932"))
    output, status = run_check([], fmt="json", stdin=stdin)
    data = json.loads(output)
    validate(data, SCHEMA)
    assert data["files"][0]["path"] == "<stdin>"
    assert data["files"][0]["findings"][0]["rule"] == "expression"
    assert status == 0


def test_run_check_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        run_check([str(tmp_path / "missing.txt")])
    assert "ファイルを読めません" in str(caught.value)
    with pytest.raises(UsageError) as caught:
        run_check([str(tmp_path)], fmt="xml")
    assert str(caught.value) == "出力形式「xml」はありません。text か json を指定してください。"
