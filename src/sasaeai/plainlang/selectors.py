"""Reads of a municipality's checker settings; each runs a constant number of queries.

The settings pages read through ``settings_for`` (the policy's ``visible_settings``); the
engine configuration (``config_for``) is the municipality's whole, for checking texts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from sasaeai.plainlang import permissions
from sasaeai.plainlang.engine import (
    Config,
    ConfigError,
    ExpressionEntry,
    GlossaryEntry,
    RuleSettings,
    Severity,
)
from sasaeai.plainlang.models import AllowedWord, CheckSettings, GlossaryTerm, PreferredExpression

EXPORT_FORMATS = {
    "yaml": "application/yaml; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


def glossary_terms(*, municipality: Any) -> QuerySet[GlossaryTerm]:
    return GlossaryTerm.objects.filter(municipality=municipality).order_by("term")


def preferred_expressions(*, municipality: Any) -> QuerySet[PreferredExpression]:
    return PreferredExpression.objects.filter(municipality=municipality).order_by("id")


@dataclass(frozen=True)
class SettingsLists:
    """What the settings page lists, each narrowed by ``permissions.visible_settings``."""

    glossary: QuerySet[GlossaryTerm]
    expressions: list[PreferredExpression]
    allowlist: QuerySet[AllowedWord]


def settings_for(*, municipality: Any, user: Any) -> SettingsLists:
    return SettingsLists(
        glossary=permissions.visible_settings(
            user, glossary_terms(municipality=municipality), municipality
        ),
        expressions=list(
            permissions.visible_settings(
                user, preferred_expressions(municipality=municipality), municipality
            )
        ),
        allowlist=permissions.visible_settings(
            user, allowed_words(municipality=municipality), municipality
        ),
    )


def too_slow_expressions(expressions: Iterable[PreferredExpression]) -> set[int]:
    """The ids of the regular expressions that are too slow to save today (saved before the
    speed check existed): the checker stops each after its time limit. No queries."""
    slow = set()
    for row in expressions:
        if not row.regex:
            continue
        try:
            ExpressionEntry(pattern=row.pattern, preferred=row.preferred, regex=True).check_speed()
        except ConfigError:
            slow.add(row.pk)
    return slow


def allowed_words(*, municipality: Any) -> QuerySet[AllowedWord]:
    return AllowedWord.objects.filter(municipality=municipality).order_by("word")


def check_settings(*, municipality: Any) -> CheckSettings:
    """The municipality's settings row, or an unsaved one holding the defaults."""
    found = CheckSettings.objects.filter(municipality=municipality).first()
    if found is not None:
        return found
    return CheckSettings(municipality_id=getattr(municipality, "pk", municipality))


def rule_settings(settings: CheckSettings) -> dict[str, RuleSettings]:
    return {
        rule: RuleSettings(
            enabled=bool(value.get("enabled", True)),
            severity=None if value.get("severity") is None else Severity(value["severity"]),
        )
        for rule, value in (settings.rules or {}).items()
    }


def config_for(municipality: Any) -> Config:
    """The engine configuration of a municipality: 4 queries, whatever its size."""
    settings = check_settings(municipality=municipality)
    return Config(
        glossary=tuple(
            GlossaryEntry(term, paraphrase, note or None)
            for term, paraphrase, note in glossary_terms(municipality=municipality).values_list(
                "term", "paraphrase", "note"
            )
        ),
        expressions=tuple(
            ExpressionEntry(
                pattern=pattern,
                preferred=preferred,
                regex=regex,
                severity=Severity(severity),
                message=message or None,
            )
            for pattern, preferred, regex, severity, message in preferred_expressions(
                municipality=municipality
            ).values_list("pattern", "preferred", "regex", "severity", "message")
        ),
        allowlist=frozenset(
            allowed_words(municipality=municipality).values_list("word", flat=True)
        ),
        rules=rule_settings(settings),
        sentence_length_info=settings.sentence_length_info,
        sentence_length_warning=settings.sentence_length_warning,
        comma_max=settings.comma_max,
        builtin_expressions=settings.builtin_expressions,
    )


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


def config_export(*, municipality: Any, fmt: str) -> Export:
    """The settings as the engine's YAML, or as CSV with a BOM (so Excel reads it as UTF-8)."""
    config = config_for(municipality)
    code = getattr(municipality, "code", municipality)
    if fmt == "csv":
        content = config.to_csv().encode("utf-8-sig")
    elif fmt == "yaml":
        content = config.to_yaml().encode("utf-8")
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return Export(content, EXPORT_FORMATS[fmt], f"plainlang-{code}.{fmt}")
