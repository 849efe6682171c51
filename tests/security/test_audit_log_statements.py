"""Point 6: no SQL statement form rewrites or removes an audit row, on either database.

SQLite's ``INSERT OR REPLACE`` deletes the conflicting row and inserts a new one, and its
delete triggers do not fire for that (unless recursive triggers are on); PostgreSQL's upsert
and MERGE go through the update and delete triggers.
"""

# ruff: noqa: S608 - fixed attack statements, not built from input

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from sasaeai.accounts.models import Municipality
from sasaeai.audit import db_guard
from sasaeai.audit.models import AuditEvent

COLUMNS = (
    "id, at, municipality_id, actor_id, actor_label, action, object_type, object_id,"
    " object_repr, changes, detail, ip_address"
)
FORGED = "{id}, '2020-01-01 00:00:00+00', NULL, NULL, 'forger', 'update', '', '', '', '{{}}', 'forged', NULL"

SQLITE_FORMS = {
    "update": "UPDATE audit_auditevent SET detail = 'forged' WHERE id = {id}",
    "delete": "DELETE FROM audit_auditevent WHERE id = {id}",
    "insert_or_replace": f"INSERT OR REPLACE INTO audit_auditevent ({COLUMNS}) VALUES ({FORGED})",
    "replace_into": f"REPLACE INTO audit_auditevent ({COLUMNS}) VALUES ({FORGED})",
    "upsert_do_update": (
        f"INSERT INTO audit_auditevent ({COLUMNS}) VALUES ({FORGED})"
        " ON CONFLICT(id) DO UPDATE SET detail = excluded.detail"
    ),
    "update_or_replace": "UPDATE OR REPLACE audit_auditevent SET detail = 'forged' WHERE id = {id}",
    "insert_select_replace": (
        f"INSERT OR REPLACE INTO audit_auditevent ({COLUMNS})"
        f" SELECT {FORGED.replace('{id}', 'id')} FROM audit_auditevent WHERE id = {{id}}"
    ),
}

POSTGRES_FORMS = {
    "update": "UPDATE audit_auditevent SET detail = 'forged' WHERE id = {id}",
    "delete": "DELETE FROM audit_auditevent WHERE id = {id}",
    "upsert_do_update": (
        f"INSERT INTO audit_auditevent ({COLUMNS}) VALUES ({FORGED})"
        " ON CONFLICT (id) DO UPDATE SET detail = excluded.detail"
    ),
    "merge_update": (
        "MERGE INTO audit_auditevent AS a USING (SELECT {id} AS id) AS s ON a.id = s.id"
        " WHEN MATCHED THEN UPDATE SET detail = 'forged'"
    ),
    "merge_delete": (
        "MERGE INTO audit_auditevent AS a USING (SELECT {id} AS id) AS s ON a.id = s.id"
        " WHEN MATCHED THEN DELETE"
    ),
    "truncate": "TRUNCATE audit_auditevent",
}


# The statement forms of the database the tests run on (settings are loaded at collection).
FORMS = POSTGRES_FORMS if connection.vendor == "postgresql" else SQLITE_FORMS


@pytest.fixture
def event(kamakura: Municipality) -> AuditEvent:
    db_guard.install(connection)  # no-op after migrate; browser tests lift it to empty tables
    return AuditEvent.objects.filter(municipality=kamakura).latest("id")


@pytest.mark.parametrize("form", sorted(FORMS))
def test_no_statement_form_rewrites_or_removes_an_audit_row(event: AuditEvent, form: str) -> None:
    statement = FORMS[form]
    before = list(AuditEvent.objects.order_by("id").values())
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(id=event.pk))
    assert list(AuditEvent.objects.order_by("id").values()) == before


def test_new_audit_rows_are_still_written(event: AuditEvent) -> None:
    """The guard against replacing stops only rows that already exist."""
    from sasaeai.audit import services as audit

    with transaction.atomic():
        audit.record(actor="test", action="update", detail="新しい行")
    assert AuditEvent.objects.latest("id").detail == "新しい行"
    assert AuditEvent.objects.latest("id").pk > event.pk
