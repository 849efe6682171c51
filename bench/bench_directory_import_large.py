"""Benchmark: time and peak memory of importing a large 介護サービス事業所一覧 CSV.

    .venv/bin/python bench/bench_directory_import_large.py [--rows 100000] [--phase both]
        [--tracemalloc] [--database-url postgres://postgres@127.0.0.1:5432/bench_scratch]

Builds a scratch SQLite database in a temporary directory (never the configured one; with
``--database-url``, the given scratch database, which it migrates and fills) with one
municipality and a few towns, writes a CP932 CSV of ``--rows`` rows (the generator of
bench_directory_import.py: about 200 bytes a row, so 100,000 rows are 20 MB) and runs
``sasaeai directory import FILE --municipality 142042`` in a fresh child process for each
phase: ``preview`` (``--dry-run``: the apply rolled back) and ``import`` (preview, then the
apply). Each line gives the wall time and the child's peak resident memory above what it
held before the import (Linux: ``VmHWM`` reset through ``/proc/self/clear_refs``); with
``--tracemalloc`` also the peak of Python's own allocations (slower: about 2×). Runs with
``DEBUG`` off, as in production. ``BENCH_SRC=/path/to/src`` measures another checkout's code
(before/after figures). Exits 1 if an import's added peak memory is 500 MB or more.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_directory_import import ROOT, TOWNS, make_csv

TARGET_PEAK_MB = 500.0


def setup_django(directory: Path, database_url: str | None) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["SASAEAI_VAR_DIR"] = str(directory)
    os.environ["DEBUG"] = "false"  # as in production: no query log held in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasaeai.config.settings")
    sys.path.insert(0, os.environ.get("BENCH_SRC", str(ROOT / "src")))
    import django

    django.setup()


def prepare(directory: Path, database_url: str | None, rows: int) -> Path:
    setup_django(directory, database_url)
    from django.core.management import call_command

    from sasaeai.accounts import services as accounts

    call_command("migrate", verbosity=0, interactive=False)
    municipality = accounts.municipality_upsert(
        actor="bench", code="142042", name="鎌倉市", prefecture="神奈川県"
    )
    district = accounts.district_upsert(actor="bench", municipality=municipality, name="大船")
    for town in TOWNS:
        accounts.town_upsert(actor="bench", district=district, name=town)
    path = directory / f"kaigo-{rows}.csv"
    path.write_bytes(make_csv(rows))
    return path


def _status_mb(field: str) -> float:
    """VmRSS or VmHWM (this process's peak resident memory) from /proc, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(directory: Path, database_url: str | None, path: Path, phase: str, trace: bool) -> None:
    """One import in this process; prints its figures as JSON."""
    import tracemalloc

    setup_django(directory, database_url)
    from django.core.management import call_command

    from sasaeai.accounts.models import Municipality

    Municipality.objects.get(code="142042")  # connect and load what every run needs
    before = _status_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current size
    if trace:
        tracemalloc.start()
    arguments = [str(path), "--municipality", "142042"]
    if phase == "preview":
        arguments.append("--dry-run")
    start = time.perf_counter()
    with open(os.devnull, "w") as sink:
        call_command("directory", "import", *arguments, stdout=sink, stderr=sink)
    seconds = time.perf_counter() - start
    traced = tracemalloc.get_traced_memory()[1] if trace else None
    peak = _status_mb("VmHWM")
    print(
        json.dumps(
            {
                "seconds": seconds,
                "added_peak_mb": peak - before,
                "peak_mb": peak,
                "traced_peak_mb": traced / 1024 / 1024 if traced is not None else None,
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--phase", choices=("preview", "import", "both"), default="both")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--database-url", default=None, help="a scratch database to fill")
    parser.add_argument(
        "--child", nargs=3, metavar=("DIR", "FILE", "PHASE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        directory, path, phase = args.child
        child(Path(directory), args.database_url, Path(path), phase, args.tracemalloc)
        return 0
    directory = Path(tempfile.mkdtemp(prefix="sasaeai-bench-"))
    worst = 0.0
    try:
        path = prepare(directory, args.database_url, args.rows)
        size = path.stat().st_size / 1024 / 1024
        print(f"rows {args.rows}: CSV {size:.1f} MB")
        phases = ("preview", "import") if args.phase == "both" else (args.phase,)
        for phase in phases:
            command = [sys.executable, __file__, "--child", str(directory), str(path), phase]
            if args.tracemalloc:
                command.append("--tracemalloc")
            if args.database_url:
                command += ["--database-url", args.database_url]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            figures = json.loads(output.strip().splitlines()[-1])
            worst = max(worst, figures["added_peak_mb"])
            traced = (
                f", Python allocations peak {figures['traced_peak_mb']:.0f} MB"
                if figures["traced_peak_mb"] is not None
                else ""
            )
            print(
                f"{phase:8s} {figures['seconds']:7.1f} s  peak RSS +{figures['added_peak_mb']:.0f} MB "
                f"(process {figures['peak_mb']:.0f} MB){traced}"
            )
        print(f"target: added peak < {TARGET_PEAK_MB:.0f} MB")
        return 0 if worst < TARGET_PEAK_MB else 1
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
