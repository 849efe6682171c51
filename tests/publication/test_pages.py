"""The public plan pages: what a resident reads, with exact figures from a small plan.

The world (tests/plans_public/world.py): build_plan() with 4 initiatives and a 再掲 (number 5),
published for 令和5・6年度. In 令和6年度 initiatives 1–3 are approved with A, B, B and
initiative 4 was sent back (not shown); in 令和5年度 they are C, A, B, B.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit
from sasaeai.plans.models import CycleStatus, EvaluationCycle, Initiative
from sasaeai.publication.selectors import pages
from sasaeai.publication.selectors.published import build_document, published_plans
from tests.publication.world import PUBLIC_MARK, publish_world

BASE = "https://fukushi.example.jp"


@pytest.fixture(autouse=True)
def _base_url(settings: Any) -> None:
    settings.SASAEAI_BASE_URL = BASE + "/"


@pytest.fixture
def world(kamakura: Municipality, units: dict[str, OrganisationUnit]) -> dict[str, Any]:
    return publish_world(kamakura, units)


def text_of(html: str) -> str:
    """The page's visible words, tags removed and spaces collapsed."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def meta(html: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert match, key
    return unescape(match.group(1))


def rows(html: str, caption: str) -> list[tuple[str, ...]]:
    """The body rows of the table with that caption, cells as text."""
    match = re.search(
        rf"<caption>{re.escape(caption)}</caption>.*?<tbody>(.*?)</tbody>", html, flags=re.S
    )
    assert match, caption
    return [
        tuple(text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S))
        for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), flags=re.S)
    ]


def test_plan_at_a_glance(client: Client, world: dict[str, Any]) -> None:
    response = client.get("/m/142042/plan/")
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(html)
    assert "テスト計画 令和6年度の進み具合" in text
    assert "基本理念（めざすまちの姿） ともに" in text
    assert "令和6年度に評価した取組は 3 件です。" in text
    assert "公表日 令和7年10月1日" in text
    assert rows(html, "取組の評価の内訳（計画全体）") == [
        ("A 順調", "1"),
        ("B 概ね順調", "2"),
        ("C やや遅れている", "0"),
        ("D 遅れている", "0"),
    ]
    assert rows(html, "成果指標の状況（計画全体）") == [
        ("A 順調", "1"),
        ("B 概ね順調", "0"),
        ("C やや遅れている", "0"),
        ("D 遅れている", "1"),
    ]
    assert rows(html, "基本目標1「相談」の取組の評価（令和6年度）") == [
        ("A 順調", "1件（33.3%）"),
        ("B 概ね順調", "2件（66.7%）"),
        ("C やや遅れている", "0件（0.0%）"),
        ("D 遅れている", "0件（0.0%）"),
        ("計", "3件"),
    ]
    assert rows(html, "基本目標2の成果指標") == [("相談件数", "210件 （令和6年度）", "A 順調")]
    assert rows(html, "基本目標1の成果指標") == [
        ("相談できる人がいない割合", "16% （令和6年度）", "D 遅れている")
    ]
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2
    assert "デモ（架空のデータを含みます）" not in text
    plan_id = world["plan"].pk
    for year in (2023, 2024):
        assert f"/m/142042/plan/{plan_id}/years/{year}/" in html or year == 2024


def test_open_graph_feed_link_and_canonical(client: Client, world: dict[str, Any]) -> None:
    plan_id = world["plan"].pk
    html = client.get(f"/m/142042/plan/{plan_id}/goals/1/").content.decode()
    assert meta(html, "og:title") == "基本目標1 相談"
    assert (
        meta(html, "og:description")
        == "テスト計画の基本目標1「相談」の施策と取組、令和6年度の評価。"
    )
    assert meta(html, "og:type") == "website"
    assert meta(html, "og:url") == f"{BASE}/m/142042/plan/{plan_id}/goals/1/"
    assert meta(html, "og:site_name") == "ささえあい"
    assert meta(html, "og:locale") == "ja_JP"
    assert meta(html, "twitter:card") == "summary"
    assert f'<link rel="canonical" href="{BASE}/m/142042/plan/{plan_id}/goals/1/">' in html
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" '
        r'href="/m/142042/plan/feed.atom">',
        html,
    )
    assert '<link rel="stylesheet" href="/static/css/public.css">' in html
    assert f"このページのアドレス: {BASE}/m/142042/plan/{plan_id}/goals/1/" in text_of(html)


def test_demo_plan_is_marked(client: Client, world: dict[str, Any]) -> None:
    world["plan"].is_demo = True
    world["plan"].save()
    text = text_of(client.get("/m/142042/plan/").content.decode())
    assert "デモ（架空のデータを含みます）" in text


def test_nothing_published_yet(client: Client, kamakura: Municipality, units: Any) -> None:
    publish_world(kamakura, units, published_years=())
    response = client.get("/m/142042/plan/")
    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "鎌倉市の地域福祉計画の進み具合は、まだ公表されていません。" in text
    assert "テスト計画" not in text


def test_unknown_municipality_is_404(client: Client, db: None) -> None:
    assert client.get("/m/999999/plan/").status_code == 404
    assert client.get("/m/999999/plan/feed.atom").status_code == 404


def test_earlier_year(client: Client, world: dict[str, Any]) -> None:
    plan_id = world["plan"].pk
    html = client.get(f"/m/142042/plan/{plan_id}/years/2023/").content.decode()
    text = text_of(html)
    assert "テスト計画 令和5年度の進み具合" in text
    assert "これは令和5年度の内容です。最新は令和6年度です。" in text
    assert rows(html, "取組の評価の内訳（計画全体）") == [
        ("A 順調", "1"),
        ("B 概ね順調", "2"),
        ("C やや遅れている", "1"),
        ("D 遅れている", "0"),
    ]
    # indicators as of 令和5年度: the survey has no value yet, the count 150
    assert rows(html, "基本目標2の成果指標") == [
        ("相談件数", "150件 （令和5年度）", "C やや遅れている")
    ]
    assert rows(html, "基本目標1の成果指標") == [("相談できる人がいない割合", "—", "実績なし")]


def test_goal_page(client: Client, world: dict[str, Any]) -> None:
    plan_id = world["plan"].pk
    html = client.get(f"/m/142042/plan/{plan_id}/goals/1/").content.decode()
    text = text_of(html)
    assert "施策1 施策一" in text and 'id="policy-1"' in html
    assert "取組の種類1 種類一" in text
    assert "取組1 取組1 担当課 高齢者いきいき課、福祉総務課 評価 A 順調 今後の方向性 継続" in text
    assert "取組2 取組2 担当課 高齢者いきいき課 評価 B 概ね順調" in text
    assert "取組4 取組4 担当課 高齢者いきいき課 評価 なし" in text  # sent back: not shown
    assert f"{PUBLIC_MARK}講評2024-1" in text and f"{PUBLIC_MARK}市の対応2024-1" in text
    assert f"{PUBLIC_MARK}総括2024-1" in text and "❶社会動向" in text
    assert f"{PUBLIC_MARK}講評2023-1" not in text  # the goal page shows the latest 年度
    assert f'href="/m/142042/plan/{plan_id}/initiatives/3/"' in html
    goal2 = text_of(client.get(f"/m/142042/plan/{plan_id}/goals/2/").content.decode())
    assert "取組5 取組1 再掲（取組1と同じ取組です）" in goal2
    assert client.get(f"/m/142042/plan/{plan_id}/goals/3/").status_code == 404


def test_goal_added_later_is_not_shown_before_it_applies(
    client: Client, world: dict[str, Any]
) -> None:
    goal2 = world["goals"][1]
    goal2.applies_from_fy = 2025
    goal2.save()
    plan_id = world["plan"].pk
    assert client.get(f"/m/142042/plan/{plan_id}/goals/2/").status_code == 404
    assert client.get(f"/m/142042/plan/{plan_id}/indicators/2/").status_code == 404
    assert "基本目標2" not in text_of(client.get("/m/142042/plan/").content.decode())


def test_initiative_history(client: Client, world: dict[str, Any]) -> None:
    plan_id = world["plan"].pk
    html = client.get(f"/m/142042/plan/{plan_id}/initiatives/1/").content.decode()
    text = text_of(html)
    assert text.index("令和6年度 担当課") < text.index("令和5年度 担当課")
    assert (
        f"令和6年度 担当課 高齢者いきいき課、福祉総務課 実施内容・実績 {PUBLIC_MARK}実績2024-1 "
        f"評価 A 順調 課題 {PUBLIC_MARK}課題2024-1 今後の方向性 継続 "
        f"推進委員会のコメントと市の対応 副委員長 {PUBLIC_MARK}コメント2024 "
        f"市の対応 {PUBLIC_MARK}コメントへの対応2024"
    ) in text
    assert (
        f"令和5年度 担当課 高齢者いきいき課、福祉総務課 実施内容・実績 {PUBLIC_MARK}実績2023-1 評価 C やや遅れている"
        in text
    )
    four = text_of(client.get(f"/m/142042/plan/{plan_id}/initiatives/4/").content.decode())
    assert "令和6年度 担当課 高齢者いきいき課 評価 この年度の評価は公表されていません。" in four


def test_repost_redirects_to_its_original(client: Client, world: dict[str, Any]) -> None:
    plan_id = world["plan"].pk
    response = client.get(f"/m/142042/plan/{plan_id}/initiatives/5/")
    assert (response.status_code, response["Location"]) == (
        302,
        f"/m/142042/plan/{plan_id}/initiatives/1/",
    )
    assert client.get(f"/m/142042/plan/{plan_id}/initiatives/99/").status_code == 404


def test_successor_and_predecessor_across_published_plans(
    client: Client, kamakura: Municipality, units: Any, world: dict[str, Any]
) -> None:
    later = publish_world(kamakura, units, name="次の計画", secrets=False, published_years=(2024,))
    first = world["initiatives"][0]
    first.successor = later["initiatives"][1]
    first.save()
    old, new = world["plan"].pk, later["plan"].pk
    text = text_of(client.get(f"/m/142042/plan/{old}/initiatives/1/").content.decode())
    assert "次の計画での取組: 次の計画 取組2 取組2" in text
    text = text_of(client.get(f"/m/142042/plan/{new}/initiatives/2/").content.decode())
    assert "前の計画での取組: テスト計画 取組1 取組1" in text
    # once the later plan has nothing published, the link disappears
    EvaluationCycle.objects.filter(plan=later["plan"]).update(status=CycleStatus.CLOSED)
    text = text_of(client.get(f"/m/142042/plan/{old}/initiatives/1/").content.decode())
    assert "次の計画での取組" not in text


def test_indicator_pages(client: Client, world: dict[str, Any]) -> None:
    plan_id = world["plan"].pk
    text = text_of(client.get(f"/m/142042/plan/{plan_id}/indicators/").content.decode())
    assert (
        "成果指標2 相談件数 基本目標 2 基準値 100件（令和元年度） 目標値 200件（令和7年度） "
        "最新の実績 210件（令和6年度） 達成率 110.0% 状況 A 順調"
    ) in text
    assert "成果指標1 相談できる人がいない割合 基本目標 1 基準値 10%（令和元年度）" in text
    html = client.get(f"/m/142042/plan/{plan_id}/indicators/2/").content.decode()
    assert rows(html, "成果指標 2「相談件数」の推移") == [
        ("基準値（令和元年度）", "100件"),
        ("令和2年度", "—"),
        ("令和3年度", "—"),
        ("令和4年度", "—"),
        ("令和5年度", "150件"),
        ("令和6年度", "210件"),
        ("目標値（令和7年度）", "200件"),
    ]
    assert rows(html, "年度ごとの実績と備考") == [
        ("令和5年度", "150件", "—"),
        ("令和6年度", "210件", "—"),
    ]
    assert '<details class="chart-data" open>' in html
    assert client.get(f"/m/142042/plan/{plan_id}/indicators/9/").status_code == 404


def test_counts_match_the_published_report(kamakura: Municipality, units: Any) -> None:
    """The page, the feed and the report count the same: approved evaluations only (the world's
    2024 cycle has a returned evaluation, 11 of 12 count)."""
    built = publish_world(kamakura, units, initiatives=12)
    plans = published_plans(kamakura)
    glance = pages.plan_glance(plans[0], 2024)
    document = build_document(built["cycles"][2024])
    assert glance.totals == document.totals
    assert glance.evaluated == sum(row.count for row in document.totals) == 11
    assert [g.grade_counts for g in glance.goals] == [s.grade_counts for s in document.goals]
    assert [e for g in glance.goals for e in g.indicators] == list(document.indicators)
    [entry_2024, entry_2023] = pages.feed_entries(plans)
    assert (entry_2024.fiscal_year, entry_2024.totals) == (2024, document.totals)
    assert entry_2023.totals == build_document(built["cycles"][2023]).totals


def test_municipality_page_links_to_the_plan(client: Client, kamakura: Municipality) -> None:
    html = client.get("/m/142042/").content.decode()
    assert '<a class="button" href="/m/142042/plan/">計画の進み具合を見る</a>' in html


def test_initiative_numbers_are_stable_addresses(client: Client, world: dict[str, Any]) -> None:
    """Adding an initiative does not move the others: addresses are numbers, not positions."""
    plan = world["plan"]
    Initiative.objects.create(
        plan=plan, initiative_type=world["initiatives"][0].initiative_type, number=50, title="新"
    )
    text = text_of(client.get(f"/m/142042/plan/{plan.pk}/initiatives/2/").content.decode())
    assert "取組2 取組2" in text


def test_report_downloads_are_linked(client: Client, world: dict[str, Any]) -> None:
    html = client.get("/m/142042/plan/").content.decode()
    for year, label in ((2024, "令和6年度"), (2023, "令和5年度")):
        assert f'<a href="/m/142042/reports/{year}/pdf/">{label}の報告書：PDF</a>' in html
        assert (
            f'<a href="/m/142042/reports/{year}/csv/">{label}の報告書：CSV（オープンデータ）</a>'
            in html
        )
    assert "/m/142042/reports/2025/" not in html  # the open cycle has no report
    assert '<a href="/m/142042/reports/">推進状況報告書（PDF・Excel など）</a>' in html
