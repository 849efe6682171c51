"""SVG charts: accessible markup, gaps, labels, escaping and the data table."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from django.template.loader import render_to_string

from sasaeai.publication.charts import direction_bars, grade_bars, indicator_trend, short_year
from sasaeai.publication.document import CountRow, IndicatorEntry, YearValue

NS = "{http://www.w3.org/2000/svg}"


def _entry(values: dict[int, str], name: str = "相談件数") -> IndicatorEntry:
    return IndicatorEntry(
        number=7,
        goal_number=1,
        name=name,
        unit_label="件",
        baseline=Decimal("1000"),
        baseline_fy=2019,
        target=Decimal("2000"),
        target_fy=2025,
        direction="increase",
        direction_label="増やす",
        source="業務統計",
        is_survey=False,
        values=tuple(YearValue(fy, Decimal(v)) for fy, v in values.items()),
        achievement=None,
        status_code="",
        status_label="",
    )


def _svg(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 -- SVG made by the code under test


def _child(svg: ET.Element, tag: str) -> ET.Element:
    found = svg.find(f"{NS}{tag}")
    assert found is not None, tag
    return found


def _texts(svg: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in svg.iter(f"{NS}text")]


def test_trend_is_an_accessible_image_with_japanese_labels() -> None:
    chart = indicator_trend(
        _entry({2020: "1200", 2021: "1350.5", 2023: "1800"}),
        [2020, 2021, 2022, 2023, 2024],
        chart_id="ind-7",
    )
    svg = _svg(chart.svg)
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == "0 0 480 290"
    assert svg.get("aria-labelledby") == "ind-7-title ind-7-desc"
    assert _child(svg, "title").text == "成果指標 7「相談件数」の推移"
    assert _child(svg, "title").get("id") == "ind-7-title"
    assert _child(svg, "desc").text == (
        "令和5年度の実績は1,800件。基準値は1,000件。目標値は2,000件。"
    )
    texts = _texts(svg)
    for label in ("令和2", "令和3", "令和4", "令和5", "令和6"):
        assert label in texts
    for value in ("1,200件", "1,350.5件", "1,800件", "基準値 令和元", "1,000件", "目標値 令和7"):
        assert value in texts
    # 令和4年度 has no value: the line breaks into two runs, one marker per value
    assert len(svg.findall(f"{NS}polyline")) == 1  # 2020–2021; 2023 stands alone
    assert len(svg.findall(f"{NS}circle")) == 3
    dashes = sorted(line.get("stroke-dasharray") or "" for line in svg.iter(f"{NS}line"))
    assert "6 4" in dashes and "2 3" in dashes  # baseline and target differ by pattern
    assert chart.caption == "成果指標 7「相談件数」の推移"
    assert chart.headers == ("年度", "値")
    assert chart.rows == (
        ("基準値（令和元年度）", "1,000件"),
        ("令和2年度", "1,200件"),
        ("令和3年度", "1,350.5件"),
        ("令和4年度", "—"),
        ("令和5年度", "1,800件"),
        ("令和6年度", "—"),
        ("目標値（令和7年度）", "2,000件"),
    )


def test_trend_without_values_says_so() -> None:
    chart = indicator_trend(_entry({}), [2020, 2021], chart_id="x")
    svg = _svg(chart.svg)
    assert "実績はまだありません" in _texts(svg)
    assert svg.findall(f"{NS}circle") == []
    assert _child(svg, "desc").text == "実績はまだありません。基準値は1,000件。目標値は2,000件。"


def test_text_is_escaped() -> None:
    chart = indicator_trend(_entry({2020: "1"}, name='<script>alert("x")</script>&'), [2020])
    assert "<script>" not in chart.svg
    svg = _svg(chart.svg)  # still well-formed XML
    assert _child(svg, "title").text == '成果指標 7「<script>alert("x")</script>&」の推移'
    bars = grade_bars("<b>評価</b>", [CountRow("A", "<i>順調</i>", 1)], chart_id="g")
    assert "<i>" not in bars.svg and "<b>" not in bars.svg
    assert "&lt;i&gt;順調&lt;/i&gt;" in bars.svg


def test_default_ids_differ_between_charts() -> None:
    first = indicator_trend(_entry({2020: "1"}, name="一"), [2020])
    second = indicator_trend(_entry({2020: "1"}, name="二"), [2020])
    assert _svg(first.svg).get("id") != _svg(second.svg).get("id")


def test_grade_bars_write_counts_and_use_patterns() -> None:
    rows = [
        CountRow("A", "順調", 14),
        CountRow("B", "概ね順調", 19),
        CountRow("C", "やや遅れている", 8),
        CountRow("D", "遅れている", 0),
    ]
    chart = grade_bars("基本目標 1 の評価", rows, chart_id="grades-1")
    svg = _svg(chart.svg)
    assert svg.get("role") == "img"
    assert _child(svg, "title").text == "基本目標 1 の評価"
    assert _child(svg, "desc").text == (
        "合計41件。A 順調 14件（34.1%）、B 概ね順調 19件（46.3%）、"
        "C やや遅れている 8件（19.5%）、D 遅れている 0件（0.0%）"
    )
    texts = _texts(svg)
    assert texts == [
        "A 順調",
        "14件（34.1%）",
        "B 概ね順調",
        "19件（46.3%）",
        "C やや遅れている",
        "8件（19.5%）",
        "D 遅れている",
        "0件（0.0%）",
    ]
    fills = [rect.get("fill") for rect in svg.findall(f"{NS}rect")]
    assert fills == ["#1d4f91", "url(#grades-1-p1)", "url(#grades-1-p2)"]  # no bar for 0
    widths = [float(rect.get("width") or 0) for rect in svg.findall(f"{NS}rect")]
    assert widths[1] == max(widths)  # the largest count has the longest bar
    assert chart.headers == ("評価", "件数")
    assert chart.rows[-1] == ("計", "41件")
    assert chart.rows[0] == ("A 順調", "14件（34.1%）")


def test_direction_bars_label_without_code() -> None:
    chart = direction_bars(
        "今後の方向性", [CountRow("拡充", "拡充", 0), CountRow("継続", "継続", 0)], chart_id="d"
    )
    assert chart.headers == ("今後の方向性", "件数")
    assert chart.rows == (("拡充", "0件"), ("継続", "0件"), ("計", "0件"))
    assert "拡充" in _texts(_svg(chart.svg))


def test_short_year() -> None:
    assert (short_year(2019), short_year(2024), short_year(2018)) == ("令和元", "令和6", "平成30")


def test_include_renders_figure_with_table() -> None:
    from html.parser import HTMLParser

    chart = grade_bars("評価の内訳", [CountRow("A", "順調", 2)], chart_id="c1")
    html = render_to_string("publication/includes/chart.html", {"chart": chart})

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, dict[str, str | None]]] = []
            self.text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append((tag, dict(attrs)))

        def handle_data(self, data: str) -> None:
            if data.strip():
                self.text.append(data.strip())

    parser = Cells()
    parser.feed(html)
    names = [tag for tag, _attrs in parser.tags]
    assert names[0] == "figure"
    assert "svg" in names and "table" in names and "caption" in names
    scopes = [attrs.get("scope") for tag, attrs in parser.tags if tag == "th"]
    assert scopes == ["col", "col", "row", "row"]
    assert parser.text[0] == "評価の内訳"
    assert parser.text[-4:] == ["A 順調", "2件（100.0%）", "計", "2件"]


def test_long_series_labels_only_first_and_last_value() -> None:
    years = list(range(2020, 2028))
    chart = indicator_trend(_entry({fy: str(100 + fy - 2020) for fy in years}), years, chart_id="l")
    texts = _texts(_svg(chart.svg))
    assert [t for t in texts if t.endswith("件") and t[0].isdigit()] == [
        "1,000件",  # baseline
        "2,000件",  # target
        "100件",
        "107件",
    ]
    assert len(_svg(chart.svg).findall(f"{NS}circle")) == 8
    assert len(chart.rows) == 10  # baseline, 8 years, target
