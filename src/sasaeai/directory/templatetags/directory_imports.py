"""Template filters of the directory's import pages."""

from __future__ import annotations

from django import template

from sasaeai.directory.importing import result

register = template.Library()


@register.filter
def entity_label(entity: str) -> str:
    """「サービス」, 「団体」 or 「場所」 for a ``core.imports.RowChange``'s entity."""
    return result.entity_label(entity)
