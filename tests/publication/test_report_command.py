"""``sasaeai report build``: formats, output paths, 年度 spellings, drafts, errors, exit status."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sasaeai.plans.models import CycleStatus, EvaluationCycle
from tests.publication.htmltree import parse

pytestmark = pytest.mark.django_db

DEFAULT_HTML = "142042_2024_推進状況報告書_案.html"  # the 2024 cycle is open: a 案


def _build(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("report", "build", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _fails(*args: str) -> CommandError:
    with pytest.raises(CommandError) as failure:
        _build(*args)
    return failure.value


def _title(path: Path) -> str:
    return next(parse(path.read_text(encoding="utf-8")).iter("title")).text()


@pytest.mark.parametrize("year", ["2024", "令和6", "R6", "令和6年度"])
def test_html_into_a_folder_as_a_draft(report_plan: Any, tmp_path: Path, year: str) -> None:
    out, err = _build(
        "--municipality", "142042", "--fy", year, "--format", "html", "-o", str(tmp_path)
    )
    path = tmp_path / DEFAULT_HTML
    assert [p.name for p in tmp_path.iterdir()] == [DEFAULT_HTML]
    assert _title(path) == "テスト計画 令和6年度 推進状況報告書（案）"
    assert err == (
        "注意: 令和6年度の進捗調査はまだ公表されていないため、「案」として作成します。"
        "公表したときに載るもの（承認された評価と、公表する講評・コメント）だけが入ります。\n"
    )
    size = f"{path.stat().st_size:,}"
    assert out == f"テスト計画 令和6年度 推進状況報告書を書き出しました: {path}（{size} バイト）\n"


def test_published_cycle_builds_without_warning(report_plan: Any, tmp_path: Path) -> None:
    EvaluationCycle.objects.filter(pk=report_plan["cycle"].pk).update(status=CycleStatus.PUBLISHED)
    target = tmp_path / "report.html"
    _out, err = _build(
        "--municipality", "142042", "--fy", "R6", "--format", "html", "-o", str(target)
    )
    assert err == ""
    assert _title(target) == "テスト計画 令和6年度 推進状況報告書"


def test_existing_file_needs_force(report_plan: Any, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    args = ("--municipality", "142042", "--fy", "R6", "--format", "html", "-o", str(target))
    error = _fails(*args)
    assert error.returncode == 1
    assert str(error) == f"{target} はすでにあります。上書きするときは --force を付けてください。"
    assert target.read_text(encoding="utf-8") == "old"
    _build(*args, "--force")
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_plan_by_name_and_unpublished_reviews_on_request(report_plan: Any, tmp_path: Path) -> None:
    target = tmp_path / "preview.html"
    _out, err = _build(
        "--municipality", "142042", "--fy", "R6", "--plan", "テスト計画",
        "--format", "html", "-o", str(target), "--include-unpublished",
    )  # fmt: skip
    assert err == (
        "注意: 承認していない評価と、公表しない講評・コメントも載せた確認用の「案」として"
        "作成します。配らないでください。\n"
    )
    html = target.read_text(encoding="utf-8")
    assert "まだ公表しない講評です。" in html
    assert "案: 公表しない" in html


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("--municipality", "999999", "--fy", "R6"),
            1,
            "自治体コード 999999 の自治体が登録されていません。",
        ),
        (
            ("--municipality", "142042", "--fy", "R12"),
            1,
            "鎌倉市には令和12年度に期間が及ぶ計画がありません。",
        ),
        (
            ("--municipality", "142042", "--fy", "R5"),
            1,
            "計画「テスト計画」の令和5年度の進捗調査はまだありません。",
        ),
        (
            ("--municipality", "142042", "--fy", "R6", "--plan", "ない計画"),
            1,
            "計画「ない計画」は鎌倉市にありません。",
        ),
        (
            ("--municipality", "142042", "--fy", "令和六x"),
            2,
            '"令和六x" は年度として読み取れません。令和7年度、R7、2025年度 のように入力してください。',
        ),
    ],
)
def test_errors_in_japanese_with_exit_status(
    report_plan: Any, tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    error = _fails(*args, "--format", "html", "-o", str(tmp_path))
    assert (error.returncode, str(error)) == (code, message)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder(report_plan: Any, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "r.html"
    error = _fails("--municipality", "142042", "--fy", "R6", "--format", "html", "-o", str(target))
    assert (error.returncode, str(error)) == (1, f"フォルダ {target.parent} がありません。")


def test_unknown_format_is_a_usage_error(report_plan: Any, tmp_path: Path) -> None:
    error = _fails(
        "--municipality", "142042", "--fy", "R6", "--format", "docx", "-o", str(tmp_path)
    )
    assert "docx" in str(error)


def test_csv_into_a_folder_zip_or_refused(report_plan: Any, tmp_path: Path) -> None:
    csv = pytest.importorskip("sasaeai.publication.render.csv")
    folder = tmp_path / "open"
    folder.mkdir()
    base = ("--municipality", "142042", "--fy", "R6", "--format", "csv")
    _build(*base, "-o", str(folder))
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([csv.INDICATORS_FILE, csv.INITIATIVES_FILE])
    assert (folder / csv.INDICATORS_FILE).read_bytes().startswith(b"\xef\xbb\xbf")
    error = _fails(*base, "-o", str(folder))
    assert error.returncode == 1 and "--force" in str(error)

    archive_path = tmp_path / "open.zip"
    _build(*base, "-o", str(archive_path))
    with zipfile.ZipFile(archive_path) as archive:
        assert sorted(archive.namelist()) == names
        assert archive.read(csv.INDICATORS_FILE) == (folder / csv.INDICATORS_FILE).read_bytes()

    refused = _fails(*base, "-o", str(tmp_path / "one.csv"))
    assert refused.returncode == 2
    assert str(refused) == (
        "CSV は複数の表からなるため、-o にはフォルダか .zip のファイルを指定してください。"
    )


def test_xlsx(report_plan: Any, tmp_path: Path) -> None:
    pytest.importorskip("sasaeai.publication.render.xlsx")
    _build("--municipality", "142042", "--fy", "R6", "--format", "xlsx", "-o", str(tmp_path))
    content = (tmp_path / "142042_2024_推進状況報告書_案.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "xl/workbook.xml" in archive.namelist()


def test_pdf(report_plan: Any, tmp_path: Path) -> None:
    from sasaeai.core.pdf import japanese_font_families

    if not japanese_font_families():
        pytest.skip("no Japanese font on this machine")
    target = tmp_path / "r.pdf"
    _build("--municipality", "142042", "--fy", "R6", "--format", "pdf", "-o", str(target))
    assert target.read_bytes().startswith(b"%PDF-")


def test_pdf_without_font_is_refused(
    report_plan: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sasaeai.core import pdf

    monkeypatch.setattr(pdf, "japanese_font_families", lambda: ())
    target = tmp_path / "r.pdf"
    error = _fails("--municipality", "142042", "--fy", "R6", "--format", "pdf", "-o", str(target))
    assert error.returncode == 1
    assert str(error).startswith("PDFを作るための日本語フォントが見つかりません。")
    assert not target.exists()
