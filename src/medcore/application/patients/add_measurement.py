"""AddMeasurement: record a body measurement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.access import deny
from medcore.application.patients.entries import issues_of, reach_for_recording, refuse
from medcore.application.patients.recording import record_new_entry
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.patients.history import EntryKind, EntryStatus, Measurement
from medcore.domain.patients.measurements import PATIENT_RECORDABLE, MeasurementKind, Quantity
from medcore.domain.shared.errors import DomainError, FieldIssue, forbidden
from medcore.domain.shared.ports import Clock, IdGenerator

# Devices' clocks drift: an instant a few minutes ahead of the server is still "now".
CLOCK_TOLERANCE = timedelta(minutes=5)

NOT_RECORDABLE_BY_PATIENTS = forbidden(
    "patient.measurement_not_recordable",
    "Patients record weight, height, blood pressure, heart rate, temperature, glucose and SpO2; "
    "the practice records the rest.",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddMeasurementCommand:
    patient_id: UUID
    kind: MeasurementKind
    value: float
    unit: str
    measured_at: datetime


class AddMeasurement:
    """Staff need ``medical_history:write``. A patient records on their own record the
    measurements taken at home (weight, height, blood pressure, heart rate, temperature,
    glucose, SpO2), marked ``recorded_by_patient``. Units depend on the kind (weight: kg, g,
    lb; height: cm, m, in; eGFR: mL/min/1.73m2 ...) and implausible values are refused.
    ``measured_at`` lies between the birth date and now."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: AddMeasurementCommand) -> Result[Measurement, DomainError]:
        async with self._uow() as uow:
            reached = await reach_for_recording(uow, actor, command.patient_id, EntryKind.MEASUREMENT)
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            access = reached.unwrap()
            patient = access.patient
            if access.as_patient and command.kind not in PATIENT_RECORDABLE:
                await deny(
                    uow,
                    actor,
                    "measurement.create",
                    resource_type="measurement",
                    resource_id=None,
                    patient_id=patient.id,
                    reason="not_recordable_by_patients",
                )
                return Failure(NOT_RECORDABLE_BY_PATIENTS)
            now = self._clock.now()
            quantity = Quantity.parse(command.kind, command.value, command.unit)
            issues = issues_of(quantity)
            measured_at = command.measured_at
            if measured_at.tzinfo is None:
                issues.append(FieldIssue("measured_at", "Give the instant with its offset (Z or +01:00)."))
            elif measured_at > now + CLOCK_TOLERANCE:
                issues.append(FieldIssue("measured_at", "A measurement cannot be in the future."))
            elif measured_at.date() < patient.birth_date - timedelta(days=1):  # -1: any time zone
                issues.append(FieldIssue("measured_at", "A measurement cannot be before the birth date."))
            if issues:
                return refuse(issues)
            measurement = Measurement(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                patient_id=patient.id,
                status=EntryStatus.RECORDED,
                quantity=quantity.unwrap(),
                measured_at=measured_at.astimezone(UTC),
                recorded_by_patient=access.as_patient,
                recorded_by_type=actor.actor_type,
                recorded_by=actor.id,
                created_at=now,
                updated_at=now,
            )
            await record_new_entry(
                uow,
                self._ids,
                actor,
                measurement,
                now,
                {"measurement_kind": command.kind.value, "recorded_by_patient": access.as_patient},
            )
            return Success(measurement)
