"""Shared data and fixtures for the cycle tests (no tests here).

Also a URL conf that mounts the cycle pages under /staff/plans/ until sasaeai.plans.urls
includes them; once it does, the project's own URL conf is used unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import include, path

from sasaeai.accounts import services as accounts_services
from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role, UnitKind
from sasaeai.config import urls as root_urls
from sasaeai.plans import urls as plans_urls
from sasaeai.plans.models import (
    CycleStatus,
    Evaluation,
    EvaluationCycle,
    Goal,
    Initiative,
    InitiativeType,
    InitiativeUnit,
    Plan,
    Policy,
)
from sasaeai.plans.services.evaluations import cycle_open
from tests.conftest import PASSWORD, login

__all__ = [
    "PREFIX",
    "all_clients",
    "build_cycle",
    "cycle_urls",
    "dept2",
    "shogai",
    "world",
]

PREFIX = "/staff/plans/"
WIRED = any(getattr(p, "name", None) == "cycle_list" for p in plans_urls.urlpatterns)

urlpatterns = [
    path(
        "staff/plans/",
        include((plans_urls.urlpatterns, "plans")),
    ),
    *root_urls.urlpatterns,
]
handler400 = root_urls.handler400
handler403 = root_urls.handler403
handler404 = root_urls.handler404
handler500 = root_urls.handler500


@pytest.fixture(autouse=True)
def cycle_urls(settings: Any) -> None:
    if not WIRED:
        settings.ROOT_URLCONF = __name__


@pytest.fixture
def shogai(kamakura: Municipality) -> OrganisationUnit:
    return accounts_services.unit_upsert(
        actor="test",
        municipality=kamakura,
        code="shogai",
        kind=UnitKind.DEPARTMENT,
        name="障害福祉課",
    )


@pytest.fixture
def dept2(kamakura: Municipality, shogai: OrganisationUnit) -> User:
    user = accounts_services.user_upsert(
        actor="test",
        municipality=kamakura,
        username="user-dept2",
        display_name="障害 次郎",
        email="dept2@example.jp",
        password=PASSWORD,
    )
    accounts_services.membership_grant(actor="test", user=user, unit=shogai, role=Role.DEPARTMENT)
    return user


def build_cycle(
    municipality: Municipality,
    units: dict[str, OrganisationUnit],
    actor: User,
    *,
    initiatives: int = 3,
    other: OrganisationUnit | None = None,
    name: str = "第1期計画",
) -> dict[str, Any]:
    """A plan (2020〜2025) with two goals. Goal 1 holds ``initiatives`` initiatives led by
    高齢者いきいき課 and, when ``other`` is given, one more led by it; goal 2 holds a 再掲 of
    initiative 1. The 2023 cycle is closed with filled-in entries; the 2024 cycle is opened
    through the service (deadline 2025-06-30)."""
    plan = Plan.objects.create(
        municipality=municipality, name=name, start_fy=2020, end_fy=2025, vision="ともに"
    )
    goal1 = Goal.objects.create(plan=plan, number=1, name="相談体制")
    goal2 = Goal.objects.create(plan=plan, number=2, name="情報提供")
    policy1 = Policy.objects.create(plan=plan, goal=goal1, number=1, name="施策一")
    policy2 = Policy.objects.create(plan=plan, goal=goal2, number=2, name="施策二")
    type1 = InitiativeType.objects.create(plan=plan, policy=policy1, number=1, name="種類一")
    type2 = InitiativeType.objects.create(plan=plan, policy=policy2, number=2, name="種類二")
    rows = Initiative.objects.bulk_create(
        Initiative(plan=plan, initiative_type=type1, number=n, title=f"取組{n}")
        for n in range(1, initiatives + 1)
    )
    leads = [(i, units["koreisha"]) for i in rows]
    if other is not None:
        extra = Initiative.objects.create(
            plan=plan, initiative_type=type1, number=initiatives + 1, title="障害の取組"
        )
        rows.append(extra)
        leads.append((extra, other))
    repost = Initiative.objects.create(
        plan=plan, initiative_type=type2, number=len(rows) + 1, title="取組1", repost_of=rows[0]
    )
    InitiativeUnit.objects.bulk_create(
        InitiativeUnit(initiative=i, unit=u, is_lead=True) for i, u in leads
    )
    previous = EvaluationCycle.objects.create(
        municipality=municipality, plan=plan, fiscal_year=2023, status=CycleStatus.CLOSED
    )
    Evaluation.objects.bulk_create(
        Evaluation(
            cycle=previous,
            initiative=i,
            unit=u,
            results=f"前年度の実績{i.number}",
            grade="B",
            issues="前年度の課題",
            direction="継続",
            state="approved",
        )
        for i, u in leads
    )
    cycle = cycle_open(actor=actor, plan=plan, fiscal_year=2024, deadline=dt.date(2025, 6, 30))
    evaluations = {e.initiative.number: e for e in cycle.evaluations.select_related("initiative")}
    return {
        "plan": plan,
        "goals": [goal1, goal2],
        "initiatives": rows,
        "repost": repost,
        "previous": previous,
        "cycle": cycle,
        "evaluations": evaluations,
    }


@pytest.fixture
def world(
    kamakura: Municipality,
    units: dict[str, OrganisationUnit],
    users: dict[str, User],
    dept2: User,
    shogai: OrganisationUnit,
) -> dict[str, Any]:
    data = build_cycle(kamakura, units, users[Role.SECRETARIAT], other=shogai)
    data["users"] = {**users, "dept2": dept2}
    return data


@pytest.fixture
def all_clients(world: dict[str, Any]) -> Callable[[str], Client]:
    """A fresh, signed-in client for a role name (or "dept2"), or anonymous for None."""

    def make(who: str | None) -> Client:
        client = Client()
        if who is None:
            return client
        return login(client, world["users"][who])

    return make
