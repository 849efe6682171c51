"""One MeCab tagger per process, shared by the plain-language tokenizer and the readings."""

from __future__ import annotations

from pathlib import Path

from sasaeai.core import mecab
from sasaeai.core.textnorm import reading
from sasaeai.plainlang.engine.tokenizer import tokenize

SRC = Path(__file__).resolve().parents[2] / "src" / "sasaeai"


def test_the_tokenizer_and_the_readings_share_one_tagger() -> None:
    assert reading("訪問看護") == "ほうもんかんご"
    assert [token.surface for token in tokenize("訪問看護")] == ["訪問", "看護"]
    assert mecab.tagger() is mecab.tagger()
    assert mecab.tagger.cache_info().misses == 1


def test_no_other_module_loads_a_dictionary() -> None:
    loaders = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "GenericTagger(" in path.read_text(encoding="utf-8")
        or "fugashi.Tagger(" in path.read_text(encoding="utf-8")
    )
    assert loaders == ["core/mecab.py"]


def test_one_line_of_fields_per_token() -> None:
    lines = mecab.tagger().parse("大船の、ｻﾛﾝ").split("\n")
    assert [line.split("\t") for line in lines] == [
        ["大船", "大船", "普通名詞", "一般", "和", "オオブネ", "名詞"],
        ["の", "の", "格助詞", "", "和", "ノ", "助詞"],
        ["、", "、", "読点", "", "記号", "", "補助記号"],
        ["ｻﾛﾝ", "ｻﾛﾝ", "普通名詞", "一般", "", "", "名詞"],
    ]
    assert all(len(line.split("\t")) == mecab.FIELDS for line in lines)
