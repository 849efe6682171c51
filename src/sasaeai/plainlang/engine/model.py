"""The checker's results: findings, readability and the report that holds them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Severity(enum.StrEnum):
    """How much a finding matters; ``error`` makes ``run_check`` exit with 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """2 for error, 1 for warning, 0 for info: for comparisons such as "warning or worse"."""
        return _RANK[self]


_RANK = {Severity.ERROR: 2, Severity.WARNING: 1, Severity.INFO: 0}


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a document checked as one text: a whole file, a Word paragraph, a cell.

    ``location`` names the piece for people (``"Sheet1!B3"``, ``"段落12"``); it is ``None``
    for a plain text, whose findings are placed by line and column alone.
    """

    text: str
    location: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One place in the text that a rule flags.

    ``offset`` and ``length`` count Python ``str`` characters of the segment's text, so
    ``text == segment.text[offset:offset + length]``; ``line`` and ``column`` are 1-based.
    """

    rule: str
    severity: Severity
    offset: int
    length: int
    line: int
    column: int
    text: str
    message: str
    suggestion: str | None
    location: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The finding as in the JSON report; ``location`` appears only when set."""
        data: dict[str, Any] = {
            "rule": self.rule,
            "severity": str(self.severity),
            "line": self.line,
            "column": self.column,
            "offset": self.offset,
            "length": self.length,
            "text": self.text,
            "message": self.message,
            "suggestion": self.suggestion,
        }
        if self.location is not None:
            data["location"] = self.location
        return data


@dataclass(frozen=True, slots=True)
class Readability:
    """A jReadability score (rounded to 2 decimals) and its level label, e.g. ``中級後半``."""

    score: float
    level: str

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "level": self.level}


@dataclass(frozen=True, slots=True)
class ParagraphReadability:
    """The readability of one paragraph, placed like a finding."""

    offset: int
    line: int
    readability: Readability
    location: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"line": self.line, "offset": self.offset}
        if self.location is not None:
            data["location"] = self.location
        data.update(self.readability.to_dict())
        return data


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the checker found in one document.

    ``findings`` are in document order (by segment, then offset). ``readability`` is
    ``None`` for a text without any words.
    """

    findings: tuple[Finding, ...]
    readability: Readability | None
    paragraphs: tuple[ParagraphReadability, ...] = ()

    @property
    def has_errors(self) -> bool:
        return any(finding.severity is Severity.ERROR for finding in self.findings)

    def to_dict(self, *, paragraphs: bool = False) -> dict[str, Any]:
        """The per-file object of the JSON report, without its ``path``.

        ``paragraphs=True`` adds the optional per-paragraph readability list.
        """
        data: dict[str, Any] = {
            "findings": [finding.to_dict() for finding in self.findings],
            "readability": None if self.readability is None else self.readability.to_dict(),
        }
        if paragraphs:
            data["paragraphs"] = [paragraph.to_dict() for paragraph in self.paragraphs]
        return data
