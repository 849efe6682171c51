"""Benchmark: the plain-language gate (公表前の確認) over the demo's whole report (203 取組).

    .venv/bin/python bench/bench_report_gate.py

Loads the demo into a throw-away SQLite database and times, for 令和6年度 and 令和7年度:
building the checker from the municipality's settings and kept terms (``gate_checker``),
checking every text slot of the document (``gate_check``), and the whole ``cycle_gate``
(document + checker + check) that publishing and the gate page run. Exits 1 if a whole gate
takes 2 s or more.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_SECONDS = 2.0


def main() -> int:
    workdir = tempfile.mkdtemp(prefix="sasaeai-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasaeai.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("loaddemo", "--quiet-accounts", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"demo loaded in {time.perf_counter() - started:.1f} s")

    from sasaeai.accounts.models import Municipality
    from sasaeai.publication import services
    from sasaeai.publication.gate import gate_check, gate_checker
    from sasaeai.publication.selectors.published import build_document
    from sasaeai.publication.selectors.staff import cycle_for

    kamakura = Municipality.objects.get(code="142042")
    failed = False
    for fiscal_year in (2024, 2025):
        cycle = cycle_for(kamakura, fiscal_year)
        document = build_document(cycle)
        slots = list(document.texts())
        characters = sum(len(slot.text) for slot in slots)

        started = time.perf_counter()
        checker = gate_checker(kamakura)
        checker_seconds = time.perf_counter() - started
        started = time.perf_counter()
        result = gate_check(document, checker)
        check_seconds = time.perf_counter() - started
        started = time.perf_counter()
        services.cycle_gate(cycle)
        whole = time.perf_counter() - started

        verdict = "ok" if whole < LIMIT_SECONDS else "TOO SLOW"
        print(
            f"{fiscal_year}: {len(slots)} text slots, {characters:,} characters, "
            f"{result.total} findings ({dict(result.counts)}); checker {checker_seconds:.2f} s, "
            f"check {check_seconds:.2f} s ({characters / check_seconds:,.0f} chars/s), "
            f"whole gate {whole:.2f} s (limit {LIMIT_SECONDS:.0f} s) — {verdict}"
        )
        failed = failed or whole >= LIMIT_SECONDS
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
