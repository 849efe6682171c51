"""The open-data CSV tables, read back byte for byte and with the csv module."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal

import pytest

from sasaeai.publication.document import YearValue
from sasaeai.publication.render.csv import guard_text, render_csv_tables
from tests.publication.factories import FORMULA_TEXT, TRICKY_TEXT, make_document

INDICATOR_HEADER = (
    "全国地方公共団体コード,地方公共団体名,計画名,基本目標番号,指標番号,指標名,単位,年度,"
    "年度（和暦）,実績値,基準値,基準年度,目標値,目標年度,達成率（%）,判定,判定の区分名,出典,備考"
)
INITIATIVE_HEADER = (
    "全国地方公共団体コード,地方公共団体名,計画名,年度,年度（和暦）,基本目標番号,基本目標,"
    "施策番号,施策,取組の種類,取組番号,取組名,担当課,評価,評価の区分名,今後の方向性,"
    "再掲元の取組番号"
)
GUARDED = "'" + FORMULA_TEXT


@pytest.fixture(scope="module")
def tables() -> dict[str, bytes]:
    return render_csv_tables(make_document())


def parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_two_tables(tables: dict[str, bytes]) -> None:
    assert sorted(tables) == ["indicators.csv", "initiatives.csv"]


@pytest.mark.parametrize("name", ["indicators.csv", "initiatives.csv"])
def test_bom_crlf_and_utf8(tables: dict[str, bytes], name: str) -> None:
    data = tables[name]
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\xef\xbb\xbf") == 1
    assert data.endswith(b"\r\n")
    # every line break outside a quoted field is CRLF: remove the quoted fields, then look
    text = data.decode("utf-8-sig")
    outside = "".join(part for index, part in enumerate(text.split('"')) if index % 2 == 0)
    assert "\n" not in outside.replace("\r\n", "")
    assert "鎌倉市" in text


def test_indicators_header_and_rows(tables: dict[str, bytes]) -> None:
    data = tables["indicators.csv"]
    assert data.startswith(("\ufeff" + INDICATOR_HEADER + "\r\n").encode())
    header, *rows = parse(data)
    assert ",".join(header) == INDICATOR_HEADER
    assert len(rows) == 3 * 5  # indicators × 年度 (令和2〜6年度)
    assert rows[0] == [
        "142042",
        "鎌倉市",
        "鎌倉市地域福祉計画",
        "1",
        "1",
        "相談窓口の認知度",
        "%",
        "2020",
        "令和2年度",
        "42",
        "40.5",
        "2019",
        "60",
        "2025",
        "",
        "",
        "",
        "市民意識調査",
        "",
    ]
    assert rows[1][7:10] == ["2021", "令和3年度", ""]
    assert rows[2][9] == "48.25"
    assert rows[2][18] == "（架空）市民意識調査（令和4年度実施）"
    # the report's 年度 carries 達成率 and 判定
    assert rows[4][7:17] == [
        "2024",
        "令和6年度",
        "55",
        "40.5",
        "2019",
        "60",
        "2025",
        "74.4",
        "C",
        "やや遅れている",
    ]
    assert [row[9] for row in rows[5:10]] == ["1250", "1310", "1405", "1460", ""]
    assert rows[9][15:18] == ["-", "実績なし", GUARDED]
    # negative numbers stay numbers; missing values are empty
    assert rows[14][9:14] == ["-1.25", "-3.5", "2020", "", ""]


def test_a_field_with_comma_quote_and_newline_round_trips(tables: dict[str, bytes]) -> None:
    data = tables["indicators.csv"]
    assert (
        b'"A,B ""\xe5\xbc\x95\xe7\x94\xa8"" \xe6\x94\xb9\xe8\xa1\x8c\n' in data
    )  # 「引用」「改行」
    assert parse(data)[15][18] == TRICKY_TEXT
    assert parse(tables["initiatives.csv"])[4][11] == TRICKY_TEXT


def test_initiatives_header_and_rows(tables: dict[str, bytes]) -> None:
    header, *rows = parse(tables["initiatives.csv"])
    assert ",".join(header) == INITIATIVE_HEADER
    assert rows == [
        [
            "142042",
            "鎌倉市",
            "鎌倉市地域福祉計画",
            "2024",
            "令和6年度",
            "1",
            "総合的な相談体制の確立",
            "1",
            "相談窓口の充実",
            "相談支援",
            "1",
            "くらしと福祉の相談窓口の運営",
            "福祉総務課・高齢者いきいき課",
            "A",
            "順調",
            "継続",
            "",
        ],
        [
            "142042",
            "鎌倉市",
            "鎌倉市地域福祉計画",
            "2024",
            "令和6年度",
            "1",
            "総合的な相談体制の確立",
            "1",
            "相談窓口の充実",
            "相談支援",
            "2",
            "アウトリーチによる訪問",
            "高齢者いきいき課",
            "B",
            "概ね順調",
            "拡充",
            "",
        ],
        [
            "142042",
            "鎌倉市",
            "鎌倉市地域福祉計画",
            "2024",
            "令和6年度",
            "2",
            "包括的支援体制の構築",
            "2",
            "関係機関の連携",
            "ネットワーク",
            "3",
            "支援会議の開催",
            "福祉総務課",
            "C",
            "やや遅れている",
            "見直し",
            "",
        ],
        [
            "142042",
            "鎌倉市",
            "鎌倉市地域福祉計画",
            "2024",
            "令和6年度",
            "2",
            "包括的支援体制の構築",
            "2",
            "関係機関の連携",
            "ネットワーク",
            "4",
            TRICKY_TEXT,
            "高齢者いきいき課",
            "A",
            "順調",
            "継続",
            "1",
        ],
    ]


def test_the_formula_guard_touches_text_only() -> None:
    doc = make_document()
    entry = replace(doc.goals[0].initiatives[0], title="@SUM(1+1)", units=("-課",))
    goals = (replace(doc.goals[0], initiatives=(entry,)),)
    rows = parse(render_csv_tables(replace(doc, goals=goals))["initiatives.csv"])
    assert rows[1][11:13] == ["'@SUM(1+1)", "'-課"]
    assert rows[1][10] == "1"


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("=1+1", "'=1+1"),
        ("+81 467", "'+81 467"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\r\nx", "'\nx"),
        ("-", "-"),
        ("", ""),
        ("相談=1", "相談=1"),
        (" =1", " =1"),
        ("一\r\n二\r三", "一\n二\n三"),
    ],
)
def test_guard_text(text: str, guarded: str) -> None:
    assert guard_text(text) == guarded


def test_an_empty_document_has_headers_only() -> None:
    tables = render_csv_tables(make_document(indicators=(), goals=(), years=()))
    assert tables["indicators.csv"] == ("\ufeff" + INDICATOR_HEADER + "\r\n").encode()
    assert tables["initiatives.csv"] == ("\ufeff" + INITIATIVE_HEADER + "\r\n").encode()


def test_output_is_deterministic() -> None:
    assert render_csv_tables(make_document()) == render_csv_tables(make_document())


def test_numbers_are_plain_without_trailing_zeros() -> None:
    doc = make_document()
    entry = replace(
        doc.indicators[0],
        baseline=Decimal("12.400"),
        target=Decimal("1.2E+4"),
        values=(
            YearValue(2020, Decimal("-0.000")),
            YearValue(2021, Decimal("1234567.890")),
            YearValue(2022, Decimal("0.050")),
        ),
        achievement=Decimal("104.5"),
    )
    rows = parse(render_csv_tables(replace(doc, indicators=(entry,)))["indicators.csv"])
    assert [row[9] for row in rows[1:]] == ["0", "1234567.89", "0.05", "", ""]
    assert rows[1][10:14] == ["12.4", "2019", "12000", "2025"]
    assert rows[5][14] == "104.5"
