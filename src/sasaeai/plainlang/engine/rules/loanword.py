"""``loanword``: katakana terms that readers may not understand.

A term is a run of katakana, with ー and with ・ between katakana words
(``ケア・マネジメント`` is one term). The whole term is looked up first; failing that,
it is split at word boundaries into the longest listed parts, so ``アウトリーチチーム``
flags its part ``アウトリーチ``. Severity follows where a term is listed:

* the municipality's glossary → ``error``, suggesting its paraphrase;
* the built-in list of hard words → ``warning``, suggesting the built-in paraphrase;
* not listed anywhere, and made of loanwords → ``info``, on the whole term.

A term made only of allowed words (``ボランティアセンター``) is not flagged, nor is one
whose unlisted words are proper nouns or native words written in katakana (``ヤマダ``,
``ゴミ``). After a term is explained in parentheses (``アウトリーチ（訪問による支援）``
or ``訪問による支援（アウトリーチ）``) it is not flagged again in the same document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sasaeai.plainlang.engine.analysis import Analysis
from sasaeai.plainlang.engine.lexicon import Entry, Kind, Lexicon
from sasaeai.plainlang.engine.model import Severity
from sasaeai.plainlang.engine.rules.base import Hit, Rule
from sasaeai.plainlang.engine.text import explained_at, lookup_key

_KANA = "ァ-ヴヷ-ヺｦ-ﾝ"  # katakana letters, full and half width (not ヵ ヶ, used as counters)
_MARKS = "ーヽヾｰﾞﾟ"
TERM = re.compile(rf"[{_KANA}][{_KANA}{_MARKS}]*(?:[・･][{_KANA}][{_KANA}{_MARKS}]*)*")
_DOTS = "・･"
# Word origins (語種) of loanwords; unknown words have none and are treated alike.
_LOAN_ORIGINS = frozenset({"外", "混", ""})


@dataclass(frozen=True, slots=True)
class _Part:
    start: int
    end: int
    entry: Entry | None


class LoanwordRule(Rule):
    rule_id = "loanword"

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon.katakana
        self._explained: set[str] = set()

    def check(self, analysis: Analysis) -> Iterator[Hit]:
        text = analysis.text
        for match in TERM.finditer(text):
            start, end = match.span()
            if end - start < 2:
                continue
            if explained_at(text, start, end):
                self._explained.update(self._keys(text, start, end, analysis))
                continue
            yield from self._term(text, start, end, analysis)

    def _term(self, text: str, start: int, end: int, analysis: Analysis) -> Iterator[Hit]:
        parts = self._split(text, start, end, analysis)
        listed = [
            (part, part.entry)
            for part in parts
            if part.entry is not None and part.entry.kind is not Kind.ALLOWED
        ]
        for part, entry in listed:
            term = text[part.start : part.end]
            if lookup_key(term) not in self._explained:
                yield _listed_hit(term, part.start, entry)
        unknown = [part for part in parts if part.entry is None]
        if listed or not unknown or lookup_key(text[start:end]) in self._explained:
            return
        if any(_is_loan(analysis, part) for part in unknown):
            term = text[start:end]
            message = (
                f"「{term}」はなじみの薄いカタカナ語かもしれません。"
                "言い換えるか、初出で説明を添えてください。"
            )
            yield Hit(start, end - start, Severity.INFO, message, None)

    def _split(self, text: str, start: int, end: int, analysis: Analysis) -> list[_Part]:
        """Cover the term, left to right, with the longest listed parts at word boundaries.

        Words that start no listed part become parts of their own, without an entry.
        """
        bounds = _boundaries(text, start, end, analysis)
        parts: list[_Part] = []
        i = 0
        while i < len(bounds) - 1:
            if text[bounds[i]] in _DOTS:
                i += 1
                continue
            for j in range(len(bounds) - 1, i, -1):
                if text[bounds[j] - 1] in _DOTS:
                    continue
                entry = self._lexicon.get(lookup_key(text[bounds[i] : bounds[j]]))
                if entry is not None:
                    parts.append(_Part(bounds[i], bounds[j], entry))
                    i = j
                    break
            else:
                parts.append(_Part(bounds[i], bounds[i + 1], None))
                i += 1
        return parts

    def _keys(self, text: str, start: int, end: int, analysis: Analysis) -> set[str]:
        """The keys an explanation covers: the whole term and its listed parts."""
        parts = self._split(text, start, end, analysis)
        keys = {lookup_key(text[start:end])}
        keys.update(lookup_key(text[p.start : p.end]) for p in parts if p.entry is not None)
        return keys


def _boundaries(text: str, start: int, end: int, analysis: Analysis) -> list[int]:
    """Word boundaries inside a term, from its tokens and its ・ marks, ends included."""
    bounds = {start, end}
    for token in analysis.tokens_in(start, end):
        bounds.update(offset for offset in (token.start, token.end) if start < offset < end)
    for offset in range(start, end):
        if text[offset] in _DOTS:
            bounds.update((offset, offset + 1))
    return sorted(bounds)


def _is_loan(analysis: Analysis, part: _Part) -> bool:
    """Whether a part holds a loanword: not only proper nouns or native words."""
    tokens = analysis.tokens_in(part.start, part.end)
    return not tokens or any(
        token.goshu in _LOAN_ORIGINS and token.pos2 != "固有名詞" for token in tokens
    )


def _listed_hit(term: str, start: int, entry: Entry) -> Hit:
    if entry.kind is Kind.GLOSSARY:
        note = f"（{entry.note}）" if entry.note else ""
        message = (
            f"「{term}」は用語集で言い換えることになっている語です。"
            f"「{entry.paraphrase}」と書いてください。{note}"
        )
        severity = Severity.ERROR
    else:
        message = (
            f"「{term}」は分かりにくいカタカナ語です。"
            f"「{entry.paraphrase}」などに言い換えるか、初出で説明を添えてください。"
        )
        severity = Severity.WARNING
    return Hit(start, len(term), severity, message, entry.paraphrase)
