"""``sasaeai directory import`` and ``sasaeai directory export``.

    sasaeai directory import FILE --municipality 142042 [--kind auto|hsds|kaigo|kosodate|iryo|aed]
                             [--retire-missing] [--dry-run]
    sasaeai directory export --municipality 142042 --format hsds-json|hsds-csv -o DIR

FILE is an open-data CSV, an HSDS JSON file, a ZIP of an HSDS datapackage, or a folder
holding ``datapackage.json`` and the CSVs. The import always shows what it finds first
(counts of additions, updates, unchanged rows and warnings, with the first rows of each);
without ``--dry-run`` it then writes everything in one transaction, or nothing if any row
is refused. ``--retire-missing`` (open-data CSVs only) also sets the dataset's services the
file no longer lists to 休止中, listed first like the other changes. Exit status: 0 fine, 1
the data was refused (also: a file without services with ``--retire-missing``), 2 a usage
error (missing file, unknown kind or municipality, ``--retire-missing`` with an HSDS file).
The operator acts as ``cli:<os user>`` in the audit log. A file is read as a stream (a large
CSV never whole in memory) and has no row limit (the staff screen has one:
``importing.jobs.WEB_ROW_LIMIT``); its size limit is the one of its format, the same as on the
screen (``core.uploads.MAX_UPLOAD_BYTES``: csv, json, zip), checked before it is read (exit
status 1). The import saves the changes only if they are still the ones the preview printed
(its fingerprint, compared inside the import's transaction). Lists of changes, warnings and
errors are cut at ``importing.import_result.KEEP_LIMIT`` each; the counts are always whole.
"""

from __future__ import annotations

import getpass
import io
import zipfile
from pathlib import Path
from typing import Any

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.core import uploads
from sasaeai.core.errors import DomainError
from sasaeai.core.imports import ADD, RETIRE, UPDATE
from sasaeai.directory.exporting.export import FORMATS, directory_export
from sasaeai.directory.importing import result as import_result
from sasaeai.directory.importing import service
from sasaeai.directory.importing.result import ENTITIES, ENTITY_LABELS, DirectoryImportResult

PREVIEW_ROWS = 5  # rows listed per kind of change (all with --verbosity 2)


def register(actions: Any) -> None:
    load = actions.add_parser("import", help=_("オープンデータの CSV や HSDS のファイルを取り込む"))
    load.add_argument("file", help=_("取り込むファイル（CSV、JSON、ZIP）またはフォルダー"))
    load.add_argument(
        "--municipality", required=True, help=_("全国地方公共団体コード（例: 142042）")
    )
    load.add_argument(
        "--kind", default="auto", help=_("auto（既定）、hsds、kaigo、kosodate、iryo、aed")
    )
    load.add_argument(
        "--retire-missing",
        action="store_true",
        help=_(
            "このファイルにない取り込み済みのサービス（同じ種類の、実施中・一時休止のもの）を"
            "「休止中」にする（オープンデータの CSV だけ）"
        ),
    )
    load.add_argument("--dry-run", action="store_true", help=_("確認だけして、何も保存しない"))
    load.set_defaults(handler=handle_import)

    export = actions.add_parser("export", help=_("地域資源情報を HSDS 3.0 で書き出す"))
    export.add_argument(
        "--municipality", required=True, help=_("全国地方公共団体コード（例: 142042）")
    )
    export.add_argument("--format", required=True, help="hsds-json | hsds-csv")
    export.add_argument("-o", "--output", required=True, help=_("書き出すフォルダー"))
    export.set_defaults(handler=handle_export)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _municipality(code: str, err: OutputWrapper) -> Municipality | None:
    municipality = Municipality.objects.filter(code=code.strip()).first()
    if municipality is None:
        err.write(_("自治体コード {code} の自治体が登録されていません。").format(code=code))
    return municipality


def _read(path: Path) -> bytes | None:
    """None for a file (read as a stream by the import, once its size is checked); a folder
    (an unzipped datapackage) is zipped in memory. Raises OSError if the file cannot be
    opened, UploadRefused if it is larger than its format's limit."""
    if not path.is_dir():
        with path.open("rb") as stream:
            head = stream.read(4096)
        uploads.check_file(path, file_format=service.upload_format(head, path.name))
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for child in sorted(path.iterdir()):
            if child.is_file() and child.suffix.lower() in {".csv", ".json"}:
                archive.write(child, child.name)
    return buffer.getvalue()


def handle_import(options: dict[str, Any], out: OutputWrapper, err: OutputWrapper) -> int:
    kind = options["kind"]
    if kind not in service.KINDS:
        err.write(
            _("種類「{kind}」はありません。{kinds} のいずれかを指定してください。").format(
                kind=kind, kinds="、".join(service.KINDS)
            )
        )
        return 2
    municipality = _municipality(options["municipality"], err)
    if municipality is None:
        return 2
    path = Path(options["file"])
    try:
        data = _read(path)
    except OSError as error:
        err.write(
            _("{path} を読み込めません（{reason}）。").format(path=path, reason=error.strerror)
        )
        return 2
    except uploads.UploadRefused as error:
        err.write(error.message)
        return 1
    if path.is_dir() and kind == "auto":
        kind = "hsds"
    source: dict[str, Any] = {"data": data} if data is not None else {"path": path}
    retire_missing = bool(options.get("retire_missing"))
    if retire_missing and (
        kind == "hsds"
        or (kind == "auto" and service.detect_format(_head(data, path), path.name) == "hsds")
    ):
        err.write(
            _(
                "--retire-missing はオープンデータの CSV（kaigo・kosodate・iryo・aed）でだけ使えます。"
                "HSDS のファイルは複数の発行元が同じ取込元（hsds）を使うため、"
                "1つのファイルに載っていないことは休止を意味しません。"
            )
        )
        return 2
    verbose = options.get("verbosity", 1) >= 2
    preview = service.directory_import_preview(
        municipality=municipality,
        **source,
        filename=path.name,
        kind=kind,
        retire_missing=retire_missing,
    )
    report(preview, out, err, verbose=verbose)
    if preview.errors:
        return 1
    if options["dry_run"] or not preview.has_changes:
        out.write(preview.summary())
        return 0
    result = service.directory_import_apply(
        actor=_actor(),
        municipality=municipality,
        **source,
        filename=path.name,
        kind=kind,
        retire_missing=retire_missing,
        expected_fingerprint=preview.fingerprint,
    )
    if not result.ok:
        _errors(result, err)
        return 1
    out.write(result.summary())
    return 0


def _head(data: bytes | None, path: Path) -> bytes:
    if data is not None:
        return data[:4096]
    with path.open("rb") as stream:
        return stream.read(4096)


def _errors(result: DirectoryImportResult, err: OutputWrapper) -> None:
    for issue in result.errors:
        err.write(issue.describe())
    if result.error_count > len(result.errors):
        err.write(
            _("ほか {count} 件の誤り（表示は最初の {limit} 件まで）").format(
                count=result.error_count - len(result.errors), limit=len(result.errors)
            )
        )
    err.write(result.summary())


def report(
    result: DirectoryImportResult, out: OutputWrapper, err: OutputWrapper, *, verbose: bool
) -> None:
    """What the file holds: notes, counts, first rows of each change, warnings, errors."""
    out.write(
        _("ファイル: {name}（SHA-256: {sha}）").format(name=result.filename, sha=result.sha256[:16])
    )
    for note in result.notes:
        out.write(f"  {note}")
    if not result.ok:
        _errors(result, err)
        return
    for entity in ENTITIES:
        template = (
            _(
                "{entity}: 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件、休止 {retire} 件"
            )
            if entity == "service" and result.retire_missing
            else _("{entity}: 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件")
        )
        out.write(template.format(entity=_(ENTITY_LABELS[entity]), **result.counts(entity)))
        if entity != "service":
            continue
        for action in (ADD, UPDATE, RETIRE):
            changes = result.changes_of(entity, action)
            shown = changes if verbose else changes[:PREVIEW_ROWS]
            total = result.change_counts.get((entity, action), 0)
            for change in shown:
                if action == RETIRE:  # not in the file: no row, name its identifier
                    what = _("{name}（識別子: {key}）").format(name=change.name, key=change.key)
                    out.write(f"    [{change.action_label}] {what}")
                    continue
                where = _("{row}行目 ").format(row=change.row) if change.row else ""
                fields = f"（{', '.join(change.fields)}）" if change.fields else ""
                out.write(f"    [{change.action_label}] {where}{change.name}{fields}")
            _more(out, total - len(shown), verbose=verbose)
    if result.warnings:
        out.write(_("警告 {count} 件:").format(count=result.warning_count))
        by_code: dict[str, list[str]] = {}
        for issue in result.warnings:
            by_code.setdefault(issue.code, []).append(issue.describe())
        for code, messages in by_code.items():
            total = result.warning_codes[code]
            out.write(
                _("  {label}（{code}）: {count} 件").format(
                    label=import_result.warning_label(code), code=code, count=total
                )
            )
            listed = messages if verbose else messages[:PREVIEW_ROWS]
            for message in listed:
                out.write(f"    {message}")
            _more(out, total - len(listed), verbose=verbose)


def _more(out: OutputWrapper, count: int, *, verbose: bool) -> None:
    """「ほか n 件」 under a list cut short."""
    if count <= 0:
        return
    if verbose:
        out.write(
            _("    ほか {count} 件（一覧は最初の {limit} 件まで）").format(
                count=count, limit=import_result.KEEP_LIMIT
            )
        )
    else:
        out.write(_("    ほか {count} 件（すべて表示するには --verbosity 2）").format(count=count))


def handle_export(options: dict[str, Any], out: OutputWrapper, err: OutputWrapper) -> int:
    fmt = options["format"]
    if fmt not in FORMATS:
        err.write(
            _("形式「{fmt}」はありません。{formats} のいずれかを指定してください。").format(
                fmt=fmt, formats="、".join(FORMATS)
            )
        )
        return 2
    municipality = _municipality(options["municipality"], err)
    if municipality is None:
        return 2
    try:
        files = directory_export(municipality=municipality, fmt=fmt)
    except DomainError as error:
        err.write(str(error))
        return 1
    target = Path(options["output"])
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (target / name).write_bytes(content)
    except OSError as error:
        err.write(
            _("{path} に書き出せません（{reason}）。").format(path=target, reason=error.strerror)
        )
        return 2
    out.write(
        _("HSDS 3.0（{fmt}）で {count} 個のファイルを書き出しました: {path}").format(
            fmt=fmt, count=len(files), path=target
        )
    )
    return 0
