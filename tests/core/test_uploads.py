"""The one upload flow (``core.uploads``): a pending upload stored once, scoped to its
municipality, user and purpose; one size limit per format; a confirm refused when the file,
the owner or the previewed result is not the one confirmed; pruning after the retention time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone
from tests.conftest import PASSWORD

from sasaeai.accounts import services as accounts
from sasaeai.accounts.models import Municipality, User
from sasaeai.accounts.roles import Role
from sasaeai.core import uploads
from sasaeai.core.models import PendingUpload

MIB = 1024 * 1024
MISSING = (
    "確認したファイルが見つかりません（取り込んだか、やめたか、保存の期限が過ぎました）。"
    "何も保存していません。もう一度ファイルを選んでください。"
)
NOT_YOURS = (
    "この確認はほかの職員が始めたものです。取り込むには、ご自分でファイルを選んで確認してください。"
)
CHANGED = (
    "確認したファイルが見つからないか、確認したときと内容が違います（SHA-256 が一致しません）。"
    "何も取り込んでいません。もう一度ファイルを選んで確認してください。"
)
DATA = "glossary:\n  - term: アウトリーチ\n    paraphrase: 訪問支援\n".encode()


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def owner(make_user: Callable[..., User]) -> User:
    return make_user(Role.SECRETARIAT)


def store(
    owner: User,
    data: bytes = DATA,
    *,
    purpose: str = "plainlang.settings",
    file_format: uploads.UploadFormat = "text",
    filename: str = "settings.yaml",
    chunk: int = 10,
) -> PendingUpload:
    chunks = (data[start : start + chunk] for start in range(0, len(data), chunk))
    return uploads.upload_store(
        municipality=owner.municipality,
        user=owner,
        purpose=purpose,
        file_format=file_format,
        filename=filename,
        chunks=chunks,
    )


def files(var_dir: Path) -> list[str]:
    folder = var_dir / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def refusal(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(uploads.UploadRefused) as refused:
        call()
    return refused.value.code, refused.value.message


# --- storing -------------------------------------------------------------------------------


def test_an_upload_is_stored_once_with_its_hash(owner: User, var_dir: Path) -> None:
    upload = store(owner, filename="C:\\職員\\設定\x07.yaml")
    stored = PendingUpload.objects.get()
    assert (
        stored.pk,
        stored.municipality_id,
        stored.user_id,
        stored.purpose,
        stored.file_format,
        stored.filename,
        stored.size,
        stored.sha256,
    ) == (
        upload.pk,
        owner.municipality_id,
        owner.pk,
        "plainlang.settings",
        "text",
        "設定.yaml",
        len(DATA),
        hashlib.sha256(DATA).hexdigest(),
    )
    path = var_dir / "uploads" / f"{upload.pk.hex}.upload"
    assert files(var_dir) == [path.name]
    assert path.read_bytes() == DATA
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((var_dir / "uploads").stat().st_mode) == 0o700
    assert uploads.upload_read(upload) == DATA
    assert uploads.upload_path(upload) == path


def test_a_stream_past_the_limit_is_refused_and_nothing_is_kept(owner: User, var_dir: Path) -> None:
    """The web form checks the declared size first; the store stops a stream that lies."""
    big = b"a" * (uploads.MAX_UPLOAD_BYTES["text"] + 1)
    assert refusal(lambda: store(owner, big, chunk=64 * 1024)) == (
        "too_large",
        "ファイルが大きすぎます。1MB 以下にしてください。",
    )
    assert (PendingUpload.objects.count(), files(var_dir)) == (0, [])
    exactly = store(owner, big[:-1], chunk=64 * 1024)
    assert exactly.size == uploads.MAX_UPLOAD_BYTES["text"]


def test_a_discarded_upload_is_gone(owner: User, var_dir: Path) -> None:
    upload = store(owner)
    kept = store(owner)
    uploads.upload_discard(upload=upload)
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [kept.pk]
    assert files(var_dir) == [f"{kept.pk.hex}.upload"]


# --- size limits -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_format", "limit", "message"),
    [
        ("xlsx", 10 * MIB, "ファイルが大きすぎます（10.0MB）。10MB 以下にしてください。"),
        ("csv", 50 * MIB, "ファイルが大きすぎます（50.0MB）。50MB 以下にしてください。"),
        ("json", 20 * MIB, "ファイルが大きすぎます（20.0MB）。20MB 以下にしてください。"),
        ("zip", 50 * MIB, "ファイルが大きすぎます（50.0MB）。50MB 以下にしてください。"),
        ("text", 1 * MIB, "ファイルが大きすぎます（1.0MB）。1MB 以下にしてください。"),
    ],
)
def test_one_limit_per_format(
    file_format: uploads.UploadFormat, limit: int, message: str, tmp_path: Path
) -> None:
    assert uploads.MAX_UPLOAD_BYTES[file_format] == limit
    uploads.check_size(file_format=file_format, size=limit)  # the limit itself is fine
    assert refusal(lambda: uploads.check_size(file_format=file_format, size=limit + 1)) == (
        "too_large",
        message,
    )
    assert refusal(lambda: uploads.check_bytes(b"a" * (limit + 1), file_format=file_format)) == (
        "too_large",
        message,
    )
    sparse = tmp_path / f"big.{file_format}"
    with sparse.open("wb") as handle:
        handle.truncate(limit + 1)  # takes no disk: refused by its size, never read
    assert refusal(lambda: uploads.read_file(sparse, file_format=file_format)) == (
        "too_large",
        message,
    )


def test_every_format_has_a_limit() -> None:
    assert set(uploads.MAX_UPLOAD_BYTES) == set(uploads.FORMATS)
    assert [uploads.limit_text(f) for f in uploads.FORMATS] == [
        "10MB",
        "50MB",
        "20MB",
        "50MB",
        "1MB",
    ]


def test_the_command_line_reads_a_file_up_to_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_bytes(b"a" * uploads.MAX_UPLOAD_BYTES["text"])
    assert len(uploads.read_file(path, file_format="text")) == MIB
    assert refusal(lambda: uploads.read_file(tmp_path / "none.yaml", file_format="text")) == (
        "upload_unreadable",
        f"{tmp_path / 'none.yaml'} を読み込めません（No such file or directory）。",
    )
    assert refusal(lambda: uploads.check_file(tmp_path, file_format="text"))[0] == (
        "upload_unreadable"
    )


# --- scope -----------------------------------------------------------------------------------


def pending(upload: PendingUpload, user: User, **kwargs: Any) -> PendingUpload:
    arguments: dict[str, Any] = {
        "upload_id": str(upload.pk),
        "purpose": "plainlang.settings",
        "municipality": user.municipality,
        "user": user,
        **kwargs,
    }
    return uploads.pending_upload(**arguments)


def test_the_owner_finds_the_upload(owner: User) -> None:
    upload = store(owner)
    assert pending(upload, owner) == upload
    assert pending(upload, owner, upload_id=upload.pk.hex) == upload


def test_another_user_of_the_municipality_is_refused(
    owner: User, make_user: Callable[..., User]
) -> None:
    upload = store(owner)
    colleague = make_user(Role.SECRETARIAT, username="jimukyoku-2")
    assert refusal(lambda: pending(upload, colleague)) == ("upload_not_yours", NOT_YOURS)


def test_another_municipality_is_refused(owner: User, fujisawa: Municipality) -> None:
    upload = store(owner)
    stranger = accounts.user_upsert(
        actor="test",
        municipality=fujisawa,
        username="fujisawa-jimukyoku",
        display_name="藤沢の職員",
        password=PASSWORD,
    )
    assert refusal(lambda: pending(upload, stranger)) == ("upload_missing", MISSING)
    # the right user but another municipality's pages: refused as well
    assert refusal(lambda: pending(upload, owner, municipality=fujisawa)) == (
        "upload_missing",
        MISSING,
    )


def test_another_purpose_or_an_unknown_id_is_refused(owner: User) -> None:
    upload = store(owner)
    assert refusal(lambda: pending(upload, owner, purpose="plans.workbook")) == (
        "upload_missing",
        MISSING,
    )
    for upload_id in (str(uuid.uuid4()), "nonsense", "", "../../etc/passwd"):
        assert refusal(lambda: pending(upload, owner, upload_id=upload_id)) == (  # noqa: B023
            "upload_missing",
            MISSING,
        )


def test_an_upload_past_the_retention_is_refused(owner: User) -> None:
    upload = store(owner)
    PendingUpload.objects.filter(pk=upload.pk).update(
        created_at=timezone.now() - uploads.RETENTION - dt.timedelta(seconds=1)
    )
    assert refusal(lambda: pending(upload, owner)) == (
        "upload_expired",
        "確認の期限（24時間）が過ぎました。何も保存していません。もう一度ファイルを選んでください。",
    )


# --- a tampered file -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tamper",
    [
        lambda path: path.write_bytes(DATA.replace("訪問".encode(), "電話".encode())),  # same size
        lambda path: path.write_bytes(DATA + b"  - term: X\n"),
        lambda path: path.unlink(),
    ],
    ids=["same-size", "longer", "gone"],
)
def test_a_file_changed_on_disk_is_refused(owner: User, tamper: Callable[[Path], Any]) -> None:
    upload = store(owner)
    tamper(uploads.stored_path(upload.pk))
    assert refusal(lambda: uploads.upload_read(upload)) == ("upload_changed", CHANGED)
    assert refusal(lambda: uploads.upload_path(upload)) == ("upload_changed", CHANGED)


def test_a_request_naming_a_changed_upload_is_refused_and_the_upload_removed(
    owner: User, var_dir: Path
) -> None:
    upload = store(owner)
    request = RequestFactory().post("/", {"upload": str(upload.pk), "fingerprint": "x"})
    request.user = owner
    found, data = uploads.request_upload(
        request, purpose="plainlang.settings", municipality=owner.municipality
    )
    assert (found, data) == (upload, DATA)
    uploads.stored_path(upload.pk).write_bytes(b"changed")
    assert refusal(
        lambda: uploads.request_upload(
            request, purpose="plainlang.settings", municipality=owner.municipality
        )
    ) == ("upload_changed", CHANGED)
    assert (PendingUpload.objects.count(), files(var_dir)) == (0, [])
    preview = RequestFactory().get("/", {"upload": "x"})
    assert uploads.upload_id_of(preview) == "x"
    assert uploads.with_upload("/preview/", upload) == f"/preview/?upload={upload.pk}"


# --- pruning -----------------------------------------------------------------------------------


@pytest.fixture
def frozen_files(var_dir: Path) -> Iterator[Callable[[str, float], Path]]:
    def make(name: str, age_seconds: float) -> Path:
        path = uploads.uploads_dir() / name
        path.write_bytes(b"x")
        moment = timezone.now().timestamp() - age_seconds
        os.utime(path, (moment, moment))
        return path

    yield make


def test_uploads_older_than_the_retention_are_pruned(
    owner: User, var_dir: Path, frozen_files: Callable[[str, float], Path]
) -> None:
    old = store(owner)
    fresh = store(owner)
    PendingUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - uploads.RETENTION - dt.timedelta(minutes=1)
    )
    day = uploads.RETENTION.total_seconds()
    stray_old = frozen_files("plan-import-0123.xlsx", day + 60)  # left by a stopped process
    stray_new = frozen_files("directory-import-job-1.progress", 60)
    assert uploads.uploads_prune() == 1
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert files(var_dir) == sorted([f"{fresh.pk.hex}.upload", stray_new.name])
    assert not stray_old.exists()


def test_storing_prunes_first(owner: User, var_dir: Path) -> None:
    old = store(owner)
    PendingUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - uploads.RETENTION - dt.timedelta(minutes=1)
    )
    new = store(owner)
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [new.pk]
    assert files(var_dir) == [f"{new.pk.hex}.upload"]


# --- fingerprints ------------------------------------------------------------------------------


def test_a_fingerprint_is_the_hash_of_the_canonical_result() -> None:
    result = {"changes": [["goal", 1, "名称", "前", "後"]], "counts": {"added": 0, "changed": 1}}
    same = {"counts": {"changed": 1, "added": 0}, "changes": [["goal", 1, "名称", "前", "後"]]}
    other = {"changes": [["goal", 1, "名称", "前（直した）", "後"]], "counts": result["counts"]}
    assert uploads.fingerprint(result) == uploads.fingerprint(same)
    assert uploads.fingerprint(result) != uploads.fingerprint(other)
    assert uploads.fingerprint(dt.date(2025, 4, 1)) == uploads.fingerprint("2025-04-01")
    assert len(uploads.fingerprint(result)) == 64
    built = uploads.Fingerprinter()
    built.add(result)
    built.add([1, 2])
    assert built.hexdigest() == uploads.fingerprint(result, [1, 2])
    assert uploads.fingerprint([1], [2]) != uploads.fingerprint([1, 2])


def test_a_confirm_with_another_fingerprint_is_refused() -> None:
    actual = uploads.fingerprint({"changes": []})
    uploads.check_fingerprint(expected=actual, actual=actual)
    uploads.check_fingerprint(expected=None, actual=actual)  # nothing previewed: a direct call
    for expected in ("", "0" * 64, uploads.fingerprint({"changes": [1]})):
        with pytest.raises(uploads.PreviewOutdated) as refused:
            uploads.check_fingerprint(expected=expected, actual=actual)
        assert (refused.value.code, refused.value.message) == (
            "preview_outdated",
            "確認したあとで、データが変更されました。何も保存していません。"
            "もう一度確認して、新しい内容を確かめてから取り込んでください。",
        )
    with pytest.raises(uploads.PreviewOutdated) as refused:
        uploads.check_fingerprint(expected="x", actual=actual, message="計画が変わりました。")
    assert refused.value.message == "計画が変わりました。"
