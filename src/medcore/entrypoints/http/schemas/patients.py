"""Request and response bodies of the patient endpoints (records, medical history, versions)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from medcore.application.patients.demographics import AddressInput, PatientInput
from medcore.domain.audit.entry import ActorType
from medcore.domain.patients.history import (
    Allergy,
    AllergySeverity,
    AnyEntry,
    Condition,
    EntryStatus,
    Measurement,
    Medication,
)
from medcore.domain.patients.measurements import MeasurementKind
from medcore.domain.patients.patient import KEEP, Keep, Patient
from medcore.domain.patients.values import Address, ContactChannel, Sex
from medcore.domain.patients.versions import PatientVersion, VersionAction, VersionedResource
from medcore.entrypoints.http.listing import PageInfo
from medcore.entrypoints.http.schemas.common import Email, ShortText

_NO_NUL = r"^[^\x00]*$"
Code = Annotated[str, msgspec.Meta(max_length=20, pattern=_NO_NUL, examples=["J01C"])]
Token = Annotated[str, msgspec.Meta(max_length=64, pattern=_NO_NUL)]
Phone = Annotated[str, msgspec.Meta(max_length=40, pattern=_NO_NUL, examples=["+33 6 12 34 56 78"])]
Instant = Annotated[datetime, msgspec.Meta(tz=True)]


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def utc_or_none(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


class ActorRef(msgspec.Struct, frozen=True):
    """Who did it: a user or an API key (by id), or the system (a batch job, the CLI)."""

    type: ActorType
    id: UUID | None = None


# --- records ----------------------------------------------------------------------------


class AddressIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    line1: ShortText
    city: ShortText
    country: Annotated[str, msgspec.Meta(max_length=10, pattern=_NO_NUL, examples=["FR"])]
    line2: ShortText | None = None
    postal_code: Token | None = None

    def to_input(self) -> AddressInput:
        return AddressInput(
            line1=self.line1, line2=self.line2, postal_code=self.postal_code, city=self.city, country=self.country
        )


class AddressOut(msgspec.Struct, frozen=True):
    line1: str
    city: str
    country: str
    line2: str | None = None
    postal_code: str | None = None


def address_out(address: Address) -> AddressOut:
    return AddressOut(
        line1=address.line1,
        line2=address.line2,
        postal_code=address.postal_code,
        city=address.city,
        country=address.country.value,
    )


class PatientOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    mrn: str
    given_name: str
    family_name: str
    birth_date: date
    sex: Sex
    email: str | None = None
    phone: str | None = None
    address: AddressOut | None = None
    preferred_language: str | None = None
    preferred_channel: ContactChannel
    time_zone: str | None = None
    user_id: UUID | None = None
    created_at: datetime
    updated_at: datetime
    version: int


def patient_out(patient: Patient) -> PatientOut:
    return PatientOut(
        id=patient.id,
        mrn=patient.mrn,
        given_name=patient.given_name,
        family_name=patient.family_name,
        birth_date=patient.birth_date,
        sex=patient.sex,
        email=patient.email,
        phone=patient.phone,
        address=address_out(patient.address) if patient.address else None,
        preferred_language=patient.preferred_language,
        preferred_channel=patient.preferred_channel,
        time_zone=patient.time_zone.value if patient.time_zone else None,
        user_id=patient.user_id,
        created_at=utc(patient.created_at),
        updated_at=utc(patient.updated_at),
        version=patient.version,
    )


class PatientList(msgspec.Struct, frozen=True):
    items: list[PatientOut]
    page: PageInfo


class CreatePatientRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    given_name: ShortText
    family_name: ShortText
    birth_date: Annotated[date, msgspec.Meta(examples=["1980-05-17"])]
    sex: Sex = Sex.UNKNOWN
    email: Email | None = None
    phone: Phone | None = None
    address: AddressIn | None = None
    preferred_language: Token | None = None
    preferred_channel: ContactChannel | None = None
    time_zone: Token | None = None
    mrn: Token | None = None
    user_id: UUID | None = None


class UpdatePatientRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Merge semantics: absent fields are left alone, ``null`` clears an optional one;
    ``address`` is replaced whole."""

    mrn: Token | UnsetType = UNSET
    given_name: ShortText | UnsetType = UNSET
    family_name: ShortText | UnsetType = UNSET
    birth_date: date | UnsetType = UNSET
    sex: Sex | UnsetType = UNSET
    email: Email | UnsetType | None = UNSET
    phone: Phone | UnsetType | None = UNSET
    address: AddressIn | UnsetType | None = UNSET
    preferred_language: Token | UnsetType | None = UNSET
    preferred_channel: ContactChannel | UnsetType = UNSET
    time_zone: Token | UnsetType | None = UNSET
    user_id: UUID | UnsetType | None = UNSET

    def to_input(self) -> PatientInput:
        def given(value: Any) -> Any:
            return KEEP if value is UNSET else value

        address: AddressInput | Keep | None = KEEP
        if isinstance(self.address, AddressIn):
            address = self.address.to_input()
        elif self.address is None:
            address = None
        return PatientInput(
            mrn=given(self.mrn),
            given_name=given(self.given_name),
            family_name=given(self.family_name),
            birth_date=given(self.birth_date),
            sex=given(self.sex),
            email=given(self.email),
            phone=given(self.phone),
            address=address,
            preferred_language=given(self.preferred_language),
            preferred_channel=given(self.preferred_channel),
            time_zone=given(self.time_zone),
            user_id=given(self.user_id),
        )


# --- medical history --------------------------------------------------------------------


class EntryOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    patient_id: UUID
    status: EntryStatus
    recorded_by: ActorRef
    created_at: datetime
    updated_at: datetime
    version: int
    ended_at: datetime | None = None
    ended_by: UUID | None = None
    end_reason: str | None = None


def _entry_fields(entry: AnyEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "patient_id": entry.patient_id,
        "status": entry.status,
        "recorded_by": ActorRef(type=entry.recorded_by_type, id=entry.recorded_by),
        "created_at": utc(entry.created_at),
        "updated_at": utc(entry.updated_at),
        "version": entry.version,
        "ended_at": utc_or_none(entry.ended_at),
        "ended_by": entry.ended_by,
        "end_reason": entry.end_reason,
    }


class AllergyIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    substance: ShortText
    code: Code | None = None  # ATC: a substance (J01CA04) or a class (J01C)
    reaction: ShortText | None = None
    severity: AllergySeverity = AllergySeverity.UNKNOWN


class AllergyOut(EntryOut, frozen=True, kw_only=True):
    substance: str
    severity: AllergySeverity
    code: str | None = None
    reaction: str | None = None


class ConditionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(max_length=20, pattern=_NO_NUL, examples=["E11.9"])]  # ICD-10
    text: ShortText | None = None
    onset: date | None = None
    status: Literal["active", "resolved", "inactive"] = "active"


class ConditionOut(EntryOut, frozen=True, kw_only=True):
    code: str
    text: str | None = None
    onset: date | None = None


class MedicationIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(max_length=20, pattern=_NO_NUL, examples=["C09AA05"])] | None = None
    name: ShortText | None = None
    dose: ShortText | None = None
    since: date | None = None


class MedicationOut(EntryOut, frozen=True, kw_only=True):
    code: str | None = None
    name: str | None = None
    dose: str | None = None
    since: date | None = None


class MeasurementIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    kind: MeasurementKind
    value: float
    unit: Annotated[str, msgspec.Meta(max_length=20, pattern=_NO_NUL, examples=["kg"])]
    measured_at: Instant


class MeasurementOut(EntryOut, frozen=True, kw_only=True):
    kind: MeasurementKind
    value: float
    unit: str
    measured_at: datetime
    recorded_by_patient: bool


def allergy_out(entry: Allergy) -> AllergyOut:
    return AllergyOut(
        **_entry_fields(entry),
        substance=entry.substance,
        code=entry.code.value if entry.code else None,
        reaction=entry.reaction,
        severity=entry.severity,
    )


def condition_out(entry: Condition) -> ConditionOut:
    return ConditionOut(**_entry_fields(entry), code=entry.code.value, text=entry.text, onset=entry.onset)


def medication_out(entry: Medication) -> MedicationOut:
    return MedicationOut(
        **_entry_fields(entry),
        code=entry.code.value if entry.code else None,
        name=entry.name,
        dose=entry.dose,
        since=entry.since,
    )


def measurement_out(entry: Measurement) -> MeasurementOut:
    return MeasurementOut(
        **_entry_fields(entry),
        kind=entry.kind,
        value=entry.value,
        unit=entry.unit,
        measured_at=utc(entry.measured_at),
        recorded_by_patient=entry.recorded_by_patient,
    )


class AllergyList(msgspec.Struct, frozen=True):
    items: list[AllergyOut]
    page: PageInfo


class ConditionList(msgspec.Struct, frozen=True):
    items: list[ConditionOut]
    page: PageInfo


class MedicationList(msgspec.Struct, frozen=True):
    items: list[MedicationOut]
    page: PageInfo


class MeasurementList(msgspec.Struct, frozen=True):
    items: list[MeasurementOut]
    page: PageInfo


Reason = ShortText | None


class EndAllergyRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    status: Literal["resolved", "entered_in_error"]
    reason: Reason = None


class EndConditionRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    status: Literal["resolved", "inactive", "entered_in_error"]
    reason: Reason = None


class EndMedicationRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    status: Literal["stopped", "entered_in_error"]
    reason: Reason = None


class EndMeasurementRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    status: Literal["entered_in_error"] = "entered_in_error"
    reason: Reason = None


# --- versions ---------------------------------------------------------------------------


class VersionOut(msgspec.Struct, frozen=True):
    sequence: int
    resource_type: VersionedResource
    resource_id: UUID
    action: VersionAction
    changed_fields: list[str]
    snapshot: dict[str, Any]  # the resource as it was after this change
    changed_by: ActorRef
    changed_at: datetime


def version_out(version: PatientVersion) -> VersionOut:
    return VersionOut(
        sequence=version.sequence,
        resource_type=version.resource_type,
        resource_id=version.resource_id,
        action=version.action,
        changed_fields=list(version.changed_fields),
        snapshot=dict(version.snapshot),
        changed_by=ActorRef(type=version.actor_type, id=version.actor_id),
        changed_at=utc(version.recorded_at),
    )


class VersionList(msgspec.Struct, frozen=True):
    items: list[VersionOut]
    page: PageInfo
