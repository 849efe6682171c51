"""Japanese phone numbers: one normaliser and one validity rule for editing and importing.

    normalize_phone("０４６７（２３）３０００") == "0467-23-3000"
    phone_problem("0467-23-30")  # 「桁数が合いません（…）」
    phone_problem("0467-23-3000") is None

Fixed lines (and 0120/0570 numbers) have 10 digits; mobile, IP and 0800 numbers 11.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

__all__ = ["normalize_phone", "phone_problem"]

# hyphens, dashes, minus, the long vowel mark and their full/half-width forms
_DASHES = dict.fromkeys(
    map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70\uff0d"), "-"
)
_MOBILE_PREFIXES = ("020", "050", "060", "070", "080", "090", "0800")


def normalize_phone(text: str) -> str:
    """Full-width digits and dashes made plain, spaces dropped, brackets made dashes, the
    country code made a trunk 0: ``０４６７（２３）３０００`` and ``+81 467-23-3000`` →
    ``0467-23-3000``. Does not judge the number (see ``phone_problem``)."""
    plain = unicodedata.normalize("NFKC", text).translate(_DASHES).strip()
    plain = re.sub(r"\s+", "", plain)
    plain = re.sub(r"[()]", "-", plain).strip("-")
    plain = re.sub(r"^\+81-?(?:\(0\)|0)?-?", "0", plain)  # +81 467… → 0467…
    return re.sub(r"-{2,}", "-", plain)


def phone_problem(number: str) -> str | None:
    """Why a Japanese phone number is malformed (a Japanese sentence), or None if fine."""
    plain = normalize_phone(number)
    if not re.fullmatch(r"[0-9-]+", plain):
        return _("数字とハイフン（-）だけで入力してください。")
    digits = plain.replace("-", "")
    if not digits.startswith("0") or digits.startswith("00"):
        return _("市外局番（0から始まる番号）から入力してください。")
    if len(digits) == 10:
        return None
    if len(digits) == 11 and digits.startswith(_MOBILE_PREFIXES):
        return None
    return _("桁数が合いません（固定電話は10桁、携帯電話などは11桁です）。")
