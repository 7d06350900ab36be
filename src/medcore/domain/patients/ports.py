"""Ports of the patients context: the records and their versioned medical history."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol
from uuid import UUID

from returns.result import Result

from medcore.domain.patients.history import AnyEntry, EntryKind, Measurement, MedicalHistory
from medcore.domain.patients.measurements import MeasurementKind
from medcore.domain.patients.patient import Patient
from medcore.domain.patients.versions import PatientVersion, VersionedResource
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class PatientRepository(Protocol):
    """Patient records of one organization. Soft-deleted records are never returned."""

    async def add(self, patient: Patient) -> None:
        """Raises ``DomainRefusal`` (409) when the MRN or the linked account is taken meanwhile."""

    async def get(self, organization_id: UUID, patient_id: UUID, *, lock: bool = False) -> Patient | None:
        """``lock`` holds the record until the transaction ends: changes to the record and to
        its history take it, so that versions are numbered in the order they happen."""

    async def by_user(self, organization_id: UUID, user_id: UUID) -> Patient | None:
        """The record linked to a ``patient`` account (there is at most one)."""

    async def next_mrn(self, organization_id: UUID) -> str:
        """The next generated medical record number of the organization (``MRN-000124``)."""

    async def mrn_taken(self, organization_id: UUID, mrn: str) -> bool:
        """Whether any record of the organization, deleted ones included, has this MRN."""

    async def save(self, patient: Patient) -> bool:
        """Persist changes if nobody changed the record meanwhile; False on a version clash."""

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Patient], DomainError]:
        """Filters: ``sex``, ``birth_date_from``, ``birth_date_to``, ``has_user``, ``user_id``,
        ``mrn``; ``search`` finds names, MRN, email and phone by prefix and tolerates typos.
        Fails only on a cursor that does not belong to this query."""


class MedicalHistoryRepository(Protocol):
    """Entries of patients' medical history and the versions of every change to a record."""

    async def add(self, entry: AnyEntry) -> None: ...

    async def get(
        self, organization_id: UUID, patient_id: UUID, kind: EntryKind, entry_id: UUID, *, lock: bool = False
    ) -> AnyEntry | None: ...

    async def save(self, entry: AnyEntry) -> bool:
        """Persist a status change if nobody changed the entry meanwhile; False otherwise."""

    async def list(
        self, organization_id: UUID, patient_id: UUID, kind: EntryKind, query: ListQuery
    ) -> Result[Page[AnyEntry], DomainError]:
        """Entries of one kind. Filters: ``status``; for measurements also ``kind``."""

    async def history(self, organization_id: UUID, patient_id: UUID) -> MedicalHistory:
        """Every entry of the patient, to ask what is active (allergies, medications...)."""

    async def latest_measurement(
        self, organization_id: UUID, patient_id: UUID, kind: MeasurementKind
    ) -> Measurement | None:
        """The most recent measurement of ``kind`` that was not entered in error."""

    async def record_version(self, version: PatientVersion) -> PatientVersion:
        """Append a version; answers it with its sequence number. Callers hold the patient's
        lock (``PatientRepository.get(..., lock=True)``)."""

    async def versions(
        self,
        organization_id: UUID,
        patient_id: UUID,
        query: ListQuery,
        *,
        resource_types: Collection[VersionedResource] | None = None,
    ) -> Result[Page[PatientVersion], DomainError]:
        """Versions in order (``sort=-sequence`` for newest first), restricted to
        ``resource_types`` when given. Filters: ``resource_type``, ``resource_id``."""
