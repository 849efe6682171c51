"""The sentence-length and comma-count rules, and how sentences are cut."""

from __future__ import annotations

from sasaeai.plainlang.engine import Config
from tests.plainlang.helpers import brief, findings


# A sentence of n characters, its full stop included.
def sentence(n: int, char: str = "あ") -> str:
    return char * (n - 1) + "。"


def test_sixty_characters_pass_sixty_one_are_info_over_a_hundred_a_warning() -> None:
    assert findings(sentence(60), "sentence-length") == []
    assert brief(findings(sentence(61), "sentence-length")) == [
        (sentence(61), "info", 0, 61, 1, 1, None)
    ]
    assert brief(findings(sentence(101), "sentence-length")) == [
        (sentence(101), "warning", 0, 101, 1, 1, None)
    ]


def test_message_gives_the_length_and_the_target() -> None:
    [found] = findings(sentence(61), "sentence-length")
    assert found.message == "この文は61文字あります。60文字以内を目安に、文を分けてください。"


def test_list_marker_and_blanks_are_not_part_of_the_sentence() -> None:
    assert brief(findings("・" + sentence(61), "sentence-length")) == [
        (sentence(61), "info", 1, 61, 1, 2, None)
    ]
    assert brief(findings("\u3000 ① " + sentence(61) + "  ", "sentence-length")) == [
        (sentence(61), "info", 4, 61, 1, 5, None)
    ]


def test_line_breaks_end_sentences() -> None:
    assert findings("あ" * 40 + "\n" + "い" * 40, "sentence-length") == []


def test_exclamation_and_question_marks_end_sentences() -> None:
    assert findings("あ" * 40 + "！" + "い" * 40 + "？", "sentence-length") == []


def test_thresholds_are_configurable() -> None:
    config = Config(sentence_length_info=30, sentence_length_warning=40)
    assert [f.severity for f in findings(sentence(31), "sentence-length", config)] == ["info"]
    assert [f.severity for f in findings(sentence(41), "sentence-length", config)] == ["warning"]


def test_more_than_three_commas_is_info_on_the_whole_sentence() -> None:
    assert findings("一、二、三、四。", "comma-count") == []
    found = findings("一、二、三。一、二、三、四、五！", "comma-count")
    assert brief(found) == [("一、二、三、四、五！", "info", 6, 10, 1, 7, None)]
    assert found[0].message == (
        "この文には読点（、）が4個あります。3個以内を目安に、文を分けるか書き換えてください。"
    )


def test_full_width_commas_count_too() -> None:
    assert len(findings("一，二，三，四，五。", "comma-count")) == 1


def test_comma_maximum_is_configurable() -> None:
    assert len(findings("一、二、三。", "comma-count", Config(comma_max=1))) == 1
