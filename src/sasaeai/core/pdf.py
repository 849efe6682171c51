"""PDF from HTML with WeasyPrint and a Japanese font installed on the system.

Reports and booklets are HTML first; this turns that HTML into a PDF whose text is real
text (copyable, read aloud by screen readers). The font comes from the system through
fontconfig — nothing is downloaded — and a missing font is a clear error naming the
Debian packages that provide one.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Sequence

from django.utils.translation import gettext as _

from sasaeai.core.errors import DomainError

#: Debian packages that provide a Japanese font WeasyPrint can use.
FONT_PACKAGES = ("fonts-ipaexfont", "fonts-noto-cjk")

#: Families tried in this order; the first one fontconfig knows is used.
PREFERRED_FAMILIES = (
    "IPAexGothic",
    "IPAex\u30b4\u30b7\u30c3\u30af",  # IPAexゴシック, the family name in Japanese
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "IPAGothic",
    "Noto Serif CJK JP",
)


class PdfUnavailable(DomainError):
    """No Japanese font (or no PDF engine) on this machine."""


@functools.cache
def japanese_font_families() -> tuple[str, ...]:
    """Every font family fontconfig lists for Japanese, preferred ones first."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    listing = subprocess.run(  # noqa: S603 -- fixed arguments, fc-list from PATH
        [fc_list, ":lang=ja", "family"], capture_output=True, text=True, check=False
    ).stdout
    found: set[str] = set()
    for line in listing.splitlines():
        for family in line.split(","):
            if family.strip():
                found.add(family.strip())
    preferred = [family for family in PREFERRED_FAMILIES if family in found]
    return tuple(preferred + sorted(found - set(preferred)))


def japanese_font_family() -> str:
    """The CSS ``font-family`` value for PDFs, or :class:`PdfUnavailable` naming the packages."""
    families = japanese_font_families()
    if not families:
        raise PdfUnavailable(
            code="pdf_font_missing",
            message=_(
                "PDFを作るための日本語フォントが見つかりません。"
                "Debian/Ubuntu では「sudo apt-get install {packages}」で入れてください。"
            ).format(packages=" ".join(FONT_PACKAGES)),
        )
    return ", ".join(f'"{family}"' for family in families[:2]) + ", sans-serif"


def render_pdf(
    html: str,
    *,
    base_url: str | None = None,
    stylesheets: Sequence[str] = (),
) -> bytes:
    """Render ``html`` (a whole document) to PDF bytes.

    ``stylesheets`` are extra CSS texts; a rule setting the Japanese font family on ``html``
    is always added first, so a document's own CSS can still override it.
    """
    family = japanese_font_family()
    try:
        import weasyprint
    except OSError as error:  # Pango missing: WeasyPrint fails while loading its libraries
        raise PdfUnavailable(
            code="pdf_engine_missing",
            message=_(
                "PDFを作るためのライブラリ（Pango）が見つかりません。"
                "Debian/Ubuntu では「sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0」"
                "で入れてください。"
            ),
        ) from error
    css = [weasyprint.CSS(string=f"html {{ font-family: {family}; }}")]
    css.extend(weasyprint.CSS(string=text) for text in stylesheets)
    document = weasyprint.HTML(string=html, base_url=base_url)
    pdf = document.write_pdf(stylesheets=css)
    assert pdf is not None
    return bytes(pdf)
