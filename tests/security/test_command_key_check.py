"""Point 7: a management command that can write refuses to start with the wrong encryption
keys, as runserver, WSGI and ASGI do — before it writes a row no one could read."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection

from tests.core.test_crypto import KEY_A, KEY_B, run_sasaeai

WRONG_KEY = (
    "暗号鍵が違います: 保存済みのデータを SASAEAI_ENCRYPTION_KEYS のどの鍵でも復号できません。"
)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of the kind the tests run on, migrated (canary written) under key A."""
    if connection.vendor == "postgresql":
        server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        name = f"sasaeai_keys_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = f"{server}/{name}"
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('keys') / 'sasaeai.sqlite3'}"
    result = run_sasaeai("migrate", "--no-input", "-v0", env=_env(url, KEY_A))
    assert result.returncode == 0, result.stderr
    yield url
    if connection.vendor == "postgresql":
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _env(url: str, key: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "SASAEAI_ENCRYPTION_KEYS": key,
        "DJANGO_SUPERUSER_PASSWORD": "correct-horse-battery-42",
    }


def _users(url: str) -> list[str]:
    query = "SELECT username FROM accounts_user ORDER BY 1"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return [row[0] for row in db.execute(query)]
    with psycopg.connect(url) as db:
        return [row[0] for row in db.execute(query)]


@pytest.mark.parametrize(
    "command",
    [
        ("createsuperuser", "--no-input", "--username", "intruder", "--email", "i@example.jp"),
        ("loaddemo",),
        ("changepassword", "intruder"),
        ("shell", "-c", "print('ran')"),
        ("directory", "remind", "--municipality", "142042"),
    ],
    ids=lambda command: command[0],
)
def test_a_writing_command_refuses_the_wrong_key_and_writes_nothing(
    database: str, command: tuple[str, ...]
) -> None:
    result = run_sasaeai(*command, env=_env(database, KEY_B))
    assert result.returncode == 1
    assert WRONG_KEY in result.stderr
    assert "Traceback" not in result.stderr
    assert "ran" not in result.stdout
    assert _users(database) == []


def test_the_right_key_still_runs_commands(database: str) -> None:
    result = run_sasaeai(
        "createsuperuser",
        "--no-input",
        "--username",
        "operator",
        "--email",
        "op@example.jp",
        env=_env(database, KEY_A),
    )
    assert result.returncode == 0, result.stderr
    assert _users(database) == ["operator"]


def test_commands_that_touch_no_data_run_without_the_check(database: str) -> None:
    result = run_sasaeai("generate_encryption_key", env=_env(database, KEY_B))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip()) == 44
