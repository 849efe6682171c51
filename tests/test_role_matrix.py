"""The role × action matrix across apps: the JSON API, pages and writes, for every role
(事務局, 担当課, 推進委員, 社協コーディネーター, 地域団体, システム管理者) and a user of another
municipality. The API shows each user exactly what their screens show (both ask the same
policy), and a refused write changes nothing: the data rows and the audit log (but for the
"refused" row itself) are as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts import services as accounts_services
from sasaeai.accounts.models import Municipality, OrganisationUnit, UnitName, User
from sasaeai.accounts.roles import Role, UnitKind
from sasaeai.audit.models import AuditEvent
from sasaeai.directory.models import Service
from sasaeai.plainlang.models import GlossaryTerm
from sasaeai.plans.models import Evaluation, EvaluationCycle, Review, ReviewKind, Summary
from sasaeai.plans.selectors.tree import plan_tree
from sasaeai.plans.services import evaluations as evaluation_services
from sasaeai.plans.services import reviews as review_services
from tests.conftest import PASSWORD, login
from tests.directory.builders import build_service
from tests.plans.test_cycle_support import build_cycle

S, D, C = Role.SECRETARIAT, Role.DEPARTMENT, Role.COMMITTEE_MEMBER
K, G, A = Role.COUNCIL_COORDINATOR, Role.COMMUNITY_GROUP, Role.SYSTEM_ADMIN
X = "stranger"  # a 藤沢市 user holding the secretariat, committee and 担当課 roles there
WHO = [S, D, C, K, G, A, X]
ALL = {S, D, C, K, G, A}

SECRETS = {1: "下書きの秘密", 2: "提出済みの秘密", 3: "差し戻しの秘密", 4: "障害福祉課の下書き"}


@pytest.fixture
def people(users: dict[str, User], fujisawa: Municipality) -> dict[str, User]:
    unit = accounts_services.unit_upsert(
        actor="test", municipality=fujisawa, code="f-somu", kind=UnitKind.DEPARTMENT, name="総務"
    )
    committee = accounts_services.unit_upsert(
        actor="test", municipality=fujisawa, code="f-iin", kind=UnitKind.COMMITTEE, name="委員会"
    )
    stranger = accounts_services.user_upsert(
        actor="test",
        municipality=fujisawa,
        username="fujisawa-staff",
        display_name="藤沢 花子",
        password=PASSWORD,
    )
    for role, where in ((S, unit), (D, unit), (C, committee)):
        accounts_services.membership_grant(actor="test", user=stranger, unit=where, role=role)
    return {**users, X: stranger}


@pytest.fixture
def world(
    kamakura: Municipality, units: dict[str, OrganisationUnit], people: dict[str, User]
) -> dict[str, Any]:
    """A plan with a closed 2023 cycle (approved) and an open 2024 cycle: initiative 1 a
    draft, 2 submitted, 3 returned (高齢者いきいき課, the 担当課 user's unit), 4 a draft of
    障害福祉課; an unpublished and a published 講評; two directory entries, one maintained by
    the 社協; a glossary term."""
    shogai = accounts_services.unit_upsert(
        actor="test",
        municipality=kamakura,
        code="shogai",
        kind=UnitKind.DEPARTMENT,
        name="障害福祉課",
    )
    data = build_cycle(kamakura, units, people[S], other=shogai)
    for number, state in {1: "draft", 2: "submitted", 3: "returned", 4: "draft"}.items():
        Evaluation.objects.filter(pk=data["evaluations"][number].pk).update(
            state=state, results=SECRETS[number], grade="A", direction="継続"
        )
    hidden = review_services.review_create(
        actor=people[C],
        cycle=data["cycle"],
        kind=ReviewKind.GOAL_REVIEW,
        goal=data["goals"][0],
        body="非公表の講評",
    )
    shown = review_services.review_create(
        actor=people[C],
        cycle=data["cycle"],
        kind=ReviewKind.GOAL_REVIEW,
        goal=data["goals"][1],
        body="公表する講評",
    )
    Review.objects.filter(pk=shown.pk).update(is_published=True)
    salon = build_service(kamakura, name="社協のサロン", maintainer=units["shakyo"], index=False)
    window = build_service(kamakura, name="市の窓口", organization="鎌倉市", index=False)
    GlossaryTerm.objects.create(municipality=kamakura, term="アウトリーチ", paraphrase="訪問支援")
    e = {n: Evaluation.objects.get(pk=data["evaluations"][n].pk) for n in (1, 2, 3, 4)}
    return {
        **data,
        "people": people,
        "ids": {
            "plan": data["plan"].pk,
            "cycle": data["cycle"].pk,
            "goal": data["goals"][0].pk,
            "e1": e[1].pk,
            "e2": e[2].pk,
            "e2_version": e[2].version,
            "hidden": hidden.pk,
            "salon": salon.pk,
            "window": window.pk,
        },
    }


@pytest.fixture
def client_of(world: dict[str, Any]) -> Callable[[str], Client]:
    return lambda who: login(Client(), world["people"][who])


# --- the JSON API shows what the screens show ---------------------------------------------


def _api_evaluations(client: Client, plan_id: int) -> set[tuple[int, int, str, str]]:
    response = client.get(f"/api/v1/plans/{plan_id}/initiatives")
    assert response.status_code == 200, response.content
    return {
        (
            evaluation["fiscal_year"],
            initiative["number"],
            evaluation["state"],
            evaluation["results"],
        )
        for initiative in response.json()
        for evaluation in initiative["evaluations"]
    }


def _screen_evaluations(client: Client) -> set[tuple[int, int, str, str]]:
    """Every evaluation whose page opens for the client."""
    return {
        (e.cycle.fiscal_year, e.initiative.number, e.state, e.results)
        for e in Evaluation.objects.select_related("cycle", "initiative")
        if client.get(f"/staff/plans/evaluations/{e.pk}/").status_code == 200
    }


@pytest.mark.parametrize("who", [S, D, C, K, G, A])
def test_the_api_shows_each_role_exactly_the_evaluations_its_screens_show(
    world: dict[str, Any], client_of: Callable[[str], Client], who: str
) -> None:
    client = client_of(who)
    plan_id = world["ids"]["plan"]
    api = _api_evaluations(client, plan_id)
    assert api == _screen_evaluations(client)
    # the plan tree page shows and counts the same evaluations (2024; a 再掲 row has none)
    tree = plan_tree(world["plan"], 2024, world["people"][who])
    shown = {
        row.initiative.number
        for goal in tree.goals
        for policy in goal.policies
        for kind in policy.types
        for row in kind.initiatives
        if row.evaluation is not None
    }
    assert shown == {number for year, number, _s, _r in api if year == 2024}


def test_a_department_a_community_group_and_a_council_coordinator_read_only_their_screens(
    world: dict[str, Any], client_of: Callable[[str], Client]
) -> None:
    """The issue's "done when": through the API, the 担当課 user reads its own unit's
    evaluations (not 障害福祉課's draft); the 地域団体 and 社協 users read the plan's structure
    and indicators but no evaluation at all, and /api/v1/me shows each only themselves."""
    plan_id = world["ids"]["plan"]
    own = {
        (2023, 1, "approved", "前年度の実績1"),
        (2023, 2, "approved", "前年度の実績2"),
        (2023, 3, "approved", "前年度の実績3"),
        (2024, 1, "draft", "下書きの秘密"),
        (2024, 2, "submitted", "提出済みの秘密"),
        (2024, 3, "returned", "差し戻しの秘密"),
    }
    expected = {D: own, G: set(), K: set()}
    for who, evaluations in expected.items():
        client = client_of(who)
        assert _api_evaluations(client, plan_id) == evaluations
        body = client.get(f"/api/v1/plans/{plan_id}/initiatives").content.decode()
        assert "障害福祉課の下書き" not in body
        assert [p["name"] for p in client.get("/api/v1/plans").json()] == ["第1期計画"]
        tree = client.get(f"/api/v1/plans/{plan_id}/tree").json()
        assert [g["number"] for g in tree["goals"]] == [1, 2]
        assert client.get(f"/api/v1/plans/{plan_id}/indicators").status_code == 200
        me = client.get("/api/v1/me").json()
        assert (me["username"], [m["role"] for m in me["memberships"]]) == (f"user-{who}", [who])


def test_another_municipalitys_user_reads_nothing_through_the_api(
    world: dict[str, Any], client_of: Callable[[str], Client]
) -> None:
    client = client_of(X)
    plan_id = world["ids"]["plan"]
    assert client.get("/api/v1/plans").json() == []
    for path in ("tree", "initiatives", "indicators"):
        response = client.get(f"/api/v1/plans/{plan_id}/{path}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    me = client.get("/api/v1/me").json()
    assert (me["username"], me["municipality"]["code"]) == ("fujisawa-staff", "142051")


# --- pages --------------------------------------------------------------------------------

# path → roles of Kamakura that may open it (200); every other role gets 403
PAGES: dict[str, set[str]] = {
    "/staff/": ALL,
    "/staff/plans/": ALL,
    "/staff/plans/{plan}/": ALL,
    "/staff/plans/cycles/": {S, C},
    "/staff/plans/cycles/{cycle}/": {S, C},
    "/staff/plans/cycles/{cycle}/evaluations/": {S, C},
    "/staff/plans/cycles/{cycle}/close/": {S},
    "/staff/plans/cycles/{cycle}/reviews/": {S, C},
    "/staff/plans/evaluations/mine/": {S, D},
    "/staff/plans/evaluations/{e1}/": {S, D, C},
    "/staff/directory/": ALL,
    "/staff/directory/stale/": {S, K},
    "/staff/directory/services/{salon}/history/": {S, K},
    "/staff/directory/booklet/": ALL,
    "/staff/organisation/": {S, D, C, K, A},
    "/staff/audit/": {S, A},
    "/staff/plainlang/": {S, A},
    "/staff/plainlang/check/": ALL,
}


@pytest.mark.parametrize("who", [S, D, C, K, G, A])
def test_pages_per_role(
    world: dict[str, Any], client_of: Callable[[str], Client], who: str
) -> None:
    client = client_of(who)
    got = {path: client.get(path.format(**world["ids"])).status_code for path in PAGES}
    assert got == {path: 200 if who in allowed else 403 for path, allowed in PAGES.items()}


def test_another_municipalitys_user_finds_no_page_of_this_one(
    world: dict[str, Any], client_of: Callable[[str], Client]
) -> None:
    client = client_of(X)
    got = {
        path: client.get(path.format(**world["ids"])).status_code for path in PAGES if "{" in path
    }
    assert got == {path: 404 for path in got}
    # its own lists hold nothing of Kamakura's
    assert "第1期計画" not in client.get("/staff/plans/cycles/").content.decode()
    assert "社協のサロン" not in client.get("/staff/directory/").content.decode()


def test_the_committee_sees_unpublished_reviews_and_a_department_only_published_ones(
    world: dict[str, Any], client_of: Callable[[str], Client]
) -> None:
    """Initiative comments on an evaluation page follow ``visible_reviews`` too."""
    e1 = Evaluation.objects.get(pk=world["ids"]["e1"])
    for body, published in (("非公表のコメント", False), ("公表するコメント", True)):
        comment = review_services.review_create(
            actor=world["people"][C],
            cycle=world["cycle"],
            kind=ReviewKind.INITIATIVE_COMMENT,
            initiative=e1.initiative,
            body=body,
        )
        Review.objects.filter(pk=comment.pk).update(is_published=published)
    url = f"/staff/plans/evaluations/{e1.pk}/"
    committee = client_of(C).get(url).content.decode()
    department = client_of(D).get(url).content.decode()
    assert "非公表のコメント" in committee and "公表するコメント" in committee
    assert "非公表のコメント" not in department and "公表するコメント" in department


# --- writes: allowed ones take effect, refused ones change nothing -------------------------

# write → (path, POST data, roles allowed, the effect when allowed)
WRITES: dict[str, tuple[str, dict[str, Any], set[str], Callable[[dict[str, Any]], bool]]] = {
    "evaluation_save": (
        "/staff/plans/evaluations/{e1}/",
        {"results": "新しい実績", "grade": "A", "direction": "継続", "version": 1},
        {S, D},
        lambda ids: Evaluation.objects.get(pk=ids["e1"]).results == "新しい実績",
    ),
    "evaluation_approve": (
        "/staff/plans/evaluations/{e2}/approve/",
        {"version": "{e2_version}"},
        {S},
        lambda ids: Evaluation.objects.get(pk=ids["e2"]).state == "approved",
    ),
    "cycle_close": (
        "/staff/plans/cycles/{cycle}/close/",
        {"confirm": "on", "leave_unapproved": "on"},
        {S},
        lambda ids: EvaluationCycle.objects.get(pk=ids["cycle"]).status == "closed",
    ),
    "review_create": (
        "/staff/plans/cycles/{cycle}/goals/{goal}/reviews/new/",
        {"body": "新しい講評"},
        {C},
        lambda ids: Review.objects.filter(body="新しい講評").exists(),
    ),
    "review_publish": (
        "/staff/plans/reviews/{hidden}/publish/",
        {"is_published": "on", "version": 1},
        {S},
        lambda ids: Review.objects.get(pk=ids["hidden"]).is_published,
    ),
    "directory_confirm": (
        "/staff/directory/services/{salon}/confirm/",
        {},
        {S, K},
        lambda ids: Service.objects.get(pk=ids["salon"]).assured_date is not None,
    ),
    "directory_delete": (
        "/staff/directory/services/{window}/delete/",
        {},
        {S},
        lambda ids: not Service.objects.filter(pk=ids["window"]).exists(),
    ),
    "unit_rename": (
        "/staff/organisation/koreisha/rename/",
        {"name": "高齢福祉課", "from_fy": "令和8年度"},
        {S, A},
        lambda ids: UnitName.objects.filter(name="高齢福祉課").exists(),
    ),
    "glossary_create": (
        "/staff/plainlang/glossary/new/",
        {"term": "エンパワメント", "paraphrase": "力を引き出すこと"},
        {S, A},
        lambda ids: GlossaryTerm.objects.filter(term="エンパワメント").exists(),
    ),
}


def fingerprint() -> list[Any]:
    return [
        list(EvaluationCycle.objects.order_by("pk").values()),
        list(Evaluation.objects.order_by("pk").values()),
        list(Review.objects.order_by("pk").values()),
        list(Summary.objects.order_by("pk").values()),
        list(Service.objects.order_by("pk").values("pk", "status", "assured_date", "updated_at")),
        list(UnitName.objects.order_by("pk").values()),
        list(GlossaryTerm.objects.order_by("pk").values()),
        AuditEvent.objects.exclude(action="refused").count(),
    ]


def _data(data: dict[str, Any], ids: dict[str, Any]) -> dict[str, Any]:
    return {k: v.format(**ids) if isinstance(v, str) else v for k, v in data.items()}


@pytest.mark.parametrize("who", [S, D, C, K, G, A])
@pytest.mark.parametrize("name", WRITES)
def test_writes_per_role(
    world: dict[str, Any], client_of: Callable[[str], Client], name: str, who: str
) -> None:
    path, data, allowed, effect = WRITES[name]
    ids = world["ids"]
    before = fingerprint()
    refusals = AuditEvent.objects.filter(action="refused").count()
    response = client_of(who).post(path.format(**ids), _data(data, ids))
    if who in allowed:
        assert response.status_code == 302, response.content.decode()[-2000:]
        assert effect(ids)
        assert AuditEvent.objects.exclude(action="refused").count() > before[-1]
    else:
        assert response.status_code == 403
        assert fingerprint() == before
        assert AuditEvent.objects.filter(action="refused").count() == refusals + 1


@pytest.mark.parametrize("name", [n for n, w in WRITES.items() if "{" in w[0]])
def test_another_municipalitys_writes_find_nothing_and_change_nothing(
    world: dict[str, Any], client_of: Callable[[str], Client], name: str
) -> None:
    path, data, _allowed, _effect = WRITES[name]
    ids = world["ids"]
    before = fingerprint()
    response = client_of(X).post(path.format(**ids), _data(data, ids))
    assert response.status_code == 404
    assert fingerprint() == before


def test_services_refuse_what_the_policy_refuses_whoever_calls_them(
    world: dict[str, Any],
) -> None:
    """The same refusals without any page: each service asks the policy itself."""
    from sasaeai.core.errors import PermissionRefused

    people = world["people"]
    before = fingerprint()
    e2 = Evaluation.objects.get(pk=world["ids"]["e2"])
    for who in (D, C, K, G, A, X):
        with pytest.raises(PermissionRefused):
            evaluation_services.evaluation_approve(
                actor=people[who], evaluation=e2, expected_version=e2.version
            )
        with pytest.raises(PermissionRefused):
            evaluation_services.cycle_close(
                actor=people[who], cycle=world["cycle"], leave_unapproved=True
            )
    for who in (C, K, G, A, X):
        with pytest.raises(PermissionRefused):
            evaluation_services.evaluation_save(
                actor=people[who],
                evaluation=e2,
                expected_version=e2.version,
                results="x",
                grade="",
                issues="",
                direction="",
            )
    for who in (S, D, K, G, A, X):
        with pytest.raises(PermissionRefused):
            review_services.review_create(
                actor=people[who],
                cycle=world["cycle"],
                kind=ReviewKind.GOAL_REVIEW,
                goal=world["goals"][0],
                body="x",
            )
    assert fingerprint() == before
