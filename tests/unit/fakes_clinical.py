"""In-memory repositories of the clinical context (wired into ``FakeUnitOfWork``), and the
one appointment read the clinical use cases make."""

from __future__ import annotations

import copy
import dataclasses
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.clinical.consultation import Addendum, Consultation
from medcore.domain.clinical.health_reminder import HealthReminder, HealthReminderDelivery, HealthReminderStatus
from medcore.domain.clinical.metrics import MetricAggregate, MetricBucket, MetricPoint, MetricSeries, MetricsQuery
from medcore.domain.clinical.ports import (
    ConsultationRepository,
    ConsultationTemplateRepository,
    HealthMetricsReader,
    HealthReminderRepository,
    PrescriptionLinks,
)
from medcore.domain.clinical.template import TEMPLATE_NAME_TAKEN, ConsultationTemplate, name_key
from medcore.domain.patients.history import AnyEntry, Measurement
from medcore.domain.prescribing.prescription import Prescription
from medcore.domain.scheduling.appointment import Appointment
from medcore.domain.shared.errors import DomainError, DomainRefusal, conflict, field_invalid
from medcore.domain.shared.listing import ListQuery, Page


def _page(items: Sequence[Any], query: ListQuery, sorts: dict[str, Callable[[Any], Any]], default: str) -> Any:
    """Sort by the query's keys (then id), cut one page; the cursor is an offset."""
    ordered = sorted(items, key=lambda i: i.id)
    keys = [(k.field, k.descending) for k in query.sort] or [(default.lstrip("-"), default.startswith("-"))]
    for name, descending in reversed(keys):
        ordered.sort(key=sorts[name], reverse=descending)
    start = 0
    if query.cursor is not None:
        if not query.cursor.isdigit():
            return Failure(field_invalid("cursor", "bad cursor", code="pagination.invalid_cursor"))
        start = int(query.cursor)
    chunk = [copy.deepcopy(i) for i in ordered[start : start + query.limit]]
    more = start + query.limit < len(ordered)
    return Success(
        Page(items=chunk, limit=query.limit, next_cursor=str(start + query.limit) if more else None, total=len(ordered))
    )


class FakeConsultations(ConsultationRepository):
    def __init__(self, table: dict[UUID, Consultation]) -> None:
        self._table = table

    async def add(self, consultation: Consultation) -> None:
        if consultation.appointment_id is not None and any(
            c.organization_id == consultation.organization_id and c.appointment_id == consultation.appointment_id
            for c in self._table.values()
        ):
            raise DomainRefusal(conflict("consultation.appointment_taken", "taken"))
        self._table[consultation.id] = copy.deepcopy(consultation)

    async def get(self, organization_id: UUID, consultation_id: UUID, *, lock: bool = False) -> Consultation | None:
        found = self._table.get(consultation_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def by_appointment(self, organization_id: UUID, appointment_id: UUID) -> Consultation | None:
        return next(
            (
                copy.deepcopy(c)
                for c in self._table.values()
                if c.organization_id == organization_id and c.appointment_id == appointment_id
            ),
            None,
        )

    async def save(self, consultation: Consultation) -> bool:
        current = self._table.get(consultation.id)
        if current is None or current.version != consultation.version:
            return False
        if current.signed and current.content() != consultation.content():
            raise AssertionError("a signed consultation was changed (the database would refuse it)")
        consultation.version += 1
        self._table[consultation.id] = copy.deepcopy(consultation)
        return True

    async def add_addendum(self, organization_id: UUID, addendum: Addendum) -> None:
        current = self._table[addendum.consultation_id]
        current.addenda = (*current.addenda, addendum)
        current.version += 1

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Consultation], DomainError]:
        f = query.filters

        def kept(c: Consultation) -> bool:
            return (
                c.organization_id == organization_id
                and all(
                    str(getattr(getattr(c, name), "value", getattr(c, name))) == str(f[name])
                    for name in ("patient_id", "practitioner_id", "appointment_id", "status")
                    if name in f
                )
                and ("from" not in f or c.started_at >= f["from"])  # type: ignore[operator]
                and ("to" not in f or c.started_at < f["to"])  # type: ignore[operator]
            )

        sorts: dict[str, Callable[[Any], Any]] = {
            "started_at": lambda c: c.started_at,
            "created_at": lambda c: c.created_at,
        }
        result: Result[Page[Consultation], DomainError] = _page(
            [c for c in self._table.values() if kept(c)], query, sorts, "-started_at"
        )
        return result


class FakeConsultationTemplates(ConsultationTemplateRepository):
    def __init__(self, table: dict[UUID, ConsultationTemplate]) -> None:
        self._table = table

    def _check_unique(self, template: ConsultationTemplate) -> None:
        if any(
            t.id != template.id and t.organization_id == template.organization_id and t.name_key == template.name_key
            for t in self._table.values()
        ):
            raise DomainRefusal(TEMPLATE_NAME_TAKEN)

    async def add(self, template: ConsultationTemplate) -> None:
        self._check_unique(template)
        self._table[template.id] = copy.deepcopy(template)

    async def get(self, organization_id: UUID, template_id: UUID, *, lock: bool = False) -> ConsultationTemplate | None:
        found = self._table.get(template_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def save(self, template: ConsultationTemplate) -> bool:
        current = self._table.get(template.id)
        if current is None or current.version != template.version:
            return False
        self._check_unique(template)
        template.version += 1
        self._table[template.id] = copy.deepcopy(template)
        return True

    async def by_name(self, organization_id: UUID, name: str) -> ConsultationTemplate | None:
        return next(
            (
                copy.deepcopy(t)
                for t in self._table.values()
                if t.organization_id == organization_id and t.name_key == name_key(name)
            ),
            None,
        )

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[ConsultationTemplate], DomainError]:
        kept = [
            t
            for t in self._table.values()
            if t.organization_id == organization_id
            and ("active" not in query.filters or t.active == query.filters["active"])
        ]
        sorts: dict[str, Callable[[Any], Any]] = {"name": lambda t: t.name_key, "created_at": lambda t: t.created_at}
        result: Result[Page[ConsultationTemplate], DomainError] = _page(kept, query, sorts, "name")
        return result


class FakeHealthReminders(HealthReminderRepository):
    def __init__(
        self, table: dict[UUID, HealthReminder], deliveries: dict[tuple[UUID, datetime], HealthReminderDelivery]
    ) -> None:
        self._table = table
        self._deliveries = deliveries

    async def add(self, reminder: HealthReminder) -> None:
        self._table[reminder.id] = copy.deepcopy(reminder)

    async def get(
        self, organization_id: UUID, patient_id: UUID, reminder_id: UUID, *, lock: bool = False
    ) -> HealthReminder | None:
        found = self._table.get(reminder_id)
        if found is None or found.organization_id != organization_id or found.patient_id != patient_id:
            return None
        return copy.deepcopy(found)

    async def save(self, reminder: HealthReminder) -> bool:
        current = self._table.get(reminder.id)
        if current is None or current.version != reminder.version:
            return False
        reminder.version += 1
        self._table[reminder.id] = copy.deepcopy(reminder)
        return True

    async def list(
        self, organization_id: UUID, patient_id: UUID, query: ListQuery
    ) -> Result[Page[HealthReminder], DomainError]:
        kept = [
            r
            for r in self._table.values()
            if r.organization_id == organization_id
            and r.patient_id == patient_id
            and ("status" not in query.filters or r.status.value == query.filters["status"])
        ]
        result: Result[Page[HealthReminder], DomainError] = _page(
            kept, query, {"created_at": lambda r: r.created_at}, "-created_at"
        )
        return result

    async def claim_due(self, now: datetime, limit: int) -> Sequence[HealthReminder]:
        due = sorted(
            (
                r
                for r in self._table.values()
                if r.status is HealthReminderStatus.ACTIVE and r.next_due_at is not None and r.next_due_at <= now
            ),
            key=lambda r: (r.next_due_at, r.id),
        )
        return [copy.deepcopy(r) for r in due[:limit]]

    async def count_due(self, now: datetime) -> int:
        return len(await self.claim_due(now, 1_000_000))

    async def record_delivery(self, delivery: HealthReminderDelivery) -> bool:
        key = (delivery.reminder_id, delivery.occurrence_at)
        if key in self._deliveries:
            return False
        self._deliveries[key] = delivery
        return True

    async def deliveries(self, organization_id: UUID, reminder_id: UUID) -> Sequence[HealthReminderDelivery]:
        return sorted(
            (
                d
                for d in self._deliveries.values()
                if d.organization_id == organization_id and d.reminder_id == reminder_id
            ),
            key=lambda d: d.occurrence_at,
        )


def _period_start(day: date, bucket: MetricBucket) -> date:
    if bucket is MetricBucket.WEEK:
        return day - timedelta(days=day.weekday())
    if bucket is MetricBucket.MONTH:
        return day.replace(day=1)
    return day


def _aggregate(values: list[float], start: date | None = None) -> MetricAggregate:
    return MetricAggregate(
        count=len(values), minimum=min(values), maximum=max(values), mean=sum(values) / len(values), start=start
    )


class FakeHealthMetrics(HealthMetricsReader):
    """The same answer as the SQL one, computed in Python from the measurement entries."""

    def __init__(self, entries: dict[UUID, AnyEntry]) -> None:
        self._entries = entries

    async def series(self, organization_id: UUID, patient_id: UUID, query: MetricsQuery) -> MetricSeries:
        standing = sorted(
            (
                e
                for e in self._entries.values()
                if isinstance(e, Measurement)
                and e.organization_id == organization_id
                and e.patient_id == patient_id
                and e.kind is query.kind
                and e.in_force
                and query.window.start <= e.measured_at < query.window.end
            ),
            key=lambda m: (m.measured_at, m.id),
        )
        points = [
            MetricPoint(
                measurement_id=m.id,
                measured_at=m.measured_at,
                value=m.quantity.canonical_value,
                recorded_by_patient=m.recorded_by_patient,
            )
            for m in standing
        ]
        periods: dict[date, list[float]] = defaultdict(list)
        for point in points:
            local_day = point.measured_at.astimezone(query.zone.zone).date()
            periods[_period_start(local_day, query.bucket)].append(point.value)
        return MetricSeries(
            points=tuple(points[-query.max_points :]),
            truncated=len(points) > query.max_points,
            buckets=tuple(_aggregate(values, start) for start, values in sorted(periods.items())),
            summary=_aggregate([p.value for p in points]) if points else None,
        )


class FakePrescriptionLinks(PrescriptionLinks):
    def __init__(self, prescriptions: dict[UUID, Prescription]) -> None:
        self._prescriptions = prescriptions

    async def of_patient(
        self, organization_id: UUID, patient_id: UUID, prescription_ids: Collection[UUID]
    ) -> frozenset[UUID]:
        return frozenset(
            p.id
            for p in self._prescriptions.values()
            if p.id in prescription_ids and p.organization_id == organization_id and p.patient_id == patient_id
        )


class FakeAppointments:
    """The appointment read the clinical use cases make (not the scheduling repository)."""

    def __init__(self, table: dict[UUID, Appointment]) -> None:
        self._table = table

    async def get(self, organization_id: UUID, appointment_id: UUID, *, lock: bool = False) -> Appointment | None:
        found = self._table.get(appointment_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    def put(self, appointment: Appointment) -> None:
        self._table[appointment.id] = dataclasses.replace(appointment)
