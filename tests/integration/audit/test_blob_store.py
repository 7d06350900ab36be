"""The local blob store: keys are safe paths, blobs are write-once, listings by prefix."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcore.adapters.blobs.local import LocalBlobStore
from medcore.domain.shared.blobs import BlobExists, valid_blob_key


async def test_blobs_are_written_once_read_back_and_listed(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")

    await store.put("audit/checkpoints/org/001.json", b"one")
    await store.put("audit/checkpoints/org/001.json", b"one")  # the same content again: fine
    await store.put("audit/checkpoints/org/002.json", b"two")
    await store.put("audit/checkpoints/other/001.json", b"x")
    with pytest.raises(BlobExists):
        await store.put("audit/checkpoints/org/001.json", b"changed")

    assert await store.get("audit/checkpoints/org/001.json") == b"one"
    assert await store.get("audit/checkpoints/org/003.json") is None
    assert await store.list("audit/checkpoints/org/") == [
        "audit/checkpoints/org/001.json",
        "audit/checkpoints/org/002.json",
    ]
    assert await store.list("nothing/here/") == []
    assert not list((tmp_path / "blobs").rglob(".tmp-*"))


@pytest.mark.parametrize("key", ["../escape", "/absolute", "a//b", "a/../b", "", "a/.hidden", "a\\b"])
async def test_unsafe_keys_are_refused(tmp_path: Path, key: str) -> None:
    assert not valid_blob_key(key)
    with pytest.raises(ValueError):
        await LocalBlobStore(tmp_path).put(key, b"x")
