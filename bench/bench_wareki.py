"""Benchmark: reading and writing 年度 (the foundation's hottest pure function in imports).

Run with `make bench`. Prints parses per second for typical inputs.
"""

from __future__ import annotations

import time

from sasaeai.core.wareki import format_fiscal_year, parse_fiscal_year

INPUTS = ["令和5年度", "R5", "２０２３年度", "平成31年度", "令和元年度", "2024", "Ｒ７"]
ROUNDS = 20_000


def main() -> None:
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for text in INPUTS:
            parse_fiscal_year(text)
    parsed = ROUNDS * len(INPUTS) / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for year in range(2019, 2026):
            format_fiscal_year(year)
    formatted = ROUNDS * 7 / (time.perf_counter() - start)
    print(f"parse_fiscal_year: {parsed:,.0f} /s")
    print(f"format_fiscal_year: {formatted:,.0f} /s")


if __name__ == "__main__":
    main()
