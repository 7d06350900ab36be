"""Properties of the retention engine on the fakes: nothing under a hold is disposed of,
nothing before its period ends, the real run disposes of exactly the dry run's list,
running twice disposes of nothing more, and a crashed run resumed finishes the same list."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from medcore.application.audit.dispose_audit_events import DisposeAuditEvents
from medcore.application.compliance.plan_retention import PlanRetention
from medcore.application.compliance.run_retention import Outcome, RunRetention
from medcore.application.shared.actor import Actor, system_actor
from medcore.domain.compliance.disposal import RetentionCandidate
from medcore.domain.compliance.engine import PlannedDisposal
from medcore.domain.compliance.holds import HoldScope, LegalHold
from medcore.domain.compliance.retention import ClassPolicy, Disposal, Preset, RecordClass, RetentionSettings
from medcore.domain.identity.permissions import Role
from tests.unit.application.world import World, err, ok
from tests.unit.fakes import START
from tests.unit.fakes_compliance import FakeArchive, FakeRecord, FakeRecordTable

TODAY = START.date()
PATIENTS = [UUID(int=0xA000 + i) for i in range(4)]
PRACTITIONERS = [UUID(int=0xB000 + i) for i in range(3)]
SOURCES = {
    "consultations": RecordClass.CONSULTATION,
    "patients": RecordClass.MEDICAL_RECORD,
    "sessions": RecordClass.SESSION,
    "prescriptions": RecordClass.CONTROLLED_PRESCRIPTION,
}


@dataclass
class Scenario:
    records: list[tuple[str, RetentionCandidate]]
    holds: list[tuple[HoldScope, UUID | None, bool]]  # scope, subject, released
    retention: RetentionSettings
    crash_after: int
    policies: dict[RecordClass, ClassPolicy] = field(default_factory=dict)


@st.composite
def candidates(draw: st.DrawFn, index: int) -> tuple[str, RetentionCandidate]:
    source = draw(st.sampled_from(sorted(SOURCES)))
    created = TODAY - timedelta(days=draw(st.integers(0, 30 * 365)))
    last = created + timedelta(days=draw(st.integers(0, 3 * 365)))
    patient = draw(st.sampled_from([*PATIENTS, None]))
    birth = date(draw(st.integers(1940, 2024)), draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    return source, RetentionCandidate(
        record_class=SOURCES[source],
        record_id=UUID(int=0xC0000 + index),
        patient_id=patient,
        practitioner_ids=frozenset(draw(st.sets(st.sampled_from(PRACTITIONERS), max_size=2))),
        created_on=created,
        last_activity_on=min(last, TODAY),
        end_of_care_on=draw(st.none() | st.just(min(last, TODAY))),
        patient_birth_date=birth if patient is not None else None,
    )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    count = draw(st.integers(0, 25))
    records = [draw(candidates(i)) for i in range(count)]
    holds = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just(HoldScope.PATIENT), st.sampled_from(PATIENTS), st.booleans()),
                st.tuples(st.just(HoldScope.PRACTITIONER), st.sampled_from(PRACTITIONERS), st.booleans()),
                st.tuples(st.just(HoldScope.ORGANIZATION), st.none(), st.just(True)),  # released, or nothing goes
            ),
            max_size=3,
        )
    )
    preset = draw(st.sampled_from(list(Preset)))
    retention = RetentionSettings(preset=preset)
    if draw(st.booleans()):  # lengthen one class
        base = retention.policy(RecordClass.SESSION)
        retention = retention.with_override(
            RecordClass.SESSION, replace(base, years=base.years + 1, action=Disposal.ARCHIVE)
        )
    return Scenario(records, holds, retention, draw(st.integers(0, 5)))


class Harness:
    def __init__(self, world: World, actor: Actor) -> None:
        self.world = world
        self.actor = actor
        self.archive = FakeArchive()
        uow = world.unit_of_work
        self.plan = PlanRetention(uow, world.clock)
        self.run = RunRetention(uow, world.clock, world.ids, self.archive, DisposeAuditEvents(uow))


async def _setup(scenario: Scenario) -> Harness:
    world = World()
    tenant = await world.tenant()
    organization_id = tenant.organization_id
    store = world.store
    organization = store.organizations[organization_id]
    organization.settings = replace(organization.settings, retention=scenario.retention)
    for name, record_class in SOURCES.items():
        store.retention_records[name] = FakeRecordTable(record_class)
    for name, candidate in scenario.records:
        store.retention_records[name].records[candidate.record_id] = FakeRecord(organization_id, candidate)
    for i, (scope, subject, released) in enumerate(scenario.holds):
        hold = LegalHold(
            id=UUID(int=0xD000 + i),
            organization_id=organization_id,
            scope=scope,
            subject_id=subject,
            reason="litigation",
            placed_by=None,
            placed_at=START,
            created_at=START,
            updated_at=START,
        )
        if released:
            hold.release(None, None, START)
        store.legal_holds[hold.id] = hold
    return Harness(world, system_actor(organization_id, organization_id))


def _keys(disposals: Any) -> list[tuple[str, UUID, Disposal]]:
    return [(p.source, p.record_id, p.action) for p in disposals]


def _check_each(harness: Harness, scenario: Scenario, disposed: list[PlannedDisposal]) -> None:
    holds = list(harness.world.store.legal_holds.values())
    for planned in disposed:
        candidate = planned.decision.candidate
        assert not any(
            h.covers(patient_id=candidate.patient_id, practitioner_ids=candidate.practitioner_ids) for h in holds
        ), "disposed of a record under an active hold"
        policy = scenario.retention.policy(candidate.record_class)
        anchor = candidate.anchor_date(policy.anchor)
        assert anchor is not None
        assert policy.due_on(anchor, candidate.patient_birth_date) <= TODAY, "disposed of before its period ended"


async def _scenario(scenario: Scenario) -> None:
    harness = await _setup(scenario)
    dry = ok(await harness.plan.execute(harness.actor))
    expected = _keys(dry.disposals)
    event(f"disposals: {min(len(expected), 5)}")
    records_before = {k: dict(t.records) for k, t in harness.world.store.retention_records.items()}

    # a crash after `crash_after` disposals, then a resumption
    class Crash(Exception):
        pass

    seen = 0

    def crash(_planned: PlannedDisposal, _outcome: Outcome) -> None:
        nonlocal seen
        seen += 1
        if seen >= scenario.crash_after:
            raise Crash

    crashed = False
    if scenario.crash_after and len(expected) >= scenario.crash_after:
        with pytest.raises(Crash):
            await harness.run.execute(harness.actor, progress=crash)
        crashed = True
        event("crashed and resumed")
        resumed_plan = ok(await harness.plan.execute(harness.actor))
        assert _keys(resumed_plan.disposals) == expected[scenario.crash_after :], "the resumed plan is the rest"
    report = ok(await harness.run.execute(harness.actor))
    assert report.resumed is crashed
    assert report.complete

    # the real run (with its crashed part) disposed of exactly the dry run's list
    store = harness.world.store
    ledger = sorted(store.retention_disposals.values(), key=lambda d: d.disposed_at)
    assert sorted((d.source, d.record_id, d.action) for d in ledger) == sorted(expected)
    logged = [(name, rid, action) for name, t in store.retention_records.items() for rid, action in t.log]
    applied = [(s, r, Disposal.DELETE if a is Disposal.ARCHIVE else a) for s, r, a in expected]
    assert sorted(logged) == sorted(applied)
    _check_each(harness, scenario, list(dry.disposals))
    assert len(harness.world.audit("retention.dispose")) == len(expected)
    assert len(harness.archive.documents) == sum(1 for *_, a in expected if a is Disposal.ARCHIVE)
    for name, table in store.retention_records.items():  # what was kept is untouched
        for record_id, record in records_before[name].items():
            if (name, record_id) not in {(s, r) for s, r, _ in expected}:
                assert table.records[record_id] == record

    # running twice disposes of nothing more
    again = ok(await harness.run.execute(harness.actor))
    assert again.disposed == []
    assert ok(await harness.plan.execute(harness.actor)).disposals == ()
    assert len(harness.world.audit("retention.dispose")) == len(expected)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_the_engine_keeps_what_it_must_and_disposes_of_the_dry_runs_list_once(scenario: Scenario) -> None:
    asyncio.run(_scenario(scenario))


async def test_only_the_system_disposes_and_staff_without_permission_cannot_plan() -> None:
    world = World()
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    harness = Harness(world, owner)
    assert err(await harness.run.execute(owner)).kind.value == "forbidden"
    receptionist = (await world.member(tenant, Role.RECEPTIONIST, "desk@clinic.example"))[2]
    assert err(await harness.plan.execute(receptionist)).kind.value == "forbidden"
    assert ok(await harness.plan.execute(owner)).disposals == ()


async def test_a_hold_placed_during_the_run_stops_the_disposals_it_covers() -> None:
    records = [
        (
            "sessions",
            RetentionCandidate(
                record_class=RecordClass.SESSION,
                record_id=UUID(int=1_000_000 + i),
                patient_id=PATIENTS[0],
                practitioner_ids=frozenset(),
                created_on=TODAY - timedelta(days=400),
            ),
        )
        for i in range(2)
    ]
    harness = await _setup(Scenario(records, [], RetentionSettings(), 0))
    assert len(ok(await harness.plan.execute(harness.actor)).disposals) == 2
    organization_id = harness.actor.organization_id

    def place_hold(_planned: PlannedDisposal, _outcome: Outcome) -> None:
        harness.world.store.legal_holds[UUID(int=99)] = LegalHold(
            id=UUID(int=99),
            organization_id=organization_id,
            scope=HoldScope.PATIENT,
            subject_id=PATIENTS[0],
            reason="subpoena",
            placed_by=None,
            placed_at=START,
            created_at=START,
            updated_at=START,
        )

    report = ok(await harness.run.execute(harness.actor, progress=place_hold))
    assert [o for _, o in report.outcomes] == [Outcome.DISPOSED, Outcome.HELD]
    assert list(harness.world.store.retention_records["sessions"].records) == [records[1][1].record_id]
