"""Reports as text or JSON, and ``run_check``, the whole command-line check in one call."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import BinaryIO

from sasaeai.plainlang.engine.checker import Checker
from sasaeai.plainlang.engine.config import Config
from sasaeai.plainlang.engine.model import Finding, Report
from sasaeai.plainlang.engine.sources import SourceError, read_text_source

FORMATS = ("text", "json")
STDIN = "-"
STDIN_NAME = "<stdin>"


class UsageError(Exception):
    """The check could not run as asked: an unreadable file or an unknown format."""


def format_finding(path: str, finding: Finding) -> str:
    """``path:line:column: severity [rule] message (→ suggestion)``.

    A finding in a Word paragraph or an Excel cell shows its location (``段落12``,
    ``Sheet1!B3``) in place of line and column.
    """
    place = finding.location or f"{finding.line}:{finding.column}"
    line = f"{path}:{place}: {finding.severity} [{finding.rule}] {finding.message}"
    if finding.suggestion is not None:
        line += f" (→ {finding.suggestion})"
    return line


def format_text(path: str, report: Report) -> str:
    """One line per finding, each ending in a newline; empty when nothing was found."""
    return "".join(format_finding(path, finding) + "\n" for finding in report.findings)


def format_json(results: Iterable[tuple[str, Report]], *, paragraphs: bool = False) -> str:
    """The JSON report (see ``docs/formats/plainlang-report.schema.json``)."""
    files = [{"path": path, **report.to_dict(paragraphs=paragraphs)} for path, report in results]
    return json.dumps({"files": files}, ensure_ascii=False, indent=2) + "\n"


def run_check(
    paths: Sequence[str],
    config: Config | None = None,
    fmt: str = "text",
    *,
    stdin: BinaryIO | None = None,
) -> tuple[str, int]:
    """Check files (``-`` or no path at all: standard input) and format the reports.

    Returns the output and the exit status: 1 if any finding is an error, else 0.
    Raises ``UsageError`` for an unknown format or a file that cannot be read.
    """
    if fmt not in FORMATS:
        raise UsageError(f"出力形式「{fmt}」はありません。text か json を指定してください。")
    checker = Checker(config)
    results = []
    for path in paths or [STDIN]:
        try:
            if path == STDIN:
                stream = stdin if stdin is not None else sys.stdin.buffer
                source = read_text_source(stream.read(), name=STDIN_NAME)
            else:
                source = read_text_source(path)
        except SourceError as error:
            raise UsageError(str(error)) from None
        results.append((source.name, checker.check_source(source)))
    if fmt == "json":
        output = format_json(results)
    else:
        output = "".join(format_text(path, report) for path, report in results)
    status = 1 if any(report.has_errors for _, report in results) else 0
    return output, status
