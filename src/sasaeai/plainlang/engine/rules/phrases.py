"""Rules that look for wordings: ``expression``, ``double-negative`` and ``redundant``."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterable, Iterator, Mapping

from sasaeai.plainlang.engine.analysis import Analysis
from sasaeai.plainlang.engine.config import (
    PATTERN_TIME_LIMIT,
    Config,
    ExpressionEntry,
    RegexPattern,
)
from sasaeai.plainlang.engine.lexicon import builtin_expressions, phrase_data
from sasaeai.plainlang.engine.model import Severity
from sasaeai.plainlang.engine.rules.base import (
    Hit,
    Match,
    Pattern,
    Phrase,
    Rule,
    find_phrases,
    first_hits,
)

_EXPRESSION_MESSAGE = "「{text}」は「{preferred}」と書くほうが分かりやすくなります。"
_DOUBLE_NEGATIVE_MESSAGE = (
    "「{text}」は二重否定で、意味がとりにくくなります。肯定の形で書いてください。"
)
_REDUNDANT_MESSAGE = "「{text}」は「{preferred}」と短く書けます。"
_TOO_SLOW_MESSAGE = (
    "設定の表現「{pattern}」（正規表現）は調べるのに時間がかかりすぎるため、この文書では"
    "途中で調べるのをやめました（上限 {limit} 秒）。事務局は、わかりやすさチェックの設定で"
    "この正規表現を書き直してください。"
)
# Once a pattern's time is nearly spent, it still gets this much, so that running out is
# always seen (as a timeout) and reported.
_LEAST_TIME = 0.001


class ExpressionRule(Rule):
    """The municipality's preferred expressions, and the shipped ones unless turned off.

    Each entry has its own severity (``warning`` unless set). Each of the municipality's
    regular expressions may take ``PATTERN_TIME_LIMIT`` seconds over the whole document;
    one that takes longer is stopped there and reported once, as a ``warning`` at the
    start of the block where it stopped, and the check goes on without it.
    """

    rule_id = "expression"

    def __init__(self, config: Config) -> None:
        # The municipality's regular expressions, by index in ``_phrases``, and the seconds
        # each has left in this document (None once it has run out and been reported).
        self._timed: dict[int, RegexPattern] = {
            index: entry.matcher() for index, entry in enumerate(config.expressions) if entry.regex
        }
        self._time_left: dict[int, float | None] = dict.fromkeys(self._timed, PATTERN_TIME_LIMIT)
        own = (
            _expression_phrase(entry, self._timed.get(index) or entry.compiled())
            for index, entry in enumerate(config.expressions)
        )
        shipped = builtin_expressions() if config.builtin_expressions else ()
        self._phrases = (*own, *(_expression_phrase(e, e.compiled()) for e in shipped))

    def check(self, analysis: Analysis) -> Iterator[Hit]:
        text = analysis.text
        stopped: list[Hit] = []
        found: list[tuple[Phrase, Iterable[Match]]] = []
        for index, phrase in enumerate(self._phrases):
            if index not in self._timed:
                found.append((phrase, phrase.pattern.finditer(text)))
                continue
            matches, complete = self._timed_matches(index, text)
            found.append((phrase, matches))
            if not complete:
                stopped.append(_too_slow(phrase, text))
        return iter([*stopped, *first_hits(text, found)])

    def _timed_matches(self, index: int, text: str) -> tuple[list[Match], bool]:
        """The matches found in the time the pattern has left; False if it ran out here."""
        left = self._time_left[index]
        if left is None:
            return [], True
        matches: list[Match] = []
        start = time.process_time()
        try:
            for match in self._timed[index].finditer(text, timeout=left):
                matches.append(match)
        except TimeoutError:
            self._time_left[index] = None
            return matches, False
        self._time_left[index] = max(left - (time.process_time() - start), _LEAST_TIME)
        return matches, True


def _too_slow(phrase: Phrase, text: str) -> Hit:
    message = _TOO_SLOW_MESSAGE.format(pattern=phrase.pattern.pattern, limit=PATTERN_TIME_LIMIT)
    return Hit(0, min(len(text), 1), Severity.WARNING, message, None)


def _expression_phrase(entry: ExpressionEntry, pattern: Pattern) -> Phrase:
    return Phrase(
        pattern=pattern,
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
