"""Benchmark: importing a 介護サービス事業所一覧 CSV of 2,000 rows, then re-importing it.

    .venv/bin/python bench/bench_directory_import.py [--rows 2000]

Builds a scratch SQLite database in a temporary directory (never the configured one) with
one municipality and a few towns, writes a CP932 CSV with the old 推奨データセット header,
and times three runs of ``sasaeai.directory.importing.service``: the preview (nothing
written), the import (everything written, indexed and audited) and the re-import (every row
unchanged). Exits 1 if the import or the re-import takes 60 seconds or more.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 60.0
HEADER = [
    "都道府県コード又は市区町村コード", "NO", "介護サービス事業所名称", "介護サービス事業所名称_カナ",
    "実施サービス", "住所", "緯度", "経度", "電話番号", "FAX番号", "法人番号", "法人の名称",
    "事業所番号", "利用可能曜日", "利用可能曜日特記事項",
]  # fmt: skip
SERVICES = ["訪問介護", "通所介護", "居宅介護支援", "訪問看護", "短期入所生活介護"]
TOWNS = ["大船一丁目", "大船二丁目", "台一丁目", "岩瀬", "今泉", "腰越", "山ノ内"]


def setup_django(directory: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["SASAEAI_VAR_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasaeai.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def make_csv(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for number in range(1, rows + 1):
        town = TOWNS[number % len(TOWNS)]
        writer.writerow(
            [
                "142042", str(number), f"ベンチ事業所{number}（架空）", f"ベンチジギョウショ{number}",
                SERVICES[number % len(SERVICES)], f"神奈川県鎌倉市{town}{number % 30 + 1}-{number % 9 + 1}",
                f"35.{300000 + number:06d}", f"139.{500000 + number:06d}",
                f"0467-{number // 10000:02d}-{number % 10000:04d}", "", f"{1234567000000 + number % 50}",
                f"社会福祉法人ベンチ会{number % 50}（架空）", f"14{number:08d}", "月～金", "祝日を除く",
            ]
        )  # fmt: skip
    return buffer.getvalue().encode("cp932")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="sasaeai-bench-"))
    try:
        setup_django(directory)
        from sasaeai.accounts import services as accounts
        from sasaeai.directory.importing import service

        municipality = accounts.municipality_upsert(
            actor="bench", code="142042", name="鎌倉市", prefecture="神奈川県"
        )
        district = accounts.district_upsert(actor="bench", municipality=municipality, name="大船")
        for town in TOWNS:
            accounts.town_upsert(actor="bench", district=district, name=town)
        data = make_csv(args.rows)
        timings: dict[str, float] = {}
        for label, run in (
            ("preview", lambda: service.directory_import_preview(municipality=municipality, data=data, filename="b.csv")),
            ("import", lambda: service.directory_import_apply(actor="bench", municipality=municipality, data=data, filename="b.csv")),
            ("re-import", lambda: service.directory_import_apply(actor="bench", municipality=municipality, data=data, filename="b.csv")),
        ):  # fmt: skip
            start = time.perf_counter()
            result = run()
            timings[label] = time.perf_counter() - start
            assert result.errors == [], result.errors[:3]
            print(f"{label:10s} {timings[label]:6.2f} s  {result.counts('service')}")
        per_row = timings["import"] / args.rows * 1000
        print(
            f"rows {args.rows}: import {per_row:.1f} ms/row (target: import and re-import < {TARGET_SECONDS:.0f} s)"
        )
        return 0 if max(timings["import"], timings["re-import"]) < TARGET_SECONDS else 1
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
