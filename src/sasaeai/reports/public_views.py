"""Public report pages (/m/<code>/reports/), no login: the list of published reports and the
downloads.

A download serves the stored file of a *published* cycle (built and stored on first request),
with its Content-Type, a Content-Disposition carrying the Japanese filename (RFC 6266 /
RFC 5987 ``filename*=``) and an ASCII fallback, and an ETag and Last-Modified so a repeat
download is answered with 304. A 年度 with no published report — unknown, open, closed or
unpublished again — is the same Japanese 404 page: nothing about an unpublished cycle is
revealed, and nothing is built for it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from sasaeai.accounts.models import Municipality
from sasaeai.core.errors import DomainError
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.reports import selectors_publication as selectors
from sasaeai.reports import services
from sasaeai.reports.models import ReportFile, ReportFormat
from sasaeai.reports.render import EXTENSIONS

#: Opened in the browser; the others are saved.
INLINE_FORMATS = frozenset({ReportFormat.HTML, ReportFormat.PDF})
STYLE_BLOCK = re.compile(rb"<style[^>]*>(.*?)</style>", re.S)


def style_hashes(html: bytes) -> list[str]:
    """CSP sources for the report's own inline stylesheets (the page allows nothing else)."""
    return [
        "'sha256-{}'".format(base64.b64encode(hashlib.sha256(block).digest()).decode("ascii"))
        for block in STYLE_BLOCK.findall(html)
    ]


def content_disposition(filename: str, fallback: str, *, inline: bool = False) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''percent-encoded`` (RFC 6266 §4.3)."""
    kind = "inline" if inline else "attachment"
    ascii_name = fallback.replace("\\", "_").replace('"', "_")
    if filename == ascii_name:
        return f'{kind}; filename="{ascii_name}"'
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _not_found(request: HttpRequest, municipality: Municipality | None, year: str) -> HttpResponse:
    return render(
        request,
        "reports/public/not_found.html",
        {"municipality": municipality, "year": year},
        status=404,
    )


@require_safe
def report_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        return _not_found(request, None, "")
    return render(
        request,
        "reports/public/index.html",
        {"municipality": municipality, "reports": selectors.published_reports(municipality)},
    )


def _plan_id(request: HttpRequest) -> tuple[bool, int | None]:
    """``?plan=<id>`` when a 年度 has two reports: (whether the value is usable, the id)."""
    raw = request.GET.get("plan", "")
    if not raw:
        return True, None
    return (True, int(raw)) if raw.isdigit() else (False, None)


@require_safe
def download(request: HttpRequest, code: str, fiscal_year: int, fmt: str) -> HttpResponse:
    municipality = Municipality.objects.filter(code=code).first()
    year = format_fiscal_year(fiscal_year) if 1900 < fiscal_year < 2200 else ""
    plan_ok, plan_id = _plan_id(request)
    if municipality is None or fmt not in ReportFormat.values or not plan_ok:
        return _not_found(request, municipality, year)
    cycle = selectors.published_cycle(municipality, fiscal_year, plan_id)
    if cycle is None:
        return _not_found(request, municipality, year)
    stored = ReportFile.objects.filter(cycle=cycle, format=fmt).defer("content").first()
    if stored is None or stored.source_published_at != cycle.published_at:
        try:
            stored = services.report_file_get_or_build(cycle=cycle, fmt=fmt)
        except DomainError as error:
            return render(
                request,
                "reports/public/unavailable.html",
                {"municipality": municipality, "year": year, "message": error.message},
                status=503,
            )
        content = bytes(stored.content)
    else:
        content = b""  # read only when the client does not have it already
    etag = f'"{stored.sha256}"'
    last_modified = int(stored.created_at.timestamp())
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        response = not_modified
    else:
        if not content:
            content = bytes(
                ReportFile.objects.filter(pk=stored.pk).values_list("content", flat=True).get()
            )
        response = HttpResponse(content, content_type=stored.content_type)
        response["Content-Length"] = str(len(content))
        fallback = f"{municipality.code}_{cycle.fiscal_year}_report.{EXTENSIONS[fmt]}"
        response["Content-Disposition"] = content_disposition(
            stored.filename, fallback, inline=fmt in INLINE_FORMATS
        )
        if fmt == ReportFormat.HTML:
            # the standalone report carries its CSS inline: allow exactly those blocks
            setattr(response, "_csp_update", {"style-src": style_hashes(content)})  # noqa: B010
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    # caches may keep it but must ask again: an unpublished report disappears at once
    response["Cache-Control"] = "public, no-cache"
    return response


urlpatterns = [
    path("", report_list, name="index"),
    path("<int:fiscal_year>/<str:fmt>/", download, name="download"),
]
