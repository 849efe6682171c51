"""The standalone HTML report: structure, anchors, tables, marks, escaping, accessibility basics."""

from __future__ import annotations

import dataclasses
import itertools
from decimal import Decimal
from typing import Any

import pytest

from sasaeai.plans.models import EvaluationCycle, IndicatorValue, Initiative, Plan
from sasaeai.publication.document import ReportDocument
from sasaeai.publication.models import KeptTerm
from sasaeai.publication.render import RenderedFile, render
from sasaeai.publication.render.html import render_html
from sasaeai.publication.selectors.published import build_document
from tests.publication.htmltree import Node, parse

pytestmark = pytest.mark.django_db


def _doc(built: dict[str, Any]) -> ReportDocument:
    cycle = EvaluationCycle.objects.select_related("plan__municipality").get(pk=built["cycle"].pk)
    return build_document(cycle)


def _html(built: dict[str, Any]) -> tuple[str, Node]:
    html = render_html(_doc(built))
    return html, parse(html)


def test_standalone_document(report_plan: dict[str, Any]) -> None:
    html, tree = _html(report_plan)
    assert html.startswith("<!DOCTYPE html>")
    (root,) = tree.iter("html")
    assert root.attrs["lang"] == "ja"
    assert next(tree.iter("title")).text() == "テスト計画 令和6年度 推進状況報告書（案）"
    styles = list(tree.iter("style"))
    assert len(styles) == 2 and "body.report" in styles[0].text()
    assert styles[1].attrs["media"] == "print" and "@page" in styles[1].text()
    # works offline: nothing loaded from elsewhere, no JavaScript
    assert list(tree.iter("script")) == [] and list(tree.iter("link")) == []
    assert "src=" not in html


def test_draft_and_demo_marks(report_plan: dict[str, Any]) -> None:
    _html_text, tree = _html(report_plan)
    assert tree.by_class("draft-mark")[0].text().startswith("案")
    assert tree.by_class("demo-mark") == []
    EvaluationCycle.objects.filter(pk=report_plan["cycle"].pk).update(status="published")
    Plan.objects.filter(pk=report_plan["plan"].pk).update(is_demo=True)
    _html_text, tree = _html(report_plan)
    assert tree.by_class("draft-mark") == []
    assert tree.by_class("demo-mark")[0].text().startswith("デモ（架空のデータを含みます）")
    assert next(tree.iter("title")).text() == "テスト計画 令和6年度 推進状況報告書"


def test_every_text_anchor_and_link_target_exists_once(report_plan: dict[str, Any]) -> None:
    doc = _doc(report_plan)
    tree = parse(render_html(doc))
    ids = [node.attrs["id"] for node in tree.iter() if "id" in node.attrs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for slot in doc.texts():
        assert slot.anchor in ids, slot
    for link in tree.iter("a"):
        href = link.attrs["href"]
        assert href.startswith("#") and href[1:] in ids, href
    for ident in ("cover", "contents", "overview", "progress", "indicators", "initiatives"):
        assert ident in ids
    for ident in ("reviews", "summaries", "glossary", "goal-1", "goal-2", "review-1"):
        assert ident in ids


def test_headings_in_order_and_table_headers_scoped(report_plan: dict[str, Any]) -> None:
    _html_text, tree = _html(report_plan)
    levels = [int(n.tag[1]) for n in tree.iter() if n.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels
    assert all(th.attrs.get("scope") for th in tree.iter("th"))
    for svg in tree.iter("svg"):
        assert svg.attrs["role"] == "img"
        title_id, desc_id = svg.attrs["aria-labelledby"].split()
        assert svg.by_id(title_id).tag == "title" and svg.by_id(desc_id).tag == "desc"


def test_structure_diagram(report_plan: dict[str, Any]) -> None:
    _html_text, tree = _html(report_plan)
    goal1 = tree.by_id("goal-1")
    assert goal1.by_class("structure-goal-name")[0].text() == "基本目標 1 相談"
    assert goal1.by_class("structure-policy-name")[0].text() == "施策 1 施策一"
    assert [n.text() for n in goal1.by_class("structure-types")[0].iter("li")] == [
        "1 種類一（4件）"
    ]
    goal2 = tree.by_id("goal-2")
    assert [n.text() for n in goal2.by_class("structure-types")[0].iter("li")] == [
        "2 種類二（0件）"
    ]
    assert tree.by_class("vision-text")[0].text() == "ともに"


def test_indicator_table_cells(report_plan: dict[str, Any]) -> None:
    count = report_plan["indicators"][1]
    IndicatorValue.objects.filter(indicator=count, fiscal_year=2023).update(
        value=Decimal("12345.500")
    )
    _html_text, tree = _html(report_plan)
    (table,) = tree.by_class("indicator-table")
    rows = table.rows()
    assert rows[0] == [
        "番号",
        "成果指標",
        "基準値",
        "令和2年度",
        "令和3年度",
        "令和4年度",
        "令和5年度",
        "令和6年度",
        "目標値",
        "達成率",
        "状況",
    ]
    assert rows[1] == ["基本目標 1　相談"]
    assert rows[2] == [
        "1",
        "相談できる人がいない割合出典: 市民アンケート",
        "10%令和元年度",
        "—",
        "—",
        "—",
        "—",
        "16%",
        "5%令和7年度",
        "-120.0%",
        "D 遅れている",
    ]
    assert rows[4] == [
        "2",
        "相談件数出典: 業務統計",
        "100件令和元年度",
        "—",
        "—",
        "—",
        "12,345.5件",
        "210件",
        "200件令和7年度",
        "110.0%",
        "A 順調",
    ]
    chart = tree.by_id("indicator-2")
    assert chart.by_class("chart-caption")[0].text() == "成果指標 2「相談件数」の推移"
    assert chart.by_class("chart-table")[0].rows()[-3:] == [
        ["令和5年度", "12,345.5件"],
        ["令和6年度", "210件"],
        ["目標値（令和7年度）", "200件"],
    ]


def test_initiatives_with_evaluation_repost_and_comments(report_plan: dict[str, Any]) -> None:
    _html_text, tree = _html(report_plan)
    first = tree.by_id("initiative-1")
    assert next(first.iter("h5")).text() == "取組 1 取組1 評価 A（順調）"
    assert first.rows() == [
        ["担当課", "高齢者いきいき課、福祉総務課"],
        ["実施内容・実績", "実施した。"],
        ["評価", "A（順調）"],
        ["課題", "—"],
        ["今後の方向性", "継続"],
    ]
    second = tree.by_id("initiative-2")
    assert second.rows()[-1] == [
        "委員のコメント（副委員長）",
        "アウトリーチを広げてください。市の対応 検討します。",
    ]
    repost = tree.by_id("initiative-5")
    assert next(repost.iter("h5")).text() == "取組 5 取組1 再掲"
    assert repost.rows() == [["担当課", "—"], ["評価", "取組 1 に載せています（再掲）"]]
    assert next(repost.iter("a")).attrs["href"] == "#initiative-1"
    grades = tree.by_id("progress-goal-1").by_class("chart-table")[0]
    assert grades.rows() == [
        ["評価", "件数"],
        ["A 順調", "1件（25.0%）"],
        ["B 概ね順調", "2件（50.0%）"],
        ["C やや遅れている", "1件（25.0%）"],
        ["D 遅れている", "0件（0.0%）"],
        ["計", "4件"],
    ]


def test_reviews_summaries_and_glossary(report_plan: dict[str, Any], kamakura: Any) -> None:
    KeptTerm.objects.create(
        municipality=kamakura, term="アウトリーチ", explanation="出向いて支援すること。"
    )
    KeptTerm.objects.create(municipality=kamakura, term="ピアサポート", explanation="未使用。")
    html, tree = _html(report_plan)
    review = tree.by_id("review-1")
    assert [p.text() for p in review.iter("p")] == [
        "講評 委員長",
        "相談の窓口が増えたことを評価します。",
        "市の対応",
        "引き続き取り組みます。",
    ]
    assert "まだ公表しない講評です。" not in html
    assert tree.by_id("review-2").by_class("review") == []
    summary = tree.by_id("summary-1")
    assert [n.text() for n in summary.iter("h4")] == ["❶社会動向", "❸今後進むべき方向性"]
    glossary = tree.by_id("glossary")
    assert [n.text() for n in glossary.iter("dt")] == ["アウトリーチ"]
    assert [n.text() for n in glossary.iter("dd")] == ["出向いて支援すること。"]


def test_text_is_escaped(report_plan: dict[str, Any]) -> None:
    Initiative.objects.filter(pk=report_plan["initiatives"][0].pk).update(
        title='<script>alert("x")</script>'
    )
    html, tree = _html(report_plan)
    assert "<script>" not in html
    assert (
        next(tree.by_id("initiative-1").iter("h5"))
        .text()
        .startswith('取組 1 <script>alert("x")</script>')
    )


def test_render_html_file(report_plan: dict[str, Any]) -> None:
    doc = dataclasses.replace(_doc(report_plan), municipality_code="142042", fiscal_year=2024)
    steps: list[tuple[int, str]] = []
    rendered = render(doc, "html", progress=lambda percent, step: steps.append((percent, step)))
    assert isinstance(rendered, RenderedFile)
    assert rendered.filename == "142042_2024_推進状況報告書_案.html"  # the open cycle: a 案
    assert render(dataclasses.replace(doc, is_draft=False), "html").filename == (
        "142042_2024_推進状況報告書.html"
    )
    assert rendered.content_type == "text/html; charset=utf-8"
    assert rendered.content.decode("utf-8") == render_html(doc)
    assert [percent for percent, _step in steps] == [10, 100]


def test_render_refuses_unknown_format(report_plan: dict[str, Any]) -> None:
    from sasaeai.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        render(_doc(report_plan), "docx")
    assert refused.value.code == "unknown_format"


def test_render_csv_is_a_zip_of_the_tables(report_plan: dict[str, Any]) -> None:
    import io
    import zipfile

    pytest.importorskip("sasaeai.publication.render.csv")
    from sasaeai.publication.render.csv import render_csv_tables

    doc = _doc(report_plan)
    rendered = render(doc, "csv")
    assert rendered.filename == "142042_2024_推進状況報告書_案.zip"
    assert rendered.content_type == "application/zip"
    with zipfile.ZipFile(io.BytesIO(rendered.content)) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == render_csv_tables(doc)
