"""Raw demographic input, as the API receives it, checked into a ``PatientChanges``; and the
checks that need the database (a free MRN, a linkable account)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.permissions import Role
from medcore.domain.patients.patient import ACCOUNT_ALREADY_LINKED, KEEP, MRN_TAKEN, Keep, PatientChanges
from medcore.domain.patients.values import (
    Address,
    ContactChannel,
    LanguageTag,
    MedicalRecordNumber,
    PhoneNumber,
    Sex,
    check_birth_date,
    check_name,
)
from medcore.domain.practitioners.schedule import TimeZoneName
from medcore.domain.shared.errors import DomainError, FieldIssue, field_invalid, invalid

T = TypeVar("T")

NOT_A_PATIENT_ACCOUNT = field_invalid("user_id", "Link an account of this organization with the patient role.")


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressInput:
    line1: str
    city: str
    country: str
    line2: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientInput:
    """Raw values; ``KEEP`` leaves a field as it is, ``None`` clears an optional one."""

    mrn: str | Keep = KEEP
    given_name: str | Keep = KEEP
    family_name: str | Keep = KEEP
    birth_date: date | Keep = KEEP
    sex: Sex | Keep = KEEP
    email: str | Keep | None = KEEP
    phone: str | Keep | None = KEEP
    address: AddressInput | Keep | None = KEEP
    preferred_language: str | Keep | None = KEEP
    preferred_channel: ContactChannel | Keep = KEEP
    time_zone: str | Keep | None = KEEP
    user_id: UUID | Keep | None = KEEP

    def given(self) -> frozenset[str]:
        """The names of the fields this input sets."""
        return frozenset(f.name for f in fields(self) if getattr(self, f.name) is not KEEP)


def given_or(value: T | Keep, default: T) -> T:
    return default if isinstance(value, Keep) else value


def parse_patient_input(data: PatientInput, now: datetime) -> Result[PatientChanges, DomainError]:
    """Check every given field at once; the error names each invalid one."""
    issues: list[FieldIssue] = []
    parsed: dict[str, Any] = {}

    def take(name: str, result: Result[Any, DomainError]) -> None:
        if isinstance(result, Failure):
            issues.extend(result.failure().fields)
        else:
            parsed[name] = result.unwrap()

    def optional(name: str, raw: str | None, parse: Any) -> None:
        if raw is None or not raw.strip():
            parsed[name] = None
        else:
            take(name, parse(raw))

    if not isinstance(data.mrn, Keep):
        take("mrn", MedicalRecordNumber.parse(data.mrn).map(str))
    for name in ("given_name", "family_name"):
        raw = getattr(data, name)
        if not isinstance(raw, Keep):
            take(name, check_name(raw, name))
    if not isinstance(data.birth_date, Keep):
        take("birth_date", check_birth_date(data.birth_date, now))
    if not isinstance(data.sex, Keep):
        parsed["sex"] = data.sex
    if not isinstance(data.email, Keep):
        optional("email", data.email, lambda raw: EmailAddress.parse(raw).map(str))
    if not isinstance(data.phone, Keep):
        optional("phone", data.phone, lambda raw: PhoneNumber.parse(raw).map(str))
    if not isinstance(data.address, Keep):
        address = data.address
        if address is None:
            parsed["address"] = None
        else:
            take(
                "address",
                Address.build(
                    line1=address.line1,
                    line2=address.line2,
                    postal_code=address.postal_code,
                    city=address.city,
                    country=address.country,
                ),
            )
    if not isinstance(data.preferred_language, Keep):
        optional("preferred_language", data.preferred_language, lambda raw: LanguageTag.parse(raw).map(str))
    if not isinstance(data.preferred_channel, Keep):
        parsed["preferred_channel"] = data.preferred_channel
    if not isinstance(data.time_zone, Keep):
        optional("time_zone", data.time_zone, lambda raw: TimeZoneName.parse(raw.strip()))
    if not isinstance(data.user_id, Keep):
        parsed["user_id"] = data.user_id
    if issues:
        return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
    return Success(PatientChanges(**parsed))


async def check_mrn_free(uow: UnitOfWork, organization_id: UUID, mrn: str) -> Result[None, DomainError]:
    if await uow.patients.mrn_taken(organization_id, mrn):
        return Failure(MRN_TAKEN)
    return Success(None)


async def generate_mrn(uow: UnitOfWork, organization_id: UUID) -> str:
    """The organization's next number that no record holds (a number given by hand may have
    taken one from the sequence)."""
    while True:
        candidate = await uow.patients.next_mrn(organization_id)
        if not await uow.patients.mrn_taken(organization_id, candidate):
            return candidate


async def check_linkable_account(
    uow: UnitOfWork, organization_id: UUID, user_id: UUID, patient_id: UUID | None
) -> Result[None, DomainError]:
    """An account of the organization with the ``patient`` role, not linked to another record."""
    user = await uow.users.get(organization_id, user_id)
    if user is None or user.role is not Role.PATIENT:
        return Failure(NOT_A_PATIENT_ACCOUNT)
    linked = await uow.patients.by_user(organization_id, user_id)
    if linked is not None and linked.id != patient_id:
        return Failure(ACCOUNT_ALREADY_LINKED)
    return Success(None)
