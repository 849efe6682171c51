"""Benchmark: the plan tree (selector and page) at 10 and 2,000 initiatives.

Creates a throw-away SQLite database, builds plans with tests/plans/builders.py and prints the
number of SQL queries and the time of the page for each size. Run with `make bench`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="sasaeai-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasaeai.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from tests.plans.builders import build_plan

    from sasaeai.accounts import services
    from sasaeai.accounts.roles import Role, UnitKind

    town = services.municipality_upsert(
        actor="bench", code="142042", name="鎌倉市", prefecture="神奈川県"
    )
    units = {
        code: services.unit_upsert(
            actor="bench", municipality=town, code=code, kind=UnitKind.DEPARTMENT, name=name
        )
        for code, name in (("koreisha", "高齢者いきいき課"), ("fukushi-somu", "福祉総務課"))
    }
    user = services.user_upsert(
        actor="bench", municipality=town, username="bench", display_name="bench"
    )
    services.membership_grant(
        actor="bench", user=user, unit=units["fukushi-somu"], role=Role.SECRETARIAT
    )
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    for size in (10, 2000):
        plan = build_plan(town, units, initiatives=size, name=f"計画{size}")["plan"]
        client.get(f"/staff/plans/{plan.pk}/", {"fy": "2024"})  # warm up
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(f"/staff/plans/{plan.pk}/", {"fy": "2024"})
            elapsed = time.perf_counter() - start
        assert response.status_code == 200
        print(
            f"plan tree page, {size:>5} initiatives: {len(queries)} queries, {elapsed * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
