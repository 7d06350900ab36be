"""Archived records in the blob store: ``retention/archive/<organization>/<class>/<id>.json``,
written once before the record is deleted."""

from __future__ import annotations

from uuid import UUID

from medcore.domain.compliance.retention import RecordClass
from medcore.domain.shared.blobs import BlobStore


class BlobRetentionArchive:
    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs

    async def put(self, organization_id: UUID, record_class: RecordClass, record_id: UUID, document: bytes) -> str:
        key = f"retention/archive/{organization_id}/{record_class.value}/{record_id}.json"
        await self._blobs.put(key, document, "application/json")
        return key
