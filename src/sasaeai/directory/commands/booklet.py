"""``sasaeai directory booklet``: the senior guide booklet (シニアガイド) as PDF.

    sasaeai directory booklet --municipality 142042 --district 大船 -o guide.pdf
    sasaeai directory booklet --municipality 142042 --all-districts -o DIR

``--all-districts`` writes one PDF per district into DIR, named
``142042_大船_シニアガイド.pdf``. Exit 0 when written; 2 for an unknown municipality or
district (the message lists the valid districts), an output that cannot be written, or a
missing Japanese font.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.core.pdf import PdfUnavailable
from sasaeai.directory.booklet import (
    UnknownDistrict,
    booklet_filename,
    booklet_pdf,
    district_names,
    district_of,
)


def register(actions: Any) -> None:
    parser = actions.add_parser(
        "booklet", help=_("地区ごとのシニアガイド（高齢の方向けの冊子）をPDFで作る")
    )
    parser.add_argument(
        "--municipality", required=True, help=_("全国地方公共団体コード（6桁、例: 142042）")
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--district", help=_("行政地区の名前（例: 大船）"))
    which.add_argument(
        "--all-districts", action="store_true", help=_("すべての地区の冊子をフォルダに作る")
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help=_("書き出すPDFファイル（--all-districts のときはフォルダ）"),
    )
    parser.set_defaults(handler=handle)


def _write(path: Path, data: bytes, err: OutputWrapper) -> bool:
    try:
        path.write_bytes(data)
    except OSError as error:
        err.write(
            _("ファイル「{path}」に書き込めません: {error}").format(
                path=path, error=error.strerror or error
            )
        )
        return False
    return True


def handle(options: dict[str, Any], out: OutputWrapper, err: OutputWrapper) -> int:
    code = str(options["municipality"]).strip()
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        err.write(
            _("全国地方公共団体コード「{code}」の自治体は登録されていません。").format(code=code)
        )
        return 2
    output = Path(options["output"])
    try:
        if options["all_districts"]:
            names = list(district_names(municipality))
            if not names:
                err.write(
                    _("{name}には行政地区が登録されていません。").format(name=municipality.name)
                )
                return 2
            if output.exists() and not output.is_dir():
                err.write(_("「{path}」はフォルダではありません。").format(path=output))
                return 2
            output.mkdir(parents=True, exist_ok=True)
            for name in names:
                target = output / booklet_filename(municipality, name)
                if not _write(
                    target, booklet_pdf(municipality=municipality, district_name=name), err
                ):
                    return 2
                out.write(_("{path} を作りました。").format(path=target))
            return 0
        district = district_of(municipality, options["district"])
        pdf = booklet_pdf(municipality=municipality, district_name=district.name)
    except (UnknownDistrict, PdfUnavailable) as error:
        err.write(error.message)
        return 2
    if not _write(output, pdf, err):
        return 2
    out.write(
        _("{path} を作りました（{district}地区）。").format(path=output, district=district.name)
    )
    return 0
