"""The process's one MeCab tagger: fugashi over UniDic (unidic-lite). Pure Python, no Django.

Loading the dictionary takes time and memory, so a process loads it once (:func:`tagger`),
and every user of Japanese morphology shares it: the plain-language checker's tokenizer
(``plainlang.engine.tokenizer``: offsets, parts of speech, word origin) and the readings of
names for search (``core.textnorm.reading``: each word's kana).

``fugashi.Tagger()`` finds unidic-lite by itself, but reading features node by node costs
Python objects per token and a parse of the whole feature string. The tagger asks MeCab for
just the fields its users need, as one tab-separated line per token (:data:`FIELDS` of
them, in the order of the ``*`` indices below), so a caller splits the output with C-level
string operations. A feature UniDic leaves as ``*`` comes out empty, unknown words have
only their part-of-speech fields, and the output has no end-of-sentence line.
"""

from __future__ import annotations

import functools
import shlex
import threading

import fugashi
import unidic_lite

# Per token: the surface with the blanks before it (%M), the surface (%m), then UniDic's
# f[1] pos2, f[2] pos3, f[12] goshu (語種), f[17] kana (仮名形出現形), f[0] pos1. pos1 comes
# last because it is never empty: fugashi strips the output's trailing whitespace, which
# would eat empty fields at the end of the last line.
_NODE_FORMAT = r"%M\t%m\t%f[1]\t%f[2]\t%f[12]\t%f[17]\t%f[0]\n"
# Unknown words have only the part-of-speech fields: no goshu, no reading.
_UNKNOWN_FORMAT = r"%M\t%m\t%f[1]\t%f[2]\t\t\t%f[0]\n"

#: The fields of one token in :meth:`Tagger.parse`'s output, by position.
SURFACE_WITH_BLANKS, SURFACE, POS2, POS3, GOSHU, KANA, POS1 = range(7)
FIELDS = 7

#: MeCab reads a NUL as the end of its input, and the output separates fields with tabs:
#: callers replace these in the text they parse (``text.translate(UNSAFE)``).
UNSAFE = str.maketrans({"\t": " ", "\0": " "})


class Tagger:
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
        """One line per token of ``text`` (which holds no line break, tab or NUL), each of
        :data:`FIELDS` tab-separated fields; an empty string for an empty text."""
        with self._lock:
            return str(self._tagger.parse(text))


@functools.cache
def tagger() -> Tagger:
    """The process's tagger, created on first use."""
    return Tagger()
