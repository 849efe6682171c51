"""Rules that look for wordings: ``expression``, ``double-negative`` and ``redundant``."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping

from sasaeai.plainlang.engine.analysis import Analysis
from sasaeai.plainlang.engine.config import Config, ExpressionEntry
from sasaeai.plainlang.engine.lexicon import builtin_expressions, phrase_data
from sasaeai.plainlang.engine.model import Severity
from sasaeai.plainlang.engine.rules.base import Hit, Phrase, Rule, find_phrases

_EXPRESSION_MESSAGE = "「{text}」は「{preferred}」と書くほうが分かりやすくなります。"
_DOUBLE_NEGATIVE_MESSAGE = (
    "「{text}」は二重否定で、意味がとりにくくなります。肯定の形で書いてください。"
)
_REDUNDANT_MESSAGE = "「{text}」は「{preferred}」と短く書けます。"


class ExpressionRule(Rule):
    """The municipality's preferred expressions, and the shipped ones unless turned off.

    Each entry has its own severity (``warning`` unless set).
    """

    rule_id = "expression"

    def __init__(self, config: Config) -> None:
        entries: Iterable[ExpressionEntry] = config.expressions
        if config.builtin_expressions:
            entries = (*config.expressions, *builtin_expressions())
        self._phrases = tuple(_expression_phrase(entry) for entry in entries)

    def check(self, analysis: Analysis) -> Iterator[Hit]:
        return find_phrases(analysis.text, self._phrases)


def _expression_phrase(entry: ExpressionEntry) -> Phrase:
    return Phrase(
        pattern=entry.compiled(),
        preferred=entry.preferred,
        severity=entry.severity,
        message=entry.message or _EXPRESSION_MESSAGE,
        expand=entry.regex,
    )


class DoubleNegativeRule(Rule):
    """Double negatives such as ないことはない, ないとは限らない, ざるを得ない."""

    rule_id = "double-negative"

    def __init__(self) -> None:
        self._phrases = _load_phrases(
            "double_negatives.yaml", Severity.WARNING, _DOUBLE_NEGATIVE_MESSAGE
        )

    def check(self, analysis: Analysis) -> Iterator[Hit]:
        return find_phrases(analysis.text, self._phrases)


class RedundantRule(Rule):
    """Wordy phrasings: することができる, ことが可能, させていただく, 検討を行う, …

    ``〜を行う`` after a noun that takes する (UniDic's サ変可能) becomes ``〜する``;
    the other phrasings come from ``data/redundant.yaml``.
    """

    rule_id = "redundant"

    # The forms of 行う after を, and the same forms of する.
    _OKONAU = re.compile(
        "を行(?P<tail>いました|います|いません|いましょう|った|って|う|い|わない|わず|えます|える)"
    )
    _SURU = {
        "いました": "しました",
        "います": "します",
        "いません": "しません",
        "いましょう": "しましょう",
        "った": "した",
        "って": "して",
        "う": "する",
        "い": "し",
        "わない": "しない",
        "わず": "せず",
        "えます": "できます",
        "える": "できる",
    }

    def __init__(self) -> None:
        self._phrases = _load_phrases("redundant.yaml", Severity.INFO, _REDUNDANT_MESSAGE)

    def check(self, analysis: Analysis) -> Iterator[Hit]:
        hits = [*find_phrases(analysis.text, self._phrases), *self._okonau(analysis)]
        return iter(sorted(hits))

    def _okonau(self, analysis: Analysis) -> Iterator[Hit]:
        text = analysis.text
        for match in self._OKONAU.finditer(text):
            noun = analysis.token_ending_at(match.start())
            if noun is None or noun.pos1 != "名詞" or noun.pos3 != "サ変可能":
                continue
            phrase = text[noun.start : match.end()]
            verb = noun.surface + self._SURU[match.group("tail")]
            if text.endswith("の", 0, noun.start):  # 事業の推進を行う → 事業を推進する
                message = f"「の{phrase}」は「を{verb}」のように書くと短くなります。"
                yield Hit(noun.start, len(phrase), Severity.INFO, message, None)
            else:
                message = f"「{phrase}」は「{verb}」と短く書けます。"
                yield Hit(noun.start, len(phrase), Severity.INFO, message, verb)


@functools.cache
def _load_phrases(name: str, severity: Severity, default_message: str) -> tuple[Phrase, ...]:
    return tuple(_phrase(item, severity, default_message) for item in phrase_data(name))


def _phrase(item: Mapping[str, str], severity: Severity, default_message: str) -> Phrase:
    unless_before = item.get("unless_before")
    return Phrase(
        pattern=re.compile(item["pattern"]),
        preferred=item.get("preferred"),
        severity=severity,
        message=item.get("message", default_message),
        unless_before=None if unless_before is None else re.compile(unless_before),
    )
