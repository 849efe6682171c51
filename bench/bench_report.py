"""Benchmark: the 令和6年度 推進状況報告書 of the demo plan (203 取組) in HTML, XLSX and PDF.

Loads the demo into a throw-away SQLite database, builds the document (printing its query
count and time), then renders each format once. Exits 1 if HTML takes 1 s or more, XLSX 3 s
or more, or PDF 30 s or more. Run with `make bench`.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMITS = {"html": 1.0, "xlsx": 3.0, "pdf": 30.0}


def main() -> int:
    workdir = tempfile.mkdtemp(prefix="sasaeai-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasaeai.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("loaddemo", verbosity=0)
    print(f"demo loaded in {time.perf_counter() - started:.1f} s")

    from sasaeai.accounts.models import Municipality
    from sasaeai.publication.render import render
    from sasaeai.publication.selectors.published import build_document
    from sasaeai.publication.selectors.staff import cycle_for

    kamakura = Municipality.objects.get(code="142042")
    cycle = cycle_for(kamakura, 2024)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        document = build_document(cycle)
        elapsed = time.perf_counter() - started
    entries = sum(len(goal.initiatives) for goal in document.goals)
    print(
        f"build_document: {len(queries)} queries, {elapsed * 1000:.0f} ms "
        f"({entries} initiative entries, {len(document.indicators)} indicators)"
    )

    failed = []
    for fmt, limit in LIMITS.items():
        if fmt == "xlsx" and importlib.util.find_spec("sasaeai.publication.render.xlsx") is None:
            print("xlsx: skipped (sasaeai.publication.render.xlsx is not there yet)")
            continue
        started, cpu = time.perf_counter(), time.process_time()
        rendered = render(document, fmt)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        verdict = "ok" if elapsed < limit else "TOO SLOW"
        print(
            f"{fmt}: {elapsed:.2f} s (CPU {cpu:.2f} s; limit {limit:.0f} s), "
            f"{len(rendered.content):,} bytes — {verdict}"
        )
        if elapsed >= limit:
            failed.append(fmt)
    if failed and hasattr(os, "getloadavg"):
        print(f"load average {os.getloadavg()[0]:.1f} (a busy machine slows every figure)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
