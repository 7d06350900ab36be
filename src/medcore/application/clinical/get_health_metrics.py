"""GetHealthMetrics: a patient's measurements of one kind over time, with aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.clinical.access import patient_zone, reach_clinical_patient
from medcore.application.patients.access import HISTORY_HIDDEN_FROM_PATIENTS, deny, portal_policy
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.metrics import MetricBucket, MetricSeries, MetricsQuery, MetricWindow
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.measurements import MeasurementKind
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthMetricsCommand:
    patient_id: UUID
    kind: MeasurementKind
    start: datetime | None = None  # default: 30 days before `end`
    end: datetime | None = None  # default: now
    bucket: MetricBucket = MetricBucket.DAY


@dataclass(frozen=True, slots=True)
class HealthMetrics:
    query: MetricsQuery
    series: MetricSeries


class GetHealthMetrics:
    """Staff need ``health_metrics:read`` (or ``medical_history:read``); a patient reads
    their own, where the organization shows the medical history to patients. Measurements
    entered in error are left out; values are in the kind's canonical unit; periods are
    days (weeks, months) of the patient's time zone, UTC when the record has none. The
    aggregates are computed by the database over the whole window. Each read is audited."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, command: HealthMetricsCommand) -> Result[HealthMetrics, DomainError]:
        action = "health_metrics.read"
        async with self._uow() as uow:
            reached = await reach_clinical_patient(
                uow,
                actor,
                command.patient_id,
                (Permission.HEALTH_METRICS_READ, Permission.MEDICAL_HISTORY_READ),
                action=action,
                resource_type="health_metrics",
            )
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            access = reached.unwrap()
            if access.as_patient and not (await portal_policy(uow, actor)).history_visible:
                await deny(
                    uow,
                    actor,
                    action,
                    resource_type="patient",
                    resource_id=command.patient_id,
                    patient_id=command.patient_id,
                    reason="history_hidden",
                )
                return Failure(HISTORY_HIDDEN_FROM_PATIENTS)
            window = MetricWindow.parse(command.start, command.end, self._clock.now())
            if isinstance(window, Failure):
                return Failure(window.failure())
            query = MetricsQuery(
                kind=command.kind,
                window=window.unwrap(),
                bucket=command.bucket,
                zone=patient_zone(access.patient),
            )
            series = await uow.health_metrics.series(actor.organization_id, access.patient.id, query)
            await uow.audit.record(
                actor.audit(
                    action,
                    resource_type="patient",
                    resource_id=access.patient.id,
                    patient_id=access.patient.id,
                    details={
                        "measurement_kind": command.kind.value,
                        "bucket": command.bucket.value,
                        "count": series.summary.count if series.summary else 0,
                        **access.details(),
                    },
                )
            )
            await uow.commit()
            return Success(HealthMetrics(query, series))
