"""Request and response bodies of the clinical endpoints: consultations, templates, health
metrics and health reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from medcore.application.clinical.get_health_metrics import HealthMetrics
from medcore.domain.clinical.consultation import (
    Addendum,
    Consultation,
    ConsultationStatus,
    DiagnosisInput,
    VitalsChange,
)
from medcore.domain.clinical.health_reminder import HealthReminder, HealthReminderStatus
from medcore.domain.clinical.metrics import MetricAggregate, MetricBucket
from medcore.domain.clinical.sections import TemplateSectionInput
from medcore.domain.clinical.template import ConsultationTemplate, TemplateChanges
from medcore.domain.clinical.vitals import Vitals
from medcore.domain.notifications.ports import Channel
from medcore.domain.patients.measurements import MeasurementKind
from medcore.domain.practitioners.changes import UNCHANGED, Change
from medcore.entrypoints.http.listing import PageInfo
from medcore.entrypoints.http.schemas.common import ShortText
from medcore.entrypoints.http.schemas.patients import ActorRef

T = TypeVar("T")

_NO_NUL = r"^[^\x00]*$"
Instant = Annotated[datetime, msgspec.Meta(tz=True)]
LongText = Annotated[str, msgspec.Meta(max_length=20_000, pattern=_NO_NUL)]
SectionKey = Annotated[str, msgspec.Meta(max_length=40, pattern=_NO_NUL, examples=["subjective"])]
Code = Annotated[str, msgspec.Meta(max_length=20, pattern=_NO_NUL, examples=["I10"])]
WallTime = Annotated[str, msgspec.Meta(max_length=5, pattern=_NO_NUL, examples=["08:00"])]
Notes = Annotated[dict[SectionKey, LongText], msgspec.Meta(max_length=30)]
Day = Annotated[date, msgspec.Meta(examples=["2027-03-15"])]


def keep(value: T | UnsetType) -> Change[T]:
    """A PATCH field: absent (UNSET) keeps the current value."""
    if isinstance(value, UnsetType):
        return UNCHANGED
    return value


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def utc_or_none(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _actor(actor_type: Any, actor_id: UUID | None) -> ActorRef:
    return ActorRef(type=actor_type, id=actor_id)


# --- consultations ------------------------------------------------------------------------


class VitalsIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Each vital in its unit; in a PATCH, ``null`` clears one. Give the temperature in
    degC (``temperature_c``) or in degF (``temperature_f``, converted)."""

    systolic_mmhg: float | UnsetType | None = UNSET
    diastolic_mmhg: float | UnsetType | None = UNSET
    pulse_per_min: float | UnsetType | None = UNSET
    respiratory_rate_per_min: float | UnsetType | None = UNSET
    temperature_c: float | UnsetType | None = UNSET
    temperature_f: float | UnsetType | None = UNSET
    weight_kg: float | UnsetType | None = UNSET
    height_cm: float | UnsetType | None = UNSET
    spo2_percent: float | UnsetType | None = UNSET
    measured_at: Instant | UnsetType | None = UNSET

    def to_change(self) -> VitalsChange:
        values = {
            name: getattr(self, name)
            for name in self.__struct_fields__
            if name != "measured_at" and getattr(self, name) is not UNSET
        }
        measured_at = self.measured_at if isinstance(self.measured_at, datetime) else None
        return VitalsChange(values=values, measured_at=measured_at)


class DiagnosisIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: Code
    text: ShortText | None = None

    def to_input(self) -> DiagnosisInput:
        return DiagnosisInput(code=self.code, text=self.text)


Diagnoses = Annotated[list[DiagnosisIn], msgspec.Meta(max_length=50)]
PrescriptionIds = Annotated[list[UUID], msgspec.Meta(max_length=50)]


class CreateConsultationRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    patient_id: UUID | None = None
    practitioner_id: UUID | None = None
    appointment_id: UUID | None = None
    template_id: UUID | None = None
    reason: ShortText | None = None
    started_at: Instant | None = None
    notes: Notes = msgspec.field(default_factory=dict)
    vitals: VitalsIn | None = None
    diagnoses: Diagnoses = msgspec.field(default_factory=list)
    prescription_ids: PrescriptionIds = msgspec.field(default_factory=list)


class OpenConsultationRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    template_id: UUID | None = None
    reason: ShortText | None = None


class UpdateConsultationRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: ShortText | UnsetType | None = UNSET
    started_at: Instant | UnsetType = UNSET
    notes: Notes | UnsetType = UNSET
    vitals: VitalsIn | UnsetType | None = UNSET
    diagnoses: Diagnoses | UnsetType = UNSET
    prescription_ids: PrescriptionIds | UnsetType = UNSET


class AddendumRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(max_length=5000, pattern=_NO_NUL)]


class SectionOut(msgspec.Struct, frozen=True):
    key: str
    title: str
    text: str
    required: bool


class VitalsOut(msgspec.Struct, frozen=True):
    measured_at: datetime
    systolic_mmhg: float | None = None
    diastolic_mmhg: float | None = None
    pulse_per_min: float | None = None
    respiratory_rate_per_min: float | None = None
    temperature_c: float | None = None
    weight_kg: float | None = None
    height_cm: float | None = None
    spo2_percent: float | None = None
    bmi: float | None = None


class DiagnosisOut(msgspec.Struct, frozen=True):
    code: str
    text: str | None = None


class AddendumOut(msgspec.Struct, frozen=True):
    id: UUID
    consultation_id: UUID
    text: str
    author: ActorRef
    created_at: datetime


class ConsultationOut(msgspec.Struct, frozen=True):
    id: UUID
    patient_id: UUID
    practitioner_id: UUID
    status: ConsultationStatus
    started_at: datetime
    sections: list[SectionOut]
    diagnoses: list[DiagnosisOut]
    prescription_ids: list[UUID]
    addenda: list[AddendumOut]
    created_by: ActorRef
    created_at: datetime
    updated_at: datetime
    version: int
    appointment_id: UUID | None = None
    template_id: UUID | None = None
    reason: str | None = None
    vitals: VitalsOut | None = None
    signed_at: datetime | None = None
    signed_by: UUID | None = None


class ConsultationList(msgspec.Struct, frozen=True):
    items: list[ConsultationOut]
    page: PageInfo


def vitals_out(vitals: Vitals) -> VitalsOut:
    return VitalsOut(measured_at=utc(vitals.measured_at), **vitals.values(), bmi=vitals.bmi)


def addendum_out(addendum: Addendum) -> AddendumOut:
    return AddendumOut(
        id=addendum.id,
        consultation_id=addendum.consultation_id,
        text=addendum.text,
        author=_actor(addendum.author_type, addendum.author_id),
        created_at=utc(addendum.created_at),
    )


def consultation_out(consultation: Consultation) -> ConsultationOut:
    return ConsultationOut(
        id=consultation.id,
        patient_id=consultation.patient_id,
        practitioner_id=consultation.practitioner_id,
        appointment_id=consultation.appointment_id,
        template_id=consultation.template_id,
        status=consultation.status,
        reason=consultation.reason,
        started_at=utc(consultation.started_at),
        sections=[SectionOut(s.key, s.title, s.text, s.required) for s in consultation.sections],
        vitals=vitals_out(consultation.vitals) if consultation.vitals else None,
        diagnoses=[DiagnosisOut(d.code.value, d.text) for d in consultation.diagnoses],
        prescription_ids=list(consultation.prescription_ids),
        addenda=[addendum_out(a) for a in consultation.addenda],
        created_by=_actor(consultation.created_by_type, consultation.created_by),
        signed_at=utc_or_none(consultation.signed_at),
        signed_by=consultation.signed_by,
        created_at=utc(consultation.created_at),
        updated_at=utc(consultation.updated_at),
        version=consultation.version,
    )


# --- templates ----------------------------------------------------------------------------


class TemplateSectionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    key: SectionKey
    title: ShortText | None = None
    default_text: LongText | None = None
    required: bool = False

    def to_input(self) -> TemplateSectionInput:
        return TemplateSectionInput(
            key=self.key, title=self.title, default_text=self.default_text, required=self.required
        )


TemplateSections = Annotated[list[TemplateSectionIn], msgspec.Meta(max_length=50)]
Description = Annotated[str, msgspec.Meta(max_length=1000, pattern=_NO_NUL)]


class CreateTemplateRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ShortText
    sections: TemplateSections
    description: Description | None = None
    active: bool = True

    def to_changes(self) -> TemplateChanges:
        return TemplateChanges(
            name=self.name,
            description=self.description,
            sections=tuple(s.to_input() for s in self.sections),
            active=self.active,
        )


class UpdateTemplateRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ShortText | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET
    sections: TemplateSections | UnsetType = UNSET
    active: bool | UnsetType = UNSET

    def to_changes(self) -> TemplateChanges:
        sections = self.sections
        return TemplateChanges(
            name=keep(self.name),
            description=keep(self.description),
            sections=UNCHANGED if isinstance(sections, UnsetType) else tuple(s.to_input() for s in sections),
            active=keep(self.active),
        )


class TemplateSectionOut(msgspec.Struct, frozen=True):
    key: str
    title: str
    default_text: str
    required: bool


class TemplateOut(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    sections: list[TemplateSectionOut]
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int
    description: str | None = None
    created_by: UUID | None = None


class TemplateList(msgspec.Struct, frozen=True):
    items: list[TemplateOut]
    page: PageInfo


def template_out(template: ConsultationTemplate) -> TemplateOut:
    return TemplateOut(
        id=template.id,
        name=template.name,
        description=template.description,
        sections=[TemplateSectionOut(s.key, s.title, s.default_text, s.required) for s in template.sections],
        active=template.active,
        created_by=template.created_by,
        created_at=utc(template.created_at),
        updated_at=utc(template.updated_at),
        version=template.version,
    )


# --- health metrics -----------------------------------------------------------------------


class AggregateOut(msgspec.Struct, frozen=True):
    count: int
    min: float
    max: float
    mean: float


class BucketOut(msgspec.Struct, frozen=True):
    start: date  # the first local day of the period
    count: int
    min: float
    max: float
    mean: float


class PointOut(msgspec.Struct, frozen=True):
    measurement_id: UUID
    measured_at: datetime
    value: float
    recorded_by_patient: bool


class MetricsOut(msgspec.Struct, frozen=True):
    patient_id: UUID
    kind: MeasurementKind
    unit: str
    time_zone: str
    bucket: MetricBucket
    from_: datetime = msgspec.field(name="from")
    to: datetime
    buckets: list[BucketOut]
    points: list[PointOut]  # the latest measurements of the window, oldest first
    points_truncated: bool  # earlier points were left out (the aggregates still count them)
    summary: AggregateOut | None = None  # the whole window; null when it holds no measurement


def _aggregate(aggregate: MetricAggregate) -> AggregateOut:
    return AggregateOut(count=aggregate.count, min=aggregate.minimum, max=aggregate.maximum, mean=aggregate.mean)


def metrics_out(patient_id: UUID, metrics: HealthMetrics) -> MetricsOut:
    query, series = metrics.query, metrics.series
    return MetricsOut(
        patient_id=patient_id,
        kind=query.kind,
        unit=query.unit,
        time_zone=query.zone.value,
        bucket=query.bucket,
        from_=utc(query.window.start),
        to=utc(query.window.end),
        summary=_aggregate(series.summary) if series.summary else None,
        buckets=[
            BucketOut(start=b.start, count=b.count, min=b.minimum, max=b.maximum, mean=b.mean)
            for b in series.buckets
            if b.start is not None
        ],
        points=[
            PointOut(
                measurement_id=p.measurement_id,
                measured_at=utc(p.measured_at),
                value=p.value,
                recorded_by_patient=p.recorded_by_patient,
            )
            for p in series.points
        ],
        points_truncated=series.truncated,
    )


# --- health reminders ---------------------------------------------------------------------


class CreateHealthReminderRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: ShortText
    times: Annotated[list[WallTime], msgspec.Meta(min_length=1, max_length=24)]
    starts_on: Day
    days: Annotated[list[int], msgspec.Meta(max_length=7)] = msgspec.field(default_factory=list)
    ends_on: Day | None = None
    channel: Channel | None = None


class HealthReminderOut(msgspec.Struct, frozen=True):
    id: UUID
    patient_id: UUID
    text: str
    times: list[str]
    days: list[int]
    starts_on: date
    time_zone: str
    status: HealthReminderStatus
    created_by: ActorRef
    created_at: datetime
    updated_at: datetime
    version: int
    ends_on: date | None = None
    channel: Channel | None = None
    next_due_at: datetime | None = None
    last_occurrence_at: datetime | None = None
    cancelled_at: datetime | None = None


class HealthReminderList(msgspec.Struct, frozen=True):
    items: list[HealthReminderOut]
    page: PageInfo


def health_reminder_out(reminder: HealthReminder) -> HealthReminderOut:
    schedule = reminder.schedule
    return HealthReminderOut(
        id=reminder.id,
        patient_id=reminder.patient_id,
        text=reminder.text,
        times=[f"{t:%H:%M}" for t in schedule.times],
        days=sorted(schedule.weekdays),
        starts_on=schedule.starts_on,
        ends_on=schedule.ends_on,
        time_zone=schedule.zone.value,
        channel=reminder.channel,
        status=reminder.status,
        next_due_at=utc_or_none(reminder.next_due_at),
        last_occurrence_at=utc_or_none(reminder.last_occurrence_at),
        cancelled_at=utc_or_none(reminder.cancelled_at),
        created_by=_actor(reminder.created_by_type, reminder.created_by),
        created_at=utc(reminder.created_at),
        updated_at=utc(reminder.updated_at),
        version=reminder.version,
    )
