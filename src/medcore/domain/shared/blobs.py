"""The blob store port: named byte strings kept outside the database (audit checkpoints
now; medical files and reports later). A local directory by default, S3 in production."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

# Keys are paths of safe segments: "audit/checkpoints/<org>/00000000000000000042.json".
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


def valid_blob_key(key: str) -> bool:
    """A relative path of simple segments: no '..', no leading slash, no empty segment."""
    return len(key) <= 1024 and _KEY.match(key) is not None and ".." not in key


class BlobStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Store ``data`` under ``key``, replacing nothing: writing a key that exists with
        other content raises ``BlobExists`` (blobs are write-once)."""

    async def get(self, key: str) -> bytes | None:
        """The blob, or None when there is none."""

    async def list(self, prefix: str) -> Sequence[str]:
        """Keys starting with ``prefix``, sorted."""


class BlobExists(Exception):
    """A write-once key already holds other content."""
