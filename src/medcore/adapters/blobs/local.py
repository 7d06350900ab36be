"""The blob store on a local directory: one file per key, written atomically (a temporary
file renamed into place) and never overwritten with other content."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from medcore.domain.shared.blobs import BlobExists, valid_blob_key


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not valid_blob_key(key):
            raise ValueError(f"invalid blob key {key!r}")
        return self.root / key

    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        await asyncio.to_thread(self._put, self._path(key), data)

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        if path.exists():
            if path.read_bytes() == data:
                return  # the same content again: idempotent
            raise BlobExists(str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.link(temporary, path)  # fails if the key appeared meanwhile: never a silent overwrite
        except FileExistsError as exc:
            if path.read_bytes() != data:
                raise BlobExists(str(path)) from exc
        finally:
            Path(temporary).unlink()

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        return await asyncio.to_thread(lambda: path.read_bytes() if path.is_file() else None)

    async def list(self, prefix: str) -> Sequence[str]:
        return await asyncio.to_thread(self._list, prefix)

    def _list(self, prefix: str) -> Sequence[str]:
        directory = self.root / prefix.rpartition("/")[0]  # walk only below the prefix's folder
        if ".." in prefix or not directory.is_dir():
            return []
        keys = []
        for path in directory.rglob("*"):
            if path.is_file() and not path.name.startswith(".tmp-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)
