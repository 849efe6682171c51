"""The senior guide booklet (シニアガイド): which entries, their content in the PDF's real text,
the cover, contents with page numbers, large type, and the command's errors and exit codes."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from sasaeai.accounts.models import Municipality
from sasaeai.directory.booklet import BODY_PT, booklet_css, booklet_pdf, build_booklet
from tests.directory.builders import build_districts, build_service

PDFTOTEXT = shutil.which("pdftotext") or "pdftotext"
PDFINFO = shutil.which("pdfinfo") or "pdfinfo"
# the booklet is read back with poppler-utils: `make test-deps` installs it, and CI never skips
pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None and not os.environ.get("CI"), reason="needs poppler-utils"
)
MADE_ON = datetime.date(2026, 11, 27)


@pytest.fixture
def guide(kamakura: Municipality) -> dict[str, Any]:
    build_districts(kamakura)
    weekly = {
        "freq": "WEEKLY",
        "byday": "TU",
        "opens_at": datetime.time(10),
        "closes_at": datetime.time(12),
        "closed_on_holidays": True,
    }
    return {
        "salon": build_service(
            kamakura,
            name="サロンさくら",
            name_kana="さろんさくら",
            organization="大船ボランティアの会",
            district="大船",
            town="台",
            address="台二丁目1番1号",
            description="お茶を飲みながら、おしゃべりを楽しむ集まりです。",
            targets=["elderly"],
            categories=["salon"],
            schedules=[weekly],
            phone="0467-45-0001",
            is_free=True,
            assured_date=datetime.date(2026, 4, 1),
        ),
        "desk": build_service(
            kamakura,
            name="くらしの相談",
            name_kana="くらしのそうだん",
            organization="鎌倉市",
            district="大船",
            targets=["everyone"],
            categories=["consultation"],
            phone="0467-45-0002",
            fees_description="1回 100円",
            is_free=False,
        ),
        # not in the 大船 booklet:
        "kids": build_service(
            kamakura, name="こども広場", district="大船", targets=["children"], categories=["salon"]
        ),
        "kamakura": build_service(
            kamakura,
            name="鎌倉のサロン",
            district="鎌倉",
            targets=["elderly"],
            categories=["salon"],
        ),
        "resting": build_service(
            kamakura,
            name="お休み中の体操",
            district="大船",
            targets=["elderly"],
            categories=["health"],
            status="inactive",
        ),
    }


def pdf_text(pdf: bytes, *options: str) -> str:
    return subprocess.run(  # noqa: S603 -- fixed poppler-utils tools
        [PDFTOTEXT, "-layout", *options, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def page_count(pdf: bytes) -> int:
    info = subprocess.run(  # noqa: S603
        [PDFINFO, "-"], input=pdf, capture_output=True, check=True
    ).stdout
    match = re.search(rb"^Pages:\s+(\d+)", info, re.M)
    assert match is not None
    return int(match.group(1))


def test_content_of_the_district(kamakura: Municipality, guide: dict[str, Any]) -> None:
    booklet = build_booklet(municipality=kamakura, district_name="大船", today=MADE_ON)
    assert [(s.name, [e.name for e in s.entries]) for s in booklet.sections] == [
        ("相談窓口", ["くらしの相談"]),
        ("居場所・サロン", ["サロンさくら"]),
    ]
    salon = booklet.sections[1].entries[0]
    assert (salon.reading, salon.for_whom, salon.when, salon.where, salon.phones, salon.cost) == (
        "さろんさくら",
        "高齢者",
        ["毎週火曜 10:00〜12:00（祝日は休み）"],
        ["鎌倉市台二丁目1番1号"],
        [("0467-45-0001", "")],
        "無料",
    )
    desk = booklet.sections[0].entries[0]
    assert (desk.for_whom, desk.cost, desk.assured_date) == ("誰でも", "1回 100円", None)
    assert not booklet.has_demo


def test_the_pdf(kamakura: Municipality, guide: dict[str, Any]) -> None:
    build_service(
        kamakura, name="（架空）ひだまり", district="大船", targets=["elderly"], is_demo=True
    )
    pdf = booklet_pdf(municipality=kamakura, district_name="大船", today=MADE_ON)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in (
        "神奈川県鎌倉市",
        "シニアガイド",
        "大船地区",
        "令和8年11月27日 作成",
        "この冊子はデモ用です。",
        "サロンさくら",
        "さろんさくら",
        "お茶を飲みながら、おしゃべりを楽しむ集まりです。",
        "毎週火曜 10:00〜12:00（祝日は休み）",
        "鎌倉市台二丁目1番1号",
        "0467-45-0001",
        "令和8年4月1日 に内容を確認",
        "くらしの相談",
        "内容を確認した日の記録がありません。電話で確かめてください。",
        "（架空）ひだまり",
    ):
        assert expected in text, expected
    for absent in ("こども広場", "鎌倉のサロン", "お休み中の体操"):
        assert absent not in text
    pages = page_count(pdf)
    # 1 cover, 2 contents, 3 相談窓口, 4 居場所・サロン, 5 その他; header and page numbers
    assert pages == 5
    contents = pdf_text(pdf, "-f", "2", "-l", "2")
    assert re.search(r"相談窓口（1件）\s+3", contents)
    assert re.search(r"居場所・サロン（1件）\s+4", contents)
    assert re.search(r"その他（1件）\s+5", contents)
    assert "居場所・サロン" in pdf_text(pdf, "-f", "4", "-l", "4")
    page_three = pdf_text(pdf, "-f", "3", "-l", "3")
    assert "シニアガイド 大船地区" in page_three  # the running header
    assert page_three.split()[-1] == "3/5"  # the page number at the foot
    assert "シニアガイド 大船地区" not in pdf_text(pdf, "-f", "1", "-l", "1").replace("\n", " ")


def test_type_is_large(kamakura: Municipality, guide: dict[str, Any]) -> None:
    css = booklet_css()
    sizes = [float(v) for v in re.findall(r"font-size:\s*([0-9.]+)pt", css)]
    assert min(sizes) >= 14
    assert re.search(rf"body \{{[^}}]*font-size: {BODY_PT}pt", css)
    assert BODY_PT >= 14
    assert not re.search(r"font-size:\s*[0-9.]+(px|em|rem|%)", css)  # only points, all checked
    assert not re.search(r"color:\s*#(?!000\b|fff\b)", css)  # black on white, no grey text
    # in the PDF itself: the smallest word box is at least 14pt tall
    pdf = booklet_pdf(municipality=kamakura, district_name="大船", today=MADE_ON)
    html = subprocess.run(  # noqa: S603
        [PDFTOTEXT, "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    heights = [
        float(y2) - float(y1)
        for y1, y2 in re.findall(
            r'<word xMin="[0-9.]+" yMin="([0-9.]+)" xMax="[0-9.]+" yMax="([0-9.]+)"', html
        )
    ]
    assert heights and round(min(heights), 1) >= 14


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("directory", "booklet", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_one_district(
    kamakura: Municipality, guide: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "guide.pdf"
    out, err = run("--municipality", "142042", "--district", "大船", "-o", str(target))
    assert (out.strip(), err) == (f"{target} を作りました（大船地区）。", "")
    assert "サロンさくら" in pdf_text(target.read_bytes())


def test_command_all_districts(
    kamakura: Municipality, guide: dict[str, Any], tmp_path: Path
) -> None:
    out, _err = run("--municipality", "142042", "--all-districts", "-o", str(tmp_path / "out"))
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(
        f"142042_{d}_シニアガイド.pdf" for d in ("鎌倉", "腰越", "深沢", "大船", "玉縄")
    )
    assert "鎌倉のサロン" in pdf_text(
        (tmp_path / "out" / "142042_鎌倉_シニアガイド.pdf").read_bytes()
    )
    assert "この地区に載せる情報はまだありません。" in pdf_text(
        (tmp_path / "out" / "142042_玉縄_シニアガイド.pdf").read_bytes()
    )
    assert len(out.splitlines()) == 5


def test_unknown_district_lists_the_valid_ones(
    kamakura: Municipality, guide: dict[str, Any], tmp_path: Path
) -> None:
    with pytest.raises(CommandError) as caught:
        run("--municipality", "142042", "--district", "大仏", "-o", str(tmp_path / "x.pdf"))
    assert caught.value.returncode == 2
    assert not (tmp_path / "x.pdf").exists()


def test_unknown_district_message(
    kamakura: Municipality, guide: dict[str, Any], tmp_path: Path
) -> None:
    from sasaeai.directory.commands.booklet import handle

    out, err = StringIO(), StringIO()
    status = handle(
        {
            "municipality": "142042",
            "district": "大仏",
            "all_districts": False,
            "output": str(tmp_path / "x.pdf"),
        },
        out,  # type: ignore[arg-type]
        err,  # type: ignore[arg-type]
    )
    assert status == 2
    assert err.getvalue().strip() == (
        "行政地区「大仏」は鎌倉市にありません。使える地区: 鎌倉、腰越、深沢、大船、玉縄"
    )


def test_unknown_municipality_and_unwritable_output(
    db: None, kamakura: Municipality, tmp_path: Path
) -> None:
    with pytest.raises(CommandError) as caught:
        run("--municipality", "999999", "--district", "大船", "-o", str(tmp_path / "x.pdf"))
    assert caught.value.returncode == 2
    build_districts(kamakura)
    with pytest.raises(CommandError) as caught:
        run("--municipality", "142042", "--district", "大船", "-o", str(tmp_path / "no" / "x.pdf"))
    assert caught.value.returncode == 2


def test_staff_download(
    client: Any, kamakura: Municipality, guide: dict[str, Any], users: Any
) -> None:
    from tests.conftest import login

    login(client, users["department"])
    assert "大船" in client.get("/staff/directory/booklet/").content.decode()
    response = client.get("/staff/directory/booklet/?district=大船")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''142042_%E5%A4%A7%E8%88%B9_%E3%82%B7%E3%83%8B%E3%82%A2%E3%82%AC%E3%82%A4%E3%83%89.pdf"
    )
    assert client.get("/staff/directory/booklet/?district=大仏").status_code == 404


def test_booklet_queries_do_not_grow_with_rows(
    kamakura: Municipality, guide: dict[str, Any], django_assert_num_queries: Any
) -> None:
    build_booklet(municipality=kamakura, district_name="大船", today=MADE_ON)
    with django_assert_num_queries(9):
        small = build_booklet(municipality=kamakura, district_name="大船", today=MADE_ON)
    for i in range(8):
        build_service(
            kamakura,
            name=f"体操{i}",
            organization=f"団体{i}",
            district="大船",
            address=f"台{i}番",
            targets=["elderly"],
            categories=["health"],
            phone=f"0467-45-100{i}",
            schedules=[{"freq": "WEEKLY", "byday": "MO"}],
            index=False,
        )
    with django_assert_num_queries(9):
        large = build_booklet(municipality=kamakura, district_name="大船", today=MADE_ON)
    assert large.entry_count == small.entry_count + 8
