"""Morphological analysis with fugashi (MeCab) and UniDic (unidic-lite).

``fugashi.Tagger()`` finds unidic-lite by itself, but reading features node by node
costs a Python object per token and a parse of the whole feature string. We ask MeCab
for just the fields we use, as one tab-separated string per line of input, which is
several times faster. The dictionary is the same: unidic-lite's ``DICDIR``.
"""

from __future__ import annotations

import functools
import shlex
import threading
from typing import NamedTuple

import fugashi
import unidic_lite

# UniDic feature columns: f[0] pos1, f[1] pos2, f[2] pos3, f[12] goshu (語種).
# pos1 comes last because it is never empty: fugashi strips the output's trailing
# whitespace, which would eat empty fields at the end of the last row.
_NODE_FORMAT = r"%m\t%f[1]\t%f[2]\t%f[12]\t%f[0]\n"
# Unknown words have only the part-of-speech columns.
_UNKNOWN_FORMAT = r"%m\t%f[1]\t%f[2]\t\t%f[0]\n"

# MeCab reads a NUL as the end of the input, and we use tabs as field separators.
_UNSAFE = str.maketrans({"\t": " ", "\0": " "})


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


class _Tagger:
    """One MeCab tagger, shared by the threads of a process under a lock."""

    def __init__(self) -> None:
        dicdir = unidic_lite.DICDIR
        args = [
            "-r", f"{dicdir}/mecabrc",
            "-d", dicdir,
            "-O", "",
            "-F", _NODE_FORMAT,
            "-U", _UNKNOWN_FORMAT,
            "-E", "",
        ]  # fmt: skip
        self._tagger = fugashi.GenericTagger(shlex.join(args))
        self._lock = threading.Lock()

    @property
    def dictionary_file(self) -> str:
        return str(self._tagger.dictionary_info[0]["filename"])

    def parse(self, text: str) -> str:
        with self._lock:
            return str(self._tagger.parse(text))


@functools.cache
def tagger() -> _Tagger:
    """The process's tagger, created on first use."""
    return _Tagger()


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]``, with offsets into ``text``.

    The span must not contain a line break. MeCab drops spaces between words; each
    surface is found in the text again, so offsets stay exact whatever was dropped.
    """
    chunk = text[start:end]
    output = tagger().parse(chunk.translate(_UNSAFE))
    if not output:
        return []
    tokens: list[Token] = []
    position = 0
    for row in output.split("\n"):
        surface, pos2, pos3, goshu, pos1 = row.split("\t")
        found = chunk.find(surface, position)
        if found < 0:  # MeCab changed the text; keep the tokens we could place.
            break
        tokens.append(Token(start + found, surface, pos1, pos2, pos3, goshu))
        position = found + len(surface)
    return tokens
