"""``sasaeai directory search QUERY --municipality 142042 [--district NAME] [--format text|json]``.

The same engine and ranking as the public search page. JSON output is exactly
``{"total": N, "results": [{"id", "name", "organization", "district"}, …]}`` with
Japanese left as is (``ensure_ascii=False``).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _

from sasaeai.accounts.models import District, Municipality
from sasaeai.directory.search import search

DEFAULT_LIMIT = 20


def register(actions: Any) -> None:
    parser = actions.add_parser("search", help=_("地域資源情報を検索する"))
    parser.add_argument(
        "query", metavar="QUERY", help=_("さがすことば（空白で区切るとすべてを含むもの）")
    )
    parser.add_argument(
        "--municipality", required=True, help=_("全国地方公共団体コード（例: 142042）")
    )
    parser.add_argument("--district", default=None, help=_("行政地区の名前（例: 大船）"))
    parser.add_argument("--format", choices=["text", "json"], default="text", help=_("出力の形式"))
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help=_("表示する件数の上限（既定 20）")
    )
    parser.set_defaults(handler=handle)


def handle(options: dict[str, Any], out: OutputWrapper, err: OutputWrapper) -> int:
    code = options["municipality"]
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        err.write(_("団体コード {code} の自治体はありません。").format(code=code))
        return 2
    district = options.get("district")
    if district and not District.objects.filter(municipality=municipality, name=district).exists():
        err.write(
            _("行政地区「{name}」は{municipality}にありません。").format(
                name=district, municipality=municipality.name
            )
        )
        return 2
    limit = max(1, min(int(options.get("limit") or DEFAULT_LIMIT), 200))
    # scripts get the exact total (the web page stops counting at 1,000)
    result = search(
        municipality, options["query"], district=district, limit=limit, exact_total=True
    )
    if options["format"] == "json":
        payload = {
            "total": result.total,
            "results": [
                {
                    "id": str(hit.id),
                    "name": hit.name,
                    "organization": hit.organization,
                    "district": hit.district,
                }
                for hit in result.results
            ],
        }
        out.write(json.dumps(payload, ensure_ascii=False))
        return 0
    out.write(_("{total}件").format(total=result.total))
    for hit in result.results:
        district_text = f" [{hit.district}]" if hit.district else ""
        out.write(f"{hit.name}{district_text} — {hit.organization}  ({hit.id})")
    return 0
