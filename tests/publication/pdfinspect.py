"""Just enough PDF reading for the tests (no PDF library is a dependency): inflate the streams,
count pages, list bookmarks, find embedded fonts, and extract text through the fonts'
ToUnicode maps — WeasyPrint's output only (Flate streams, Identity-H fonts, hex TJ strings)."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

OBJ = re.compile(rb"(\d+) 0 obj\s*<<(.*?)>>\s*stream\r?\n", re.S)


@dataclass
class PdfFacts:
    objects: bytes  # every inflated stream and the uncompressed parts, joined
    streams: dict[int, bytes]  # object number → inflated stream

    @property
    def page_count(self) -> int:
        match = re.search(rb"/Type /Pages/Kids \[[^\]]*\]/Count (\d+)", self.objects)
        assert match, "no page tree"
        return int(match.group(1))

    def bookmarks(self) -> list[str]:
        """Titles of the outline items (bookmarks), in file order."""
        titles = []
        for literal, hexa in re.findall(
            rb"<</Title (?:\((.*?)\)|<([0-9a-fA-F]+)>)/Dest", self.objects, re.S
        ):
            raw = bytes.fromhex(hexa.decode()) if hexa else re.sub(rb"\\([()\\])", rb"\1", literal)
            titles.append(
                raw.decode("utf-16") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")
            )
        return titles

    def font_names(self) -> list[str]:
        return sorted({m.decode() for m in re.findall(rb"/BaseFont /([\w+-]+)", self.objects)})

    def text(self) -> str:
        """All text shown, content stream by content stream (one line per TJ)."""
        maps: dict[bytes, dict[int, str]] = {}
        for tag, ref in re.findall(rb"/BaseFont /(\w+)\+[^<>]*?/ToUnicode (\d+) 0 R", self.objects):
            maps[tag] = _cmap(self.streams.get(int(ref), b""))
        lines = []
        for data in self.streams.values():
            font: dict[int, str] = {}
            for match in re.finditer(rb"/(\w+) [\d.]+ Tf|\[(.*?)\] TJ", data, re.S):
                if match.group(1) is not None:
                    font = maps.get(match.group(1), {})
                    continue
                glyphs = b"".join(re.findall(rb"<([0-9a-fA-F]*)>", match.group(2)))
                codes = [int(glyphs[i : i + 4], 16) for i in range(0, len(glyphs), 4)]
                lines.append("".join(font.get(code, "\ufffd") for code in codes))
        return "\n".join(lines)


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, dst in re.findall(
            rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
        ):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def inspect(pdf: bytes) -> PdfFacts:
    assert pdf.startswith(b"%PDF-"), "not a PDF"
    streams: dict[int, bytes] = {}
    parts = [pdf]
    for match in OBJ.finditer(pdf):
        if b"/FlateDecode" not in match.group(2):
            continue
        inflated = zlib.decompressobj().decompress(pdf[match.end() :])
        streams[int(match.group(1))] = inflated
        parts.append(inflated)
    return PdfFacts(objects=b"\n".join(parts), streams=streams)
