"""Postgres repository of the medical history: one table per kind of entry (each with the
columns its kind needs, so that "active allergies" or "the latest weight" are plain indexed
queries) and the append-only table of versions."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from typing import Any
from uuid import UUID

from returns.result import Result
from sqlalchemy import ColumnElement, RowMapping, Table, func, select

from medcore.adapters.postgres.base import Repository, refuse_on
from medcore.adapters.postgres.listing import keyset_page
from medcore.adapters.postgres.patient_tables import (
    patient_allergies,
    patient_conditions,
    patient_measurements,
    patient_medications,
    patient_versions,
)
from medcore.domain.audit.entry import ActorType
from medcore.domain.patients.codes import AtcCode, Icd10Code
from medcore.domain.patients.history import (
    Allergy,
    AllergySeverity,
    AnyEntry,
    Condition,
    EntryKind,
    EntryStatus,
    Measurement,
    MedicalHistory,
    Medication,
)
from medcore.domain.patients.measurements import MeasurementKind, Quantity
from medcore.domain.patients.versions import PatientVersion, VersionAction, VersionedResource
from medcore.domain.shared.errors import DomainError, conflict
from medcore.domain.shared.listing import ListQuery, Page, SortKey

# Versions are numbered under the patient's row lock; this only catches a caller without it.
refuse_on(
    "uq_patient_versions_organization_id_patient_id_sequence",
    conflict("patient.concurrent_change", "The record changed at the same moment; try again."),
)

TABLES: dict[EntryKind, Table] = {
    EntryKind.ALLERGY: patient_allergies,
    EntryKind.CONDITION: patient_conditions,
    EntryKind.MEDICATION: patient_medications,
    EntryKind.MEASUREMENT: patient_measurements,
}


def _common(row: RowMapping) -> dict[str, Any]:
    return {
        "id": row["id"],
        "organization_id": row["organization_id"],
        "patient_id": row["patient_id"],
        "status": EntryStatus(row["status"]),
        "recorded_by_type": ActorType(row["recorded_by_type"]),
        "recorded_by": row["recorded_by"],
        "ended_at": row["ended_at"],
        "ended_by": row["ended_by"],
        "end_reason": row["end_reason"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "version": row["version"],
    }


def _allergy(row: RowMapping) -> Allergy:
    return Allergy(
        **_common(row),
        substance=row["substance"],
        code=AtcCode(row["code"]) if row["code"] else None,
        reaction=row["reaction"],
        severity=AllergySeverity(row["severity"]),
    )


def _condition(row: RowMapping) -> Condition:
    return Condition(**_common(row), code=Icd10Code(row["code"]), text=row["text"], onset=row["onset"])


def _medication(row: RowMapping) -> Medication:
    return Medication(
        **_common(row),
        code=AtcCode(row["code"]) if row["code"] else None,
        name=row["name"],
        dose=row["dose"],
        since=row["since"],
    )


def _measurement(row: RowMapping) -> Measurement:
    return Measurement(
        **_common(row),
        quantity=Quantity(MeasurementKind(row["kind"]), row["value"], row["unit"]),
        measured_at=row["measured_at"],
        recorded_by_patient=row["recorded_by_patient"],
    )


READERS: dict[EntryKind, Callable[[RowMapping], AnyEntry]] = {
    EntryKind.ALLERGY: _allergy,
    EntryKind.CONDITION: _condition,
    EntryKind.MEDICATION: _medication,
    EntryKind.MEASUREMENT: _measurement,
}


def _changeable_values(entry: AnyEntry) -> dict[str, Any]:
    return {
        "status": entry.status.value,
        "ended_at": entry.ended_at,
        "ended_by": entry.ended_by,
        "end_reason": entry.end_reason,
        "updated_at": entry.updated_at,
    }


def _recorded_values(entry: AnyEntry) -> dict[str, Any]:
    if isinstance(entry, Allergy):
        return {
            "substance": entry.substance,
            "code": entry.code.value if entry.code else None,
            "reaction": entry.reaction,
            "severity": entry.severity.value,
        }
    if isinstance(entry, Condition):
        return {"code": entry.code.value, "text": entry.text, "onset": entry.onset}
    if isinstance(entry, Medication):
        return {
            "code": entry.code.value if entry.code else None,
            "name": entry.name,
            "dose": entry.dose,
            "since": entry.since,
        }
    return {
        "kind": entry.kind.value,
        "value": entry.value,
        "unit": entry.unit,
        "measured_at": entry.measured_at,
        "recorded_by_patient": entry.recorded_by_patient,
    }


def _version(row: RowMapping) -> PatientVersion:
    return PatientVersion(
        id=row["id"],
        organization_id=row["organization_id"],
        patient_id=row["patient_id"],
        sequence=row["sequence"],
        resource_type=VersionedResource(row["resource_type"]),
        resource_id=row["resource_id"],
        action=VersionAction(row["action"]),
        changed_fields=tuple(row["changed_fields"]),
        snapshot=row["snapshot"],
        actor_type=ActorType(row["actor_type"]),
        actor_id=row["actor_id"],
        recorded_at=row["recorded_at"],
    )


class PgMedicalHistory(Repository):
    async def add(self, entry: AnyEntry) -> None:
        await self._execute(
            TABLES[entry.entry_kind]
            .insert()
            .values(
                id=entry.id,
                organization_id=entry.organization_id,
                patient_id=entry.patient_id,
                recorded_by_type=entry.recorded_by_type.value,
                recorded_by=entry.recorded_by,
                created_at=entry.created_at,
                version=entry.version,
                **_recorded_values(entry),
                **_changeable_values(entry),
            )
        )

    async def get(
        self, organization_id: UUID, patient_id: UUID, kind: EntryKind, entry_id: UUID, *, lock: bool = False
    ) -> AnyEntry | None:
        table = TABLES[kind]
        statement = select(table).where(
            table.c.organization_id == organization_id, table.c.patient_id == patient_id, table.c.id == entry_id
        )
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return READERS[kind](row) if row else None

    async def save(self, entry: AnyEntry) -> bool:
        saved = await self._update_versioned(
            TABLES[entry.entry_kind], entry.id, entry.organization_id, entry.version, _changeable_values(entry)
        )
        if saved:
            entry.version += 1
        return saved

    async def list(
        self, organization_id: UUID, patient_id: UUID, kind: EntryKind, query: ListQuery
    ) -> Result[Page[AnyEntry], DomainError]:
        table = TABLES[kind]
        base = select(table).where(table.c.organization_id == organization_id, table.c.patient_id == patient_id)
        if "status" in query.filters:
            base = base.where(table.c.status == query.filters["status"])
        sortable: dict[str, ColumnElement[Any]] = {"created_at": table.c.created_at}
        default = SortKey("created_at")
        if kind is EntryKind.MEASUREMENT:
            if "kind" in query.filters:
                base = base.where(table.c.kind == query.filters["kind"])
            sortable["measured_at"] = table.c.measured_at
            default = SortKey("measured_at", descending=True)
        return await keyset_page(
            self._connection, base, query, sortable, table.c.id, READERS[kind], default_sort=default
        )

    async def history(self, organization_id: UUID, patient_id: UUID) -> MedicalHistory:
        entries: list[AnyEntry] = []
        for kind, table in TABLES.items():
            statement = (
                select(table)
                .where(table.c.organization_id == organization_id, table.c.patient_id == patient_id)
                .order_by(table.c.created_at, table.c.id)
            )
            entries.extend(READERS[kind](row) for row in (await self._execute(statement)).mappings())
        return MedicalHistory.of(entries)

    async def latest_measurement(
        self, organization_id: UUID, patient_id: UUID, kind: MeasurementKind
    ) -> Measurement | None:
        table = patient_measurements
        statement = (
            select(table)
            .where(
                table.c.organization_id == organization_id,
                table.c.patient_id == patient_id,
                table.c.kind == kind.value,
                table.c.status != EntryStatus.ENTERED_IN_ERROR.value,
            )
            .order_by(table.c.measured_at.desc(), table.c.created_at.desc())
            .limit(1)
        )
        row = (await self._execute(statement)).mappings().first()
        return _measurement(row) if row else None

    async def record_version(self, version: PatientVersion) -> PatientVersion:
        table = patient_versions
        next_sequence = (
            select(func.coalesce(func.max(table.c.sequence), 0) + 1)
            .where(table.c.organization_id == version.organization_id, table.c.patient_id == version.patient_id)
            .scalar_subquery()
        )
        statement = (
            table.insert()
            .values(
                id=version.id,
                organization_id=version.organization_id,
                patient_id=version.patient_id,
                sequence=next_sequence,
                resource_type=version.resource_type.value,
                resource_id=version.resource_id,
                action=version.action.value,
                changed_fields=list(version.changed_fields),
                snapshot=dict(version.snapshot),
                actor_type=version.actor_type.value,
                actor_id=version.actor_id,
                recorded_at=version.recorded_at,
                created_at=version.recorded_at,
            )
            .returning(table.c.sequence)
        )
        sequence = (await self._execute(statement)).scalar_one()
        return dataclasses.replace(version, sequence=int(sequence))

    async def versions(
        self,
        organization_id: UUID,
        patient_id: UUID,
        query: ListQuery,
        *,
        resource_types: Collection[VersionedResource] | None = None,
    ) -> Result[Page[PatientVersion], DomainError]:
        table = patient_versions
        base = select(table).where(table.c.organization_id == organization_id, table.c.patient_id == patient_id)
        if resource_types is not None:
            base = base.where(table.c.resource_type.in_([t.value for t in resource_types]))
        if "resource_type" in query.filters:
            base = base.where(table.c.resource_type == query.filters["resource_type"])
        if "resource_id" in query.filters:
            base = base.where(table.c.resource_id == query.filters["resource_id"])
        return await keyset_page(
            self._connection,
            base,
            query,
            {"sequence": table.c.sequence},
            table.c.id,
            _version,
            default_sort=SortKey("sequence"),
        )
