"""The blob-store copies of the signed audit checkpoints: one small JSON document per
checkpoint, at ``audit/checkpoints/<organization>/<sequence>.json``, naming the algorithm
and the public key that verifies it.

A document that cannot be read any more is returned as a checkpoint with no valid
signature, so that verification reports it instead of skipping it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from medcore.domain.audit.chain import canonical_instant
from medcore.domain.audit.checkpoint import Checkpoint
from medcore.domain.shared.blobs import BlobStore

FORMAT = "medcore.audit.checkpoint/1"
_PREFIX = "audit/checkpoints"


def checkpoint_key(organization_id: UUID, sequence: int) -> str:
    return f"{_PREFIX}/{organization_id}/{sequence:020d}.json"


def checkpoint_document(checkpoint: Checkpoint, public_key: str) -> bytes:
    document = {
        "format": FORMAT,
        "organization_id": str(checkpoint.organization_id),
        "sequence": checkpoint.sequence,
        "hash": checkpoint.hash,
        "created_at": canonical_instant(checkpoint.created_at),
        "algorithm": "Ed25519",
        "key_id": checkpoint.key_id,
        "public_key": public_key,
        "signature": checkpoint.signature,
    }
    return (json.dumps(document, indent=2) + "\n").encode()


def read_document(organization_id: UUID, sequence: int, data: bytes) -> Checkpoint:
    try:
        document: Any = json.loads(data)
        return Checkpoint(
            organization_id=UUID(document["organization_id"]),
            sequence=int(document["sequence"]),
            hash=str(document["hash"]),
            created_at=datetime.strptime(document["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC),
            key_id=str(document["key_id"]),
            signature=str(document["signature"]),
        )
    except (ValueError, KeyError, TypeError):
        return Checkpoint(
            organization_id=organization_id,
            sequence=sequence,
            hash="",
            created_at=datetime.fromtimestamp(0, UTC),
            key_id="unreadable",
            signature="",
        )


class BlobCheckpointArchive:
    """``public_key``: the base64 public key of the signer, named in each document (read
    when a checkpoint is stored: a process that only verifies needs none)."""

    def __init__(self, blobs: BlobStore, public_key: Callable[[], str]) -> None:
        self._blobs = blobs
        self._public_key = public_key

    async def put(self, checkpoint: Checkpoint) -> None:
        await self._blobs.put(
            checkpoint_key(checkpoint.organization_id, checkpoint.sequence),
            checkpoint_document(checkpoint, self._public_key()),
            "application/json",
        )

    async def list(self, organization_id: UUID) -> Sequence[Checkpoint]:
        found = []
        for key in await self._blobs.list(f"{_PREFIX}/{organization_id}/"):
            name = key.rsplit("/", 1)[-1]
            if not name.endswith(".json") or not name[:-5].isdigit():
                continue
            data = await self._blobs.get(key)
            if data is not None:
                found.append(read_document(organization_id, int(name[:-5]), data))
        return found
