"""Readings (よみがな) of names, with the municipality's own place names read its way.

UniDic reads some place names as they are read elsewhere (「大船」 → 「おおぶね」, 「深沢」 →
「ふかざわ」, 「七里ガ浜」 → 「ななりがはま」); the municipality's districts and towns carry
their readings (accounts.District / Town ``reading``), and these are used wherever a
reading is made from a name: the search index, the staff forms' automatic よみがな and
imports without a カナ column.
"""

from __future__ import annotations

from sasaeai.accounts.models import District, Municipality, Town
from sasaeai.core import textnorm

__all__ = ["place_readings", "read_name"]


def place_readings(municipality: Municipality) -> dict[str, str]:
    """District and town names of ``municipality`` → their readings (two queries)."""
    known: dict[str, str] = {}
    for model in (District, Town):
        rows = model.objects.filter(municipality=municipality).exclude(reading="")
        for name, name_reading in rows.values_list("name", "reading"):
            known.setdefault(name, name_reading)
    return known


def read_name(name: str, municipality: Municipality) -> str:
    """The hiragana reading of ``name``, place names read the municipality's way."""
    return textnorm.reading(name, place_readings(municipality))
