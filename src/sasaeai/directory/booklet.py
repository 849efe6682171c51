"""The senior guide booklet (シニアガイド): one A4 PDF per administrative district (行政地区).

It lists the active services for older people (target 高齢者 or 誰でも) that have a place in
the district, grouped by category, with a cover, contents with page numbers (WeasyPrint's
``target-counter``), and for each entry its name and reading, what it offers, for whom, when,
where, the phone number in large type, the cost and the 最終確認日. Large type throughout
(body 15 pt, phone numbers 22 pt), black on white, generous line height.

    pdf = booklet_pdf(municipality=kamakura, district_name="大船")
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts.models import District, Municipality
from sasaeai.core.errors import DomainError
from sasaeai.core.pdf import render_pdf
from sasaeai.core.wareki import format_date
from sasaeai.directory import schedules as schedule_text
from sasaeai.directory.models import (
    Attribute,
    LinkEntity,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)
from sasaeai.directory.taxonomies import (
    CATEGORY_CODES,
    CATEGORY_OTHER,
    TARGET_ELDERLY,
    TARGET_EVERYONE,
    profile_terms,
    term_labels,
    terms_of_services,
)

CSS_PATH = Path(__file__).with_name("templates") / "directory" / "booklet" / "booklet.css"
#: Services for whom the booklet is made: older people, or everyone.
BOOKLET_TARGETS = (TARGET_ELDERLY, TARGET_EVERYONE)
#: The body type size in points; tests read it from the CSS.
BODY_PT = 15


class UnknownDistrict(DomainError):
    """The district named is not one of the municipality's."""


@dataclass
class BookletEntry:
    id: uuid.UUID
    name: str
    reading: str
    organization: str
    description: str
    for_whom: str
    when: list[str]
    where: list[str]
    phones: list[tuple[str, str]]
    cost: str
    alert: str
    assured_date: dt.date | None
    is_demo: bool

    @property
    def anchor(self) -> str:
        return f"s-{self.id}"


@dataclass
class BookletSection:
    code: str
    name: str
    description: str
    entries: list[BookletEntry] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"c-{self.code}"


@dataclass
class Booklet:
    municipality: Municipality
    district: District
    made_on: dt.date
    sections: list[BookletSection]
    has_demo: bool

    @property
    def entry_count(self) -> int:
        return sum(len(section.entries) for section in self.sections)

    @property
    def made_on_text(self) -> str:
        return format_date(self.made_on)


def district_of(municipality: Municipality, name: str) -> District:
    """The district called ``name``, or :class:`UnknownDistrict` listing the valid names."""
    districts = list(District.objects.filter(municipality=municipality).order_by("order", "name"))
    for district in districts:
        if name.strip() in {district.name, _("{name}地区").format(name=district.name)}:
            return district
    raise UnknownDistrict(
        code="unknown_district",
        message=_("行政地区「{name}」は{municipality}にありません。使える地区: {valid}").format(
            name=name,
            municipality=municipality.name,
            valid="、".join(d.name for d in districts) or _("（登録されていません）"),
        ),
    )


def _cost(service: Service) -> str:
    fees = service.fees_description.strip()
    if service.is_free is True:
        return _("無料（{fees}）").format(fees=fees) if fees else _("無料")
    if service.is_free is False:
        return fees or _("有料")
    return fees


def _in_district(location: Location, district: District) -> bool:
    if location.district_id is not None:
        return bool(location.district_id == district.pk)
    return location.town is not None and location.town.district_id == district.pk


def _phones(service: Service, district: District) -> list[tuple[str, str]]:
    """The service's phones, then those of its places in the district (no fax, no repeats)."""
    phones = list(service.phones.all())
    for sal in service.at_locations.all():
        if _in_district(sal.location, district):
            phones.extend(sal.location.phones.all())
    found: list[tuple[str, str]] = []
    for phone in phones:
        if phone.type != "fax" and phone.number not in {n for n, _d in found}:
            found.append((phone.number, phone.description))
    return found


def _where(service: Service, district: District) -> list[str]:
    lines = []
    for sal in service.at_locations.all():
        location = sal.location
        if not _in_district(location, district):
            continue
        address = next(iter(location.addresses.all()), None)
        text = ""
        if address is not None:
            text = f"{address.city}{address.address_1}"
            if address.address_2:
                text += f" {address.address_2}"
        parts = [p for p in (location.name if location.name != service.name else "", text) if p]
        if location.town is not None and (address is None or location.town.name not in text):
            parts.append(_("（{town}）").format(town=location.town.name))
        line = " ".join(parts)
        if line and line not in lines:
            lines.append(line)
    return lines


def build_booklet(
    *, municipality: Municipality, district_name: str, today: dt.date | None = None
) -> Booklet:
    """The booklet's content for one district (a constant number of queries)."""
    district = district_of(municipality, district_name)
    terms = profile_terms(municipality)  # reads never write: a missing term has no services
    labels = term_labels(municipality, terms)
    target_ids = [terms[code].pk for code in BOOKLET_TARGETS if code in terms]
    queryset = (
        Service.objects.filter(
            Q(at_locations__location__district=district)
            | Q(
                at_locations__location__district__isnull=True,
                at_locations__location__town__district=district,
            ),
            municipality=municipality,
            status=ServiceStatus.ACTIVE,
            pk__in=Attribute.objects.filter(
                link_entity=LinkEntity.SERVICE, taxonomy_term_id__in=target_ids
            ).values("link_id"),
        )
        .distinct()
        .select_related("organization")
        .prefetch_related(
            Prefetch(
                "at_locations",
                queryset=ServiceAtLocation.objects.select_related("location__town")
                .prefetch_related(
                    "location__addresses",
                    Prefetch("location__phones", queryset=Phone.objects.order_by("number")),
                )
                .order_by("location__name", "id"),
            ),
            Prefetch("phones", queryset=Phone.objects.order_by("number")),
            Prefetch("schedules", queryset=Schedule.objects.order_by("opens_at", "id")),
        )
        .order_by("name_kana", "name", "pk")
    )
    services = list(queryset)
    service_terms = terms_of_services([s.pk for s in services])
    sections: dict[str, BookletSection] = {}
    for code in CATEGORY_CODES:
        sections[code] = BookletSection(
            code=code, name=labels[code].name, description=labels[code].description
        )
    for service in services:
        found = service_terms.get(service.pk)
        categories = found.category_codes if found else []
        code = next((c for c in categories if c in sections), CATEGORY_OTHER)
        targets = [t.name for t in found.targets] if found else []
        for_whom = service.eligibility_description.strip() or _("・").join(targets)
        entry = BookletEntry(
            id=service.pk,
            name=service.name,
            reading=service.name_kana,
            organization=service.organization.name,
            description=service.description.strip(),
            for_whom=for_whom,
            when=[
                text
                for text in (schedule_text.describe(s) for s in service.schedules.all())
                if text
            ],
            where=_where(service, district),
            phones=_phones(service, district),
            cost=_cost(service),
            alert=service.alert.strip(),
            assured_date=service.assured_date,
            is_demo=service.is_demo,
        )
        sections.setdefault(
            code, BookletSection(code=code, name=code, description="")
        ).entries.append(entry)
    filled = [section for section in sections.values() if section.entries]
    return Booklet(
        municipality=municipality,
        district=district,
        made_on=today or timezone.localdate(),
        sections=filled,
        has_demo=municipality.is_demo or district.is_demo or any(s.is_demo for s in services),
    )


def booklet_html(booklet: Booklet) -> str:
    return render_to_string("directory/booklet/booklet.html", {"booklet": booklet})


def booklet_css() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def booklet_pdf(
    *, municipality: Municipality, district_name: str, today: dt.date | None = None
) -> bytes:
    """The booklet of one district as PDF bytes."""
    booklet = build_booklet(municipality=municipality, district_name=district_name, today=today)
    return render_pdf(booklet_html(booklet), stylesheets=[booklet_css()])


def booklet_filename(municipality: Municipality, district_name: str) -> str:
    """``142042_大船_シニアガイド.pdf``."""
    return _("{code}_{district}_シニアガイド.pdf").format(
        code=municipality.code, district=district_name
    )


def district_names(municipality: Municipality) -> Sequence[str]:
    return list(
        District.objects.filter(municipality=municipality)
        .order_by("order", "name")
        .values_list("name", flat=True)
    )
