"""The demo directory loaded by ``sasaeai loaddemo``: invented, marked, spread, idempotent."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command

from sasaeai.accounts.models import Municipality, OrganisationUnit
from sasaeai.directory import demo
from sasaeai.directory.models import Address, Organization, Phone, SearchEntry, Service
from sasaeai.directory.search import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> Municipality:
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())
    return Municipality.objects.get(code="142042")


def test_demo_directory_contents(loaded: Municipality) -> None:
    services = Service.objects.filter(municipality=loaded)
    assert services.count() == 300
    assert services.filter(is_demo=True, source_kind="demo").count() == 300
    assert all(name.endswith("（架空）") for name in services.values_list("name", flat=True))
    assert all(
        name.endswith("（架空）")
        for name in Organization.objects.filter(municipality=loaded).values_list("name", flat=True)
    )
    assert services.exclude(name_kana="").count() == 300
    assert len(set(services.values_list("name", flat=True))) == 300
    assert all(
        re.fullmatch(r"0467-00-\d{4}", number)
        for number in Phone.objects.filter(municipality=loaded).values_list("number", flat=True)
    )
    # every district has 60, each address lies in a town of the service's district
    for district in ("鎌倉", "腰越", "深沢", "大船", "玉縄"):
        entries = SearchEntry.objects.filter(municipality=loaded, district_names=district)
        assert entries.count() == 60, district
    for address in Address.objects.filter(municipality=loaded).select_related("location__town"):
        assert address.location.town is not None
        assert address.address_1.startswith(address.location.town.name)
    today = datetime.date.today()
    ages = [(today - day).days for day in services.values_list("assured_date", flat=True)]
    assert min(ages) >= 0 and max(ages) <= 730
    assert sum(age > 365 for age in ages) > 50  # some are stale
    assert services.filter(is_free=True).count() > 50
    assert services.filter(is_free=False).count() > 50
    assert set(services.values_list("status", flat=True)) == {
        "active",
        "inactive",
        "defunct",
        "temporarily closed",
    }


def test_demo_maintainers(loaded: Municipality) -> None:
    care_centers = OrganisationUnit.objects.filter(municipality=loaded, kind="care_center")
    assert care_centers.count() == 5
    assert all(unit.is_demo for unit in care_centers)
    services = Service.objects.filter(municipality=loaded)
    assert services.filter(maintainer__kind="council").count() > 100
    assert services.filter(maintainer__kind="care_center").count() > 50
    assert services.filter(maintainer__isnull=True).count() == 0


def test_demo_is_searchable(loaded: Municipality) -> None:
    hits = search(loaded, "ほうかつ 大船").results
    assert [hit.name for hit in hits] == ["大船地域包括支援センター（架空）"]
    assert search(loaded, "こども食堂", district="腰越").total == 4
    assert search(loaded, "", category="salon").total > 50


def test_demo_load_is_idempotent(loaded: Municipality) -> None:
    ids = set(Service.objects.values_list("pk", flat=True))
    out = io.StringIO()
    demo.load(out)
    assert out.getvalue() == "地域資源情報のデモデータはすでにあります（変更なし）。"
    assert set(Service.objects.values_list("pk", flat=True)) == ids
    # a missing row is restored with the same ids
    Service.objects.filter(pk=min(ids)).delete()
    demo.load(io.StringIO())
    assert set(Service.objects.values_list("pk", flat=True)) == ids
    assert SearchEntry.objects.filter(municipality=loaded).count() == 300
