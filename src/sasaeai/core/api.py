"""Utility API: reading 年度 the way people write them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from sasaeai.core.errors import DomainError
from sasaeai.core.wareki import FiscalYearParseError, format_fiscal_year, parse_fiscal_year

router = Router(tags=["年度・和暦"])


class FiscalYearOut(Schema):
    fiscal_year: int
    wareki: str
    seireki: str


@router.get("/fiscal-years/parse", response=FiscalYearOut, summary="年度の表記を読み取る")
def parse(request: HttpRequest, text: str) -> Any:
    """「令和5年度」「R5」「2023年度」などを年度（西暦の数）に読み替えます。"""
    try:
        fiscal_year = parse_fiscal_year(text)
    except FiscalYearParseError as error:
        raise DomainError(code=error.code, message=str(error)) from None
    return {
        "fiscal_year": fiscal_year,
        "wareki": format_fiscal_year(fiscal_year, "wareki"),
        "seireki": format_fiscal_year(fiscal_year, "seireki"),
    }
