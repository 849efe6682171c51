"""Writing the directory from staff pages: organisations, services and what hangs off them.

Every function is keyword-only, runs in one transaction, checks the acting user's rights
(``directory/permissions.py``), validates everything before saving (all problems at once,
each naming its field), writes one audit row with the before → after values, and refreshes
the search index of the services it touched (``directory.search.index_services``).

Optimistic locking uses ``updated_at``: an edit names the ``updated_at`` it was loaded with, and
an edit loaded before someone else's save (or an import's) is refused with
``core.errors.StaleEdit`` (nothing saved; the screen keeps the user's text). Why the directory
locks on ``updated_at`` while the plans use a version integer: see ``StaleEdit``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts.models import District, Municipality, OrganisationUnit, Town
from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core.errors import DomainError, ErrorLocation, PermissionRefused, StaleEdit
from sasaeai.directory import permissions
from sasaeai.directory.models import (
    Address,
    Attribute,
    Frequency,
    LinkEntity,
    Location,
    LocationType,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)
from sasaeai.directory.phones import normalize_phone, phone_problem
from sasaeai.directory.readings import read_name
from sasaeai.directory.search import index_services
from sasaeai.directory.taxonomies import ensure_taxonomies, service_terms_set

# --- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneInput:
    number: str
    extension: int | None = None
    type: str = "voice"
    description: str = ""
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class ScheduleInput:
    """毎週火曜 = WEEKLY + "TU"; 第2・第4水曜 = MONTHLY + "2WE,4WE"; 毎月15日 = MONTHLY + bymonthday "15"."""

    freq: str = ""
    byday: str = ""
    bymonthday: str = ""
    interval: int | None = None
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    description: str = ""
    notes: str = ""
    closed_on_holidays: bool = False
    closed_year_end: bool = False
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class LocationInput:
    name: str = ""
    name_kana: str = ""
    district_id: int | None = None
    town_id: int | None = None
    postal_code: str = ""
    address_1: str = ""
    address_2: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    transportation: str = ""
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class ServiceInput:
    name: str
    name_kana: str = ""
    alternate_name: str = ""
    description: str = ""
    eligibility_description: str = ""
    application_process: str = ""
    fees_description: str = ""
    is_free: bool | None = None
    url: str = ""
    email: str = ""
    alert: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    maintainer_id: int | None = None


SERVICE_FIELDS = (
    "name",
    "name_kana",
    "alternate_name",
    "description",
    "eligibility_description",
    "application_process",
    "fees_description",
    "is_free",
    "url",
    "email",
    "alert",
    "minimum_age",
    "maximum_age",
)


# --- validation --------------------------------------------------------------------------

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_MONTHLY_DAY = re.compile(r"^(-1|[1-5])(MO|TU|WE|TH|FR|SA|SU)$")


def byday_problem(freq: str, byday: str) -> str | None:
    items = [item.strip().upper() for item in byday.split(",") if item.strip()]
    if not items:
        return None
    if freq == Frequency.WEEKLY:
        bad = [item for item in items if item not in _DAYS]
        if bad:
            return _(
                "毎週の曜日は MO, TU, WE, TH, FR, SA, SU で入力してください（「{bad}」は使えません）。"
            ).format(bad="、".join(bad))
        return None
    bad = [item for item in items if not _MONTHLY_DAY.match(item)]
    if bad:
        return _(
            "毎月の曜日は「第何週＋曜日」で、2WE（第2水曜）や -1FR（最終金曜）のように入力してください"
            "（「{bad}」は使えません）。"
        ).format(bad="、".join(bad))
    return None


def bymonthday_problem(text: str) -> str | None:
    items = [item.strip() for item in text.split(",") if item.strip()]
    bad = [
        item
        for item in items
        if not re.fullmatch(r"-?[0-9]{1,2}", item) or not (1 <= abs(int(item)) <= 31)
    ]
    if bad:
        return _("日は 1〜31（月末は -1）で入力してください（「{bad}」は使えません）。").format(
            bad="、".join(bad)
        )
    return None


def _error(code: str, field: str, message: str) -> DomainError:
    return DomainError(code=code, message=message, location=ErrorLocation(field=field))


def _nth(label: str, index: int, count: int) -> str:
    if count <= 1:
        return label
    return _("{label}（{n}件目）").format(label=label, n=index + 1)


def _validate_service(values: ServiceInput) -> list[DomainError]:
    errors = []
    if not values.name.strip():
        errors.append(_error("required", _("名称"), _("名称を入力してください。")))
    low, high = values.minimum_age, values.maximum_age
    if low is not None and high is not None and low > high:
        errors.append(
            _error(
                "age_range",
                _("対象年齢（上限）"),
                _("対象年齢の上限（{high}歳）が下限（{low}歳）より小さくなっています。").format(
                    high=high, low=low
                ),
            )
        )
    return errors


def _validate_phones(phones: Sequence[PhoneInput]) -> list[DomainError]:
    errors = []
    for index, phone in enumerate(phones):
        field = _nth(_("電話番号"), index, len(phones))
        if not phone.number.strip():
            errors.append(_error("required", field, _("電話番号を入力してください。")))
            continue
        problem = phone_problem(phone.number)
        if problem:
            errors.append(
                _error(
                    "invalid_phone",
                    field,
                    _(
                        "電話番号「{number}」の形が正しくありません。{problem}例: 0467-23-3000"
                    ).format(number=phone.number, problem=problem),
                )
            )
    return errors


def _validate_schedules(schedules: Sequence[ScheduleInput]) -> list[DomainError]:
    errors = []
    for index, schedule in enumerate(schedules):
        label = _nth(_("日時"), index, len(schedules))
        if schedule.freq and schedule.freq not in Frequency.values:
            errors.append(
                _error("invalid_freq", label, _("繰り返しは「毎週」か「毎月」を選んでください。"))
            )
            continue
        if schedule.freq == Frequency.WEEKLY and not schedule.byday.strip():
            errors.append(_error("byday_required", label, _("毎週の場合は曜日を選んでください。")))
        if (
            schedule.freq == Frequency.MONTHLY
            and not schedule.byday.strip()
            and not schedule.bymonthday.strip()
        ):
            errors.append(
                _error(
                    "monthly_day_required",
                    label,
                    _("毎月の場合は「第何週の何曜日」か「何日」を入力してください。"),
                )
            )
        if not schedule.freq and (schedule.byday.strip() or schedule.bymonthday.strip()):
            errors.append(
                _error(
                    "freq_required",
                    label,
                    _("曜日や日を入れた場合は、繰り返し（毎週・毎月）を選んでください。"),
                )
            )
        problem = byday_problem(schedule.freq, schedule.byday)
        if problem:
            errors.append(_error("invalid_byday", label, problem))
        if schedule.bymonthday.strip():
            if schedule.freq == Frequency.WEEKLY:
                errors.append(
                    _error("invalid_bymonthday", label, _("毎週の場合は日を入力できません。"))
                )
            else:
                problem = bymonthday_problem(schedule.bymonthday)
                if problem:
                    errors.append(_error("invalid_bymonthday", label, problem))
        if schedule.interval is not None and schedule.interval < 1:
            errors.append(_error("invalid_interval", label, _("間隔は1以上で入力してください。")))
        if (
            schedule.opens_at is not None
            and schedule.closes_at is not None
            and schedule.opens_at >= schedule.closes_at
        ):
            errors.append(
                _error(
                    "time_order",
                    label,
                    _("終了時刻（{closes}）は開始時刻（{opens}）より後にしてください。").format(
                        opens=schedule.opens_at.strftime("%H:%M"),
                        closes=schedule.closes_at.strftime("%H:%M"),
                    ),
                )
            )
        if schedule.valid_from and schedule.valid_to and schedule.valid_from > schedule.valid_to:
            errors.append(
                _error("valid_order", label, _("有効期間の終了は開始より後の日付にしてください。"))
            )
    return errors


def _validate_locations(
    municipality: Municipality, locations: Sequence[LocationInput]
) -> list[DomainError]:
    errors = []
    district_ids = set(
        District.objects.filter(municipality=municipality).values_list("pk", flat=True)
    )
    town_ids = {t.pk: t.district_id for t in Town.objects.filter(municipality=municipality)}
    for index, location in enumerate(locations):
        label = _nth(_("場所"), index, len(locations))
        if location.district_id is not None and location.district_id not in district_ids:
            errors.append(
                _error(
                    "invalid_district", label, _("行政地区が見つかりません。選び直してください。")
                )
            )
        if location.town_id is not None:
            if location.town_id not in town_ids:
                errors.append(
                    _error("invalid_town", label, _("町丁目が見つかりません。選び直してください。"))
                )
            elif (
                location.district_id is not None
                and town_ids[location.town_id] != location.district_id
            ):
                errors.append(
                    _error(
                        "town_district", label, _("町丁目が、選んだ行政地区のものではありません。")
                    )
                )
        lat, lon = location.latitude, location.longitude
        if lat is not None and not Decimal(-90) <= lat <= Decimal(90):
            hint = (
                _("緯度と経度が入れ替わっていませんか。")
                if lon is not None and Decimal(-90) <= lon <= Decimal(90)
                else ""
            )
            errors.append(
                _error(
                    "latitude_range",
                    _("{label}の緯度").format(label=label),
                    _("緯度は -90〜90 の範囲で入力してください（{value}）。{hint}").format(
                        value=lat, hint=hint
                    ),
                )
            )
        if lon is not None and not Decimal(-180) <= lon <= Decimal(180):
            errors.append(
                _error(
                    "longitude_range",
                    _("{label}の経度").format(label=label),
                    _("経度は -180〜180 の範囲で入力してください（{value}）。").format(value=lon),
                )
            )
        if (lat is None) != (lon is None):
            errors.append(
                _error(
                    "latlon_pair", label, _("緯度と経度は両方入力するか、両方空にしてください。")
                )
            )
        if location.postal_code and not re.fullmatch(
            r"[0-9]{3}-?[0-9]{4}", unicodedata.normalize("NFKC", location.postal_code).strip()
        ):
            errors.append(
                _error(
                    "invalid_postal_code",
                    _("{label}の郵便番号").format(label=label),
                    _("郵便番号は 247-0056 のように7桁で入力してください。"),
                )
            )
    return errors


def _raise_if(errors: list[DomainError]) -> None:
    if not errors:
        return
    raise DomainError(
        code="invalid",
        message=_("入力内容に誤りがあります（{count}件）。").format(count=len(errors)),
        details=errors,
    )


# --- helpers -----------------------------------------------------------------------------


def _reading(text: str, municipality: Municipality) -> str:
    return read_name(text, municipality)


def _reindex(municipality: Municipality, service_ids: Iterable[Any]) -> None:
    index_services(municipality, list(service_ids))


def _check_fresh(current: Any, expected_updated_at: dt.datetime | None, what: str) -> None:
    if expected_updated_at is None or current.updated_at == expected_updated_at:
        return
    raise StaleEdit(what=what, saved_at=current.updated_at)


def maintainer_refusal(municipality: Any, unit_id: int | None) -> DomainError | None:
    """Why ``unit_id`` cannot maintain entries of ``municipality`` (a unit of another one, or
    none at all), or None. The rule of ``service_save`` and ``organization_save``, and of the
    operators' admin forms."""
    if unit_id is None:
        return None
    if not OrganisationUnit.objects.filter(pk=unit_id, municipality=municipality).exists():
        return _error(
            "invalid_maintainer", _("情報を管理する団体"), _("選んだ団体が見つかりません。")
        )
    return None


def service_values_refusals(values: ServiceInput) -> list[DomainError]:
    """What is wrong with a service's own values (name, age range …): the check of
    ``service_save``, for the admin form too."""
    return _validate_service(values)


def _unit_in(municipality: Municipality, unit_id: int | None) -> None:
    refusal = maintainer_refusal(municipality, unit_id)
    if refusal is not None:
        raise refusal


def _plain(text: str) -> str:
    return text.strip()


def _schedule_text(s: Schedule) -> str:
    parts = [s.freq, s.byday or s.bymonthday]
    if s.interval:
        parts.append(f"interval={s.interval}")
    if s.opens_at or s.closes_at:
        parts.append(
            f"{s.opens_at.strftime('%H:%M') if s.opens_at else ''}-"
            f"{s.closes_at.strftime('%H:%M') if s.closes_at else ''}"
        )
    if s.closed_on_holidays:
        parts.append("closed_on_holidays")
    if s.closed_year_end:
        parts.append("closed_year_end")
    if s.description:
        parts.append(s.description)
    return " ".join(p for p in parts if p)


def _location_text(location: Location) -> str:
    addresses = " / ".join(
        f"〒{a.postal_code} {a.address_1} {a.address_2}".strip()
        if a.postal_code
        else f"{a.address_1} {a.address_2}".strip()
        for a in location.addresses.all()
    )
    parts = [
        location.name,
        addresses,
        f"district={location.district_id}" if location.district_id else "",
        f"town={location.town_id}" if location.town_id else "",
        f"{location.latitude},{location.longitude}" if location.latitude is not None else "",
    ]
    return " ".join(p for p in parts if p)


def service_snapshot(service: Service) -> dict[str, Any]:
    """The audited values of a service, its phones, schedules, places and terms."""
    values = audit.snapshot(service)
    values["phones"] = [
        f"{p.number}" + (f" ({p.description})" if p.description else "")
        for p in Phone.objects.filter(service=service).order_by("created_at", "id")
    ]
    values["schedules"] = [
        _schedule_text(s)
        for s in Schedule.objects.filter(service=service).order_by("created_at", "id")
    ]
    locations = (
        Location.objects.filter(at_locations__service=service)
        .prefetch_related("addresses")
        .order_by("created_at", "id")
    )
    values["locations"] = [_location_text(loc) for loc in locations]
    values["terms"] = sorted(
        Attribute.objects.filter(link_entity=LinkEntity.SERVICE, link_id=service.pk)
        .select_related("taxonomy_term")
        .values_list("taxonomy_term__name", flat=True)
    )
    return values


# --- organisations -----------------------------------------------------------------------


@transaction.atomic
def organization_save(
    *,
    actor: Any,
    municipality: Municipality,
    name: str,
    organization: Organization | None = None,
    name_kana: str = "",
    description: str = "",
    website: str = "",
    email: str = "",
    maintainer_id: int | None = None,
    expected_updated_at: dt.datetime | None = None,
) -> Organization:
    """Create or update an organisation (団体). Readings are generated when left empty."""
    if organization is None:
        if not permissions.can_create(actor, municipality):
            raise PermissionRefused()
    else:
        if organization.municipality_id != municipality.pk or not permissions.can_edit_organization(
            actor, organization
        ):
            raise PermissionRefused()
    if not permissions.can_assign_maintainer(actor, municipality, maintainer_id):
        raise PermissionRefused(_("情報を管理する団体には、あなたの所属する団体を選んでください。"))
    if not name.strip():
        raise _error("required", _("団体の名称"), _("団体の名称を入力してください。"))
    _unit_in(municipality, maintainer_id)
    if organization is None:
        current = Organization(municipality=municipality)
        before: dict[str, Any] = {}
    else:
        current = Organization.objects.select_for_update().get(pk=organization.pk)
        _check_fresh(current, expected_updated_at, _("団体"))
        before = audit.snapshot(current)
    current.name = _plain(name)
    current.name_kana = _plain(name_kana) or _reading(current.name, municipality)
    current.description = description.strip()
    current.website = website.strip()
    current.email = email.strip()
    current.maintainer_id = maintainer_id
    current.full_clean(exclude=["parent_organization", "municipality"])
    current.save()
    changes = audit.diff(before, audit.snapshot(current))
    if organization is None or changes:
        audit.record(
            actor=actor,
            action=Action.CREATE if organization is None else Action.UPDATE,
            obj=current,
            changes=changes,
        )
    if organization is not None and changes:
        _reindex(
            municipality, Service.objects.filter(organization=current).values_list("pk", flat=True)
        )
    return current


# --- services ----------------------------------------------------------------------------


def _require_edit(actor: Any, service: Service) -> None:
    if not permissions.can_edit_service(actor, service):
        raise PermissionRefused()


def _locked_service(service: Service, expected_updated_at: dt.datetime | None) -> Service:
    current = Service.objects.select_for_update().select_related("organization").get(pk=service.pk)
    _check_fresh(current, expected_updated_at, _("サービス"))
    return current


@transaction.atomic
def service_save(
    *,
    actor: Any,
    municipality: Municipality,
    organization: Organization,
    values: ServiceInput,
    service: Service | None = None,
    locations: Sequence[LocationInput] = (),
    phones: Sequence[PhoneInput] = (),
    schedules: Sequence[ScheduleInput] = (),
    term_codes: Sequence[str] = (),
    expected_updated_at: dt.datetime | None = None,
) -> Service:
    """Create or update a service with its places (and addresses), phones, schedules and the
    taxonomy terms (対象・分類) it carries; the lists replace what the service had.

    ``term_codes`` are codes of ``ensure_taxonomies(municipality)``; terms of other vocabularies
    (from an import) are kept. A new service is active, manual, not demo, and not yet confirmed.
    The organisation, shown publicly as the provider, must be one the actor may edit (or the one
    the service already has): ``permissions.can_file_under``.
    """
    if organization.municipality_id != municipality.pk:
        raise PermissionRefused()
    if service is None:
        if not permissions.can_create(actor, municipality):
            raise PermissionRefused()
    else:
        if service.municipality_id != municipality.pk:
            raise PermissionRefused()
        _require_edit(actor, service)
    if not permissions.can_file_under(actor, organization, service=service):
        raise PermissionRefused(
            _(
                "実施する団体「{name}」は、あなたの所属が管理する団体ではないため選べません。"
                "あなたの所属が管理する団体を選ぶか、新しい団体の名称を入力してください。"
            ).format(name=organization.name)
        )
    effective_maintainer = values.maintainer_id or organization.maintainer_id
    if not permissions.can_assign_maintainer(actor, municipality, effective_maintainer):
        raise PermissionRefused(_("情報を管理する団体には、あなたの所属する団体を選んでください。"))
    terms = ensure_taxonomies(municipality)
    errors = [
        *_validate_service(values),
        *_validate_locations(municipality, locations),
        *_validate_phones(phones),
        *_validate_schedules(schedules),
    ]
    unknown = [code for code in term_codes if code not in terms]
    if unknown:
        errors.append(
            _error(
                "invalid_term",
                _("対象・分類"),
                _("使えない分類があります: {codes}").format(codes="、".join(unknown)),
            )
        )
    _raise_if(errors)
    _unit_in(municipality, values.maintainer_id)

    if service is None:
        current = Service(
            municipality=municipality,
            organization=organization,
            status=ServiceStatus.ACTIVE,
        )
        before: dict[str, Any] = {}
    else:
        current = _locked_service(service, expected_updated_at)
        before = service_snapshot(current)
    current.organization = organization
    for name in SERVICE_FIELDS:
        value = getattr(values, name)
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    current.maintainer_id = values.maintainer_id
    if not current.name_kana:
        current.name_kana = _reading(current.name, municipality)
    current.save()

    _save_locations(current, municipality, organization, locations)
    _save_phones(current, municipality, phones)
    _save_schedules(current, municipality, schedules)
    service_terms_set(
        service_id=current.pk, municipality=municipality, codes=term_codes, terms=terms
    )

    changes = audit.diff(before, service_snapshot(current))
    audit.record(
        actor=actor,
        action=Action.CREATE if service is None else Action.UPDATE,
        obj=current,
        changes=changes,
    )
    _reindex(municipality, [current.pk])
    if service is not None:
        service.updated_at = current.updated_at
    return current


def _save_locations(
    service: Service,
    municipality: Municipality,
    organization: Organization,
    locations: Sequence[LocationInput],
) -> None:
    linked = {
        sal.location_id: sal
        for sal in ServiceAtLocation.objects.filter(service=service).select_related("location")
    }
    towns = {t.pk: t for t in Town.objects.filter(municipality=municipality)}
    kept: set[uuid.UUID] = set()
    for item in locations:
        if item.id is not None and item.id in linked:
            location = linked[item.id].location
        else:
            location = Location(municipality=municipality, location_type=LocationType.PHYSICAL)
        district_id = item.district_id
        if district_id is None and item.town_id is not None:
            district_id = towns[item.town_id].district_id
        location.organization = organization
        location.name = item.name.strip()
        location.name_kana = item.name_kana.strip() or (
            _reading(location.name, municipality) if location.name else ""
        )
        location.district_id = district_id
        location.town_id = item.town_id
        location.latitude = item.latitude
        location.longitude = item.longitude
        location.transportation = item.transportation.strip()
        location.save()
        kept.add(location.pk)
        if location.pk not in linked:
            ServiceAtLocation.objects.create(
                municipality=municipality, service=service, location=location
            )
        address = Address.objects.filter(location=location).order_by("created_at", "id").first()
        if item.address_1.strip():
            if address is None:
                address = Address(municipality=municipality, location=location)
            address.address_1 = item.address_1.strip()
            address.address_2 = item.address_2.strip()
            address.postal_code = unicodedata.normalize("NFKC", item.postal_code).strip()
            address.city = municipality.name
            address.state_province = municipality.prefecture
            address.save()
        elif address is not None:
            address.delete()
    for location_id, sal in linked.items():
        if location_id in kept:
            continue
        sal.delete()
        if not ServiceAtLocation.objects.filter(location_id=location_id).exists():
            Location.objects.filter(pk=location_id).delete()


def _save_phones(
    service: Service, municipality: Municipality, phones: Sequence[PhoneInput]
) -> None:
    existing = {p.pk: p for p in Phone.objects.filter(service=service)}
    kept = set()
    for item in phones:
        phone = existing.get(item.id) if item.id is not None else None
        if phone is None:
            phone = Phone(municipality=municipality, service=service)
        phone.number = normalize_phone(item.number)
        phone.extension = item.extension
        phone.type = item.type or "voice"
        phone.description = item.description.strip()
        phone.save()
        kept.add(phone.pk)
    Phone.objects.filter(service=service).exclude(pk__in=kept).delete()


def _save_schedules(
    service: Service, municipality: Municipality, schedules: Sequence[ScheduleInput]
) -> None:
    existing = {s.pk: s for s in Schedule.objects.filter(service=service)}
    kept = set()
    for item in schedules:
        schedule = existing.get(item.id) if item.id is not None else None
        if schedule is None:
            schedule = Schedule(municipality=municipality, service=service)
        schedule.freq = item.freq
        schedule.byday = ",".join(
            part.strip().upper() for part in item.byday.split(",") if part.strip()
        )
        schedule.bymonthday = ",".join(
            part.strip() for part in item.bymonthday.split(",") if part.strip()
        )
        schedule.interval = item.interval
        schedule.opens_at = item.opens_at
        schedule.closes_at = item.closes_at
        schedule.description = item.description.strip()
        schedule.notes = item.notes.strip()
        schedule.closed_on_holidays = item.closed_on_holidays
        schedule.closed_year_end = item.closed_year_end
        schedule.valid_from = item.valid_from
        schedule.valid_to = item.valid_to
        schedule.save()
        kept.add(schedule.pk)
    Schedule.objects.filter(service=service).exclude(pk__in=kept).delete()


@transaction.atomic
def service_confirm(*, actor: Any, service: Service, on: dt.date | None = None) -> Service:
    """「内容を確認しました」: set 最終確認日 to today; audited (the audit row says who confirmed).

    No one's e-mail is stored as ``assurer_email`` (HSDS publishes that field): confirming
    clears whatever an earlier version or an import left there.
    """
    _require_edit(actor, service)
    current = Service.objects.select_for_update().get(pk=service.pk)
    before = audit.snapshot(current, ["assured_date", "assurer_email"])
    current.assured_date = on or timezone.localdate()
    current.assurer_email = ""
    current.save(update_fields=["assured_date", "assurer_email", "updated_at"])
    audit.record(
        actor=actor,
        action=Action.CONFIRM,
        obj=current,
        changes=audit.diff(before, audit.snapshot(current, ["assured_date", "assurer_email"])),
        detail=_("掲載内容が正しいことを確認"),
    )
    _reindex(current.municipality, [current.pk])
    service.assured_date, service.updated_at = current.assured_date, current.updated_at
    service.assurer_email = current.assurer_email
    return current


@transaction.atomic
def service_set_status(*, actor: Any, service: Service, status: str) -> Service:
    """実施中 / 休止中 / 一時休止 / 終了. Only 実施中 entries appear on public pages and booklets."""
    _require_edit(actor, service)
    if status not in ServiceStatus.values:
        raise _error(
            "invalid_status",
            _("状態"),
            _("状態「{status}」は使えません。{choices} から選んでください。").format(
                status=status, choices=_("・").join(str(label) for label in ServiceStatus.labels)
            ),
        )
    current = Service.objects.select_for_update().get(pk=service.pk)
    if current.status == status:
        return current
    before = audit.snapshot(current, ["status"])
    current.status = status
    current.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=Action.UPDATE,
        obj=current,
        changes=audit.diff(before, audit.snapshot(current, ["status"])),
    )
    _reindex(current.municipality, [current.pk])
    service.status, service.updated_at = current.status, current.updated_at
    return current


@transaction.atomic
def service_delete(*, actor: Any, service: Service) -> None:
    """Delete a service, its phones, schedules and terms (事務局 only). Places used by no other
    service are deleted with it. Prefer 終了 (defunct) to keep the history visible."""
    if not permissions.can_delete_service(actor, service):
        raise PermissionRefused()
    current = Service.objects.select_for_update().get(pk=service.pk)
    before = service_snapshot(current)
    location_ids = list(
        ServiceAtLocation.objects.filter(service=current).values_list("location_id", flat=True)
    )
    Attribute.objects.filter(link_entity=LinkEntity.SERVICE, link_id=current.pk).delete()
    municipality = current.municipality
    pk = current.pk
    audit.record(actor=actor, action=Action.DELETE, obj=current, changes=audit.diff(before, {}))
    current.delete()
    orphans = Location.objects.filter(pk__in=location_ids).exclude(Q(at_locations__isnull=False))
    orphans.delete()
    _reindex(municipality, [pk])
