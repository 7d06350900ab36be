"""The prescribing use cases wired on the in-memory fakes, beside the identity, patients and
practitioners ones, and a clinic to prescribe in: an owner, a prescribing practitioner with
an account, a nurse, a receptionist, a patient with an account and the record linked to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from returns.result import Result

from medcore.adapters.formulary.json_formulary import shipped_formulary
from medcore.adapters.security.verification_codes import HmacVerificationCodes
from medcore.application.patients.add_allergy import AddAllergy, AddAllergyCommand
from medcore.application.patients.add_condition import AddCondition, AddConditionCommand
from medcore.application.patients.add_measurement import AddMeasurement, AddMeasurementCommand
from medcore.application.patients.add_medication import AddMedication, AddMedicationCommand
from medcore.application.patients.create_patient import CreatePatient, CreatePatientCommand
from medcore.application.patients.end_history_entry import EndEntryCommand, EndHistoryEntry
from medcore.application.prescribing.cancel_prescription import CancelPrescription, CancelPrescriptionCommand
from medcore.application.prescribing.create_prescription import CreatePrescription, CreatePrescriptionCommand
from medcore.application.prescribing.create_prescription_template import CreatePrescriptionTemplate
from medcore.application.prescribing.delete_prescription_template import DeletePrescriptionTemplate
from medcore.application.prescribing.dispense_prescription import DispensePrescription
from medcore.application.prescribing.drafting import PrescriptionView
from medcore.application.prescribing.expire_prescriptions import ExpirePrescriptions
from medcore.application.prescribing.get_formulary_medication import GetFormularyMedication
from medcore.application.prescribing.get_prescription import GetPrescription
from medcore.application.prescribing.get_prescription_template import GetPrescriptionTemplate
from medcore.application.prescribing.items import ItemInput
from medcore.application.prescribing.list_patient_prescriptions import ListPatientPrescriptions
from medcore.application.prescribing.list_prescription_templates import ListPrescriptionTemplates
from medcore.application.prescribing.prescribe_from_template import PrescribeFromTemplate
from medcore.application.prescribing.print_prescription import PrintPrescription
from medcore.application.prescribing.renew_prescription import RenewPrescription
from medcore.application.prescribing.search_formulary import SearchFormulary
from medcore.application.prescribing.sign_prescription import (
    AcknowledgementInput,
    SignPrescription,
    SignPrescriptionCommand,
)
from medcore.application.prescribing.update_prescription import UpdatePrescription
from medcore.application.prescribing.validate_prescription import ValidatePrescription
from medcore.application.prescribing.verify_prescription import VerifyPrescription
from medcore.application.shared.actor import Actor
from medcore.domain.identity.permissions import Role
from medcore.domain.patients.history import EntryKind, EntryStatus
from medcore.domain.patients.measurements import MeasurementKind
from medcore.domain.patients.patient import Patient
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.prescribing.printable import PrintablePrescription
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery
from tests.unit.application.world import Tenant, ok
from tests.unit.practitioners.world import PractitionersWorld

KEY = b"unit-tests-prescription-verification-key"


class RecordingRenderer:
    """Keeps what it was asked to print; the PDF is a marker."""

    def __init__(self) -> None:
        self.printed: list[PrintablePrescription] = []

    def render(self, prescription: PrintablePrescription) -> bytes:
        self.printed.append(prescription)
        return b"%PDF-1.7 fake"


def amoxicillin(**fields: Any) -> ItemInput:
    """500 mg by mouth three times a day for 7 days, 21 doses."""
    values: dict[str, Any] = {
        "medication_code": "J01CA04",
        "dose_amount": 500,
        "dose_unit": "mg",
        "route": "oral",
        "frequency_per_day": 3,
        "duration_days": 7,
        "quantity": 21,
    }
    values.update(fields)
    return ItemInput(**values)


def ibuprofen(**fields: Any) -> ItemInput:
    values: dict[str, Any] = {
        "medication_code": "M01AE01",
        "dose_amount": 400,
        "dose_unit": "mg",
        "route": "oral",
        "frequency_per_day": 3,
        "duration_days": 5,
        "quantity": 15,
    }
    values.update(fields)
    return ItemInput(**values)


class PrescribingWorld(PractitionersWorld):
    def __init__(self) -> None:
        super().__init__()
        uow, clock, ids = self.unit_of_work, self.clock, self.ids
        self.formulary = shipped_formulary()
        self.codes = HmacVerificationCodes(KEY)
        self.renderer = RecordingRenderer()
        self.create_patient = CreatePatient(uow, clock, ids)
        self.add_allergy = AddAllergy(uow, clock, ids)
        self.add_condition = AddCondition(uow, clock, ids)
        self.add_medication = AddMedication(uow, clock, ids)
        self.add_measurement = AddMeasurement(uow, clock, ids)
        self.end_entry = EndHistoryEntry(uow, clock, ids)
        f = self.formulary
        self.create = CreatePrescription(uow, clock, ids, f)
        self.update = UpdatePrescription(uow, clock, f)
        self.validate = ValidatePrescription(uow, clock, f)
        self.sign_use_case = SignPrescription(uow, clock, f, self.codes)
        self.cancel = CancelPrescription(uow, clock)
        self.renew = RenewPrescription(uow, clock, ids, f)
        self.get = GetPrescription(uow, clock, f)
        self.list_for_patient = ListPatientPrescriptions(uow)
        self.dispense = DispensePrescription(uow, clock)
        self.expire = ExpirePrescriptions(uow, clock)
        self.print_use_case = PrintPrescription(uow, f, self.renderer, self.codes)
        self.verify = VerifyPrescription(uow, clock, f)
        self.search_formulary = SearchFormulary(uow, f)
        self.get_medication = GetFormularyMedication(uow, f)
        self.create_template = CreatePrescriptionTemplate(uow, clock, ids)
        self.list_templates = ListPrescriptionTemplates(uow)
        self.get_template = GetPrescriptionTemplate(uow)
        self.delete_template = DeletePrescriptionTemplate(uow)
        self.prescribe_from_template = PrescribeFromTemplate(uow, clock, ids, f)


@dataclass
class Clinic:
    """One organization ready to prescribe in."""

    world: PrescribingWorld
    tenant: Tenant
    owner: Actor
    doctor: Actor  # the prescribing practitioner's own account
    practitioner: Practitioner
    nurse: Actor
    reception: Actor
    patient_actor: Actor
    patient: Patient  # linked to patient_actor

    async def colleague(self, email: str = "house@clinic.example") -> tuple[Actor, Practitioner]:
        """Another prescribing practitioner, with an account."""
        actor, user = await self.world.role(self.tenant, Role.PRACTITIONER, email)
        practitioner = await self.world.practitioner(
            self.owner,
            given_name="Gregory",
            family_name="House",
            user_id=user.id,
            licence_number="RPPS 2",
            can_prescribe=True,
        )
        return actor, practitioner

    async def another_patient(self, **fields: Any) -> Patient:
        values: dict[str, Any] = {"given_name": "Marie", "family_name": "Curie", "birth_date": date(1975, 11, 7)}
        values.update(fields)
        return ok(await self.world.create_patient.execute(self.owner, CreatePatientCommand(**values)))

    # --- the record ---------------------------------------------------------------------

    async def allergy(self, substance: str, code: str | None = None, patient: Patient | None = None) -> UUID:
        entry = ok(
            await self.world.add_allergy.execute(
                self.nurse, AddAllergyCommand(patient_id=(patient or self.patient).id, substance=substance, code=code)
            )
        )
        return entry.id

    async def condition(self, code: str, patient: Patient | None = None) -> None:
        ok(
            await self.world.add_condition.execute(
                self.nurse, AddConditionCommand(patient_id=(patient or self.patient).id, code=code)
            )
        )

    async def medication(self, code: str, patient: Patient | None = None) -> None:
        ok(
            await self.world.add_medication.execute(
                self.nurse, AddMedicationCommand(patient_id=(patient or self.patient).id, code=code)
            )
        )

    async def measure(
        self, kind: MeasurementKind, value: float, unit: str, at: datetime, patient: Patient | None = None
    ) -> None:
        ok(
            await self.world.add_measurement.execute(
                self.nurse,
                AddMeasurementCommand(
                    patient_id=(patient or self.patient).id, kind=kind, value=value, unit=unit, measured_at=at
                ),
            )
        )

    async def resolve_allergy(self, entry_id: UUID) -> None:
        ok(
            await self.world.end_entry.execute(
                self.nurse,
                EndEntryCommand(
                    patient_id=self.patient.id, kind=EntryKind.ALLERGY, entry_id=entry_id, status=EntryStatus.RESOLVED
                ),
            )
        )

    # --- prescriptions ------------------------------------------------------------------

    async def draft(
        self, *items: ItemInput, by: Actor | None = None, patient: Patient | None = None, **fields: Any
    ) -> Result[PrescriptionView, DomainError]:
        command = CreatePrescriptionCommand(
            patient_id=(patient or self.patient).id,
            prescriber_id=fields.pop("prescriber_id", self.practitioner.id),
            items=list(items) or [amoxicillin()],
            **fields,
        )
        return await self.world.create.execute(by or self.doctor, command)

    async def drafted(self, *items: ItemInput, **fields: Any) -> PrescriptionView:
        return ok(await self.draft(*items, **fields))

    async def sign(
        self, prescription_id: UUID, *acknowledged: tuple[str, int], by: Actor | None = None, reason: str = "Reviewed."
    ) -> Result[PrescriptionView, DomainError]:
        command = SignPrescriptionCommand(
            prescription_id=prescription_id,
            acknowledgements=[AcknowledgementInput(code=c, item_index=i, reason=reason) for c, i in acknowledged],
        )
        return await self.world.sign_use_case.execute(by or self.doctor, command)

    async def signed(self, *items: ItemInput, **fields: Any) -> PrescriptionView:
        view = await self.drafted(*items, **fields)
        return ok(await self.sign(view.prescription.id))

    async def cancel(self, prescription_id: UUID, by: Actor | None = None) -> Result[Any, DomainError]:
        return await self.world.cancel.execute(
            by or self.doctor, CancelPrescriptionCommand(prescription_id=prescription_id, reason="Changed my mind.")
        )

    async def listed(self, actor: Actor, patient_id: UUID) -> Result[Any, DomainError]:
        return await self.world.list_for_patient.execute(actor, patient_id, ListQuery())


async def open_clinic(world: PrescribingWorld, slug: str = "clinic") -> Clinic:
    tenant = await world.tenant(slug)
    owner = await world.owner(tenant)
    doctor, doctor_user = await world.role(tenant, Role.PRACTITIONER, f"doctor@{slug}.example")
    practitioner = await world.practitioner(
        owner,
        user_id=doctor_user.id,
        licence_number="RPPS 10001234567",
        licence_expires_on=date(2030, 12, 31),
        can_prescribe=True,
        controlled_substances=True,
        specialties=["general_practice"],
    )
    nurse, _ = await world.role(tenant, Role.NURSE, f"nurse@{slug}.example")
    reception, _ = await world.role(tenant, Role.RECEPTIONIST, f"desk@{slug}.example")
    patient_actor, patient_user = await world.role(tenant, Role.PATIENT, f"jean@{slug}.example")
    patient = ok(
        await world.create_patient.execute(
            owner,
            CreatePatientCommand(
                given_name="Jean", family_name="Dupont", birth_date=date(1968, 4, 12), user_id=patient_user.id
            ),
        )
    )
    return Clinic(world, tenant, owner, doctor, practitioner, nurse, reception, patient_actor, patient)
