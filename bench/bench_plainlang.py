"""Benchmark of the plain-Japanese checker: speed, linearity and accuracy.

    .venv/bin/python bench/bench_plainlang.py [--textlint-dir DIR]

1. Builds about 1 MB of administrative Japanese from the labelled corpus
   (tests/plainlang/corpus): paragraphs of shuffled corpus sentences with varied
   numbers, headings and list items.
2. Checks it with all rules on, on one core (the checker runs in a single thread): as
   one 1 MB document and as a hundred 10 KB ones, and prints characters per second for
   both and their ratio (the best of a few rounds in which the two shapes take turns).
3. Prints precision and recall per rule over the corpus.
4. If textlint with textlint-rule-preset-ja-technical-writing is installed in
   DIR/node_modules (DIR is the repository by default; it is never installed here),
   runs it on the same texts and prints how much faster the checker is.

Exits with 1 if either shape runs below 200,000 characters per second.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sasaeai.plainlang.engine import Checker, Config
from sasaeai.plainlang.engine.accuracy import Item, evaluate, load_corpus

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "plainlang" / "corpus"
DOCUMENT_SIZE = 1_000_000
PIECE_SIZE = 10_000
TARGET = 200_000  # characters per second
RUNS = 5
TEXTLINT_TIMEOUT = 300  # seconds for each shape
HEADINGS = ("第1章 計画の概要", "第2節 取組の状況", "(1) 見守り活動", "1. 相談支援の充実")
BULLET = "・"


def build_text(items: Sequence[Item], size: int, seed: int = 2024) -> str:
    """About ``size`` characters of paragraphs made of corpus sentences."""
    rng = random.Random(seed)
    sentences = [item.text for item in items]
    paragraphs: list[str] = []
    length = 0
    while length < size:
        kind = rng.random()
        if kind < 0.1:
            paragraph = rng.choice(HEADINGS)
        elif kind < 0.25:
            paragraph = "\n".join(BULLET + rng.choice(sentences) for _ in range(rng.randint(2, 4)))
        else:
            paragraph = "".join(rng.choice(sentences) for _ in range(rng.randint(2, 6)))
        paragraph = re.sub(r"[0-9]+", lambda _: str(rng.randint(1, 999)), paragraph)
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:size]


def measure_speed(checker: Checker, document: str, pieces: Sequence[str]) -> tuple[float, float]:
    """Characters per second for both shapes: the best of ``RUNS`` rounds.

    The shapes take turns within each round, so a busy machine slows both alike.
    """
    checker.check(pieces[0])  # load the dictionary and word lists first
    shapes: list[Callable[[], object]] = [
        lambda: checker.check(document),
        lambda: [checker.check(piece) for piece in pieces],
    ]
    best = [float("inf")] * len(shapes)
    for _ in range(RUNS):
        for index, shape in enumerate(shapes):
            gc.collect()
            start = time.perf_counter()
            shape()
            best[index] = min(best[index], time.perf_counter() - start)
    return len(document) / best[0], sum(map(len, pieces)) / best[1]


def print_accuracy(items: Sequence[Item], config: Config) -> None:
    scores = evaluate(items, config)
    print(f"\n精度（{len(items)} 文のコーパス）")
    print("  規則                     適合率   再現率   TP  FN  FP")
    for rule, score in sorted(scores.items()):
        print(
            f"  {rule:<22} {score.precision:>8.3f} {score.recall:>8.3f}"
            f" {score.true_positives:>4} {score.false_negatives:>3} {score.false_positives:>3}"
        )


def textlint_speed(
    base: Path, document: str, pieces: Sequence[str]
) -> tuple[float | None, float | None] | None:
    """textlint's characters per second for both shapes, or None if it is not installed.

    A shape that does not finish within ``TEXTLINT_TIMEOUT`` seconds gives None.
    """
    textlint = base / "node_modules" / ".bin" / "textlint"
    preset = base / "node_modules" / "textlint-rule-preset-ja-technical-writing"
    if not (textlint.exists() and preset.exists()):
        return None
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        config = work / "textlintrc.json"
        config.write_text('{"rules": {"preset-ja-technical-writing": true}}', encoding="utf-8")
        one = work / "one.txt"
        one.write_text(document, encoding="utf-8")
        many = []
        for index, piece in enumerate(pieces):
            path = work / f"piece-{index:03}.txt"
            path.write_text(piece, encoding="utf-8")
            many.append(path)

        def speed(paths: Sequence[Path], characters: int) -> float | None:
            command = [str(textlint), "--config", str(config), "--format", "json", *map(str, paths)]
            start = time.perf_counter()
            try:
                subprocess.run(
                    command, cwd=base, capture_output=True, check=False, timeout=TEXTLINT_TIMEOUT
                )
            except subprocess.TimeoutExpired:
                return None
            return characters / (time.perf_counter() - start)

        return speed([one], len(document)), speed(many, sum(map(len, pieces)))


def print_textlint(label: str, theirs: float | None, ours: float) -> None:
    if theirs is None:
        bound = DOCUMENT_SIZE / TEXTLINT_TIMEOUT
        print(f"  {label}: {TEXTLINT_TIMEOUT} 秒で終わらず（{bound:,.0f} 文字/秒未満）")
    else:
        print(f"  {label}: {theirs:>10,.0f} 文字/秒（本チェッカーは {ours / theirs:,.1f} 倍）")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--textlint-dir",
        type=Path,
        default=Path(os.environ.get("SASAEAI_TEXTLINT_DIR", ROOT)),
        help="folder whose node_modules has textlint (default: the repository)",
    )
    args = parser.parse_args(argv)
    items, config = load_corpus(CORPUS)
    document = build_text(items, DOCUMENT_SIZE)
    pieces = [document[i : i + PIECE_SIZE] for i in range(0, len(document), PIECE_SIZE)]
    checker = Checker(config)

    one, many = measure_speed(checker, document, pieces)
    print(f"速度（全規則、1 コア、{RUNS} 回の最良値）")
    print(f"  1 MB の文書 1 件     : {one:>10,.0f} 文字/秒")
    print(f"  10 KB の文書 100 件  : {many:>10,.0f} 文字/秒")
    print(f"  比（1 MB ÷ 10 KB）   : {one / many:>10.2f}")

    print_accuracy(items, config)

    compared = textlint_speed(args.textlint_dir, document, pieces)
    if compared is None:
        print("\ntextlint: 見つからないため省略しました（node_modules に textlint と")
        print("  textlint-rule-preset-ja-technical-writing がありません）")
    else:
        lint_one, lint_many = compared
        print("\ntextlint（preset-ja-technical-writing、1 回）")
        print_textlint("1 MB の文書 1 件    ", lint_one, one)
        print_textlint("10 KB の文書 100 件 ", lint_many, many)

    if min(one, many) < TARGET:
        print(f"\n目標の {TARGET:,} 文字/秒に届きません。", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
