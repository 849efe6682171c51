"""What every rule shares: the hit it reports and the phrase matcher three rules use."""

from __future__ import annotations

import abc
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar, NamedTuple, TypeAlias

import regex

from sasaeai.plainlang.engine.analysis import Analysis
from sasaeai.plainlang.engine.model import Severity

# A municipality's regular expressions run with the ``regex`` module (which takes a time
# limit), the shipped ones with ``re``.
Pattern: TypeAlias = re.Pattern[str] | regex.Pattern[str]
Match: TypeAlias = re.Match[str] | regex.Match[str]


class Hit(NamedTuple):
    """A rule's finding before the checker adds line, column, text and location."""

    offset: int
    length: int
    severity: Severity
    message: str
    suggestion: str | None


class Rule(abc.ABC):
    """A check over one segment at a time.

    The checker makes new rule objects for each document, so a rule may remember what it
    saw in earlier segments of the same document (an explained term, say).
    """

    rule_id: ClassVar[str]

    @abc.abstractmethod
    def check(self, analysis: Analysis) -> Iterator[Hit]: ...


@dataclass(frozen=True, slots=True)
class Phrase:
    """A wording to flag, found by a regular expression.

    ``preferred`` is a template for ``Match.expand`` when ``expand`` is true, else used
    as it is. ``message`` may contain ``{text}`` and ``{preferred}``. A match is skipped
    when the text just before it matches ``unless_before``.
    """

    pattern: Pattern
    preferred: str | None
    severity: Severity
    message: str
    expand: bool = True
    unless_before: re.Pattern[str] | None = None

    def suggestion(self, match: Match) -> str | None:
        if self.preferred is None:
            return None
        return match.expand(self.preferred) if self.expand else self.preferred

    def hit(self, match: Match) -> Hit:
        suggestion = self.suggestion(match)
        message = self.message.replace("{text}", match.group()).replace(
            "{preferred}", suggestion or ""
        )
        return Hit(match.start(), match.end() - match.start(), self.severity, message, suggestion)


# How far back ``unless_before`` looks.
_LOOKBEHIND = 12


def find_phrases(text: str, phrases: Iterable[Phrase]) -> Iterator[Hit]:
    """Hits of all phrases, without overlaps.

    Where matches overlap, the one that starts first wins, then the longer one, then the
    phrase listed first.
    """
    return first_hits(text, ((phrase, phrase.pattern.finditer(text)) for phrase in phrases))


def first_hits(text: str, found: Iterable[tuple[Phrase, Iterable[Match]]]) -> Iterator[Hit]:
    """The hits of ``find_phrases`` from matches already found, phrase by phrase."""
    matches = []
    for index, (phrase, phrase_matches) in enumerate(found):
        for match in phrase_matches:
            if match.end() == match.start() or _excluded(text, match, phrase):
                continue
            matches.append((match.start(), -match.end(), index, match, phrase))
    matches.sort(key=lambda item: item[:3])
    end = -1
    for start, negative_end, _, match, phrase in matches:
        if start >= end:
            end = -negative_end
            yield phrase.hit(match)


def _excluded(text: str, match: Match, phrase: Phrase) -> bool:
    if phrase.unless_before is None:
        return False
    before = text[max(match.start() - _LOOKBEHIND, 0) : match.start()]
    return phrase.unless_before.search(before) is not None
