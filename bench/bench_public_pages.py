"""Benchmark: the public plan-at-a-glance page (/m/142042/plan/) under load.

    .venv/bin/python bench/bench_public_pages.py [--seconds 10] [--connections 2]

Creates a fresh SQLite database in a temporary directory, loads the Kamakura demo
(``loaddemo``: 203 initiatives, 20 indicators, 5 published cycles), prints the number of SQL
queries of the page, then starts gunicorn (2 sync workers, DEBUG off, persistent database
connections) on a free loopback port and runs ``wrk --latency`` against the page. A small Lua
script reports the exact 95th percentile next to wrk's 50/75/90/99.

Target: p95 < 100 ms with as many connections as workers. Exits with 1 if the target is
missed, if any request failed, or if wrk is missing. gunicorn is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_MS = 100.0
PAGE = "/m/142042/plan/"
WORKERS = 2
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SASAEAI p50=%d p90=%d p95=%d p99=%d max=%d requests=%d errors=%d\\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(env: dict[str, str]) -> int:
    """Migrate, load the demo and count the page's queries (in this process)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("loaddemo", "--quiet-accounts", stdout=quiet)
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(PAGE)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)
    if response.status_code != 200:
        raise SystemExit(f"{PAGE} answered {response.status_code}")
    connection.close()
    return len(queries)


def wait_until_up(url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=WORKERS)
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk がありません（apt-get install wrk）。", file=sys.stderr)
        return 1
    gunicorn = Path(sys.executable).with_name("gunicorn")
    scratch = tempfile.mkdtemp(prefix="sasaeai-bench-public-")
    env = {
        "DJANGO_SETTINGS_MODULE": "sasaeai.config.settings",
        "SASAEAI_VAR_DIR": scratch,
        "DATABASE_URL": f"sqlite:///{scratch}/bench.sqlite3",
        "DATABASE_CONN_MAX_AGE": "60",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    process: subprocess.Popen[bytes] | None = None
    try:
        queries = prepare(env)
        port = free_port()
        url = f"http://127.0.0.1:{port}{PAGE}"
        process = subprocess.Popen(
            [
                str(gunicorn),
                "sasaeai.config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                # threads keep connections alive (sync workers close each one, and reconnects
                # under load stall for the 1 s TCP retransmission timeout now and then)
                "--worker-class",
                "gthread",
                "--threads",
                "2",
                "--log-level",
                "warning",
            ],
            env={**os.environ, **env},
            cwd=scratch,
        )
        wait_until_up(url)
        for _ in range(20):  # warm both workers
            urllib.request.urlopen(url, timeout=10).read()
        script = Path(scratch) / "p95.lua"
        script.write_text(LUA)
        result = subprocess.run(
            [
                wrk,
                "--latency",
                f"-t{min(args.connections, 2)}",
                f"-c{args.connections}",
                f"-d{args.seconds}s",
                "-s",
                str(script),
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(scratch, ignore_errors=True)

    print(result.stdout.strip())
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average (1/5/15 min) after the run: {load} on {os.cpu_count()} CPUs")
    line = next(x for x in result.stdout.splitlines() if x.startswith("SASAEAI "))
    figures = {k: int(v) for k, v in (part.split("=") for part in line.split()[1:])}
    ms = {k: figures[k] / 1000 for k in ("p50", "p90", "p95", "p99", "max")}
    print(
        f"plan at a glance {PAGE}: {queries} SQL queries; "
        f"{figures['requests']} requests in {args.seconds} s with {args.connections} connections "
        f"and {WORKERS} workers; latency p50 {ms['p50']:.1f} ms, p90 {ms['p90']:.1f} ms, "
        f"p95 {ms['p95']:.1f} ms, p99 {ms['p99']:.1f} ms (max {ms['max']:.1f} ms); "
        f"errors {figures['errors']}"
    )
    if figures["errors"]:
        print("FAILED: some requests failed")
        return 1
    if ms["p95"] >= TARGET_P95_MS:
        print(f"FAILED: p95 {ms['p95']:.1f} ms >= target {TARGET_P95_MS:.0f} ms")
        return 1
    print(f"OK: p95 {ms['p95']:.1f} ms < target {TARGET_P95_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
