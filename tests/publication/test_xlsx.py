"""The report as an Excel workbook, read back with openpyxl: sheets, exact cells, types, layout."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from sasaeai.publication.render.xlsx import render_xlsx, safe_sheet_title
from tests.publication.factories import FORMULA_TEXT, TRICKY_TEXT, make_document

SHEETS = [
    "表紙",
    "計画の概要",
    "成果指標",
    "取組の評価",
    "評価の集計",
    "委員会の講評",
    "総括",
    "用語解説",
]
YEARS = ["令和2年度", "令和3年度", "令和4年度", "令和5年度", "令和6年度"]


def read(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def book() -> Any:
    return read(render_xlsx(make_document()))


def rows(sheet: Worksheet, first: int = 1) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(min_row=first, values_only=True)]


def test_sheets_in_report_order(book: Any) -> None:
    assert book.sheetnames == SHEETS
    assert book.active.title == "表紙"


def test_cover(book: Any) -> None:
    sheet = book["表紙"]
    assert sheet["A1"].value == "鎌倉市地域福祉計画 令和6年度 推進状況報告書"
    assert sheet["A1"].font.b is True
    assert sheet["A2"].value == "デモ（架空のデータを含みます）"
    facts = {row[0]: row[1] for row in rows(sheet, 4) if row[0] and row[1]}
    assert facts["地方公共団体"] == "鎌倉市"
    assert facts["全国地方公共団体コード"] == "142042"
    assert facts["計画期間"] == "令和2年度〜令和7年度"
    assert facts["年度"] == "令和6年度"
    assert facts["状態"] == "公表済み"
    assert facts["公表日"] == "令和7年11月20日"
    assert facts["作成日時"] == "令和7年11月28日 10:30"
    assert facts["成果指標"] == "成果指標ごとの基準値・目標値・年度ごとの実績・達成率・判定"
    link = next(cell for cell in sheet["A"] if cell.value == "取組の評価")
    assert link.hyperlink.location == "'取組の評価'!A1"


def test_cover_of_a_draft() -> None:
    sheet = read(render_xlsx(make_document(is_draft=True, is_demo=False, published_at=None)))[
        "表紙"
    ]
    assert sheet["A2"].value == "案（公表前のものです。内容は変わることがあります）"
    assert sheet["A3"].value is None
    facts = {row[0]: row[1] for row in rows(sheet, 4) if row[0]}
    assert facts["状態"] == "案"
    assert facts["公表日"] == "未公表"
    assert sheet.oddHeader.right.text == "案"


def test_overview(book: Any) -> None:
    sheet = book["計画の概要"]
    assert sheet["A1"].value == "基本理念"
    assert sheet["B1"].value == "お互いを尊重し、支え合いながら、ともに活きるまち かまくら"
    assert rows(sheet, 3) == [
        ["基本目標", "施策", "取組の種類", "取組数", "適用開始年度"],
        ["1 総合的な相談体制の確立", "1 相談窓口の充実", "1 相談支援", 2, None],
        ["1 総合的な相談体制の確立", "1 相談窓口の充実", "2 情報提供", 0, None],
        ["2 包括的支援体制の構築", "2 関係機関の連携", "3 ネットワーク", 1, "令和3年度"],
    ]
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:E6"
    assert sheet.print_title_rows == "$3:$3"


def test_indicators(book: Any) -> None:
    sheet = book["成果指標"]
    header, first, second, third = rows(sheet)
    assert header == [
        "番号",
        "基本目標",
        "指標名",
        "単位",
        "基準値",
        "基準年度",
        "目標値",
        "目標年度",
        "方向",
        *YEARS,
        "達成率（%）",
        "判定",
        "出典",
        "備考",
    ]
    assert first == [
        1,
        "1 総合的な相談体制の確立",
        "相談窓口の認知度",
        "%",
        40.5,
        "令和元年度",
        60,
        "令和7年度",
        "増やす",
        42,
        None,
        48.25,
        None,
        55,
        74.4,
        "C やや遅れている",
        "市民意識調査",
        "令和4年度：（架空）市民意識調査（令和4年度実施）",
    ]
    assert second[9:14] == [1250, 1310, 1405, 1460, None]
    assert second[14:17] == [None, "実績なし", FORMULA_TEXT]
    assert third[4:9] == [-3.5, "令和2年度", None, None, "減らす"]
    assert third[13] == -1.25
    assert third[15] is None
    assert third[17] == "令和6年度：" + TRICKY_TEXT


def test_number_cells_are_numbers_with_their_decimals(book: Any) -> None:
    sheet = book["成果指標"]
    baseline, target, first_year, rate = sheet["E2"], sheet["G2"], sheet["J2"], sheet["O2"]
    # one format per indicator: the most decimals any of its numbers needs (48.25 → 2)
    assert (baseline.data_type, baseline.value, baseline.number_format) == ("n", 40.5, "#,##0.00")
    assert (target.value, target.number_format) == (60, "#,##0.00")
    assert (first_year.value, first_year.number_format) == (42, "#,##0.00")
    assert sheet["L2"].number_format == "#,##0.00"
    assert sheet["J3"].number_format == "#,##0"
    assert (sheet["E4"].value, sheet["E4"].number_format) == (-3.5, "#,##0.00")
    assert (rate.data_type, rate.value, rate.number_format) == ("n", 74.4, "0.0")
    assert sheet["F2"].data_type == "s"
    assert sheet["A2"].data_type == "n"


def test_formula_looking_text_is_stored_as_text(book: Any) -> None:
    source = book["成果指標"]["Q3"]
    assert source.value == FORMULA_TEXT
    assert source.data_type == "s"
    assert source.quotePrefix is True
    results = book["取組の評価"]["G3"]
    assert (results.value, results.data_type, results.quotePrefix) == (FORMULA_TEXT, "s", True)
    issues = book["取組の評価"]["I3"]
    assert (issues.value, issues.quotePrefix) == ("-訪問先が多い", True)
    plain = book["取組の評価"]["G2"]
    assert plain.quotePrefix is False


def test_no_formula_anywhere_in_the_file() -> None:
    data = render_xlsx(make_document())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert len(sheets) == 8
        for name in sheets:
            xml = archive.read(name).decode()
            assert "<f>" not in xml
            assert "<f " not in xml
        assert "HYPERLINK" in archive.read("xl/worksheets/sheet3.xml").decode()


def test_initiatives(book: Any) -> None:
    sheet = book["取組の評価"]
    assert rows(sheet) == [
        [
            "基本目標",
            "施策",
            "取組の種類",
            "番号",
            "取組名",
            "担当課",
            "実施内容・実績",
            "評価",
            "課題",
            "今後の方向性",
            "再掲元の番号",
        ],
        [
            "1 総合的な相談体制の確立",
            "1 相談窓口の充実",
            "1 相談支援",
            1,
            "くらしと福祉の相談窓口の運営",
            "福祉総務課・高齢者いきいき課",
            "相談を受けた。\n月に1回、事例検討会を開いた。",
            "A 順調",
            "相談員の確保",
            "継続",
            None,
        ],
        [
            "1 総合的な相談体制の確立",
            "1 相談窓口の充実",
            "1 相談支援",
            2,
            "アウトリーチによる訪問",
            "高齢者いきいき課",
            FORMULA_TEXT,
            "B 概ね順調",
            "-訪問先が多い",
            "拡充",
            None,
        ],
        [
            "2 包括的支援体制の構築",
            "2 関係機関の連携",
            "3 ネットワーク",
            3,
            "支援会議の開催",
            "福祉総務課",
            "年4回開いた。",
            "C やや遅れている",
            None,
            "見直し",
            None,
        ],
        [
            "2 包括的支援体制の構築",
            "2 関係機関の連携",
            "3 ネットワーク",
            4,
            TRICKY_TEXT,
            "高齢者いきいき課",
            "再掲のため省略",
            "A 順調",
            None,
            "継続",
            1,
        ],
    ]
    assert sheet["G2"].alignment.wrap_text is True
    assert sheet.column_dimensions["G"].width == 60
    assert sheet.column_dimensions["D"].width == 6.4  # 「番号」: 4 units ×1.1 + 2


def test_tally(book: Any) -> None:
    assert rows(book["評価の集計"]) == [
        [
            "基本目標",
            "取組数（再掲を除く）",
            "評価：A 順調",
            "評価：B 概ね順調",
            "評価：C やや遅れている",
            "評価：D 遅れている",
            "評価の計",
            "方向性：拡充",
            "方向性：継続",
            "方向性：見直し",
            "方向性：終了",
            "方向性の計",
        ],
        ["1 総合的な相談体制の確立", 2, 1, 1, 0, 0, 2, 1, 1, 0, 0, 2],
        ["2 包括的支援体制の構築", 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1],
        ["計画全体", 3, 1, 1, 1, 0, 3, 1, 1, 1, 0, 3],
    ]
    assert book["評価の集計"]["A4"].font.b is True


def test_tally_uses_the_documents_totals() -> None:
    doc = make_document()
    totals = tuple(replace(row, count=row.count + 10) for row in doc.totals)
    sheet = read(render_xlsx(replace(doc, totals=totals)))["評価の集計"]
    assert rows(sheet, 4) == [["計画全体", 3, 11, 11, 11, 10, 43, 1, 1, 1, 0, 3]]


def test_reviews_then_initiative_comments(book: Any) -> None:
    assert rows(book["委員会の講評"]) == [
        ["基本目標", "対象", "委員", "講評・コメント", "市の対応"],
        [
            "1 総合的な相談体制の確立",
            "基本目標の講評",
            "推進委員会",
            "相談体制は順調に整っています。",
            "引き続き取り組みます。",
        ],
        ["1 総合的な相談体制の確立", "基本目標の講評", "委員B", "+周知が課題です。", None],
        [
            "1 総合的な相談体制の確立",
            "取組 1 くらしと福祉の相談窓口の運営",
            "委員A",
            "窓口の周知をさらに進めてください。",
            "広報紙で周知します。",
        ],
    ]


def test_summaries_skip_empty_headings(book: Any) -> None:
    assert rows(book["総括"]) == [
        ["基本目標", "見出し", "総括"],
        ["1 総合的な相談体制の確立", "❶社会動向", "国は重層的支援体制整備事業を進めています。"],
        ["2 包括的支援体制の構築", "❸今後進むべき方向性", "連携の場を広げます。"],
    ]


def test_glossary(book: Any) -> None:
    assert rows(book["用語解説"]) == [
        ["語", "解説"],
        ["アウトリーチ", "支援が必要な人のところへ出向くこと。"],
    ]


@pytest.mark.parametrize(
    ("name", "frozen", "filtered"),
    [
        ("成果指標", "A2", "A1:R4"),
        ("取組の評価", "A2", "A1:K5"),
        ("評価の集計", "A2", "A1:L4"),
        ("委員会の講評", "A2", "A1:E4"),
        ("総括", "A2", "A1:C3"),
        ("用語解説", "A2", "A1:B2"),
    ],
)
def test_table_layout(book: Any, name: str, frozen: str, filtered: str) -> None:
    sheet = book[name]
    header = sheet["A1"]
    assert header.font.b is True
    assert header.fill.fgColor.rgb == "00DDEBF7"
    assert sheet.freeze_panes == frozen
    assert sheet.auto_filter.ref == filtered
    assert sheet.print_title_rows == "$1:$1"


@pytest.mark.parametrize("name", SHEETS)
def test_print_setup(book: Any, name: str) -> None:
    sheet = book[name]
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.oddHeader.left.text == "鎌倉市地域福祉計画 令和6年度 推進状況報告書"
    assert sheet.oddHeader.right.text == "デモ（架空のデータを含みます）"
    assert sheet.oddFooter.center.text == "&P / &N"


def test_column_widths_fit_japanese_text(book: Any) -> None:
    sheet = book["取組の評価"]
    # 「くらしと福祉の相談窓口の運営」: 14 full-width characters = 28 units, ×1.1 + 2
    assert sheet.column_dimensions["E"].width == 32.8
    # 「福祉総務課・高齢者いきいき課」 is as wide; 担当課 is fitted the same way
    assert sheet.column_dimensions["F"].width == 32.8
    # 「令和2年度」: 4 full-width + 1 half-width = 9 units
    assert book["成果指標"].column_dimensions["J"].width == 11.9


def test_an_empty_document_still_has_every_sheet_and_header() -> None:
    doc = make_document(indicators=(), goals=(), glossary=(), structure=(), totals=(), years=())
    book = read(render_xlsx(doc))
    assert book.sheetnames == SHEETS
    assert rows(book["取組の評価"])[0][0] == "基本目標"
    assert book["取組の評価"].max_row == 1
    assert book["取組の評価"].auto_filter.ref == "A1:K1"
    assert rows(book["評価の集計"]) == [
        [
            "基本目標",
            "取組数（再掲を除く）",
            "評価：A 順調",
            "評価：B 概ね順調",
            "評価：C やや遅れている",
            "評価：D 遅れている",
            "評価の計",
            "方向性の計",
        ],
        ["計画全体", 0, 0, 0, 0, 0, 0, 0],
    ]


def test_control_characters_and_crlf_are_cleaned() -> None:
    doc = make_document(vision="一行目\r\n二行目\x07")
    assert read(render_xlsx(doc))["計画の概要"]["B1"].value == "一行目\n二行目"


def test_output_is_the_same_apart_from_timestamps() -> None:
    doc = make_document()
    first, second = render_xlsx(doc), render_xlsx(doc)
    with zipfile.ZipFile(io.BytesIO(first)) as a, zipfile.ZipFile(io.BytesIO(second)) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name != "docProps/core.xml":
                assert a.read(name) == b.read(name), name
    assert read(first).properties.title == "鎌倉市地域福祉計画 令和6年度 推進状況報告書"


@pytest.mark.parametrize(
    ("title", "safe"),
    [
        ("成果指標", "成果指標"),
        ("a/b:c*d?e[f]g\\h", "a_b_c_d_e_f_g_h"),
        ("'quoted'", "quoted"),
        ("あ" * 40, "あ" * 31),
        ("", "_"),
    ],
)
def test_safe_sheet_title(title: str, safe: str) -> None:
    assert safe_sheet_title(title) == safe


@pytest.mark.django_db
def test_the_demo_report_as_xlsx_and_csv() -> None:
    """The document built from the demo (令和6年度, published): a few exact cells of each file."""
    from django.core.management import call_command

    from sasaeai.accounts.models import Municipality
    from sasaeai.publication.render.csv import render_csv_tables
    from sasaeai.publication.selectors.published import build_document
    from sasaeai.publication.selectors.staff import cycle_for

    call_command("loaddemo", stdout=io.StringIO())
    doc = build_document(cycle_for(Municipality.objects.get(code="142042"), 2024))
    book = read(render_xlsx(doc))
    assert book.sheetnames == SHEETS
    facts = {row[0]: row[1] for row in rows(book["表紙"]) if row[0]}
    assert facts["公表日"] == "令和7年11月28日"
    assert facts["状態"] == "公表済み"
    indicators = book["成果指標"]
    assert [cell.value for cell in indicators[2]][:16] == [
        1,
        "1 総合的な相談体制の確立",
        "（架空）身近に相談できる人がいない市民の割合",
        "%",
        12.4,
        "令和元年度",
        10,
        "令和7年度",
        "減らす",
        13.1,
        14,
        14.6,
        15.8,
        16.9,
        -187.5,
        "D 遅れている",
    ]
    assert indicators["E2"].number_format == "#,##0.0"
    assert indicators.max_row == 1 + len(doc.indicators) == 20
    initiatives = book["取組の評価"]
    assert initiatives.max_row == 1 + 201
    assert [initiatives[f"{c}2"].value for c in "DEFHJ"] == [
        1,
        "（架空）地域の福祉相談窓口の充実",
        "市民相談課",
        "A 順調",
        "継続",
    ]
    assert [cell.value for cell in book["評価の集計"][7]] == [
        "計画全体",
        195,
        75,
        93,
        23,
        4,
        195,
        27,
        143,
        25,
        0,
        195,
    ]
    tables = render_csv_tables(doc)
    indicator_lines = tables["indicators.csv"].decode("utf-8-sig").split("\r\n")
    assert len(indicator_lines) == 1 + 19 * 5 + 1  # header, indicators × 年度, final CRLF
    assert indicator_lines[5] == (
        "142042,鎌倉市,鎌倉市地域福祉計画,1,1,（架空）身近に相談できる人がいない市民の割合,%,"
        "2024,令和6年度,16.9,12.4,2019,10,2025,-187.5,D,遅れている,市民アンケート,"
        "（架空）市民アンケート（令和6年度実施）"
    )
    assert len(tables["initiatives.csv"].decode("utf-8-sig").split("\r\n")) == 1 + 201 + 1
