"""The directory search engine, on whichever database the tests run (SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.db import connection

from sasaeai.accounts.models import District, Municipality
from sasaeai.directory.models import Service
from sasaeai.directory.search import index_services, parse_query, search
from tests.directory.builders import build_service

pytestmark = pytest.mark.django_db


def names(municipality: Municipality, query: str, **filters: object) -> list[str]:
    return [hit.name for hit in search(municipality, query, **filters).results]  # type: ignore[arg-type]


@pytest.fixture
def catalogue(kamakura: Municipality, districts: dict[str, District]) -> dict[str, Service]:
    specs = [
        dict(
            name="サロン",
            name_kana="サロン",
            district="鎌倉",
            categories=["salon"],
            targets=["elderly"],
            is_free=True,
            schedules=[{"freq": "WEEKLY", "byday": "TU"}],
        ),
        dict(
            name="サロンさくら",
            name_kana="サロンサクラ",
            district="大船",
            categories=["salon"],
            targets=["everyone"],
            is_free=False,
            schedules=[{"freq": "MONTHLY", "byday": "2WE,4WE"}],
        ),
        dict(
            name="ふれあい食堂",
            name_kana="フレアイショクドウ",
            district="腰越",
            description="毎月のサロンも開いています",
            categories=["children-cafeteria"],
            targets=["children"],
            is_free=True,
            schedules=[{"freq": "MONTHLY", "bymonthday": "15"}],
        ),
        dict(
            name="デイサービスたまなわ",
            name_kana="デイサービスタマナワ",
            district="玉縄",
            categories=["care-service"],
            targets=["elderly"],
            is_free=False,
        ),
        dict(
            name="訪問看護ステーション大船",
            district="大船",
            categories=["care-service"],
            targets=["elderly"],
        ),
        dict(
            name="介護相談室",
            name_kana="カイゴソウダンシツ",
            district="深沢",
            categories=["consultation"],
            targets=["carers"],
            is_free=True,
        ),
    ]
    return {
        str(spec["name"]): build_service(kamakura, **spec)  # type: ignore[arg-type]
        for spec in specs
    }


def test_parse_query_folds_and_deduplicates() -> None:
    assert parse_query("ｻﾛﾝ　サロン 大船") == ("さろん", "大船")
    assert parse_query("   ") == ()


def test_hiragana_finds_katakana_exact_match_first(
    catalogue: dict[str, Service], kamakura: Municipality
) -> None:
    result = search(kamakura, "さろん")
    assert result.total == 3
    assert [(hit.name, hit.rank) for hit in result.results] == [
        ("サロン", 0),
        ("サロンさくら", 1),
        ("ふれあい食堂", 3),
    ]


def test_half_width_katakana_finds_full_width(
    catalogue: dict[str, Service], kamakura: Municipality
) -> None:
    assert names(kamakura, "ﾃﾞｲｻｰﾋﾞｽ") == ["デイサービスたまなわ"]


def test_reading_finds_kanji_name(catalogue: dict[str, Service], kamakura: Municipality) -> None:
    assert names(kamakura, "ほうもんかんご") == ["訪問看護ステーション大船"]


def test_two_character_terms(catalogue: dict[str, Service], kamakura: Municipality) -> None:
    # the name containing 大船 (rank 2) comes before the one only in 大船 district (rank 3)
    assert names(kamakura, "大船") == ["訪問看護ステーション大船", "サロンさくら"]
    # 介護 is also in the category 介護サービス of the other two
    assert names(kamakura, "介護") == [
        "介護相談室",
        "デイサービスたまなわ",
        "訪問看護ステーション大船",
    ]
    assert names(kamakura, "看") == ["訪問看護ステーション大船"]


def test_several_words_narrow(catalogue: dict[str, Service], kamakura: Municipality) -> None:
    assert names(kamakura, "サロン 大船") == ["サロンさくら"]
    assert names(kamakura, "さろん　こしごえ") == ["ふれあい食堂"]
    assert names(kamakura, "さろん 玉縄") == []


def test_filters(catalogue: dict[str, Service], kamakura: Municipality) -> None:
    assert names(kamakura, "", district="大船") == ["サロンさくら", "訪問看護ステーション大船"]
    assert names(kamakura, "さろん", district="鎌倉") == ["サロン"]
    assert names(kamakura, "", target="elderly") == [
        "サロン",
        "デイサービスたまなわ",
        "訪問看護ステーション大船",
    ]
    assert names(kamakura, "", category="salon") == ["サロン", "サロンさくら"]
    assert names(kamakura, "", free=True) == ["介護相談室", "サロン", "ふれあい食堂"]
    assert names(kamakura, "さろん", free=False) == ["サロンさくら"]


def test_weekday_filter_with_weekly_and_monthly_schedules(
    catalogue: dict[str, Service], kamakura: Municipality
) -> None:
    assert names(kamakura, "", weekday=1) == ["サロン"]  # 火曜: 毎週火曜
    assert names(kamakura, "", weekday=2) == ["サロンさくら"]  # 水曜: 第2・第4水曜
    assert names(kamakura, "", weekday=4) == []  # 毎月15日 is no particular weekday


def test_empty_query_lists_everything_in_reading_order(
    catalogue: dict[str, Service], kamakura: Municipality
) -> None:
    result = search(kamakura, "")
    assert result.total == 6
    assert [hit.name for hit in result.results] == [
        "介護相談室",
        "サロン",
        "サロンさくら",
        "デイサービスたまなわ",
        "ふれあい食堂",
        "訪問看護ステーション大船",
    ]
    assert {hit.rank for hit in result.results} == {0}


def test_hit_fields(catalogue: dict[str, Service], kamakura: Municipality) -> None:
    hit = search(kamakura, "さろんさくら").results[0]
    assert hit.id == catalogue["サロンさくら"].pk
    assert (hit.name, hit.name_kana, hit.organization) == (
        "サロンさくら",
        "サロンサクラ",
        "テスト団体",
    )
    assert (hit.districts, hit.district) == (["大船"], "大船")
    assert (hit.categories, hit.targets) == (["居場所・サロン"], ["誰でも"])
    assert hit.rank == 0


def test_pagination(catalogue: dict[str, Service], kamakura: Municipality) -> None:
    first = search(kamakura, "", offset=0, limit=4)
    second = search(kamakura, "", offset=4, limit=4)
    beyond = search(kamakura, "", offset=8, limit=4)
    assert (first.total, second.total, beyond.total) == (6, 6, 6)
    assert [hit.name for hit in second.results] == ["ふれあい食堂", "訪問看護ステーション大船"]
    assert beyond.results == []


def test_tenant_isolation(
    catalogue: dict[str, Service], kamakura: Municipality, fujisawa: Municipality
) -> None:
    build_service(fujisawa, name="サロン藤沢", name_kana="サロンフジサワ")
    assert names(fujisawa, "さろん") == ["サロン藤沢"]
    assert "サロン藤沢" not in names(kamakura, "さろん")
    assert search(fujisawa, "").total == 1


def test_inactive_and_defunct_services_are_hidden(
    kamakura: Municipality, districts: dict[str, District]
) -> None:
    build_service(kamakura, name="サロン一", status="active")
    build_service(kamakura, name="サロン二", status="inactive")
    build_service(kamakura, name="サロン三", status="defunct")
    build_service(kamakura, name="サロン四", status="temporarily closed")
    assert names(kamakura, "さろん") == ["サロン一", "サロン四"]


def test_reindex_follows_changes_and_deletions(
    catalogue: dict[str, Service], kamakura: Municipality
) -> None:
    service = catalogue["サロンさくら"]
    service.name = "つどいの家"
    service.name_kana = "ツドイノイエ"
    service.save()
    assert "サロンさくら" in names(kamakura, "さろん")  # not re-indexed yet
    index_services(kamakura, [service.pk])
    assert names(kamakura, "つどい") == ["つどいの家"]
    assert [(hit.name, hit.rank) for hit in search(kamakura, "ツドイノイエ").results] == [
        ("つどいの家", 0)
    ]
    assert "つどいの家" in names(kamakura, "さろん")  # still in 居場所・サロン
    gone = catalogue["サロン"]
    gone_id = gone.pk
    gone.delete()
    index_services(kamakura, [gone_id])
    assert names(kamakura, "さろん") == ["つどいの家", "ふれあい食堂"]
    index_services(kamakura)  # the whole municipality
    assert search(kamakura, "").total == 5


def test_demo_mark_does_not_spoil_exact_matches(
    kamakura: Municipality, districts: dict[str, District]
) -> None:
    build_service(kamakura, name="サロンひまわり（架空）", is_demo=True)
    build_service(kamakura, name="いきいきサロンひまわり（架空）", is_demo=True)
    result = search(kamakura, "サロンひまわり")
    assert [(hit.name, hit.rank, hit.is_demo) for hit in result.results] == [
        ("サロンひまわり（架空）", 0, True),
        ("いきいきサロンひまわり（架空）", 2, True),
    ]


def test_special_characters_are_plain_text(
    catalogue: dict[str, Service], kamakura: Municipality
) -> None:
    for query in ['"', "%", "_", "a%b", "サロン*", "OR", "NEAR(", "'; --", "\\"]:
        assert search(kamakura, query).total == 0


@pytest.mark.parametrize("size", [3, 12])
def test_search_queries_do_not_grow_with_size(
    kamakura: Municipality,
    districts: dict[str, District],
    size: int,
    django_assert_num_queries: object,
) -> None:
    for number in range(size):
        build_service(kamakura, name=f"サロン{number}", district="大船", categories=["salon"])
    # the matches, then the page's rows; PostgreSQL: the planner settings before, and
    # after, inside the test's transaction, putting them back
    with django_assert_num_queries(2 if connection.vendor == "sqlite" else 4):  # type: ignore[operator]
        result = search(kamakura, "さろん 大船", category="salon")
    assert result.total == size


def test_stale_entries_are_still_found(kamakura: Municipality) -> None:
    # the index does not depend on 最終確認日: stale entries are still found
    build_service(kamakura, name="古い情報", assured_date=datetime.date(2020, 1, 1))
    assert names(kamakura, "古い") == ["古い情報"]


@pytest.fixture
def crowd(kamakura: Municipality, districts: dict[str, District]) -> None:
    """Services on every rank of 「さろん」 and 「大船」, in an order that differs by rank."""
    specs = [
        ("サロン", "サロン", "鎌倉", ""),  # rank 0
        ("サロンあおば", "サロンアオバ", "大船", ""),  # rank 1
        ("サロン大船", "サロンオオフナ", "大船", ""),  # rank 1
        ("いきいきサロン", "イキイキサロン", "腰越", ""),  # rank 2 (in the name)
        ("あおぞらサロン大船", "アオゾラサロンオオフナ", "大船", ""),  # rank 2
        ("ふれあいの家", "フレアイノイエ", "大船", "毎月のサロンも開いています"),  # rank 3
        ("つどいの場", "ツドイノバ", "深沢", "サロンを開いています"),  # rank 3
        ("えがおの会", "エガオノカイ", "玉縄", "体操とサロン"),  # rank 3
        ("大船の集い", "オオフナノツドイ", "大船", ""),
        ("見守りの会", "ミマモリノカイ", "大船", ""),
    ]
    for name, kana, district, description in specs:
        build_service(
            kamakura, name=name, name_kana=kana, district=district, description=description
        )


DENSE_QUERIES = [
    ("さろん", {}),
    ("サロン", {"district": "大船"}),
    ("大船", {}),
    ("おおふな", {}),
    ("さろん 大船", {}),
    ("ん", {}),
    ("", {}),
    ("", {"district": "大船"}),
]


@pytest.mark.parametrize(("query", "filters"), DENSE_QUERIES)
def test_many_matches_give_the_same_pages_with_a_capped_total(
    crowd: None,
    kamakura: Municipality,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    filters: dict[str, object],
) -> None:
    """Above COUNT_LIMIT the page is found rank by rank: the same rows in the same order."""
    from sasaeai.directory import search as engine

    def pages(limit: int) -> list[list[tuple[str, int]]]:
        return [
            [
                (hit.name, hit.rank)
                for hit in search(kamakura, query, offset=offset, limit=limit, **filters).results  # type: ignore[arg-type]
            ]
            for offset in range(0, 12, limit)
        ]

    everything = search(kamakura, query, limit=50, **filters)  # type: ignore[arg-type]
    assert (everything.total, everything.capped) == (len(everything.results), False)
    expected = {limit: pages(limit) for limit in (1, 2, 3, 5)}
    monkeypatch.setattr(engine, "COUNT_LIMIT", 1)
    capped = search(kamakura, query, limit=50, **filters)  # type: ignore[arg-type]
    if everything.total > 1:
        assert (capped.total, capped.capped) == (1, True)
    else:
        assert (capped.total, capped.capped) == (everything.total, False)
    assert [hit.id for hit in capped.results] == [hit.id for hit in everything.results]
    assert {limit: pages(limit) for limit in (1, 2, 3, 5)} == expected
    exact = search(kamakura, query, limit=2, exact_total=True, **filters)  # type: ignore[arg-type]
    assert (exact.total, exact.capped) == (everything.total, False)


def test_many_matches_in_rank_order(
    crowd: None, kamakura: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sasaeai.directory import search as engine

    monkeypatch.setattr(engine, "COUNT_LIMIT", 3)
    result = search(kamakura, "さろん", limit=20)
    assert (result.total, result.capped) == (3, True)
    assert [(hit.name, hit.rank) for hit in result.results] == [
        ("サロン", 0),
        ("サロンあおば", 1),
        ("サロン大船", 1),
        ("あおぞらサロン大船", 2),
        ("いきいきサロン", 2),
        ("えがおの会", 3),
        ("つどいの場", 3),
        ("ふれあいの家", 3),
    ]
    assert [(hit.name, hit.rank) for hit in search(kamakura, "大船", limit=20).results] == [
        ("大船の集い", 1),
        ("あおぞらサロン大船", 2),
        ("サロン大船", 2),
        ("サロンあおば", 3),  # 大船 district only, in reading order
        ("ふれあいの家", 3),
        ("見守りの会", 3),
    ]


@pytest.fixture
def mixed(kamakura: Municipality, districts: dict[str, District]) -> None:
    """60 services whose names, readings, descriptions and districts overlap in many ways,
    with equal readings and equal names (the order's later keys decide)."""
    rng = random.Random(20261128)
    kinds = [
        ("サロン", "サロン"),
        ("いきいきサロン", "イキイキサロン"),
        ("介護相談", "カイゴソウダン"),
        ("訪問看護", "ホウモンカンゴ"),
        ("子ども食堂", "コドモショクドウ"),
        ("見守り", "ミマモリ"),
    ]
    places = ["鎌倉", "腰越", "深沢", "大船", "玉縄"]
    descriptions = ["", "サロンもあります", "介護の相談", "大船駅から近い", "どなたでも"]
    for number in range(60):
        kind, kana = kinds[rng.randrange(len(kinds))]
        place = places[rng.randrange(len(places))]
        suffix = rng.choice(["", "", "さくら", "大船", "あおぞら"])
        same = number % 7 == 0  # several services share a name and reading
        build_service(
            kamakura,
            name=f"{kind}{suffix}" if same else f"{kind}{suffix}{number}",
            name_kana=f"{kana}" if same else "",
            district=place,
            description=rng.choice(descriptions),
            categories=[rng.choice(["salon", "consultation", "care-service"])],
            is_free=rng.random() < 0.5,
            schedules=[{"freq": "WEEKLY", "byday": rng.choice(["MO", "TU", "WE"])}],
        )


@pytest.mark.parametrize("count_limit", [1, 4, 9])
def test_capped_search_pages_equal_the_exact_ranking(
    mixed: None, kamakura: Municipality, monkeypatch: pytest.MonkeyPatch, count_limit: int
) -> None:
    """Every path of the capped search (the prefix, names and text ranks; sorted, read in
    order or sorted after the window) gives the pages the exact ranking gives."""
    from sasaeai.directory import search as engine
    from sasaeai.directory.search import sql

    queries: list[tuple[str, dict[str, Any]]] = [
        (text, filters)
        for text in ["さろん", "介護", "大船", "かんご", "ん", "サロン 大船", "相談", ""]
        for filters in [{}, {"district": "大船"}, {"free": True, "weekday": 1}]
    ]
    exact = {
        (text, str(filters)): [
            (hit.id, hit.rank)
            for hit in search(kamakura, text, limit=200, exact_total=True, **filters).results
        ]
        for text, filters in queries
    }
    monkeypatch.setattr(engine, "COUNT_LIMIT", count_limit)
    monkeypatch.setattr(sql, "WINDOW", 2)
    for text, filters in queries:
        expected = exact[(text, str(filters))]
        for limit in (3, 7):
            for offset in range(0, len(expected) + limit, limit):
                result = search(kamakura, text, offset=offset, limit=limit, **filters)
                assert [(hit.id, hit.rank) for hit in result.results] == (
                    expected[offset : offset + limit]
                ), (text, filters, offset, limit)
                assert (result.total, result.capped) == (
                    (count_limit, True) if len(expected) > count_limit else (len(expected), False)
                )
    # the fixture makes the ranks crowded
    assert [rank for _id, rank in exact[("さろん", "{}")]].count(2) > 9
    assert {rank for _id, rank in exact[("さろん", "{}")]} == {0, 1, 2, 3}
    assert {rank for _id, rank in exact[("大船", "{}")]} == {2, 3}
    assert len(exact[("", "{}")]) == 60


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner settings")
def test_planner_settings_do_not_outlive_the_search(
    crowd: None, kamakura: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sasaeai.directory import search as engine

    monkeypatch.setattr(engine, "COUNT_LIMIT", 1)  # every kind of step
    assert search(kamakura, "さろん").capped
    with connection.cursor() as cursor:  # still in the test's transaction
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
            "current_setting('enable_bitmapscan'), current_setting('enable_sort'), "
            "current_setting('jit')"
        )
        assert cursor.fetchone() == ("on", "on", "on", "on", "on")


def test_generated_readings_read_place_names_the_municipality_s_way(
    kamakura: Municipality, districts: dict[str, District]
) -> None:
    # no よみがな: the reading comes from UniDic, which says おおぶね for 大船
    build_service(kamakura, name="訪問看護ステーション大船", district="腰越")
    result = search(kamakura, "おおふな")
    assert [(hit.name, hit.rank) for hit in result.results] == [("訪問看護ステーション大船", 2)]
