"""A text analysed once and shared by all rules: lines, tokens, sentences, paragraphs."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from sasaeai.plainlang.engine.text import LineIndex, Span, is_blank, sentences_in_line
from sasaeai.plainlang.engine.tokenizer import Token, tokenize

# Lines longer than this are tokenised in pieces, cut after a sentence end where one is
# near: MeCab's lattice for one very long line would take a lot of memory.
MAX_CHUNK = 4000


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Consecutive non-blank lines, with the sentences that lie in them."""

    span: Span
    sentence_count: int


@dataclass(frozen=True, slots=True)
class Analysis:
    text: str
    lines: LineIndex
    tokens: Sequence[Token]
    sentences: Sequence[Span]
    paragraphs: Sequence[Paragraph]
    token_starts: Sequence[int]

    def tokens_in(self, start: int, end: int) -> Sequence[Token]:
        """The tokens that overlap ``[start, end)``."""
        first = max(bisect.bisect_right(self.token_starts, start) - 1, 0)
        last = bisect.bisect_left(self.token_starts, end)
        return [token for token in self.tokens[first:last] if token.end > start]

    def token_ending_at(self, offset: int) -> Token | None:
        index = bisect.bisect_left(self.token_starts, offset) - 1
        if index >= 0 and self.tokens[index].end == offset:
            return self.tokens[index]
        return None


def analyze(text: str) -> Analysis:
    lines = LineIndex(text)
    tokens: list[Token] = []
    sentences: list[Span] = []
    paragraphs: list[Paragraph] = []
    paragraph_start: int | None = None
    paragraph_end = 0
    paragraph_sentences = 0
    for line in lines.spans:
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
            tokens.extend(tokenize(text, start, end))
    if paragraph_start is not None:
        paragraphs.append(Paragraph(Span(paragraph_start, paragraph_end), paragraph_sentences))
    return Analysis(
        text=text,
        lines=lines,
        tokens=tokens,
        sentences=sentences,
        paragraphs=paragraphs,
        token_starts=[token.start for token in tokens],
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
