"""Benchmark: directory search over 100,000 services, SQLite FTS5 and PostgreSQL pg_trgm.

    .venv/bin/python bench/bench_directory_search.py [--services 100000] [--queries 200]
                                                     [--postgres URL | --no-postgres]

For each backend, in a fresh database (SQLite: a scratch file in a temporary directory;
PostgreSQL: the database ``bench_directory``, dropped and created again, on the server of
``--postgres``, default ``postgres://postgres@127.0.0.1:5432/``, skipped if unreachable):
bulk-creates ``--services`` services with realistic Japanese names, readings, places in the
five Kamakura districts, schedules, targets and categories; indexes them with
``index_services``; then runs ``--queries`` searches of mixed kinds (hiragana, half-width
katakana, 2-character kanji, 3+ characters, several words, with filters) and the same
queries as a naive ``icontains`` scan over name, name_kana and description.

Prints p50/p95 per backend, how many searches matched more than 1,000 services (their
total is capped, as on the web page), the exact-total searches of the command line, and the
ratio to the naive scan. Exits 1 if the search's p95 is 50 ms or more on either backend. Each backend runs in its own child process (Django reads
its database settings once).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_MS = 50.0
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/"
BENCH_DB = "bench_directory"

DISTRICTS = [
    ("鎌倉", "かまくら", [("小町", "こまち"), ("雪ノ下", "ゆきのした"), ("長谷", "はせ"), ("材木座", "ざいもくざ")]),
    ("腰越", "こしごえ", [("腰越", "こしごえ"), ("津西", "つにし"), ("西鎌倉", "にしかまくら")]),
    ("深沢", "ふかさわ", [("常盤", "ときわ"), ("梶原", "かじわら"), ("笛田", "ふえだ"), ("手広", "てびろ")]),
    ("大船", "おおふな", [("大船", "おおふな"), ("台", "だい"), ("岩瀬", "いわせ"), ("今泉", "いまいずみ")]),
    ("玉縄", "たまなわ", [("植木", "うえき"), ("岡本", "おかもと"), ("関谷", "せきや")]),
]  # fmt: skip
KINDS = [
    ("いきいきサロン", "イキイキサロン", "salon", "elderly", "お茶を飲みながら、おしゃべりや体操を楽しむ集まりです。"),
    ("こども食堂", "コドモショクドウ", "children-cafeteria", "children", "子どもは無料で、手作りの夕ごはんを一緒に食べます。"),
    ("デイサービス", "デイサービス", "care-service", "elderly", "日帰りで入浴・食事・機能訓練を行います。"),
    ("訪問看護ステーション", "ホウモンカンゴステーション", "care-service", "elderly", "看護師がご自宅を訪ね、療養の手伝いをします。"),
    ("配食サービス", "ハイショクサービス", "meal-delivery", "elderly", "お弁当をお届けし、あわせて安否を確かめます。"),
    ("見守りネットワーク", "ミマモリネットワーク", "watching", "elderly", "ひとり暮らしの方を近所の人が見守ります。"),
    ("おでかけ支援", "オデカケシエン", "transport", "disability", "通院や買い物の送り迎えをします。"),
    ("ボランティアの会", "ボランティアノカイ", "volunteer", "everyone", "地域の清掃や行事の手伝いをしています。"),
    ("地域包括支援センター", "チイキホウカツシエンセンター", "consultation", "carers", "介護や暮らしの相談を専門の職員がうかがいます。"),
    ("いきいき体操教室", "イキイキタイソウキョウシツ", "health", "elderly", "いすに座ってできる体操で足腰を元気にします。"),
    ("子育てひろば", "コソダテヒロバ", "childcare", "children", "親子で自由に遊び、子育ての相談もできます。"),
    ("くらしの相談会", "クラシノソウダンカイ", "consultation", "hardship", "お金や暮らしの困りごとを相談できます。"),
]  # fmt: skip
NICKNAMES = [
    ("ひまわり", "ヒマワリ"), ("さくら", "サクラ"), ("あおぞら", "アオゾラ"), ("なごみ", "ナゴミ"),
    ("ひだまり", "ヒダマリ"), ("えがお", "エガオ"), ("たんぽぽ", "タンポポ"), ("かもめ", "カモメ"),
    ("松風", "マツカゼ"), ("若竹", "ワカタケ"), ("潮風", "シオカゼ"), ("紫陽花", "アジサイ"),
    ("青葉", "アオバ"), ("みどり", "ミドリ"), ("すみれ", "スミレ"), ("こすもす", "コスモス"),
]  # fmt: skip
SCHEDULES = [
    {"freq": "WEEKLY", "byday": "TU"},
    {"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR"},
    {"freq": "MONTHLY", "byday": "2WE,4WE"},
    {"freq": "MONTHLY", "bymonthday": "15"},
    {"freq": "WEEKLY", "byday": "SA"},
]
QUERY_TEXTS = {
    "kana": ["さろん", "でいさーびす", "ほうもんかんご", "こどもしょくどう", "はいしょく",
             "みまもり", "ぼらんてぃあ", "ひまわり", "ほうかつ", "たいそう"],
    "half-width": ["ｻﾛﾝ", "ﾃﾞｲｻｰﾋﾞｽ", "ﾎﾞﾗﾝﾃｨｱ"],
    "kanji-2": ["大船", "介護", "相談", "体操", "食堂", "玉縄", "看護", "配食", "腰越", "岩瀬"],
    "3-plus": ["サロン", "訪問看護", "デイサービス", "ボランティア", "包括支援", "子育てひろば",
               "見守り", "おでかけ"],
    "multi-word": ["サロン 大船", "こども 食堂", "訪問看護 腰越", "さろん ひまわり", "相談 玉縄",
                   "体操 常盤", "でいさーびす さくら"],
}  # fmt: skip
FILTERS: list[dict[str, Any]] = [
    {"district": "大船"},
    {"category": "salon"},
    {"target": "elderly", "district": "鎌倉"},
    {"weekday": 1},
    {"free": True},
    {"weekday": 2, "district": "深沢"},
]


def setup_django(database_url: str, scratch: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["SASAEAI_VAR_DIR"] = str(scratch)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasaeai.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def build(count: int) -> Any:
    """Bulk-create the municipality, districts, taxonomies and ``count`` services."""
    from sasaeai.accounts.models import District, Municipality, Town
    from sasaeai.directory import models as m
    from sasaeai.directory.taxonomies import ensure_taxonomies

    rng = random.Random(42)
    municipality = Municipality.objects.create(code="142042", name="鎌倉市", prefecture="神奈川県")
    places = []
    for order, (name, reading, towns) in enumerate(DISTRICTS, start=1):
        district = District.objects.create(
            municipality=municipality, name=name, reading=reading, order=order
        )
        for town_name, town_reading in towns:
            town = Town.objects.create(
                municipality=municipality, district=district, name=town_name, reading=town_reading
            )
            places.append((district, town))
    terms = ensure_taxonomies(municipality)
    organizations = [
        m.Organization(
            municipality=municipality,
            name=f"{nick}福祉会{number}",
            name_kana=f"{kana}フクシカイ{number}",
        )
        for number in range(1, 2001)
        for nick, kana in [NICKNAMES[number % len(NICKNAMES)]]
    ]
    m.Organization.objects.bulk_create(organizations, batch_size=1000)
    chunk = 5000
    for start in range(0, count, chunk):
        services, locations, addresses, links, schedules, attributes = [], [], [], [], [], []
        for number in range(start, min(start + chunk, count)):
            kind, kind_kana, category, target, description = KINDS[number % len(KINDS)]
            nick, nick_kana = NICKNAMES[rng.randrange(len(NICKNAMES))]
            district, town = places[rng.randrange(len(places))]
            town_kana = town.reading
            service = m.Service(
                municipality=municipality,
                organization=organizations[number % len(organizations)],
                name=f"{kind}{nick}{town.name}{number}",
                name_kana=f"{kind_kana}{nick_kana}{town_kana}{number}",
                description=description,
                is_free=rng.random() < 0.4,
                status="active" if rng.random() < 0.97 else "inactive",
            )
            location = m.Location(
                municipality=municipality, name=service.name, district=district, town=town
            )
            services.append(service)
            locations.append(location)
            addresses.append(
                m.Address(
                    municipality=municipality,
                    location=location,
                    address_1=f"{town.name}{rng.randint(1, 5)}-{rng.randint(1, 30)}",
                    city="鎌倉市",
                    state_province="神奈川県",
                )
            )
            links.append(
                m.ServiceAtLocation(municipality=municipality, service=service, location=location)
            )
            schedules.append(
                m.Schedule(municipality=municipality, service=service, **SCHEDULES[number % 5])
            )
            for code in (category, target):
                attributes.append(
                    m.Attribute(
                        municipality=municipality,
                        taxonomy_term=terms[code],
                        link_entity="service",
                        link_id=service.id,
                    )
                )
        for model, rows in (
            (m.Service, services),
            (m.Location, locations),
            (m.Address, addresses),
            (m.ServiceAtLocation, links),
            (m.Schedule, schedules),
            (m.Attribute, attributes),
        ):
            insert(model, rows)
    return municipality


def insert(model: Any, rows: list[Any]) -> None:
    """A fast bulk insert of unsaved instances: one executemany, no per-row ORM work."""
    from django.db import connection
    from django.utils import timezone

    fields = model._meta.concrete_fields
    now = timezone.now()
    for row in rows:
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                setattr(row, field.attname, now)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    values = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})",  # noqa: S608
            values,
        )


def queries(count: int) -> list[tuple[str, str, dict[str, Any]]]:
    rng = random.Random(7)
    kinds = list(QUERY_TEXTS)
    chosen = []
    for number in range(count):
        kind = kinds[number % len(kinds)]
        text = rng.choice(QUERY_TEXTS[kind])
        filters = rng.choice(FILTERS) if number % 4 == 3 else {}
        chosen.append((kind + ("+filters" if filters else ""), text, filters))
    return chosen


def naive(municipality: Any, text: str, filters: dict[str, Any]) -> int:
    """The baseline: icontains over name, name_kana and description, AND per word."""
    from django.db.models import Q

    from sasaeai.directory.models import Service

    services = Service.objects.filter(municipality=municipality, status="active")
    for word in text.split():
        services = services.filter(
            Q(name__icontains=word) | Q(name_kana__icontains=word) | Q(description__icontains=word)
        )
    if "district" in filters:
        services = services.filter(at_locations__location__district__name=filters["district"])
    if "free" in filters:
        services = services.filter(is_free=filters["free"])
    total = services.count()
    list(services.order_by("name_kana").values_list("pk", "name")[:20])
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def child(backend: str, database_url: str, services: int, query_count: int) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="bench-directory-search-"))
    try:
        if backend == "sqlite":
            database_url = f"sqlite:///{scratch / 'bench.sqlite3'}"
        setup_django(database_url, scratch)
        from django.db import connection

        from sasaeai.directory.search import index_services, search

        started = time.perf_counter()
        municipality = build(services)
        built = time.perf_counter() - started
        started = time.perf_counter()
        index_services(municipality)
        indexed = time.perf_counter() - started
        with connection.cursor() as cursor:
            # what autovacuum does after a bulk load (PostgreSQL: statistics, visibility
            # map and hint bits; SQLite: statistics)
            cursor.execute("VACUUM ANALYZE" if backend == "postgresql" else "ANALYZE")
        plan = queries(query_count)
        for _kind, text, filters in plan[:10]:  # warm the caches
            search(municipality, text, **filters)
        timings: list[float] = []
        by_kind: dict[str, list[float]] = {}
        totals = []
        capped = 0
        for kind, text, filters in plan:
            started = time.perf_counter()
            result = search(municipality, text, **filters)
            elapsed = (time.perf_counter() - started) * 1000
            timings.append(elapsed)
            by_kind.setdefault(kind, []).append(elapsed)
            totals.append(result.total)
            capped += result.capped
        exact_timings: list[float] = []
        for _kind, text, filters in plan[:50]:  # the command line's exact total
            started = time.perf_counter()
            search(municipality, text, exact_total=True, **filters)
            exact_timings.append((time.perf_counter() - started) * 1000)
        naive_timings: list[float] = []
        for _kind, text, filters in plan:
            started = time.perf_counter()
            naive(municipality, text, filters)
            naive_timings.append((time.perf_counter() - started) * 1000)
        print(
            json.dumps(
                {
                    "backend": backend,
                    "services": services,
                    "build_s": built,
                    "index_s": indexed,
                    "p50": statistics.median(timings),
                    "p95": percentile(timings, 0.95),
                    "max": max(timings),
                    "naive_p50": statistics.median(naive_timings),
                    "naive_p95": percentile(naive_timings, 0.95),
                    "by_kind": {
                        kind: [statistics.median(values), percentile(values, 0.95)]
                        for kind, values in sorted(by_kind.items())
                    },
                    "median_total": statistics.median(totals),
                    "capped": capped,
                    "queries": len(plan),
                    "exact_p50": statistics.median(exact_timings),
                    "exact_p95": percentile(exact_timings, 0.95),
                }
            )
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def prepare_postgres(server_url: str) -> str | None:
    """Drop and create ``bench_directory``; its URL, or None if the server is unreachable."""
    try:
        import psycopg
    except ImportError:
        return None
    base = server_url.rstrip("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
    except psycopg.Error as error:
        print(f"PostgreSQL skipped: {error}".strip())
        return None
    return f"{base}/{BENCH_DB}"


def run_child(backend: str, url: str, args: argparse.Namespace) -> dict[str, Any] | None:
    command = [
        sys.executable, __file__, "--child", backend, "--url", url,
        "--services", str(args.services), "--queries", str(args.queries),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-4000:], sep="\n")
        return None
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def report(figures: dict[str, Any]) -> bool:
    ok = figures["p95"] < TARGET_P95_MS
    print(
        f"{figures['backend']}: {figures['services']} services "
        f"(built {figures['build_s']:.1f} s, indexed {figures['index_s']:.1f} s)\n"
        f"  search p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, "
        f"max {figures['max']:.1f} ms (target p95 < {TARGET_P95_MS:.0f} ms) "
        f"{'OK' if ok else 'MISSED'}\n"
        f"  naive icontains p50 {figures['naive_p50']:.1f} ms, p95 {figures['naive_p95']:.1f} ms"
        f" → search is {figures['naive_p50'] / max(figures['p50'], 0.001):.1f}× (p50) and "
        f"{figures['naive_p95'] / max(figures['p95'], 0.001):.1f}× (p95) faster"
    )
    print(
        f"  {figures['capped']} of {figures['queries']} searches matched more than 1,000 "
        f"(total shown as 「1,000件以上」); with the exact total (command line) p50 "
        f"{figures['exact_p50']:.1f} ms, p95 {figures['exact_p95']:.1f} ms"
    )
    for kind, (p50, p95) in figures["by_kind"].items():
        print(f"    {kind:<22} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.services, args.queries)
        return 0
    ok = True
    figures = run_child("sqlite", "", args)
    if figures is None:
        return 1
    ok = report(figures) and ok
    if not args.no_postgres:
        url = prepare_postgres(args.postgres)
        if url is not None:
            figures = run_child("postgresql", url, args)
            if figures is None:
                return 1
            ok = report(figures) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
