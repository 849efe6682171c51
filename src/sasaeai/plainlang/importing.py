"""Reading a settings file for import, and what importing it would change.

``preview_import`` never writes: it parses the file with the engine (the same YAML and CSV
formats as ``sasaeai plain check --config``) and compares it with the municipality's current
settings. ``services.plainlang_config_import`` applies the same preview; given the preview's
``fingerprint`` (``core.uploads``) it refuses, writing nothing, when the settings changed
since. A file larger than the ``text`` limit of ``core.uploads`` is refused unread, on the
web, the command line and in the services alike (:func:`check_size`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from sasaeai.core import uploads
from sasaeai.core.errors import DomainError, ErrorLocation
from sasaeai.plainlang.engine import (
    RULE_IDS,
    Config,
    ConfigError,
    ExpressionEntry,
    GlossaryEntry,
    RuleSettings,
    SourceError,
    decode_text,
)
from sasaeai.plainlang.labels import rule_label, severity_label
from sasaeai.plainlang.models import AllowedWord, GlossaryTerm, PreferredExpression
from sasaeai.plainlang.selectors import config_for

_READERS: dict[str, Callable[[str, str], Config]] = {
    ".yaml": Config.from_yaml,
    ".yml": Config.from_yaml,
    ".csv": Config.from_csv,
}

# The engine names the setting a CSV mistake is in; people look for the column.
_CSV_COLUMNS = {
    "term": "term",
    "pattern": "term",
    "paraphrase": "replacement",
    "preferred": "replacement",
    "enabled": "replacement",
    "message": "note",
    "note": "note",
    "severity": "severity",
    "regex": "regex",
    "replacement": "replacement",
    "kind": "kind",
}


@dataclass
class ConfigImportError(DomainError):
    """A settings file that cannot be imported; ``str()`` names the file, row and column."""

    filename: str = ""

    def __str__(self) -> str:
        parts = [_("ファイル「{name}」").format(name=self.filename)] if self.filename else []
        if self.location is not None:
            parts.append(self.location.describe())
        where = " ".join(part for part in parts if part)
        return f"{where}: {self.message}" if where else self.message


def _refused(
    message: str, *, filename: str, code: str, location: ErrorLocation | None = None
) -> ConfigImportError:
    return ConfigImportError(code=code, message=message, location=location, filename=filename)


def check_size(*, size: int, filename: str) -> None:
    """Refuse (``ConfigImportError``) a settings file larger than the ``text`` limit of
    ``core.uploads``: the web form, the command line and the service ask the same."""
    try:
        uploads.check_size(file_format="text", size=size)
    except uploads.UploadRefused as error:
        raise _refused(error.message, filename=_name(filename), code="too-large") from None


def _name(filename: str) -> str:
    return PurePath(filename.replace("\\", "/")).name or "settings"


def parse_config_file(*, data: bytes, filename: str) -> Config:
    """The file's settings; raises ``ConfigImportError`` (row and column when known)."""
    name = _name(filename)
    suffix = PurePath(name).suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise _refused(
            _("設定ファイルは .yaml、.yml、.csv のどれかにしてください。"),
            filename=name,
            code="unsupported-format",
        )
    check_size(size=len(data), filename=name)
    try:
        config = reader(decode_text(data), name)
    except SourceError as error:
        raise _refused(error.message, filename=name, code="encoding") from None
    except ConfigError as error:
        raise _from_config_error(error, name, csv=suffix == ".csv") from None
    _check_fits(config, name)
    return config


def _from_config_error(error: ConfigError, filename: str, *, csv: bool) -> ConfigImportError:
    if csv:
        location = ErrorLocation(row=error.line, column=_CSV_COLUMNS.get(error.field or ""))
    else:
        location = ErrorLocation(row=error.line, field=error.field)
    return _refused(
        error.message, filename=filename, code=f"config-{error.code}", location=location
    )


def _check_fits(config: Config, filename: str) -> None:
    """Refuse what the database cannot hold: duplicates and over-long values."""
    checks: list[tuple[str, Iterable[str], Any, str]] = [
        (_("用語集の語"), (e.term for e in config.glossary), GlossaryTerm, "term"),
        (
            _("用語集の言い換え"),
            (e.paraphrase for e in config.glossary),
            GlossaryTerm,
            "paraphrase",
        ),
        (_("用語集の備考"), (e.note or "" for e in config.glossary), GlossaryTerm, "note"),
        (_("表現"), (e.pattern for e in config.expressions), PreferredExpression, "pattern"),
        (
            _("表現の言い換え"),
            (e.preferred for e in config.expressions),
            PreferredExpression,
            "preferred",
        ),
        (
            _("表現の指摘の文"),
            (e.message or "" for e in config.expressions),
            PreferredExpression,
            "message",
        ),
        (_("許可語"), config.allowlist, AllowedWord, "word"),
    ]
    for label, values, model, field_name in checks:
        limit = model._meta.get_field(field_name).max_length
        for value in values:
            if len(value) > limit:
                raise _refused(
                    _("{label}「{value}…」が長すぎます（{limit} 字まで）。").format(
                        label=label, value=value[:20], limit=limit
                    ),
                    filename=filename,
                    code="too-long",
                )
    for label, keys in (
        (_("用語集の語"), [e.term for e in config.glossary]),
        (_("表現"), [e.pattern for e in config.expressions]),
    ):
        twice = [key for key, count in Counter(keys).items() if count > 1]
        if twice:
            raise _refused(
                _("{label}「{value}」が 2 回以上書かれています。1 つにまとめてください。").format(
                    label=label, value=twice[0]
                ),
                filename=filename,
                code="duplicate",
            )


# ---------------------------------------------------------------- comparing


@dataclass(frozen=True)
class SettingsChange:
    """One entry or setting that an import adds, changes or removes, described for people."""

    kind: str  # glossary | expression | allowlist | rule | setting
    key: str
    before: str | None
    after: str | None

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


KIND_LABELS = {
    "glossary": _("用語集"),
    "expression": _("表現"),
    "allowlist": _("許可語"),
    "rule": _("規則"),
    "setting": _("設定"),
}


@dataclass(frozen=True)
class SettingsImportPreview:
    """What importing a settings file would change: each entry and setting added, changed
    or removed (before → after), and how many stay as they are."""

    filename: str
    config: Config
    added: tuple[SettingsChange, ...] = ()
    changed: tuple[SettingsChange, ...] = ()
    removed: tuple[SettingsChange, ...] = ()
    unchanged: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    @property
    def fingerprint(self) -> str:
        """The hash of the result (every entry added, changed or removed, before → after, and
        how many stay): the settings are replaced whole, so any change to them since the
        preview changes it (``core.uploads``)."""
        return uploads.fingerprint(
            [
                [[c.kind, c.key, c.before, c.after] for c in changes]
                for changes in (self.added, self.changed, self.removed)
            ],
            self.unchanged,
        )


def preview_import(*, municipality: Any, data: bytes, filename: str) -> SettingsImportPreview:
    """What importing the file would do to the municipality's settings. Writes nothing."""
    incoming = parse_config_file(data=data, filename=filename)
    name = PurePath(filename.replace("\\", "/")).name
    return compare(config_for(municipality), incoming, filename=name)


def compare(current: Config, incoming: Config, *, filename: str = "") -> SettingsImportPreview:
    added: list[SettingsChange] = []
    changed: list[SettingsChange] = []
    removed: list[SettingsChange] = []
    unchanged = 0

    def by_key(kind: str, old: dict[str, str], new: dict[str, str], order: Iterable[str]) -> None:
        nonlocal unchanged
        for key in order:
            if key not in old:
                added.append(SettingsChange(kind, key, None, new[key]))
            elif old[key] != new[key]:
                changed.append(SettingsChange(kind, key, old[key], new[key]))
            else:
                unchanged += 1
        removed.extend(SettingsChange(kind, key, old[key], None) for key in old if key not in new)

    old_glossary = {e.term: _describe_glossary(e) for e in current.glossary}
    new_glossary = {e.term: _describe_glossary(e) for e in incoming.glossary}
    by_key("glossary", old_glossary, new_glossary, new_glossary)
    old_expressions = {e.pattern: _describe_expression(e) for e in current.expressions}
    new_expressions = {e.pattern: _describe_expression(e) for e in incoming.expressions}
    by_key("expression", old_expressions, new_expressions, new_expressions)
    by_key(
        "allowlist",
        {word: word for word in current.allowlist},
        {word: word for word in incoming.allowlist},
        sorted(incoming.allowlist),
    )
    for rule in RULE_IDS:
        before, after = _describe_rule(current.rule(rule)), _describe_rule(incoming.rule(rule))
        if before != after:
            changed.append(SettingsChange("rule", rule_label(rule), before, after))
    for name, label in SETTING_LABELS.items():
        before, after = (
            _describe_value(getattr(current, name)),
            _describe_value(getattr(incoming, name)),
        )
        if before != after:
            changed.append(SettingsChange("setting", str(label), before, after))
    return SettingsImportPreview(
        filename=filename,
        config=incoming,
        added=tuple(added),
        changed=tuple(changed),
        removed=tuple(removed),
        unchanged=unchanged,
        counts={"added": len(added), "changed": len(changed), "removed": len(removed)},
    )


SETTING_LABELS = {
    "sentence_length_info": _("長い文（参考）の文字数"),
    "sentence_length_warning": _("長すぎる文（警告）の文字数"),
    "comma_max": _("1文の読点の上限"),
    "builtin_expressions": _("組み込みの表現を使う"),
}


def _describe_glossary(entry: GlossaryEntry) -> str:
    return entry.paraphrase + (_("（備考: {note}）").format(note=entry.note) if entry.note else "")


def _describe_expression(entry: ExpressionEntry) -> str:
    parts = [entry.preferred, severity_label(str(entry.severity))]
    if entry.regex:
        parts.append(_("正規表現"))
    if entry.message:
        parts.append(_("指摘の文: {message}").format(message=entry.message))
    return "、".join(parts)


def _describe_rule(settings: RuleSettings) -> str:
    state = _("使う") if settings.enabled else _("使わない")
    if settings.severity is None:
        return state
    return _("{state}・重大度は{severity}").format(
        state=state, severity=severity_label(str(settings.severity))
    )


def _describe_value(value: object) -> str:
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    return str(value)
