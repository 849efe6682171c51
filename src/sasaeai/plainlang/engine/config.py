"""The checker's settings, and reading and writing them as YAML or CSV.

A ``Config`` is plain data: a municipality's glossary, its preferred expressions, the
words it accepts, and per-rule switches and thresholds. Build one in code (as the web
app does from its database) or load one with ``Config.from_file``; a mistake in a file
raises ``ConfigError`` with a Japanese message, a code, and where it is.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import time
import types
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeAlias

import regex
import yaml

from sasaeai.core.csvfile import FORMULA_PREFIXES, guard_text
from sasaeai.plainlang.engine.model import Severity
from sasaeai.plainlang.engine.sources import SourceError, decode_text

RULE_IDS = (
    "loanword",
    "abbreviation",
    "expression",
    "sentence-length",
    "comma-count",
    "double-negative",
    "redundant",
)


class ConfigError(ValueError):
    """A setting that cannot be used; ``str()`` gives file, line, field and message.

    ``code`` names the kind of mistake for programs: ``file-not-found``,
    ``unsupported-format``, ``encoding``, ``syntax``, ``invalid-type``, ``unknown-key``,
    ``missing-field``, ``invalid-value``, ``invalid-severity``, ``invalid-regex``,
    ``slow-regex``, ``unknown-rule``, ``csv-header``, ``unknown-kind``.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.file = file
        self.line = line
        self.field = field

    def at(self, file: str | None, line: int | None) -> ConfigError:
        """The same error placed in a file, keeping a place it already has."""
        return ConfigError(
            self.message,
            code=self.code,
            file=self.file or file,
            line=self.line or line,
            field=self.field,
        )

    def __str__(self) -> str:
        place = ":".join(str(part) for part in (self.file, self.line) if part is not None)
        where = f"{place}: " if place else ""
        what = f"（項目: {self.field}）" if self.field else ""
        return f"{where}{self.message}{what}"


def unknown_rule(rule: str) -> ConfigError:
    return ConfigError(
        f"規則「{rule}」はありません。{'、'.join(RULE_IDS)} のどれかです。",
        code="unknown-rule",
        field="rules",
    )


def parse_severity(value: object, field: str) -> Severity:
    try:
        return Severity(str(value))
    except ValueError:
        raise ConfigError(
            f"重要度「{value}」は使えません。error、warning、info のどれかを指定してください。",
            code="invalid-severity",
            field=field,
        ) from None


def _require_text(value: str, field: str) -> None:
    if not value.strip():
        raise ConfigError(f"{field} が空です。", code="missing-field", field=field)


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """A term the municipality wants paraphrased, e.g. アウトリーチ → 訪問による支援.

    Terms are katakana words (matched as whole katakana terms) or Latin abbreviations.
    """

    term: str
    paraphrase: str
    note: str | None = None

    def __post_init__(self) -> None:
        _require_text(self.term, "term")
        _require_text(self.paraphrase, "paraphrase")


# A regular expression that someone writes can take exponential time on a short text
# (``(あ|ああ)+$`` on 36 characters took 9 seconds). ``re`` cannot be stopped, so the checker
# runs them with the ``regex`` module, whose searches take a time limit, and refuses to save
# one that is already slow on the probe texts below.

RegexPattern: TypeAlias = regex.Pattern[str]

#: The most time one of a municipality's regular expressions may take over one document, in
#: seconds of processor time (the clock the ``regex`` module's ``timeout`` reads); the checker
#: then stops it there and reports it (``ExpressionRule``).
PATTERN_TIME_LIMIT: Final = 0.25
#: The most time (processor time) a regular expression may take over all the probe texts,
#: when it is saved.
PROBE_TIME_LIMIT: Final = 0.25
# Probe texts: runs of one character, and of all the pattern's characters in turn, each
# ended by characters that a pattern usually does not expect there.
_PROBE_LENGTH = 1000
_PROBE_ENDS = ("\x00", "\n!")
_PROBE_CHARACTERS = "あア亜a1 、。"
_PROBE_MAX_CHARACTERS = 32


def _probe_texts(pattern: str) -> Iterator[str]:
    letters = [
        c for c in dict.fromkeys(pattern + _PROBE_CHARACTERS) if c.isalnum() or not c.isascii()
    ][:_PROBE_MAX_CHARACTERS]
    mixed = "".join(letters) * (_PROBE_LENGTH // len(letters) + 1)
    for run in (*(c * _PROBE_LENGTH for c in letters), mixed[:_PROBE_LENGTH]):
        for end in _PROBE_ENDS:
            yield run + end


def is_too_slow(pattern: RegexPattern, seconds: float = PROBE_TIME_LIMIT) -> bool:
    """Whether finding every match of ``pattern`` in the probe texts takes over ``seconds``."""
    deadline = time.process_time() + seconds
    try:
        for probe in _probe_texts(pattern.pattern):
            left = deadline - time.process_time()
            if left <= 0:
                return True
            for _ in pattern.finditer(probe, timeout=left):
                pass
    except TimeoutError:
        return True
    return False


@dataclass(frozen=True, slots=True)
class ExpressionEntry:
    """A wording to avoid and the one to use instead.

    ``pattern`` is literal text unless ``regex`` is true; a regex's ``preferred`` may use
    its groups (``\\1``, ``\\g<name>``). ``message`` may contain ``{text}`` and
    ``{preferred}``. A regular expression is checked for mistakes here, and for speed by
    ``check_speed`` where people save one.
    """

    pattern: str
    preferred: str
    regex: bool = False
    severity: Severity = Severity.WARNING
    message: str | None = None

    def __post_init__(self) -> None:
        _require_text(self.pattern, "pattern")
        object.__setattr__(self, "severity", parse_severity(self.severity, "severity"))
        compiled = self.compiled()
        if self.regex:
            try:  # expands the template against no match: checks its groups and escapes
                compiled.sub(self.preferred, "")
            except (re.error, IndexError) as error:
                raise ConfigError(
                    f"言い換え「{self.preferred}」に誤りがあります（{error}）。"
                    "正規表現のグループは \\1 や \\g<名前> の形で書いてください。",
                    code="invalid-regex",
                    field="preferred",
                ) from None
            self.matcher()

    def compiled(self) -> re.Pattern[str]:
        if not self.regex:
            return re.compile(re.escape(self.pattern))
        try:
            return re.compile(self.pattern)
        except re.error as error:
            raise self._invalid(error) from None

    def matcher(self) -> RegexPattern:
        """The pattern as the checker runs a municipality's regular expression: compiled by
        the ``regex`` module (compatible with ``re``), whose searches take a ``timeout``."""
        try:
            return regex.compile(self.pattern if self.regex else regex.escape(self.pattern))
        except regex.error as error:
            raise self._invalid(error) from None

    def check_speed(self) -> None:
        """Refuse a regular expression that is too slow on the probe texts (``slow-regex``).

        Called where people write one (settings files, the settings screen). One already
        saved is still stopped by the checker after ``PATTERN_TIME_LIMIT`` per document.
        """
        if self.regex and is_too_slow(self.matcher()):
            raise ConfigError(
                f"正規表現「{self.pattern}」は、調べるのに時間がかかりすぎるため使えません"
                f"（試しの文章で {PROBE_TIME_LIMIT} 秒を超えました）。「(あ|ああ)+」「(a+)+」のように、"
                "繰り返しの中に、同じ文字に当たる選択肢や繰り返しを入れない形に書き直してください。",
                code="slow-regex",
                field="pattern",
            )

    def _invalid(self, error: Exception) -> ConfigError:
        return ConfigError(
            f"正規表現「{self.pattern}」に誤りがあります（{error}）。",
            code="invalid-regex",
            field="pattern",
        )


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """Whether a rule runs, and a severity that replaces all of its own if set."""

    enabled: bool = True
    severity: Severity | None = None

    def __post_init__(self) -> None:
        if self.severity is not None:
            object.__setattr__(self, "severity", parse_severity(self.severity, "severity"))


_DEFAULT_RULE = RuleSettings()


@dataclass(frozen=True)
class Config:
    """Everything a municipality can set. The defaults check with the built-in lists only."""

    glossary: tuple[GlossaryEntry, ...] = ()
    expressions: tuple[ExpressionEntry, ...] = ()
    allowlist: frozenset[str] = frozenset()
    rules: Mapping[str, RuleSettings] = field(default_factory=dict, hash=False)
    sentence_length_info: int = 60
    sentence_length_warning: int = 100
    comma_max: int = 3
    builtin_expressions: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "glossary", tuple(self.glossary))
        object.__setattr__(self, "expressions", tuple(self.expressions))
        object.__setattr__(self, "allowlist", frozenset(self.allowlist))
        object.__setattr__(self, "rules", types.MappingProxyType(dict(self.rules)))
        for rule in self.rules:
            if rule not in RULE_IDS:
                raise unknown_rule(rule)
        for name in ("sentence_length_info", "sentence_length_warning", "comma_max"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(
                    f"{name} には 1 以上の整数を指定してください。",
                    code="invalid-value",
                    field=name,
                )
        if self.sentence_length_warning <= self.sentence_length_info:
            raise ConfigError(
                "sentence_length の warning は info より大きくしてください。",
                code="invalid-value",
                field="sentence_length",
            )

    def rule(self, rule_id: str) -> RuleSettings:
        return self.rules.get(rule_id, _DEFAULT_RULE)

    @classmethod
    def from_file(cls, path: str | Path) -> Config:
        """Read a ``.yaml``/``.yml`` or ``.csv`` file (UTF-8, with or without BOM, or CP932)."""
        path = Path(path)
        reader = _READERS.get(path.suffix.lower())
        if reader is None:
            raise _unsupported_format(path)
        try:
            text = decode_text(path.read_bytes())
        except OSError:
            raise ConfigError(
                "設定ファイルを読めません。", code="file-not-found", file=str(path)
            ) from None
        except SourceError as error:
            raise ConfigError(error.message, code="encoding", file=str(path)) from None
        return reader(text, str(path))

    @classmethod
    def from_yaml(cls, text: str, file: str = "<yaml>") -> Config:
        return _YamlReader(file).read(text)

    @classmethod
    def from_csv(cls, text: str, file: str = "<csv>") -> Config:
        return _CsvReader(file).read(text)

    def dump(self, path: str | Path) -> None:
        path = Path(path)
        if path.suffix.lower() == ".csv":
            # Excel reads UTF-8 CSV correctly only with a BOM.
            path.write_text(self.to_csv(), encoding="utf-8-sig", newline="")
        elif path.suffix.lower() in (".yaml", ".yml"):
            path.write_text(self.to_yaml(), encoding="utf-8")
        else:
            raise _unsupported_format(path)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self._to_data(), allow_unicode=True, sort_keys=False)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(_csv_rows(self))
        return out.getvalue()

    def _to_data(self) -> dict[str, Any]:
        return {
            "glossary": [_glossary_data(entry) for entry in self.glossary],
            "expressions": [_expression_data(entry) for entry in self.expressions],
            "allowlist": sorted(self.allowlist),
            "rules": {
                rule: _drop_none({"enabled": s.enabled, "severity": _opt_str(s.severity)})
                for rule, s in self.rules.items()
            },
            "sentence_length": {
                "info": self.sentence_length_info,
                "warning": self.sentence_length_warning,
            },
            "comma_max": self.comma_max,
            "builtin_expressions": self.builtin_expressions,
        }


def _unsupported_format(path: Path) -> ConfigError:
    return ConfigError(
        "設定ファイルは .yaml、.yml、.csv のどれかにしてください。",
        code="unsupported-format",
        file=str(path),
    )


def _glossary_data(entry: GlossaryEntry) -> dict[str, Any]:
    return _drop_none({"term": entry.term, "paraphrase": entry.paraphrase, "note": entry.note})


def _expression_data(entry: ExpressionEntry) -> dict[str, Any]:
    return _drop_none(
        {
            "pattern": entry.pattern,
            "preferred": entry.preferred,
            "regex": entry.regex,
            "severity": str(entry.severity),
            "message": entry.message,
        }
    )


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


def _opt_str(value: object | None) -> str | None:
    return None if value is None else str(value)


# ---------------------------------------------------------------- YAML


class _Located:
    """A YAML value with the line it starts on."""

    def __init__(self, value: Any, line: int) -> None:
        self.value = value
        self.line = line


_SCALARS = yaml.constructor.SafeConstructor()


class _YamlReader:
    _TOP_KEYS = frozenset(
        {
            "glossary",
            "expressions",
            "allowlist",
            "rules",
            "sentence_length",
            "comma_max",
            "builtin_expressions",
        }
    )

    def __init__(self, file: str) -> None:
        self.file = file

    def read(self, text: str) -> Config:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise ConfigError(
                "YAML の書き方に誤りがあります。",
                code="syntax",
                file=self.file,
                line=None if mark is None else mark.line + 1,
            ) from None
        if node is None:
            return Config()
        root = self._locate(node)
        top = self._mapping(root, "（全体）", self._TOP_KEYS)
        lengths = self._mapping(
            top.get("sentence_length"), "sentence_length", frozenset({"info", "warning"})
        )
        defaults = Config()
        try:
            return Config(
                glossary=tuple(self._glossary(item) for item in self._list(top, "glossary")),
                expressions=tuple(
                    self._expression(item) for item in self._list(top, "expressions")
                ),
                allowlist=frozenset(
                    self._string(item, "allowlist") for item in self._list(top, "allowlist")
                ),
                rules=self._rules(top.get("rules")),
                sentence_length_info=self._integer(
                    lengths.get("info"), "sentence_length.info", defaults.sentence_length_info
                ),
                sentence_length_warning=self._integer(
                    lengths.get("warning"),
                    "sentence_length.warning",
                    defaults.sentence_length_warning,
                ),
                comma_max=self._integer(top.get("comma_max"), "comma_max", defaults.comma_max),
                builtin_expressions=self._boolean(
                    top.get("builtin_expressions"), "builtin_expressions", default=True
                ),
            )
        except ConfigError as error:
            # Settings checked by Config as a whole: place them on their key's line.
            key = (error.field or "").removesuffix("_info").removesuffix("_warning")
            raise error.at(self.file, top[key].line if key in top else root.line) from None

    def _glossary(self, item: _Located) -> GlossaryEntry:
        fields = self._mapping(item, "glossary", frozenset({"term", "paraphrase", "note"}))
        with self._placed(item.line):
            return GlossaryEntry(
                term=self._string(self._required(fields, "term", item), "term"),
                paraphrase=self._string(self._required(fields, "paraphrase", item), "paraphrase"),
                note=self._optional_string(fields.get("note"), "note"),
            )

    def _expression(self, item: _Located) -> ExpressionEntry:
        keys = frozenset({"pattern", "preferred", "regex", "severity", "message"})
        fields = self._mapping(item, "expressions", keys)
        severity = self._optional_string(fields.get("severity"), "severity")
        with self._placed(item.line):
            entry = ExpressionEntry(
                pattern=self._string(self._required(fields, "pattern", item), "pattern"),
                preferred=self._string(self._required(fields, "preferred", item), "preferred"),
                regex=self._boolean(fields.get("regex"), "regex", default=False),
                severity=parse_severity(severity or "warning", "severity"),
                message=self._optional_string(fields.get("message"), "message"),
            )
            entry.check_speed()
            return entry

    def _rules(self, node: _Located | None) -> dict[str, RuleSettings]:
        settings = {}
        for rule, value in self._mapping(node, "rules", None).items():
            if rule not in RULE_IDS:
                raise unknown_rule(rule).at(self.file, value.line)
            name = f"rules.{rule}"
            fields = self._mapping(value, name, frozenset({"enabled", "severity"}))
            severity = self._optional_string(fields.get("severity"), f"{name}.severity")
            with self._placed(value.line):
                settings[rule] = RuleSettings(
                    enabled=self._boolean(fields.get("enabled"), f"{name}.enabled", default=True),
                    severity=None if severity is None else parse_severity(severity, "severity"),
                )
        return settings

    @contextlib.contextmanager
    def _placed(self, line: int) -> Iterator[None]:
        """Place the ConfigErrors raised inside on ``line`` unless they have a place."""
        try:
            yield
        except ConfigError as error:
            raise error.at(self.file, line) from None

    # -- shape checks, each raising a ConfigError on the offending line

    def _locate(self, node: yaml.Node) -> _Located:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            pairs = {}
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    raise self._error("invalid-type", "項目名は文字で書いてください。", None, line)
                pairs[str(key.value)] = self._locate(value)
            return _Located(pairs, line)
        if isinstance(node, yaml.SequenceNode):
            return _Located([self._locate(item) for item in node.value], line)
        return _Located(_SCALARS.construct_object(node, deep=True), line)

    def _mapping(
        self, node: _Located | None, name: str, keys: frozenset[str] | None
    ) -> dict[str, _Located]:
        if node is None or node.value is None:
            return {}
        if not isinstance(node.value, dict):
            message = f"{name} は「項目: 値」の形で書いてください。"
            raise self._error("invalid-type", message, name, node.line)
        for key, value in node.value.items():
            if keys is not None and key not in keys:
                allowed = "、".join(sorted(keys))
                message = f"「{key}」という項目はありません。使える項目は {allowed} です。"
                raise self._error("unknown-key", message, key, value.line)
        return dict(node.value)

    def _list(self, top: Mapping[str, _Located], name: str) -> list[_Located]:
        node = top.get(name)
        if node is None or node.value is None:
            return []
        if not isinstance(node.value, list):
            message = f"{name} は「- 」で始まる一覧で書いてください。"
            raise self._error("invalid-type", message, name, node.line)
        return list(node.value)

    def _required(self, fields: Mapping[str, _Located], key: str, item: _Located) -> _Located:
        if key not in fields:
            raise self._error("missing-field", f"{key} がありません。", key, item.line)
        return fields[key]

    def _string(self, node: _Located, name: str) -> str:
        if isinstance(node.value, bool) or not isinstance(node.value, str | int | float):
            raise self._error("invalid-type", f"{name} は文字で書いてください。", name, node.line)
        return str(node.value)

    def _optional_string(self, node: _Located | None, name: str) -> str | None:
        if node is None or node.value is None:
            return None
        return self._string(node, name)

    def _integer(self, node: _Located | None, name: str, default: int) -> int:
        if node is None:
            return default
        if isinstance(node.value, bool) or not isinstance(node.value, int):
            message = f"{name} には整数を指定してください。"
            raise self._error("invalid-value", message, name, node.line)
        return int(node.value)

    def _boolean(self, node: _Located | None, name: str, *, default: bool) -> bool:
        if node is None:
            return default
        if not isinstance(node.value, bool):
            message = f"{name} には true か false を指定してください。"
            raise self._error("invalid-value", message, name, node.line)
        return bool(node.value)

    def _error(self, code: str, message: str, name: str | None, line: int) -> ConfigError:
        return ConfigError(message, code=code, file=self.file, line=line, field=name)


# ---------------------------------------------------------------- CSV

CSV_COLUMNS = ("kind", "term", "replacement", "note", "severity", "regex")
# Japanese headers, for sheets written in Excel.
_COLUMN_ALIASES = {
    "種別": "kind",
    "語句": "term",
    "言い換え": "replacement",
    "備考": "note",
    "重要度": "severity",
    "正規表現": "regex",
}
_KIND_ALIASES = {
    "用語集": "glossary",
    "表現": "expression",
    "許可語": "allowlist",
    "規則": "rule",
    "設定": "setting",
}
_SETTINGS = ("sentence_length_info", "sentence_length_warning", "comma_max", "builtin_expressions")
_TRUE = frozenset({"true", "yes", "on", "1", "はい", "有効"})
_FALSE = frozenset({"false", "no", "off", "0", "いいえ", "無効"})


def _csv_text(value: str) -> str:
    """A text cell that a spreadsheet shows as text: ``'`` before a formula-like start
    (``core.csvfile.guard_text``), and before a value that would otherwise lose its own
    leading ``'`` on import (see ``_csv_unguard``)."""
    guarded = guard_text(value)
    return "'" + guarded if _looks_guarded(value) else guarded


def _looks_guarded(cell: str) -> bool:
    """One or more ``'`` before a formula-like start: ``'=SUM(1)``, ``''=SUM(1)``."""
    rest = cell.lstrip("'")
    return rest != cell and len(rest) > 1 and rest.startswith(FORMULA_PREFIXES)


def _csv_unguard(cell: str) -> str:
    """A cell as it was before ``_csv_text``: ``'=SUM(1)`` is read back as ``=SUM(1)``."""
    return cell[1:] if _looks_guarded(cell) else cell


def _csv_rows(config: Config) -> Iterator[tuple[str, ...]]:
    """The rows of ``to_csv``; text that people wrote is guarded against formulas."""
    cell = _csv_text
    for entry in config.glossary:
        yield ("glossary", cell(entry.term), cell(entry.paraphrase), cell(entry.note or ""), "", "")
    for expression in config.expressions:
        yield (
            "expression",
            cell(expression.pattern),
            cell(expression.preferred),
            cell(expression.message or ""),
            str(expression.severity),
            "true" if expression.regex else "false",
        )
    for word in sorted(config.allowlist):
        yield ("allowlist", cell(word), "", "", "", "")
    for rule, settings in config.rules.items():
        enabled = "on" if settings.enabled else "off"
        yield ("rule", rule, enabled, "", _opt_str(settings.severity) or "", "")
    for name in _SETTINGS:
        value = getattr(config, name)
        text = str(value).lower() if isinstance(value, bool) else str(value)
        yield ("setting", name, text, "", "", "")


class _CsvReader:
    """Reads rows into lists, then makes one Config of them."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.glossary: list[GlossaryEntry] = []
        self.expressions: list[ExpressionEntry] = []
        self.allowlist: set[str] = set()
        self.rules: dict[str, RuleSettings] = {}
        self.settings: dict[str, int | bool] = {}

    def read(self, text: str) -> Config:
        reader = csv.reader(io.StringIO(text, newline=""))
        columns = self._header(next(reader, None))
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            row = {
                name: _csv_unguard(cells[i].strip()) if i < len(cells) else ""
                for name, i in columns.items()
            }
            try:
                self._add(row)
            except ConfigError as error:
                raise error.at(self.file, reader.line_num) from None
        defaults = Config()
        try:
            return Config(
                glossary=tuple(self.glossary),
                expressions=tuple(self.expressions),
                allowlist=frozenset(self.allowlist),
                rules=self.rules,
                sentence_length_info=int(
                    self.settings.get("sentence_length_info", defaults.sentence_length_info)
                ),
                sentence_length_warning=int(
                    self.settings.get("sentence_length_warning", defaults.sentence_length_warning)
                ),
                comma_max=int(self.settings.get("comma_max", defaults.comma_max)),
                builtin_expressions=bool(self.settings.get("builtin_expressions", True)),
            )
        except ConfigError as error:
            raise error.at(self.file, None) from None

    def _header(self, cells: Sequence[str] | None) -> dict[str, int]:
        names = [_COLUMN_ALIASES.get(cell.strip(), cell.strip()) for cell in cells or ()]
        missing = [name for name in ("kind", "term") if name not in names]
        if missing:
            raise ConfigError(
                f"1 行目に見出し（{','.join(CSV_COLUMNS)}）が必要です。",
                code="csv-header",
                file=self.file,
                line=1,
                field=missing[0],
            )
        return {name: names.index(name) for name in CSV_COLUMNS if name in names}

    def _add(self, row: Mapping[str, str]) -> None:
        kind = _KIND_ALIASES.get(row["kind"], row["kind"])
        term, replacement = row["term"], row.get("replacement", "")
        severity = row.get("severity") or None
        if kind == "glossary":
            self.glossary.append(GlossaryEntry(term, replacement, row.get("note") or None))
        elif kind == "expression":
            entry = ExpressionEntry(
                pattern=term,
                preferred=replacement,
                regex=_csv_boolean(row.get("regex", ""), "regex", default=False),
                severity=parse_severity(severity or "warning", "severity"),
                message=row.get("note") or None,
            )
            entry.check_speed()
            self.expressions.append(entry)
        elif kind == "allowlist":
            _require_text(term, "term")
            self.allowlist.add(term)
        elif kind == "rule":
            if term not in RULE_IDS:
                raise unknown_rule(term)
            self.rules[term] = RuleSettings(
                enabled=_csv_boolean(replacement, "replacement", default=True),
                severity=None if severity is None else parse_severity(severity, "severity"),
            )
        elif kind == "setting":
            self.settings[term] = _csv_setting(term, replacement)
        else:
            raise ConfigError(
                f"種別「{row['kind']}」はありません。"
                "glossary、expression、allowlist、rule、setting のどれかです。",
                code="unknown-kind",
                field="kind",
            )


def _csv_boolean(value: str, name: str, *, default: bool) -> bool:
    lowered = value.strip().lower()
    if not lowered:
        return default
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(
        f"{name} には true か false を指定してください。", code="invalid-value", field=name
    )


def _csv_setting(name: str, value: str) -> int | bool:
    if name not in _SETTINGS:
        raise ConfigError(
            f"設定「{name}」はありません。{'、'.join(_SETTINGS)} のどれかです。",
            code="unknown-key",
            field="term",
        )
    if name == "builtin_expressions":
        return _csv_boolean(value, name, default=True)
    try:
        return int(value)
    except ValueError:
        raise ConfigError(
            f"{name} には整数を指定してください。", code="invalid-value", field=name
        ) from None


_READERS = {
    ".yaml": Config.from_yaml,
    ".yml": Config.from_yaml,
    ".csv": Config.from_csv,
}
