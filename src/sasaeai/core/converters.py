"""Path converters. ``lgcode``: a 全国地方公共団体コード in a URL — six ASCII digits, so
anything else (a NUL byte, a very long string) is a 404 before a view or query sees it."""

from __future__ import annotations

from django.urls import register_converter


class MunicipalityCodeConverter:
    regex = "[0-9]{6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(MunicipalityCodeConverter, "lgcode")
