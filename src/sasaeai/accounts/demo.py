"""The Kamakura demo tenant: municipality, districts, units and one demo user per role.

Official facts (municipality code and name, the five 行政地区, 福祉総務課, the committee and
the social welfare council) are plain; everything invented is flagged ``is_demo`` and shown
as 架空 in the UI. Loading is idempotent: a second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from sasaeai.accounts import services
from sasaeai.accounts.models import OrganisationUnit, UnitName
from sasaeai.accounts.roles import ROLES_REQUIRING_2FA, Role, UnitKind

ACTOR = "system:loaddemo"
DEMO_PASSWORD = "sasaeai-demo-2026"  # noqa: S105  (public on purpose: demo accounts only)

DISTRICTS: list[tuple[str, str, list[str]]] = [
    (
        "鎌倉",
        "かまくら",
        [
            "雪ノ下",
            "小町",
            "御成町",
            "由比ガ浜",
            "長谷",
            "坂ノ下",
            "材木座",
            "大町",
            "扇ガ谷",
            "二階堂",
            "浄明寺",
            "十二所",
            "佐助",
            "極楽寺",
        ],
    ),
    ("腰越", "こしごえ", ["腰越", "津", "津西", "西鎌倉", "七里ガ浜", "七里ガ浜東"]),
    ("深沢", "ふかさわ", ["常盤", "梶原", "寺分", "上町屋", "山崎", "笛田", "手広", "鎌倉山"]),
    ("大船", "おおふな", ["大船", "台", "小袋谷", "岩瀬", "今泉", "今泉台", "高野", "山ノ内"]),
    ("玉縄", "たまなわ", ["玉縄", "植木", "岡本", "城廻", "関谷"]),
]


@dataclass(frozen=True)
class DemoUnit:
    code: str
    kind: str
    name: str
    reading: str
    is_demo: bool
    district: str | None = None


UNITS: list[DemoUnit] = [
    DemoUnit("fukushi-somu", UnitKind.DEPARTMENT, "福祉総務課", "ふくしそうむか", False),
    DemoUnit("koreisha", UnitKind.DEPARTMENT, "高齢者いきいき課", "こうれいしゃいきいきか", True),
    DemoUnit("shogai-fukushi", UnitKind.DEPARTMENT, "障害福祉課", "しょうがいふくしか", True),
    DemoUnit("seikatsu-fukushi", UnitKind.DEPARTMENT, "生活福祉課", "せいかつふくしか", True),
    DemoUnit("kodomo-shien", UnitKind.DEPARTMENT, "こども支援課", "こどもしえんか", True),
    DemoUnit("shimin-sodan", UnitKind.DEPARTMENT, "市民相談課", "しみんそうだんか", True),
    DemoUnit(
        "suishin-iinkai",
        UnitKind.COMMITTEE,
        "地域福祉計画推進委員会",
        "ちいきふくしけいかくすいしんいいんかい",
        False,
    ),
    DemoUnit(
        "shakyo",
        UnitKind.SOCIAL_WELFARE_COUNCIL,
        "鎌倉市社会福祉協議会",
        "かまくらししゃかいふくしきょうぎかい",
        False,
    ),
    DemoUnit(
        "ofuna-chiku-shakyo",
        UnitKind.DISTRICT_COUNCIL,
        "（架空）大船地区社会福祉協議会",
        "おおふなちくしゃかいふくしきょうぎかい",
        True,
        "大船",
    ),
    DemoUnit(
        "ofuna-houkatsu",
        UnitKind.COMMUNITY_CARE_CENTER,
        "（架空）大船地域包括支援センター",
        "おおふなちいきほうかつしえんせんたー",
        True,
        "大船",
    ),
    DemoUnit(
        "ofuna-1-jichikai",
        UnitKind.NEIGHBOURHOOD_ASSOCIATION,
        "（架空）大船一丁目自治会",
        "おおふないっちょうめじちかい",
        True,
        "大船",
    ),
    DemoUnit(
        "koshigoe-3-chonaikai",
        UnitKind.NEIGHBOURHOOD_ASSOCIATION,
        "（架空）腰越三丁目町内会",
        "こしごえさんちょうめちょうないかい",
        True,
        "腰越",
    ),
]

# A reorganisation, to show names valid per 年度: こども支援課 was 子育て支援課 until 令和5年度 (架空).
FORMER_NAMES: list[tuple[str, str, str, int]] = [
    ("kodomo-shien", "子育て支援課", "こそだてしえんか", 2023),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    unit: str
    role: str


USERS: list[DemoUser] = [
    DemoUser("demo-jimukyoku", "（架空）福祉 花子", "fukushi-somu", Role.SECRETARIAT),
    DemoUser("demo-tantoka", "（架空）高齢 一郎", "koreisha", Role.DEPARTMENT),
    DemoUser("demo-tantoka2", "（架空）障害 次郎", "shogai-fukushi", Role.DEPARTMENT),
    DemoUser("demo-iin", "（架空）推進 三郎", "suishin-iinkai", Role.COMMITTEE_MEMBER),
    DemoUser("demo-shakyo", "（架空）社協 さくら", "shakyo", Role.COUNCIL_COORDINATOR),
    DemoUser("demo-chiiki", "（架空）自治 会子", "ofuna-1-jichikai", Role.COMMUNITY_GROUP),
    # edits the directory entries its 地域包括支援センター maintains
    DemoUser("demo-houkatsu", "（架空）包括 五郎", "ofuna-houkatsu", Role.DEPARTMENT),
    DemoUser("demo-admin", "（架空）管理 四郎", "fukushi-somu", Role.SYSTEM_ADMIN),
]


# The deployment operator of the demo: no municipality, opens the admin (decision 0010).
DEMO_OPERATOR = "demo-operator"


def demo_totp_key(username: str) -> str:
    """A fixed, public TOTP key per demo user (hex), so `sasaeai demotoken` can show codes."""
    return username.encode("utf-8").hex().ljust(40, "0")[:40]


@transaction.atomic
def load(stdout: Any = None) -> dict[str, Any]:
    municipality = services.municipality_upsert(
        actor=ACTOR, code="142042", name="鎌倉市", prefecture="神奈川県", is_demo=True
    )
    districts = {}
    for order, (name, reading, towns) in enumerate(DISTRICTS, start=1):
        district = services.district_upsert(
            actor=ACTOR, municipality=municipality, name=name, reading=reading, order=order
        )
        districts[name] = district
        for town in towns:
            services.town_upsert(actor=ACTOR, district=district, name=town, is_demo=True)
    units: dict[str, OrganisationUnit] = {}
    for spec in UNITS:
        units[spec.code] = services.unit_upsert(
            actor=ACTOR,
            municipality=municipality,
            code=spec.code,
            kind=spec.kind,
            name=spec.name,
            reading=spec.reading,
            district=districts[spec.district] if spec.district else None,
            is_demo=spec.is_demo,
        )
    for code, former, reading, last_fy in FORMER_NAMES:
        _ensure_former_name(units[code], former, reading, last_fy)
    for person in USERS:
        user = services.user_upsert(
            actor=ACTOR,
            municipality=municipality,
            username=person.username,
            display_name=person.display_name,
            email=f"{person.username}@example.jp",
            password=DEMO_PASSWORD,
            is_demo=True,
        )
        services.membership_grant(actor=ACTOR, user=user, unit=units[person.unit], role=person.role)
        if person.role in ROLES_REQUIRING_2FA:
            TOTPDevice.objects.get_or_create(
                user=user,
                name="デモ用認証アプリ",
                defaults={"key": demo_totp_key(person.username), "confirmed": True},
            )
    operator = services.user_upsert(
        actor=ACTOR,
        municipality=None,
        username=DEMO_OPERATOR,
        display_name="（架空）運用 五郎",
        email=f"{DEMO_OPERATOR}@example.jp",
        password=DEMO_PASSWORD,
        is_demo=True,
    )
    services.user_set_operator(actor=ACTOR, user=operator, is_operator=True)
    TOTPDevice.objects.get_or_create(
        user=operator,
        name="デモ用認証アプリ",
        defaults={"key": demo_totp_key(DEMO_OPERATOR), "confirmed": True},
    )
    return {
        "municipality": municipality,
        "users": USERS,
        "operator": DEMO_OPERATOR,
        "password": DEMO_PASSWORD,
    }


def _ensure_former_name(unit: OrganisationUnit, former: str, reading: str, last_fy: int) -> None:
    """Split the unit's single name into the former one (to last_fy) and the current one."""
    if UnitName.objects.filter(unit=unit, name=former).exists():
        return
    current = UnitName.objects.get(unit=unit, valid_from_fy__isnull=True)
    current.valid_from_fy = last_fy + 1
    current.save(update_fields=["valid_from_fy"])
    UnitName.objects.create(unit=unit, name=former, reading=reading, valid_to_fy=last_fy)
