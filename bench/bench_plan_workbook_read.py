"""Benchmark: time and peak memory of reading (previewing) plan workbooks of several sizes.

    .venv/bin/python bench/bench_plan_workbook_read.py [--sizes demo,large,limit,cells,over]
        [--file PLAN.xlsx ...] [--tracemalloc]

Writes plan workbooks into a temporary directory and reads each with
``sasaeai.plans.workbook.read.read_workbook`` (what the preview, the import and ``sasaeai plan
import`` do first) in a fresh child process, so each figure is that read's alone:

  demo   the demo plan's size: 6 goals, 24 policies, 48 types, 211 initiatives, 19 indicators
  large  a large plan: 2,000 initiatives with 300-character descriptions (bench_plan_import)
  limit  42,000 initiatives whose text unpacks to just under the xlsx limit of core.archives
  cells  9,500 initiatives with 40 more columns of numbers (備考): many small cells, just
         under the limit too — about the most cells a file that is not refused can hold
  over   the same with 32,000 initiatives: a 6 MB file that unpacks to 52 MB (refused)

``--file`` adds workbooks of your own (an export of the demo plan, a city's file). Each line
gives the file and unpacked sizes, the wall time, the child's peak resident memory above
what it held before the read (``ru_maxrss``; a read smaller than what starting Django took shows
+0), with ``--tracemalloc`` also the peak of Python's own allocations during the read (slower:
about 2×), and the first error. No database is used.
Exits 1 if a read's added peak memory is TARGET_PEAK_MB or more.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_PEAK_MB = 300.0
WORDS = (
    "地域",
    "住民",
    "相談",
    "支援",
    "高齢者",
    "子ども",
    "障害",
    "見守り",
    "居場所",
    "ボランティア",
    "交流",
    "情報",
    "連携",
    "福祉",
    "ケアラー",
    "孤立",
    "防止",
    "啓発",
    "研修",
    "講座",
    "担い手",
    "育成",
    "推進",
    "体制",
    "拠点",
    "訪問",
    "通い",
    "食事",
    "買い物",
    "移動",
    "災害",
    "避難",
    "要支援者",
    "名簿",
    "協議会",
    "社会福祉協議会",
    "民生委員",
    "児童委員",
    "サロン",
    "生活",
    "困窮",
    "就労",
    "学習",
    "権利擁護",
    "成年後見",
    "虐待",
    "早期",
    "発見",
    "周知",
    "広報",
)


def setup_django() -> None:
    """Only what reading needs (translations): the reader touches no database and no app."""
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.conf import settings

    settings.configure(USE_I18N=True, LANGUAGE_CODE="ja", INSTALLED_APPS=[])
    django.setup()


def sentence(rng: random.Random, length: int) -> str:
    """About ``length`` characters of plan-like Japanese (never the same twice)."""
    parts: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(WORDS)
        parts.append(word)
        size += len(word) + 1
        if rng.random() < 0.2:
            parts.append("を進めます。")
            size += 6
    return "".join(parts)[:length]


def plan_rows(initiatives: int, description: int, seed: int = 1) -> Any:
    from sasaeai.plans.workbook import spec as wb

    rng = random.Random(seed)
    units = [f"課{n}" for n in range(1, 31)]
    policies = 24 if initiatives < 1000 else 10
    types = 48 if initiatives < 1000 else 31
    return wb.PlanWorkbook(
        plan=wb.PlanRow("ベンチマーク計画", 2020, 2025, sentence(rng, 200)),
        goals=[wb.GoalRow(n, f"基本目標{n}", sentence(rng, 120)) for n in range(1, 7)],
        policies=[wb.PolicyRow(n, 1 + (n - 1) % 6, f"施策{n}") for n in range(1, policies + 1)],
        types=[
            wb.TypeRow(n, 1 + (n - 1) % policies, f"取組の種類{n}") for n in range(1, types + 1)
        ],
        initiatives=[
            wb.InitiativeRow(
                number=n,
                type_number=1 + (n - 1) % types,
                title=f"取組{n} " + sentence(rng, 20),
                description=sentence(rng, description),
                units=tuple(units[(n + k) % len(units)] for k in range(1 + n % 3)),
                repost_of=n - 1 if n % 20 == 0 else None,
            )
            for n in range(1, initiatives + 1)
        ],
        indicators=[
            wb.IndicatorRow(
                number=n,
                goal_number=1 + (n - 1) % 6,
                name=f"成果指標{n}",
                unit_label="%",
                baseline=Decimal("40.5"),
                baseline_fy=2019,
                target=Decimal("50"),
                target_fy=2025,
                direction="increase",
                source="市民アンケート" if n % 2 else "業務統計",
            )
            for n in range(1, 20)
        ],
    )


def write_streaming(book: Any, path: Path, extra_columns: int = 0) -> None:
    """The six sheets with openpyxl's write-only mode (fast for 50,000 rows; not timed);
    ``extra_columns`` columns of small numbers after the 取組 sheet's own."""
    import openpyxl

    from sasaeai.plans.workbook import spec as wb
    from sasaeai.plans.workbook import write

    out = openpyxl.Workbook(write_only=True)
    items = {
        wb.SHEET_PLAN: [book.plan],
        wb.SHEET_GOALS: book.goals,
        wb.SHEET_POLICIES: book.policies,
        wb.SHEET_TYPES: book.types,
        wb.SHEET_INITIATIVES: book.initiatives,
        wb.SHEET_INDICATORS: book.indicators,
    }
    for spec in wb.SPECS:
        ws = out.create_sheet(spec.name)
        extra = extra_columns if spec is wb.INITIATIVE_SPEC else 0
        ws.append([column.label for column in spec.columns] + [f"備考{n}" for n in range(extra)])
        for item in items[spec.name]:
            numbers = [item.row % 97 + n for n in range(extra)] if extra else []
            ws.append(write._row_values(spec, item, "wareki") + numbers)
    out.save(path)


def prepare(directory: Path, sizes: list[str]) -> list[tuple[str, Path]]:
    from sasaeai.plans.workbook.write import write_workbook

    made = []
    for size in sizes:
        path = directory / f"plan-{size}.xlsx"
        if size == "demo":
            path.write_bytes(write_workbook(plan_rows(211, 150)))
        elif size == "large":
            path.write_bytes(write_workbook(plan_rows(2000, 300)))
        elif size == "limit":
            write_streaming(plan_rows(42_000, 30), path)
        elif size == "cells":
            write_streaming(plan_rows(9_500, 30), path, extra_columns=40)
        elif size == "over":
            write_streaming(plan_rows(32_000, 30), path, extra_columns=40)
        else:
            raise SystemExit(f"unknown size {size!r}")
        made.append((size, path))
    return made


def child(path: Path, trace: bool) -> None:
    """One read in this process; prints its figures as JSON."""
    import tracemalloc

    setup_django()
    import openpyxl  # noqa: F401  (imported before measuring, as in a running server)

    from sasaeai.plans.workbook.read import read_workbook

    data = path.read_bytes()
    read_workbook(b"", filename="warm-up.xlsx")  # load translations and the like
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    result = read_workbook(data, filename=path.name)
    seconds = time.perf_counter() - start
    traced = tracemalloc.get_traced_memory()[1] if trace else None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "added_peak_mb": (peak - before) / 1024,
                "traced_peak_mb": traced / 1024 / 1024 if traced is not None else None,
                "initiatives": len(result.workbook.initiatives),
                "errors": len(result.errors),
                "first_error": str(result.errors[0]) if result.errors else "",
            },
            ensure_ascii=False,
        )
    )


def unpacked_mb(path: Path) -> float:
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist()) / 1024 / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="demo,large,limit,cells,over")
    parser.add_argument("--file", action="append", default=[], help="a workbook of your own")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--child", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), args.tracemalloc)
        return 0
    setup_django()
    directory = Path(tempfile.mkdtemp(prefix="sasaeai-bench-"))
    worst = 0.0
    try:
        sizes = [size for size in args.sizes.split(",") if size]
        files = prepare(directory, sizes) + [(Path(name).name, Path(name)) for name in args.file]
        for label, path in files:
            command = [sys.executable, __file__, "--child", str(path)]
            if args.tracemalloc:
                command.append("--tracemalloc")
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            figures = json.loads(output.strip().splitlines()[-1])
            worst = max(worst, figures["added_peak_mb"])
            traced = (
                f" (Python allocations {figures['traced_peak_mb']:.0f} MB)"
                if figures["traced_peak_mb"] is not None
                else ""
            )
            print(
                f"{label:8s} file {path.stat().st_size / 1024 / 1024:5.1f} MB, unpacked"
                f" {unpacked_mb(path):5.1f} MB: {figures['seconds']:6.2f} s, peak RSS"
                f" +{figures['added_peak_mb']:4.0f} MB{traced}, {figures['initiatives']:,}"
                f" initiatives, {figures['errors']} errors {figures['first_error'][:60]}"
            )
        print(f"target: added peak < {TARGET_PEAK_MB:.0f} MB")
        return 0 if worst < TARGET_PEAK_MB else 1
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
