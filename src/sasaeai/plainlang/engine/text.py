"""Plain-text helpers: lines, sentences, lookup keys and explanations."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

LINE_BREAK = re.compile(r"\r\n|\r|\n")

# 。！？ end a sentence; so do ! and ? unless part of a URL or an English word, and ．
# unless a digit follows (３．５). Closing brackets right after stay with the sentence.
_SENTENCE_END = re.compile(r"(?:[。！？]|[!?](?![0-9A-Za-z=&])|．(?![0-9０-９]))+[」』）)】〕]*")
_BLANK = " \t\u3000"
# A list marker at the start of a line: ・ ● ■ ① (1) １. and the like.
_BULLET = re.compile(
    r"[ \t\u3000]*(?:[・•●○◎■□◆◇▪※＊*\-－]|[①-⑳]|[(（][0-9０-９]{1,3}[)）]"
    r"|[0-9０-９]{1,3}[)）]|[0-9０-９]{1,3}[.．](?![0-9０-９]))[ \t\u3000]*"
)
# A parenthesised explanation, e.g. the （訪問による支援） in アウトリーチ（訪問による支援）.
EXPLANATION = re.compile(r"[（(][^（()）\r\n]+[）)]")
OPENING_PARENS = "（("
CLOSING_PARENS = "）)"


class Span(NamedTuple):
    start: int
    end: int


class LineIndex:
    """Maps offsets to 1-based (line, column) pairs.

    A line ends at CRLF, CR or LF; the break itself belongs to no line.
    """

    def __init__(self, text: str) -> None:
        self._starts = [0, *(match.end() for match in LINE_BREAK.finditer(text))]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1


def line_spans(text: str) -> Iterator[Span]:
    """The lines of a text, without their line breaks."""
    start = 0
    for match in LINE_BREAK.finditer(text):
        yield Span(start, match.start())
        start = match.end()
    yield Span(start, len(text))


def is_blank(text: str, span: Span) -> bool:
    return not text[span.start : span.end].strip()


def sentences_in_line(text: str, line: Span) -> Iterator[Span]:
    """The sentences of one line, without a leading list marker or surrounding blanks."""
    bullet = _BULLET.match(text, line.start, line.end)
    start = bullet.end() if bullet else line.start
    for match in _SENTENCE_END.finditer(text, start, line.end):
        sentence = _trim(text, start, match.end())
        if sentence:
            yield sentence
        start = match.end()
    sentence = _trim(text, start, line.end)
    if sentence:
        yield sentence


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start] in _BLANK:
        start += 1
    while end > start and text[end - 1] in _BLANK:
        end -= 1
    return Span(start, end) if start < end else None


def lookup_key(term: str) -> str:
    """The form in which terms are compared: NFKC, without ・ or a final prolonged mark.

    ``ｹｱ･ﾏﾈｼﾞﾒﾝﾄ``, ``ケア・マネジメント`` and ``ケアマネジメント`` share a key, as do
    ``コーディネーター`` and ``コーディネータ``.
    """
    return unicodedata.normalize("NFKC", term).replace("・", "").rstrip("ー")


def explained_at(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` comes with an explanation in parentheses.

    Either the explanation follows at once (``アウトリーチ（訪問による支援）``) or the
    term is itself the parenthesised part after one (``訪問による支援（アウトリーチ）``).
    """
    if EXPLANATION.match(text, end):
        return True
    return (
        start > 0
        and text[start - 1] in OPENING_PARENS
        and end < len(text)
        and text[end] in CLOSING_PARENS
    )
