"""Kamakura's community welfare plans for `sasaeai loaddemo`, with a generated (架空) structure.

What is real and what is invented
---------------------------------
Real (published by 鎌倉市, stored unmarked): the name 「鎌倉市地域福祉計画」, the period
令和2〜7年度 (2020–2025), the vision 「お互いを尊重し、支え合いながら、ともに活きるまち かまくら」
and the six basic goals (goal 6 ケアラーへの支援 applies from 令和7年度). These goals have
``is_demo=False``.

Invented (the real 施策, 取組の種類 and 取組 are not published in a usable form): everything
below the goals. Every generated row that has an ``is_demo`` field has it set, and every
generated name *and* text starts with 「（架空）」 — policies, types, initiatives and their
descriptions, indicators and their notes, evaluation texts, return comments, committee reviews,
the city's responses, summaries and reviewers' labels. The plans themselves are
``is_demo=True`` (「架空を含む」). The real structure replaces this through the plan workbook
import.

The generated structure of the first plan
------------------------------------------
Exactly 10 施策, 31 取組の種類 and 203 取組 (counting originals only), like the real plan:

* goals 1–5 hold 9 施策, 29 取組の種類 and 195 取組 (goal 1: 2/6/41, goal 2: 2/7/45,
  goal 3: 2/7/49, goal 4: 2/6/40, goal 5: 1/3/20);
* goal 6 (added in 令和7年度) holds the remaining 1 施策, 2 取組の種類 and 8 取組, so the totals
  stay 10/31/203 as the real plan counts them.

Originals are numbered 1–203 in tree order. Eight 再掲 rows (numbers 204–211) list an original
again under another goal (two of them under goal 6); they copy its title, description and
responsible units, point to it with ``repost_of`` and are never evaluated or counted. Each
initiative has one lead unit (three hand over their lead from 福祉総務課 to （架空）地域共生推進課
in 令和5年度, to show units valid per 年度) and sometimes one or two others. Departments the
accounts demo lacks are created here with ``unit_upsert`` (``is_demo=True``, names 「（架空）…」).

20 outcome indicators (survey indicators in % from 市民アンケート, counts from 業務統計 …) have
values for 令和2〜6年度 and some for 令和7年度; 「（架空）身近に相談できる人がいない市民の割合」
(減らす) keeps rising, so it worsens.

Evaluation cycles: 令和2〜6年度 are published (``published_at`` set) with every evaluation
approved (version 1, no ``updated_by``, the lead unit of that 年度), a 講評 per goal with the
city's response (published; reviewers are labels, not accounts), a few comments on initiatives
and a 総括 per goal under each of the plan's summary headings. 令和7年度 is open with a deadline
(``DEADLINE_2025`` = 2027-01-29, fixed so every load is the same) and its evaluations are in a mix of states (empty drafts,
partial drafts, submitted, returned, approved); the demo departments' users
(高齢者いきいき課, 障害福祉課) have mostly work left to do. The second plan (令和8〜15年度) is an
empty shell: status 策定中, the same vision, no goals. The first plan stays 推進中 while its
last cycle is open.

Texts come from templates filled by a ``random.Random`` seeded with a constant, so the data is
the same on every load (initiative keys are uuid5 of the plan and number). Some texts contain
katakana terms (アウトリーチ, ニーズ, ネットワーク …) for the plain-language checker to find.

Writing and audit
-----------------
Rows are written directly through the ORM with ``bulk_create`` (the whole plans load takes well
under a second). The audit log gets one row per created plan (the first plan: action
``import``; the empty second plan: ``create``) and one per created cycle (``create``), each with
a summary of what was generated, by ``system:loaddemo`` — not one row per generated record.
The five extra departments are created through ``unit_upsert``, which audits each of them
(first load only).

Idempotence: a plan that already exists (by municipality and name) is left as it is, so a
second ``loaddemo`` changes nothing and writes no audit rows. After the generator changes, run
``sasaeai flush`` (the demo database) and load again to see the new data.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from sasaeai.accounts import services as account_services
from sasaeai.accounts.models import Municipality, OrganisationUnit
from sasaeai.accounts.roles import UnitKind
from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.plans import defaults
from sasaeai.plans import indicators as indicator_rules
from sasaeai.plans.models import (
    CycleStatus,
    Direction,
    Evaluation,
    EvaluationCycle,
    EvaluationState,
    Goal,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeType,
    InitiativeUnit,
    Plan,
    PlanStatus,
    Policy,
    Review,
    ReviewKind,
    Summary,
)

ACTOR = "system:loaddemo"
MUNICIPALITY_CODE = "142042"
DEMO = "（架空）"
SEED = 142042
KEY_NAMESPACE = uuid.UUID("6f1d8a52-3c1e-5b8e-9a0d-142042000001")
TOKYO = ZoneInfo("Asia/Tokyo")

PLAN_NAME = "鎌倉市地域福祉計画"
PLAN_START, PLAN_END = 2020, 2025
NEXT_PLAN_NAME = "鎌倉市地域福祉計画（第2期）"
NEXT_PLAN_START, NEXT_PLAN_END = 2026, 2033
VISION = "お互いを尊重し、支え合いながら、ともに活きるまち かまくら"
CURRENT_FY = 2025  # the open cycle; earlier cycles are published
DEADLINE_2025 = dt.date(2027, 1, 29)

GOALS: list[tuple[int, str, int | None]] = [
    (1, "総合的な相談体制の確立", None),
    (2, "包括的支援体制の構築", None),
    (3, "地域における福祉活動や人材への支援", None),
    (4, "地域生活支援と権利擁護", None),
    (5, "情報の収集と提供", None),
    (6, "ケアラーへの支援", 2025),
]

# Departments the plan needs beyond the accounts demo (all invented).
EXTRA_UNITS: list[tuple[str, str, str]] = [
    ("chiiki-kyosei", "（架空）地域共生推進課", "ちいききょうせいすいしんか"),
    ("kenko-zukuri", "（架空）市民健康課", "しみんけんこうか"),
    ("sogo-bosai", "（架空）総合防災課", "そうごうぼうさいか"),
    ("kyoiku-shido", "（架空）教育指導課", "きょういくしどうか"),
    ("kouhou", "（架空）広報広聴課", "こうほうこうちょうか"),
]
PARTNER_UNIT = "shakyo"  # the social welfare council works alongside, never leads


@dataclass(frozen=True)
class TypeSpec:
    """取組の種類: its initiatives are ``subject + action`` combinations, ``count`` of them."""

    name: str
    count: int
    leads: tuple[str, ...]
    subjects: tuple[str, ...]
    actions: tuple[str, ...] = ("の推進", "の充実", "の周知")


@dataclass(frozen=True)
class PolicySpec:
    goal: int
    name: str
    types: tuple[TypeSpec, ...]


# The generated structure: one 施策 per unindented line (``goal name``); under it each
# 取組の種類 (``count name | lead units``), then its subjects and, optionally, its actions on
# indented lines separated by ／ (each initiative is a subject + an action).
STRUCTURE = """
1 身近な相談窓口の充実
  7 地域の相談拠点の整備 | fukushi-somu koreisha shimin-sodan
    地域の福祉相談窓口／地区ごとの出張相談／地域包括支援センターの総合相談／電話による福祉相談
    の運営／の充実／の周知／の利用促進
  6 分野を問わない相談の受け止め | fukushi-somu chiiki-kyosei
    福祉まるごと相談窓口／複合的な課題を抱える世帯の相談／断らない相談支援／相談の受付から支援までの流れ
    の体制整備／の充実／の周知
  6 アウトリーチによる支援 | fukushi-somu seikatsu-fukushi koreisha
    訪問による支援（アウトリーチ）／ひきこもり状態にある人への訪問／孤立しがちな世帯への声かけ／民生委員と連携した戸別訪問
    の実施／の充実／の手法の研究
1 専門的な相談支援の充実
  8 高齢者・障害者の専門相談 | koreisha shogai-fukushi
    認知症に関する相談／障害のある人の相談支援／介護に関する相談／医療と介護の連携に関する相談
    の実施／の充実／の周知／の質の向上
  7 子ども・子育ての相談 | kodomo-shien
    子育てに関する相談／子どもの発達に関する相談／妊娠期からの切れ目ない相談／若者の悩み相談
    の実施／の充実／の周知
  7 生活困窮・住まいの相談 | seikatsu-fukushi
    生活困窮者の自立相談／家計改善に関する相談／住まいの確保に関する相談／就労に関する相談
    の実施／の充実／の周知
2 関係機関の連携の強化
  6 多機関協働の仕組みづくり | fukushi-somu chiiki-kyosei
    重層的支援体制整備事業／支援会議／多機関協働による事例検討／関係機関の連絡会
    の実施／の運営／の充実
  5 分野を越えた情報共有 | fukushi-somu shimin-sodan
    支援に必要な情報の共有／関係課の連絡調整／共通の相談受付票／個人情報の適切な取扱い
    の仕組みづくり／の推進／の見直し
  8 社会福祉協議会との協働 | fukushi-somu chiiki-kyosei
    社会福祉協議会との定例協議／地区社会福祉協議会の活動／コミュニティソーシャルワーカーの活動／生活支援コーディネーターの活動
2 切れ目のない支援の推進
  6 ライフステージに応じた支援の継続 | shogai-fukushi kodomo-shien koreisha
    18歳到達時の支援の引継ぎ／就学前から学齢期への支援の引継ぎ／高齢期への移行の支援／退院後の生活の支援
    の実施／の充実／の仕組みづくり
  7 地域共生社会の実現に向けた取組 | chiiki-kyosei koreisha shogai-fukushi
    共生型サービス／地域の居場所／多世代交流の場／誰もが参加できる行事
    の推進／への支援／の充実
  6 参加支援と地域づくり | seikatsu-fukushi shogai-fukushi
    社会参加の支援／就労体験の場／地域での役割づくり／中間的就労
    の推進／の充実／の拡大
  7 医療・介護・福祉の連携 | koreisha kenko-zukuri
    在宅医療・介護連携／入退院時の連携／多職種による研修／地域ケア会議
    の推進／の充実／の実施
3 地域福祉活動への支援
  9 身近な地域の支え合い活動 | fukushi-somu koreisha
    ふれあいサロン／地域の見守り活動／ご近所の助け合い活動／地域の茶話会
    の推進／への支援／の立ち上げ支援／の周知
  7 自治会・町内会の福祉活動 | chiiki-kyosei sogo-bosai
    自治会・町内会の福祉活動／地域の防災と見守りの連携／町内会行事を通じた交流／地域の福祉マップづくり
    への支援／の推進／の事例紹介
  6 活動の場と資金の確保 | fukushi-somu chiiki-kyosei
    地域活動の場所の確保／共同募金の配分／地域福祉活動の助成／空き家・空き店舗の活用
    の推進／の見直し／の周知
3 福祉の担い手の育成
  8 ボランティアの育成 | fukushi-somu
    ボランティア講座／ボランティアセンターの運営／学生のボランティア活動／企業のプロボノ活動
    の充実／の推進／への支援
  6 民生委員・児童委員の活動支援 | fukushi-somu
    民生委員・児童委員の研修／民生委員・児童委員の担い手確保／民生委員・児童委員の活動の負担軽減／民生委員・児童委員と関係機関の連携
    の推進／の充実／への支援
  7 福祉教育の推進 | kyoiku-shido koreisha shogai-fukushi
    小中学校での福祉教育／福祉の体験学習／認知症サポーター養成講座／障害への理解を深める講座
    の実施／の充実／の推進
  6 福祉人材の確保と定着 | koreisha shogai-fukushi
    介護人材の確保／福祉の仕事の魅力発信／福祉職員の研修／外国人介護人材の受入れ
    の推進／への支援／の充実
4 安心して暮らせる地域生活の支援
  8 災害時の支え合い | sogo-bosai fukushi-somu
    避難行動要支援者名簿の活用／個別避難計画の作成／福祉避難所の運営体制／地域の防災訓練
    の推進／の充実／の見直し
  7 暮らしの困りごとへの支援 | koreisha shogai-fukushi
    買い物の支援／移動の支援／ごみ出しの支援／住宅改修の支援
    の実施／の充実／の周知
  7 健康づくりと介護予防 | kenko-zukuri koreisha
    フレイル予防／介護予防の体操教室／健康相談／食生活の改善
4 権利擁護の推進
  7 成年後見制度の利用促進 | fukushi-somu koreisha
    成年後見制度の利用／市民後見人の養成／中核機関による相談／後見の申立ての支援
  6 虐待の防止と早期発見 | koreisha shogai-fukushi kodomo-shien shimin-sodan
    高齢者虐待の防止／障害者虐待の防止／児童虐待の防止／配偶者等からの暴力の防止
    と早期発見／に関する研修／に関する啓発
  5 差別の解消と意思決定の支援 | shogai-fukushi
    障害を理由とする差別の解消／意思決定の支援／日常生活自立支援事業／合理的配慮の普及
5 わかりやすい情報の発信
  8 福祉情報の発信 | fukushi-somu kouhou
    福祉ガイドブック／市のウェブサイトの福祉情報／広報紙の福祉特集／SNSによる情報発信
    の充実／の改善／の活用促進
  6 情報の届きにくい人への配慮 | shogai-fukushi kouhou
    音声・点字による情報提供／やさしい日本語による案内／外国語による案内／手話通訳・要約筆記
    の充実／の推進／の拡大
  6 地域の福祉資源の把握と共有 | fukushi-somu
    地域資源の情報収集／地域資源マップ／地域福祉に関する調査／福祉の統計データ
    の推進／の充実／の活用
6 ケアラーを支える仕組みづくり
  4 ケアラーの把握と相談 | fukushi-somu kodomo-shien kyoiku-shido
    ケアラーの相談窓口／ヤングケアラーの早期把握／学校と連携したヤングケアラー支援／ケアラー手帳
  4 ケアラーの負担軽減と理解促進 | koreisha fukushi-somu
    ケアラーの集いの場／介護者の休息（レスパイト）の支援／ケアラーへの理解を広める講座／ピアサポートの場
"""


def parse_structure(text: str) -> list[PolicySpec]:
    policies: list[PolicySpec] = []
    types: list[TypeSpec] = []
    pending: dict[str, Any] | None = None

    def flush_type() -> None:
        nonlocal pending
        if pending is not None:
            types.append(TypeSpec(**pending))
            pending = None

    def flush_policy() -> None:
        flush_type()
        if types:
            last = policies.pop()
            policies.append(PolicySpec(last.goal, last.name, tuple(types)))
            types.clear()

    for line in text.strip("\n").splitlines():
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if indent == 0:
            flush_policy()
            goal, name = body.split(" ", 1)
            policies.append(PolicySpec(int(goal), name, ()))
        elif indent == 2:
            flush_type()
            head, leads = body.split(" | ")
            count, name = head.split(" ", 1)
            pending = {"name": name, "count": int(count), "leads": tuple(leads.split())}
        elif pending is not None and "subjects" not in pending:
            pending["subjects"] = tuple(body.split("／"))
        elif pending is not None:
            pending["actions"] = tuple(body.split("／"))
    flush_policy()
    return policies


POLICIES: list[PolicySpec] = parse_structure(STRUCTURE)


# 再掲: (type number of the original, type number where it is listed again); the original is
# the type's first initiative.
REPOSTS: list[tuple[int, int]] = [
    (3, 30),  # アウトリーチ → ケアラーの把握と相談 (goal 6)
    (4, 31),  # 介護の相談 → ケアラーの負担軽減 (goal 6)
    (9, 14),  # 社協との協働 → 身近な支え合い (goal 3)
    (18, 21),  # 民生委員 → 災害時の支え合い (goal 4)
    (21, 15),  # 個別避難計画 → 自治会・町内会 (goal 3)
    (24, 4),  # 成年後見 → 専門相談 (goal 1)
    (27, 1),  # 福祉ガイドブック → 地域の相談拠点 (goal 1)
    (19, 23),  # 福祉教育 → 介護予防 (goal 4)
]
HANDOVER_TYPES = (2, 7)  # first three 福祉総務課-led initiatives here hand over in 令和5年度
HANDOVER = ("fukushi-somu", "chiiki-kyosei", 2023)


@dataclass(frozen=True)
class IndicatorSpec:
    goal: int
    name: str
    unit: str
    direction: str
    source: str
    baseline: str
    baseline_fy: int
    target: str
    values: dict[int, str]  # 年度 → value
    is_survey: bool
    target_fy: int = PLAN_END


SURVEY_SOURCES = ("市民アンケート", "職員アンケート")
UP, DOWN, KEEP = Direction.INCREASE.value, Direction.DECREASE.value, Direction.MAINTAIN.value

# goal | name | unit | direction | source | baseline | baseline 年度 | target | first 年度 | values…
INDICATOR_TABLE = """
1|身近に相談できる人がいない市民の割合|%|decrease|市民アンケート|12.4|2019|10.0|2020|13.1 14.0 14.6 15.8 16.9
1|福祉の総合相談窓口の相談件数|件|increase|業務統計|1820|2019|2400|2020|1650 1910 2140 2260 2380 2455
1|困ったときの相談先を知っている市民の割合|%|increase|市民アンケート|48.2|2019|60.0|2020|49.0 50.3 51.1 52.8 53.5
1|アウトリーチ（訪問による支援）の実施件数|件|increase|業務統計|310|2019|500|2020|280 345 402 455 512 538
2|重層的支援会議の開催回数|回|increase|業務統計|0|2019|24|2020|0 4 10 16 21 23
2|多機関協働による支援プランの作成件数|件|increase|業務統計|12|2019|60|2020|15 22 31 44 52 57
2|関係機関と連携できていると感じる職員の割合|%|increase|職員アンケート|55.0|2019|70.0|2020|54.2 57.9 60.3 62.0 63.4
2|就労支援により就職した人数|人|increase|業務統計|42|2019|60|2020|31 38 47 52 58 61
3|地域の活動に参加している市民の割合|%|increase|市民アンケート|32.5|2019|40.0|2020|24.8 26.1 28.9 30.4 31.7
3|ボランティアセンターの登録者数|人|increase|社会福祉協議会の統計|2150|2019|2500|2020|1880 1920 2010 2105 2190 2230
3|ふれあいサロンの数|か所|increase|社会福祉協議会の統計|118|2019|140|2020|96 104 115 123 129 133
3|民生委員・児童委員の充足率|%|maintain|業務統計|95.0|2019|95.0|2020|94.1 93.6 90.2 91.0 92.3 92.8
3|福祉に関する講座・研修の受講者数|人|increase|業務統計|1450|2019|1800|2020|420 890 1230 1510 1640 1720
4|成年後見制度の利用者数|人|increase|業務統計|265|2019|330|2020|272 281 290 301 309
4|成年後見制度を知っている市民の割合|%|increase|市民アンケート|41.6|2019|55.0|2020|42.3 43.0 45.8 47.1 48.9
4|個別避難計画の作成率|%|increase|業務統計|2.0|2019|50.0|2020|3.5 8.2 15.6 24.3 33.8 41.0
4|権利擁護に関する相談件数|件|increase|業務統計|380|2019|450|2020|402 431 447 470 486 495
5|福祉の情報を得られていると感じる市民の割合|%|increase|市民アンケート|36.8|2019|45.0|2020|37.2 38.5 39.1 41.0 42.6
5|福祉ガイドブックのウェブページ閲覧数|件|increase|業務統計|21000|2019|30000|2020|24500 27800 29100 31200 33600 34800
6|「ケアラー」という言葉を知っている市民の割合|%|increase|市民アンケート|23.5|2024|30.0|2024|23.5 29.8
"""


def parse_indicators(text: str) -> list[IndicatorSpec]:
    specs = []
    for line in text.strip().splitlines():
        goal, name, unit, direction, source, baseline, baseline_fy, target, first, values = (
            line.split("|")
        )
        specs.append(
            IndicatorSpec(
                goal=int(goal),
                name=name,
                unit=unit,
                direction=direction,
                source=source,
                baseline=baseline,
                baseline_fy=int(baseline_fy),
                target=target,
                values={int(first) + i: v for i, v in enumerate(values.split())},
                is_survey=source in SURVEY_SOURCES,
            )
        )
    return specs


INDICATORS: list[IndicatorSpec] = parse_indicators(INDICATOR_TABLE)


REVIEWERS = [
    "（架空）委員長 由比 正子",
    "（架空）副委員長 七里 健一",
    "（架空）委員 梶原 みどり",
    "（架空）委員 玉縄 康夫",
]

# --- text templates (filled by the seeded Random) -------------------------------------------

PARTNERS = [
    "社会福祉協議会",
    "地域包括支援センター",
    "民生委員・児童委員",
    "自治会・町内会",
    "NPO法人",
    "関係機関",
    "地区社会福祉協議会",
    "医療機関",
    "学校",
]
TARGETS = [
    "高齢者",
    "障害のある人",
    "子育て中の家庭",
    "地域の住民",
    "支援を必要とする人",
    "若い世代",
    "ひとり暮らしの高齢者",
]
DESCRIPTIONS = [
    "{target}を対象に、{activity}に取り組みます。",
    "{partner}と連携しながら、{activity}を進めます。",
    "{target}が安心して暮らせるよう、{activity}を図ります。",
    "地域のニーズを把握しながら、{activity}に取り組みます。",
    "{partner}や{partner2}と協力し、{activity}を進めます。",
]
OPENINGS_COVID = [
    "新型コロナウイルス感染症の影響により、{activity}に向けた事業は内容を縮小して実施した。",
    "感染症対策のため{activity}に関する事業の一部を中止し、電話やオンラインでの対応に切り替えた。",
    "緊急事態宣言の期間は休止したが、再開後は人数を制限して{activity}を進めた。",
]
OPENINGS_RECOVERY = [
    "感染症対策を講じながら、{activity}に向けた活動を段階的に再開した。",
    "オンラインと対面を組み合わせて、{activity}に取り組んだ。",
]
OPENINGS = [
    "計画どおり{activity}に取り組んだ。",
    "{partner}と連携し、{activity}を進めた。",
    "前年度に引き続き、{activity}に取り組んだ。",
    "{target}を対象に、{activity}に取り組んだ。",
    "{partner}の協力を得て、{activity}を進めた。",
]
FIGURES = [
    "実施回数は{n}回、延べ参加者数は{m}人であった。",
    "相談件数は{m}件で、前年度より{d}件{updown}した。",
    "市内{n}か所で実施し、新たに{k}か所で立ち上げを支援した。",
    "参加者アンケートでは、{p}％が「満足」「やや満足」と回答した。",
    "延べ{m}人に支援を行い、そのうち{k}人を関係機関につないだ。",
]
EXTRAS = [
    "アウトリーチ（訪問による支援）により、窓口に来ることが難しい人にも支援を届けた。",
    "{partner}への聞き取りを行い、地域のニーズの把握に努めた。",
    "広報紙やウェブサイトで周知を図った。",
    "関係課によるネットワーク会議で、支援の進め方を共有した。",
    "生活支援コーディネーターと協力し、地域の活動とのマッチングを行った。",
]
GRADE_NOTES = {
    "A": ["目標を上回る実績となった。", "計画を上回る成果が得られた。"],
    "B": ["おおむね目標どおりの実績となった。", ""],
    "C": ["予定していた回数を下回った。", "参加者数が目標に届かなかった。"],
    "D": ["事業の実施が大幅に遅れている。", "担い手が確保できず、一部を実施できなかった。"],
}
ISSUES = {
    "A": [
        "参加者の固定化を防ぐため、新たな参加者の掘り起こしが必要である。",
        "現在の水準を維持しながら、他の地区にも広げていく必要がある。",
        "成果を関係機関と共有し、取組の質を高めていくことが課題である。",
    ],
    "B": [
        "若い世代や男性の参加が少ない。",
        "制度の周知が十分でなく、支援が必要な人に情報が届いていない。",
        "職員の異動により、ノウハウの継承が課題となっている。",
        "地区によって取組に差がある。",
    ],
    "C": [
        "担い手の高齢化が進んでおり、後継者の確保が課題である。",
        "複合的な課題を抱える世帯が増えており、一つの課だけでは対応が難しい事例がある。",
        "ニーズの把握が十分でなく、事業の内容を見直す必要がある。",
    ],
    "D": [
        "実施体制が整っておらず、関係機関との役割分担を見直す必要がある。",
        "担い手が不足しており、事業の継続が難しくなっている。",
    ],
}
COVID_ISSUE = "感染症の影響で対面での活動が難しく、新しい実施方法の検討が必要である。"
RETURN_COMMENTS = [
    "実績の数値（回数・人数）を記入してください。",
    "評価の理由がわかるよう、実施内容を具体的に記入してください。",
    "課題と今後の方向性の内容が合っていないため、見直してください。",
]
GOAL_TOPICS: dict[int, list[tuple[str, str]]] = {
    1: [
        ("相談窓口の周知", "広報紙やSNSを使って相談窓口をわかりやすく伝える"),
        ("身近な相談先づくり", "地区ごとの出張相談を増やす"),
        ("アウトリーチ", "民生委員と連携した訪問による支援を広げる"),
    ],
    2: [
        ("多機関協働", "支援会議の運営の手引きを作る"),
        ("分野を越えた情報共有", "関係課の情報共有のルールを見直す"),
        ("切れ目のない支援", "ライフステージの変わり目での引継ぎの仕組みを整える"),
    ],
    3: [
        ("担い手の確保", "若い世代が参加しやすい活動の形を地域と一緒に考える"),
        ("ボランティア活動の活性化", "ボランティアセンターのマッチング機能を強める"),
        ("民生委員・児童委員の負担軽減", "活動の負担を減らすための見直しを進める"),
    ],
    4: [
        ("成年後見制度の利用促進", "中核機関による相談と市民後見人の養成を進める"),
        ("個別避難計画の作成", "福祉専門職と連携して作成を進める"),
        ("虐待の早期発見", "関係機関向けの研修を充実させる"),
    ],
    5: [
        ("わかりやすい情報発信", "やさしい日本語で書いた資料を増やす"),
        ("情報の届きにくい人への配慮", "音声や点字での情報提供を広げる"),
        ("デジタル技術の活用", "ウェブサイトから必要な情報を探しやすくする"),
    ],
    6: [
        ("ケアラーの早期把握", "学校や地域包括支援センターと連携して把握の仕組みを作る"),
        ("ケアラーへの理解", "講座や広報で市民の理解を広げる"),
    ],
}
REVIEW_PRAISE = [
    "多くの取組が計画どおりに進められており、評価します。",
    "関係機関との連携が進み、支援の幅が広がっていることを評価します。",
    "各課が工夫して取組を進めていることがうかがえます。",
]
REVIEW_PRAISE_COVID = [
    "感染症の影響を受けながらも、工夫して事業を継続したことを評価します。",
    "対面での活動が制限される中、電話やオンラインで支援を続けたことを評価します。",
]
COMMENTS = [  # (committee comment, the city's response)
    (
        "参加者の声を次年度の事業に生かす仕組みを検討してください。",
        "次年度から参加者アンケートの結果を事業の見直しに活用します。",
    ),
    (
        "実績の数だけでなく、支援を受けた人の変化がわかる記載をお願いします。",
        "ご指摘を踏まえ、支援の前後の変化を記録する方法を検討します。",
    ),
    (
        "他の地区でも取り組めるよう、事例を共有してください。",
        "事例集を作成し、地区社会福祉協議会と共有します。",
    ),
    (
        "関係課との役割分担を明確にしてください。",
        "関係課の連絡会で役割分担を確認し、報告書に記載します。",
    ),
    (
        "支援が必要な人に情報が届いているか、確認する方法を検討してください。",
        "対象者への聞き取りを行い、周知の方法を見直します。",
    ),
]
REVIEW_REQUESTS = [
    "特に{topic}については、市民の立場に立って取組を進めてください。",
    "今後は{topic}に重点を置き、関係機関と一体となって取り組むことを期待します。",
    "{topic}については、取組の成果を市民にわかりやすく示してください。",
    "{topic}について、他市の事例も参考にしながら、取組を工夫してください。",
]
SOCIAL_TRENDS = [
    "ひとり暮らしの高齢者や高齢者のみの世帯が増え、地域でのつながりが弱まっています。",
    "物価の上昇により、生活に困りごとを抱える世帯からの相談が増えています。",
    "感染症の影響で、地域の活動や人と人との交流の機会が減りました。",
    "8050問題やヤングケアラーなど、複合的な課題を抱える世帯への対応が求められています。",
    "国は地域共生社会の実現に向けて、重層的支援体制整備事業を進めています。",
]
FUTURE = [
    "{topic}については、{action}ことに取り組みます。",
    "引き続き{topic}を重点に、{action}ことを目指します。",
]


@dataclass
class Draft:
    """An initiative being generated."""

    number: int
    type_number: int
    goal: int
    activity: str  # the title without the 「（架空）」 prefix
    description: str
    leads: list[tuple[str, int | None, int | None]]  # (unit code, from FY, to FY)
    others: list[str] = field(default_factory=list)
    quality: float = 0.0
    repost_of: int | None = None  # number of the original

    def lead_in(self, fiscal_year: int) -> str:
        for code, first, last in self.leads:
            if (first is None or first <= fiscal_year) and (last is None or fiscal_year <= last):
                return code
        raise LookupError(self.number)


@dataclass
class Stats:
    policies: int = 0
    types: int = 0
    initiatives: int = 0
    reposts: int = 0
    indicators: int = 0
    cycles: int = 0


@transaction.atomic
def load(stdout: Any = None) -> dict[str, Any]:
    """Create the two Kamakura plans unless they exist; returns {} (nothing for the command)."""
    started = time.perf_counter()
    municipality = Municipality.objects.get(code=MUNICIPALITY_CODE)
    units = _ensure_units(municipality)
    existing = set(
        Plan.objects.filter(
            municipality=municipality, name__in=[PLAN_NAME, NEXT_PLAN_NAME]
        ).values_list("name", flat=True)
    )
    stats = None
    if PLAN_NAME not in existing:
        stats = _create_first_plan(municipality, units)
    if NEXT_PLAN_NAME not in existing:
        _create_next_plan(municipality)
    if stdout is not None:
        seconds = time.perf_counter() - started
        if stats is None and NEXT_PLAN_NAME in existing:
            stdout.write(_("計画のデモデータはすでにあります（変更なし）。"))
        elif stats is not None:
            stdout.write(
                _(
                    "計画のデモデータ（架空）を作成しました: 取組 {initiatives} 件・"
                    "成果指標 {indicators} 件・進捗調査 {cycles} 年度分（{seconds:.1f} 秒）。"
                ).format(
                    initiatives=stats.initiatives,
                    indicators=stats.indicators,
                    cycles=stats.cycles,
                    seconds=seconds,
                )
            )
    return {}


def _ensure_units(municipality: Municipality) -> dict[str, OrganisationUnit]:
    for code, name, reading in EXTRA_UNITS:
        account_services.unit_upsert(
            actor=ACTOR,
            municipality=municipality,
            code=code,
            kind=UnitKind.DEPARTMENT,
            name=name,
            reading=reading,
            is_demo=True,
        )
    codes = {code for spec in POLICIES for t in spec.types for code in t.leads}
    codes |= {PARTNER_UNIT, HANDOVER[0], HANDOVER[1]}
    units = {
        unit.code: unit
        for unit in OrganisationUnit.objects.filter(municipality=municipality, code__in=codes)
    }
    missing = sorted(codes - set(units))
    if missing:
        raise LookupError(f"demo units missing (load the accounts demo first): {missing}")
    return units


def _create_next_plan(municipality: Municipality) -> Plan:
    plan = Plan.objects.create(
        municipality=municipality,
        name=NEXT_PLAN_NAME,
        vision=VISION,
        start_fy=NEXT_PLAN_START,
        end_fy=NEXT_PLAN_END,
        status=PlanStatus.DRAFT,
        is_demo=True,
    )
    audit.record(
        actor=ACTOR,
        actor_label=ACTOR,
        action=Action.CREATE,
        obj=plan,
        changes=audit.diff({}, audit.snapshot(plan)),
        detail="デモデータ: 第2期計画の枠（基本目標なし）",
    )
    return plan


def _create_first_plan(municipality: Municipality, units: dict[str, OrganisationUnit]) -> Stats:
    rng = random.Random(SEED)  # noqa: S311  (demo text, deterministic on purpose)
    stats = Stats()
    plan = Plan.objects.create(
        municipality=municipality,
        name=PLAN_NAME,
        vision=VISION,
        start_fy=PLAN_START,
        end_fy=PLAN_END,
        status=PlanStatus.ACTIVE,
        is_demo=True,
    )
    goals = {
        goal.number: goal
        for goal in Goal.objects.bulk_create(
            Goal(plan=plan, number=number, name=name, applies_from_fy=first, is_demo=False)
            for number, name, first in GOALS
        )
    }
    policies = Policy.objects.bulk_create(
        Policy(plan=plan, goal=goals[spec.goal], number=n, name=DEMO + spec.name, is_demo=True)
        for n, spec in enumerate(POLICIES, start=1)
    )
    type_specs: list[tuple[TypeSpec, Policy, int]] = [
        (type_spec, policy, spec.goal)
        for spec, policy in zip(POLICIES, policies, strict=True)
        for type_spec in spec.types
    ]
    types = InitiativeType.objects.bulk_create(
        InitiativeType(plan=plan, policy=policy, number=n, name=DEMO + type_spec.name, is_demo=True)
        for n, (type_spec, policy, _goal) in enumerate(type_specs, start=1)
    )
    stats.policies, stats.types = len(policies), len(types)

    drafts = _draft_initiatives(rng, type_specs)
    originals = {d.number: d for d in drafts}
    initiative_rows = Initiative.objects.bulk_create(
        _initiative(plan, types[d.type_number - 1], d) for d in drafts
    )
    by_number = {row.number: row for row in initiative_rows}
    reposts = _draft_reposts(drafts, type_specs)
    repost_rows = Initiative.objects.bulk_create(
        _initiative(plan, types[d.type_number - 1], d, repost_of=by_number[d.repost_of or 0])
        for d in reposts
    )
    by_number.update({row.number: row for row in repost_rows})
    InitiativeUnit.objects.bulk_create(
        unit_row
        for d in [*drafts, *reposts]
        for unit_row in _unit_rows(by_number[d.number], d, units)
    )
    stats.initiatives, stats.reposts = len(drafts), len(reposts)

    indicator_values = _create_indicators(plan, goals, stats)
    plan_counts = (
        f"基本目標 {len(goals)}・施策 {stats.policies}・取組の種類 {stats.types}・"
        f"取組 {stats.initiatives}（ほかに再掲 {stats.reposts}）・成果指標 {stats.indicators}"
    )
    audit.record(
        actor=ACTOR,
        actor_label=ACTOR,
        action=Action.IMPORT,
        obj=plan,
        changes=audit.diff({}, audit.snapshot(plan)),
        detail=f"デモデータ（架空）を生成: {plan_counts}",
    )
    for fiscal_year in range(PLAN_START, PLAN_END + 1):
        _create_cycle(
            rng,
            plan=plan,
            fiscal_year=fiscal_year,
            goals=goals,
            drafts=[originals[n] for n in sorted(originals)],
            initiatives=by_number,
            units=units,
            indicator_values=indicator_values,
            stats=stats,
        )
    return stats


def _draft_initiatives(
    rng: random.Random, type_specs: list[tuple[TypeSpec, Policy, int]]
) -> list[Draft]:
    drafts: list[Draft] = []
    handovers = 0
    for type_number, (spec, _policy, goal) in enumerate(type_specs, start=1):
        combos = [(s, a) for s in range(len(spec.subjects)) for a in range(len(spec.actions))]
        rng.shuffle(combos)
        for s, a in sorted(combos[: spec.count]):
            activity = spec.subjects[s] + spec.actions[a]
            lead = rng.choice(spec.leads)
            leads: list[tuple[str, int | None, int | None]] = [(lead, None, None)]
            old, new, year = HANDOVER
            if type_number in HANDOVER_TYPES and lead == old and handovers < 3:
                leads = [(old, None, year - 1), (new, year, None)]
                handovers += 1
            pool = [
                code for code in (*spec.leads, PARTNER_UNIT) if code not in {c for c, *_ in leads}
            ]
            others: list[str] = []
            roll = rng.random()
            if pool and roll < 0.35:
                others = rng.sample(pool, k=min(len(pool), 2 if roll < 0.08 else 1))
            drafts.append(
                Draft(
                    number=len(drafts) + 1,
                    type_number=type_number,
                    goal=goal,
                    activity=activity,
                    description=_fill(rng, rng.choice(DESCRIPTIONS), activity=activity),
                    leads=leads,
                    others=others,
                    quality=rng.gauss(0.0, 1.0),
                )
            )
    return drafts


def _draft_reposts(
    drafts: list[Draft], type_specs: list[tuple[TypeSpec, Policy, int]]
) -> list[Draft]:
    reposts = []
    number = len(drafts)
    for source_type, target_type in REPOSTS:
        original = next(d for d in drafts if d.type_number == source_type)
        number += 1
        reposts.append(
            Draft(
                number=number,
                type_number=target_type,
                goal=type_specs[target_type - 1][2],
                activity=original.activity,
                description=original.description,
                leads=list(original.leads),
                others=list(original.others),
                repost_of=original.number,
            )
        )
    return reposts


def _initiative(
    plan: Plan, initiative_type: InitiativeType, draft: Draft, repost_of: Initiative | None = None
) -> Initiative:
    return Initiative(
        plan=plan,
        initiative_type=initiative_type,
        key=uuid.uuid5(KEY_NAMESPACE, f"{plan.name}:{draft.number}"),
        number=draft.number,
        title=DEMO + draft.activity,
        description=DEMO + draft.description,
        repost_of=repost_of,
        is_demo=True,
    )


def _unit_rows(
    initiative: Initiative, draft: Draft, units: dict[str, OrganisationUnit]
) -> list[InitiativeUnit]:
    rows = [
        InitiativeUnit(
            initiative=initiative,
            unit=units[code],
            is_lead=True,
            valid_from_fy=first,
            valid_to_fy=last,
        )
        for code, first, last in draft.leads
    ]
    rows += [InitiativeUnit(initiative=initiative, unit=units[code]) for code in draft.others]
    return rows


def _create_indicators(
    plan: Plan, goals: dict[int, Goal], stats: Stats
) -> dict[int, list[tuple[Indicator, dict[int, Decimal]]]]:
    """Indicators and their values; returns {goal number: [(indicator, {FY: value})]}."""
    indicators = Indicator.objects.bulk_create(
        Indicator(
            plan=plan,
            goal=goals[spec.goal],
            number=number,
            name=DEMO + spec.name,
            unit_label=spec.unit,
            baseline=Decimal(spec.baseline),
            baseline_fy=spec.baseline_fy,
            target=Decimal(spec.target),
            target_fy=spec.target_fy,
            direction=spec.direction,
            source=spec.source,
            is_survey=spec.is_survey,
            is_demo=True,
        )
        for number, spec in enumerate(INDICATORS, start=1)
    )
    values = []
    by_goal: dict[int, list[tuple[Indicator, dict[int, Decimal]]]] = {}
    for indicator, spec in zip(indicators, INDICATORS, strict=True):
        series = {year: Decimal(text) for year, text in spec.values.items()}
        by_goal.setdefault(spec.goal, []).append((indicator, series))
        for year, value in series.items():
            values.append(
                IndicatorValue(
                    indicator=indicator,
                    fiscal_year=year,
                    value=value,
                    note=_value_note(spec, year),
                )
            )
    IndicatorValue.objects.bulk_create(values)
    stats.indicators = len(indicators)
    return by_goal


def _value_note(spec: IndicatorSpec, year: int) -> str:
    if spec.is_survey:
        return f"{DEMO}{spec.source}（{format_fiscal_year(year)}実施）"
    first = spec.values.get(2020)
    if year == 2020 and first is not None and Decimal(first) < Decimal(spec.baseline):
        return f"{DEMO}新型コロナウイルス感染症の影響で事業を縮小"
    return ""


# --- cycles -----------------------------------------------------------------------------------

YEAR_EFFECT = {2020: -0.8, 2021: -0.4, 2022: 0.0, 2023: 0.1, 2024: 0.2, 2025: 0.2}
DIRECTION_WEIGHTS = {
    "A": (("継続", 70), ("拡充", 30)),
    "B": (("継続", 80), ("拡充", 10), ("見直し", 10)),
    "C": (("見直し", 50), ("継続", 50)),
    "D": (("見直し", 80), ("継続", 20)),
}
# 令和7年度: how far each department has got (empty / partial draft / submitted / returned /
# approved). The demo users' departments (koreisha, shogai-fukushi) have most left to do.
EMPTY, PARTIAL = "empty", "partial"
STATE_PROFILES: dict[str, tuple[tuple[str, int], ...]] = {
    "koreisha": ((EMPTY, 45), (PARTIAL, 25), ("returned", 12), ("submitted", 18)),
    "shogai-fukushi": ((EMPTY, 65), (PARTIAL, 20), ("submitted", 15)),
    "fukushi-somu": (("approved", 50), ("submitted", 40), ("returned", 10)),
    "kodomo-shien": ((EMPTY, 80), (PARTIAL, 20)),
}
DEFAULT_PROFILE = (
    ("approved", 40),
    ("submitted", 30),
    (PARTIAL, 10),
    (EMPTY, 15),
    ("returned", 5),
)


def _grade(rng: random.Random, draft: Draft, fiscal_year: int) -> str:
    score = draft.quality * 0.8 + rng.gauss(0.0, 0.7) + YEAR_EFFECT[fiscal_year]
    if score > 0.5:
        return "A"
    if score > -1.0:
        return "B"
    if score > -1.9:
        return "C"
    return "D"


def _direction(rng: random.Random, grade: str, fiscal_year: int) -> str:
    if fiscal_year == PLAN_END and rng.random() < 0.04:
        return "終了"
    options, weights = zip(*DIRECTION_WEIGHTS[grade], strict=True)
    return rng.choices(options, weights=weights)[0]


def _create_cycle(
    rng: random.Random,
    *,
    plan: Plan,
    fiscal_year: int,
    goals: dict[int, Goal],
    drafts: list[Draft],
    initiatives: dict[int, Initiative],
    units: dict[str, OrganisationUnit],
    indicator_values: dict[int, list[tuple[Indicator, dict[int, Decimal]]]],
    stats: Stats,
) -> EvaluationCycle:
    is_open = fiscal_year == CURRENT_FY
    cycle = EvaluationCycle.objects.create(
        municipality=plan.municipality,
        plan=plan,
        fiscal_year=fiscal_year,
        deadline=DEADLINE_2025 if is_open else dt.date(fiscal_year + 1, 6, 30),
        status=CycleStatus.OPEN if is_open else CycleStatus.PUBLISHED,
        published_at=None if is_open else dt.datetime(fiscal_year + 1, 11, 28, 10, 0, tzinfo=TOKYO),
    )
    evaluations = []
    grades_by_goal: dict[int, Counter[str]] = {}
    for draft in drafts:
        if not goals[draft.goal].applies_in(fiscal_year):
            continue
        unit_code = draft.lead_in(fiscal_year)
        grade = _grade(rng, draft, fiscal_year)
        direction = _direction(rng, grade, fiscal_year)
        results, issues = _evaluation_text(rng, draft, fiscal_year, grade)
        state = EvaluationState.APPROVED.value
        return_comment = ""
        if is_open:
            options, weights = zip(*STATE_PROFILES.get(unit_code, DEFAULT_PROFILE), strict=True)
            state = rng.choices(options, weights=weights)[0]
            if state == EMPTY:
                results = issues = grade = direction = ""
            elif state == PARTIAL:
                issues = direction = ""
                if rng.random() < 0.5:
                    grade = ""
            elif state == EvaluationState.RETURNED:
                return_comment = DEMO + rng.choice(RETURN_COMMENTS)
            if state in {EMPTY, PARTIAL}:
                state = EvaluationState.DRAFT.value
        if grade:
            grades_by_goal.setdefault(draft.goal, Counter())[grade] += 1
        evaluations.append(
            Evaluation(
                cycle=cycle,
                initiative=initiatives[draft.number],
                unit=units[unit_code],
                results=results,
                grade=grade,
                issues=issues,
                direction=direction,
                state=state,
                return_comment=return_comment,
                version=1,
                updated_by=None,
            )
        )
    Evaluation.objects.bulk_create(evaluations)
    reviews: list[Review] = []
    summaries: list[Summary] = []
    if not is_open:
        applicable = [goal for goal in goals.values() if goal.applies_in(fiscal_year)]
        for goal in applicable:
            reviews.append(
                _goal_review(rng, cycle, goal, fiscal_year, indicator_values.get(goal.number, []))
            )
        for draft in rng.sample(
            [d for d in drafts if goals[d.goal].applies_in(fiscal_year)], k=rng.randint(2, 4)
        ):
            comment, response = rng.choice(COMMENTS)
            reviews.append(
                Review(
                    cycle=cycle,
                    kind=ReviewKind.INITIATIVE_COMMENT,
                    initiative=initiatives[draft.number],
                    author_label=rng.choice(REVIEWERS),
                    body=f"{DEMO}「{draft.activity}」について、{comment}",
                    city_response=DEMO + response,
                    is_published=True,
                )
            )
        Review.objects.bulk_create(reviews)
        for goal in applicable:
            summaries += _summaries(
                rng,
                cycle,
                goal,
                fiscal_year,
                grades_by_goal.get(goal.number, Counter()),
                indicator_values.get(goal.number, []),
                plan,
            )
        Summary.objects.bulk_create(summaries)
    stats.cycles += 1
    year = format_fiscal_year(fiscal_year)
    detail = f"デモデータ（架空）: {year}の進捗調査（評価 {len(evaluations)} 件"
    if not is_open:
        detail += f"・講評とコメント {len(reviews)} 件・総括 {len(summaries)} 件・公表済み"
    audit.record(
        actor=ACTOR,
        actor_label=ACTOR,
        action=Action.CREATE,
        obj=cycle,
        changes=audit.diff({}, audit.snapshot(cycle)),
        detail=detail + "）",
    )
    return cycle


UPDOWN = {"A": "増加", "D": "減少"}


def _fill(rng: random.Random, template: str, grade: str = "", **values: Any) -> str:
    partner, partner2 = rng.sample(PARTNERS, k=2)
    base = {
        "partner": partner,
        "partner2": partner2,
        "target": rng.choice(TARGETS),
        "n": rng.randint(3, 48),
        "m": rng.randint(40, 1200),
        "d": rng.randint(3, 90),
        "k": rng.randint(1, 12),
        "p": rng.randint(72, 96),
        "updown": rng.choice(["増加", "減少"])
        if grade in ("B", "C")
        else UPDOWN.get(grade, "増加"),
    }
    return template.format(**(base | values))


def _evaluation_text(
    rng: random.Random, draft: Draft, fiscal_year: int, grade: str
) -> tuple[str, str]:
    if fiscal_year == 2020:
        opening = rng.choice(OPENINGS_COVID)
    elif fiscal_year == 2021 and rng.random() < 0.6:
        opening = rng.choice(OPENINGS_RECOVERY)
    else:
        opening = rng.choice(OPENINGS)
    sentences = [
        _fill(rng, opening, activity=draft.activity),
        _fill(rng, rng.choice(FIGURES), grade),
    ]
    if rng.random() < 0.4:
        sentences.append(_fill(rng, rng.choice(EXTRAS)))
    sentences.append(rng.choice(GRADE_NOTES[grade]))
    issues = [rng.choice(ISSUES[grade])]
    if fiscal_year in (2020, 2021) and rng.random() < 0.5:
        issues.insert(0, COVID_ISSUE)
    return DEMO + "".join(sentences), DEMO + "".join(issues)


def _trend(indicator: Indicator, series: dict[int, Decimal], fiscal_year: int) -> str | None:
    now, before = series.get(fiscal_year), series.get(fiscal_year - 1)
    if now is None or before is None or now == before:
        return None
    rose = now > before
    if indicator.direction == KEEP and indicator.target is not None:
        better = abs(now - indicator.target) < abs(before - indicator.target)
    else:
        better = rose == (indicator.direction == UP)
    word = "上昇" if indicator.unit_label == "%" else "増加"
    if not rose:
        word = "低下" if indicator.unit_label == "%" else "減少"
    name = indicator.name.removeprefix(DEMO)
    if better:
        return f"「{name}」は前年度より{word}しており、取組の成果が表れています。"
    return f"一方で、「{name}」は前年度より{word}しており、原因の分析と対策が求められます。"


def _goal_review(
    rng: random.Random,
    cycle: EvaluationCycle,
    goal: Goal,
    fiscal_year: int,
    indicators: list[tuple[Indicator, dict[int, Decimal]]],
) -> Review:
    praise = REVIEW_PRAISE_COVID if fiscal_year <= 2021 else REVIEW_PRAISE
    topic, action = rng.choice(GOAL_TOPICS[goal.number])
    parts = [f"基本目標{goal.number}「{goal.name}」については、{rng.choice(praise)}"]
    trends = [t for i, s in indicators if (t := _trend(i, s, fiscal_year))]
    worse = [t for t in trends if t.startswith("一方で")]
    if worse and rng.random() < 0.6:
        parts.append(rng.choice(worse))
    elif trends:
        parts.append(rng.choice(trends))
    parts.append(rng.choice(REVIEW_REQUESTS).format(topic=topic))
    response = (
        f"{DEMO}ご指摘を踏まえ、{format_fiscal_year(fiscal_year + 2)}に向けて、"
        f"{topic}について{action}ことに取り組みます。"
    )
    return Review(
        cycle=cycle,
        kind=ReviewKind.GOAL_REVIEW,
        goal=goal,
        author_label=REVIEWERS[0],
        body=DEMO + "".join(parts),
        city_response=response,
        is_published=True,
    )


def _summaries(
    rng: random.Random,
    cycle: EvaluationCycle,
    goal: Goal,
    fiscal_year: int,
    grades: Counter[str],
    indicators: list[tuple[Indicator, dict[int, Decimal]]],
    plan: Plan,
) -> list[Summary]:
    statuses = Counter(
        indicator_rules.status(
            direction=indicator.direction,
            baseline=indicator.baseline,
            target=indicator.target,
            actual=series.get(fiscal_year),
            is_survey=indicator.is_survey,
            rule=defaults.INDICATOR_RULE,
        ).code
        for indicator, series in indicators
    )
    grade_text = "、".join(
        f"{g['code']}（{g['label']}）{grades[str(g['code'])]}件" for g in plan.grades
    )
    progress = (
        f"基本目標{goal.number}の取組{sum(grades.values())}件の自己評価は、{grade_text}でした。"
        f"成果指標{len(indicators)}項目のうち、A・B は{statuses['A'] + statuses['B']}項目、"
        f"現状維持は{statuses['N']}項目、C・D は{statuses['C'] + statuses['D']}項目でした。"
    )
    topic, action = rng.choice(GOAL_TOPICS[goal.number])
    trends = rng.sample(SOCIAL_TRENDS, k=2)
    if fiscal_year >= 2022:
        trends = [t for t in trends if "感染症" not in t] or [SOCIAL_TRENDS[0]]
    bodies = {
        "❶社会動向": "".join(trends),
        "❷進捗管理の状況": progress,
        "❸今後進むべき方向性": rng.choice(FUTURE).format(topic=topic, action=action),
        "❹その他": f"推進委員会の講評を踏まえ、{topic}について関係課と協議しました。",
        "❺注釈": "成果指標のうち「市民アンケート」は、毎年度実施する市民意識調査の結果です。",
    }
    return [
        Summary(
            cycle=cycle,
            goal=goal,
            heading=heading,
            body=DEMO + bodies.get(heading, "（記載なし）"),
        )
        for heading in plan.summary_headings
    ]
