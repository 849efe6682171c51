"""Running the rules over a document and collecting a report."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from sasaeai.plainlang.engine import readability
from sasaeai.plainlang.engine.analysis import Analysis, analyze, blocks
from sasaeai.plainlang.engine.config import Config
from sasaeai.plainlang.engine.model import Finding, ParagraphReadability, Report, Segment
from sasaeai.plainlang.engine.rules import Rule, rule_makers
from sasaeai.plainlang.engine.sources import Source, check_characters
from sasaeai.plainlang.engine.text import LineIndex


class Checker:
    """The rules of one configuration, ready to check any number of documents.

    Building a checker reads the word lists once; reuse it for many documents, from any
    number of threads.
    """

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self._rule_makers = rule_makers(self.config)

    def check(self, text: str) -> Report:
        return self.check_segments([Segment(text)])

    def check_source(self, source: Source) -> Report:
        return self.check_segments(source.segments)

    def check_segments(self, segments: Iterable[Segment]) -> Report:
        """Check the segments of one document, in order.

        Explanations and first uses count across segments: a term explained in the
        first paragraph is not flagged in the tenth. A segment holding a lone surrogate
        (``"\\ud800"`` from a JSON string) raises ``SourceError`` naming where it is.
        """
        rules = [make() for make in self._rule_makers]
        findings: list[Finding] = []
        paragraphs: list[ParagraphReadability] = []
        total = readability.Counts()
        for segment in segments:
            where = "文章" if segment.location is None else f"「{segment.location}」"
            check_characters(segment.text, what=where)
            placer = _Placer(segment)
            segment_findings: list[Finding] = []
            for start, end in blocks(segment.text):
                analysis = analyze(segment.text[start:end])
                segment_findings.extend(self._findings(rules, analysis, placer, start))
                for counts, paragraph in _paragraphs(analysis, placer, start):
                    total += counts
                    paragraphs.append(paragraph)
            segment_findings.sort(
                key=lambda finding: (finding.offset, finding.length, finding.rule)
            )
            findings.extend(segment_findings)
        return Report(tuple(findings), readability.score(total), tuple(paragraphs))

    def _findings(
        self, rules: Sequence[Rule], analysis: Analysis, placer: _Placer, base: int
    ) -> Iterator[Finding]:
        for rule in rules:
            override = self.config.rule(rule.rule_id).severity
            for hit in rule.check(analysis):
                offset = base + hit.offset
                line, column = placer.lines.position(offset)
                yield Finding(
                    rule=rule.rule_id,
                    severity=override or hit.severity,
                    offset=offset,
                    length=hit.length,
                    line=line,
                    column=column,
                    text=analysis.text[hit.offset : hit.offset + hit.length],
                    message=hit.message,
                    suggestion=hit.suggestion,
                    location=placer.location,
                )


class _Placer:
    """Places offsets of one segment: its lines and its location label."""

    def __init__(self, segment: Segment) -> None:
        self.lines = LineIndex(segment.text)
        self.location = segment.location


def _paragraphs(
    analysis: Analysis, placer: _Placer, base: int
) -> Iterator[tuple[readability.Counts, ParagraphReadability]]:
    for paragraph in analysis.paragraphs:
        start, end = paragraph.span
        indices = analysis.tokens.indices(start, end)
        counts = readability.count(analysis.tokens, indices, paragraph.sentence_count)
        score = readability.score(counts)
        if score is not None:
            line, _ = placer.lines.position(base + start)
            yield counts, ParagraphReadability(base + start, line, score, placer.location)


def check(text: str, config: Config | None = None) -> Report:
    """Check one text with all enabled rules."""
    return Checker(config).check(text)


def check_many(texts: Iterable[str], config: Config | None = None) -> list[Report]:
    """Check several texts as separate documents, reading the word lists once."""
    checker = Checker(config)
    return [checker.check(text) for text in texts]
