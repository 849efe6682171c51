"""Japanese text normalisation for matching: ``fold`` and ``reading``.

``fold`` makes the spellings a resident may type compare equal: 「さろん」, 「サロン」 and
「ｻﾛﾝ」 all fold to 「さろん」, and 「ﾃﾞｲｻｰﾋﾞｽ」 folds like 「デイサービス」. Steps, in order:

1. Unicode NFKC (full-width ASCII → ASCII, half-width katakana → katakana, ㈱ → (株), …);
2. katakana → hiragana (jaconv), so a reading in either script compares equal;
3. lower-case;
4. the long vowel mark: the dash-like characters written after kana in place of 「ー」
   (「－」「‐」「―」「−」「~」 …) become 「ー」, which is kept;
5. spaces (any white space) and middle dots (「・」 and its look-alikes) are removed, so
   「子ども・子育て」 and 「子ども 子育て」 fold like 「子ども子育て」.

``reading`` gives the hiragana reading of a text from UniDic (the process's one MeCab
tagger, ``core.mecab``, which the plain-language checker shares); words UniDic does not
know, numbers and symbols are kept as written. Neither function touches the database.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping

import jaconv

from sasaeai.core import mecab

_MIDDLE_DOTS = "\u30fb\uff65\u00b7\u2027\u2219\u22c5"  # ・ ･ · ‧ ∙ ⋅
# ー and the dashes and tildes typed in its place: - ‐ ‑ ‒ – — ― − ~ 〜 ～
_LONG_VOWEL_LOOKALIKES = "\u30fc-\u2010\u2011\u2012\u2013\u2014\u2015\u2212~\u301c\uff5e"
# A dash-like character right after a kana (or another long vowel mark) is a long vowel mark.
_LONG_VOWEL = re.compile(
    rf"(?<=[\u3041-\u3096\u30a1-\u30fa\u30fc])[{re.escape(_LONG_VOWEL_LOOKALIKES)}]"
)
_DROP = re.compile(rf"[\s{_MIDDLE_DOTS}]+")


def fold(text: str) -> str:
    """The matching form of ``text``: NFKC, hiragana, lower case, no spaces or middle dots."""
    if not text:
        return ""
    folded = jaconv.kata2hira(unicodedata.normalize("NFKC", text)).lower()
    folded = _LONG_VOWEL.sub("\u30fc", folded)
    return _DROP.sub("", folded)


_UNSAFE = str.maketrans({"\t": " ", "\0": " ", "\n": " ", "\r": " "})


def reading(text: str, known: Mapping[str, str] | None = None) -> str:
    """The hiragana reading of ``text`` (「訪問看護」 → 「ほうもんかんご」).

    Kana stay as they are (katakana become hiragana); numbers, Latin letters, symbols and
    words UniDic does not know are kept as written, after NFKC. Runs of white space
    between words become one space.

    ``known`` gives readings UniDic gets wrong, usually the municipality's place names
    (UniDic reads 「大船」 as 「おおぶね」; in Kamakura it is 「おおふな」): where a key
    occurs in the text (longest first; keys of one character are ignored, as they occur
    inside too many other words), its reading is used instead.
    """
    words = unicodedata.normalize("NFKC", text).translate(_UNSAFE).split()
    pattern = _known_pattern(tuple(sorted(known or {}))) if known else None
    if pattern is None or known is None:
        return jaconv.kata2hira(" ".join(_read_word(word) for word in words))
    normalized = {unicodedata.normalize("NFKC", key): value for key, value in known.items()}
    read: list[str] = []
    for word in words:
        parts: list[str] = []
        for index, piece in enumerate(pattern.split(word)):
            if index % 2:  # a known name (the pattern's group)
                parts.append(jaconv.kata2hira(normalized[piece]))
            elif piece:
                parts.append(_read_word(piece))
        read.append("".join(parts))
    return jaconv.kata2hira(" ".join(read))


@functools.lru_cache(maxsize=32)
def _known_pattern(keys: tuple[str, ...]) -> re.Pattern[str] | None:
    names = sorted(
        {unicodedata.normalize("NFKC", key) for key in keys if len(key.strip()) > 1},
        key=lambda name: (-len(name), name),
    )
    if not names:
        return None
    return re.compile("(" + "|".join(map(re.escape, names)) + ")")


def _read_word(word: str) -> str:
    """Each token's kana, or its surface when UniDic has no reading for it."""
    fields = mecab.tagger().parse(word).replace("\n", "\t").split("\t")
    return "".join(
        kana if kana and kana != "*" else surface
        for surface, kana in zip(
            fields[mecab.SURFACE :: mecab.FIELDS], fields[mecab.KANA :: mecab.FIELDS], strict=False
        )
    )
