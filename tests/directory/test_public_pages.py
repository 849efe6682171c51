"""The public directory pages: search with filters, the detail page, no login."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client

from sasaeai.accounts.models import District, Municipality
from sasaeai.directory.models import Service
from tests.directory.builders import build_service

pytestmark = pytest.mark.django_db


def hit_names(html: str) -> list[str]:
    return re.findall(r'<h3 class="hit-name"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def salon(kamakura: Municipality, districts: dict[str, District]) -> Service:
    return build_service(
        kamakura,
        name="サロンさくら（架空）",
        name_kana="サロンサクラ",
        organization="さくらの会（架空）",
        district="大船",
        town="台",
        address="台1-2-3",
        description="お茶を飲みながら話せる場です。",
        targets=["elderly"],
        categories=["salon"],
        schedules=[
            {
                "freq": "MONTHLY",
                "byday": "2WE,4WE",
                "opens_at": datetime.time(13, 30),
                "closes_at": datetime.time(15),
                "closed_on_holidays": True,
                "closed_year_end": True,
            }
        ],
        phone="0467-00-0001",
        is_free=True,
        fees_description="お茶代もかかりません",
        is_demo=True,
        assured_date=datetime.date.today() - datetime.timedelta(days=30),
    )


def test_search_page_without_query_lists_services(client: Client, salon: Service) -> None:
    response = client.get("/m/142042/directory/")
    assert response.status_code == 200
    html = response.content.decode()
    assert hit_names(html) == ["サロンさくら（架空）"]
    assert "1件のうち 1〜1件目" in html
    assert '<span class="tag-demo">デモ（架空）</span>' in html
    assert 'method="get"' in html


def test_search_by_reading_and_filters(
    client: Client, salon: Service, kamakura: Municipality
) -> None:
    build_service(kamakura, name="ふれあい食堂", district="腰越", categories=["children-cafeteria"])
    html = client.get("/m/142042/directory/", {"q": "ｻﾛﾝ"}).content.decode()
    assert hit_names(html) == ["サロンさくら（架空）"]
    html = client.get("/m/142042/directory/", {"district": "腰越"}).content.decode()
    assert hit_names(html) == ["ふれあい食堂"]
    html = client.get(
        "/m/142042/directory/", {"q": "", "weekday": "2", "free": "1", "target": "elderly"}
    ).content.decode()
    assert hit_names(html) == ["サロンさくら（架空）"]
    html = client.get("/m/142042/directory/", {"category": "children-cafeteria"}).content.decode()
    assert hit_names(html) == ["ふれあい食堂"]
    html = client.get("/m/142042/directory/", {"q": "みつからないことば"}).content.decode()
    assert hit_names(html) == []
    assert "見つかりませんでした。" in html


def test_bad_filter_values_are_reported(client: Client, salon: Service) -> None:
    response = client.get("/m/142042/directory/", {"district": "どこか", "weekday": "9"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert hit_names(html) == ["サロンさくら（架空）"]


def test_pagination(client: Client, kamakura: Municipality, districts: dict[str, District]) -> None:
    for number in range(23):
        build_service(kamakura, name=f"サロン{number:02d}", name_kana=f"サロン{number:02d}")
    first = client.get("/m/142042/directory/", {"q": "さろん"}).content.decode()
    assert len(hit_names(first)) == 20
    assert "23件のうち 1〜20件目" in first
    assert 'href="?q=%E3%81%95%E3%82%8D%E3%82%93&amp;page=2" rel="next"' in first
    second = client.get("/m/142042/directory/", {"q": "さろん", "page": "2"}).content.decode()
    assert hit_names(second) == ["サロン20", "サロン21", "サロン22"]
    assert "23件のうち 21〜23件目" in second


def test_many_matches_say_how_many_at_least(
    client: Client,
    kamakura: Municipality,
    districts: dict[str, District],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sasaeai.directory import search as engine

    for number in range(23):
        build_service(kamakura, name=f"サロン{number:02d}", name_kana=f"サロン{number:02d}")
    monkeypatch.setattr(engine, "COUNT_LIMIT", 21)  # 1,000 in use
    first = client.get("/m/142042/directory/", {"q": "さろん"}).content.decode()
    assert "21件以上のうち 1〜20件目" in first
    assert (
        "たくさん見つかりました。ことばを足すか、地区などでしぼりこむと、さがしやすくなります。"
        in first
    )
    assert "1ページ目" in first
    assert 'rel="next"' in first
    second = client.get("/m/142042/directory/", {"q": "さろん", "page": "2"}).content.decode()
    assert hit_names(second) == ["サロン20", "サロン21", "サロン22"]
    assert "21件以上のうち 21〜23件目" in second
    assert 'rel="next"' not in second  # the pages stop at the count


def test_detail_page(client: Client, salon: Service) -> None:
    response = client.get(f"/m/142042/directory/services/{salon.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>サロンさくら（架空）" in html
    assert "第2・第4水曜 13:30〜15:00（祝日・年末年始は休み）" in html
    assert '<a href="tel:0467000001" class="tel">0467-00-0001</a>' in html
    assert "神奈川県鎌倉市台1-2-3" in html
    assert "大船（台）" in html
    assert "居場所・サロン" in html
    assert "高齢者" in html
    assert "さくらの会（架空）" in html
    assert "https://www.openstreetmap.org/search?query=" in html
    assert "この情報は説明のための架空のものです。" in html
    assert "1年以上確認されていません" not in html


def test_detail_page_marks_stale_entries(
    client: Client, kamakura: Municipality, districts: dict[str, District]
) -> None:
    old = build_service(
        kamakura, name="古い情報", assured_date=datetime.date.today() - datetime.timedelta(days=400)
    )
    html = client.get(f"/m/142042/directory/services/{old.pk}/").content.decode()
    assert "この情報は1年以上確認されていません。" in html


def test_detail_page_is_404_for_another_tenant_or_hidden_service(
    client: Client, salon: Service, fujisawa: Municipality, kamakura: Municipality
) -> None:
    assert client.get(f"/m/142051/directory/services/{salon.pk}/").status_code == 404
    ended = build_service(kamakura, name="終わった活動", status="defunct")
    assert client.get(f"/m/142042/directory/services/{ended.pk}/").status_code == 404
    assert client.get("/m/999999/directory/").status_code == 404


@pytest.mark.parametrize("size", [2, 15])
def test_results_page_query_count_is_constant(
    client: Client,
    kamakura: Municipality,
    districts: dict[str, District],
    size: int,
    django_assert_num_queries: object,
) -> None:
    for number in range(size):
        build_service(
            kamakura,
            name=f"サロン{number}",
            district="大船",
            categories=["salon"],
            targets=["elderly"],
        )
    # municipality, districts, the matches with their count, the page's rows (PostgreSQL:
    # and the planner settings, put back after the search inside the test's transaction)
    with django_assert_num_queries(4 if connection.vendor == "sqlite" else 6):  # type: ignore[operator]
        response = client.get("/m/142042/directory/", {"q": "さろん", "district": "大船"})
    assert len(hit_names(response.content.decode())) == size


@pytest.mark.parametrize("places", [1, 3])
def test_detail_page_query_count_is_constant(
    client: Client,
    kamakura: Municipality,
    districts: dict[str, District],
    places: int,
    django_assert_num_queries: object,
) -> None:
    from sasaeai.directory.models import Location, Phone, ServiceAtLocation

    service = build_service(kamakura, name="配食", district="鎌倉", phone="0467-00-0002")
    for number in range(places - 1):
        location = Location.objects.create(municipality=kamakura, name=f"会場{number}")
        Phone.objects.create(municipality=kamakura, location=location, number="0467-00-0003")
        ServiceAtLocation.objects.create(municipality=kamakura, service=service, location=location)
    with django_assert_num_queries(9):  # municipality + 8 for the service  # type: ignore[operator]
        response = client.get(f"/m/142042/directory/services/{service.pk}/")
    assert response.status_code == 200
