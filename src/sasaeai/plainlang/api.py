"""The check API: the same findings as ``sasaeai plain check --format json``, for one text."""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from sasaeai.accounts.models import Municipality
from sasaeai.core.errors import DomainError
from sasaeai.plainlang.engine import Checker, Config, SourceError, check_characters
from sasaeai.plainlang.forms import MAX_CHECK_CHARS
from sasaeai.plainlang.selectors import config_for
from sasaeai.plainlang.throttling import check_throttles

router = Router(tags=["わかりやすさチェック"])

# A 全国地方公共団体コード: six ASCII digits (the sixth a check digit).
_MUNICIPALITY_CODE = re.compile(r"[0-9]{6}")


class CheckIn(Schema):
    text: str
    municipality: str | None = None


class FindingOut(Schema):
    rule: str
    severity: str
    line: int
    column: int
    offset: int
    length: int
    text: str
    message: str
    suggestion: str | None


class ReadabilityOut(Schema):
    score: float
    level: str


class CheckOut(Schema):
    findings: list[FindingOut]
    readability: ReadabilityOut | None


class ErrorOut(Schema):
    code: str
    message: str


@router.post(
    "/check",
    response={200: CheckOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="文章のわかりやすさをチェックする",
    url_name="plainlang_check",
    throttle=check_throttles(),
)
def check(request: HttpRequest, payload: CheckIn) -> Any:
    """分かりにくいカタカナ語や略語、回りくどい言い回し、長い文を探し、読みやすさ（jReadability）を返します。

    `municipality`（全国地方公共団体コード）を指定すると、その自治体の用語集と設定を使います。
    結果は `sasaeai plain check --format json` の 1 ファイル分（`path` を除く）と同じ形です。
    文章は 10 万字まで。対になっていないサロゲート（`"\\ud800"` など、文字でないデータ）を含む文章は
    400 と `{"code": "invalid_text"}` で断ります。ログインなしでも使えますが、1 分あたりの回数に上限があります
    （超えると 429 と `{"code": "rate_limited"}`）。
    """
    if len(payload.text) > MAX_CHECK_CHARS:
        raise DomainError(
            code="text_too_long",
            message=_("文章は10万字までにしてください（いまは {count} 字）。").format(
                count=f"{len(payload.text):,}"
            ),
        )
    try:
        check_characters(payload.text)
    except SourceError as error:
        raise DomainError(code="invalid_text", message=error.message) from None
    config = Config()
    if payload.municipality is not None:
        if not _MUNICIPALITY_CODE.fullmatch(payload.municipality):
            raise DomainError(
                code="invalid_municipality",
                message=_(
                    "団体コードは 6 桁の数字（全国地方公共団体コード、例: 142042）で指定してください。"
                ),
            )
        municipality = Municipality.objects.filter(code=payload.municipality).first()
        if municipality is None:
            raise Http404
        config = config_for(municipality)
    report = Checker(config).check(payload.text)
    return JsonResponse(report.to_dict(), json_dumps_params={"ensure_ascii": False})
