"""Authenticated encryption of personal data at rest.

Keys come only from the environment (``SASAEAI_ENCRYPTION_KEYS``: Fernet keys, newest first).
Fernet is AES-128-CBC with HMAC-SHA256: tampering or a wrong key fails loudly, never silently.
``MultiFernet`` encrypts with the newest key and decrypts with any, which is how keys rotate.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection

CANARY_PLAINTEXT = "sasaeai-encryption-canary"


class DecryptionError(Exception):
    """Stored ciphertext could not be decrypted with any configured key."""


def _parse_key(raw: str, position: int) -> Fernet:
    try:
        decoded = base64.urlsafe_b64decode(raw.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        decoded = b""
    if len(decoded) != 32:
        raise ImproperlyConfigured(
            f"SASAEAI_ENCRYPTION_KEYS の {position} 番目の鍵が不正です（32バイトを URL-safe Base64 で"
            " 表した文字列が必要です）。`sasaeai generate_encryption_key` で作成してください。"
        )
    return Fernet(raw.encode("ascii"))


@lru_cache(maxsize=4)
def _cipher_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "暗号鍵がありません。環境変数 SASAEAI_ENCRYPTION_KEYS を設定してください。"
        )
    return MultiFernet([_parse_key(key, index) for index, key in enumerate(keys, start=1)])


def configured_keys() -> tuple[str, ...]:
    keys: Sequence[str] = getattr(settings, "SASAEAI_ENCRYPTION_KEYS", ())
    return tuple(keys)


def cipher() -> MultiFernet:
    return _cipher_for(configured_keys())


def encrypt(plaintext: str) -> str:
    return cipher().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise DecryptionError(
            "暗号化されたデータを復号できません。暗号鍵（SASAEAI_ENCRYPTION_KEYS）が"
            "正しいか確認してください。"
        ) from None


def rotate_token(token: str) -> str:
    """Re-encrypt a token under the newest key (it must decrypt under one of the keys)."""
    try:
        return cipher().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise DecryptionError(
            "再暗号化の途中で復号できないデータがありました。古い鍵を SASAEAI_ENCRYPTION_KEYS に"
            "残したまま実行してください。"
        ) from None


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def verify_encryption_keys() -> None:
    """Fail start-up when the keys are malformed or cannot read the data already stored."""
    cipher()
    from sasaeai.core.models import EncryptionCanary

    try:
        if EncryptionCanary._meta.db_table not in connection.introspection.table_names():
            return
        tokens = list(EncryptionCanary.objects.values_list("token", flat=True))
    except DatabaseError:
        return  # no database yet: `migrate` will create it and the canary
    for token in tokens:
        try:
            value = decrypt(token)
        except DecryptionError:
            raise ImproperlyConfigured(
                "暗号鍵が違います: 保存済みのデータを SASAEAI_ENCRYPTION_KEYS のどの鍵でも復号できません。"
                " 以前の鍵を設定してから起動してください。"
            ) from None
        if value != CANARY_PLAINTEXT:
            raise ImproperlyConfigured("暗号鍵の確認用データが壊れています。")


def ensure_canary() -> None:
    from sasaeai.core.models import EncryptionCanary

    if not EncryptionCanary.objects.exists():
        EncryptionCanary.objects.create(token=encrypt(CANARY_PLAINTEXT))
