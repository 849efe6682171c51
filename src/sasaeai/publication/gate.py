"""The plain-language gate (公表前の確認): the checker run over every piece of prose in a report.

:func:`gate_check` is pure: it takes a :class:`ReportDocument` and a ready :class:`Checker` and
runs no queries. The whole report is checked as *one* document (``Checker.check_segments``,
one segment per :class:`TextSlot`), so a term explained in parentheses early on is not flagged
again later, and one checker serves the whole report — nothing is re-configured per slot.

:func:`gate_checker` builds that checker from a municipality's settings (``config_for``) plus
its kept terms (:class:`KeptTerm`, 用語解説): a kept term is treated as an allowed word, and
wins over the municipality's own glossary, so the gate no longer reports it.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sasaeai.plainlang.engine import Checker, Config, Finding, Segment, Severity
from sasaeai.plainlang.engine.text import lookup_key
from sasaeai.plainlang.labels import rule_label, severity_label
from sasaeai.publication.document import ReportDocument, TextSlot

#: Characters of context shown on each side of the flagged text.
CONTEXT = 20
#: Rules whose findings are words: the secretariat may keep such a word (用語解説).
KEEPABLE_RULES = frozenset({"loanword", "abbreviation"})
SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)


@dataclass(frozen=True)
class GateFinding:
    """One finding, placed in its report slot, with the flagged text and its context."""

    rule: str
    severity: str  # "error" | "warning" | "info"
    message: str
    suggestion: str | None
    text: str  # exactly the flagged characters
    before: str  # up to CONTEXT characters before them ("…" first when cut)
    after: str  # up to CONTEXT characters after them ("…" last when cut)
    offset: int
    line: int
    column: int
    anchor: str

    @property
    def severity_label(self) -> str:
        return severity_label(self.severity)

    @property
    def rule_label(self) -> str:
        return rule_label(self.rule)

    @property
    def can_keep(self) -> bool:
        """A flagged word (not a wording or a long sentence) can be kept with an explanation."""
        return self.rule in KEEPABLE_RULES


@dataclass(frozen=True)
class FieldFindings:
    """The findings in one field of one place (「実施内容・実績」 of 「取組 12 …」)."""

    field: str
    anchor: str
    findings: tuple[GateFinding, ...]


@dataclass(frozen=True)
class LocationFindings:
    """The findings of one place in the report, field by field, in report order."""

    location: str
    anchor: str
    fields: tuple[FieldFindings, ...]

    @property
    def count(self) -> int:
        return sum(len(group.findings) for group in self.fields)


@dataclass(frozen=True)
class GateResult:
    """Everything the gate found, grouped by place then field, with counts per severity."""

    locations: tuple[LocationFindings, ...]
    counts: Mapping[str, int]  # every severity present, zeros included
    slots_checked: int

    @property
    def open_errors(self) -> int:
        """Error-level findings still open: publishing needs an explicit confirmation."""
        return self.counts[str(Severity.ERROR)]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def findings(self) -> Iterable[GateFinding]:
        for location in self.locations:
            for group in location.fields:
                yield from group.findings


def normalise_term(term: str) -> str:
    """A kept term as stored: NFKC, without surrounding blanks."""
    return unicodedata.normalize("NFKC", term or "").strip()


def checker_config(config: Config, kept_terms: Iterable[str]) -> Config:
    """``config`` with the kept terms allowed, and dropped from the glossary that would flag them."""
    kept = {normalise_term(term) for term in kept_terms}
    kept.discard("")
    if not kept:
        return config
    keys = {lookup_key(term) for term in kept}
    return dataclasses.replace(
        config,
        allowlist=config.allowlist | kept,
        glossary=tuple(entry for entry in config.glossary if lookup_key(entry.term) not in keys),
    )


def gate_checker(municipality: Any) -> Checker:
    """The checker the gate uses for a municipality: its settings plus its kept terms (5 queries)."""
    from sasaeai.plainlang.selectors import config_for
    from sasaeai.publication.models import KeptTerm

    terms = KeptTerm.objects.filter(municipality=municipality).values_list("term", flat=True)
    return Checker(checker_config(config_for(municipality), terms))


def _context(slot: TextSlot, finding: Finding) -> tuple[str, str]:
    text = slot.text
    start, end = finding.offset, finding.offset + finding.length
    before = text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT]
    if start > CONTEXT:
        before = "…" + before
    if end + CONTEXT < len(text):
        after += "…"
    return before, after


def gate_check(document: ReportDocument, checker: Checker) -> GateResult:
    """Check every :class:`TextSlot` of ``document`` as one document; group what is found."""
    slots = list(document.texts())
    report = checker.check_segments(
        Segment(slot.text, str(index)) for index, slot in enumerate(slots)
    )
    by_slot: dict[int, list[GateFinding]] = {}
    counts: Counter[str] = Counter({str(severity): 0 for severity in SEVERITIES})
    for finding in report.findings:
        index = int(finding.location or 0)
        slot = slots[index]
        before, after = _context(slot, finding)
        severity = str(finding.severity)
        counts[severity] += 1
        by_slot.setdefault(index, []).append(
            GateFinding(
                rule=finding.rule,
                severity=severity,
                message=finding.message,
                suggestion=finding.suggestion,
                text=finding.text,
                before=before,
                after=after,
                offset=finding.offset,
                line=finding.line,
                column=finding.column,
                anchor=slot.anchor,
            )
        )
    # group by place (first appearance), then by field within it, keeping report order
    places: dict[str, tuple[str, dict[str, tuple[str, list[GateFinding]]]]] = {}
    for index in sorted(by_slot):
        slot = slots[index]
        _anchor, fields = places.setdefault(slot.location, (slot.anchor, {}))
        fields.setdefault(slot.field, (slot.anchor, []))[1].extend(by_slot[index])
    locations = tuple(
        LocationFindings(
            location=location,
            anchor=anchor,
            fields=tuple(
                FieldFindings(field=field, anchor=field_anchor, findings=tuple(found))
                for field, (field_anchor, found) in fields.items()
            ),
        )
        for location, (anchor, fields) in places.items()
    )
    return GateResult(locations=locations, counts=dict(counts), slots_checked=len(slots))
