"""The clinical use cases wired on the in-memory fakes, beside the identity, patient and
practitioner ones, and a clinic to use them in: an owner, two doctors linked to their
practitioner profiles, a nurse, a receptionist, a patient record and a patient login with
its own record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from medcore.application.clinical.add_addendum import AddAddendum
from medcore.application.clinical.cancel_health_reminder import CancelHealthReminder
from medcore.application.clinical.create_consultation import CreateConsultation, CreateConsultationCommand
from medcore.application.clinical.create_consultation_template import CreateConsultationTemplate
from medcore.application.clinical.create_health_reminder import CreateHealthReminder
from medcore.application.clinical.get_consultation import GetConsultation
from medcore.application.clinical.get_consultation_template import GetConsultationTemplate
from medcore.application.clinical.get_health_metrics import GetHealthMetrics
from medcore.application.clinical.get_health_reminder import GetHealthReminder
from medcore.application.clinical.list_consultation_templates import ListConsultationTemplates
from medcore.application.clinical.list_consultations import ListConsultations
from medcore.application.clinical.list_health_reminders import ListHealthReminders
from medcore.application.clinical.send_health_reminders import SendHealthReminders
from medcore.application.clinical.sign_consultation import SignConsultation, SignConsultationCommand
from medcore.application.clinical.update_consultation import UpdateConsultation
from medcore.application.clinical.update_consultation_template import UpdateConsultationTemplate
from medcore.application.identity.update_organization import UpdateOrganization, UpdateOrganizationCommand
from medcore.application.patients.add_measurement import AddMeasurement
from medcore.application.patients.create_patient import CreatePatient, CreatePatientCommand
from medcore.application.patients.delete_patient import DeletePatient
from medcore.application.shared.actor import Actor
from medcore.domain.audit.entry import AuditEntry, Outcome
from medcore.domain.clinical.consultation import Consultation
from medcore.domain.identity.permissions import Role
from medcore.domain.notifications.ports import Notification
from medcore.domain.patients.patient import Patient
from medcore.domain.practitioners.practitioner import Practitioner
from tests.unit.application.world import Tenant, ok
from tests.unit.practitioners.world import PractitionersWorld


class RecordingNotifier:
    """Delivers once per notification id, as the port promises; can be told to die right
    after delivering (the crash between delivery and recording)."""

    def __init__(self) -> None:
        self.delivered: dict[UUID, Notification] = {}
        self.crash_after: int | None = None  # deliveries before the process dies

    async def deliver(self, notification: Notification) -> bool:
        if notification.id in self.delivered:
            return False
        self.delivered[notification.id] = notification
        if self.crash_after is not None and len(self.delivered) >= self.crash_after:
            self.crash_after = None
            raise RuntimeError("the process died after delivering")
        return True

    def to(self, address: str) -> list[Notification]:
        return [n for n in self.delivered.values() if n.to == address]


class ClinicalWorld(PractitionersWorld):
    def __init__(self) -> None:
        super().__init__()
        uow, clock, ids = self.unit_of_work, self.clock, self.ids
        self.notifier = RecordingNotifier()
        self.create_patient = CreatePatient(uow, clock, ids)
        self.delete_patient = DeletePatient(uow, clock, ids)
        self.add_measurement = AddMeasurement(uow, clock, ids)
        self.update_organization = UpdateOrganization(uow, clock)
        self.create_consultation = CreateConsultation(uow, clock, ids)
        self.get_consultation = GetConsultation(uow)
        self.list_consultations = ListConsultations(uow)
        self.update_consultation = UpdateConsultation(uow, clock)
        self.sign_consultation = SignConsultation(uow, clock, ids)
        self.add_addendum = AddAddendum(uow, clock, ids)
        self.create_template = CreateConsultationTemplate(uow, clock, ids)
        self.get_template = GetConsultationTemplate(uow)
        self.list_templates = ListConsultationTemplates(uow)
        self.update_template = UpdateConsultationTemplate(uow, clock)
        self.get_health_metrics = GetHealthMetrics(uow, clock)
        self.create_health_reminder = CreateHealthReminder(uow, clock, ids)
        self.list_health_reminders = ListHealthReminders(uow)
        self.get_health_reminder = GetHealthReminder(uow)
        self.cancel_health_reminder = CancelHealthReminder(uow, clock)
        self.send_health_reminders = SendHealthReminders(uow, clock, self.notifier)


@dataclass
class Clinic:
    world: ClinicalWorld
    tenant: Tenant
    owner: Actor
    doctor: Actor  # linked to `doctor_profile`
    doctor_profile: Practitioner
    colleague: Actor  # another practitioner, linked to `colleague_profile`
    colleague_profile: Practitioner
    nurse: Actor
    receptionist: Actor
    patient: Patient
    patient_actor: Actor  # a patient login, linked to `own_record`
    own_record: Patient

    def audit(self, action: str, outcome: Outcome = Outcome.SUCCESS) -> list[AuditEntry]:
        return [e for e in self.world.store.audit if e.action == action and e.outcome is outcome]

    async def consultation(self, by: Actor | None = None, **fields: Any) -> Consultation:
        command: dict[str, Any] = {"patient_id": self.patient.id, **fields}
        return ok(await self.world.create_consultation.execute(by or self.doctor, CreateConsultationCommand(**command)))

    async def signed(self, **fields: Any) -> Consultation:
        draft = await self.consultation(**fields)
        return ok(
            await self.world.sign_consultation.execute(self.doctor, SignConsultationCommand(consultation_id=draft.id))
        )

    async def portal(self, **settings: object) -> None:
        ok(await self.world.update_organization.execute(self.owner, UpdateOrganizationCommand(patients=settings)))


async def open_clinic(world: ClinicalWorld, slug: str = "clinic") -> Clinic:
    tenant = await world.tenant(slug)
    owner = await world.owner(tenant)
    doctor, doctor_user = await world.role(tenant, Role.PRACTITIONER, f"doctor@{slug}.example")
    colleague, colleague_user = await world.role(tenant, Role.PRACTITIONER, f"colleague@{slug}.example")
    nurse, _ = await world.role(tenant, Role.NURSE, f"nurse@{slug}.example")
    receptionist, _ = await world.role(tenant, Role.RECEPTIONIST, f"desk@{slug}.example")
    doctor_profile = await world.practitioner(owner, user_id=doctor_user.id)
    colleague_profile = await world.practitioner(owner, given_name="Bruno", user_id=colleague_user.id)

    def patient(**fields: Any) -> CreatePatientCommand:
        values: dict[str, Any] = {
            "given_name": "Jean",
            "family_name": "Dupont",
            "birth_date": date(1968, 4, 12),
            "email": "jean@example.org",
            "time_zone": "Europe/Paris",
        }
        return CreatePatientCommand(**{**values, **fields})

    record = ok(await world.create_patient.execute(owner, patient()))
    patient_actor, patient_user = await world.role(tenant, Role.PATIENT, f"paul@{slug}.example")
    own = ok(
        await world.create_patient.execute(
            owner, patient(given_name="Paul", email=f"paul@{slug}.example", user_id=patient_user.id, time_zone=None)
        )
    )
    return Clinic(
        world=world,
        tenant=tenant,
        owner=owner,
        doctor=doctor,
        doctor_profile=doctor_profile,
        colleague=colleague,
        colleague_profile=colleague_profile,
        nurse=nurse,
        receptionist=receptionist,
        patient=record,
        patient_actor=patient_actor,
        own_record=own,
    )
