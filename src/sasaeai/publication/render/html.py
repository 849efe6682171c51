"""The report as one standalone HTML file (CSS inlined, charts as inline SVG: works offline).

The same HTML, with the print stylesheet added, becomes the PDF (``render/pdf.py``). Element
ids match ``TextSlot.anchor`` (``overview``, ``goal-N``, ``initiative-N``, ``review-N``,
``summary-N``) so the plain-language gate can link into the report.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sasaeai.publication import charts
from sasaeai.publication.document import (
    GoalNode,
    GoalSection,
    IndicatorEntry,
    InitiativeEntry,
    ReportDocument,
    format_percent,
    format_value,
)

STATIC = Path(__file__).resolve().parents[1] / "static" / "publication"


@functools.cache
def stylesheet(name: str) -> str:
    """The text of one of the report's CSS files (``report.css``, ``report-print.css``)."""
    return (STATIC / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class IndicatorView:
    entry: IndicatorEntry
    baseline: str
    target: str
    cells: tuple[str, ...]  # one per report year
    achievement: str
    status: str
    chart: charts.Chart


@dataclass(frozen=True)
class InitiativeView:
    entry: InitiativeEntry
    units: str
    original_shown: bool  # the 再掲 original is in this report (link to it)


@dataclass(frozen=True)
class InitiativeGroup:
    policy: str
    initiative_type: str
    initiatives: tuple[InitiativeView, ...]


@dataclass(frozen=True)
class GoalView:
    section: GoalSection
    node: GoalNode | None
    indicators: tuple[IndicatorView, ...]
    grade_chart: charts.Chart
    direction_chart: charts.Chart
    groups: tuple[InitiativeGroup, ...]
    evaluated: int
    originals: int


def _indicator_view(entry: IndicatorEntry, years: tuple[int, ...]) -> IndicatorView:
    values = {v.fiscal_year: v.value for v in entry.values}
    status = entry.status_label
    if entry.status_code and entry.status_code not in status:
        status = f"{entry.status_code} {status}"
    return IndicatorView(
        entry=entry,
        baseline=format_value(entry.baseline, entry.unit_label),
        target=format_value(entry.target, entry.unit_label),
        cells=tuple(
            format_value(values[fy], entry.unit_label) if fy in values else "—" for fy in years
        ),
        achievement=format_percent(entry.achievement),
        status=status or "—",
        chart=charts.indicator_trend(entry, years, chart_id=f"chart-indicator-{entry.number}"),
    )


def _groups(
    section: GoalSection, node: GoalNode | None, shown: set[int]
) -> tuple[InitiativeGroup, ...]:
    policy_names = {p.number: p.name for p in node.policies} if node else {}
    groups: list[InitiativeGroup] = []
    current: list[InitiativeView] = []
    key: tuple[int, int] | None = None
    labels = ("", "")
    for entry in section.initiatives:
        if (entry.policy_number, entry.type_number) != key:
            if current:
                groups.append(InitiativeGroup(*labels, tuple(current)))
            key = (entry.policy_number, entry.type_number)
            policy = policy_names.get(entry.policy_number, "")
            labels = (
                f"{entry.policy_number} {policy}".strip(),
                f"{entry.type_number} {entry.type_name}".strip(),
            )
            current = []
        current.append(
            InitiativeView(
                entry=entry,
                units="、".join(entry.units),
                original_shown=entry.repost_of_number in shown,
            )
        )
    if current:
        groups.append(InitiativeGroup(*labels, tuple(current)))
    return tuple(groups)


def context(doc: ReportDocument, *, for_print: bool = False) -> dict[str, Any]:
    """Everything the report templates need, numbers already formatted."""
    nodes = {node.number: node for node in doc.structure}
    shown = {entry.number for section in doc.goals for entry in section.initiatives}
    indicators = [_indicator_view(entry, doc.years) for entry in doc.indicators]
    goals = []
    for section in doc.goals:
        originals = [e for e in section.initiatives if e.repost_of_number is None]
        goals.append(
            GoalView(
                section=section,
                node=nodes.get(section.number),
                indicators=tuple(v for v in indicators if v.entry.goal_number == section.number),
                grade_chart=charts.grade_bars(
                    _("基本目標 {number} の取組の評価").format(number=section.number),
                    section.grade_counts,
                    chart_id=f"chart-grades-{section.number}",
                ),
                direction_chart=charts.direction_bars(
                    _("基本目標 {number} の取組の今後の方向性").format(number=section.number),
                    section.direction_counts,
                    chart_id=f"chart-directions-{section.number}",
                ),
                groups=_groups(section, nodes.get(section.number), shown),
                evaluated=sum(1 for e in originals if e.grade_code),
                originals=len(originals),
            )
        )
    totals_chart = charts.grade_bars(
        _("計画全体の取組の評価"), doc.totals, chart_id="chart-grades-total"
    )
    return {
        "doc": doc,
        "indicators": indicators,
        "goals": goals,
        "totals_chart": totals_chart,
        "total_count": sum(row.count for row in doc.totals),
        "has_reposts": any(e.repost_of_number for s in doc.goals for e in s.initiatives),
        "for_print": for_print,
    }


def render_html(doc: ReportDocument, *, for_print: bool = False) -> str:
    """The whole report as a standalone HTML document (``lang="ja"``, CSS inlined).

    The print stylesheet is inlined too (``media="print"``): WeasyPrint applies it for the
    PDF, and a browser applies it when someone prints the HTML file.
    """
    ctx = context(doc, for_print=for_print)
    ctx["css"] = mark_safe(stylesheet("report.css"))  # noqa: S308 -- our own file
    ctx["print_css"] = mark_safe(stylesheet("report-print.css"))  # noqa: S308 -- our own file
    return render_to_string("publication/report/document.html", ctx)
