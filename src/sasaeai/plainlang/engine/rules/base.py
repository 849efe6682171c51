"""What every rule shares: the hit it reports and the phrase matcher three rules use."""

from __future__ import annotations

import abc
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

from sasaeai.plainlang.engine.analysis import Analysis
from sasaeai.plainlang.engine.model import Severity


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

    pattern: re.Pattern[str]
    preferred: str | None
    severity: Severity
    message: str
    expand: bool = True
    unless_before: re.Pattern[str] | None = None

    def suggestion(self, match: re.Match[str]) -> str | None:
        if self.preferred is None:
            return None
        return match.expand(self.preferred) if self.expand else self.preferred

    def hit(self, match: re.Match[str]) -> Hit:
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
    matches = []
    for index, phrase in enumerate(phrases):
        for match in phrase.pattern.finditer(text):
            if match.end() == match.start() or _excluded(text, match, phrase):
                continue
            matches.append((match.start(), -match.end(), index, match, phrase))
    matches.sort(key=lambda item: item[:3])
    end = -1
    for start, negative_end, _, match, phrase in matches:
        if start >= end:
            end = -negative_end
            yield phrase.hit(match)


def _excluded(text: str, match: re.Match[str], phrase: Phrase) -> bool:
    if phrase.unless_before is None:
        return False
    before = text[max(match.start() - _LOOKBEHIND, 0) : match.start()]
    return phrase.unless_before.search(before) is not None
