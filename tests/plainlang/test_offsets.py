"""Offsets, lines and columns stay exact whatever the text: property and edge cases."""

from __future__ import annotations

import itertools
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sasaeai.plainlang.engine import Report, check, read_text_source
from sasaeai.plainlang.engine.analysis import BLOCK_SIZE, MAX_CHUNK, blocks

FRAGMENTS = [
    "アウトリーチ",
    "プラットフォーム",
    "ケア・マネジメント",
    "ｱｳﾄﾘｰﾁ",
    "（訪問による支援）",
    "(説明)",
    "SNS",
    "ＳＮＳ",
    "DX（デジタル変革）",
    "事業が完了した",
    "研修が完了しました",
    "することができる",
    "検討を行う",
    "ないことはない",
    "本市では、",
    "地域福祉計画を策定した",
    "ボランティアセンター",
    "。",
    "、",
    "！",
    "・",
    " ",
    "\t",
    "\u3000",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "😀",
]
LINE_BREAK = re.compile(r"\r\n|\r|\n")

texts = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join),
    st.text(max_size=200),
)


def expected_position(text: str, offset: int) -> tuple[int, int]:
    lines = LINE_BREAK.split(text[:offset])
    return len(lines), len(lines[-1]) + 1


def assert_consistent(text: str, report: Report) -> None:
    for finding in report.findings:
        assert finding.length > 0
        assert text[finding.offset : finding.offset + finding.length] == finding.text
        assert (finding.line, finding.column) == expected_position(text, finding.offset)
    offsets = [finding.offset for finding in report.findings]
    assert offsets == sorted(offsets)


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_every_finding_points_at_its_text(text: str) -> None:
    assert_consistent(text, check(text))


def test_blank_lines_tabs_and_spaces_before_a_term() -> None:
    text = "\n\n \t\u3000 アウトリーチ"
    [finding] = check(text).findings
    assert (finding.offset, finding.line, finding.column) == (6, 3, 5)


def test_crlf_counts_as_one_line_break() -> None:
    text = "はじめに\r\n\r\nアウトリーチ"
    [finding] = check(text).findings
    assert (finding.offset, finding.line, finding.column) == (8, 3, 1)
    assert_consistent(text, check(text))


def test_bom_is_not_part_of_the_text() -> None:
    source = read_text_source("\ufeffアウトリーチ".encode("utf-8"))
    [finding] = check(source.text).findings
    assert (finding.offset, finding.column, finding.text) == (0, 1, "アウトリーチ")


def test_characters_outside_the_bmp_count_as_one() -> None:
    [finding] = check("😀アウトリーチ").findings
    assert (finding.offset, finding.column) == (1, 2)


def test_very_long_line_is_tokenised_in_pieces_with_exact_offsets() -> None:
    text = ("地域の見守りを進めた。" * (3 * MAX_CHUNK // 11)) + "アウトリーチ"
    report = check(text)
    assert_consistent(text, report)
    assert [f.text for f in report.findings if f.rule == "loanword"] == ["アウトリーチ"]


def test_very_long_line_without_sentence_ends_is_cut_hard() -> None:
    text = "あ" * (2 * MAX_CHUNK + 500) + "アウトリーチ"
    report = check(text)
    assert_consistent(text, report)
    assert [f.text for f in report.findings if f.rule == "loanword"] == ["アウトリーチ"]


def test_blocks_cover_the_text_and_end_after_blank_lines() -> None:
    text = ("あ" * 30 + "\n\n") * 10 + "い" * 30
    spans = list(blocks(text, size=100))
    assert spans[0].start == 0 and spans[-1].end == len(text)
    assert all(a.end == b.start for a, b in itertools.pairwise(spans))
    assert all(text[span.end - 2 : span.end] == "\n\n" for span in spans[:-1])
    assert all(span.end - span.start >= 100 for span in spans[:-1])


def test_text_without_blank_lines_is_one_block() -> None:
    assert list(blocks("あ\n" * 200, size=100)) == [(0, 400)]


def test_long_document_is_checked_block_by_block_with_exact_places() -> None:
    paragraph = "本市では地域福祉計画を策定した。見守り活動を進めた。\r\n"
    head = "アウトリーチ（訪問による支援）を始めた。\r\n\r\n"
    text = head + (paragraph + "\r\n") * (3 * BLOCK_SIZE // len(paragraph)) + "アウトリーチとＳＮＳ"
    report = check(text)
    assert_consistent(text, report)
    # The explanation in the first block still quiets the term in the last one.
    assert [(f.rule, f.text) for f in report.findings] == [("abbreviation", "ＳＮＳ")]
    last = report.paragraphs[-1]
    assert (last.offset, last.line) == (
        len(text) - len("アウトリーチとＳＮＳ"),
        expected_position(text, len(text) - 1)[0],
    )
