"""A text analysed once and shared by all rules: lines, tokens, sentences, paragraphs."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sasaeai.plainlang.engine.text import Span, is_blank, line_spans, sentences_in_line
from sasaeai.plainlang.engine.tokenizer import Token, Tokens

# Lines longer than this are tokenised in pieces, cut after a sentence end where one is
# near: MeCab's lattice for one very long line would take a lot of memory.
MAX_CHUNK = 4000
# Long texts are analysed in blocks of about this size, cut at blank lines, so that the
# memory held at once (and the garbage collector's work) does not grow with the text.
BLOCK_SIZE = 64_000
_BLANK_LINE = re.compile(r"(?:\r\n|\r|\n)[ \t\u3000]*(?:\r\n|\r|\n)")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Consecutive non-blank lines, with the sentences that lie in them."""

    span: Span
    sentence_count: int


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the rules read: the text, its tokens, sentences and paragraphs.

    Sentences never cross a line; paragraphs are separated by blank lines.
    """

    text: str
    tokens: Tokens
    sentences: Sequence[Span]
    paragraphs: Sequence[Paragraph]

    def tokens_in(self, start: int, end: int) -> list[Token]:
        """The tokens that overlap ``[start, end)``."""
        return [self.tokens[index] for index in self.tokens.indices(start, end)]

    def token_ending_at(self, offset: int) -> Token | None:
        index = bisect.bisect_left(self.tokens.starts, offset) - 1
        if index >= 0 and self.tokens[index].end == offset:
            return self.tokens[index]
        return None


def blocks(text: str, size: int = BLOCK_SIZE) -> Iterator[Span]:
    """Spans that cover the text, each (but the last) at least ``size`` long and ending
    after a blank line. No rule looks across a blank line, so blocks can be analysed
    one by one; a text without blank lines stays whole."""
    start = 0
    while len(text) - start > size:
        blank = _BLANK_LINE.search(text, start + size)
        if blank is None:
            break
        yield Span(start, blank.end())
        start = blank.end()
    yield Span(start, len(text))


def analyze(text: str) -> Analysis:
    tokens = Tokens()
    sentences: list[Span] = []
    paragraphs: list[Paragraph] = []
    paragraph_start: int | None = None
    paragraph_end = 0
    paragraph_sentences = 0
    for line in line_spans(text):
        if is_blank(text, line):
            if paragraph_start is not None:
                paragraphs.append(
                    Paragraph(Span(paragraph_start, paragraph_end), paragraph_sentences)
                )
                paragraph_start = None
            continue
        if paragraph_start is None:
            paragraph_start, paragraph_sentences = line.start, 0
        paragraph_end = line.end
        line_sentences = list(sentences_in_line(text, line))
        sentences.extend(line_sentences)
        paragraph_sentences += len(line_sentences)
        for start, end in _chunks(line, line_sentences):
            tokens.add(text, start, end)
    if paragraph_start is not None:
        paragraphs.append(Paragraph(Span(paragraph_start, paragraph_end), paragraph_sentences))
    return Analysis(
        text=text,
        tokens=tokens,
        sentences=sentences,
        paragraphs=paragraphs,
    )


def _chunks(line: Span, sentences: Sequence[Span]) -> list[Span]:
    """Pieces of a line of at most about ``MAX_CHUNK`` characters, cut between sentences."""
    if line.end - line.start <= MAX_CHUNK:
        return [line]
    chunks: list[Span] = []
    start = line.start
    for sentence in sentences:
        while sentence.end - start > MAX_CHUNK:  # a sentence too long to keep whole
            if sentence.start > start:
                chunks.append(Span(start, sentence.start))
                start = sentence.start
            else:
                chunks.append(Span(start, start + MAX_CHUNK))
                start += MAX_CHUNK
        if sentence.end - start > MAX_CHUNK // 2:
            chunks.append(Span(start, sentence.end))
            start = sentence.end
    if start < line.end:
        chunks.append(Span(start, line.end))
    return chunks
