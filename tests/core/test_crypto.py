"""Encryption of personal data: round trip, rotation, wrong key, missing key."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from pytest_django import Settings as SettingsWrapper

from sasaeai.accounts import services
from sasaeai.accounts.models import Municipality, User
from sasaeai.core import crypto
from sasaeai.core.models import EncryptionCanary

KEY_A = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="  # 32 x "A"
KEY_B = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="  # 32 x "B"


def raw_phone(user: User) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM accounts_user WHERE id = %s", [user.pk])
        return str(cursor.fetchone()[0])


@pytest.fixture
def person(kamakura: Municipality, settings: SettingsWrapper) -> User:
    settings.SASAEAI_ENCRYPTION_KEYS = [KEY_A]
    EncryptionCanary.objects.all().delete()
    crypto.ensure_canary()  # as `migrate` does under the keys in force
    user = services.user_upsert(
        actor="test", municipality=kamakura, username="sato", display_name="佐藤"
    )
    user.contact_phone = "0467-23-3000"
    user.save()
    return user


def test_round_trip_and_ciphertext_at_rest(person: User) -> None:
    stored = raw_phone(person)
    assert "0467" not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    assert User.objects.get(pk=person.pk).contact_phone == "0467-23-3000"


def test_same_plaintext_encrypts_differently(settings: SettingsWrapper) -> None:
    settings.SASAEAI_ENCRYPTION_KEYS = [KEY_A]
    assert crypto.encrypt("同じ値") != crypto.encrypt("同じ値")


def test_only_isnull_lookups(person: User) -> None:
    assert User.objects.filter(pk=person.pk, contact_phone__isnull=False).count() == 1
    with pytest.raises(Exception, match=r"Unsupported lookup 'exact'"):
        list(User.objects.filter(contact_phone__exact="0467-23-3000"))


def test_rotation_reencrypts_under_the_newest_key(person: User, settings: SettingsWrapper) -> None:
    before = raw_phone(person)
    settings.SASAEAI_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    call_command("rotate_encryption_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert raw_phone(person) != before
    settings.SASAEAI_ENCRYPTION_KEYS = [KEY_B]  # the old key is gone
    assert User.objects.get(pk=person.pk).contact_phone == "0467-23-3000"
    crypto.verify_encryption_keys()  # the canary was rotated too


def test_rotation_without_the_old_key_changes_nothing(
    person: User, settings: SettingsWrapper
) -> None:
    before = raw_phone(person)
    settings.SASAEAI_ENCRYPTION_KEYS = [KEY_B]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="古い鍵を SASAEAI_ENCRYPTION_KEYS に残したまま"):
        call_command("rotate_encryption_keys")
    assert raw_phone(person) == before


def test_wrong_key_fails_loudly(person: User, settings: SettingsWrapper) -> None:
    settings.SASAEAI_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(crypto.DecryptionError, match="暗号鍵"):
        User.objects.get(pk=person.pk)
    with pytest.raises(ImproperlyConfigured, match="暗号鍵が違います"):
        crypto.verify_encryption_keys()


def test_canary_exists_after_migrate(db: None) -> None:
    assert EncryptionCanary.objects.count() == 1


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (["not-a-key"], "1 番目の鍵が不正です"),
        ([KEY_A, "c2hvcnQ="], "2 番目の鍵が不正です"),
        ([], "暗号鍵がありません"),
    ],
)
def test_malformed_or_missing_keys(
    settings: SettingsWrapper, keys: list[str], message: str
) -> None:
    settings.SASAEAI_ENCRYPTION_KEYS = keys
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.encrypt("x")


def run_sasaeai(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "SASAEAI_ENCRYPTION_KEYS",
            "SASAEAI_ENV",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
        }
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "sasaeai", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_without_keys_will_not_start() -> None:
    result = run_sasaeai(
        "check",
        env={"SASAEAI_ENV": "production", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.jp"},
    )
    assert result.returncode == 1
    assert "環境変数 SASAEAI_ENCRYPTION_KEYS が設定されていません" in result.stderr


def test_production_with_malformed_key_will_not_start(tmp_path: object) -> None:
    result = run_sasaeai(
        "runserver",
        env={
            "SASAEAI_ENV": "production",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "example.jp",
            "SASAEAI_ENCRYPTION_KEYS": "short",
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        },
    )
    assert result.returncode == 1
    assert "SASAEAI_ENCRYPTION_KEYS の 1 番目の鍵が不正です" in result.stderr


def test_production_without_secret_key_will_not_start() -> None:
    result = run_sasaeai("check", env={"SASAEAI_ENV": "production"})
    assert result.returncode == 1
    assert "環境変数 SECRET_KEY が設定されていません" in result.stderr


def test_deploy_check_is_clean_with_production_settings(tmp_path: object) -> None:
    result = run_sasaeai(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "SASAEAI_ENV": "production",
            "SECRET_KEY": "k3y-" + "q8Zr1" * 12,
            "ALLOWED_HOSTS": "welfare.example.jp",
            "SASAEAI_ENCRYPTION_KEYS": KEY_A,
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        },
    )
    assert (result.returncode, result.stdout.strip()) == (
        0,
        "System check identified no issues (0 silenced).",
    ), result.stderr
