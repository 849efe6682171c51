"""CSV we write for spreadsheets: one guard against formula injection for every export.

A text field that starts with ``= + - @``, a tab or a carriage return (and is longer than that
one character) gets a leading apostrophe ``'``, as OWASP's "CSV Injection" advice says, so a
spreadsheet shows it as text instead of running it. Numbers are never passed through it.
"""

from __future__ import annotations

from typing import Final

BOM: Final = "\ufeff"
LINE_END: Final = "\r\n"
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")


def guard_text(value: str) -> str:
    """Text for a CSV field: LF line breaks, and an apostrophe before a formula-like start."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > 1 and value.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
