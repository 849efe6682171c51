"""Achievement and status of outcome indicators."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from sasaeai.plans.defaults import INDICATOR_RULE
from sasaeai.plans.indicators import IndicatorStatus, achievement, status


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "actual", "expected"),
    [
        ("increase", D(100), D(200), D(150), D("50.0")),
        ("increase", D(100), D(200), D(210), D("110.0")),
        ("increase", D(100), D(200), D(90), D("-10.0")),
        ("decrease", D(10), D(5), D(7), D("60.0")),
        ("decrease", D(10), D(5), D(16), D("-120.0")),
        ("increase", None, D(40), D(30), D("75.0")),
        ("maintain", D(50), D(50), D(49), None),
        ("increase", D(100), None, D(150), None),
    ],
)
def test_achievement(
    direction: str, baseline: D | None, target: D | None, actual: D, expected: D | None
) -> None:
    assert (
        achievement(direction=direction, baseline=baseline, target=target, actual=actual)
        == expected
    )


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {
                "direction": "increase",
                "baseline": D(100),
                "target": D(200),
                "actual": D(210),
                "is_survey": False,
            },
            IndicatorStatus(D("110.0"), "A"),
        ),
        (
            {
                "direction": "increase",
                "baseline": D(100),
                "target": D(200),
                "actual": D(185),
                "is_survey": False,
            },
            IndicatorStatus(D("85.0"), "B"),
        ),
        (
            {
                "direction": "increase",
                "baseline": D(100),
                "target": D(200),
                "actual": D(150),
                "is_survey": False,
            },
            IndicatorStatus(D("50.0"), "C"),
        ),
        (
            {
                "direction": "increase",
                "baseline": D(100),
                "target": D(200),
                "actual": D(120),
                "is_survey": False,
            },
            IndicatorStatus(D("20.0"), "D"),
        ),
        # a survey indicator moving less than ±3 points is 現状維持
        (
            {
                "direction": "decrease",
                "baseline": D(10),
                "target": D(5),
                "actual": D("12.9"),
                "is_survey": True,
            },
            IndicatorStatus(D("-58.0"), "N"),
        ),
        (
            {
                "direction": "decrease",
                "baseline": D(10),
                "target": D(5),
                "actual": D(16),
                "is_survey": True,
            },
            IndicatorStatus(D("-120.0"), "D"),
        ),
        (
            {
                "direction": "maintain",
                "baseline": D(50),
                "target": D(50),
                "actual": D(52),
                "is_survey": True,
            },
            IndicatorStatus(None, "A"),
        ),
        (
            {
                "direction": "maintain",
                "baseline": D(50),
                "target": D(50),
                "actual": D(40),
                "is_survey": True,
            },
            IndicatorStatus(None, "C"),
        ),
        (
            {
                "direction": "increase",
                "baseline": D(100),
                "target": D(200),
                "actual": None,
                "is_survey": False,
            },
            IndicatorStatus(None, "-"),
        ),
    ],
)
def test_status(kwargs: dict[str, object], expected: IndicatorStatus) -> None:
    assert status(rule=INDICATOR_RULE, **kwargs) == expected  # type: ignore[arg-type]


def test_rule_is_configurable() -> None:
    strict = {"thresholds": [100, 95, 90], "survey_tolerance": 1}
    result = status(
        direction="increase",
        baseline=D(0),
        target=D(100),
        actual=D(92),
        is_survey=False,
        rule=strict,
    )
    assert result == IndicatorStatus(D("92.0"), "C")
