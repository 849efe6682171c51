"""Read API for municipalities, their districts and the signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.security import django_auth

from sasaeai.accounts.models import Municipality
from sasaeai.accounts.selectors import districts_with_towns

router = Router(tags=["自治体・利用者"])


class MunicipalityOut(Schema):
    code: str
    name: str
    prefecture: str
    is_demo: bool


class TownOut(Schema):
    name: str
    reading: str
    is_demo: bool


class DistrictOut(Schema):
    name: str
    reading: str
    is_demo: bool
    towns: list[TownOut]


class MunicipalityDetailOut(MunicipalityOut):
    districts: list[DistrictOut]


class MembershipOut(Schema):
    unit: str
    unit_code: str
    role: str
    role_label: str


class MeOut(Schema):
    username: str
    display_name: str
    municipality: MunicipalityOut | None
    memberships: list[MembershipOut]
    two_factor_verified: bool


@router.get("/municipalities", response=list[MunicipalityOut], summary="自治体の一覧")
def list_municipalities(request: HttpRequest) -> Any:
    return Municipality.objects.order_by("code")


@router.get(
    "/municipalities/{code}", response=MunicipalityDetailOut, summary="自治体と行政地区・町丁目"
)
def get_municipality(request: HttpRequest, code: str) -> Any:
    municipality = get_object_or_404(Municipality, code=code)
    districts = [
        {
            "name": district.name,
            "reading": district.reading,
            "is_demo": district.is_demo,
            "towns": list(district.towns.all()),
        }
        for district in districts_with_towns(municipality=municipality)
    ]
    return {
        "code": municipality.code,
        "name": municipality.name,
        "prefecture": municipality.prefecture,
        "is_demo": municipality.is_demo,
        "districts": districts,
    }


@router.get("/me", response=MeOut, auth=django_auth, summary="ログイン中の利用者")
def me(request: HttpRequest) -> Any:
    user: Any = request.user
    memberships = (
        user.memberships.filter(is_active=True)
        .select_related("unit")
        .prefetch_related("unit__names")
    )
    return {
        "username": user.username,
        "display_name": user.display_name,
        "municipality": user.municipality,
        "memberships": [
            {
                "unit": str(m.unit),
                "unit_code": m.unit.code,
                "role": m.role,
                "role_label": m.get_role_display(),
            }
            for m in memberships
        ],
        "two_factor_verified": user.is_verified(),
    }
