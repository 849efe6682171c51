"""Achievement and status of outcome indicators (成果指標) — pure functions, no queries.

Achievement is the share of the planned change that has happened:
  増やす (increase): (actual − baseline) / (target − baseline)
  減らす (decrease): (baseline − actual) / (baseline − target)
  維持 (maintain): within the survey tolerance of the baseline counts as 100 %.
Status follows the plan's rule: ≥ thresholds[0] → A, ≥ thresholds[1] → B, ≥ thresholds[2] → C,
else D; a survey indicator that moved less than ``survey_tolerance`` points from its baseline is
現状維持 (code "N"), as 福岡市 does. Without an actual value the status is "-".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

NO_DATA = "-"
STEADY = "N"


@dataclass(frozen=True)
class IndicatorStatus:
    achievement: Decimal | None  # percent, one decimal place
    code: str


def achievement(
    *, direction: str, baseline: Decimal | None, target: Decimal | None, actual: Decimal
) -> Decimal | None:
    if direction == "maintain":
        return None
    if target is None:
        return None
    if baseline is None or baseline == target:
        if target == 0:
            return None
        ratio = actual / target if direction == "increase" else target / actual if actual else None
    elif direction == "increase":
        ratio = (actual - baseline) / (target - baseline)
    else:
        ratio = (baseline - actual) / (baseline - target)
    if ratio is None:
        return None
    return (ratio * 100).quantize(Decimal("0.1"))


def status(
    *,
    direction: str,
    baseline: Decimal | None,
    target: Decimal | None,
    actual: Decimal | None,
    is_survey: bool,
    rule: Mapping[str, Any],
) -> IndicatorStatus:
    if actual is None:
        return IndicatorStatus(None, NO_DATA)
    tolerance = Decimal(str(rule.get("survey_tolerance", 3)))
    rate = achievement(direction=direction, baseline=baseline, target=target, actual=actual)
    if direction == "maintain":
        reference = target if target is not None else baseline
        if reference is None:
            return IndicatorStatus(None, NO_DATA)
        return IndicatorStatus(None, "A" if abs(actual - reference) <= tolerance else "C")
    if is_survey and baseline is not None and abs(actual - baseline) < tolerance:
        return IndicatorStatus(rate, STEADY)
    if rate is None:
        return IndicatorStatus(None, NO_DATA)
    thresholds = [Decimal(str(t)) for t in rule.get("thresholds", [100, 80, 50])]
    for code, threshold in zip("ABC", thresholds, strict=False):
        if rate >= threshold:
            return IndicatorStatus(rate, code)
    return IndicatorStatus(rate, "D")
