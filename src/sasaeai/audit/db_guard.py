"""Database triggers that make the audit log append-only, for SQLite and PostgreSQL.

The migration installs them. Test teardown of browser tests (which must empty every table
between tests) lifts them with ``lift`` and puts them back with ``install``.
"""

from __future__ import annotations

from typing import Any

INSTALL: dict[str, list[str]] = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update
        BEFORE UPDATE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
        """CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete
        BEFORE DELETE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
        # INSERT OR REPLACE (and REPLACE, UPDATE OR REPLACE) deletes the row it conflicts with
        # without firing delete triggers (unless recursive triggers are on): refuse an insert
        # that would meet an existing row.
        """CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_replace
        BEFORE INSERT ON audit_auditevent
        WHEN EXISTS (SELECT 1 FROM audit_auditevent WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_auditevent_refuse() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_change ON audit_auditevent;",
        """CREATE TRIGGER audit_auditevent_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
        FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse();""",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;",
        """CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
        FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse();""",
    ],
}

LIFT: dict[str, list[str]] = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_delete;",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_replace;",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_auditevent_no_change ON audit_auditevent;",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;",
        "DROP FUNCTION IF EXISTS audit_auditevent_refuse();",
    ],
}


def _execute(connection: Any, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for statement in statements.get(connection.vendor, []):
            cursor.execute(statement)


def install(connection: Any) -> None:
    _execute(connection, INSTALL)


def lift(connection: Any) -> None:
    _execute(connection, LIFT)
