"""The audit use cases on the in-memory fakes: who may read the trail and a record's access
log, what such reads leave in the trail, checkpoints, verification and disposal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from medcore.application.audit.create_checkpoints import CheckpointResult, CreateCheckpoints
from medcore.application.audit.dispose_audit_events import DisposeAuditEvents
from medcore.application.audit.export_audit_events import ExportAuditEvents, ExportAuditEventsCommand
from medcore.application.audit.get_access_log import GetAccessLog
from medcore.application.audit.list_audit_events import ListAuditEvents
from medcore.application.audit.verify_trail import VerifyAuditTrail, VerifyCommand
from medcore.application.patients.create_patient import CreatePatient, CreatePatientCommand
from medcore.application.patients.get_patient import GetPatient
from medcore.application.shared.actor import Actor, system_actor
from medcore.domain.audit.entry import ActorType, Outcome
from medcore.domain.audit.ports import AuditFilter
from medcore.domain.audit.verification import FindingKind
from medcore.domain.identity.permissions import Role
from medcore.domain.patients.patient import Patient
from medcore.domain.shared.errors import ErrorKind
from medcore.domain.shared.listing import ListQuery
from tests.unit.application.world import Tenant, World, err, ok
from tests.unit.fakes_audit import EPOCH, FakeArchive, FakeCheckpointSigner


class Practice:
    def __init__(self, world: World, tenant: Tenant, owner: Actor) -> None:
        self.world, self.tenant, self.owner = world, tenant, owner
        uow = world.unit_of_work
        self.create_patient = CreatePatient(uow, world.clock, world.ids)
        self.get_patient = GetPatient(uow)
        self.list = ListAuditEvents(uow)
        self.export = ExportAuditEvents(uow)
        self.access_log = GetAccessLog(uow)
        self.archive = FakeArchive()
        self.signer = FakeCheckpointSigner()
        self.checkpoint = CreateCheckpoints(uow, world.clock, self.signer, self.archive)
        self.verify = VerifyAuditTrail(uow, self.signer, self.archive)
        self.dispose = DisposeAuditEvents(uow)

    async def staff(self, role: Role, email: str | None = None) -> Actor:
        return (await self.world.member(self.tenant, role, email or f"{role.value}@practice.example"))[2]

    async def patient(self, **fields: Any) -> Patient:
        values: dict[str, Any] = {"given_name": "Jean", "family_name": "Dupont", "birth_date": date(1968, 4, 12)}
        return ok(await self.create_patient.execute(self.owner, CreatePatientCommand(**{**values, **fields})))

    async def linked_patient(self, email: str) -> tuple[Patient, Actor]:
        user, _, actor = await self.world.member(self.tenant, Role.PATIENT, email)
        return await self.patient(user_id=user.id, email=email), actor

    def trail(self, action: str) -> list[Any]:
        return self.world.audit(action)


@pytest.fixture
async def practice() -> Practice:
    world = World()
    tenant = await world.tenant()
    return Practice(world, tenant, await world.owner(tenant))


async def test_auditors_and_owners_read_the_trail_and_their_reading_is_recorded(practice: Practice) -> None:
    jean = await practice.patient()
    nurse = await practice.staff(Role.NURSE)
    ok(await practice.get_patient.execute(nurse, jean.id))
    auditor = await practice.staff(Role.AUDITOR)

    page = ok(await practice.list.execute(auditor, ListQuery(filters={"patient_id": jean.id})))

    assert [e.action for e in page.items] == ["patient.read", "patient.create"]  # newest first
    assert page.total is None
    [read] = practice.trail("audit.read")
    assert (read.actor_id, read.patient_id, read.outcome) == (auditor.id, jean.id, Outcome.SUCCESS)
    assert read.details == {"patient_id": str(jean.id), "returned": 2}
    assert ok(await practice.list.execute(practice.owner, ListQuery())).items


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRACTITIONER, Role.NURSE, Role.RECEPTIONIST, Role.PATIENT])
async def test_no_other_role_reads_the_trail_and_the_refusal_is_recorded(practice: Practice, role: Role) -> None:
    member = await practice.staff(role)

    refused = err(await practice.list.execute(member, ListQuery()))
    refused_export = err(
        await practice.export.execute(member, ExportAuditEventsCommand(criteria=AuditFilter(), format="csv"))
    )

    assert refused.kind is refused_export.kind is ErrorKind.FORBIDDEN
    denied = [e for e in practice.world.store.audit if e.outcome is Outcome.DENIED]
    assert [(e.action, e.details["permission"]) for e in denied] == [
        ("audit.read", "audit:read"),
        ("audit.export", "audit:read"),
    ]


async def test_an_export_is_recorded_first_and_streams_the_trail_as_it_was(practice: Practice) -> None:
    jean = await practice.patient()
    auditor = await practice.staff(Role.AUDITOR)
    before = len([e for e in practice.world.store.audit if e.organization_id == practice.tenant.organization_id])

    stream = ok(
        await practice.export.execute(
            auditor, ExportAuditEventsCommand(criteria=AuditFilter(patient_id=jean.id), format="ndjson")
        )
    )
    [recorded] = practice.trail("audit.export")  # before a single event was read
    ok(await practice.get_patient.execute(practice.owner, jean.id))  # after the export was asked for
    exported = [e async for e in stream]

    assert recorded.details == {"patient_id": str(jean.id), "format": "ndjson"}
    assert [e.action for e in exported] == ["patient.create"]
    assert all(e.sequence <= before for e in exported)


async def test_a_patient_reads_their_own_access_log_and_no_one_elses(practice: Practice) -> None:
    jean, jean_account = await practice.linked_patient("jean@practice.example")
    marie, marie_account = await practice.linked_patient("marie@practice.example")
    nurse = await practice.staff(Role.NURSE, "nina@practice.example")
    ok(await practice.get_patient.execute(nurse, jean.id))
    ok(await practice.get_patient.execute(jean_account, jean.id))

    log = ok(await practice.access_log.execute(jean_account, jean.id, ListQuery()))
    refused = err(await practice.access_log.execute(jean_account, marie.id, ListQuery()))
    staff_refused = err(await practice.access_log.execute(nurse, jean.id, ListQuery()))

    reads = [e for e in log.items if e.action == "patient.read"]
    assert [(e.actor_role, e.actor_id) for e in reads] == [("patient", jean_account.id), ("nurse", nurse.id)]
    assert all(e.actor_name for e in reads)  # staff and the patient by name
    assert refused.kind is ErrorKind.NOT_FOUND  # as if Marie's record did not exist
    assert staff_refused.kind is ErrorKind.FORBIDDEN
    logged = practice.trail("patient.access_log.read")
    assert [(e.resource_id, e.outcome) for e in logged] == [
        (jean.id, Outcome.SUCCESS),
        (marie.id, Outcome.DENIED),
        (jean.id, Outcome.DENIED),
    ]
    assert logged[0].details == {"self": True}
    assert marie_account.id not in {e.actor_id for e in log.items}


async def test_other_patients_accounts_appear_by_role_only(practice: Practice) -> None:
    jean, _ = await practice.linked_patient("jean@practice.example")
    _, marie_account = await practice.linked_patient("marie@practice.example")
    # An event about Jean's record made by Marie's account (say, a shared appointment).
    practice.world.store.audit.append(
        marie_account.audit("appointment.read", resource_type="appointment", patient_id=jean.id)
    )
    auditor = await practice.staff(Role.AUDITOR)

    log = ok(await practice.access_log.execute(auditor, jean.id, ListQuery()))

    [by_marie] = [e for e in log.items if e.action == "appointment.read"]
    assert (by_marie.actor_role, by_marie.actor_name, by_marie.actor_id) == ("patient", None, None)


async def test_unknown_records_answer_not_found_to_auditors(practice: Practice) -> None:
    auditor = await practice.staff(Role.AUDITOR)
    missing = err(await practice.access_log.execute(auditor, practice.owner.id, ListQuery()))
    assert missing.kind is ErrorKind.NOT_FOUND


async def test_checkpoints_sign_the_head_skip_what_did_not_move_and_verify(practice: Practice) -> None:
    jean = await practice.patient()
    organization_id = practice.tenant.organization_id

    [first] = await practice.checkpoint.execute([organization_id])
    [unchanged] = await practice.checkpoint.execute([organization_id])
    ok(await practice.get_patient.execute(practice.owner, jean.id))
    [second] = await practice.checkpoint.execute()

    assert first.result is CheckpointResult.CREATED and first.checkpoint is not None
    assert unchanged.result is CheckpointResult.UNCHANGED
    assert second.result is CheckpointResult.CREATED and second.checkpoint is not None
    assert second.checkpoint.sequence > first.checkpoint.sequence
    assert [c.sequence for c in await practice.archive.list(organization_id)] == [
        first.checkpoint.sequence,
        second.checkpoint.sequence,
    ]
    assert [e.details["sequence"] for e in practice.trail("audit.checkpoint")] == [
        first.checkpoint.sequence,
        second.checkpoint.sequence,
    ]
    report = await practice.verify.verify(organization_id)
    assert report.intact and report.checkpoints_checked == 2
    quick = await practice.verify.verify(organization_id, from_checkpoint=True)
    assert quick.intact and quick.anchor.sequence == second.checkpoint.sequence


async def test_verification_reports_checkpoints_removed_from_the_database(practice: Practice) -> None:
    await practice.patient()
    organization_id = practice.tenant.organization_id
    [made] = await practice.checkpoint.execute([organization_id])
    practice.world.store.audit_checkpoints.clear()

    [report] = await practice.verify.execute(VerifyCommand())

    assert made.checkpoint is not None
    assert [(f.kind, f.sequence) for f in report.findings] == [
        (FindingKind.CHECKPOINT_MISSING, made.checkpoint.sequence)
    ]


async def test_disposal_is_for_system_jobs_after_a_checkpoint_and_is_recorded(practice: Practice) -> None:
    await practice.patient()
    organization_id = practice.tenant.organization_id
    job = system_actor(organization_id, organization_id)
    later = EPOCH + timedelta(days=1)

    assert err(await practice.dispose.execute(practice.owner, later)).kind is ErrorKind.FORBIDDEN
    assert err(await practice.dispose.execute(job, later)).code == "audit.no_checkpoint"
    [made] = await practice.checkpoint.execute([organization_id])
    assert made.checkpoint is not None
    disposal = ok(await practice.dispose.execute(job, later))
    nothing_old = ok(await practice.dispose.execute(job, datetime(2000, 1, 1, tzinfo=UTC)))

    assert disposal.through_sequence == made.checkpoint.sequence == disposal.disposed
    assert nothing_old.disposed == 0
    [recorded] = practice.trail("audit.dispose")
    assert recorded.actor_type is ActorType.SYSTEM
    assert recorded.details["through_sequence"] == disposal.through_sequence
    assert (await practice.verify.verify(organization_id)).intact
