"""Writes to a municipality's checker settings — each checked, validated and audited.

An ``actor`` that is a user must hold ``plainlang.manage`` in the municipality; a string
actor (``"system:loaddemo"``, ``"system:cli"``) is the server's own operator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core import uploads
from sasaeai.core.errors import DomainError, ErrorLocation, PermissionRefused
from sasaeai.plainlang import permissions
from sasaeai.plainlang.engine import (
    RULE_IDS,
    Config,
    ConfigError,
    ExpressionEntry,
    GlossaryEntry,
    RuleSettings,
    Severity,
)
from sasaeai.plainlang.importing import (
    ConfigImportError,
    SettingsImportPreview,
    compare,
    parse_config_file,
)
from sasaeai.plainlang.models import AllowedWord, CheckSettings, GlossaryTerm, PreferredExpression
from sasaeai.plainlang.selectors import check_settings, config_for

# ---------------------------------------------------------------- shared steps


def _authorize(actor: Any, municipality: Any) -> None:
    if isinstance(actor, str):
        return
    if not permissions.can(actor, "plainlang.manage", municipality):
        raise PermissionRefused(_("わかりやすさチェックの設定を変更する権限がありません。"))


def _validated(instance: Any) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        label = (
            str(instance._meta.verbose_name)
            if field == "__all__"
            else str(instance._meta.get_field(field).verbose_name)
        )
        raise DomainError(
            code="invalid",
            message=f"{label}: {messages[0]}",
            location=None if field == "__all__" else ErrorLocation(field=field),
        ) from None


def _engine_checked(make: Any, fields: Mapping[str, str]) -> None:
    """Build the engine's entry, so a row is refused exactly where a settings file would be."""
    try:
        make()
    except ConfigError as error:
        raise DomainError(
            code="invalid",
            message=error.message,
            location=ErrorLocation(field=fields.get(error.field or "", error.field)),
        ) from None


def _save(
    *, actor: Any, instance: models.Model, before: dict[str, Any] | None, detail: str = ""
) -> bool:
    """Validate, save and audit; False (and nothing written) when nothing changed."""
    _validated(instance)
    after = audit.snapshot(instance)
    if before is not None and before == after:
        return False
    instance.save()
    audit.record(
        actor=actor,
        action=Action.CREATE if before is None else Action.UPDATE,
        obj=instance,
        changes=audit.diff(before or {}, audit.snapshot(instance)),
        detail=detail,
    )
    return True


def _delete(*, actor: Any, instance: models.Model, detail: str = "") -> None:
    before = audit.snapshot(instance)
    object_id, label = str(instance.pk), str(instance)
    municipality = instance.municipality  # type: ignore[attr-defined]
    instance.delete()
    audit.record(
        actor=actor,
        action=Action.DELETE,
        municipality=municipality,
        object_type=instance._meta.label,
        object_id=object_id,
        object_repr=label,
        changes=audit.diff(before, {}),
        detail=detail,
    )


# ---------------------------------------------------------------- glossary


def _set_glossary(entry: GlossaryTerm, *, term: str, paraphrase: str, note: str) -> None:
    entry.term, entry.paraphrase, entry.note = term.strip(), paraphrase.strip(), note.strip()
    _engine_checked(lambda: GlossaryEntry(entry.term, entry.paraphrase, entry.note or None), {})


@transaction.atomic
def glossary_term_create(
    *,
    actor: Any,
    municipality: Any,
    term: str,
    paraphrase: str,
    note: str = "",
    is_demo: bool = False,
) -> GlossaryTerm:
    _authorize(actor, municipality)
    entry = GlossaryTerm(municipality=municipality, is_demo=is_demo)
    _set_glossary(entry, term=term, paraphrase=paraphrase, note=note)
    _save(actor=actor, instance=entry, before=None)
    return entry


@transaction.atomic
def glossary_term_update(
    *, actor: Any, entry: GlossaryTerm, term: str, paraphrase: str, note: str = ""
) -> GlossaryTerm:
    _authorize(actor, entry.municipality_id)
    before = audit.snapshot(entry)
    _set_glossary(entry, term=term, paraphrase=paraphrase, note=note)
    _save(actor=actor, instance=entry, before=before)
    return entry


@transaction.atomic
def glossary_term_delete(*, actor: Any, entry: GlossaryTerm) -> None:
    _authorize(actor, entry.municipality_id)
    _delete(actor=actor, instance=entry)


# ---------------------------------------------------------------- expressions

# The engine names an expression's parts as in the settings file; the form, as in the model.
_EXPRESSION_FIELDS = {"pattern": "pattern", "preferred": "preferred", "severity": "severity"}


def _set_expression(
    entry: PreferredExpression,
    *,
    pattern: str,
    preferred: str,
    regex: bool,
    severity: str,
    message: str,
) -> None:
    entry.pattern, entry.preferred = pattern, preferred.strip()
    entry.regex, entry.severity, entry.message = regex, severity, message.strip()
    if not entry.regex:
        entry.pattern = entry.pattern.strip()
    _engine_checked(
        lambda: ExpressionEntry(
            pattern=entry.pattern,
            preferred=entry.preferred,
            regex=entry.regex,
            severity=_severity(entry.severity),
            message=entry.message or None,
        ).check_speed(),
        _EXPRESSION_FIELDS,
    )


def _severity(value: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise DomainError(
            code="invalid",
            message=_("重大度「{value}」は使えません。").format(value=value),
            location=ErrorLocation(field="severity"),
        ) from None


@transaction.atomic
def preferred_expression_create(
    *,
    actor: Any,
    municipality: Any,
    pattern: str,
    preferred: str,
    regex: bool = False,
    severity: str = Severity.WARNING,
    message: str = "",
    is_demo: bool = False,
) -> PreferredExpression:
    _authorize(actor, municipality)
    entry = PreferredExpression(municipality=municipality, is_demo=is_demo)
    _set_expression(
        entry, pattern=pattern, preferred=preferred, regex=regex, severity=severity, message=message
    )
    _save(actor=actor, instance=entry, before=None)
    return entry


@transaction.atomic
def preferred_expression_update(
    *,
    actor: Any,
    entry: PreferredExpression,
    pattern: str,
    preferred: str,
    regex: bool = False,
    severity: str = Severity.WARNING,
    message: str = "",
) -> PreferredExpression:
    _authorize(actor, entry.municipality_id)
    before = audit.snapshot(entry)
    _set_expression(
        entry, pattern=pattern, preferred=preferred, regex=regex, severity=severity, message=message
    )
    _save(actor=actor, instance=entry, before=before)
    return entry


@transaction.atomic
def preferred_expression_delete(*, actor: Any, entry: PreferredExpression) -> None:
    _authorize(actor, entry.municipality_id)
    _delete(actor=actor, instance=entry)


# ---------------------------------------------------------------- allowlist


def _set_word(entry: AllowedWord, word: str) -> None:
    entry.word = word.strip()
    if not entry.word:
        raise DomainError(
            code="required",
            message=_("許可語を入力してください。"),
            location=ErrorLocation(field="word"),
        )


@transaction.atomic
def allowed_word_create(
    *, actor: Any, municipality: Any, word: str, is_demo: bool = False
) -> AllowedWord:
    _authorize(actor, municipality)
    entry = AllowedWord(municipality=municipality, is_demo=is_demo)
    _set_word(entry, word)
    _save(actor=actor, instance=entry, before=None)
    return entry


@transaction.atomic
def allowed_word_update(*, actor: Any, entry: AllowedWord, word: str) -> AllowedWord:
    _authorize(actor, entry.municipality_id)
    before = audit.snapshot(entry)
    _set_word(entry, word)
    _save(actor=actor, instance=entry, before=before)
    return entry


@transaction.atomic
def allowed_word_delete(*, actor: Any, entry: AllowedWord) -> None:
    _authorize(actor, entry.municipality_id)
    _delete(actor=actor, instance=entry)


# ---------------------------------------------------------------- rule settings


def _rules_data(rules: Mapping[str, RuleSettings]) -> dict[str, dict[str, Any]]:
    """Only the rules that differ from the default, in the engine's rule order."""
    data = {}
    for rule in RULE_IDS:
        settings = rules.get(rule, RuleSettings())
        if settings.enabled and settings.severity is None:
            continue
        data[rule] = {
            "enabled": settings.enabled,
            "severity": None if settings.severity is None else str(settings.severity),
        }
    return data


def _apply_settings(
    *, actor: Any, municipality: Any, config: Config, detail: str = ""
) -> CheckSettings:
    settings = check_settings(municipality=municipality)
    before = None if settings.pk is None else audit.snapshot(settings)
    settings.rules = _rules_data(config.rules)
    settings.sentence_length_info = config.sentence_length_info
    settings.sentence_length_warning = config.sentence_length_warning
    settings.comma_max = config.comma_max
    settings.builtin_expressions = config.builtin_expressions
    if before is None and audit.snapshot(settings) == audit.snapshot(
        CheckSettings(municipality_id=settings.municipality_id)
    ):
        return settings  # still the defaults: no row needed
    _save(actor=actor, instance=settings, before=before, detail=detail)
    return settings


@transaction.atomic
def check_settings_update(
    *,
    actor: Any,
    municipality: Any,
    rules: Mapping[str, RuleSettings],
    sentence_length_info: int,
    sentence_length_warning: int,
    comma_max: int,
    builtin_expressions: bool,
) -> CheckSettings:
    """Set each rule's switch and severity and the thresholds (checked as the engine does)."""
    _authorize(actor, municipality)
    try:
        config = Config(
            rules=rules,
            sentence_length_info=sentence_length_info,
            sentence_length_warning=sentence_length_warning,
            comma_max=comma_max,
            builtin_expressions=builtin_expressions,
        )
    except ConfigError as error:
        field = "sentence_length_warning" if error.field == "sentence_length" else error.field
        raise DomainError(
            code="invalid",
            message=_(
                "長すぎる文（警告）の文字数は、長い文（参考）の文字数より大きくしてください。"
            )
            if error.field == "sentence_length"
            else error.message,
            location=ErrorLocation(field=field),
        ) from None
    return _apply_settings(actor=actor, municipality=municipality, config=config)


# ---------------------------------------------------------------- import


@transaction.atomic
def plainlang_config_import(
    *,
    actor: Any,
    municipality: Any,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    expected_fingerprint: str | None = None,
) -> SettingsImportPreview:
    """Replace the municipality's settings with a YAML or CSV file, all or nothing.

    Returns what changed (or, with ``dry_run``, what would change, writing nothing).
    A mistake in the file raises ``ConfigImportError`` naming the file, row and column.
    ``expected_fingerprint`` (a preview's ``fingerprint``): the comparison is made again here,
    with the municipality's settings row locked, and the import refused (code
    ``preview_outdated``, nothing written) when it is no longer the one previewed.
    """
    _authorize(actor, municipality)
    incoming = parse_config_file(data=data, filename=filename)
    if not dry_run:  # one import at a time per municipality, compared and written together
        list(CheckSettings.objects.select_for_update().filter(municipality=municipality))
    preview = compare(config_for(municipality), incoming, filename=_basename(filename))
    try:
        uploads.check_fingerprint(
            expected=expected_fingerprint,
            actual=preview.fingerprint,
            message=_(
                "確認のあとで設定が変わりました。新しい差分を確かめてから、もう一度取り込んでください。何も保存していません。"
            ),
        )
    except uploads.PreviewOutdated as outdated:
        raise ConfigImportError(
            code=outdated.code, message=outdated.message, filename=preview.filename
        ) from None
    if dry_run or not preview.has_changes:
        return preview
    detail = _("設定ファイル「{name}」から取込").format(name=preview.filename)[:500]
    _replace_glossary(actor, municipality, incoming, detail)
    _replace_expressions(actor, municipality, incoming, detail)
    _replace_allowlist(actor, municipality, incoming, detail)
    _apply_settings(actor=actor, municipality=municipality, config=incoming, detail=detail)
    audit.record(
        actor=actor,
        action=Action.IMPORT,
        municipality=municipality,
        object_type="plainlang.Config",
        object_id=str(getattr(municipality, "code", municipality)),
        object_repr=_("わかりやすさチェックの設定"),
        detail=_("{detail}（追加 {added}・変更 {changed}・削除 {removed}）").format(
            detail=detail, **preview.counts
        ),
    )
    return preview


def _basename(filename: str) -> str:
    return filename.replace("\\", "/").rsplit("/", 1)[-1]


def _replace_glossary(actor: Any, municipality: Any, config: Config, detail: str) -> None:
    rows = {row.term: row for row in GlossaryTerm.objects.filter(municipality=municipality)}
    wanted = {entry.term for entry in config.glossary}
    for term, row in rows.items():
        if term not in wanted:
            _delete(actor=actor, instance=row, detail=detail)
    for entry in config.glossary:
        row = rows.get(entry.term) or GlossaryTerm(municipality=municipality)
        before = None if row.pk is None else audit.snapshot(row)
        _set_glossary(row, term=entry.term, paraphrase=entry.paraphrase, note=entry.note or "")
        _save(actor=actor, instance=row, before=before, detail=detail)


def _replace_expressions(actor: Any, municipality: Any, config: Config, detail: str) -> None:
    rows = {
        row.pattern: row for row in PreferredExpression.objects.filter(municipality=municipality)
    }
    wanted = {entry.pattern for entry in config.expressions}
    for pattern, row in rows.items():
        if pattern not in wanted:
            _delete(actor=actor, instance=row, detail=detail)
    for entry in config.expressions:
        row = rows.get(entry.pattern) or PreferredExpression(municipality=municipality)
        before = None if row.pk is None else audit.snapshot(row)
        _set_expression(
            row,
            pattern=entry.pattern,
            preferred=entry.preferred,
            regex=entry.regex,
            severity=str(entry.severity),
            message=entry.message or "",
        )
        _save(actor=actor, instance=row, before=before, detail=detail)


def _replace_allowlist(actor: Any, municipality: Any, config: Config, detail: str) -> None:
    rows = {row.word: row for row in AllowedWord.objects.filter(municipality=municipality)}
    for word, row in rows.items():
        if word not in config.allowlist:
            _delete(actor=actor, instance=row, detail=detail)
    for word in sorted(config.allowlist - rows.keys()):
        entry = AllowedWord(municipality=municipality)
        _set_word(entry, word)
        _save(actor=actor, instance=entry, before=None, detail=detail)
