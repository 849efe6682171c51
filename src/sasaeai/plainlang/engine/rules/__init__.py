"""The rules, and building the set a configuration asks for."""

from __future__ import annotations

from collections.abc import Callable

from sasaeai.plainlang.engine.config import RULE_IDS, Config
from sasaeai.plainlang.engine.lexicon import Lexicon
from sasaeai.plainlang.engine.rules.abbreviation import AbbreviationRule
from sasaeai.plainlang.engine.rules.base import Hit, Rule
from sasaeai.plainlang.engine.rules.loanword import LoanwordRule
from sasaeai.plainlang.engine.rules.phrases import DoubleNegativeRule, ExpressionRule, RedundantRule
from sasaeai.plainlang.engine.rules.sentences import CommaCountRule, SentenceLengthRule

__all__ = ["Hit", "Rule", "rule_makers"]


def rule_makers(config: Config) -> list[Callable[[], Rule]]:
    """Makers of the enabled rules, in the order of ``RULE_IDS``.

    Call them for each document: a rule's memory (explained terms, abbreviations
    already seen) belongs to one document. The word lists are read once, here.
    """
    lexicon = Lexicon.build(config)
    makers: dict[str, Callable[[], Rule]] = {
        "loanword": lambda: LoanwordRule(lexicon),
        "abbreviation": lambda: AbbreviationRule(lexicon),
        "expression": lambda: ExpressionRule(config),
        "sentence-length": lambda: SentenceLengthRule(config),
        "comma-count": lambda: CommaCountRule(config),
        "double-negative": DoubleNegativeRule,
        "redundant": RedundantRule,
    }
    return [makers[rule_id] for rule_id in RULE_IDS if config.rule(rule_id).enabled]
