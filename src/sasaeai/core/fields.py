"""Model fields for personal data, encrypted at rest."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Lookup, Transform
from django.db.models.lookups import IsNull
from django.utils.translation import gettext_lazy as _

from sasaeai.core import crypto


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token. Only ``isnull`` lookups work: ciphertext can't be searched.

    The ``encrypted`` marker lets the audit log mask values and the key rotation command find
    every such column.
    """

    encrypted = True
    description = _("暗号化されたテキスト")

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return IsNull
        return None

    def get_transform(self, lookup_name: str) -> type[Transform] | None:
        return None
