"""Benchmark of the plan workbook: import, re-import and export of a 2,000-initiative plan.

    .venv/bin/python bench/bench_plan_import.py [--initiatives 2000]

Builds a workbook the size of a large plan (6 goals, 10 policies, 31 types of initiative,
2,000 initiatives of which 5 % are 再掲, 20 indicators, two or three responsible units each)
in a fresh database — a temporary SQLite file, or with DATABASE_URL set a PostgreSQL test
database named ``bench_plan_import`` (created and dropped; no other database is touched) —
and prints the time and the number of SQL queries of:

  reading only (parse and check), the preview of a new plan (dry run), the first import,
  re-importing the same file (no change), a revision (10 % of the initiatives changed,
  1 % removed, 1 % added) and the export.

Exits with 1 if the first import or the re-import takes longer than TARGET_SECONDS.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

TARGET_SECONDS = 5.0
UNITS = 30


def setup_django() -> Callable[[], None]:
    """A fresh database; returns the function that removes it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasaeai.config.settings")
    scratch = tempfile.mkdtemp(prefix="sasaeai-bench-")
    os.environ["SASAEAI_VAR_DIR"] = scratch
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        os.path.join(scratch, "bench.sqlite3")
        if connection.vendor == "sqlite"
        else "bench_plan_import"
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)

    def teardown() -> None:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(scratch, ignore_errors=True)

    return teardown


def plan_workbook(initiatives: int, units: list[str], revision: int = 0) -> Any:
    """A plan's rows; ``revision`` 1 changes 10 %, removes 1 % and adds 1 % of the initiatives."""
    from sasaeai.plans.workbook import spec as wb

    goals = [
        wb.GoalRow(n, f"基本目標{n}", f"基本目標{n}の説明", 2025 if n == 6 else None)
        for n in range(1, 7)
    ]
    policies = [wb.PolicyRow(n, 1 + (n - 1) % 6, f"施策{n}") for n in range(1, 11)]
    types = [wb.TypeRow(n, 1 + (n - 1) % 10, f"取組の種類{n}") for n in range(1, 32)]
    removed = (
        set(range(initiatives - initiatives // 100 + 1, initiatives + 1)) if revision else set()
    )
    last = initiatives + (initiatives // 100 if revision else 0)
    rows = []
    for n in range(1, last + 1):
        if n in removed:
            continue
        repost = n - 1 if n % 20 == 0 else None  # 5 % are 再掲 of the row before
        changed = revision and n % 10 == 3
        rows.append(
            wb.InitiativeRow(
                number=n,
                type_number=1 + (n - 1) % 31,
                title=f"取組{n}" + ("（改）" if changed else ""),
                description=f"取組{n}の内容。地域の支え合いを進めるための事業です。" * 3,
                units=tuple(units[(n + k) % len(units)] for k in range(2 + n % 2)),
                repost_of=repost,
            )
        )
    indicators = [
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
        for n in range(1, 21)
    ]
    return wb.PlanWorkbook(
        plan=wb.PlanRow("ベンチマーク計画", 2020, 2025, "ともに生きるまち"),
        goals=goals,
        policies=policies,
        types=types,
        initiatives=rows,
        indicators=indicators,
    )


def timed(label: str, action: Callable[[], Any]) -> tuple[float, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        value = action()
        seconds = time.perf_counter() - start
    print(f"  {label:<44} {seconds:7.2f} s  {len(queries):6,} queries")
    return seconds, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--initiatives", type=int, default=2000)
    args = parser.parse_args()
    teardown = setup_django()
    try:
        return run(args.initiatives)
    finally:
        teardown()


def run(size: int) -> int:
    from django.db import connection

    from sasaeai.accounts import services as accounts
    from sasaeai.accounts.roles import UnitKind
    from sasaeai.plans.models import Initiative, Plan
    from sasaeai.plans.services import plan_import as service
    from sasaeai.plans.workbook import spec as wb
    from sasaeai.plans.workbook.read import read_workbook
    from sasaeai.plans.workbook.write import write_workbook

    municipality = accounts.municipality_upsert(
        actor="bench", code="142042", name="鎌倉市", prefecture="神奈川県"
    )
    names = [f"ベンチ課{n}" for n in range(1, UNITS + 1)]
    for n, name in enumerate(names, start=1):
        accounts.unit_upsert(
            actor="bench",
            municipality=municipality,
            code=f"bench-{n}",
            kind=UnitKind.DEPARTMENT,
            name=name,
        )

    def importing(data: bytes, dry_run: bool = False) -> Any:
        return service.plan_import(
            actor="bench",
            municipality=municipality,
            data=data,
            filename="bench.xlsx",
            dry_run=dry_run,
        )

    print(f"plan workbook, {size:,} initiatives ({connection.vendor})")
    start = time.perf_counter()
    first = write_workbook(plan_workbook(size, names))
    revised = write_workbook(plan_workbook(size, names, revision=1))
    print(
        f"  {'writing the two workbooks':<44} {time.perf_counter() - start:7.2f} s  "
        f"({len(first) / 1024:,.0f} KB each)"
    )
    timed("reading only (parse and check)", lambda: read_workbook(first))
    _, preview = timed("preview of the new plan (dry run)", lambda: importing(first, True))
    assert preview.ok and preview.added == 6 + 10 + 31 + size + 20 + 1, preview.summary()
    created, result = timed("first import (creates everything)", lambda: importing(first))
    assert result.applied, result.errors[:3]
    assert Initiative.objects.count() == size
    again, result = timed("re-import of the same file (no change)", lambda: importing(first))
    assert not result.has_changes and result.summary() == "変更はありません。"
    _, result = timed("revision preview (10 % changed, 1 % +/-)", lambda: importing(revised, True))
    removed = size // 100
    changed = sum(1 for n in range(1, size - removed + 1) if n % 10 == 3)
    expected = (changed, removed, removed)
    counts = result.counts(wb.SHEET_INITIATIVES)
    assert (counts.changed, counts.removed, counts.added) == expected, result.summary()
    _, result = timed("revision import", lambda: importing(revised))
    assert result.applied, result.errors[:3]
    plan = Plan.objects.get()
    _, exported = timed("export", lambda: service.plan_export(plan=plan))
    _, result = timed("re-import of the export (no change)", lambda: importing(exported, True))
    assert not result.has_changes
    slowest = max(created, again)
    print(
        f"target: first import and re-import under {TARGET_SECONDS:.0f} s — "
        f"{'ok' if slowest <= TARGET_SECONDS else 'TOO SLOW'}"
    )
    return 0 if slowest <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
