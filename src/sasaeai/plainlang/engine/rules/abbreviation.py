"""``abbreviation``: Latin-letter abbreviations used without an explanation.

An abbreviation is a Latin word with at least two capital letters (SNS, IoT, SDGs),
in half or full width; full-width letters are folded for matching and the finding keeps
the original offsets. Only the first use of each is checked: it passes if it is
explained in parentheses right after it (``SNS（交流サイト）``, also after a short
suffix as in ``NPO法人（…）``) or stands in parentheses after its explanation
(``交流サイト（SNS）``, ``（略称：SNS）``). Allowed abbreviations (TEL, PDF, …) pass;
glossary ones are errors, all others warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sasaeai.plainlang.engine.analysis import Analysis
from sasaeai.plainlang.engine.lexicon import Entry, Kind, Lexicon
from sasaeai.plainlang.engine.model import Severity
from sasaeai.plainlang.engine.rules.base import Hit, Rule
from sasaeai.plainlang.engine.text import CLOSING_PARENS, EXPLANATION, OPENING_PARENS, lookup_key

# Full-width ASCII (！ to ～) to ASCII: one character for one, so offsets do not move.
_FOLD = str.maketrans({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)})
# A Latin word not part of a URL, an e-mail address, a file name or a longer code.
_WORD = re.compile(r"(?<![A-Za-z0-9_@./\-])[A-Za-z][A-Za-z0-9&]*(?![A-Za-z0-9_@/\-]|\.[A-Za-z0-9])")
_ROMAN_NUMERAL = re.compile(r"[IVX]+")
# A short word that may stand between an abbreviation and its explanation: NPO法人（…）.
_SUFFIX = re.compile(r"[一-龯々ァ-ヴー]{1,6}")
# How far back an opening parenthesis may be for "（略称：SNS）".
_PAREN_REACH = 8


class AbbreviationRule(Rule):
    rule_id = "abbreviation"

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon.abbreviations
        self._seen: set[str] = set()

    def check(self, analysis: Analysis) -> Iterator[Hit]:
        text = analysis.text
        for match in _WORD.finditer(text.translate(_FOLD)):
            word = match.group()
            if sum(char.isupper() for char in word) < 2 or _ROMAN_NUMERAL.fullmatch(word):
                continue
            key = lookup_key(word)
            if key in self._seen:
                continue
            self._seen.add(key)
            entry = self._lexicon.get(key)
            if entry is not None and entry.kind is Kind.ALLOWED:
                continue
            if not _explained(text, match.start(), match.end()):
                yield _hit(text[match.start() : match.end()], match.start(), entry)


def _explained(text: str, start: int, end: int) -> bool:
    suffix = _SUFFIX.match(text, end)
    if EXPLANATION.match(text, end) or (suffix and EXPLANATION.match(text, suffix.end())):
        return True
    if end >= len(text) or text[end] not in CLOSING_PARENS:
        return False
    before = text[max(start - _PAREN_REACH, 0) : start]
    opening = max(before.rfind(paren) for paren in OPENING_PARENS)
    return opening >= 0 and not any(paren in before[opening:] for paren in CLOSING_PARENS)


def _hit(word: str, start: int, entry: Entry | None) -> Hit:
    if entry is not None and entry.kind is Kind.GLOSSARY:
        message = (
            f"「{word}」は用語集で言い換えることになっている語です。"
            f"「{entry.paraphrase}」と書いてください。"
        )
        return Hit(start, len(word), Severity.ERROR, message, entry.paraphrase)
    if entry is not None:
        example = f"{entry.paraphrase}（{word}）"
        message = (
            f"「{word}」は略語です。初めて使うところで「{example}」のように説明を添えてください。"
        )
        return Hit(start, len(word), Severity.WARNING, message, example)
    message = f"「{word}」は略語です。初めて使うところで、意味を括弧書きで添えてください。"
    return Hit(start, len(word), Severity.WARNING, message, None)
