"""``sasaeai directory search``: the same engine as the web, text and JSON output."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sasaeai.accounts.models import District, Municipality
from tests.directory.builders import build_service

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("directory", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def services(kamakura: Municipality, districts: dict[str, District]) -> dict[str, str]:
    made = {
        name: build_service(kamakura, name=name, name_kana=kana, organization=org, district=d)
        for name, kana, org, d in [
            ("サロン", "サロン", "鎌倉の会", "鎌倉"),
            ("サロンさくら", "サロンサクラ", "さくらの会", "大船"),
            ("ふれあい食堂", "フレアイショクドウ", "ふれあいの会", "腰越"),
        ]
    }
    return {name: str(service.pk) for name, service in made.items()}


def test_json_output_is_exact(services: dict[str, str]) -> None:
    output = run("search", "さろん", "--municipality", "142042", "--format", "json")
    assert json.loads(output) == {
        "total": 2,
        "results": [
            {
                "id": services["サロン"],
                "name": "サロン",
                "organization": "鎌倉の会",
                "district": "鎌倉",
            },
            {
                "id": services["サロンさくら"],
                "name": "サロンさくら",
                "organization": "さくらの会",
                "district": "大船",
            },
        ],
    }
    assert "サロン" in output  # not \u escapes


def test_json_total_is_exact_past_the_web_count(
    services: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sasaeai.directory import search as engine

    monkeypatch.setattr(engine, "COUNT_LIMIT", 1)  # the web page would say 「1件以上」
    output = json.loads(
        run("search", "さろん", "--municipality", "142042", "--format", "json", "--limit", "1")
    )
    assert (output["total"], [hit["name"] for hit in output["results"]]) == (2, ["サロン"])


def test_district_filter_and_text_output(services: dict[str, str]) -> None:
    output = run("search", "ｻﾛﾝ", "--municipality", "142042", "--district", "大船")
    assert output.splitlines() == [
        "1件",
        f"サロンさくら [大船] — さくらの会  ({services['サロンさくら']})",
    ]


def test_unknown_municipality_or_district_is_a_usage_error(services: dict[str, str]) -> None:
    with pytest.raises(CommandError) as raised:
        run("search", "さろん", "--municipality", "999999")
    assert raised.value.returncode == 2
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "directory",
            "search",
            "さろん",
            "--municipality",
            "142042",
            "--district",
            "横浜",
            stderr=err,
        )
    assert "行政地区「横浜」は鎌倉市にありません。" in err.getvalue()
