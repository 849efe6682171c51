"""The Kamakura demo tenant: complete, marked as demo, idempotent, refused in production."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from sasaeai.accounts.models import District, Membership, Municipality, OrganisationUnit, Town, User
from sasaeai.audit.models import AuditEvent


@pytest.fixture
def loaded(db: None) -> str:
    out = io.StringIO()
    call_command("loaddemo", stdout=out)
    return out.getvalue()


def test_demo_tenant_contents(loaded: str) -> None:
    kamakura = Municipality.objects.get(code="142042")
    assert (kamakura.name, kamakura.prefecture, kamakura.is_demo) == ("鎌倉市", "神奈川県", True)
    assert list(District.objects.filter(municipality=kamakura).values_list("name", flat=True)) == [
        "鎌倉",
        "腰越",
        "深沢",
        "大船",
        "玉縄",
    ]
    assert Town.objects.filter(municipality=kamakura, is_demo=False).count() == 0
    assert sorted(
        set(OrganisationUnit.objects.filter(municipality=kamakura).values_list("kind", flat=True))
    ) == [
        "care_center",
        "committee",
        "council",
        "department",
        "district_council",
        "neighbourhood",
    ]
    assert OrganisationUnit.objects.filter(kind="neighbourhood").count() == 2
    assert sorted(Membership.objects.values_list("user__username", "role")) == [
        ("demo-admin", "system_admin"),
        ("demo-chiiki", "community_group"),
        ("demo-houkatsu", "department"),
        ("demo-iin", "committee_member"),
        ("demo-jimukyoku", "secretariat"),
        ("demo-shakyo", "council_coordinator"),
        ("demo-tantoka", "department"),
        ("demo-tantoka2", "department"),
    ]
    assert User.objects.filter(is_demo=False).count() == 0
    assert list(User.objects.filter(is_superuser=True).values_list("username", "municipality")) == [
        ("demo-operator", None)
    ]
    assert TOTPDevice.objects.filter(confirmed=True).count() == 5


def test_names_per_fiscal_year(loaded: str) -> None:
    unit = OrganisationUnit.objects.get(code="kodomo-shien")
    assert (unit.name_in(2023), unit.name_in(2024), unit.name_in(2030)) == (
        "子育て支援課",
        "こども支援課",
        "こども支援課",
    )


def test_invented_names_are_marked(loaded: str) -> None:
    for unit in OrganisationUnit.objects.filter(
        kind__in=["neighbourhood", "district_council", "care_center"]
    ):
        assert unit.is_demo is True
        assert unit.current_name().startswith("（架空）")


def test_prints_accounts(loaded: str) -> None:
    assert "パスワード: sasaeai-demo-2026" in loaded
    assert (
        "demo-jimukyoku   事務局  ※2段階認証: `sasaeai demotoken demo-jimukyoku` でコードを表示"
        in loaded
    )


def test_idempotent(loaded: str) -> None:
    counts = (
        AuditEvent.objects.count(),
        User.objects.count(),
        OrganisationUnit.objects.count(),
        Town.objects.count(),
    )
    call_command("loaddemo", stdout=io.StringIO())
    assert (
        AuditEvent.objects.count(),
        User.objects.count(),
        OrganisationUnit.objects.count(),
        Town.objects.count(),
    ) == counts


def test_demotoken(loaded: str) -> None:
    out = io.StringIO()
    call_command("demotoken", "demo-jimukyoku", stdout=out)
    assert len(out.getvalue().strip()) == 6
    with pytest.raises(CommandError, match="デモ用アカウント「someone」はありません。"):
        call_command("demotoken", "someone")


def test_refused_in_production(db: None, settings: object) -> None:
    settings.PRODUCTION = True  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="本番環境"):
        call_command("loaddemo")
    assert Municipality.objects.count() == 0
