"""Reading the open-data day and time columns, and the small text helpers of the importer."""

from __future__ import annotations

import datetime as dt

import pytest

from sasaeai.directory.importing.opendata import Place, split_address
from sasaeai.directory.importing.text import normalize_header
from sasaeai.directory.importing.weekly import (
    parse_days,
    parse_time,
    parse_time_range,
    says_closed_on_holidays,
    says_closed_year_end,
)
from sasaeai.directory.phones import normalize_phone, phone_problem

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")


@pytest.mark.parametrize(
    ("text", "byday", "closed", "holidays"),
    [
        ("月～金", WEEKDAYS, False, False),
        ("月火水木金", WEEKDAYS, False, False),
        ("月・水・金", ("MO", "WE", "FR"), False, False),
        ("土日祝", ("SA", "SU"), False, True),
        ("平日", WEEKDAYS, True, False),
        ("毎日", ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), False, False),
        ("月曜日から金曜日", WEEKDAYS, False, False),
        ("月～金（祝日を除く）", WEEKDAYS, True, False),
        ("月〜土(祝日除く)", (*WEEKDAYS, "SA"), True, False),
        ("火、木", ("TU", "TH"), False, False),
        ("金～月", ("MO", "FR", "SA", "SU"), False, False),
    ],
)
def test_days(text: str, byday: tuple[str, ...], closed: bool, holidays: bool) -> None:
    days = parse_days(text)
    assert days is not None
    assert (days.byday, days.closed_on_holidays, days.open_on_holidays) == (byday, closed, holidays)


@pytest.mark.parametrize("text", ["", "不定期", "要予約", "月～", "～金", "第2水曜"])
def test_days_that_are_not_only_days(text: str) -> None:
    assert parse_days(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:00", dt.time(9, 0)),
        ("09:00:00", dt.time(9, 0)),
        ("９：３０", dt.time(9, 30)),
        ("９時", dt.time(9, 0)),
        ("9時30分", dt.time(9, 30)),
        ("9時半", dt.time(9, 30)),
        ("午後5時", dt.time(17, 0)),
        ("午前0時", dt.time(0, 0)),
        ("1730", dt.time(17, 30)),
        ("24:00", dt.time(23, 59)),
        ("25:00", None),
        ("夕方", None),
    ],
)
def test_times(text: str, expected: dt.time | None) -> None:
    assert parse_time(text) == expected


def test_time_ranges_and_notes() -> None:
    assert parse_time_range("9:00～17:00") == (dt.time(9, 0), dt.time(17, 0))
    assert parse_time_range("24時間") == (dt.time(0, 0), dt.time(23, 59))
    assert parse_time_range("9:00") is None
    assert says_closed_on_holidays("日曜・祝日・年末年始は休み")
    assert not says_closed_on_holidays("祝日も開いています")
    assert says_closed_year_end("年末年始は休み")
    assert not says_closed_year_end("木曜午後休診")


def test_headers_phones_and_addresses() -> None:
    assert normalize_header("\ufeff 建物名等（方書） ") == "建物名等(方書)"
    assert normalize_header("名称　_カナ") == "名称_カナ"
    assert normalize_phone("０４６７（２３）３０００") == "0467-23-3000"
    assert normalize_phone("(0467)23-3000") == "0467-23-3000"
    assert normalize_phone("0120-123-456") == "0120-123-456"
    assert normalize_phone("+81 467-23-3000") == "0467-23-3000"
    assert (
        phone_problem("0467-23-30")
        == "桁数が合いません（固定電話は10桁、携帯電話などは11桁です）。"
    )
    assert phone_problem(normalize_phone("内線12")) == "数字とハイフン（-）だけで入力してください。"
    assert phone_problem("0467-23-3000") is None
    # 11 digits only for mobile, IP and 0800 numbers: the same rule as the staff form
    assert phone_problem("0467-23-30001") == (
        "桁数が合いません（固定電話は10桁、携帯電話などは11桁です）。"
    )
    assert phone_problem("090-1234-5678") is None
    kamakura = Place(code="142042", name="鎌倉市", prefecture="神奈川県")
    assert split_address("神奈川県鎌倉市大船1-2-3", kamakura) == ("神奈川県", "鎌倉市", "大船1-2-3")
    assert split_address("大船1-2-3", kamakura) == ("神奈川県", "鎌倉市", "大船1-2-3")
    assert split_address("東京都千代田区永田町1-7-1", kamakura) == (
        "東京都",
        "千代田区",
        "永田町1-7-1",
    )
    assert split_address("腰越津村1-2", kamakura) == ("神奈川県", "鎌倉市", "腰越津村1-2")
    assert split_address("藤沢市朝日町1-1", kamakura) == ("神奈川県", "藤沢市", "朝日町1-1")
    assert split_address("神奈川県横浜市中区港町1-1", kamakura) == (
        "神奈川県",
        "横浜市中区",
        "港町1-1",
    )
