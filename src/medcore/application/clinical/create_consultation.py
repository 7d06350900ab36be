"""CreateConsultation: open a draft consultation, from scratch, from a template, or for an
appointment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.clinical.linking import check_links
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWork, UnitOfWorkFactory
from medcore.domain.clinical.consultation import (
    Consultation,
    ConsultationChanges,
    DiagnosisInput,
    VitalsChange,
)
from medcore.domain.clinical.sections import NoteSection, soap_sections
from medcore.domain.clinical.template import TEMPLATE_INACTIVE
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.changes import UNCHANGED
from medcore.domain.scheduling.appointment import Appointment, AppointmentStatus
from medcore.domain.shared.errors import DomainError, FieldIssue, conflict, invalid, not_found
from medcore.domain.shared.ports import Clock, IdGenerator

APPOINTMENT_NOT_HELD = conflict(
    "consultation.appointment_not_held", "This appointment was cancelled or missed: there is no consultation to write."
)
NOT_HELD = frozenset({AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW})


def appointment_taken(consultation_id: UUID) -> DomainError:
    return conflict(
        "consultation.appointment_taken",
        "This appointment already has its consultation.",
        consultation_id=consultation_id,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateConsultationCommand:
    patient_id: UUID | None = None
    practitioner_id: UUID | None = None
    appointment_id: UUID | None = None
    template_id: UUID | None = None
    reason: str | None = None
    started_at: datetime | None = None
    notes: Mapping[str, str] = field(default_factory=dict)
    vitals: VitalsChange | None = None
    diagnoses: tuple[DiagnosisInput, ...] = ()
    prescription_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class _Parties:
    patient_id: UUID
    practitioner_id: UUID
    appointment: Appointment | None


def _refuse(field_name: str, message: str) -> Failure[DomainError]:
    return Failure(invalid("validation_failed", "Some fields are not valid.", FieldIssue(field_name, message)))


class CreateConsultation:
    """Needs ``consultations:write``. With ``appointment_id`` the patient and the
    practitioner are the appointment's (an appointment has one consultation; a cancelled or
    missed one has none) and the consultation starts when the appointment did. Otherwise
    ``patient_id`` is required and the practitioner (the author, who will sign) defaults to
    the one linked to the caller's account. With ``template_id`` the sections are the
    template's, pre-filled with its default texts; without, the four SOAP sections.
    ``notes`` fill sections by key; vitals, diagnoses and linked prescriptions may be given
    at once."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: CreateConsultationCommand) -> Result[Consultation, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.CONSULTATIONS_WRITE, action="consultation.create", resource_type="consultation"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            now = self._clock.now()
            parties = await self._parties(uow, actor, command)
            if isinstance(parties, Failure):
                return Failure(parties.failure())
            who = parties.unwrap()
            if await uow.patients.get(actor.organization_id, who.patient_id) is None:
                return Failure(not_found("patient"))
            sections = await self._sections(uow, actor, command.template_id)
            if isinstance(sections, Failure):
                return Failure(sections.failure())
            started_at = command.started_at
            if started_at is None:
                appointment = who.appointment
                started_at = min(appointment.starts_at, now) if appointment is not None else now
            elif started_at.tzinfo is None:
                return _refuse("started_at", "Give the instant with its offset (Z or +01:00).")
            reason = command.reason
            if reason is None and who.appointment is not None:
                reason = who.appointment.reason
            if command.prescription_ids:
                linked = await check_links(uow, actor.organization_id, who.patient_id, command.prescription_ids)
                if isinstance(linked, Failure):
                    return Failure(linked.failure())
            opened = Consultation.open(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                patient_id=who.patient_id,
                practitioner_id=who.practitioner_id,
                appointment_id=who.appointment.id if who.appointment else None,
                template_id=command.template_id,
                sections=sections.unwrap(),
                started_at=started_at,
                created_by_type=actor.actor_type,
                created_by=actor.id,
                now=now,
                content=ConsultationChanges(
                    reason=reason,
                    started_at=started_at,
                    notes=command.notes or UNCHANGED,
                    vitals=command.vitals if command.vitals is not None else UNCHANGED,
                    diagnoses=command.diagnoses,
                    prescription_ids=command.prescription_ids,
                ),
            )
            if isinstance(opened, Failure):
                return opened
            consultation = opened.unwrap()
            await uow.consultations.add(consultation)
            await uow.audit.record(
                actor.audit(
                    "consultation.create",
                    resource_type="consultation",
                    resource_id=consultation.id,
                    patient_id=consultation.patient_id,
                    details={
                        "practitioner_id": str(consultation.practitioner_id),
                        "appointment_id": str(consultation.appointment_id) if consultation.appointment_id else None,
                        "template_id": str(consultation.template_id) if consultation.template_id else None,
                    },
                )
            )
            await uow.commit()
            return Success(consultation)

    async def _parties(
        self, uow: UnitOfWork, actor: Actor, command: CreateConsultationCommand
    ) -> Result[_Parties, DomainError]:
        organization_id = actor.organization_id
        if command.appointment_id is not None:
            appointment = await uow.appointments.get(organization_id, command.appointment_id)
            if appointment is None:
                return Failure(not_found("appointment"))
            if command.patient_id is not None and command.patient_id != appointment.patient_id:
                return _refuse("patient_id", "The appointment is another patient's: leave patient_id out.")
            if command.practitioner_id is not None and command.practitioner_id != appointment.practitioner_id:
                return _refuse("practitioner_id", "The appointment is with another practitioner: leave it out.")
            if appointment.status in NOT_HELD:
                return Failure(APPOINTMENT_NOT_HELD)
            existing = await uow.consultations.by_appointment(organization_id, appointment.id)
            if existing is not None:
                return Failure(appointment_taken(existing.id))
            return Success(_Parties(appointment.patient_id, appointment.practitioner_id, appointment))
        if command.patient_id is None:
            return _refuse("patient_id", "Give the patient (or the appointment).")
        if command.practitioner_id is not None:
            practitioner = await uow.practitioners.get(organization_id, command.practitioner_id)
            if practitioner is None:
                return Failure(not_found("practitioner"))
        else:
            practitioner = (
                await uow.practitioners.by_user(organization_id, actor.user_id) if actor.user_id is not None else None
            )
            if practitioner is None:
                return _refuse(
                    "practitioner_id", "Give the practitioner: your account is not linked to a practitioner."
                )
        if not practitioner.active:
            return _refuse("practitioner_id", "This practitioner is no longer active.")
        return Success(_Parties(command.patient_id, practitioner.id, None))

    async def _sections(
        self, uow: UnitOfWork, actor: Actor, template_id: UUID | None
    ) -> Result[tuple[NoteSection, ...], DomainError]:
        if template_id is None:
            return Success(soap_sections())
        template = await uow.consultation_templates.get(actor.organization_id, template_id)
        if template is None:
            return Failure(not_found("consultation_template"))
        if not template.active:
            return Failure(TEMPLATE_INACTIVE)
        return Success(template.note_sections())
