"""Morphological analysis with the process's MeCab tagger (``core.mecab``: UniDic).

The tagger gives one tab-separated line of fields per token. Tokens are kept column by
column, in flat lists filled by C-level string and iterator operations, so a long document
does not create a Python object per token; ``Token`` objects are made only when a rule asks
for some.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from sasaeai.core.mecab import (
    FIELDS,
    GOSHU,
    POS1,
    POS2,
    POS3,
    SURFACE,
    SURFACE_WITH_BLANKS,
    UNSAFE,
    tagger,
)


class Token(NamedTuple):
    """One UniDic short unit, with its offset in the analysed text.

    ``pos1``/``pos2``/``pos3`` are UniDic's part-of-speech levels (``名詞``/``固有名詞``/…)
    and ``goshu`` its word origin (``和``, ``漢``, ``外``, ``混``, ``固``, ``記号``), empty
    for unknown words. Fields that UniDic leaves as ``*`` are empty strings.
    """

    start: int
    surface: str
    pos1: str
    pos2: str
    pos3: str
    goshu: str

    @property
    def end(self) -> int:
        return self.start + len(self.surface)


@dataclass(slots=True)
class Tokens:
    """The tokens of a text, in order, one list per field."""

    starts: list[int] = field(default_factory=list)
    surfaces: list[str] = field(default_factory=list)
    pos1: list[str] = field(default_factory=list)
    pos2: list[str] = field(default_factory=list)
    pos3: list[str] = field(default_factory=list)
    goshu: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, index: int) -> Token:
        return Token(
            self.starts[index],
            self.surfaces[index],
            self.pos1[index],
            self.pos2[index],
            self.pos3[index],
            self.goshu[index],
        )

    def __iter__(self) -> Iterator[Token]:
        return map(Token, self.starts, self.surfaces, self.pos1, self.pos2, self.pos3, self.goshu)

    def indices(self, start: int, end: int) -> range:
        """Indices of the tokens that overlap ``[start, end)``."""
        first = bisect.bisect_right(self.starts, start) - 1
        if first < 0 or self.starts[first] + len(self.surfaces[first]) <= start:
            first += 1
        return range(first, bisect.bisect_left(self.starts, end))

    def add(self, text: str, start: int = 0, end: int | None = None) -> None:
        """Tokenise ``text[start:end]`` (no line breaks in it) and append its tokens.

        Offsets come from adding up the surfaces with their leading blanks, which MeCab
        gives back exactly; should they ever not add up to the text, each surface is
        looked for in the text instead.
        """
        chunk = text[start:end]
        if "\t" in chunk or "\0" in chunk:
            chunk = chunk.translate(UNSAFE)
        output = tagger().parse(chunk)
        if not output:
            return
        fields = output.replace("\n", "\t").split("\t")
        with_blanks, surfaces = fields[SURFACE_WITH_BLANKS::FIELDS], fields[SURFACE::FIELDS]
        if chunk.startswith("".join(with_blanks)):
            ends = itertools.accumulate(map(len, with_blanks), initial=start)
            next(ends)
            self.starts.extend(map(operator.sub, ends, map(len, surfaces)))
        else:
            surfaces = self._find(chunk, start, surfaces)
        count = len(surfaces)
        self.surfaces.extend(surfaces)
        self.pos2.extend(fields[POS2::FIELDS][:count])
        self.pos3.extend(fields[POS3::FIELDS][:count])
        self.goshu.extend(fields[GOSHU::FIELDS][:count])
        self.pos1.extend(fields[POS1::FIELDS][:count])

    def _find(self, chunk: str, start: int, surfaces: list[str]) -> list[str]:
        """Place each surface by searching; keep those found, up to the first missing one."""
        position = 0
        placed: list[str] = []
        for surface in surfaces:
            found = chunk.find(surface, position)
            if found < 0:
                break
            self.starts.append(start + found)
            placed.append(surface)
            position = found + len(surface)
        return placed


def tokenize(text: str) -> list[Token]:
    """The tokens of one line of text."""
    tokens = Tokens()
    tokens.add(text)
    return list(tokens)
