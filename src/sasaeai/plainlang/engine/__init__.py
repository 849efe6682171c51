"""The plain-Japanese checker engine (やさしい日本語チェッカー): pure Python, no Django.

    >>> from sasaeai.plainlang.engine import check
    >>> report = check("アウトリーチを利用することができる。")
    >>> [(f.rule, str(f.severity), f.text, f.suggestion) for f in report.findings]
    [('loanword', 'warning', 'アウトリーチ', '訪問による支援'), ('redundant', 'info', 'することができる', 'できる')]

See ``docs/plainlang.md`` for the rules, the settings and the report format.
"""

from __future__ import annotations

from sasaeai.plainlang.engine.checker import Checker, check, check_many
from sasaeai.plainlang.engine.config import (
    RULE_IDS,
    Config,
    ConfigError,
    ExpressionEntry,
    GlossaryEntry,
    RuleSettings,
)
from sasaeai.plainlang.engine.model import (
    Finding,
    ParagraphReadability,
    Readability,
    Report,
    Segment,
    Severity,
)
from sasaeai.plainlang.engine.output import (
    UsageError,
    format_finding,
    format_json,
    format_text,
    run_check,
)
from sasaeai.plainlang.engine.sources import (
    Source,
    SourceError,
    check_characters,
    decode_text,
    read_text_source,
)

__all__ = [
    "RULE_IDS",
    "Checker",
    "Config",
    "ConfigError",
    "ExpressionEntry",
    "Finding",
    "GlossaryEntry",
    "ParagraphReadability",
    "Readability",
    "Report",
    "RuleSettings",
    "Segment",
    "Severity",
    "Source",
    "SourceError",
    "UsageError",
    "check",
    "check_characters",
    "check_many",
    "decode_text",
    "format_finding",
    "format_json",
    "format_text",
    "read_text_source",
    "run_check",
]
