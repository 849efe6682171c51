"""jReadability (李在鎬ほか): a readability score for Japanese from word counts.

    X = 平均文長 × −0.056 + 漢語率 × −0.126 + 和語率 × −0.042
        + 動詞率 × −0.145 + 助詞率 × −0.044 + 11.724

平均文長 is words per sentence; the four rates are percentages of all words. Words are
UniDic short units, punctuation included and whitespace excluded, which reproduces the
published sample scores. A higher score means an easier text.
"""

from __future__ import annotations

from dataclasses import dataclass

from sasaeai.plainlang.engine.model import Readability
from sasaeai.plainlang.engine.tokenizer import Tokens

INTERCEPT = 11.724
WEIGHTS = {
    "mean_sentence_length": -0.056,
    "kango_rate": -0.126,
    "wago_rate": -0.042,
    "verb_rate": -0.145,
    "particle_rate": -0.044,
}
# (upper bound, label): a score below the bound gets the label; the last one has none.
LEVELS = (
    (1.5, "上級後半"),
    (2.5, "上級前半"),
    (3.5, "中級後半"),
    (4.5, "中級前半"),
    (5.5, "初級後半"),
    (float("inf"), "初級前半"),
)


@dataclass(frozen=True, slots=True)
class Counts:
    """What the formula needs, summed over a stretch of text."""

    sentences: int = 0
    words: int = 0
    kango: int = 0
    wago: int = 0
    verbs: int = 0
    particles: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.sentences + other.sentences,
            self.words + other.words,
            self.kango + other.kango,
            self.wago + other.wago,
            self.verbs + other.verbs,
            self.particles + other.particles,
        )


def count(tokens: Tokens, indices: range, sentences: int) -> Counts:
    """The counts for the tokens at ``indices``, which lie in ``sentences`` sentences."""
    parts_of_speech = tokens.pos1[indices.start : indices.stop]
    # Whitespace tokens are 記号, never 漢 or 和.
    origins = tokens.goshu[indices.start : indices.stop]
    return Counts(
        sentences=sentences,
        words=len(indices) - parts_of_speech.count("空白"),
        kango=origins.count("漢"),
        wago=origins.count("和"),
        verbs=parts_of_speech.count("動詞"),
        particles=parts_of_speech.count("助詞"),
    )


def score(counts: Counts) -> Readability | None:
    """The score and level, or ``None`` when there is no word to measure."""
    if counts.words == 0 or counts.sentences == 0:
        return None
    percent = 100 / counts.words
    value = (
        INTERCEPT
        + WEIGHTS["mean_sentence_length"] * counts.words / counts.sentences
        + WEIGHTS["kango_rate"] * counts.kango * percent
        + WEIGHTS["wago_rate"] * counts.wago * percent
        + WEIGHTS["verb_rate"] * counts.verbs * percent
        + WEIGHTS["particle_rate"] * counts.particles * percent
    )
    rounded = round(value, 2)
    return Readability(score=rounded, level=level(rounded))


def level(value: float) -> str:
    """The label for a score; scores outside 0.5–6.4 get the nearest label."""
    return next(label for bound, label in LEVELS if value < bound)
