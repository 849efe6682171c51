"""Precision and recall of the checker over a labelled corpus.

A corpus is a folder of YAML files, each a list of items::

    - id: hw-001
      text: "…アウトリーチに力を入れ…"
      expect: [{rule: loanword, text: アウトリーチ, severity: warning+}]
      reject: [{rule: loanword, text: センター}]

``expect`` lists findings the checker must make, ``reject`` findings it must not. A
label matches a finding of its rule when

* ``loanword``, ``abbreviation``: the texts are equal;
* ``expression``, ``double-negative``, ``redundant``: the finding's text contains the
  label's;
* ``sentence-length``, ``comma-count``: the label's text is ``*`` (any finding);

and, if the label has a severity, the finding has it (``warning+``: warning or error).
A loanword reject without a severity forbids warnings and errors only (info is fine).

Per rule, a met expect label is a true positive, an unmet one a false negative, and a
violated reject label a false positive. ``loanword:warning+`` and ``loanword:error``
score the loanword labels of those severities on their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sasaeai.plainlang.engine.checker import Checker
from sasaeai.plainlang.engine.config import Config
from sasaeai.plainlang.engine.model import Finding, Severity

_EXACT = frozenset({"loanword", "abbreviation"})
_ANY = "*"
CONFIG_FILE = "config.yaml"


@dataclass(frozen=True, slots=True)
class Label:
    rule: str
    text: str
    severity: str | None = None

    def matches(self, finding: Finding, *, reject: bool = False) -> bool:
        if finding.rule != self.rule or not self._text_matches(finding.text):
            return False
        if self.severity is None:
            return not (reject and self.rule == "loanword") or finding.severity.rank >= 1
        if self.severity == "warning+":
            return finding.severity.rank >= Severity.WARNING.rank
        return str(finding.severity) == self.severity

    def _text_matches(self, text: str) -> bool:
        if self.text == _ANY:
            return True
        return text == self.text if self.rule in _EXACT else self.text in text

    @property
    def scores(self) -> tuple[str, ...]:
        """The score keys this label counts towards."""
        if self.rule == "loanword" and self.severity in ("warning+", "error"):
            extra = ("loanword:error",) if self.severity == "error" else ()
            return (self.rule, "loanword:warning+", *extra)
        return (self.rule,)


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    text: str
    expect: tuple[Label, ...]
    reject: tuple[Label, ...]


@dataclass(slots=True)
class Score:
    true_positives: int = 0
    false_negatives: int = 0
    false_positives: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


def load_corpus(folder: str | Path) -> tuple[list[Item], Config]:
    """The items of every ``*.yaml`` in the folder but ``config.yaml``, and that config."""
    folder = Path(folder)
    items = [
        _item(raw)
        for path in sorted(folder.glob("*.yaml"))
        if path.name != CONFIG_FILE
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []
    ]
    config_path = folder / CONFIG_FILE
    config = Config.from_file(config_path) if config_path.exists() else Config()
    return items, config


def _item(raw: Mapping[str, Any]) -> Item:
    return Item(
        id=str(raw["id"]),
        text=str(raw["text"]),
        expect=tuple(_label(label) for label in raw.get("expect") or ()),
        reject=tuple(_label(label) for label in raw.get("reject") or ()),
    )


def _label(raw: Mapping[str, Any]) -> Label:
    severity = raw.get("severity")
    return Label(str(raw["rule"]), str(raw["text"]), None if severity is None else str(severity))


def evaluate(items: Iterable[Item], config: Config | None = None) -> dict[str, Score]:
    """Scores by rule (and by ``loanword:warning+`` / ``loanword:error``)."""
    checker = Checker(config)
    scores: dict[str, Score] = {}
    for item in items:
        findings = checker.check(item.text).findings
        for label in item.expect:
            met = any(label.matches(finding) for finding in findings)
            for key in label.scores:
                score = scores.setdefault(key, Score())
                if met:
                    score.true_positives += 1
                else:
                    score.false_negatives += 1
                    score.misses.append(f"{item.id}: 見落とし {label.text}")
        for label in item.reject:
            violated = [f for f in findings if label.matches(f, reject=True)]
            for key in _reject_scores(label, violated):
                score = scores.setdefault(key, Score())
                if violated:
                    score.false_positives += 1
                    score.misses.append(f"{item.id}: 誤検出 {violated[0].text}")
    return scores


def _reject_scores(label: Label, violated: Sequence[Finding]) -> tuple[str, ...]:
    if label.rule != "loanword":
        return (label.rule,)
    keys = ["loanword"]
    if any(finding.severity.rank >= Severity.WARNING.rank for finding in violated):
        keys.append("loanword:warning+")
    if any(finding.severity is Severity.ERROR for finding in violated):
        keys.append("loanword:error")
    return tuple(keys)
