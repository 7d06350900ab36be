"""SeedDemoPatients: the demo organization's patient records and their medical history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.add_allergy import AddAllergy, AddAllergyCommand
from medcore.application.patients.add_condition import AddCondition, AddConditionCommand
from medcore.application.patients.add_measurement import AddMeasurement, AddMeasurementCommand
from medcore.application.patients.add_medication import AddMedication, AddMedicationCommand
from medcore.application.patients.create_patient import CreatePatient, CreatePatientCommand
from medcore.application.patients.demographics import AddressInput
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.email import EmailAddress
from medcore.domain.patients.history import AllergySeverity
from medcore.domain.patients.measurements import MeasurementKind
from medcore.domain.patients.values import ContactChannel, Sex
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True)
class DemoMeasurement:
    kind: MeasurementKind
    value: float
    unit: str
    days_ago: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoPatient:
    mrn: str
    given_name: str
    family_name: str
    birth_date: date
    sex: Sex
    email: str | None = None
    phone: str | None = None
    address: tuple[str, str, str] = ("1 rue de la Paix", "75002", "Paris")  # line 1, postal code, city
    account_email: str | None = None  # the demo `patient` login linked to this record
    allergies: tuple[tuple[str, str | None, str | None, AllergySeverity], ...] = ()  # substance, ATC, reaction
    conditions: tuple[tuple[str, str, date | None], ...] = ()  # ICD-10, text, onset
    medications: tuple[tuple[str | None, str, str | None, date | None], ...] = ()  # ATC, name, dose, since
    measurements: tuple[DemoMeasurement, ...] = ()


DEMO_PATIENTS = (
    DemoPatient(
        mrn="DEMO-0001",
        given_name="Jean",
        family_name="Dupont",
        birth_date=date(1968, 4, 12),
        sex=Sex.MALE,
        email="jean.dupont@demo.medcore.dev",
        phone="+33 6 12 34 56 78",
        account_email="jean.dupont@demo.medcore.dev",
        allergies=(("Penicillin", "J01C", "Hives", AllergySeverity.MODERATE),),
        conditions=(("I10", "Essential hypertension", date(2015, 3, 2)),),
        medications=(("C09AA05", "Ramipril", "5 mg once daily", date(2015, 3, 16)),),
        measurements=(
            DemoMeasurement(MeasurementKind.WEIGHT, 82.5, "kg", 14),
            DemoMeasurement(MeasurementKind.HEIGHT, 178, "cm", 14),
            DemoMeasurement(MeasurementKind.BLOOD_PRESSURE_SYSTOLIC, 138, "mmHg", 14),
            DemoMeasurement(MeasurementKind.BLOOD_PRESSURE_DIASTOLIC, 86, "mmHg", 14),
        ),
    ),
    DemoPatient(
        mrn="DEMO-0002",
        given_name="Amélie",
        family_name="Laurent",
        birth_date=date(1991, 9, 23),
        sex=Sex.FEMALE,
        email="amelie.laurent@example.org",
        conditions=(("Z34.0", "First pregnancy, routine supervision", None),),
        measurements=(DemoMeasurement(MeasurementKind.WEIGHT, 64, "kg", 7),),
    ),
    DemoPatient(
        mrn="DEMO-0003",
        given_name="Lucas",
        family_name="Martin",
        birth_date=date(2019, 6, 5),
        sex=Sex.MALE,
        phone="+33 7 98 76 54 32",
        address=("12 quai Saint-Antoine", "69002", "Lyon"),
        conditions=(("J45.9", "Asthma", date(2022, 1, 10)),),
        medications=(("R03AC02", "Salbutamol inhaler", "100 mcg as needed", date(2022, 1, 10)),),
        measurements=(
            DemoMeasurement(MeasurementKind.WEIGHT, 18.4, "kg", 30),
            DemoMeasurement(MeasurementKind.HEIGHT, 109, "cm", 30),
        ),
    ),
    DemoPatient(
        mrn="DEMO-0004",
        given_name="Ahmed",
        family_name="Benali",
        birth_date=date(1952, 11, 30),
        sex=Sex.MALE,
        email="ahmed.benali@example.org",
        phone="+33 6 55 44 33 22",
        address=("40 La Canebière", "13001", "Marseille"),
        conditions=(("I48.9", "Atrial fibrillation", date(2018, 5, 1)), ("N18.3", "Chronic kidney disease", None)),
        medications=(("B01AA03", "Warfarin", "5 mg once daily", date(2018, 5, 3)),),
        measurements=(
            DemoMeasurement(MeasurementKind.WEIGHT, 76, "kg", 21),
            DemoMeasurement(MeasurementKind.EGFR, 48, "mL/min/1.73m2", 21),
        ),
    ),
    DemoPatient(
        mrn="DEMO-0005",
        given_name="Chloé",
        family_name="Bernard",
        birth_date=date(1985, 2, 14),
        sex=Sex.FEMALE,
        email="chloe.bernard@example.org",
        allergies=(("Ibuprofen", "M01AE01", "Bronchospasm", AllergySeverity.SEVERE),),
    ),
)


class SeedDemoPatients:
    """Create the demo patient records (through the use cases, so they are versioned and
    audited like any other), Jean Dupont's linked to the demo patient login. Records whose
    MRN already exists are left as they are: running it again changes nothing."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        create_patient: CreatePatient,
        add_allergy: AddAllergy,
        add_condition: AddCondition,
        add_medication: AddMedication,
        add_measurement: AddMeasurement,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._create_patient = create_patient
        self._add_allergy = add_allergy
        self._add_condition = add_condition
        self._add_medication = add_medication
        self._add_measurement = add_measurement

    async def execute(self, actor: Actor) -> Result[int, DomainError]:
        """Answers how many records were created."""
        organization_id = actor.organization_id
        created = 0
        for demo in DEMO_PATIENTS:
            async with self._uow() as uow:
                if await uow.patients.mrn_taken(organization_id, demo.mrn):
                    continue
                account = None
                if demo.account_email:
                    account = await uow.users.by_email(organization_id, EmailAddress(demo.account_email))
            seeded = await self._seed(actor, demo, account.id if account else None)
            if isinstance(seeded, Failure):
                return seeded
            created += 1
        return Success(created)

    async def _seed(self, actor: Actor, demo: DemoPatient, user_id: UUID | None) -> Result[int, DomainError]:
        patient = await self._create_patient.execute(
            actor,
            CreatePatientCommand(
                mrn=demo.mrn,
                given_name=demo.given_name,
                family_name=demo.family_name,
                birth_date=demo.birth_date,
                sex=demo.sex,
                email=demo.email,
                phone=demo.phone,
                address=AddressInput(
                    line1=demo.address[0], postal_code=demo.address[1], city=demo.address[2], country="FR"
                ),
                preferred_language="fr",
                preferred_channel=ContactChannel.EMAIL if demo.email else None,
                time_zone="Europe/Paris",
                user_id=user_id,
            ),
        )
        if isinstance(patient, Failure):
            return Failure(patient.failure())
        patient_id = patient.unwrap().id
        now = self._clock.now()
        results: list[Result[object, DomainError]] = []
        for substance, code, reaction, severity in demo.allergies:
            command = AddAllergyCommand(
                patient_id=patient_id, substance=substance, code=code, reaction=reaction, severity=severity
            )
            results.append(await self._add_allergy.execute(actor, command))
        for icd10, text, onset in demo.conditions:
            condition = AddConditionCommand(patient_id=patient_id, code=icd10, text=text, onset=onset)
            results.append(await self._add_condition.execute(actor, condition))
        for atc, name, dose, since in demo.medications:
            medication = AddMedicationCommand(patient_id=patient_id, code=atc, name=name, dose=dose, since=since)
            results.append(await self._add_medication.execute(actor, medication))
        for m in demo.measurements:
            measurement = AddMeasurementCommand(
                patient_id=patient_id,
                kind=m.kind,
                value=m.value,
                unit=m.unit,
                measured_at=now - timedelta(days=m.days_ago),
            )
            results.append(await self._add_measurement.execute(actor, measurement))
        for result in results:
            if isinstance(result, Failure):
                return Failure(result.failure())
        return Success(1)
