"""Who may edit which directory entry — every role, the 地域包括支援センター and another
tenant; a refused write changes nothing and writes no audit row."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.core.errors import PermissionRefused
from sasaeai.directory import permissions, services
from sasaeai.directory.models import Organization, Service
from tests.conftest import login
from tests.directory.test_editing_support import *  # noqa: F403
from tests.directory.test_editing_support import HOUKATSU, HOUKATSU_CG, OTHER_TENANT, WHO, fresh

S, CC = Role.SECRETARIAT, Role.COUNCIL_COORDINATOR

# entry → who may edit it
EDITORS: dict[str, set[str]] = {
    "salon": {S, CC},  # maintained by 社協 (the service's own maintainer)
    "consult": {S, HOUKATSU, HOUKATSU_CG},  # the organisation's maintainer, the 包括
    "city": {S},  # no maintainer: the secretariat only
}


@pytest.mark.parametrize("who", WHO)
def test_edit_matrix(world: dict[str, Any], who: str) -> None:
    user = world["users"][who]
    got = {name for name in EDITORS if permissions.can_edit_service(user, world[name])}
    assert got == {name for name, allowed in EDITORS.items() if who in allowed}
    assert permissions.can_delete_service(user, world["city"]) == (who == S)
    assert permissions.can_create(user, world["municipality"]) == (
        who in {S, CC, HOUKATSU, HOUKATSU_CG}
    )


def test_memberships_count_only_while_active(world: dict[str, Any]) -> None:
    user = world["users"][CC]
    user.memberships.update(is_active=False)
    permissions.forget(user)
    assert not permissions.can_edit_service(user, world["salon"])


def _state() -> tuple[list[tuple[Any, ...]], int]:
    rows = list(
        Service.objects.order_by("name").values_list("name", "status", "assured_date", "updated_at")
    )
    return rows, AuditEvent.objects.exclude(
        action="refused"
    ).count()  # a 403 is logged, not a change


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("entry", list(EDITORS))
def test_confirm_over_the_web(client: Any, world: dict[str, Any], who: str, entry: str) -> None:
    service = world[entry]
    before = _state()
    login(client, world["users"][who])
    response = client.post(f"/staff/directory/services/{service.pk}/confirm/")
    if who in EDITORS[entry]:
        assert response.status_code == 302
        assert fresh(service).assured_date == timezone.localdate()
        event = AuditEvent.objects.latest("id")
        assert (event.action, event.object_id, event.actor_label) == (
            "confirm",
            str(service.pk),
            f"user-{who}",
        )
    else:
        # another tenant does not even learn that the entry exists
        assert response.status_code == (404 if who == OTHER_TENANT else 403)
        assert _state() == before


@pytest.mark.parametrize("who", WHO)
def test_status_and_delete_over_the_web(client: Any, world: dict[str, Any], who: str) -> None:
    salon = world["salon"]
    before = _state()
    login(client, world["users"][who])
    response = client.post(f"/staff/directory/services/{salon.pk}/status/", {"status": "inactive"})
    if who in EDITORS["salon"]:
        assert response.status_code == 302
        assert fresh(salon).status == "inactive"
    else:
        assert response.status_code in {403, 404}
        assert _state() == before
    before = _state()
    response = client.post(f"/staff/directory/services/{world['city'].pk}/delete/")
    if who == S:
        assert response.status_code == 302
        assert not Service.objects.filter(pk=world["city"].pk).exists()
        assert AuditEvent.objects.latest("id").action == "delete"
    else:
        assert response.status_code in {403, 404}
        assert _state() == before


@pytest.mark.parametrize("who", WHO)
def test_edit_page_per_role(client: Any, world: dict[str, Any], who: str) -> None:
    login(client, world["users"][who])
    response = client.get(f"/staff/directory/services/{world['consult'].pk}/")
    if who == OTHER_TENANT:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    text = response.content.decode()
    editable = who in EDITORS["consult"]
    assert ("内容を確認しました" in text) == editable
    assert ("この情報を編集する権限はありません" in text) == (not editable)
    before = _state()
    response = client.post(
        f"/staff/directory/services/{world['consult'].pk}/", {"name": "乗っ取り"}
    )
    if not editable:
        assert response.status_code == 403
        assert _state() == before


@pytest.mark.parametrize("who", WHO)
def test_list_shows_what_one_may_edit(client: Any, world: dict[str, Any], who: str) -> None:
    login(client, world["users"][who])
    response = client.get("/staff/directory/")
    if who == OTHER_TENANT:  # a staff role, but of Fujisawa: its own (empty) directory
        assert response.status_code == 200
        assert response.context["rows"] == []
        return
    assert response.status_code == 200
    names = [row.service.name for row in response.context["rows"]]
    mine = sorted(
        (world[e].name_kana, world[e].name) for e, allowed in EDITORS.items() if who in allowed
    )
    if who == S or not mine:  # the secretariat, and readers, see every entry
        assert names == ["介護の相談", "サロンさくら", "市の窓口"]
    else:
        assert names == [name for _kana, name in mine]


def test_services_refuse_without_rights(world: dict[str, Any]) -> None:
    user = world["users"][Role.DEPARTMENT]
    before = _state()
    with pytest.raises(PermissionRefused):
        services.service_confirm(actor=user, service=world["salon"])
    with pytest.raises(PermissionRefused):
        services.service_set_status(actor=user, service=world["salon"], status="defunct")
    with pytest.raises(PermissionRefused):
        services.service_delete(actor=world["users"][CC], service=world["salon"])
    with pytest.raises(PermissionRefused):
        services.service_save(
            actor=world["users"][OTHER_TENANT],
            municipality=world["municipality"],
            organization=world["orgs"]["city"],
            service=world["city"],
            values=services.ServiceInput(name="x"),
        )
    assert _state() == before


def test_a_coordinator_cannot_hand_an_entry_to_another_unit(world: dict[str, Any]) -> None:
    user = world["users"][CC]
    before = _state()
    with pytest.raises(PermissionRefused):
        services.service_save(
            actor=user,
            municipality=world["municipality"],
            organization=world["orgs"]["shakyo"],
            service=world["salon"],
            values=services.ServiceInput(
                name="サロンさくら", maintainer_id=world["units"]["houkatsu"].pk
            ),
        )
    assert _state() == before


# --- the policy's querysets agree with its per-object answers ------------------------------


@pytest.mark.parametrize("who", WHO)
def test_editable_services_is_the_queryset_form_of_can_edit_service(
    world: dict[str, Any], who: str
) -> None:
    user, municipality = world["users"][who], world["municipality"]
    editable = set(
        Service.objects.filter(permissions.editable_services(user, municipality)).values_list(
            "name", flat=True
        )
    )
    assert editable == {world[e].name for e, allowed in EDITORS.items() if who in allowed}
    assert editable == {
        s.name
        for s in Service.objects.select_related("organization")
        if permissions.can_edit_service(user, s)
    }


@pytest.mark.parametrize("who", WHO)
def test_visible_services_and_organizations_by_role(world: dict[str, Any], who: str) -> None:
    user, municipality = world["users"][who], world["municipality"]
    services = sorted(
        permissions.visible_services(user, Service.objects.all(), municipality).values_list(
            "name", flat=True
        )
    )
    organizations = sorted(
        permissions.visible_organizations(
            user, Organization.objects.all(), municipality
        ).values_list("name", flat=True)
    )
    if who == OTHER_TENANT:  # no role in Kamakura: nothing, even read-only
        assert (services, organizations) == ([], [])
    else:
        assert services == ["サロンさくら", "介護の相談", "市の窓口"]
        assert organizations == ["大船地域包括支援センター", "鎌倉市", "鎌倉市社会福祉協議会"]


@pytest.mark.parametrize("who", WHO)
def test_stale_list_and_history_by_role(client: Any, world: dict[str, Any], who: str) -> None:
    user, municipality = world["users"][who], world["municipality"]
    editors = {S, CC, HOUKATSU, HOUKATSU_CG}
    assert permissions.can_view_stale(user, municipality) is (who in editors)
    assert permissions.can_view_history(user, world["salon"]) is (who in EDITORS["salon"])
    login(client, user)
    # the other tenant's secretariat opens its own (empty) stale list
    expected = 200 if who in editors | {OTHER_TENANT} else 403
    assert client.get("/staff/directory/stale/").status_code == expected
    history = client.get(f"/staff/directory/services/{world['salon'].pk}/history/")
    if who == OTHER_TENANT:
        assert history.status_code == 404
    else:
        assert history.status_code == (200 if who in EDITORS["salon"] else 403)
