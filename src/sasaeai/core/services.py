"""Writes that belong to no single domain: re-encryption under the newest key."""

from __future__ import annotations

from django.apps import apps
from django.db import connection, models, transaction

from sasaeai.core import crypto


def encrypted_columns() -> list[tuple[type[models.Model], models.Field[object, object]]]:
    """Every (model, field) pair stored encrypted, across all installed apps."""
    found: list[tuple[type[models.Model], models.Field[object, object]]] = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if getattr(field, "encrypted", False):
                found.append((model, field))
    return found


@transaction.atomic
def reencrypt_all(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every encrypted column and the canary under the newest key, all or nothing.

    Works on raw column values (no model round-trip), so it neither decrypts into Python
    objects nor touches ``updated_at`` or the audit log: the plaintext does not change.
    """
    from sasaeai.core.models import EncryptionCanary

    targets: list[tuple[type[models.Model], str]] = [
        (model, field.column) for model, field in encrypted_columns()
    ]
    targets.append((EncryptionCanary, "token"))
    counts: dict[str, int] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, column in targets:
            table = quote(model._meta.db_table)
            pk = quote(model._meta.pk.column)
            col = quote(column)
            cursor.execute(f"SELECT {pk}, {col} FROM {table} WHERE {col} IS NOT NULL")  # noqa: S608
            rows = cursor.fetchall()
            for start in range(0, len(rows), batch_size):
                batch = [
                    (crypto.rotate_token(token), key)
                    for key, token in rows[start : start + batch_size]
                ]
                cursor.executemany(
                    f"UPDATE {table} SET {col} = %s WHERE {pk} = %s",  # noqa: S608
                    batch,
                )
            counts[f"{model._meta.label}.{column}"] = len(rows)
    return counts
