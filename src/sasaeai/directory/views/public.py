"""Public directory pages, no login: search with filters, and one service's page.

The search form is a plain GET form (works without JavaScript); the address of a results
page can be bookmarked and shared. Both pages read through ``search.search`` and
``selectors``; services of another municipality, 休止中 or 終了, are not found (404).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sasaeai.accounts.models import Municipality
from sasaeai.directory.forms import NUL_MESSAGE
from sasaeai.directory.schedules import WEEKDAY_NAMES
from sasaeai.directory.search import search
from sasaeai.directory.selectors import public as selectors
from sasaeai.directory.taxonomies import CATEGORIES, TARGETS

PAGE_SIZE = 20
MAX_PAGE = 500
MUNICIPALITY_CODE = re.compile(r"[0-9]{6}")

FREE_CHOICES = [("", gettext_lazy("指定しない")), ("1", gettext_lazy("無料のものだけ"))]


PAGE_MESSAGE = format_lazy(
    gettext_lazy("ページの番号は 1〜{max} の整数で指定してください。"), max=MAX_PAGE
)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("さがすことば"),
        required=False,
        max_length=200,
        error_messages={"null_characters_not_allowed": NUL_MESSAGE},
    )
    district = forms.ChoiceField(label=gettext_lazy("地区"), required=False)
    target = forms.ChoiceField(label=gettext_lazy("対象"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("分類"), required=False)
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("曜日"), required=False, coerce=int, empty_value=None
    )
    free = forms.ChoiceField(label=gettext_lazy("費用"), required=False, choices=FREE_CHOICES)
    page = forms.IntegerField(
        label=gettext_lazy("ページ"),
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={key: PAGE_MESSAGE for key in ("invalid", "min_value", "max_value")},
    )

    def __init__(self, *args: Any, district_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = ("", _("指定しない"))
        choices: dict[str, list[tuple[str, str]]] = {}
        choices["district"] = [anything, *((name, name) for name in district_names)]
        choices["target"] = [anything, *((t.code, _(t.name)) for t in TARGETS)]
        choices["category"] = [anything, *((c.code, _(c.name)) for c in CATEGORIES)]
        choices["weekday"] = [
            anything,
            *(
                (str(index), _("{day}曜日").format(day=_(name)))
                for index, name in enumerate(WEEKDAY_NAMES)
            ),
        ]
        for name, field_choices in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = field_choices


def _municipality(code: str) -> Municipality:
    if not MUNICIPALITY_CODE.fullmatch(code):  # NUL, or too long for the column: none such
        raise Http404
    return get_object_or_404(Municipality, code=code)


def search_page(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(code)
    districts = selectors.districts_of(municipality)
    form = SearchForm(request.GET or None, district_names=[d.name for d in districts])
    criteria: dict[str, Any] = {}
    page = 1
    searched = bool(request.GET)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        criteria = {
            "district": data["district"] or None,
            "target": data["target"] or None,
            "category": data["category"] or None,
            "weekday": data["weekday"],
            "free": True if data["free"] == "1" else None,
        }
        page = data["page"] or 1
        query = data["q"]
    else:
        query = ""
        searched = searched and not form.errors
    result = search(municipality, query, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, **criteria)
    pages = max(1, -(-result.total // PAGE_SIZE))
    params = request.GET.copy()
    params.pop("page", None)
    base_query = params.urlencode()
    return render(
        request,
        "directory/public/search.html",
        {
            "municipality": municipality,
            "form": form,
            "result": result,
            "searched": searched,
            "page": page,
            "pages": pages,
            "first_number": (page - 1) * PAGE_SIZE + 1,
            "last_number": (page - 1) * PAGE_SIZE + len(result.results),
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
            "base_query": base_query,
            "has_demo": municipality.is_demo or any(hit.is_demo for hit in result.results),
        },
    )


def service_page(request: HttpRequest, code: str, service_id: uuid.UUID) -> HttpResponse:
    municipality = _municipality(code)
    detail = selectors.service_detail(municipality, service_id)
    if detail is None:
        raise Http404
    return render(
        request,
        "directory/public/service.html",
        {
            "municipality": municipality,
            "detail": detail,
            "service": detail.service,
        },
    )
