"""SeedDemoClinical: the demo's consultation template and Jean Dupont's signed consultation
with Dr Martin (part of SeedDemo)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from returns.result import Failure, Result, Success

from medcore.application.clinical.create_consultation import CreateConsultation, CreateConsultationCommand
from medcore.application.clinical.create_consultation_template import CreateConsultationTemplate
from medcore.application.clinical.sign_consultation import SignConsultation, SignConsultationCommand
from medcore.application.shared.actor import SYSTEM_META, Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import ActorType
from medcore.domain.clinical.consultation import DiagnosisInput, VitalsChange
from medcore.domain.clinical.sections import TemplateSectionInput
from medcore.domain.clinical.template import TemplateChanges
from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.permissions import Role, permissions_of
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery
from medcore.domain.shared.ports import Clock

DEMO_PATIENT_LOGIN = "jean.dupont@demo.medcore.dev"
DEMO_PRACTITIONER_LOGIN = "dr.martin@demo.medcore.dev"
GENERAL_CONSULTATION = "General consultation"

GENERAL_TEMPLATE = TemplateChanges(
    name=GENERAL_CONSULTATION,
    description="SOAP notes for a general practice visit.",
    sections=(
        TemplateSectionInput(key="subjective", title="Subjective", required=True),
        TemplateSectionInput(key="objective", title="Objective", required=True),
        TemplateSectionInput(key="assessment", title="Assessment", required=True),
        TemplateSectionInput(key="plan", title="Plan", required=True),
        TemplateSectionInput(
            key="follow_up", title="Follow-up", default_text="Review in 3 months, sooner if symptoms worsen."
        ),
    ),
)

JEANS_NOTES = {
    "subjective": "Blood pressure follow-up. No headache, no chest pain. Takes ramipril every morning.",
    "objective": "Alert, well. Heart sounds regular, no murmur. No ankle oedema.",
    "assessment": "Essential hypertension, not yet at target on ramipril 5 mg.",
    "plan": "Home blood pressure readings twice daily for a week; reduce salt; renew ramipril.",
}
JEANS_VITALS = {
    "systolic_mmhg": 142.0,
    "diastolic_mmhg": 88.0,
    "pulse_per_min": 72.0,
    "temperature_c": 36.8,
    "weight_kg": 84.0,
    "height_cm": 176.0,
    "spo2_percent": 98.0,
}


@dataclass(frozen=True, slots=True)
class DemoClinicalSeeded:
    template_created: bool
    consultation_signed: bool


class SeedDemoClinical:
    """Adds what is missing: the "General consultation" template (SOAP sections, required,
    and a follow-up section with a default text), and one consultation of Jean Dupont with
    Dr Claire Martin a week ago, from that template, with vitals and a diagnosis, written
    and signed by Dr Martin's demo account (the author signs). Skipped when Jean already
    has a consultation or the demo people are missing."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        create_template: CreateConsultationTemplate,
        create_consultation: CreateConsultation,
        sign_consultation: SignConsultation,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._create_template = create_template
        self._create_consultation = create_consultation
        self._sign = sign_consultation

    async def execute(self, actor: Actor) -> Result[DemoClinicalSeeded, DomainError]:
        organization_id = actor.organization_id
        async with self._uow() as uow:
            template = await uow.consultation_templates.by_name(organization_id, GENERAL_CONSULTATION)
        template_created = False
        if template is None:
            created = await self._create_template.execute(actor, GENERAL_TEMPLATE)
            if isinstance(created, Failure):
                return Failure(created.failure())
            template = created.unwrap()
            template_created = True
        async with self._uow() as uow:
            doctor_account = await uow.users.by_email(organization_id, EmailAddress(DEMO_PRACTITIONER_LOGIN))
            patient_account = await uow.users.by_email(organization_id, EmailAddress(DEMO_PATIENT_LOGIN))
            doctor = await uow.practitioners.by_user(organization_id, doctor_account.id) if doctor_account else None
            patient = await uow.patients.by_user(organization_id, patient_account.id) if patient_account else None
            if doctor_account is None or doctor is None or patient is None:
                return Success(DemoClinicalSeeded(template_created, False))
            existing = await uow.consultations.list(
                organization_id, ListQuery(limit=1, filters={"patient_id": patient.id})
            )
            if existing.unwrap().items:
                return Success(DemoClinicalSeeded(template_created, False))
        # Dr Martin writes and signs her own consultation (only the author signs).
        author = Actor(
            organization_id=organization_id,
            actor_type=ActorType.USER,
            id=doctor_account.id,
            role=Role.PRACTITIONER,
            permissions=permissions_of(Role.PRACTITIONER),
            meta=SYSTEM_META,
        )
        seen_at = (self._clock.now() - timedelta(days=7)).replace(hour=9, minute=30, second=0, microsecond=0)
        opened = await self._create_consultation.execute(
            author,
            CreateConsultationCommand(
                patient_id=patient.id,
                practitioner_id=doctor.id,
                template_id=template.id,
                reason="Blood pressure follow-up",
                started_at=seen_at,
                notes=JEANS_NOTES,
                vitals=VitalsChange(values=JEANS_VITALS, measured_at=seen_at),
                diagnoses=(DiagnosisInput(code="I10", text="Essential hypertension"),),
            ),
        )
        if isinstance(opened, Failure):
            return Failure(opened.failure())
        signed = await self._sign.execute(author, SignConsultationCommand(consultation_id=opened.unwrap().id))
        if isinstance(signed, Failure):
            return Failure(signed.failure())
        return Success(DemoClinicalSeeded(template_created, True))
