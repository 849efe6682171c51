"""Rules on whole sentences: ``sentence-length`` and ``comma-count``.

Sentences end at 。！？ and at line breaks, so a list item is a sentence of its own;
its list marker (・, ①, (1), …) and the blanks around it are not counted. A finding
covers the whole sentence.
"""

from __future__ import annotations

from collections.abc import Iterator

from sasaeai.plainlang.engine.analysis import Analysis
from sasaeai.plainlang.engine.config import Config
from sasaeai.plainlang.engine.model import Severity
from sasaeai.plainlang.engine.rules.base import Hit, Rule

COMMAS = "、，"


class SentenceLengthRule(Rule):
    """``info`` over ``sentence_length_info`` characters, ``warning`` over the warning limit."""

    rule_id = "sentence-length"

    def __init__(self, config: Config) -> None:
        self._info = config.sentence_length_info
        self._warning = config.sentence_length_warning

    def check(self, analysis: Analysis) -> Iterator[Hit]:
        for start, end in analysis.sentences:
            length = end - start
            if length <= self._info:
                continue
            severity = Severity.WARNING if length > self._warning else Severity.INFO
            message = (
                f"この文は{length}文字あります。{self._info}文字以内を目安に、文を分けてください。"
            )
            yield Hit(start, length, severity, message, None)


class CommaCountRule(Rule):
    """``info`` when a sentence has more than ``comma_max`` 読点 (、 or ，)."""

    rule_id = "comma-count"

    def __init__(self, config: Config) -> None:
        self._max = config.comma_max

    def check(self, analysis: Analysis) -> Iterator[Hit]:
        text = analysis.text
        for start, end in analysis.sentences:
            commas = sum(text.count(comma, start, end) for comma in COMMAS)
            if commas > self._max:
                message = (
                    f"この文には読点（、）が{commas}個あります。"
                    f"{self._max}個以内を目安に、文を分けるか書き換えてください。"
                )
                yield Hit(start, end - start, Severity.INFO, message, None)
