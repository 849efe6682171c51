"""Point 8 (part): on PostgreSQL a web request's query stops after SASAEAI_WEB_STATEMENT_TIMEOUT
seconds and the visitor is told so (503, in Japanese); the command line is not limited."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from pytest_django import Settings as SettingsWrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's"
)


def _current_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return str(cursor.fetchone()[0])


def test_web_requests_run_under_the_statement_timeout(
    kamakura: object, client: Client, settings: SettingsWrapper
) -> None:
    settings.SASAEAI_WEB_STATEMENT_TIMEOUT = 30
    assert _current_timeout() == "0"  # the test's own (command-line-like) connection
    assert client.get("/m/142042/").status_code == 200
    assert _current_timeout() == "30s"  # the connection that served the request


@pytest.mark.urls("tests.security.slow_urls")
def test_a_page_whose_query_runs_too_long_answers_503_in_words(
    kamakura: object, client: Client, settings: SettingsWrapper
) -> None:
    settings.SASAEAI_WEB_STATEMENT_TIMEOUT = 0.2
    response = client.get("/slow/")
    assert response.status_code == 503
    assert "時間がかかりすぎたため、処理を中止しました。" in response.content.decode()


@pytest.mark.urls("tests.security.slow_urls")
def test_an_api_call_whose_query_runs_too_long_answers_503_json(
    kamakura: object, client: Client, settings: SettingsWrapper
) -> None:
    settings.SASAEAI_WEB_STATEMENT_TIMEOUT = 0.2
    response = client.get("/api/slow-test/slow")
    assert response.status_code == 503
    assert response.json()["code"] == "timeout"
