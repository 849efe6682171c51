"""Server-side SVG charts for the report and the public plan pages (no JavaScript).

Every chart is a :class:`Chart`: the SVG plus the same figures as a caption, column headers and
rows, which ``publication/includes/chart.html`` renders as a real table for screen readers.

The SVGs are accessible on their own: ``role="img"`` with ``<title>`` and ``<desc>`` referenced
by ``aria-labelledby``; values are written next to the marks and series differ by line pattern
and bar hatching as well as by colour; they are sized by ``viewBox`` so they scale to a phone.
All text is escaped. Element ids start with ``chart_id``, which must be unique in the page.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.translation import gettext as _

from sasaeai.core.wareki import format_fiscal_year, format_year
from sasaeai.publication.document import CountRow, IndicatorEntry, format_value

INK = "#1a1a1a"  # text
MUTED = "#4d4d4d"  # secondary text and axis (7.9:1 on white)
GRID = "#c8c8c8"
SERIES = "#1d4f91"  # actuals and bars (8.4:1 on white)
BASELINE = "#4d4d4d"
TARGET = "#8a1c1c"  # 8.9:1 on white
# Named fonts so the PDF uses the same Japanese font as the text; pages may override with CSS.
FONT = (
    "font-family=\"IPAexGothic, 'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', "
    "'Yu Gothic', Meiryo, sans-serif\""
)


@dataclass(frozen=True)
class Chart:
    svg: str
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _id(chart_id: str | None, *parts: object) -> str:
    if chart_id:
        return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in chart_id)
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:10]
    return f"chart-{digest}"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def short_year(fiscal_year: int) -> str:
    """``2024`` → ``令和6``, ``2019`` → ``令和元`` (axis labels; tables use 令和6年度)."""
    return format_year(fiscal_year)[:-1]  # 令和6年 without its last character


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / max(ticks, 1)
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _scale(values: Sequence[float]) -> tuple[float, float, float]:
    """Axis bounds (low, high) and the tick step for ``values``."""
    low, high = min(values), max(values)
    if low >= 0 and low <= high * 0.5:
        low = 0.0
    if high == low:
        high = low + (abs(low) or 1.0)
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    if high - low < step * 2:
        high = low + step * 2
    return low, high, step


def _tick_label(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{value:,.{decimals}f}"


def _svg_open(svg_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" id="{svg_id}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{svg_id}-title {svg_id}-desc" font-size="15" {FONT}>',
        f'<title id="{svg_id}-title">{_e(title)}</title>',
        f'<desc id="{svg_id}-desc">{_e(desc)}</desc>',
    ]


def indicator_trend(
    entry: IndicatorEntry, years: Sequence[int], *, chart_id: str | None = None
) -> Chart:
    """A line of the actuals per 年度 with the baseline and the target as labelled lines.

    A 年度 without a value is a gap in the line (and 「—」 in the table).
    """
    svg_id = _id(chart_id, "trend", entry.number, entry.name, tuple(years))
    unit = entry.unit_label
    values = {v.fiscal_year: v.value for v in entry.values}
    title = _("成果指標 {number}「{name}」の推移").format(number=entry.number, name=entry.name)

    parts_desc = []
    shown = [fy for fy in years if fy in values]
    if shown:
        last = shown[-1]
        parts_desc.append(
            _("{year}の実績は{value}。").format(
                year=format_fiscal_year(last), value=format_value(values[last], unit)
            )
        )
    else:
        parts_desc.append(_("実績はまだありません。"))
    if entry.baseline is not None:
        parts_desc.append(_("基準値は{value}。").format(value=format_value(entry.baseline, unit)))
    if entry.target is not None:
        parts_desc.append(_("目標値は{value}。").format(value=format_value(entry.target, unit)))
    desc = "".join(parts_desc)

    width, height = 480, 290
    left, right, top, bottom = 58, 108, 30, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [float(values[fy]) for fy in shown]
    numbers += [float(v) for v in (entry.baseline, entry.target) if v is not None]
    low, high, step = _scale(numbers or [0.0, 1.0])

    def y_of(value: Decimal | float) -> float:
        return top + plot_h - (float(value) - low) / (high - low) * plot_h

    count = max(len(years), 1)
    slot = plot_w / count
    axis_size = "" if slot >= 48 else f' font-size="{max(9, int(slot / 3.2))}"'

    def x_of(index: int) -> float:
        return left + (index + 0.5) * plot_w / count

    out = _svg_open(svg_id, width, height, title, desc)
    # grid and y axis labels
    tick = low
    while tick <= high + step / 1000:
        y = y_of(tick)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{_e(_tick_label(tick, step))}</text>"
        )
        tick += step
    if unit:
        out.append(
            f'<text x="{left - 8}" y="{top - 8}" text-anchor="end" fill="{MUTED}">'
            f"（{_e(unit)}）</text>"
        )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1.5"/>'
    )
    for index, fy in enumerate(years):
        out.append(
            f'<text x="{x_of(index):.1f}" y="{top + plot_h + 24}" text-anchor="middle" '
            f'fill="{INK}"{axis_size}>{_e(short_year(fy))}</text>'
        )
    # baseline and target: horizontal lines with different dash patterns and written labels
    lines: list[tuple[str, str, str, Decimal, int | None]] = []
    if entry.baseline is not None:
        lines.append((_("基準値"), BASELINE, "6 4", entry.baseline, entry.baseline_fy))
    if entry.target is not None:
        lines.append((_("目標値"), TARGET, "2 3", entry.target, entry.target_fy))
    label_ys = [y_of(line[3]) for line in lines]
    if len(label_ys) == 2 and abs(label_ys[0] - label_ys[1]) < 36:
        middle = (label_ys[0] + label_ys[1]) / 2
        upper, lower = (0, 1) if label_ys[0] <= label_ys[1] else (1, 0)
        label_ys[upper], label_ys[lower] = middle - 18, middle + 18
    label_ys = [min(max(y, top + 4), top + plot_h - 16) for y in label_ys]
    if len(label_ys) == 2 and abs(label_ys[0] - label_ys[1]) < 36:  # clamped together again
        upper = 0 if label_ys[0] <= label_ys[1] else 1
        if label_ys[upper] <= top + 4:
            label_ys[1 - upper] = label_ys[upper] + 36
        else:
            label_ys[upper] = label_ys[1 - upper] - 36
    for (name, colour, dash, value, line_fy), label_y in zip(lines, label_ys, strict=True):
        y = y_of(value)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
        )
        year = f" {short_year(line_fy)}" if line_fy else ""
        out.append(
            f'<text x="{left + plot_w + 8}" y="{label_y - 2:.1f}" fill="{colour}">'
            f"{_e(name + year)}</text>"
        )
        out.append(
            f'<text x="{left + plot_w + 8}" y="{label_y + 15:.1f}" fill="{colour}" '
            f'font-weight="bold">{_e(format_value(value, unit))}</text>'
        )
    # actuals: one polyline per run of consecutive years with values
    run: list[tuple[float, float]] = []
    runs: list[list[tuple[float, float]]] = []
    for index, fy in enumerate(years):
        if fy in values:
            run.append((x_of(index), y_of(values[fy])))
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    for points in runs:
        if len(points) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            out.append(
                f'<polyline points="{coords}" fill="none" stroke="{SERIES}" stroke-width="3"/>'
            )
    labelled = set(shown) if len(years) <= 6 else {shown[0], shown[-1]} if shown else set()
    for index, fy in enumerate(years):
        if fy not in values:
            continue
        x, y = x_of(index), y_of(values[fy])
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{SERIES}" stroke="#ffffff" '
            f'stroke-width="1.5"/>'
        )
        if fy not in labelled:
            continue
        label_y = y - 10 if y - 10 > top + 4 else y + 22
        out.append(
            f'<text x="{x:.1f}" y="{label_y:.1f}" text-anchor="middle" fill="{INK}" '
            f'font-weight="bold">{_e(format_value(values[fy], unit))}</text>'
        )
    if not shown:
        out.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" '
            f'text-anchor="middle" fill="{MUTED}">{_e(_("実績はまだありません"))}</text>'
        )
    out.append("</svg>")

    rows: list[tuple[str, ...]] = []
    for name, _colour, _dash, value, line_fy in lines:
        if name == _("基準値"):
            rows.append((_label_with_year(name, line_fy), format_value(value, unit)))
    rows += [
        (format_fiscal_year(fy), format_value(values[fy], unit) if fy in values else "—")
        for fy in years
    ]
    for name, _colour, _dash, value, line_fy in lines:
        if name == _("目標値"):
            rows.append((_label_with_year(name, line_fy), format_value(value, unit)))
    return Chart(
        svg="\n".join(out),
        caption=title,
        headers=(_("年度"), _("値")),
        rows=tuple(rows),
    )


def _label_with_year(name: str, fiscal_year: int | None) -> str:
    return f"{name}（{format_fiscal_year(fiscal_year)}）" if fiscal_year else name


def _patterns(svg_id: str) -> list[str]:
    """Fills told apart without colour: solid, diagonal hatching, dots, cross-hatching, bands."""
    light = "#dce6f4"
    return [
        "<defs>",
        f'<pattern id="{svg_id}-p1" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{light}"/>'
        f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{SERIES}" stroke-width="2"/>'
        "</pattern>",
        f'<pattern id="{svg_id}-p2" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="#ffffff"/>'
        f'<circle cx="3" cy="3" r="1.6" fill="{SERIES}"/></pattern>',
        f'<pattern id="{svg_id}-p3" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="#ffffff"/>'
        f'<path d="M0,0 l8,8 M8,0 l-8,8" stroke="{SERIES}" stroke-width="1.5"/></pattern>',
        f'<pattern id="{svg_id}-p4" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{light}"/>'
        f'<path d="M0,4 h8" stroke="{SERIES}" stroke-width="2"/></pattern>',
        "</defs>",
    ]


def _fill(svg_id: str, index: int) -> str:
    kind = index % 5
    return SERIES if kind == 0 else f"url(#{svg_id}-p{kind})"


def _share(count: int, total: int) -> str:
    if not total:
        return _("{count}件").format(count=f"{count:,}")
    percent = (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.1"))
    return _("{count}件（{percent}%）").format(count=f"{count:,}", percent=percent)


def _bars(
    title: str, rows: Sequence[CountRow], header: str, chart_id: str | None, kind: str
) -> Chart:
    svg_id = _id(chart_id, kind, title, tuple(rows))
    total = sum(row.count for row in rows)

    def label(row: CountRow) -> str:
        return row.label if row.code == row.label or not row.code else f"{row.code} {row.label}"

    desc = _("合計{total}件。").format(total=f"{total:,}") + "、".join(
        f"{label(row)} {_share(row.count, total)}" for row in rows
    )
    width, row_h, top = 480, 40, 8
    height = top + row_h * max(len(rows), 1) + 8
    label_w, value_w = 150, 126
    bar_max = width - label_w - value_w - 10
    biggest = max((row.count for row in rows), default=0) or 1
    out = _svg_open(svg_id, width, height, title, desc)
    out += _patterns(svg_id)
    out.append(
        f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{height - 8}" '
        f'stroke="{MUTED}" stroke-width="1.5"/>'
    )
    for index, row in enumerate(rows):
        y = top + index * row_h
        out.append(
            f'<text x="{label_w - 10}" y="{y + row_h / 2 + 5:.1f}" text-anchor="end" '
            f'fill="{INK}">{_e(label(row))}</text>'
        )
        bar = bar_max * row.count / biggest
        if row.count:
            out.append(
                f'<rect x="{label_w}" y="{y + 6}" width="{max(bar, 2):.1f}" height="{row_h - 12}" '
                f'fill="{_fill(svg_id, index)}" stroke="{SERIES}" stroke-width="1.5"/>'
            )
        out.append(
            f'<text x="{label_w + bar + 8:.1f}" y="{y + row_h / 2 + 5:.1f}" fill="{INK}" '
            f'font-weight="bold">{_e(_share(row.count, total))}</text>'
        )
    out.append("</svg>")
    table_rows = [(label(row), _share(row.count, total)) for row in rows]
    table_rows.append((_("計"), _("{count}件").format(count=f"{total:,}")))
    return Chart(
        svg="\n".join(out),
        caption=title,
        headers=(header, _("件数")),
        rows=tuple(table_rows),
    )


def grade_bars(title: str, rows: Sequence[CountRow], *, chart_id: str | None = None) -> Chart:
    """Horizontal bars of the initiatives per grade, counts and shares written on them."""
    return _bars(title, rows, _("評価"), chart_id, "grades")


def direction_bars(title: str, rows: Sequence[CountRow], *, chart_id: str | None = None) -> Chart:
    """Horizontal bars of the initiatives per 今後の方向性, counts and shares written on them."""
    return _bars(title, rows, _("今後の方向性"), chart_id, "directions")
