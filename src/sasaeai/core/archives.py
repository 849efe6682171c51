"""Zip-based office files (.xlsx, .docx): refuse one before parsing when it would unpack to
more than its format's limit (a "zip bomb"), or is not a readable zip at all.

One limit per format, read by every reader of that format — web forms, the command line and
services alike. Pure Python (no Django): the plain-language engine uses it too.

The sizes checked are the ones each member declares in the zip's central directory; a member
that lies about its size cannot get past them, because :func:`read_member` stops reading at
the declared size plus one byte.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Final, Literal

ArchiveFormat = Literal["xlsx", "docx"]

MIB: Final = 1024 * 1024

# What a real file of each format needs, unpacked, with room to spare:
# - xlsx: the plan workbook of the demo plan (211 initiatives) unpacks to 0.14 MiB, one of a
#   2,000-initiative plan with 300-character descriptions to 2 MiB; the largest department
#   workbook of the demo to 0.11 MiB; the largest real Excel document we check for plain
#   language (an evaluation sheet of every department) to about 5 MiB. A 52 MiB plan
#   workbook took 0.6 GB and 20 s to read; at this limit the plan reader (read-only,
#   streaming) takes 3 to 4 s and under 100 MB (bench/bench_plan_workbook_read.py).
# - docx: text is small, but photos and figures count too (they barely compress).
MAX_UNPACKED_BYTES: Final[dict[ArchiveFormat, int]] = {
    "xlsx": 16 * MIB,
    "docx": 64 * MIB,
}

# A member of a docx or xlsx file that we parse as XML (document.xml, sharedStrings.xml,
# sheetN.xml) must not be larger than this, whatever the whole file's size.
MAX_XML_MEMBER_BYTES: Final[dict[ArchiveFormat, int]] = {
    "xlsx": 16 * MIB,
    "docx": 16 * MIB,
}


class ArchiveError(ValueError):
    """The file cannot be read safely; ``code`` is ``broken`` or ``too_large``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def format_megabytes(size: int) -> str:
    return f"{size / MIB:.0f}MB"


def unpacked_size(data: bytes) -> int:
    """The total of the sizes the zip's members declare; :class:`ArchiveError` if unreadable."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError):
        raise ArchiveError("broken", "ファイルが壊れています（ZIP として読めません）。") from None


def check_unpacked_size(data: bytes, fmt: ArchiveFormat) -> int:
    """Refuse ``data`` when it unpacks to more than the format's limit; return the size."""
    size = unpacked_size(data)
    limit = MAX_UNPACKED_BYTES[fmt]
    if size > limit:
        raise ArchiveError(
            "too_large",
            f"ファイルの中身が大きすぎます（展開すると {format_megabytes(size)}、上限は"
            f" {format_megabytes(limit)}）。不要なシートや画像を消して保存し直してください。",
        )
    return size


def read_member(archive: zipfile.ZipFile, name: str, fmt: ArchiveFormat) -> bytes:
    """One member's bytes, never more than the format's XML limit even if its header lies."""
    limit = MAX_XML_MEMBER_BYTES[fmt]
    try:
        info = archive.getinfo(name)
        if info.file_size > limit:
            raise ArchiveError("too_large", "ファイルの中身が大きすぎます。")
        with archive.open(info) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, EOFError):
        raise ArchiveError("broken", "ファイルが壊れています（ZIP として読めません）。") from None
    if len(data) > limit:
        raise ArchiveError("too_large", "ファイルの中身が大きすぎます。")
    return data
