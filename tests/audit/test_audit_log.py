"""Audit rows for every write; none can be changed or deleted through the app or the database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from sasaeai.accounts import services
from sasaeai.accounts.models import District, Municipality, User
from sasaeai.accounts.roles import Role
from sasaeai.audit import db_guard
from sasaeai.audit import services as audit
from sasaeai.audit.models import AppendOnlyError, AuditEvent


def test_upserts_write_audit_rows_with_before_and_after(kamakura: Municipality) -> None:
    district = services.district_upsert(actor="test", municipality=kamakura, name="大船", order=4)
    created = AuditEvent.objects.latest("id")
    assert (created.action, created.actor_label, created.object_type, created.object_repr) == (
        "create",
        "test",
        "accounts.District",
        "大船",
    )
    assert created.changes["name"] == [None, "大船"]
    assert created.municipality_id == kamakura.pk

    services.district_upsert(
        actor="test", municipality=kamakura, name="大船", reading="おおふな", order=4
    )
    updated = AuditEvent.objects.latest("id")
    assert (updated.action, updated.object_id, updated.changes) == (
        "update",
        str(district.pk),
        {"reading": ["", "おおふな"]},
    )


def test_unchanged_upsert_writes_nothing(kamakura: Municipality) -> None:
    services.district_upsert(actor="test", municipality=kamakura, name="腰越", order=2)
    count = AuditEvent.objects.exclude(action="refused").count()
    services.district_upsert(actor="test", municipality=kamakura, name="腰越", order=2)
    assert AuditEvent.objects.exclude(action="refused").count() == count


def test_audit_row_rolls_back_with_the_change(kamakura: Municipality) -> None:
    count = AuditEvent.objects.exclude(action="refused").count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.district_upsert(actor="test", municipality=kamakura, name="玉縄", order=5)
        raise RuntimeError("later step failed")
    assert AuditEvent.objects.exclude(action="refused").count() == count
    assert District.objects.filter(name="玉縄").exists() is False


def test_record_outside_a_transaction_is_refused(kamakura: Municipality) -> None:
    # pytest-django wraps each test in a transaction, so leave it for a moment
    with pytest.raises(RuntimeError, match="inside the transaction"):
        transaction.get_connection().in_atomic_block = False
        try:
            audit.record(actor="x", action="create", municipality=kamakura)
        finally:
            transaction.get_connection().in_atomic_block = True


def test_encrypted_values_are_masked_in_the_log(kamakura: Municipality) -> None:
    user = services.user_upsert(
        actor="test", municipality=kamakura, username="tanaka", display_name="田中"
    )
    before = audit.snapshot(user)
    user.contact_phone = "0467-00-0000"
    assert audit.diff(before, audit.snapshot(user)) == {
        "contact_phone": ["", "（暗号化された値のため記録しません）"]
    }
    user.save()
    with transaction.atomic():
        event = audit.record(
            actor="test",
            action="update",
            obj=user,
            changes=audit.diff(before, audit.snapshot(user)),
        )
    event.refresh_from_db()
    assert "0467" not in str(event.changes)


def test_record_access_for_personal_data(users: dict[str, User]) -> None:
    event = audit.record_access(
        actor=users[Role.SECRETARIAT], obj=users[Role.DEPARTMENT], export=True, detail="名簿の出力"
    )
    assert (event.action, event.actor_id, event.detail, event.object_type) == (
        "export",
        users[Role.SECRETARIAT].pk,
        "名簿の出力",
        "accounts.User",
    )


class TestAppendOnly:
    @pytest.fixture
    def event(self, kamakura: Municipality) -> AuditEvent:
        db_guard.install(connection)  # no-op after migrate; browser tests lift it to empty tables
        return AuditEvent.objects.filter(municipality=kamakura).latest("id")

    def test_model_save_refused(self, event: AuditEvent) -> None:
        event.detail = "書き換え"
        with pytest.raises(AppendOnlyError):
            event.save()

    def test_model_delete_refused(self, event: AuditEvent) -> None:
        with pytest.raises(AppendOnlyError):
            event.delete()

    def test_queryset_update_and_delete_refused(self, event: AuditEvent) -> None:
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).update(detail="x")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).delete()

    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE audit_auditevent SET detail = 'x'",
            "DELETE FROM audit_auditevent",
        ],
    )
    def test_database_refuses_raw_sql(self, event: AuditEvent, sql: str) -> None:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
        event.refresh_from_db()
        assert event.detail == ""


def test_secretariat_browses_and_filters_own_municipality(
    users: dict[str, User], client_for: Callable[[User], Client], fujisawa: Municipality
) -> None:
    services.district_upsert(actor="test", municipality=fujisawa, name="藤沢", order=1)
    client = client_for(users[Role.SECRETARIAT])
    page = client.get("/staff/audit/", {"action": "create", "object_type": "District"})
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 0
    services.district_upsert(
        actor="test", municipality=users[Role.SECRETARIAT].municipality, name="深沢", order=3
    )
    page = client.get("/staff/audit/", {"action": "create", "object_type": "District"})
    rows = list(page.context["page"])
    assert [(r.object_repr, r.municipality_id) for r in rows] == [
        ("深沢", users[Role.SECRETARIAT].municipality_id)
    ]


def test_audit_log_filters_on_one_object(
    users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    municipality = users[Role.SECRETARIAT].municipality
    first = services.district_upsert(actor="test", municipality=municipality, name="腰越", order=2)
    services.district_upsert(actor="test", municipality=municipality, name="玉縄", order=5)
    client = client_for(users[Role.SECRETARIAT])
    page = client.get("/staff/audit/", {"object_type": "District", "object_id": f" {first.pk} "})
    assert [r.object_repr for r in page.context["page"]] == ["腰越"]


def test_audit_filter_rejects_reversed_dates(
    users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    page = client_for(users[Role.SECRETARIAT]).get(
        "/staff/audit/", {"date_from": "2025-05-01", "date_to": "2025-04-01"}
    )
    assert page.context["form"].errors == {
        "date_to": ["終了日は開始日より後の日付にしてください。"]
    }
    assert "終了日は開始日より後の日付にしてください。" in page.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_no_write_endpoint_for_the_log(
    users: dict[str, User], client_for: Callable[[User], Client], method: str
) -> None:
    client = client_for(users[Role.SYSTEM_ADMIN])
    count = AuditEvent.objects.exclude(action="refused").count()
    event = AuditEvent.objects.latest("id")
    assert (
        getattr(client, method)(
            f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"detail": "x"}).status_code
        == 403
    )
    assert client.post("/admin/audit/auditevent/add/", {"detail": "x"}).status_code == 403
    assert AuditEvent.objects.exclude(action="refused").count() == count
