"""Config: building, YAML and CSV round trips, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from sasaeai.plainlang.engine import (
    Config,
    ConfigError,
    ExpressionEntry,
    GlossaryEntry,
    RuleSettings,
    Severity,
)

CORPUS_CONFIG = Path(__file__).parent / "corpus" / "config.yaml"

FULL = Config(
    glossary=(GlossaryEntry("アウトリーチ", "訪問による支援", note="第3回委員会で決定"),),
    expressions=(
        ExpressionEntry("周知を図", "広く知らせ", severity=Severity.ERROR, message="「{text}」"),
        ExpressionEntry(r"(\w+)の徹底", r"\1を守る", regex=True),
    ),
    allowlist=frozenset({"ワークショップ", "SNS"}),
    rules={
        "comma-count": RuleSettings(enabled=False),
        "loanword": RuleSettings(severity=Severity.INFO),
    },
    sentence_length_info=50,
    sentence_length_warning=90,
    comma_max=4,
    builtin_expressions=False,
)


def test_defaults() -> None:
    config = Config()
    assert (config.sentence_length_info, config.sentence_length_warning, config.comma_max) == (
        60,
        100,
        3,
    )
    assert config.rule("loanword") == RuleSettings(enabled=True, severity=None)


def test_severities_may_be_given_as_strings() -> None:
    entry = ExpressionEntry("a", "b", severity="error")  # type: ignore[arg-type]
    assert entry.severity is Severity.ERROR


def test_yaml_round_trip() -> None:
    assert Config.from_yaml(FULL.to_yaml()) == FULL


def test_csv_round_trip() -> None:
    assert Config.from_csv(FULL.to_csv()) == FULL


def test_csv_with_japanese_headers_and_kinds() -> None:
    text = "種別,語句,言い換え,備考,重要度,正規表現\n用語集,アウトリーチ,訪問支援,,,\n許可語,ワークショップ,,,,\n"
    config = Config.from_csv(text)
    assert config.glossary == (GlossaryEntry("アウトリーチ", "訪問支援"),)
    assert config.allowlist == frozenset({"ワークショップ"})


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".csv"])
def test_dump_and_load_files_by_suffix(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"settings{suffix}"
    FULL.dump(path)
    assert Config.from_file(path) == FULL


def test_csv_saved_by_excel_in_cp932_is_read(tmp_path: Path) -> None:
    path = tmp_path / "glossary.csv"
    path.write_bytes("kind,term,replacement\nglossary,レスパイト,介護者の休息\n".encode("cp932"))
    assert Config.from_file(path).glossary == (GlossaryEntry("レスパイト", "介護者の休息"),)


def test_the_corpus_config_loads_as_it_is() -> None:
    config = Config.from_file(CORPUS_CONFIG)
    assert GlossaryEntry("プラットフォーム", "基盤、話し合いの場") in config.glossary
    assert "ヨリドコロ" in config.allowlist


def test_rules_cannot_be_changed_after_construction() -> None:
    with pytest.raises(TypeError):
        FULL.rules["loanword"] = RuleSettings()  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "code", "line", "field"),
    [
        ("glossary:\n  - term: アウトリーチ\n", "missing-field", 2, "paraphrase"),
        ("glossary:\n  - {term: ア, paraphrase: イ, foo: 1}\n", "unknown-key", 2, "foo"),
        ("glossary:\n  - {term: '', paraphrase: イ}\n", "missing-field", 2, "term"),
        ("colour: blue\n", "unknown-key", 1, "colour"),
        ("rules:\n  loanword: {}\n  loanwrd: {enabled: false}\n", "unknown-rule", 3, "rules"),
        ("rules:\n  loanword: {enabled: maybe}\n", "invalid-value", 2, "rules.loanword.enabled"),
        (
            "expressions:\n  - {pattern: '(', preferred: x, regex: true}\n",
            "invalid-regex",
            2,
            "pattern",
        ),
        (
            "expressions:\n  - {pattern: a, preferred: b, severity: fatal}\n",
            "invalid-severity",
            2,
            "severity",
        ),
        ("comma_max: three\n", "invalid-value", 1, "comma_max"),
        ("comma_max: 0\n", "invalid-value", 1, "comma_max"),
        (
            "comma_max: 3\nsentence_length: {info: 100, warning: 60}\n",
            "invalid-value",
            2,
            "sentence_length",
        ),
        ("allowlist: ワークショップ\n", "invalid-type", 1, "allowlist"),
        ("glossary: [\n", "syntax", 2, None),
    ],
)
def test_yaml_errors_say_what_and_where(text: str, code: str, line: int, field: str | None) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_yaml(text, "settings.yaml")
    error = caught.value
    assert (error.code, error.file, error.line, error.field) == (code, "settings.yaml", line, field)
    assert str(error).startswith(f"settings.yaml:{line}: ")


def test_yaml_error_message_is_japanese() -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_yaml("glossary:\n  - term: アウトリーチ\n", "settings.yaml")
    assert str(caught.value) == "settings.yaml:2: paraphrase がありません。（項目: paraphrase）"


@pytest.mark.parametrize(
    ("text", "code", "line", "field"),
    [
        ("term,replacement\nア,イ\n", "csv-header", 1, "kind"),
        ("kind,term\nfoo,x\n", "unknown-kind", 2, "kind"),
        ("kind,term,replacement\nglossary,アウトリーチ,\n", "missing-field", 2, "paraphrase"),
        (
            "kind,term,replacement,note,severity,regex\nexpression,(,x,,,true\n",
            "invalid-regex",
            2,
            "pattern",
        ),
        ("kind,term,replacement\nsetting,comma_max,x\n", "invalid-value", 2, "comma_max"),
        ("kind,term,replacement\nsetting,colour,blue\n", "unknown-key", 2, "term"),
        ("kind,term,replacement\nrule,loanwrd,off\n", "unknown-rule", 2, "rules"),
        (
            "kind,term,replacement,note,severity,regex\nexpression,(a+)+$,x,,,true\n",
            "slow-regex",
            2,
            "pattern",
        ),
    ],
)
def test_csv_errors_say_what_and_where(text: str, code: str, line: int, field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_csv(text, "settings.csv")
    error = caught.value
    assert (error.code, error.file, error.line, error.field) == (code, "settings.csv", line, field)


def test_unsupported_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_file(tmp_path / "settings.json")
    assert caught.value.code == "unsupported-format"
    with pytest.raises(ConfigError) as caught:
        Config.from_file(tmp_path / "missing.yaml")
    assert caught.value.code == "file-not-found"


def test_programmatic_construction_is_validated_too() -> None:
    with pytest.raises(ConfigError) as caught:
        Config(rules={"nope": RuleSettings()})
    assert caught.value.code == "unknown-rule"
    with pytest.raises(ConfigError) as caught:
        ExpressionEntry("(", "x", regex=True)
    assert caught.value.code == "invalid-regex"


@pytest.mark.parametrize(
    "value",
    [
        "=SUM(1)",
        "+1",
        "-ある",
        "@SUM(1)",
        "'=SUM(1)",  # already starts with the guard: exported with one more
        "''@x",
        "'90年代",  # an apostrophe before no formula is kept as it is
        "=",  # one character is no formula
        "'=",
    ],
)
def test_csv_guards_formulas_and_reads_every_value_back(value: str) -> None:
    config = Config(
        glossary=(GlossaryEntry(value, value, note=value),),
        expressions=(ExpressionEntry(value, value, message=value),),
        allowlist=frozenset({value}),
    )
    text = config.to_csv()
    cells = [cell for line in text.splitlines()[1:4] for cell in line.split(",")]
    assert not any(cell.startswith(("=", "+", "-", "@")) and len(cell) > 1 for cell in cells)
    assert Config.from_csv(text) == config


def test_csv_written_by_hand_may_guard_formulas_too() -> None:
    text = "kind,term,replacement,note\nglossary,'=アウトリーチ,'@支援,'+メモ\n"
    assert Config.from_csv(text).glossary == (GlossaryEntry("=アウトリーチ", "@支援", "+メモ"),)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?P<what>[一-龯]+)の周知徹底",  # the example in docs/plainlang.md
        r"(\w+)の徹底",
        r"(?:を|の)?推進(?:を図|する)",
        r"\d+(\.\d+)*円",
        r"[ァ-ヶー]+(?:・[ァ-ヶー]+)*",
    ],
)
def test_everyday_regular_expressions_are_fast_enough_to_save(pattern: str) -> None:
    ExpressionEntry(pattern, "x", regex=True).check_speed()


@pytest.mark.parametrize("pattern", ["(あ|ああ)+$", r"(a+)+$", r"(\w+\s?)+$", r"(x+x+)+y"])
def test_catastrophic_regular_expressions_are_refused(pattern: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ExpressionEntry(pattern, "x", regex=True).check_speed()
    assert (caught.value.code, caught.value.field) == ("slow-regex", "pattern")
    ExpressionEntry(pattern, "x").check_speed()  # as literal text it is only searched for
