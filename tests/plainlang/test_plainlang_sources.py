"""Reading documents: text encodings, Word paragraphs and Excel cells."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sasaeai.plainlang.engine import (
    Checker,
    Segment,
    SourceError,
    decode_text,
    read_text_source,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def docx(body: str, doctype: str = "") -> bytes:
    """A minimal .docx whose document body is ``body`` (WordprocessingML)."""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        f'<w:document xmlns:w="{W}" xmlns:mc="{MC}"><w:body>{body}</w:body></w:document>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def paragraph(*runs: str) -> str:
    return "<w:p>" + "".join(f"<w:r>{run}</w:r>" for run in runs) + "</w:p>"


def text(value: str) -> str:
    return f"<w:t>{value}</w:t>"


def xlsx(sheets: dict[str, dict[str, object]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, cells in sheets.items():
        sheet = workbook.create_sheet(title)
        for coordinate, value in cells.items():
            sheet[coordinate] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    "data",
    [
        "アウトリーチ\r\n".encode(),
        "\ufeffアウトリーチ\r\n".encode("utf-8"),
        "アウトリーチ\r\n".encode("cp932"),
        "アウトリーチ\r\n".encode("utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "cp932", "utf-16-bom"],
)
def test_text_encodings(data: bytes) -> None:
    source = read_text_source(data, name="a.txt")
    assert (source.name, source.kind) == ("a.txt", "text")
    assert source.segments == (Segment("アウトリーチ\r\n"),)


def test_cp932_only_characters() -> None:
    assert decode_text("①髙﨑".encode("cp932")) == "①髙﨑"


def test_binary_data_is_refused() -> None:
    with pytest.raises(SourceError) as caught:
        read_text_source(b"%PDF-1.7\x00\x01\x02\xff", name="a.pdf")
    assert caught.value.message == (
        "文字コードを判別できません。UTF-8 か Shift_JIS（CP932）のテキストにしてください。"
    )
    assert str(caught.value).startswith("a.pdf: ")


def test_reading_a_path(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes("事業が完了した。".encode("cp932"))
    source = read_text_source(path)
    assert (source.name, source.text) == (str(path), "事業が完了した。")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read_text_source(tmp_path / "missing.txt")
    assert "ファイルを読めません" in caught.value.message


# ------------------------------------------------------------------------- Word


def test_docx_paragraphs_become_numbered_segments() -> None:
    body = (
        paragraph(text("はじめに")),
        "<w:p/>",
        paragraph(
            text("アウトリーチ"),
            text("を進める。"),
            "<w:tab/>",
            text("次へ"),
            "<w:br/>",
            text("改行"),
        ),
        "<w:tbl><w:tr><w:tc>" + paragraph(text("表の中のＳＮＳ")) + "</w:tc></w:tr></w:tbl>",
        paragraph("<w:delText>消した文</w:delText>"),
    )
    source = read_text_source(docx("".join(body)), name="plan.docx")
    assert source.kind == "docx"
    assert source.segments == (
        Segment("はじめに", "段落1"),
        Segment("アウトリーチを進める。\t次へ\n改行", "段落3"),
        Segment("表の中のＳＮＳ", "段落4"),
    )


def test_docx_text_box_is_read_once_as_its_own_paragraph() -> None:
    box = paragraph(text("枠の中"))
    drawing = (
        "<mc:AlternateContent>"
        f"<mc:Choice><w:drawing><w:txbxContent>{box}</w:txbxContent></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><w:txbxContent>{box}</w:txbxContent></w:pict></mc:Fallback>"
        "</mc:AlternateContent>"
    )
    source = read_text_source(docx(paragraph(text("本文"), drawing)))
    assert source.segments == (Segment("本文", "段落1"), Segment("枠の中", "段落2"))


def test_docx_with_a_dtd_is_refused() -> None:
    data = docx(paragraph(text("&a;")), doctype="<!DOCTYPE x [<!ENTITY a 'b'>]>")
    with pytest.raises(SourceError) as caught:
        read_text_source(data)
    assert caught.value.message == "Word ファイルの本文に、使えない記述（DTD）があります。"


def test_corrupt_archive_is_refused() -> None:
    data = docx(paragraph(text("本文")))
    corrupt = data.replace("本文".encode(), "本X".encode())
    with pytest.raises(SourceError) as caught:
        read_text_source(corrupt)
    assert caught.value.message == "ファイルが壊れています（ZIP として読めません）。"


def test_zip_that_is_no_office_file_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(SourceError) as caught:
        read_text_source(out.getvalue())
    assert caught.value.message == "Word（.docx）でも Excel（.xlsx）でもない ZIP ファイルです。"


def test_findings_in_docx_carry_the_paragraph_and_offsets_within_it() -> None:
    data = docx(paragraph(text("はじめに")) + paragraph(text("本市のアウトリーチ")))
    report = Checker().check_source(read_text_source(data))
    [finding] = report.findings
    assert (finding.location, finding.offset, finding.line, finding.column) == ("段落2", 3, 1, 4)


# ------------------------------------------------------------------------ Excel


def test_xlsx_text_cells_become_segments_and_formulas_are_skipped() -> None:
    data = xlsx(
        {
            "計画": {
                "A1": "アウトリーチ",
                "B2": 42,
                "B3": '=CONCAT("アウト","リーチ")',
                "C4": "完了",
            },
            "My Sheet": {"A1": "ＳＮＳ"},
        }
    )
    source = read_text_source(data, name="plan.xlsx")
    assert source.kind == "xlsx"
    assert source.segments == (
        Segment("アウトリーチ", "計画!A1"),
        Segment("完了", "計画!C4"),
        Segment("ＳＮＳ", "'My Sheet'!A1"),
    )


def test_explanations_and_first_uses_count_across_cells() -> None:
    data = xlsx(
        {
            "Sheet1": {
                "A1": "アウトリーチ（訪問による支援）",
                "A2": "アウトリーチ",
                "A3": "SNSとSNS",
                "A4": "SNS",
            }
        }
    )
    report = Checker().check_source(read_text_source(data))
    assert [(f.rule, f.location, f.offset) for f in report.findings] == [
        ("abbreviation", "Sheet1!A3", 0)
    ]


def test_broken_xlsx_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "not xml")
    with pytest.raises(SourceError) as caught:
        read_text_source(out.getvalue())
    assert caught.value.message.startswith("Excel ファイルを読めません")
