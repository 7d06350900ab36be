"""A patient's data export: an archive in the blob store, tracked so that it can be
fetched again (by the patient or by staff) until it expires."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.shared.errors import DomainError, conflict

EXPORT_LIFETIME = timedelta(days=7)

EXPORT_EXPIRED = conflict(
    "gdpr_export.expired", "This export has expired and its archive was let go: request a new export."
)
EXPORT_NOT_READY = conflict("gdpr_export.not_ready", "This export has no archive to download.")


class ExportStatus(enum.StrEnum):
    READY = "ready"  # the archive is in the blob store
    FAILED = "failed"


@dataclass(slots=True, kw_only=True)
class GdprExport:
    id: UUID
    organization_id: UUID
    patient_id: UUID
    status: ExportStatus
    requested_by_type: str  # the audit actor type: user, api_key, system
    requested_by: UUID | None
    blob_key: str | None
    size_bytes: int | None
    sha256: str | None
    members: int
    created_at: datetime
    expires_at: datetime
    updated_at: datetime
    version: int = 1

    @classmethod
    def ready(
        cls,
        *,
        id: UUID,
        organization_id: UUID,
        patient_id: UUID,
        requested_by_type: str,
        requested_by: UUID | None,
        blob_key: str,
        size_bytes: int,
        sha256: str,
        members: int,
        now: datetime,
    ) -> GdprExport:
        return cls(
            id=id,
            organization_id=organization_id,
            patient_id=patient_id,
            status=ExportStatus.READY,
            requested_by_type=requested_by_type,
            requested_by=requested_by,
            blob_key=blob_key,
            size_bytes=size_bytes,
            sha256=sha256,
            members=members,
            created_at=now,
            expires_at=now + EXPORT_LIFETIME,
            updated_at=now,
        )

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def downloadable(self, now: datetime) -> Result[str, DomainError]:
        """The archive's blob key, while it may still be fetched."""
        if self.expired(now):
            return Failure(EXPORT_EXPIRED)
        if self.status is not ExportStatus.READY or self.blob_key is None:
            return Failure(EXPORT_NOT_READY)
        return Success(self.blob_key)


def export_blob_key(organization_id: UUID, export_id: UUID) -> str:
    """Opaque: ids only, never the patient's name."""
    return f"gdpr/exports/{organization_id}/{export_id}.zip"
