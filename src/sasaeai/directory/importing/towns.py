"""Finding the 町丁目 (and so the 行政地区) of an address among the municipality's towns.

Compared on folded text (``core.textnorm.fold``) with 丁目 numbers in kanji or digits
(「大船一丁目」 = 「大船1丁目」 = 「大船1-…」). The address must *start* with the town's name
once the prefecture and city are removed (「大字」「字」 are skipped); the longest name wins.
"""

from __future__ import annotations

import re

from sasaeai.accounts.models import Municipality, Town
from sasaeai.core.textnorm import fold
from sasaeai.directory.importing import weekly


def _kanji_number(text: str) -> int:
    digits = {char: value for value, char in enumerate(weekly.vocabulary()["kanji_digits"])}
    ten = weekly.vocabulary()["kanji_ten"]
    if ten in text:
        tens, _sep, ones = text.partition(ten)
        return (digits.get(tens, 1) if tens else 1) * 10 + (digits.get(ones, 0) if ones else 0)
    return int("".join(str(digits[char]) for char in text))


def _numbers(text: str) -> str:
    vocabulary = weekly.vocabulary()
    chome = vocabulary["chome_word"]
    kanji = vocabulary["kanji_digits"] + vocabulary["kanji_ten"]
    return re.sub(
        rf"([{kanji}]+)(?={chome})",
        lambda match: str(_kanji_number(match.group(1))),
        text,
    )


def normalize(text: str) -> str:
    value = fold(_numbers(fold(text)))
    for prefix in weekly.vocabulary()["town_prefixes"]:
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value


def _keys(name: str) -> list[str]:
    key = normalize(name)
    chome = fold(weekly.vocabulary()["chome_word"])
    keys = [key]
    match = re.fullmatch(rf"(.+?)(\d+){chome}", key)
    if match:
        keys.append(f"{match.group(1)}{match.group(2)}-")
    return keys


class TownMatcher:
    """The municipality's towns, loaded once (one query), matched against addresses."""

    def __init__(self, municipality: Municipality) -> None:
        towns = Town.objects.filter(municipality=municipality).select_related("district")
        self.by_name = {fold(town.name): town for town in towns}
        self.by_code = {town.town_id: town for town in self.by_name.values() if town.town_id}
        self.entries = sorted(
            ((key, town) for town in self.by_name.values() for key in _keys(town.name)),
            key=lambda entry: -len(entry[0]),
        )

    def match(self, address_1: str, town_code: str = "") -> Town | None:
        if town_code and town_code in self.by_code:
            return self.by_code[town_code]
        value = normalize(address_1)
        for key, town in self.entries:
            if value.startswith(key):
                return town
        return None

    def named(self, name: str) -> Town | None:
        return self.by_name.get(fold(name))
