"""Benchmark: the departments' Excel round-trip — 30 workbooks, about 2,000 initiatives.

    .venv/bin/python bench/bench_department_import.py [--units 30] [--initiatives 2010]

Builds a scratch SQLite database in a temporary directory (never the configured one): one
municipality, 30 departments, a plan of 10 policies / 31 types / 2,010 initiatives, a closed
previous-year cycle (so the 前年度 columns are filled) and an open cycle. Then times:

1. export of every department's workbook (one call, all 30);
2. preview of each workbook without edits (round trip: "変更はありません");
3. preview and apply of each workbook with every row edited (実施内容・実績 and 評価), each
   workbook in its own transaction, through ``evaluation_save`` with audit rows.

Prints seconds and rows per second for each step. Editing the files (openpyxl, as a user in
Excel would) is not timed.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def setup_django(directory: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["SASAEAI_VAR_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasaeai.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def build(units_count: int, initiatives_count: int) -> dict[str, Any]:
    from sasaeai.accounts import services as accounts
    from sasaeai.accounts.roles import Role, UnitKind
    from sasaeai.plans.models import (
        Evaluation,
        Goal,
        Initiative,
        InitiativeType,
        InitiativeUnit,
        Plan,
        Policy,
    )
    from sasaeai.plans.services.evaluations import cycle_close, cycle_open

    municipality = accounts.municipality_upsert(
        actor="bench", code="142042", name="鎌倉市", prefecture="神奈川県"
    )
    units = [
        accounts.unit_upsert(
            actor="bench",
            municipality=municipality,
            code=f"dept-{n:02d}",
            kind=UnitKind.DEPARTMENT,
            name=f"架空第{n}課",
        )
        for n in range(1, units_count + 1)
    ]
    secretariat = accounts.user_upsert(
        actor="bench", municipality=municipality, username="bench-jimu", display_name="事務局"
    )
    accounts.membership_grant(actor="bench", user=secretariat, unit=units[0], role=Role.SECRETARIAT)
    plan = Plan.objects.create(
        municipality=municipality, name="ベンチ計画", start_fy=2020, end_fy=2025
    )
    goals = [Goal.objects.create(plan=plan, number=n, name=f"目標{n}") for n in range(1, 6)]
    policies = [
        Policy.objects.create(plan=plan, goal=goals[(n - 1) // 2], number=n, name=f"施策{n}")
        for n in range(1, 11)
    ]
    types = [
        InitiativeType.objects.create(
            plan=plan, policy=policies[(n - 1) % 10], number=n, name=f"種類{n}"
        )
        for n in range(1, 32)
    ]
    initiatives = Initiative.objects.bulk_create(
        Initiative(
            plan=plan,
            initiative_type=types[(n - 1) % 31],
            number=n,
            title=f"架空の取組{n}",
            description="地域の見守り活動を支える。",
        )
        for n in range(1, initiatives_count + 1)
    )
    InitiativeUnit.objects.bulk_create(
        InitiativeUnit(initiative=initiative, unit=units[index % units_count], is_lead=True)
        for index, initiative in enumerate(initiatives)
    )
    previous = cycle_open(actor=secretariat, plan=plan, fiscal_year=2024)
    Evaluation.objects.filter(cycle=previous).update(
        results="前年度は見守り訪問を実施し、関係機関との連携会議を開いた。",
        grade="B",
        issues="担い手の確保",
        direction="継続",
    )
    cycle_close(actor=secretariat, cycle=previous, leave_unapproved=True)
    cycle = cycle_open(actor=secretariat, plan=plan, fiscal_year=2025)
    return {"municipality": municipality, "cycle": cycle, "actor": secretariat}


def edit_all(data: bytes, round_number: int) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    sheet = book["評価"]
    for row in range(2, sheet.max_row + 1):
        if sheet[f"N{row}"].value is None:
            continue
        sheet[f"J{row}"] = f"見守り訪問を{row * 3 + round_number}件実施した。\n研修を開いた。"
        sheet[f"K{row}"] = ("A 順調", "B 概ね順調", "C やや遅れている")[row % 3]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--initiatives", type=int, default=2010)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sasaeai-bench-") as scratch:
        setup_django(Path(scratch))
        run(args.units, args.initiatives)


def run(units_count: int, initiatives_count: int) -> None:
    from sasaeai.plans.services import department_import as service

    started = time.perf_counter()
    world = build(units_count, initiatives_count)
    print(
        f"setup: {units_count} departments, {initiatives_count} initiatives "
        f"({time.perf_counter() - started:.1f} s, not part of the figures)"
    )
    municipality, cycle, actor = world["municipality"], world["cycle"], world["actor"]

    started = time.perf_counter()
    books = service.department_workbooks_export(actor=actor, cycle=cycle)
    exported = time.perf_counter() - started
    rows = sum(book.rows for book in books)
    size = sum(len(book.content) for book in books)
    print(
        f"export: {len(books)} workbooks, {rows} rows, {size / 1024:.0f} KiB in {exported:.2f} s "
        f"({rows / exported:,.0f} rows/s)"
    )

    started = time.perf_counter()
    for book in books:
        preview = service.department_import_preview(
            actor=actor, municipality=municipality, data=book.content
        )
        assert preview.ok and not preview.changes, preview.summary()
    unchanged = time.perf_counter() - started
    print(
        f"import without edits (preview, 変更はありません): {unchanged:.2f} s "
        f"({rows / unchanged:,.0f} rows/s)"
    )

    edited = [edit_all(book.content, 1) for book in books]
    started = time.perf_counter()
    for data in edited:
        preview = service.department_import_preview(
            actor=actor, municipality=municipality, data=data
        )
        assert preview.ok, preview.summary()
    previewed = time.perf_counter() - started
    print(f"import preview, every row edited: {previewed:.2f} s ({rows / previewed:,.0f} rows/s)")

    started = time.perf_counter()
    changed = 0
    for data in edited:
        result = service.department_import_apply(actor=actor, municipality=municipality, data=data)
        changed += len(result.changes)
    applied = time.perf_counter() - started
    print(
        f"import apply, every row edited: {changed} evaluations saved with audit rows in "
        f"{applied:.2f} s ({changed / applied:,.0f} rows/s)"
    )
    print(
        f"total export + preview + apply of {len(books)} workbooks: "
        f"{exported + previewed + applied:.2f} s"
    )


if __name__ == "__main__":
    main()
