"""Defaults a plan starts with; each plan keeps its own copy so a city can change them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

# 4 levels, after 福岡市 (A 順調 / B 概ね順調 / C やや遅れている / D 遅れている).
GRADES: list[dict[str, Any]] = [
    {"code": "A", "label": gettext_noop("順調")},
    {"code": "B", "label": gettext_noop("概ね順調")},
    {"code": "C", "label": gettext_noop("やや遅れている")},
    {"code": "D", "label": gettext_noop("遅れている")},
]
DIRECTIONS: list[str] = [
    gettext_noop("拡充"),
    gettext_noop("継続"),
    gettext_noop("見直し"),
    gettext_noop("終了"),
]
# 鎌倉市の総括の見出し
SUMMARY_HEADINGS: list[str] = [
    gettext_noop("❶社会動向"),
    gettext_noop("❷進捗管理の状況"),
    gettext_noop("❸今後進むべき方向性"),
    gettext_noop("❹その他"),
    gettext_noop("❺注釈"),
]
# Indicator status: achievement rate (%) thresholds for A/B/C (below the last: D);
# a survey indicator that moved less than the tolerance (points) from its baseline is B (現状維持).
INDICATOR_RULE: dict[str, Any] = {"thresholds": [100, 80, 50], "survey_tolerance": 3.0}
