"""The expression, double-negative and redundant rules."""

from __future__ import annotations

import pytest

from sasaeai.plainlang.engine import Config, ExpressionEntry, Severity
from tests.plainlang.helpers import brief, findings

# --------------------------------------------------------------------- expression


def test_committee_example_jigyou_ga_kanryou_shita() -> None:
    found = findings("事業が完了した。", "expression")
    assert brief(found) == [("事業が完了した", "warning", 0, 7, 1, 1, "事業を実施した")]
    assert found[0].message == (
        "「事業が完了した」では、誰が何をしたのかが伝わりません。"
        "「事業を実施した」のように、行ったことを書いてください。"
    )


@pytest.mark.parametrize(
    ("text", "matched", "suggestion"),
    [
        ("研修が完了しました。", "研修が完了しました", "研修を実施しました"),
        ("研修事業が完了している。", "研修事業が完了している", "研修事業を実施した"),
        ("審査が完了となった。", "審査が完了となった", "審査を実施した"),
        ("配布事業は完了となりました。", "配布事業は完了となりました", "配布事業を実施しました"),
        ("研修は完了済みです。", "研修は完了済みです", "研修を実施しました"),
        ("令和6年度の事業は、すべて完了しました。", "完了しました", "実施しました"),
        ("3月末で完了となりました。", "完了となりました", "実施しました"),
    ],
)
def test_kanryou_variants_on_any_subject(text: str, matched: str, suggestion: str) -> None:
    found = findings(text, "expression")
    assert [(f.text, f.suggestion, f.severity) for f in found] == [
        (matched, suggestion, Severity.WARNING)
    ]
    assert text[found[0].offset : found[0].offset + found[0].length] == matched


@pytest.mark.parametrize(
    "text",
    [
        "完了予定です。",
        "完了後に報告する。",
        "未完了となった。",
        "登録が完了しましたら連絡します。",
        "事業完了報告書",
    ],
)
def test_kanryou_that_reports_no_result_is_not_flagged(text: str) -> None:
    assert findings(text, "expression") == []


def test_municipal_literal_expression_with_its_own_severity() -> None:
    entry = ExpressionEntry("周知を図", "広く知らせ", severity=Severity.ERROR)
    found = findings("制度の周知を図った。", "expression", Config(expressions=(entry,)))
    assert brief(found) == [("周知を図", "error", 3, 4, 1, 4, "広く知らせ")]
    assert found[0].message == "「周知を図」は「広く知らせ」と書くほうが分かりやすくなります。"


def test_municipal_regex_expression_may_use_groups_and_a_message() -> None:
    entry = ExpressionEntry(
        pattern=r"(?P<what>[一-龯]+)の周知徹底",
        preferred=r"\g<what>を広く知らせる",
        regex=True,
        message="「{text}」→「{preferred}」",
    )
    found = findings("制度の周知徹底に努める。", "expression", Config(expressions=(entry,)))
    assert brief(found) == [("制度の周知徹底", "warning", 0, 7, 1, 1, "制度を広く知らせる")]
    assert found[0].message == "「制度の周知徹底」→「制度を広く知らせる」"


def test_shipped_expressions_can_be_turned_off() -> None:
    assert findings("事業が完了した。", "expression", Config(builtin_expressions=False)) == []


# ---------------------------------------------------------------- double-negative


@pytest.mark.parametrize(
    ("text", "matched", "offset"),
    [
        ("対応できないことはない。", "ないことはない", 4),
        ("課題がないわけではない。", "ないわけではない", 3),
        ("増えないとは限らない。", "ないとは限らない", 2),
        ("考えられなくはない。", "なくはない", 4),
        ("理解できなくもない。", "なくもない", 4),
        ("参加しないでもない。", "ないでもない", 3),
        ("中止せざるを得ない。", "ざるを得ない", 3),
        ("実現は不可能ではない。", "不可能ではない", 3),
        ("影響していないとはいえない。", "ないとはいえない", 5),
        ("受けられないことがないよう努める。", "ないことがない", 4),
    ],
)
def test_double_negatives_are_warnings(text: str, matched: str, offset: int) -> None:
    found = findings(text, "double-negative")
    assert brief(found) == [(matched, "warning", offset, len(matched), 1, offset + 1, None)]
    assert found[0].message == (
        f"「{matched}」は二重否定で、意味がとりにくくなります。肯定の形で書いてください。"
    )


def test_litotes_sukunakunai_suggests_ooi() -> None:
    assert brief(findings("課題は少なくない。", "double-negative")) == [
        ("少なくない", "warning", 3, 5, 1, 4, "多い")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "提出しなければならない。",
        "支援が必要な人は、高齢者とは限らない。",
        "すべての人が支援を必要としているわけではない。",
        "地域の協力が欠かせない。",
    ],
)
def test_single_negations_are_not_double_negatives(text: str) -> None:
    assert findings(text, "double-negative") == []


# ----------------------------------------------------------------------- redundant


@pytest.mark.parametrize(
    ("text", "matched", "offset", "suggestion"),
    [
        ("施設を利用することができます。", "することができます", 5, "できます"),
        ("検討を行います。", "検討を行います", 0, "検討します"),
        ("支援を行っている。", "支援を行って", 0, "支援して"),
        ("利用することが可能です。", "することが可能です", 2, "できます"),
        ("見ることが可能です。", "ことが可能です", 2, "ことができます"),
        ("ご案内させていただきます。", "させていただきます", 3, "します"),
        ("補助金という形で支援する。", "という形で", 3, "として"),
        ("書類の方をお送りします。", "の方を", 2, "を"),
        ("受付は9時からとなっております。", "となっております", 7, "です"),
        ("まず最初に説明する。", "まず最初に", 0, "最初に"),
    ],
)
def test_redundant_phrasings_are_info(
    text: str, matched: str, offset: int, suggestion: str
) -> None:
    assert brief(findings(text, "redundant")) == [
        (matched, "info", offset, len(matched), 1, offset + 1, suggestion)
    ]


def test_okonau_after_a_genitive_noun_suggests_rewording_without_replacement() -> None:
    found = findings("事業の推進を行う。", "redundant")
    assert brief(found) == [("推進を行う", "info", 3, 5, 1, 4, None)]
    assert found[0].message == "「の推進を行う」は「を推進する」のように書くと短くなります。"


@pytest.mark.parametrize(
    "text",
    [
        "夏祭りを行う。",  # 夏祭り does not take する
        "高齢者の方はご相談ください。",  # 方 as a polite "person"
        "窓口は右の方にあります。",
    ],
)
def test_look_alikes_are_not_redundant(text: str) -> None:
    assert findings(text, "redundant") == []
