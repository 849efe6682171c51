"""The directory search engine, on whichever database the tests run (SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime

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
def test_search_is_one_query_at_any_size(
    kamakura: Municipality,
    districts: dict[str, District],
    size: int,
    django_assert_num_queries: object,
) -> None:
    for number in range(size):
        build_service(kamakura, name=f"サロン{number}", district="大船", categories=["salon"])
    # PostgreSQL: one more for the planner setting (search/postgres.py)
    with django_assert_num_queries(1 if connection.vendor == "sqlite" else 2):  # type: ignore[operator]
        result = search(kamakura, "さろん 大船", category="salon")
    assert result.total == size


def test_stale_entries_are_still_found(kamakura: Municipality) -> None:
    # the index does not depend on 最終確認日: stale entries are still found
    build_service(kamakura, name="古い情報", assured_date=datetime.date(2020, 1, 1))
    assert names(kamakura, "古い") == ["古い情報"]
