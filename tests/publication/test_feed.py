"""The Atom feed: one entry per published cycle, newest first, absolute addresses."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit
from tests.publication.world import publish_world

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 (our own server's output, not untrusted)


BASE = "https://fukushi.example.jp"


def test_feed_lists_published_cycles(
    client: Client, kamakura: Municipality, units: dict[str, OrganisationUnit], settings: Any
) -> None:
    settings.SASAEAI_BASE_URL = BASE
    built = publish_world(kamakura, units)
    plan_id = built["plan"].pk
    response = client.get("/m/142042/plan/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = parse(response.content)
    assert feed.findtext(f"{ATOM}title") == "鎌倉市 地域福祉計画の進み具合"
    assert feed.findtext(f"{ATOM}id") == f"{BASE}/m/142042/plan/feed.atom"
    assert feed.findtext(f"{ATOM}updated") == "2025-10-01T01:00:00+00:00"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {
        "alternate": f"{BASE}/m/142042/plan/",
        "self": f"{BASE}/m/142042/plan/feed.atom",
    }
    entries = [
        (
            entry.findtext(f"{ATOM}title"),
            entry.findtext(f"{ATOM}updated"),
            entry.find(f"{ATOM}link").get("href"),  # type: ignore[union-attr]
            entry.findtext(f"{ATOM}id"),
            entry.findtext(f"{ATOM}summary"),
        )
        for entry in feed.findall(f"{ATOM}entry")
    ]
    assert entries == [
        (
            "テスト計画 令和6年度の進み具合を公表しました",
            "2025-10-01T01:00:00+00:00",
            f"{BASE}/m/142042/plan/{plan_id}/years/2024/",
            f"{BASE}/m/142042/plan/{plan_id}/years/2024/",
            "評価した取組 3件（A 順調 1件、B 概ね順調 2件、C やや遅れている 0件、D 遅れている 0件）。",
        ),
        (
            "テスト計画 令和5年度の進み具合を公表しました",
            "2024-10-01T01:00:00+00:00",
            f"{BASE}/m/142042/plan/{plan_id}/years/2023/",
            f"{BASE}/m/142042/plan/{plan_id}/years/2023/",
            "評価した取組 4件（A 順調 1件、B 概ね順調 2件、C やや遅れている 1件、D 遅れている 0件）。",
        ),
    ]
    # every entry's page exists
    for _title, _updated, link, _id, _summary in entries:
        assert link is not None
        assert client.get(link.removeprefix(BASE)).status_code == 200


def test_feed_of_a_demo_plan_says_so(
    client: Client, kamakura: Municipality, units: dict[str, OrganisationUnit]
) -> None:
    built = publish_world(kamakura, units, secrets=False, published_years=(2024,))
    built["plan"].is_demo = True
    built["plan"].save()
    feed = parse(client.get("/m/142042/plan/feed.atom").content)
    summaries = [e.findtext(f"{ATOM}summary") for e in feed.findall(f"{ATOM}entry")]
    assert summaries == [
        "デモ（架空のデータを含みます）。評価した取組 4件"
        "（A 順調 1件、B 概ね順調 2件、C やや遅れている 1件、D 遅れている 0件）。"
    ]


def test_empty_feed(client: Client, kamakura: Municipality) -> None:
    feed = parse(client.get("/m/142042/plan/feed.atom").content)
    assert feed.findall(f"{ATOM}entry") == []
