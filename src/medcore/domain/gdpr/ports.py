"""Ports of the GDPR context: the exports' registry, the reader that gathers everything
stored about one patient, and the eraser of the personal data no retention rule keeps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeAlias
from uuid import UUID

from medcore.domain.gdpr.erasure import PersonalDataFinding
from medcore.domain.gdpr.export import GdprExport

JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None
JsonRecord: TypeAlias = dict[str, JsonValue]


class GdprExportRepository(Protocol):
    async def add(self, export: GdprExport) -> None: ...

    async def get(self, organization_id: UUID, patient_id: UUID, export_id: UUID) -> GdprExport | None:
        """The export of this patient, or None (another patient's export answers None)."""


class PatientDossier(Protocol):
    """Everything the database holds about one patient, as JSON-ready records."""

    async def collect(self, organization_id: UUID, patient_id: UUID) -> Mapping[str, Sequence[JsonRecord]]:
        """Record type (``patient``, ``appointments``, ``consultations``...) -> its records,
        each with every stored field but secrets (password and token hashes, TOTP seeds),
        in a stable order. The patient's deleted record included; an unknown patient gives
        empty record types."""


@dataclass(frozen=True, slots=True)
class ErasureSubject:
    patient_id: UUID
    user_id: UUID | None  # the patient's portal account
    deleted: bool


class PersonalDataEraser(Protocol):
    """Finds and removes the personal data that serves only to reach or serve the patient
    (``PersonalData``). Bound to the unit of work; changes nothing until ``erase``."""

    async def subject(self, organization_id: UUID, patient_id: UUID, *, lock: bool = False) -> ErasureSubject | None:
        """The patient record, deleted or not (an erasure often follows a deletion); None
        when the organization has no such record."""

    async def find(self, organization_id: UUID, patient_id: UUID, now: datetime) -> Sequence[PersonalDataFinding]:
        """One finding per category (empty ones included), in ``PersonalData`` order."""

    async def audit_events_about(self, organization_id: UUID, patient_id: UUID) -> int:
        """How many audit events name the patient (kept: the trail must stay whole)."""

    async def erase(self, organization_id: UUID, patient_id: UUID, finding: PersonalDataFinding, now: datetime) -> int:
        """Remove what the finding names; the number of rows changed. ``AUDIT_ADDRESSES``
        may raise ``AuditRedactionRefused`` where the database role may not redact."""


class AuditRedactionRefused(Exception):
    """The database refused to erase raw addresses from the audit trail (the application's
    role holds no UPDATE on it): run the erasure from the CLI with the owner's URL."""


class ErasureLog(Protocol):
    """The erasures done: who asked, when, and the summary answered (counts and legal
    bases; never erased values)."""

    async def add(
        self,
        *,
        id: UUID,
        organization_id: UUID,
        patient_id: UUID,
        requested_by_type: str,
        requested_by: UUID | None,
        summary: Mapping[str, JsonValue],
        created_at: datetime,
    ) -> None: ...


class AnonymisedCopy(Protocol):
    """Copies one organization's data into another database with identities replaced."""

    async def copy(self, organization_id: UUID, target_url: str) -> Mapping[str, int]:
        """Rows copied per table. Raises ``ValueError`` when the target already holds the
        organization."""
