"""ErasePatient on the fakes: what goes, what stays and why, the dry run, holds, refusals."""

from __future__ import annotations

import asyncio
from datetime import date
from uuid import UUID

import pytest
from returns.result import Failure, Success

from medcore.application.gdpr.erase_patient import ErasePatient, ErasePatientCommand
from medcore.application.gdpr.report import ErasureReport
from medcore.application.shared.actor import Actor
from medcore.domain.audit.entry import ActorType
from medcore.domain.compliance.disposal import RetentionCandidate
from medcore.domain.compliance.holds import HoldScope, LegalHold
from medcore.domain.compliance.retention import Disposal, RecordClass
from medcore.domain.gdpr.erasure import BasisKind, ErasureOutcome, PersonalData, PersonalDataFinding
from medcore.domain.identity.organization import Organization, OrganizationSlug
from medcore.domain.identity.permissions import Permission, Role, permissions_of
from medcore.domain.patients.patient import Patient
from medcore.domain.shared.errors import ErrorKind
from tests.unit.fakes import START, FakeUnitOfWork, FixedClock, SequentialIds, Store
from tests.unit.fakes_compliance import FakeRecord, FakeRecordTable

ORG = UUID(int=100)
OTHER_ORG = UUID(int=200)
PATIENT = UUID(int=101)
OLD_PRESCRIPTION = UUID(int=102)
RECENT_PRESCRIPTION = UUID(int=103)
OLD_APPOINTMENT = UUID(int=104)
FUTURE_APPOINTMENT = UUID(int=105)


def actor(role: Role, organization_id: UUID = ORG) -> Actor:
    return Actor(
        organization_id=organization_id,
        actor_type=ActorType.USER,
        id=UUID(int=7),
        role=role,
        permissions=permissions_of(role),
    )


def candidate(record_class: RecordClass, record_id: UUID, created: date) -> RetentionCandidate:
    return RetentionCandidate(
        record_class=record_class,
        record_id=record_id,
        patient_id=PATIENT,
        practitioner_ids=frozenset(),
        created_on=created,
    )


@pytest.fixture
def store() -> Store:
    store = Store()
    store.organizations[ORG] = Organization(
        id=ORG, slug=OrganizationSlug("clinic"), name="Clinic", created_at=START, updated_at=START
    )
    store.patients[PATIENT] = Patient(
        id=PATIENT,
        organization_id=ORG,
        mrn="MRN-1",
        given_name="Ada",
        family_name="Lovelace",
        birth_date=date(1980, 1, 1),
        created_at=START,
        updated_at=START,
    )
    store.retention_records["prescriptions"] = FakeRecordTable(
        RecordClass.PRESCRIPTION,
        {
            OLD_PRESCRIPTION: FakeRecord(ORG, candidate(RecordClass.PRESCRIPTION, OLD_PRESCRIPTION, date(2020, 1, 1))),
            RECENT_PRESCRIPTION: FakeRecord(
                ORG, candidate(RecordClass.PRESCRIPTION, RECENT_PRESCRIPTION, date(2025, 6, 1))
            ),
        },
    )
    store.retention_records["appointments"] = FakeRecordTable(
        RecordClass.APPOINTMENT,
        {
            OLD_APPOINTMENT: FakeRecord(ORG, candidate(RecordClass.APPOINTMENT, OLD_APPOINTMENT, date(2021, 1, 1))),
            FUTURE_APPOINTMENT: FakeRecord(
                ORG, candidate(RecordClass.APPOINTMENT, FUTURE_APPOINTMENT, date(2026, 3, 1))
            ),
        },
    )
    store.personal_data.findings[PATIENT] = [
        PersonalDataFinding(category=PersonalData.CONTACT_DETAILS, record_ids=(PATIENT,), fields=("email", "phone")),
        PersonalDataFinding(category=PersonalData.FUTURE_APPOINTMENTS, record_ids=(FUTURE_APPOINTMENT,)),
        PersonalDataFinding(category=PersonalData.AUDIT_ADDRESSES, record_ids=(UUID(int=9),)),
    ]
    return store


def erase(store: Store, who: Actor, dry_run: bool = False) -> ErasureReport:
    use_case = ErasePatient(lambda: FakeUnitOfWork(store), FixedClock(), SequentialIds())
    outcome = asyncio.run(use_case.execute(who, ErasePatientCommand(patient_id=PATIENT, dry_run=dry_run)))
    assert isinstance(outcome, Success), outcome
    return outcome.unwrap()


def lines(report: ErasureReport) -> dict[tuple[str, ErasureOutcome], int]:
    found: dict[tuple[str, ErasureOutcome], int] = {}
    for line in report.lines:
        found[(line.subject, line.outcome)] = found.get((line.subject, line.outcome), 0) + line.total
    return found


def test_what_no_rule_keeps_goes_and_what_is_kept_says_why(store: Store) -> None:
    report = erase(store, actor(Role.ADMIN))

    assert lines(report) == {
        ("contact_details", ErasureOutcome.ERASED): 2,
        ("future_appointments", ErasureOutcome.ANONYMISED): 1,
        ("audit_addresses", ErasureOutcome.ERASED): 1,
        ("prescription", ErasureOutcome.ERASED): 1,
        ("prescription", ErasureOutcome.KEPT): 1,
        ("appointment", ErasureOutcome.ANONYMISED): 1,
        ("audit_event", ErasureOutcome.KEPT): 3,
    }
    kept = next(line for line in report.lines if line.subject == "prescription" and line.outcome is ErasureOutcome.KEPT)
    assert kept.record_ids == (RECENT_PRESCRIPTION,)
    assert kept.basis is not None and kept.basis.kind is BasisKind.RETENTION
    assert (kept.basis.preset, kept.basis.years, kept.basis.until) == ("gdpr-minimal", 3, date(2028, 6, 1))
    assert store.retention_records["prescriptions"].log == [(OLD_PRESCRIPTION, Disposal.DELETE)]
    assert store.retention_records["appointments"].log == [(OLD_APPOINTMENT, Disposal.ANONYMISE)]
    assert {r.record_id for r in store.retention_disposals.values()} == {OLD_PRESCRIPTION, OLD_APPOINTMENT}
    assert all(r.run_id is None for r in store.retention_disposals.values())
    assert [c for _, c in store.personal_data.erased] == [
        PersonalData.CONTACT_DETAILS,
        PersonalData.FUTURE_APPOINTMENTS,
        PersonalData.AUDIT_ADDRESSES,
    ]
    actions = store.actions()
    assert actions.count("patient.erasure.dispose") == 2 and actions[-1] == "patient.erasure"
    assert len(store.gdpr_erasures) == 1


def test_a_dry_run_answers_the_same_and_changes_nothing(store: Store) -> None:
    preview = erase(store, actor(Role.OWNER), dry_run=True)
    assert store.personal_data.erased == [] and store.retention_disposals == {}
    assert store.retention_records["prescriptions"].log == [] and store.gdpr_erasures == []
    assert store.actions() == ["patient.erasure.preview"]

    real = erase(store, actor(Role.OWNER))
    assert lines(preview) == lines(real)


def test_a_held_patient_keeps_everything(store: Store) -> None:
    store.legal_holds[UUID(int=55)] = LegalHold(
        id=UUID(int=55),
        organization_id=ORG,
        scope=HoldScope.PATIENT,
        subject_id=PATIENT,
        reason="pending litigation",
        placed_by=None,
        placed_at=START,
        created_at=START,
        updated_at=START,
    )
    report = erase(store, actor(Role.OWNER))

    assert all(line.outcome is ErasureOutcome.KEPT for line in report.lines)
    assert all(line.basis is not None and line.basis.hold_ids == (UUID(int=55),) for line in report.lines)
    assert store.personal_data.erased == [] and store.retention_disposals == {}


def test_raw_addresses_the_database_role_may_not_redact_are_reported_kept(store: Store) -> None:
    store.personal_data.redaction_refused = True
    report = erase(store, actor(Role.OWNER))
    line = next(line for line in report.lines if line.subject == "audit_addresses")
    assert line.outcome is ErasureOutcome.KEPT
    assert line.basis is not None and line.basis.kind is BasisKind.OWNER_ROLE_NEEDED


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.NURSE, Role.RECEPTIONIST, Role.AUDITOR, Role.PATIENT])
def test_only_holders_of_the_erase_permission_may_erase(store: Store, role: Role) -> None:
    use_case = ErasePatient(lambda: FakeUnitOfWork(store), FixedClock(), SequentialIds())
    result = asyncio.run(use_case.execute(actor(role), ErasePatientCommand(patient_id=PATIENT)))
    assert isinstance(result, Failure) and result.failure().kind is ErrorKind.FORBIDDEN
    assert store.personal_data.erased == [] and store.actions() == ["patient.erasure"]
    assert Permission.PATIENTS_ERASE not in permissions_of(role)


def test_another_organizations_patient_is_not_found(store: Store) -> None:
    store.organizations[OTHER_ORG] = Organization(
        id=OTHER_ORG, slug=OrganizationSlug("other"), name="Other", created_at=START, updated_at=START
    )
    use_case = ErasePatient(lambda: FakeUnitOfWork(store), FixedClock(), SequentialIds())
    result = asyncio.run(use_case.execute(actor(Role.OWNER, OTHER_ORG), ErasePatientCommand(patient_id=PATIENT)))
    assert isinstance(result, Failure) and result.failure().kind is ErrorKind.NOT_FOUND
    assert store.personal_data.erased == []
