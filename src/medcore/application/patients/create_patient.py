"""CreatePatient: open a patient record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.demographics import (
    AddressInput,
    PatientInput,
    check_linkable_account,
    check_mrn_free,
    generate_mrn,
    given_or,
    parse_patient_input,
)
from medcore.application.patients.recording import record_version
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.patient import KEEP, Keep, Patient
from medcore.domain.patients.values import ContactChannel, Sex
from medcore.domain.patients.versions import VersionAction, VersionedResource
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePatientCommand:
    given_name: str
    family_name: str
    birth_date: date
    sex: Sex = Sex.UNKNOWN
    email: str | None = None
    phone: str | None = None
    address: AddressInput | None = None
    preferred_language: str | None = None
    preferred_channel: ContactChannel | None = None
    time_zone: str | None = None
    mrn: str | None = None
    user_id: UUID | None = None

    def as_input(self) -> PatientInput:
        return PatientInput(
            mrn=KEEP if self.mrn is None else self.mrn,
            given_name=self.given_name,
            family_name=self.family_name,
            birth_date=self.birth_date,
            sex=self.sex,
            email=self.email,
            phone=self.phone,
            address=self.address,
            preferred_language=self.preferred_language,
            preferred_channel=KEEP if self.preferred_channel is None else self.preferred_channel,
            time_zone=self.time_zone,
            user_id=KEEP if self.user_id is None else self.user_id,
        )


class CreatePatient:
    """Open a record. Without ``mrn`` the organization's next number is given
    (``MRN-000123``); a given one must be free in the organization (409 otherwise).
    ``user_id`` links the record to an account with the ``patient`` role, which then sees
    it (one record per account). Without ``preferred_channel``, the patient is reached by
    email if there is one, else by SMS if there is a phone, else not at all."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: CreatePatientCommand) -> Result[Patient, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.PATIENTS_WRITE, action="patient.create", resource_type="patient"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            now = self._clock.now()
            parsed = parse_patient_input(command.as_input(), now)
            if isinstance(parsed, Failure):
                return Failure(parsed.failure())
            values = parsed.unwrap()
            organization_id = actor.organization_id
            patient_id = self._ids.new_id()
            if isinstance(values.user_id, UUID):
                linkable = await check_linkable_account(uow, organization_id, values.user_id, patient_id)
                if isinstance(linkable, Failure):
                    return Failure(linkable.failure())
            if isinstance(values.mrn, Keep):
                mrn = await generate_mrn(uow, organization_id)
            else:
                mrn = values.mrn
                free = await check_mrn_free(uow, organization_id, mrn)
                if isinstance(free, Failure):
                    return Failure(free.failure())
            registered = Patient.register(
                id=patient_id,
                organization_id=organization_id,
                mrn=mrn,
                given_name=given_or(values.given_name, command.given_name),
                family_name=given_or(values.family_name, command.family_name),
                birth_date=given_or(values.birth_date, command.birth_date),
                sex=given_or(values.sex, Sex.UNKNOWN),
                email=given_or(values.email, None),
                phone=given_or(values.phone, None),
                address=given_or(values.address, None),
                preferred_language=given_or(values.preferred_language, None),
                preferred_channel=given_or(values.preferred_channel, None),
                time_zone=given_or(values.time_zone, None),
                user_id=given_or(values.user_id, None),
                now=now,
            )
            if isinstance(registered, Failure):
                return Failure(registered.failure())
            patient = registered.unwrap()
            await uow.patients.add(patient)
            await record_version(
                uow,
                self._ids,
                actor,
                patient_id=patient.id,
                resource_type=VersionedResource.PATIENT,
                resource_id=patient.id,
                action=VersionAction.CREATE,
                changed_fields=patient.recorded_fields(),
                snapshot=patient.snapshot(),
                now=now,
            )
            await uow.audit.record(
                actor.audit(
                    "patient.create",
                    resource_type="patient",
                    resource_id=patient.id,
                    patient_id=patient.id,
                    details={
                        "mrn_generated": isinstance(values.mrn, Keep),
                        "linked_account": patient.user_id is not None,
                    },
                )
            )
            await uow.commit()
            return Success(patient)
