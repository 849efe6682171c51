"""Word lists: the built-in data files merged with a municipality's settings.

Built-in lists live in ``data/`` as YAML or text; each is read once per process.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from sasaeai.plainlang.engine.config import Config, ExpressionEntry
from sasaeai.plainlang.engine.text import lookup_key

# A Latin-letter abbreviation as it may appear in lists: SNS, IoT, SDGs, LGBTQ.
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&]*")


class Kind(enum.Enum):
    """Where a listed term comes from, which decides what the rules do with it."""

    GLOSSARY = "glossary"  # the municipality's glossary: error
    LISTED = "listed"  # the built-in list of hard words: warning
    ALLOWED = "allowed"  # an established word: not flagged


@dataclass(frozen=True, slots=True)
class Entry:
    kind: Kind
    paraphrase: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Katakana terms and Latin abbreviations, each by its lookup key."""

    katakana: Mapping[str, Entry]
    abbreviations: Mapping[str, Entry]

    @classmethod
    def build(cls, config: Config) -> Lexicon:
        """The built-in lists overridden by the municipality's allowlist, then its glossary."""
        lexicon = _builtin_lexicon()
        katakana, abbreviations = dict(lexicon.katakana), dict(lexicon.abbreviations)
        for word in config.allowlist:
            _add(katakana, abbreviations, word, Entry(Kind.ALLOWED))
        for item in config.glossary:
            _add(
                katakana, abbreviations, item.term, Entry(Kind.GLOSSARY, item.paraphrase, item.note)
            )
        return cls(katakana, abbreviations)


@functools.cache
def _builtin_lexicon() -> Lexicon:
    """Allowed words overridden by hard words and abbreviations, read once per process."""
    katakana: dict[str, Entry] = {}
    abbreviations: dict[str, Entry] = {}
    for word in builtin_allowlist():
        _add(katakana, abbreviations, word, Entry(Kind.ALLOWED))
    for term, paraphrase in builtin_loanwords().items():
        _add(katakana, abbreviations, term, Entry(Kind.LISTED, paraphrase))
    for term, expansion in builtin_abbreviations().items():
        _add(katakana, abbreviations, term, Entry(Kind.LISTED, expansion))
    return Lexicon(katakana, abbreviations)


def _add(
    katakana: dict[str, Entry], abbreviations: dict[str, Entry], term: str, entry: Entry
) -> None:
    """File a term under its lookup key, with the abbreviations if it is a Latin word."""
    key = lookup_key(term)
    target = abbreviations if LATIN_WORD.fullmatch(key) else katakana
    target[key] = entry


def _data(name: str) -> str:
    return resources.files("sasaeai.plainlang.engine").joinpath("data", name).read_text("utf-8")


def _yaml(name: str) -> Any:
    return yaml.safe_load(_data(name))


@functools.cache
def builtin_loanwords() -> Mapping[str, str]:
    """Hard katakana words and their paraphrases (``data/loanwords.yaml``)."""
    return {str(term): str(paraphrase) for term, paraphrase in _yaml("loanwords.yaml").items()}


@functools.cache
def builtin_abbreviations() -> Mapping[str, str]:
    """Common abbreviations and how to explain them (``data/abbreviations.yaml``)."""
    return {str(term): str(expansion) for term, expansion in _yaml("abbreviations.yaml").items()}


@functools.cache
def builtin_allowlist() -> frozenset[str]:
    """Established words not to flag (``data/allowlist.txt``, one per line, # comments)."""
    words = (line.split("#", 1)[0].strip() for line in _data("allowlist.txt").splitlines())
    return frozenset(word for word in words if word)


@functools.cache
def builtin_expressions() -> tuple[ExpressionEntry, ...]:
    """The expressions the project ships (``data/expressions.yaml``)."""
    return tuple(ExpressionEntry(**item) for item in _yaml("expressions.yaml"))


@functools.cache
def phrase_data(name: str) -> tuple[Mapping[str, str], ...]:
    """The raw entries of ``data/double_negatives.yaml`` or ``data/redundant.yaml``."""
    return tuple({str(key): str(value) for key, value in item.items()} for item in _yaml(name))
