"""Postgres repositories of the clinical context, with explicit row <-> domain mappers:
consultations (and their addenda), templates, health reminders (and their deliveries),
the health metrics read over the patients' measurements, and prescription links."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from returns.result import Failure, Result, Success
from sqlalchemy import ColumnElement, Date, RowMapping, case, cast, column, func, select, table, update
from sqlalchemy.dialects.postgresql import insert

from medcore.adapters.postgres import clinical_tables as t
from medcore.adapters.postgres.base import Repository
from medcore.adapters.postgres.listing import keyset_page
from medcore.adapters.postgres.patient_tables import patient_measurements
from medcore.domain.audit.entry import ActorType
from medcore.domain.clinical.consultation import Addendum, Consultation, ConsultationStatus, Diagnosis
from medcore.domain.clinical.health_reminder import (
    DeliveryStatus,
    HealthReminder,
    HealthReminderDelivery,
    HealthReminderStatus,
    ReminderSchedule,
)
from medcore.domain.clinical.metrics import MetricAggregate, MetricPoint, MetricSeries, MetricsQuery
from medcore.domain.clinical.sections import NoteSection, TemplateSection
from medcore.domain.clinical.template import ConsultationTemplate, name_key
from medcore.domain.clinical.vitals import VITAL_FIELDS, Vitals
from medcore.domain.notifications.ports import Channel
from medcore.domain.patients.codes import Icd10Code
from medcore.domain.patients.history import EntryStatus
from medcore.domain.patients.measurements import SCALES
from medcore.domain.practitioners.schedule import TimeZoneName
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page, SortKey

C = t.consultations
A = t.consultation_addenda
T = t.consultation_templates
H = t.health_reminders
D = t.health_reminder_deliveries
M = patient_measurements

# --- consultations ------------------------------------------------------------------------


def _vitals(row: RowMapping) -> Vitals | None:
    if row["vitals_measured_at"] is None:
        return None
    return Vitals(**{name: row[name] for name in VITAL_FIELDS}, measured_at=row["vitals_measured_at"])


def _addendum(row: RowMapping) -> Addendum:
    return Addendum(
        id=row["id"],
        consultation_id=row["consultation_id"],
        text=row["text"],
        author_type=ActorType(row["author_type"]),
        author_id=row["author_id"],
        created_at=row["created_at"],
    )


def _consultation(row: RowMapping, addenda: Sequence[Addendum] = ()) -> Consultation:
    return Consultation(
        id=row["id"],
        organization_id=row["organization_id"],
        patient_id=row["patient_id"],
        practitioner_id=row["practitioner_id"],
        appointment_id=row["appointment_id"],
        template_id=row["template_id"],
        reason=row["reason"],
        started_at=row["started_at"],
        sections=tuple(NoteSection(s["key"], s["title"], s["text"], bool(s["required"])) for s in row["sections"]),
        vitals=_vitals(row),
        diagnoses=tuple(Diagnosis(Icd10Code(d["code"]), d.get("text")) for d in row["diagnoses"]),
        prescription_ids=tuple(row["prescription_ids"]),
        status=ConsultationStatus(row["status"]),
        created_by_type=ActorType(row["created_by_type"]),
        created_by=row["created_by"],
        signed_at=row["signed_at"],
        signed_by=row["signed_by"],
        addenda=tuple(addenda),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _consultation_values(consultation: Consultation) -> dict[str, Any]:
    vitals = consultation.vitals
    return {
        "status": consultation.status.value,
        "reason": consultation.reason,
        "started_at": consultation.started_at,
        "sections": [
            {"key": s.key, "title": s.title, "text": s.text, "required": s.required} for s in consultation.sections
        ],
        "diagnoses": [{"code": d.code.value, "text": d.text} for d in consultation.diagnoses],
        "prescription_ids": list(consultation.prescription_ids),
        **{name: getattr(vitals, name) if vitals else None for name in VITAL_FIELDS},
        "vitals_measured_at": vitals.measured_at if vitals else None,
        "signed_at": consultation.signed_at,
        "signed_by": consultation.signed_by,
        "updated_at": consultation.updated_at,
    }


class PgConsultations(Repository):
    async def add(self, consultation: Consultation) -> None:
        await self._execute(
            C.insert().values(
                id=consultation.id,
                organization_id=consultation.organization_id,
                patient_id=consultation.patient_id,
                practitioner_id=consultation.practitioner_id,
                appointment_id=consultation.appointment_id,
                template_id=consultation.template_id,
                created_by_type=consultation.created_by_type.value,
                created_by=consultation.created_by,
                created_at=consultation.created_at,
                version=consultation.version,
                **_consultation_values(consultation),
            )
        )

    async def _addenda(self, consultation_ids: Collection[UUID]) -> dict[UUID, list[Addendum]]:
        found: dict[UUID, list[Addendum]] = {}
        if not consultation_ids:
            return found
        statement = select(A).where(A.c.consultation_id.in_(list(consultation_ids))).order_by(A.c.created_at, A.c.id)
        for row in (await self._execute(statement)).mappings():
            found.setdefault(row["consultation_id"], []).append(_addendum(row))
        return found

    async def get(self, organization_id: UUID, consultation_id: UUID, *, lock: bool = False) -> Consultation | None:
        statement = select(C).where(C.c.organization_id == organization_id, C.c.id == consultation_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        if row is None:
            return None
        addenda = await self._addenda([row["id"]])
        return _consultation(row, addenda.get(row["id"], ()))

    async def by_appointment(self, organization_id: UUID, appointment_id: UUID) -> Consultation | None:
        statement = select(C.c.id).where(C.c.organization_id == organization_id, C.c.appointment_id == appointment_id)
        found = (await self._execute(statement)).scalar_one_or_none()
        return await self.get(organization_id, found) if found is not None else None

    async def save(self, consultation: Consultation) -> bool:
        saved = await self._update_versioned(
            C, consultation.id, consultation.organization_id, consultation.version, _consultation_values(consultation)
        )
        if saved:
            consultation.version += 1
        return saved

    async def add_addendum(self, organization_id: UUID, addendum: Addendum) -> None:
        await self._execute(
            A.insert().values(
                id=addendum.id,
                organization_id=organization_id,
                consultation_id=addendum.consultation_id,
                text=addendum.text,
                author_type=addendum.author_type.value,
                author_id=addendum.author_id,
                created_at=addendum.created_at,
            )
        )
        await self._execute(
            update(C)
            .where(C.c.organization_id == organization_id, C.c.id == addendum.consultation_id)
            .values(version=C.c.version + 1, updated_at=addendum.created_at)
        )

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Consultation], DomainError]:
        f = query.filters
        base = select(C).where(C.c.organization_id == organization_id)
        for name in ("patient_id", "practitioner_id", "appointment_id", "status"):
            if name in f:
                base = base.where(C.c[name] == f[name])
        if "from" in f:
            base = base.where(C.c.started_at >= f["from"])
        if "to" in f:
            base = base.where(C.c.started_at < f["to"])
        listed = await keyset_page(
            self._connection,
            base,
            query,
            {"started_at": C.c.started_at, "created_at": C.c.created_at},
            C.c.id,
            lambda row: row,
            default_sort=SortKey("started_at", descending=True),
        )
        if isinstance(listed, Failure):
            return Failure(listed.failure())
        page = listed.unwrap()
        addenda = await self._addenda([row["id"] for row in page.items])
        return Success(
            Page(
                items=[_consultation(row, addenda.get(row["id"], ())) for row in page.items],
                limit=page.limit,
                next_cursor=page.next_cursor,
                total=page.total,
            )
        )


# --- templates ----------------------------------------------------------------------------


def _template(row: RowMapping) -> ConsultationTemplate:
    return ConsultationTemplate(
        id=row["id"],
        organization_id=row["organization_id"],
        name=row["name"],
        description=row["description"],
        sections=tuple(
            TemplateSection(s["key"], s["title"], s["default_text"], bool(s["required"])) for s in row["sections"]
        ),
        active=row["active"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _template_values(template: ConsultationTemplate) -> dict[str, Any]:
    return {
        "name": template.name,
        "name_key": template.name_key,
        "description": template.description,
        "sections": [
            {"key": s.key, "title": s.title, "default_text": s.default_text, "required": s.required}
            for s in template.sections
        ],
        "active": template.active,
        "updated_at": template.updated_at,
    }


class PgConsultationTemplates(Repository):
    async def add(self, template: ConsultationTemplate) -> None:
        await self._execute(
            T.insert().values(
                id=template.id,
                organization_id=template.organization_id,
                created_by=template.created_by,
                created_at=template.created_at,
                version=template.version,
                **_template_values(template),
            )
        )

    async def get(self, organization_id: UUID, template_id: UUID, *, lock: bool = False) -> ConsultationTemplate | None:
        statement = select(T).where(T.c.organization_id == organization_id, T.c.id == template_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _template(row) if row else None

    async def save(self, template: ConsultationTemplate) -> bool:
        saved = await self._update_versioned(
            T, template.id, template.organization_id, template.version, _template_values(template)
        )
        if saved:
            template.version += 1
        return saved

    async def by_name(self, organization_id: UUID, name: str) -> ConsultationTemplate | None:
        statement = select(T).where(T.c.organization_id == organization_id, T.c.name_key == name_key(name))
        row = (await self._execute(statement)).mappings().first()
        return _template(row) if row else None

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[ConsultationTemplate], DomainError]:
        base = select(T).where(T.c.organization_id == organization_id)
        if "active" in query.filters:
            base = base.where(T.c.active == query.filters["active"])
        return await keyset_page(
            self._connection,
            base,
            query,
            {"name": T.c.name_key, "created_at": T.c.created_at},
            T.c.id,
            _template,
            default_sort=SortKey("name"),
        )


# --- health reminders ---------------------------------------------------------------------


def _reminder(row: RowMapping) -> HealthReminder:
    return HealthReminder(
        id=row["id"],
        organization_id=row["organization_id"],
        patient_id=row["patient_id"],
        text=row["text"],
        schedule=ReminderSchedule(
            times=tuple(sorted(row["times"])),
            weekdays=frozenset(row["weekdays"]),
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            zone=TimeZoneName(row["time_zone"]),
        ),
        channel=Channel(row["channel"]) if row["channel"] else None,
        status=HealthReminderStatus(row["status"]),
        next_due_at=row["next_due_at"],
        last_occurrence_at=row["last_occurrence_at"],
        created_by_type=ActorType(row["created_by_type"]),
        created_by=row["created_by"],
        cancelled_at=row["cancelled_at"],
        cancelled_by=row["cancelled_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _reminder_state(reminder: HealthReminder) -> dict[str, Any]:
    return {
        "status": reminder.status.value,
        "next_due_at": reminder.next_due_at,
        "last_occurrence_at": reminder.last_occurrence_at,
        "cancelled_at": reminder.cancelled_at,
        "cancelled_by": reminder.cancelled_by,
        "updated_at": reminder.updated_at,
    }


def _delivery(row: RowMapping) -> HealthReminderDelivery:
    return HealthReminderDelivery(
        id=row["id"],
        organization_id=row["organization_id"],
        reminder_id=row["reminder_id"],
        occurrence_at=row["occurrence_at"],
        status=DeliveryStatus(row["status"]),
        channel=Channel(row["channel"]) if row["channel"] else None,
        skip_reason=row["skip_reason"],
        created_at=row["created_at"],
    )


class PgHealthReminders(Repository):
    async def add(self, reminder: HealthReminder) -> None:
        schedule = reminder.schedule
        await self._execute(
            H.insert().values(
                id=reminder.id,
                organization_id=reminder.organization_id,
                patient_id=reminder.patient_id,
                text=reminder.text,
                times=list(schedule.times),
                weekdays=sorted(schedule.weekdays),
                starts_on=schedule.starts_on,
                ends_on=schedule.ends_on,
                time_zone=schedule.zone.value,
                channel=reminder.channel.value if reminder.channel else None,
                created_by_type=reminder.created_by_type.value,
                created_by=reminder.created_by,
                created_at=reminder.created_at,
                version=reminder.version,
                **_reminder_state(reminder),
            )
        )

    async def get(
        self, organization_id: UUID, patient_id: UUID, reminder_id: UUID, *, lock: bool = False
    ) -> HealthReminder | None:
        statement = select(H).where(
            H.c.organization_id == organization_id, H.c.patient_id == patient_id, H.c.id == reminder_id
        )
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _reminder(row) if row else None

    async def save(self, reminder: HealthReminder) -> bool:
        saved = await self._update_versioned(
            H, reminder.id, reminder.organization_id, reminder.version, _reminder_state(reminder)
        )
        if saved:
            reminder.version += 1
        return saved

    async def list(
        self, organization_id: UUID, patient_id: UUID, query: ListQuery
    ) -> Result[Page[HealthReminder], DomainError]:
        base = select(H).where(H.c.organization_id == organization_id, H.c.patient_id == patient_id)
        if "status" in query.filters:
            base = base.where(H.c.status == query.filters["status"])
        return await keyset_page(
            self._connection,
            base,
            query,
            {"created_at": H.c.created_at},
            H.c.id,
            _reminder,
            default_sort=SortKey("created_at", descending=True),
        )

    async def claim_due(self, now: datetime, limit: int) -> Sequence[HealthReminder]:
        statement = (
            select(H)
            .where(H.c.status == HealthReminderStatus.ACTIVE.value, H.c.next_due_at <= now)
            .order_by(H.c.next_due_at, H.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_reminder(row) for row in (await self._execute(statement)).mappings().all()]

    async def count_due(self, now: datetime) -> int:
        statement = select(func.count()).where(H.c.status == HealthReminderStatus.ACTIVE.value, H.c.next_due_at <= now)
        return int((await self._execute(statement)).scalar_one())

    async def record_delivery(self, delivery: HealthReminderDelivery) -> bool:
        statement = (
            insert(D)
            .values(
                id=delivery.id,
                organization_id=delivery.organization_id,
                reminder_id=delivery.reminder_id,
                occurrence_at=delivery.occurrence_at,
                status=delivery.status.value,
                channel=delivery.channel.value if delivery.channel else None,
                skip_reason=delivery.skip_reason,
                created_at=delivery.created_at,
            )
            .on_conflict_do_nothing(index_elements=["reminder_id", "occurrence_at"])
            .returning(D.c.id)
        )
        return (await self._execute(statement)).first() is not None

    async def deliveries(self, organization_id: UUID, reminder_id: UUID) -> Sequence[HealthReminderDelivery]:
        statement = (
            select(D)
            .where(D.c.organization_id == organization_id, D.c.reminder_id == reminder_id)
            .order_by(D.c.occurrence_at)
        )
        return [_delivery(row) for row in (await self._execute(statement)).mappings().all()]


# --- health metrics -----------------------------------------------------------------------


def _canonical_value(query: MetricsQuery) -> ColumnElement[float]:
    """The measurement's value in the kind's canonical unit, whatever unit it was recorded in."""
    units = SCALES[query.kind].units
    return case(
        *(
            (M.c.unit == unit, (M.c.value + conversion.offset) * conversion.factor)
            for unit, conversion in units.items()
        ),
        else_=M.c.value,
    )


class PgHealthMetrics(Repository):
    async def series(self, organization_id: UUID, patient_id: UUID, query: MetricsQuery) -> MetricSeries:
        value = _canonical_value(query).label("value")
        standing = (
            select(M.c.id, M.c.measured_at, M.c.recorded_by_patient, value)
            .where(
                M.c.organization_id == organization_id,
                M.c.patient_id == patient_id,
                M.c.kind == query.kind.value,
                M.c.status != EntryStatus.ENTERED_IN_ERROR.value,
                M.c.measured_at >= query.window.start,
                M.c.measured_at < query.window.end,
            )
            .cte("standing")
        )
        points_statement = (
            select(standing).order_by(standing.c.measured_at.desc(), standing.c.id.desc()).limit(query.max_points + 1)
        )
        rows = (await self._execute(points_statement)).mappings().all()
        truncated = len(rows) > query.max_points
        points = tuple(
            MetricPoint(
                measurement_id=row["id"],
                measured_at=row["measured_at"],
                value=float(row["value"]),
                recorded_by_patient=row["recorded_by_patient"],
            )
            for row in reversed(rows[: query.max_points])
        )
        period = cast(
            func.date_trunc(query.bucket.value, func.timezone(query.zone.value, standing.c.measured_at)), Date
        ).label("period")
        aggregates = (
            func.count().label("count"),
            func.min(standing.c.value).label("minimum"),
            func.max(standing.c.value).label("maximum"),
            func.avg(standing.c.value).label("mean"),
        )
        bucket_rows = (
            (await self._execute(select(period, *aggregates).group_by(period).order_by(period))).mappings().all()
        )
        buckets = tuple(
            MetricAggregate(
                start=row["period"],
                count=int(row["count"]),
                minimum=float(row["minimum"]),
                maximum=float(row["maximum"]),
                mean=float(row["mean"]),
            )
            for row in bucket_rows
        )
        total = (await self._execute(select(*aggregates).select_from(standing))).mappings().one()
        summary = None
        if total["count"]:
            summary = MetricAggregate(
                count=int(total["count"]),
                minimum=float(total["minimum"]),
                maximum=float(total["maximum"]),
                mean=float(total["mean"]),
            )
        return MetricSeries(points=points, truncated=truncated, buckets=buckets, summary=summary)


# --- prescription links -------------------------------------------------------------------

# The prescribing context's table, named by the columns this read needs only.
_prescriptions = table("prescriptions", column("id"), column("organization_id"), column("patient_id"))


class PgPrescriptionLinks(Repository):
    async def of_patient(
        self, organization_id: UUID, patient_id: UUID, prescription_ids: Collection[UUID]
    ) -> frozenset[UUID]:
        if not prescription_ids:
            return frozenset()
        statement = select(_prescriptions.c.id).where(
            _prescriptions.c.organization_id == organization_id,
            _prescriptions.c.patient_id == patient_id,
            _prescriptions.c.id.in_(list(prescription_ids)),
        )
        return frozenset(UUID(str(found)) for found in (await self._execute(statement)).scalars())
