"""Fakes of the GDPR ports: exports, the erasure log, the dossier reader, and the eraser of
personal data over a table of findings."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from medcore.domain.gdpr.erasure import PersonalData, PersonalDataFinding
from medcore.domain.gdpr.export import GdprExport
from medcore.domain.gdpr.ports import (
    AuditRedactionRefused,
    ErasureLog,
    ErasureSubject,
    GdprExportRepository,
    JsonRecord,
    JsonValue,
    PatientDossier,
    PersonalDataEraser,
)
from medcore.domain.patients.patient import Patient


class FakeGdprExports:
    def __init__(self, table: dict[UUID, GdprExport]) -> None:
        self._table = table

    async def add(self, export: GdprExport) -> None:
        self._table[export.id] = copy.deepcopy(export)

    async def get(self, organization_id: UUID, patient_id: UUID, export_id: UUID) -> GdprExport | None:
        found = self._table.get(export_id)
        if found is None or found.organization_id != organization_id or found.patient_id != patient_id:
            return None
        return copy.deepcopy(found)


class FakeErasureLog:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._rows = rows

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
    ) -> None:
        self._rows.append({"id": id, "patient_id": patient_id, "summary": dict(summary)})


class FakePatientDossier:
    def __init__(self, patients: dict[UUID, Patient]) -> None:
        self._patients = patients

    async def collect(self, organization_id: UUID, patient_id: UUID) -> Mapping[str, Sequence[JsonRecord]]:
        patient = self._patients.get(patient_id)
        rows: list[JsonRecord] = []
        if patient is not None and patient.organization_id == organization_id:
            rows.append(
                {
                    "id": str(patient.id),
                    "mrn": patient.mrn,
                    "given_name": patient.given_name,
                    "family_name": patient.family_name,
                    "birth_date": patient.birth_date.isoformat(),
                    "sex": patient.sex.value,
                    "email": patient.email,
                    "user_id": str(patient.user_id) if patient.user_id else None,
                }
            )
        return {"patient": rows, "consultations": [], "prescriptions": []}


@dataclass
class PersonalDataTable:
    """Per patient, what the eraser finds; ``erased`` logs what it was asked to remove."""

    findings: dict[UUID, list[PersonalDataFinding]] = field(default_factory=dict)
    erased: list[tuple[UUID, PersonalData]] = field(default_factory=list)
    redaction_refused: bool = False


class FakePersonalData:
    def __init__(self, patients: dict[UUID, Patient], table: PersonalDataTable) -> None:
        self._patients = patients
        self._table = table

    async def subject(self, organization_id: UUID, patient_id: UUID, *, lock: bool = False) -> ErasureSubject | None:
        patient = self._patients.get(patient_id)
        if patient is None or patient.organization_id != organization_id:
            return None
        return ErasureSubject(patient.id, patient.user_id, patient.deleted)

    async def find(self, organization_id: UUID, patient_id: UUID, now: datetime) -> Sequence[PersonalDataFinding]:
        return list(self._table.findings.get(patient_id, []))

    async def audit_events_about(self, organization_id: UUID, patient_id: UUID) -> int:
        return 3

    async def erase(self, organization_id: UUID, patient_id: UUID, finding: PersonalDataFinding, now: datetime) -> int:
        if finding.category is PersonalData.AUDIT_ADDRESSES and self._table.redaction_refused:
            raise AuditRedactionRefused(str(organization_id))
        self._table.erased.append((patient_id, finding.category))
        remaining = [f for f in self._table.findings.get(patient_id, []) if f.category is not finding.category]
        self._table.findings[patient_id] = remaining
        return len(finding.record_ids)


_exports: type[GdprExportRepository] = FakeGdprExports
_log: type[ErasureLog] = FakeErasureLog
_dossier: type[PatientDossier] = FakePatientDossier
_eraser: type[PersonalDataEraser] = FakePersonalData
