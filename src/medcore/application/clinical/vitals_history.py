"""A signed consultation's vitals enter the patient's medical history as measurements, so
that health metrics and prescribing (the latest weight, renal function...) see them."""

from __future__ import annotations

from datetime import datetime

from medcore.application.patients.recording import record_version
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.clinical.consultation import Consultation
from medcore.domain.patients.history import EntryStatus, Measurement
from medcore.domain.patients.versions import VersionAction, VersionedResource
from medcore.domain.shared.ports import IdGenerator


async def record_vitals(
    uow: UnitOfWork, ids: IdGenerator, actor: Actor, consultation: Consultation, now: datetime
) -> tuple[Measurement, ...]:
    """One measurement per vital taken, each with its first version and its audit event.
    The caller holds the patient's lock and commits."""
    vitals = consultation.vitals
    if vitals is None:
        return ()
    recorded: list[Measurement] = []
    for quantity in vitals.quantities():
        measurement = Measurement(
            id=ids.new_id(),
            organization_id=consultation.organization_id,
            patient_id=consultation.patient_id,
            status=EntryStatus.RECORDED,
            quantity=quantity,
            measured_at=vitals.measured_at,
            recorded_by_patient=False,
            recorded_by_type=actor.actor_type,
            recorded_by=actor.id,
            created_at=now,
            updated_at=now,
        )
        await uow.medical_history.add(measurement)
        await record_version(
            uow,
            ids,
            actor,
            patient_id=measurement.patient_id,
            resource_type=VersionedResource.MEASUREMENT,
            resource_id=measurement.id,
            action=VersionAction.CREATE,
            changed_fields=measurement.recorded_fields(),
            snapshot=measurement.snapshot(),
            now=now,
        )
        await uow.audit.record(
            actor.audit(
                "measurement.create",
                resource_type="measurement",
                resource_id=measurement.id,
                patient_id=measurement.patient_id,
                details={
                    "measurement_kind": quantity.kind.value,
                    "recorded_by_patient": False,
                    "consultation_id": str(consultation.id),
                },
            )
        )
        recorded.append(measurement)
    return tuple(recorded)
