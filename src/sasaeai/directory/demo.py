"""Demo directory for the Kamakura tenant: about 300 invented (架空) local resources.

Every service, organisation and place is invented: names carry 「（架空）」, rows have
``is_demo=True`` and ``source_kind="demo"``, phone numbers are 0467-00-XXXX (not in use).
Resources are spread over the five districts and their 町丁目, with readings, schedules
(weekly and monthly), costs, target groups, categories, and 最終確認日 over the last two
years (so some are more than a year old). Entries are maintained by the social welfare
council (社協) or the district's 地域包括支援センター (demo units created here if missing).

Loading is idempotent and quick: ids are derived from the row numbers, and when every demo
service is present nothing is written. Otherwise the demo rows are replaced as a whole
(bulk inserts), then indexed for search.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jaconv
from django.db import transaction

from sasaeai.accounts import services as account_services
from sasaeai.accounts.models import District, Municipality, OrganisationUnit, Town
from sasaeai.accounts.roles import UnitKind
from sasaeai.directory.models import (
    Address,
    Attribute,
    LinkEntity,
    Location,
    Organization,
    Phone,
    Schedule,
    SearchEntry,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    SourceKind,
)
from sasaeai.directory.search import index_services
from sasaeai.directory.taxonomies import ensure_taxonomies

ACTOR = "system:loaddemo"
MUNICIPALITY_CODE = "142042"
MARK = "（架空）"
NAMESPACE = uuid.UUID("6f1c0e55-8a57-4d0e-9a51-2b7f3c142042")
PER_DISTRICT = 60

TOWN_READINGS = {
    "雪ノ下": "ゆきのした", "小町": "こまち", "御成町": "おなりまち", "由比ガ浜": "ゆいがはま",
    "長谷": "はせ", "坂ノ下": "さかのした", "材木座": "ざいもくざ", "大町": "おおまち",
    "扇ガ谷": "おうぎがやつ", "二階堂": "にかいどう", "浄明寺": "じょうみょうじ",
    "十二所": "じゅうにそ", "佐助": "さすけ", "極楽寺": "ごくらくじ",
    "腰越": "こしごえ", "津": "つ", "津西": "つにし", "西鎌倉": "にしかまくら",
    "七里ガ浜": "しちりがはま", "七里ガ浜東": "しちりがはまひがし",
    "常盤": "ときわ", "梶原": "かじわら", "寺分": "てらぶん", "上町屋": "かみまちや",
    "山崎": "やまざき", "笛田": "ふえだ", "手広": "てびろ", "鎌倉山": "かまくらやま",
    "大船": "おおふな", "台": "だい", "小袋谷": "こぶくろや", "岩瀬": "いわせ",
    "今泉": "いまいずみ", "今泉台": "いまいずみだい", "高野": "たかの", "山ノ内": "やまのうち",
    "玉縄": "たまなわ", "植木": "うえき", "岡本": "おかもと", "城廻": "しろめぐり",
    "関谷": "せきや",
}  # fmt: skip

CARE_CENTERS = {
    "鎌倉": ("kamakura-houkatsu", "（架空）鎌倉地域包括支援センター", "かまくらちいきほうかつしえんせんたー"),
    "腰越": ("koshigoe-houkatsu", "（架空）腰越地域包括支援センター", "こしごえちいきほうかつしえんせんたー"),
    "深沢": ("fukasawa-houkatsu", "（架空）深沢地域包括支援センター", "ふかさわちいきほうかつしえんせんたー"),
    "大船": ("ofuna-houkatsu", "（架空）大船地域包括支援センター", "おおふなちいきほうかつしえんせんたー"),
    "玉縄": ("tamanawa-houkatsu", "（架空）玉縄地域包括支援センター", "たまなわちいきほうかつしえんせんたー"),
}  # fmt: skip

# Friendly words for invented names: (written, reading)
NICKNAMES = [
    ("ひまわり", "ひまわり"), ("さくら", "さくら"), ("あおぞら", "あおぞら"), ("なごみ", "なごみ"),
    ("ひだまり", "ひだまり"), ("えがお", "えがお"), ("たんぽぽ", "たんぽぽ"), ("かもめ", "かもめ"),
    ("やまびこ", "やまびこ"), ("すずらん", "すずらん"), ("わかば", "わかば"), ("こもれび", "こもれび"),
    ("松風", "まつかぜ"), ("若竹", "わかたけ"), ("潮風", "しおかぜ"), ("紫陽花", "あじさい"),
    ("こばと", "こばと"), ("ふたば", "ふたば"), ("朝顔", "あさがお"), ("白梅", "しらうめ"),
]  # fmt: skip


@dataclass(frozen=True)
class Kind:
    """A kind of demo resource: how to name it, what it is, when it meets."""

    key: str
    name: str  # {town} {nick} are filled in
    reading: str
    organization: str
    organization_reading: str
    categories: tuple[str, ...]
    targets: tuple[str, ...]
    description: str
    schedules: tuple[str, ...]  # keys of SCHEDULES
    free_share: float  # share of free ones
    fee: str
    maintainer: str  # "council" or "care_center"


SCHEDULES: dict[str, dict[str, Any]] = {
    "weekdays": {
        "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": datetime.time(8, 30),
        "closes_at": datetime.time(17, 15), "closed_on_holidays": True, "closed_year_end": True,
    },
    "weekly-tu": {"freq": "WEEKLY", "byday": "TU", "opens_at": datetime.time(10), "closes_at": datetime.time(12)},
    "weekly-th": {"freq": "WEEKLY", "byday": "TH", "opens_at": datetime.time(13, 30), "closes_at": datetime.time(15, 30)},
    "weekly-mo-th": {"freq": "WEEKLY", "byday": "MO,TH", "opens_at": datetime.time(9, 30), "closes_at": datetime.time(11)},
    "monthly-2-4-we": {
        "freq": "MONTHLY", "byday": "2WE,4WE", "opens_at": datetime.time(13, 30),
        "closes_at": datetime.time(15), "closed_on_holidays": True,
    },
    "monthly-1-3-sa": {"freq": "MONTHLY", "byday": "1SA,3SA", "opens_at": datetime.time(17), "closes_at": datetime.time(19)},
    "monthly-15": {"freq": "MONTHLY", "bymonthday": "15", "opens_at": datetime.time(10), "closes_at": datetime.time(12), "closed_year_end": True},
    "monthly-last-fr": {"freq": "MONTHLY", "byday": "-1FR", "opens_at": datetime.time(14), "closes_at": datetime.time(16)},
    "mon-sat": {
        "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA", "opens_at": datetime.time(9),
        "closes_at": datetime.time(17), "closed_year_end": True,
    },
    "weekdays-meals": {"freq": "WEEKLY", "byday": "MO,WE,FR", "opens_at": datetime.time(11), "closes_at": datetime.time(13)},
}  # fmt: skip

KINDS: list[Kind] = [
    Kind("salon", "いきいきサロン{nick}{town}", "いきいきさろん{nick}{town}", "{town}サロンの会", "{town}さろんのかい",
         ("salon",), ("elderly",), "お茶を飲みながら、おしゃべりや体操、季節の行事を楽しむ集まりです。",
         ("monthly-2-4-we", "weekly-tu"), 0.6, "お茶代100円", "council"),
    Kind("salon2", "ふれあいサロン{town}", "ふれあいさろん{town}", "{town}町内会ふれあい部", "{town}ちょうないかいふれあいぶ",
         ("salon",), ("everyone",), "どなたでも気軽に立ち寄れる居場所です。手芸や囲碁のコーナーもあります。",
         ("weekly-th",), 0.8, "参加費200円", "council"),
    Kind("kodomo", "こども食堂{nick}", "こどもしょくどう{nick}", "{nick}こども食堂の会", "{nick}こどもしょくどうのかい",
         ("children-cafeteria",), ("children", "everyone"), "子どもは無料、大人は300円で、手作りの夕ごはんを一緒に食べます。",
         ("monthly-1-3-sa", "monthly-15"), 0.3, "子ども無料・大人300円", "council"),
    Kind("dayservice", "デイサービス{nick}", "でいさーびす{nick}", "社会福祉法人{nick}会", "しゃかいふくしほうじん{nick}かい",
         ("care-service",), ("elderly",), "日帰りで、入浴・食事・機能訓練・レクリエーションを行います（介護保険）。",
         ("mon-sat",), 0.0, "介護保険の自己負担があります", "care_center"),
    Kind("nursing", "訪問看護ステーション{nick}", "ほうもんかんごすてーしょん{nick}", "株式会社{nick}ケア", "かぶしきがいしゃ{nick}けあ",
         ("care-service", "medical"), ("elderly", "disability"), "看護師がご自宅を訪ね、療養の手伝いや健康の確認をします。",
         ("weekdays",), 0.0, "医療保険・介護保険の自己負担があります", "care_center"),
    Kind("meals", "配食サービス{nick}", "はいしょくさーびす{nick}", "NPO法人{nick}", "えぬぴーおーほうじん{nick}",
         ("meal-delivery", "watching"), ("elderly", "disability"), "栄養に気をつけたお弁当をお届けし、あわせて安否を確かめます。",
         ("weekdays-meals",), 0.0, "1食500円", "council"),
    Kind("watch", "{town}見守りネットワーク", "{town}みまもりねっとわーく", "{town}自治会", "{town}じちかい",
         ("watching",), ("elderly",), "ひとり暮らしの方などを、近所の人がゆるやかに見守ります。",
         ("monthly-last-fr",), 1.0, "", "council"),
    Kind("transport", "おでかけ支援{nick}", "おでかけしえん{nick}", "{nick}移送ボランティア", "{nick}いそうぼらんてぃあ",
         ("transport",), ("elderly", "disability"), "通院や買い物のときに、車で送り迎えや付き添いをします。",
         ("weekdays",), 0.2, "ガソリン代の実費", "council"),
    Kind("volunteer", "{nick}ボランティアの会", "{nick}ぼらんてぃあのかい", "{nick}ボランティアの会", "{nick}ぼらんてぃあのかい",
         ("volunteer",), ("everyone",), "地域の清掃や行事の手伝い、施設訪問などをしています。新しい仲間を募集しています。",
         ("monthly-15",), 1.0, "", "council"),
    Kind("venue", "{town}会館", "{town}かいかん", "{town}自治会", "{town}じちかい",
         ("venue",), ("everyone",), "集会室（30人程度）と和室があり、地域の活動に使えます。",
         ("mon-sat",), 0.0, "1時間500円", "council"),
    Kind("consult", "{town}くらしの相談会", "{town}くらしのそうだんかい", "{district}地区社会福祉協議会", "{district_reading}ちくしゃかいふくしきょうぎかい",
         ("consultation",), ("hardship", "everyone"), "お金や暮らしの困りごと、介護の心配などを、気軽に相談できます。",
         ("monthly-15",), 1.0, "", "council"),
    Kind("health", "{town}いきいき体操", "{town}いきいきたいそう", "{town}体操クラブ", "{town}たいそうくらぶ",
         ("health", "salon"), ("elderly",), "椅子に座ってできる体操で、足腰をきたえます。",
         ("weekly-mo-th",), 1.0, "", "care_center"),
    Kind("childcare", "子育てひろば{nick}", "こそだてひろば{nick}", "{nick}子育てネット", "{nick}こそだてねっと",
         ("childcare", "salon"), ("children",), "0〜3歳のお子さんと保護者が自由に遊び、子育ての相談もできます。",
         ("weekly-tu",), 1.0, "", "council"),
    Kind("carers", "ケアラーズカフェ{nick}", "けあらーずかふぇ{nick}", "{nick}介護者の会", "{nick}かいごしゃのかい",
         ("salon", "consultation"), ("carers",), "家族を介護している人どうしで、気持ちを話したり情報を交換したりします。",
         ("monthly-2-4-we",), 0.5, "お茶代200円", "care_center"),
    Kind("pantry", "フードパントリー{nick}", "ふーどぱんとりー{nick}", "{nick}フードバンクの会", "{nick}ふーどばんくのかい",
         ("daily-life",), ("hardship", "children"), "寄付された食品を、暮らしに困っている家庭にお渡しします。",
         ("monthly-last-fr",), 1.0, "", "council"),
]  # fmt: skip


# The first resource of each district: its 地域包括支援センター as a consultation desk.
CARE_CENTER_KIND = Kind(
    "care-center", "{district}地域包括支援センター", "{district_reading}ちいきほうかつしえんせんたー",
    "社会福祉法人{nick}会", "しゃかいふくしほうじん{nick}かい",
    ("consultation",), ("elderly", "carers"),
    "高齢の方の暮らし・介護・健康・お金の心配ごとを、専門の職員が無料でうかがいます。",
    ("weekdays",), 1.0, "", "care_center",
)  # fmt: skip


def _kana(text: str) -> str:
    return str(jaconv.hira2kata(text))


@dataclass
class _Rows:
    organizations: list[Organization]
    services: list[Service]
    locations: list[Location]
    addresses: list[Address]
    links: list[ServiceAtLocation]
    phones: list[Phone]
    schedules: list[Schedule]
    attributes: list[Attribute]


def _id(kind: str, number: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{MUNICIPALITY_CODE}/{kind}/{number}")


def _ensure_care_centers(
    municipality: Municipality, districts: dict[str, District]
) -> dict[str, OrganisationUnit]:
    units: dict[str, OrganisationUnit] = {
        unit.district.name: unit
        for unit in OrganisationUnit.objects.filter(
            municipality=municipality, kind=UnitKind.COMMUNITY_CARE_CENTER
        ).select_related("district")
        if unit.district is not None
    }
    for district_name, (code, name, reading) in CARE_CENTERS.items():
        if district_name in units or district_name not in districts:
            continue
        units[district_name] = account_services.unit_upsert(
            actor=ACTOR,
            municipality=municipality,
            code=code,
            kind=UnitKind.COMMUNITY_CARE_CENTER,
            name=name,
            reading=reading,
            district=districts[district_name],
            is_demo=True,
        )
    return units


def _build(
    municipality: Municipality,
    districts: dict[str, District],
    towns: dict[str, list[Town]],
    council: OrganisationUnit | None,
    care_centers: dict[str, OrganisationUnit],
    today: datetime.date,
) -> _Rows:
    rng = random.Random(142042)  # noqa: S311 (demo data, not security)
    terms = ensure_taxonomies(municipality)
    rows = _Rows([], [], [], [], [], [], [], [])
    organizations: dict[str, Organization] = {}
    number = 0
    seen: dict[str, int] = {}
    common = {"municipality": municipality, "is_demo": True, "source_kind": SourceKind.DEMO}
    for district in districts.values():
        district_towns = towns.get(district.name, [])
        if not district_towns:
            continue
        for index in range(PER_DISTRICT):
            number += 1
            kind = CARE_CENTER_KIND if index == 0 else KINDS[index % len(KINDS)]
            town = district_towns[(index % len(KINDS) + index // len(KINDS)) % len(district_towns)]
            # each kind appears 20 times: a different nickname each time (names are unique)
            seen[kind.key] = seen.get(kind.key, -1) + 1
            nick, nick_reading = NICKNAMES[(seen[kind.key] * 7 + len(kind.key)) % len(NICKNAMES)]
            town_reading = TOWN_READINGS.get(town.name, town.reading)
            values = {
                "town": town.name,
                "nick": nick,
                "district": district.name,
                "district_reading": district.reading,
            }
            readings = {
                "town": town_reading,
                "nick": nick_reading,
                "district": district.reading,
                "district_reading": district.reading,
            }
            name = kind.name.format(**values) + MARK
            org_name = kind.organization.format(**values) + MARK
            organization = organizations.get(org_name)
            if organization is None:
                organization = Organization(
                    id=_id("organization", len(organizations) + 1),
                    name=org_name,
                    name_kana=_kana(kind.organization_reading.format(**readings)),
                    source_id=f"demo-organization-{len(organizations) + 1:04d}",
                    **common,
                )
                organizations[org_name] = organization
            maintainer = (
                care_centers.get(district.name) if kind.maintainer == "care_center" else council
            )
            status = ServiceStatus.ACTIVE
            if number % 97 == 0:
                status = ServiceStatus.INACTIVE
            elif number % 113 == 0:
                status = ServiceStatus.DEFUNCT
            elif number % 71 == 0:
                status = ServiceStatus.TEMPORARILY_CLOSED
            is_free = rng.random() < kind.free_share
            service = Service(
                id=_id("service", number),
                organization=organization,
                name=name,
                name_kana=_kana(kind.reading.format(**readings)),
                description=kind.description,
                status=status,
                is_free=is_free,
                fees_description="" if is_free else kind.fee,
                assured_date=today - datetime.timedelta(days=rng.randint(0, 730)),
                maintainer=maintainer,
                source_id=f"demo-service-{number:04d}",
                **common,
            )
            rows.services.append(service)
            location = Location(
                id=_id("location", number),
                organization=organization,
                name=name,
                name_kana=service.name_kana,
                district=district,
                town=town,
                source_id=f"demo-location-{number:04d}",
                **common,
            )
            rows.locations.append(location)
            rows.addresses.append(
                Address(
                    id=_id("address", number),
                    municipality=municipality,
                    location=location,
                    address_1=f"{town.name}{rng.randint(1, 5)}-{rng.randint(1, 20)}-{rng.randint(1, 30)}",
                    city=municipality.name,
                    state_province=municipality.prefecture,
                )
            )
            rows.links.append(
                ServiceAtLocation(
                    id=_id("service-at-location", number),
                    municipality=municipality,
                    service=service,
                    location=location,
                )
            )
            rows.phones.append(
                Phone(
                    id=_id("phone", number),
                    municipality=municipality,
                    service=service,
                    number=f"0467-00-{number:04d}",
                    type="voice",
                )
            )
            schedule_key = kind.schedules[number % len(kind.schedules)]
            rows.schedules.append(
                Schedule(
                    id=_id("schedule", number),
                    municipality=municipality,
                    service=service,
                    **SCHEDULES[schedule_key],
                )
            )
            for code in (*kind.targets, *kind.categories):
                rows.attributes.append(
                    Attribute(
                        id=_id(f"attribute-{code}", number),
                        municipality=municipality,
                        taxonomy_term=terms[code],
                        link_entity=LinkEntity.SERVICE,
                        link_id=service.id,
                    )
                )
    rows.organizations = list(organizations.values())
    return rows


def _expected_count(towns: dict[str, list[Town]]) -> int:
    return PER_DISTRICT * sum(1 for district_towns in towns.values() if district_towns)


def load(stdout: Any = None) -> dict[str, Any]:
    """Create (or complete) the demo directory of the Kamakura demo tenant; returns {}."""
    started = time.perf_counter()
    municipality = Municipality.objects.filter(code=MUNICIPALITY_CODE).first()
    if municipality is None:
        return {}
    districts = {
        district.name: district
        for district in District.objects.filter(municipality=municipality).order_by("order")
    }
    towns: dict[str, list[Town]] = {}
    for town in Town.objects.filter(municipality=municipality).select_related("district"):
        towns.setdefault(town.district.name, []).append(town)
    for district_towns in towns.values():
        district_towns.sort(key=lambda town: town.pk)
    expected = _expected_count(towns)
    demo_services = Service.objects.filter(municipality=municipality, source_kind=SourceKind.DEMO)
    present = demo_services.count()
    indexed = SearchEntry.objects.filter(municipality=municipality, is_demo=True).count()
    if present == expected and indexed == expected:
        if stdout is not None:
            stdout.write("地域資源情報のデモデータはすでにあります（変更なし）。")
        return {}
    with transaction.atomic():
        council = OrganisationUnit.objects.filter(
            municipality=municipality, kind=UnitKind.SOCIAL_WELFARE_COUNCIL
        ).first()
        care_centers = _ensure_care_centers(municipality, districts)
        rows = _build(municipality, districts, towns, council, care_centers, datetime.date.today())
        if present:  # replace an incomplete or changed demo directory as a whole
            ids = {*demo_services.values_list("pk", flat=True), *(s.pk for s in rows.services)}
            Attribute.objects.filter(link_entity=LinkEntity.SERVICE, link_id__in=ids).delete()
            demo_services.delete()
            Location.objects.filter(municipality=municipality, source_kind=SourceKind.DEMO).delete()
            Organization.objects.filter(
                municipality=municipality, source_kind=SourceKind.DEMO
            ).delete()
        Organization.objects.bulk_create(rows.organizations, batch_size=500)
        Service.objects.bulk_create(rows.services, batch_size=500)
        Location.objects.bulk_create(rows.locations, batch_size=500)
        Address.objects.bulk_create(rows.addresses, batch_size=500)
        ServiceAtLocation.objects.bulk_create(rows.links, batch_size=500)
        Phone.objects.bulk_create(rows.phones, batch_size=500)
        Schedule.objects.bulk_create(rows.schedules, batch_size=500)
        Attribute.objects.bulk_create(rows.attributes, batch_size=500)
        index_services(municipality)  # the whole tenant: cheaper than 300 ids in IN lists
    if stdout is not None:
        stdout.write(
            f"地域資源情報のデモデータ（架空）を作成しました: {len(rows.services)} 件"
            f"（{time.perf_counter() - started:.1f} 秒）。"
        )
    return {}
