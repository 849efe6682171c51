"""Shared fixtures of the directory editing tests (imported with ``import *``).

Units: the conftest ones (福祉総務課 = 事務局, 高齢者いきいき課, 委員会, 社協, 自治会) plus
「大船地域包括支援センター」. Entries:

- ``salon``: サロンさくら, maintained by 社協 (service.maintainer), 大船;
- ``consult``: 介護の相談, maintained by the 包括 through its organisation's maintainer, 大船;
- ``city``: 市の窓口, no maintainer at all, 鎌倉.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from sasaeai.accounts import services as accounts_services
from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role, UnitKind
from sasaeai.directory.models import Organization, Service
from tests.directory.builders import build_districts, build_organization, build_service

HOUKATSU = "houkatsu"  # a user of the 地域包括支援センター (担当課 role held there)
HOUKATSU_CG = "houkatsu_cg"  # a 地域団体 role held in the same centre
OTHER_TENANT = "fujisawa"  # the secretariat of another municipality
WHO = [*Role.values, HOUKATSU, HOUKATSU_CG, OTHER_TENANT]
TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def world(
    kamakura: Municipality,
    fujisawa: Municipality,
    units: dict[str, OrganisationUnit],
    users: dict[str, User],
    make_user: Callable[..., User],
) -> dict[str, Any]:
    districts = build_districts(kamakura)
    center = accounts_services.unit_upsert(
        actor="test",
        municipality=kamakura,
        code="ofuna-houkatsu",
        kind=UnitKind.COMMUNITY_CARE_CENTER,
        name="大船地域包括支援センター",
    )
    people: dict[str, User] = dict(users)
    for key, role in ((HOUKATSU, Role.DEPARTMENT), (HOUKATSU_CG, Role.COMMUNITY_GROUP)):
        user = make_user(None, username=f"user-{key}")
        accounts_services.membership_grant(actor="test", user=user, unit=center, role=role)
        people[key] = user
    fujisawa_unit = accounts_services.unit_upsert(
        actor="test",
        municipality=fujisawa,
        code="fukushi",
        kind=UnitKind.DEPARTMENT,
        name="藤沢市福祉総務課",
    )
    other = make_user(None, username="user-fujisawa", municipality=fujisawa)
    accounts_services.membership_grant(
        actor="test", user=other, unit=fujisawa_unit, role=Role.SECRETARIAT
    )
    people[OTHER_TENANT] = other
    for key, user in people.items():
        user.email = f"{key}@example.jp"
        user.save()
    shakyo_org = build_organization(kamakura, "鎌倉市社会福祉協議会", maintainer=units["shakyo"])
    center_org = build_organization(kamakura, "大船地域包括支援センター", maintainer=center)
    city_org = build_organization(kamakura, "鎌倉市")
    salon = build_service(
        kamakura,
        name="サロンさくら",
        name_kana="さろんさくら",
        organization=shakyo_org,
        district="大船",
        address="大船二丁目1番1号",
        targets=["elderly"],
        categories=["salon"],
        schedules=[{"freq": "WEEKLY", "byday": "TU"}],
        phone="0467-00-0001",
        maintainer=units["shakyo"],
        assured_date=datetime.date(2025, 11, 1),
    )
    consult = build_service(
        kamakura,
        name="介護の相談",
        name_kana="かいごのそうだん",
        organization=center_org,
        district="大船",
        targets=["elderly"],
        categories=["consultation"],
        assured_date=datetime.date(2026, 6, 1),
    )
    city = build_service(
        kamakura,
        name="市の窓口",
        name_kana="しのまどぐち",
        organization=city_org,
        district="鎌倉",
        targets=["everyone"],
        categories=["consultation"],
    )
    return {
        "municipality": kamakura,
        "districts": districts,
        "units": {**units, "houkatsu": center},
        "users": people,
        "orgs": {"shakyo": shakyo_org, "center": center_org, "city": city_org},
        "salon": salon,
        "consult": consult,
        "city": city,
    }


def fresh(service: Service) -> Service:
    return Service.objects.select_related("organization").get(pk=service.pk)


def org(pk: Any) -> Organization:
    return Organization.objects.get(pk=pk)
