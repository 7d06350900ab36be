"""Request and response bodies of prescriptions, their templates, verification and the
formulary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from medcore.application.prescribing.items import ItemInput
from medcore.application.prescribing.sign_prescription import AcknowledgementInput
from medcore.application.prescribing.verify_prescription import Verification
from medcore.domain.prescribing.formulary import ContraindicationKind, Formulary, Medication
from medcore.domain.prescribing.prescription import (
    Finding,
    FrequencyKind,
    Prescription,
    PrescriptionItem,
    PrescriptionStatus,
    Severity,
)
from medcore.domain.prescribing.template import PrescriptionTemplate
from medcore.domain.prescribing.wording import describe_item
from medcore.entrypoints.http.listing import PageInfo

_NO_NUL = r"^[^\x00]*$"
AtcCode = Annotated[str, msgspec.Meta(max_length=20, pattern=_NO_NUL, examples=["J01CA04"])]
DoseUnit = Annotated[str, msgspec.Meta(max_length=20, pattern=_NO_NUL, examples=["mg"])]
Route = Annotated[str, msgspec.Meta(max_length=30, pattern=_NO_NUL, examples=["oral"])]
Amount = Annotated[float, msgspec.Meta(gt=0, le=100_000, examples=[500])]
Days = Annotated[int, msgspec.Meta(ge=1, le=365, examples=[7])]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=10_000, examples=[21])]
Refills = Annotated[int, msgspec.Meta(ge=0, le=12)]
DosesPerDay = Annotated[float, msgspec.Meta(gt=0, le=24, examples=[3])]
Hours = Annotated[float, msgspec.Meta(ge=1, le=168, examples=[8])]
Instructions = Annotated[str, msgspec.Meta(max_length=500, pattern=_NO_NUL, examples=["Take with food."])]
Notes = Annotated[str, msgspec.Meta(max_length=2000, pattern=_NO_NUL)]
Reason = Annotated[str, msgspec.Meta(max_length=500, pattern=_NO_NUL)]
FindingCode = Annotated[str, msgspec.Meta(max_length=100, pattern=_NO_NUL, examples=["prescription.interaction"])]
ItemIndex = Annotated[int, msgspec.Meta(ge=0, le=19)]
TemplateName = Annotated[str, msgspec.Meta(max_length=100, pattern=_NO_NUL, examples=["Acute otitis media"])]


def _utc(instant: datetime | None) -> datetime | None:
    return instant.astimezone(UTC) if instant is not None else None


# --- items ------------------------------------------------------------------------------


class ItemIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One medication. Give exactly one of ``frequency_per_day``, ``interval_hours`` and
    ``as_needed_max_per_day``. ``quantity`` counts doses per fill."""

    medication_code: AtcCode
    dose_amount: Amount
    dose_unit: DoseUnit
    route: Route
    duration_days: Days
    quantity: Quantity
    refills: Refills = 0
    frequency_per_day: DosesPerDay | None = None
    interval_hours: Hours | None = None
    as_needed_max_per_day: DosesPerDay | None = None
    instructions: Instructions | None = None

    def to_input(self) -> ItemInput:
        return ItemInput(
            medication_code=self.medication_code,
            dose_amount=self.dose_amount,
            dose_unit=self.dose_unit,
            route=self.route,
            duration_days=self.duration_days,
            quantity=self.quantity,
            refills=self.refills,
            frequency_per_day=self.frequency_per_day,
            interval_hours=self.interval_hours,
            as_needed_max_per_day=self.as_needed_max_per_day,
            instructions=self.instructions,
        )


Items = Annotated[list[ItemIn], msgspec.Meta(min_length=1, max_length=20)]


def inputs(items: Sequence[ItemIn]) -> list[ItemInput]:
    return [item.to_input() for item in items]


class ItemOut(msgspec.Struct, frozen=True):
    medication_code: str
    medication_name: str | None  # None when the formulary no longer knows the code
    dose_amount: float
    dose_unit: str
    route: str
    frequency_per_day: float | None
    interval_hours: float | None
    as_needed_max_per_day: float | None
    duration_days: int
    quantity: int
    refills: int
    instructions: str | None
    description: str  # the item in plain language, as printed


def item_out(item: PrescriptionItem, formulary: Formulary) -> ItemOut:
    medication = formulary.medication(item.medication_code)
    kind, value = item.frequency.kind, item.frequency.value
    return ItemOut(
        medication_code=item.medication_code,
        medication_name=medication.name if medication else None,
        dose_amount=item.dose_amount,
        dose_unit=item.dose_unit,
        route=item.route,
        frequency_per_day=value if kind is FrequencyKind.TIMES_PER_DAY else None,
        interval_hours=value if kind is FrequencyKind.INTERVAL_HOURS else None,
        as_needed_max_per_day=value if kind is FrequencyKind.AS_NEEDED else None,
        duration_days=item.duration_days,
        quantity=item.quantity,
        refills=item.refills,
        instructions=item.instructions,
        description=describe_item(item, medication.name if medication else item.medication_code),
    )


# --- prescriptions ----------------------------------------------------------------------


class CreatePrescriptionRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    patient_id: UUID
    prescriber_id: UUID  # a practitioner
    items: Items
    consultation_id: UUID | None = None
    notes: Notes | None = None


class UpdatePrescriptionRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Merge semantics: fields left out keep their value; ``null`` clears ``notes`` or
    ``consultation_id``; ``items`` replaces every item."""

    items: Items | UnsetType = UNSET
    notes: Notes | UnsetType | None = UNSET
    consultation_id: UUID | UnsetType | None = UNSET


class AcknowledgementIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: FindingCode
    item_index: ItemIndex
    reason: Reason

    def to_input(self) -> AcknowledgementInput:
        return AcknowledgementInput(code=self.code, item_index=self.item_index, reason=self.reason)


class SignPrescriptionRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One acknowledgement per warning and item it names."""

    acknowledgements: Annotated[list[AcknowledgementIn], msgspec.Meta(max_length=1000)] = msgspec.field(
        default_factory=list
    )


class CancelPrescriptionRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: Reason


class DispensePrescriptionRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    partial: bool = False


class FindingOut(msgspec.Struct, frozen=True):
    code: str
    severity: Severity
    message: str
    items: list[int]  # indexes of the items concerned


def finding_out(finding: Finding) -> FindingOut:
    return FindingOut(code=finding.code, severity=finding.severity, message=finding.message, items=list(finding.items))


class FindingsOut(msgspec.Struct, frozen=True):
    findings: list[FindingOut]


def findings_out(findings: Sequence[Finding]) -> FindingsOut:
    return FindingsOut(findings=[finding_out(f) for f in findings])


class AcknowledgementOut(msgspec.Struct, frozen=True):
    code: str
    item_index: int
    reason: str
    acknowledged_by: UUID | None
    acknowledged_at: datetime | None


class PrescriptionOut(msgspec.Struct, frozen=True):
    id: UUID
    patient_id: UUID
    prescriber_id: UUID
    consultation_id: UUID | None
    status: PrescriptionStatus
    notes: str | None
    items: list[ItemOut]
    acknowledgements: list[AcknowledgementOut]
    # A draft's findings as they stand (on create, update, renew and read by staff); null
    # where they were not assessed.
    findings: list[FindingOut] | None
    signed_at: datetime | None
    signed_by: UUID | None
    valid_until: date | None
    renewed_from_id: UUID | None
    cancelled_at: datetime | None
    cancellation_reason: str | None
    dispensed_at: datetime | None
    formulary_version: str | None
    created_at: datetime
    updated_at: datetime
    version: int


def prescription_out(
    prescription: Prescription, formulary: Formulary, findings: Sequence[Finding] | None = None
) -> PrescriptionOut:
    created_at = _utc(prescription.created_at)
    updated_at = _utc(prescription.updated_at)
    assert created_at is not None
    assert updated_at is not None
    return PrescriptionOut(
        id=prescription.id,
        patient_id=prescription.patient_id,
        prescriber_id=prescription.prescriber_id,
        consultation_id=prescription.consultation_id,
        status=prescription.status,
        notes=prescription.notes,
        items=[item_out(item, formulary) for item in prescription.items],
        acknowledgements=[
            AcknowledgementOut(
                code=a.code, item_index=a.item_index, reason=a.reason, acknowledged_by=a.by, acknowledged_at=_utc(a.at)
            )
            for a in prescription.acknowledgements
        ],
        findings=[finding_out(f) for f in findings] if findings is not None else None,
        signed_at=_utc(prescription.signed_at),
        signed_by=prescription.signed_by,
        valid_until=prescription.valid_until,
        renewed_from_id=prescription.renewed_from_id,
        cancelled_at=_utc(prescription.cancelled_at),
        cancellation_reason=prescription.cancellation_reason,
        dispensed_at=_utc(prescription.dispensed_at),
        formulary_version=prescription.formulary_version,
        created_at=created_at,
        updated_at=updated_at,
        version=prescription.version,
    )


class PrescriptionList(msgspec.Struct, frozen=True):
    items: list[PrescriptionOut]
    page: PageInfo


# --- verification -----------------------------------------------------------------------


class VerifiedPrescriber(msgspec.Struct, frozen=True):
    name: str
    licence_number: str | None


class VerifiedPatient(msgspec.Struct, frozen=True):
    initials: str
    birth_year: int


class VerificationOut(msgspec.Struct, frozen=True):
    """``valid``: it may be dispensed today (signed or partially dispensed, within its
    validity). ``status`` says why not otherwise."""

    prescription_id: UUID
    status: PrescriptionStatus
    valid: bool
    issued_on: date
    valid_until: date
    prescriber: VerifiedPrescriber
    patient: VerifiedPatient
    items: list[str]


def verification_out(verification: Verification) -> VerificationOut:
    return VerificationOut(
        prescription_id=verification.prescription_id,
        status=verification.status,
        valid=verification.valid,
        issued_on=verification.issued_on,
        valid_until=verification.valid_until,
        prescriber=VerifiedPrescriber(
            name=verification.prescriber_name, licence_number=verification.prescriber_licence
        ),
        patient=VerifiedPatient(initials=verification.patient_initials, birth_year=verification.patient_birth_year),
        items=list(verification.items),
    )


# --- templates --------------------------------------------------------------------------


class CreateTemplateRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: TemplateName
    items: Items
    practitioner_id: UUID | None = None  # defaults to your own practitioner
    notes: Notes | None = None


class PrescribeFromTemplateRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    patient_id: UUID
    consultation_id: UUID | None = None
    notes: Notes | None = None  # replaces the template's notes


class TemplateOut(msgspec.Struct, frozen=True):
    id: UUID
    practitioner_id: UUID
    name: str
    notes: str | None
    items: list[ItemOut]
    created_at: datetime
    updated_at: datetime
    version: int


def template_out(template: PrescriptionTemplate, formulary: Formulary) -> TemplateOut:
    return TemplateOut(
        id=template.id,
        practitioner_id=template.practitioner_id,
        name=template.name,
        notes=template.notes,
        items=[item_out(item, formulary) for item in template.items],
        created_at=template.created_at.astimezone(UTC),
        updated_at=template.updated_at.astimezone(UTC),
        version=template.version,
    )


class TemplateList(msgspec.Struct, frozen=True):
    items: list[TemplateOut]
    page: PageInfo


# --- formulary --------------------------------------------------------------------------


class ContraindicationOut(msgspec.Struct, frozen=True):
    kind: ContraindicationKind
    severity: Severity
    text: str
    icd10_prefixes: list[str]
    egfr_below: float | None


class MedicationOut(msgspec.Struct, frozen=True):
    code: str  # ATC level 5
    name: str
    ingredients: list[str]
    therapeutic_class: str  # ATC level 4
    groups: list[str]
    routes: list[str]
    forms: list[str]
    dose_unit: str  # the unit of the maximum doses
    adult_max_daily_dose: float | None
    paediatric_max_daily_dose_per_kg: float | None
    paediatric_max_daily_dose: float | None
    min_age_years: int | None
    controlled_schedule: str | None
    contraindications: list[ContraindicationOut]


def medication_out(medication: Medication) -> MedicationOut:
    return MedicationOut(
        code=medication.code,
        name=medication.name,
        ingredients=list(medication.ingredients),
        therapeutic_class=medication.therapeutic_class,
        groups=list(medication.groups),
        routes=list(medication.routes),
        forms=list(medication.forms),
        dose_unit=medication.dose_unit,
        adult_max_daily_dose=medication.adult_max_daily_dose,
        paediatric_max_daily_dose_per_kg=medication.paediatric_max_daily_dose_per_kg,
        paediatric_max_daily_dose=medication.paediatric_max_daily_dose,
        min_age_years=medication.min_age_years,
        controlled_schedule=medication.controlled_schedule,
        contraindications=[
            ContraindicationOut(
                kind=c.kind,
                severity=Severity(c.severity),
                text=c.text,
                icd10_prefixes=list(c.icd10_prefixes),
                egfr_below=c.egfr_below,
            )
            for c in medication.contraindications
        ],
    )


class MedicationList(msgspec.Struct, frozen=True):
    items: list[MedicationOut]
    page: PageInfo
