"""Validation of Japanese public codes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def local_government_check_digit(first_five: str) -> int:
    """JIS X 0401 / 総務省 check digit of a 全国地方公共団体コード (weights 6,5,4,3,2)."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_five, (6, 5, 4, 3, 2), strict=True)
    )
    return (11 - total % 11) % 10


def validate_local_government_code(value: str) -> None:
    if len(value) != 6 or not value.isascii() or not value.isdigit():
        raise ValidationError(
            _("全国地方公共団体コードは半角数字6桁で入力してください（例: 142042）。"),
            code="invalid_format",
        )
    expected = local_government_check_digit(value[:5])
    if int(value[5]) != expected:
        raise ValidationError(
            _(
                "全国地方公共団体コード {value} の検査数字が合いません（6桁目は {expected} のはずです）。"
            ).format(value=value, expected=expected),
            code="invalid_check_digit",
        )
