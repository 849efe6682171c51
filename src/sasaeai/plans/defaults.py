"""Defaults a plan starts with; each plan keeps its own copy so a city can change them."""

from __future__ import annotations

from typing import Any

# 4 levels, after 福岡市 (A 順調 / B 概ね順調 / C やや遅れている / D 遅れている).
GRADES: list[dict[str, Any]] = [
    {"code": "A", "label": "順調"},
    {"code": "B", "label": "概ね順調"},
    {"code": "C", "label": "やや遅れている"},
    {"code": "D", "label": "遅れている"},
]
DIRECTIONS: list[str] = ["拡充", "継続", "見直し", "終了"]
# 鎌倉市の総括の見出し
SUMMARY_HEADINGS: list[str] = [
    "❶社会動向",
    "❷進捗管理の状況",
    "❸今後進むべき方向性",
    "❹その他",
    "❺注釈",
]
# Indicator status: achievement rate (%) thresholds for A/B/C (below the last: D);
# a survey indicator that moved less than the tolerance (points) from its baseline is B (現状維持).
INDICATOR_RULE: dict[str, Any] = {"thresholds": [100, 80, 50], "survey_tolerance": 3.0}
