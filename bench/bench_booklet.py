"""Benchmark: the senior guide booklet of one district with 500 active entries.

    .venv/bin/python bench/bench_booklet.py [--entries 500] [--keep FILE.pdf]

Builds a scratch SQLite database in a temporary directory (never the configured one): one
municipality, the district 大船 with ten towns, and ``--entries`` active services for older
people (bulk-created, with organisations, places and addresses, one or two schedules, a phone
number, categories and targets). Times building the booklet (query + HTML + PDF) and prints
the seconds and the number of pages. Exits 1 if it takes 30 seconds or more.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 30.0

TOWNS = [
    ("大船一丁目", "おおふないっちょうめ"),
    ("大船二丁目", "おおふなにちょうめ"),
    ("大船三丁目", "おおふなさんちょうめ"),
    ("台一丁目", "だいいっちょうめ"),
    ("台二丁目", "だいにちょうめ"),
    ("岩瀬", "いわせ"),
    ("今泉", "いまいずみ"),
    ("高野", "たかの"),
    ("小袋谷一丁目", "こぶくろやいっちょうめ"),
    ("山崎", "やまさき"),
]
KINDS = [
    (
        "salon",
        "ふれあいサロン",
        "ふれあいさろん",
        "お茶を飲みながら、おしゃべりや体操を楽しむ集まりです。",
    ),
    (
        "health",
        "いきいき体操教室",
        "いきいきたいそうきょうしつ",
        "いすに座ってできる体操で、足腰を元気にします。",
    ),
    (
        "consultation",
        "なんでも相談",
        "なんでもそうだん",
        "暮らしや介護の困りごとを、専門の職員が聞きます。",
    ),
    (
        "watching",
        "見守り訪問",
        "みまもりほうもん",
        "一人暮らしの方のお宅を、ボランティアが訪ねます。",
    ),
    (
        "meal-delivery",
        "お弁当の配達",
        "おべんとうのはいたつ",
        "栄養を考えたお弁当を、ご自宅に届けます。",
    ),
    ("transport", "通院の送迎", "つういんのそうげい", "病院や買い物への送り迎えをします。"),
    (
        "daily-life",
        "ちょっとした手伝い",
        "ちょっとしたてつだい",
        "電球の交換やごみ出しなど、短い時間の手伝いです。",
    ),
    (
        "care-service",
        "デイサービス",
        "でいさーびす",
        "日帰りで入浴や食事、機能訓練を受けられます。",
    ),
]
NAMES = [
    "さくら",
    "ひまわり",
    "あおば",
    "こもれび",
    "なごみ",
    "ふじ",
    "やまびこ",
    "わかば",
    "つばき",
    "かえで",
]
DAYS = ["MO", "TU", "WE", "TH", "FR"]


def setup_django(directory: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["SASAEAI_VAR_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasaeai.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def build(entries: int) -> Any:
    from sasaeai.accounts import services as accounts
    from sasaeai.accounts.models import District, Town
    from sasaeai.directory.models import (
        Address,
        Attribute,
        LinkEntity,
        Location,
        Organization,
        Phone,
        Schedule,
        Service,
        ServiceAtLocation,
    )
    from sasaeai.directory.taxonomies import ensure_taxonomies

    rng = random.Random(42)
    municipality = accounts.municipality_upsert(
        actor="bench", code="142042", name="鎌倉市", prefecture="神奈川県"
    )
    district = District.objects.create(municipality=municipality, name="大船", order=4)
    towns = [
        Town.objects.create(municipality=municipality, district=district, name=n, reading=r)
        for n, r in TOWNS
    ]
    terms = ensure_taxonomies(municipality)
    organizations = Organization.objects.bulk_create(
        [
            Organization(
                municipality=municipality,
                name=f"{name}の会 第{i + 1}支部",
                name_kana=f"{name}のかい だい{i + 1}しぶ",
            )
            for i, name in enumerate(NAMES * 5)
        ]
    )
    services, locations, addresses, links, phones, schedules, attributes = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for i in range(entries):
        code, label, reading, description = KINDS[i % len(KINDS)]
        flower = NAMES[(i // len(KINDS)) % len(NAMES)]
        organization = organizations[i % len(organizations)]
        town = towns[i % len(towns)]
        service = Service(
            municipality=municipality,
            organization=organization,
            name=f"{label}「{flower}」{i + 1}",
            name_kana=f"{reading}「{flower}」{i + 1}",
            description=description,
            eligibility_description="おおむね65歳以上の方" if i % 3 else "",
            is_free=i % 2 == 0,
            fees_description="" if i % 2 == 0 else "1回 300円（お茶代）",
            assured_date=datetime.date(2026, 4, 1) + datetime.timedelta(days=i % 200),
        )
        services.append(service)
        location = Location(
            municipality=municipality,
            organization=organization,
            name=f"{town.name}会館",
            district=district,
            town=town,
        )
        locations.append(location)
        addresses.append(
            Address(
                municipality=municipality,
                location=location,
                address_1=f"{town.name}{rng.randint(1, 20)}番{rng.randint(1, 30)}号",
                city="鎌倉市",
                state_province="神奈川県",
                postal_code="247-0056",
            )
        )
        links.append(
            ServiceAtLocation(municipality=municipality, service=service, location=location)
        )
        phones.append(
            Phone(
                municipality=municipality,
                service=service,
                number=f"0467-{rng.randint(40, 49)}-{rng.randint(1000, 9999)}",
            )
        )
        day = DAYS[i % len(DAYS)]
        schedules.append(
            Schedule(
                municipality=municipality,
                service=service,
                freq="WEEKLY" if i % 2 else "MONTHLY",
                byday=day if i % 2 else f"2{day},4{day}",
                opens_at=datetime.time(10, 0),
                closes_at=datetime.time(12, 0),
                closed_on_holidays=True,
                closed_year_end=i % 4 == 0,
            )
        )
        for term in (code, "elderly"):
            attributes.append(
                Attribute(
                    municipality=municipality,
                    taxonomy_term=terms[term],
                    link_entity=LinkEntity.SERVICE,
                    link_id=service.id,
                )
            )
    Service.objects.bulk_create(services)
    Location.objects.bulk_create(locations)
    Address.objects.bulk_create(addresses)
    ServiceAtLocation.objects.bulk_create(links)
    Phone.objects.bulk_create(phones)
    Schedule.objects.bulk_create(schedules)
    Attribute.objects.bulk_create(attributes)
    return municipality


def pages_of(pdf: bytes) -> int:
    """The page count, read with pdfinfo (poppler-utils); -1 if pdfinfo is missing."""
    import re
    import subprocess

    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return -1
    info = subprocess.run([pdfinfo, "-"], input=pdf, capture_output=True, check=False).stdout
    match = re.search(rb"^Pages:\s+(\d+)", info, re.M)
    return int(match.group(1)) if match else -1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--keep", help="write the PDF to this file")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-booklet-"))
    try:
        setup_django(directory)
        municipality = build(args.entries)
        from sasaeai.core.pdf import render_pdf
        from sasaeai.directory.booklet import booklet_css, booklet_html, build_booklet

        start = time.perf_counter()
        cpu_start = time.process_time()
        booklet = build_booklet(municipality=municipality, district_name="大船")
        html = booklet_html(booklet)
        prepared = time.perf_counter() - start
        pdf = render_pdf(html, stylesheets=[booklet_css()])
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        if args.keep:
            Path(args.keep).write_bytes(pdf)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    pages = pages_of(pdf)
    print(
        f"booklet: {args.entries} entries, {pages} pages, {seconds:.2f} s "
        f"(data and HTML {prepared:.2f} s, PDF {seconds - prepared:.2f} s; "
        f"CPU {cpu:.2f} s; target < {TARGET_SECONDS:.0f} s)"
    )
    return 0 if seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
