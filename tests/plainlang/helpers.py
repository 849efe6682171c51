"""Small helpers shared by the plain-Japanese checker tests."""

from __future__ import annotations

from sasaeai.plainlang.engine import Config, Finding, check

Brief = tuple[str, str, int, int, int, int, str | None]


def findings(text: str, rule: str, config: Config | None = None) -> list[Finding]:
    """The findings of one rule in a text."""
    return [finding for finding in check(text, config).findings if finding.rule == rule]


def brief(found: list[Finding]) -> list[Brief]:
    """(text, severity, offset, length, line, column, suggestion) of each finding."""
    return [
        (f.text, str(f.severity), f.offset, f.length, f.line, f.column, f.suggestion) for f in found
    ]
