"""Every change to a patient record leaves a version (who, when, which fields, the state
after) and an audit event; both are written in the transaction of the change."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.patients.history import AnyEntry
from medcore.domain.patients.versions import PatientVersion, VersionAction, VersionedResource
from medcore.domain.shared.ports import IdGenerator


async def record_version(
    uow: UnitOfWork,
    ids: IdGenerator,
    actor: Actor,
    *,
    patient_id: UUID,
    resource_type: VersionedResource,
    resource_id: UUID,
    action: VersionAction,
    changed_fields: tuple[str, ...],
    snapshot: Mapping[str, Any],
    now: datetime,
) -> PatientVersion:
    return await uow.medical_history.record_version(
        PatientVersion(
            id=ids.new_id(),
            organization_id=actor.organization_id,
            patient_id=patient_id,
            resource_type=resource_type,
            resource_id=resource_id,
            action=action,
            changed_fields=changed_fields,
            snapshot=dict(snapshot),
            actor_type=actor.actor_type,
            actor_id=actor.id,
            recorded_at=now,
        )
    )


async def record_new_entry(
    uow: UnitOfWork,
    ids: IdGenerator,
    actor: Actor,
    entry: AnyEntry,
    now: datetime,
    details: dict[str, str | int | bool | None] | None = None,
) -> None:
    """Store a new entry with its first version and its ``<kind>.create`` event, and commit.
    The caller holds the patient's lock."""
    kind = entry.entry_kind.value
    await uow.medical_history.add(entry)
    await record_version(
        uow,
        ids,
        actor,
        patient_id=entry.patient_id,
        resource_type=VersionedResource(kind),
        resource_id=entry.id,
        action=VersionAction.CREATE,
        changed_fields=entry.recorded_fields(),
        snapshot=entry.snapshot(),
        now=now,
    )
    await uow.audit.record(
        actor.audit(
            f"{kind}.create",
            resource_type=kind,
            resource_id=entry.id,
            patient_id=entry.patient_id,
            details=details,
        )
    )
    await uow.commit()
