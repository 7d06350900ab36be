"""The patient record: demographics, contact, preferences, and the optional link to the
``patient`` account that may see it.

Scalar contact fields hold the canonical text of their value object (``email`` is an
``EmailAddress``'s value, ``phone`` a ``PhoneNumber``'s E.164 form), so other contexts
read them as plain strings.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.patients.values import Address, ContactChannel, Sex
from medcore.domain.practitioners.schedule import TimeZoneName
from medcore.domain.shared.errors import DomainError, FieldIssue, conflict, invalid


class Keep(enum.Enum):
    """A field left as it is by a change (``None`` would mean "clear it")."""

    KEEP = "keep"


KEEP = Keep.KEEP

# The fields a change may touch, in the order they are shown.
DEMOGRAPHIC_FIELDS = (
    "mrn",
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "email",
    "phone",
    "address",
    "preferred_language",
    "preferred_channel",
    "time_zone",
    "user_id",
)

PATIENT_DELETED = conflict("patient.deleted", "This patient record has been deleted.")
MRN_TAKEN = conflict("patient.mrn_taken", "Another patient record of the organization has this medical record number.")
ACCOUNT_ALREADY_LINKED = conflict(
    "patient.user_already_linked", "This account is already linked to another patient record."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientChanges:
    """Validated new values; ``KEEP`` leaves a field alone, ``None`` clears an optional one."""

    mrn: str | Keep = KEEP
    given_name: str | Keep = KEEP
    family_name: str | Keep = KEEP
    birth_date: date | Keep = KEEP
    sex: Sex | Keep = KEEP
    email: str | Keep | None = KEEP
    phone: str | Keep | None = KEEP
    address: Address | Keep | None = KEEP
    preferred_language: str | Keep | None = KEEP
    preferred_channel: ContactChannel | Keep = KEEP
    time_zone: TimeZoneName | Keep | None = KEEP
    user_id: UUID | Keep | None = KEEP

    def given(self) -> dict[str, Any]:
        """The fields this change names, with their new values."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not KEEP}


def default_channel(email: str | None, phone: str | None) -> ContactChannel:
    if email:
        return ContactChannel.EMAIL
    if phone:
        return ContactChannel.SMS
    return ContactChannel.NONE


def _channel_issues(channel: ContactChannel, email: str | None, phone: str | None) -> list[FieldIssue]:
    if channel is ContactChannel.EMAIL and not email:
        return [FieldIssue("preferred_channel", "Email needs an email address: add one or choose another channel.")]
    if channel is ContactChannel.SMS and not phone:
        return [FieldIssue("preferred_channel", "SMS needs a phone number: add one or choose another channel.")]
    return []


@dataclass(slots=True, kw_only=True)
class Patient:
    id: UUID
    organization_id: UUID
    mrn: str
    given_name: str
    family_name: str
    birth_date: date
    sex: Sex = Sex.UNKNOWN
    email: str | None = None
    phone: str | None = None
    address: Address | None = None
    preferred_language: str | None = None
    preferred_channel: ContactChannel = ContactChannel.NONE
    time_zone: TimeZoneName | None = None
    user_id: UUID | None = None  # the `patient` account that sees this record
    deleted_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        organization_id: UUID,
        mrn: str,
        given_name: str,
        family_name: str,
        birth_date: date,
        now: datetime,
        sex: Sex = Sex.UNKNOWN,
        email: str | None = None,
        phone: str | None = None,
        address: Address | None = None,
        preferred_language: str | None = None,
        preferred_channel: ContactChannel | None = None,
        time_zone: TimeZoneName | None = None,
        user_id: UUID | None = None,
    ) -> Result[Patient, DomainError]:
        """A new record from validated values. Without a preferred channel, the patient is
        reached by email if there is one, else by SMS if there is a phone, else not at all."""
        channel = preferred_channel or default_channel(email, phone)
        issues = _channel_issues(channel, email, phone)
        if issues:
            return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
        return Success(
            cls(
                id=id,
                organization_id=organization_id,
                mrn=mrn,
                given_name=given_name,
                family_name=family_name,
                birth_date=birth_date,
                sex=sex,
                email=email,
                phone=phone,
                address=address,
                preferred_language=preferred_language,
                preferred_channel=channel,
                time_zone=time_zone,
                user_id=user_id,
                created_at=now,
                updated_at=now,
            )
        )

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def change(self, changes: PatientChanges, now: datetime) -> Result[tuple[str, ...], DomainError]:
        """Apply validated values; answers the names of the fields that really changed (none
        when every value was already the current one). The contact channel must stay
        reachable: removing the email of a patient reached by email is refused."""
        if self.deleted:
            return Failure(PATIENT_DELETED)
        given = changes.given()
        after = {name: given.get(name, getattr(self, name)) for name in DEMOGRAPHIC_FIELDS}
        issues = _channel_issues(after["preferred_channel"], after["email"], after["phone"])
        if issues:
            return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
        changed = tuple(name for name in DEMOGRAPHIC_FIELDS if after[name] != getattr(self, name))
        for name in changed:
            setattr(self, name, after[name])
        if changed:
            self.updated_at = now
        return Success(changed)

    def delete(self, now: datetime) -> Result[None, DomainError]:
        """Soft delete: the record stays (retention rules decide about erasure) but is no
        longer found."""
        if self.deleted:
            return Failure(PATIENT_DELETED)
        self.deleted_at = now
        self.updated_at = now
        return Success(None)

    def snapshot(self) -> dict[str, Any]:
        """The whole record, as JSON values, for the version history."""
        return {
            "mrn": self.mrn,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex.value,
            "email": self.email,
            "phone": self.phone,
            "address": self.address.snapshot() if self.address else None,
            "preferred_language": self.preferred_language,
            "preferred_channel": self.preferred_channel.value,
            "time_zone": self.time_zone.value if self.time_zone else None,
            "user_id": str(self.user_id) if self.user_id else None,
            "deleted_at": self.deleted_at.isoformat() if self.deleted_at else None,
        }

    def recorded_fields(self) -> tuple[str, ...]:
        """The fields a new record was created with (its first version's "what changed")."""
        return tuple(name for name in DEMOGRAPHIC_FIELDS if getattr(self, name) is not None)
