"""The file being imported: bytes in memory or a file on disk, read as a stream.

The parsers open it as often as they need (an open-data CSV is read twice: once to check
its encoding and count its rows, once to import them), so a large file on disk is never held
in memory whole.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

READ_SIZE = 1024 * 1024


@dataclass(frozen=True)
class ImportFile:
    data: bytes | None = None
    path: Path | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.path is None):
            raise ValueError("give exactly one of data and path")

    def open(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return self.path.open("rb")

    def head(self, size: int = 4096) -> bytes:
        with self.open() as stream:
            return stream.read(size)

    def size(self) -> int:
        """The file's size in bytes (without reading it)."""
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self.path.stat().st_size

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.open() as stream:
            while block := stream.read(READ_SIZE):
                digest.update(block)
        return digest.hexdigest()

    def read(self) -> bytes:
        """The whole file (HSDS JSON and ZIP are read whole)."""
        if self.data is not None:
            return self.data
        with self.open() as stream:
            return stream.read()
