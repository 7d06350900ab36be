"""The record sources the CLI test does not reach, against PostgreSQL: prescriptions (ordinary
and controlled), sessions, one-time tokens, appointment reminders and health reminders.

One clinic is set up through the HTTP API (and the reminder jobs); then, moving the clock
to the day before and the day of each record's due date, the dry run (PlanRetention) and the
real run (RunRetention, as the system actor) show that each source lists its ended records
with the right class and anchor, never an active one, nothing a day early, and that the
class's action is applied (rows deleted, or identifying text removed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.application.compliance.run_retention import Outcome
from medcore.application.shared.actor import Actor, system_actor
from medcore.container import Container
from medcore.domain.compliance.disposal import RetentionCandidate
from medcore.domain.compliance.engine import PlannedDisposal
from medcore.domain.compliance.retention import PRESETS, Disposal, Preset, RecordClass
from tests.integration.conftest import ControlledClock, Outbox
from tests.integration.helpers import PASSWORD, Client, add_user, bearer, login
from tests.integration.prescribing.support import Clinic, amoxicillin, open_clinic
from tests.integration.scheduling.support import DOCTOR as SCHEDULED_DOCTOR
from tests.integration.scheduling.support import pin


def morphine(**fields: Any) -> dict[str, Any]:
    """A schedule II opioid: 10 mg by mouth four times a day for 7 days."""
    return {
        "medication_code": "N02AA01",
        "dose_amount": 10,
        "dose_unit": "mg",
        "route": "oral",
        "frequency_per_day": 4,
        "duration_days": 7,
        "quantity": 28,
        "refills": 0,
        **fields,
    }


@dataclass
class World:
    clinic: Clinic
    clock: ControlledClock
    db: SavepointDatabase
    ordinary: UUID  # a signed amoxicillin prescription
    controlled: UUID  # a signed morphine prescription
    revoked_session: UUID
    expired_session: UUID
    active_sessions: frozenset[UUID]
    used_token: UUID  # a password reset, used
    expired_token: UUID  # an invitation never accepted
    active_token: UUID  # a password reset just asked for
    sent_reminder: UUID  # the appointment's 24-hour reminder, sent
    pending_reminder: UUID  # its 2-hour reminder, not yet due
    health_reminder: UUID  # cancelled after one occurrence was delivered

    @property
    def organization_id(self) -> UUID:
        return UUID(str(self.clinic.organization_id))

    @property
    def container(self) -> Container:
        return self.clinic.container

    @property
    def system(self) -> Actor:
        return system_actor(self.organization_id, self.organization_id)

    async def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        result = await self.db.connection.execute(text(sql), {"org": self.organization_id, **params})
        return [dict(r) for r in result.mappings()]

    async def exists(self, table: str, record_id: UUID) -> bool:
        return bool(await self.rows(f"SELECT 1 FROM {table} WHERE organization_id = :org AND id = :id", id=record_id))

    async def candidates(self) -> dict[str, list[RetentionCandidate]]:
        async with self.container.use_cases.unit_of_work() as uow:
            now = self.clock.now()
            return {s.name: list(await s.candidates(self.organization_id, now=now)) for s in uow.record_sources}

    def on(self, day: date) -> None:
        pin(self.clock, datetime.combine(day, time(12), tzinfo=UTC))

    async def plan(self, day: date) -> dict[UUID, PlannedDisposal]:
        """The dry run's disposals on ``day``, by record id."""
        self.on(day)
        try:
            plan = (await self.container.use_cases.plan_retention().execute(self.system)).unwrap()
        finally:
            self.clock.reset()
        assert plan.as_of == day
        return {p.record_id: p for p in plan.disposals}

    async def run(self, day: date) -> dict[UUID, tuple[PlannedDisposal, Outcome]]:
        self.on(day)
        try:
            report = (await self.container.use_cases.run_retention().execute(self.system)).unwrap()
        finally:
            self.clock.reset()
        assert report.complete and report.run.as_of == day
        return {p.record_id: (p, o) for p, o in report.outcomes}

    async def set_policy(self, body: dict[str, Any]) -> None:
        response = await self.clinic.client.put(
            "/api/v1/retention-policy", json=body, headers=bearer(self.clinic.owner)
        )
        assert response.status_code == 200, response.text


def _next_weekday(after: date) -> date:
    day = after
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def _ids(world_db: SavepointDatabase, sql: str, org: UUID) -> set[UUID]:
    return {r[0] for r in (await world_db.connection.execute(text(sql), {"org": org})).all()}


async def build_world(
    client: Client, container: Container, clock: ControlledClock, db: SavepointDatabase, outbox: Outbox
) -> World:
    clinic = await open_clinic(client, container)
    org = UUID(str(clinic.organization_id))
    owner = bearer(clinic.owner)

    ordinary = await clinic.signed(amoxicillin(instructions="After meals"), notes="Sore throat")
    controlled = await clinic.signed(morphine(instructions="For pain"), notes="Post-operative pain")

    # An appointment two or more days ahead with a practitioner who keeps working hours; the
    # reminder job sends its 24-hour reminder a day before (the 2-hour one stays pending).
    response = await client.post("/api/v1/practitioners", json=SCHEDULED_DOCTOR, headers=owner)
    assert response.status_code == 201, response.text
    scheduled = response.json()
    day = _next_weekday(datetime.now(UTC).date() + timedelta(days=2))
    starts_at = datetime.combine(day, time(9), tzinfo=UTC)  # 10:00 or 11:00 in Paris
    response = await client.post(
        "/api/v1/appointments",
        json={
            "practitioner_id": scheduled["id"],
            "patient_id": clinic.patient["id"],
            "starts_at": starts_at.isoformat(),
            "duration_minutes": 30,
        },
        headers=bearer(clinic.reception),
    )
    assert response.status_code == 201, response.text
    appointment = UUID(response.json()["id"])
    pin(clock, starts_at - timedelta(hours=23))
    assert (await container.use_cases.send_reminders().execute()).sent == 1
    clock.reset()
    reminders = await db.connection.execute(
        text("SELECT id, status FROM appointment_reminders WHERE appointment_id = :a ORDER BY due_at"),
        {"a": appointment},
    )
    (sent_reminder, sent), (pending_reminder, pending) = reminders.all()
    assert (sent, pending) == ("sent", "pending")

    # A health reminder: one occurrence delivered, then cancelled.
    response = await client.post(
        f"/api/v1/patients/{clinic.patient['id']}/health-reminders",
        json={
            "text": "Take your blood pressure",
            "times": ["08:00"],
            "starts_on": datetime.now(UTC).date().isoformat(),
        },
        headers=bearer(clinic.nurse),
    )
    assert response.status_code == 201, response.text
    health = response.json()
    pin(clock, datetime.fromisoformat(health["next_due_at"]) + timedelta(minutes=5))
    await container.use_cases.send_health_reminders().execute()
    clock.reset()
    delivered = await db.connection.execute(
        text("SELECT count(*) FROM health_reminder_deliveries WHERE reminder_id = :r"), {"r": UUID(health["id"])}
    )
    assert delivered.scalar() == 1
    response = await client.delete(
        f"/api/v1/patients/{clinic.patient['id']}/health-reminders/{health['id']}", headers=bearer(clinic.nurse)
    )
    assert response.status_code in (200, 204), response.text

    # Sessions and one-time tokens: forty days ago the owner signed in (that session has
    # expired) and invited a user who never accepted (the invitation has expired).
    before = await _ids(db, "SELECT id FROM sessions WHERE organization_id = :org", org)
    pin(clock, datetime.now(UTC) - timedelta(days=40))
    old = await login(client, clinic.tenant.slug, clinic.tenant.owner_email)
    await add_user(client, str(old["access_token"]), "receptionist", email="invited@example.test", password=None)
    clock.reset()
    [expired_session] = await _ids(db, "SELECT id FROM sessions WHERE organization_id = :org", org) - before
    [expired_token] = await _ids(db, "SELECT id FROM action_tokens WHERE organization_id = :org", org)

    # A user signs in and out (a revoked session), resets a forgotten password (a used
    # token), and another asks for a reset link (an active token).
    before = await _ids(db, "SELECT id FROM sessions WHERE organization_id = :org", org)
    leaving = await add_user(client, clinic.owner, "receptionist", email="leaving@example.test")
    signed_in = await login(client, clinic.tenant.slug, leaving["email"])
    response = await client.post("/api/v1/auth/logout", headers=bearer(str(signed_in["access_token"])))
    assert response.status_code in (200, 204), response.text
    [revoked_session] = await _ids(db, "SELECT id FROM sessions WHERE organization_id = :org", org) - before
    token_ids = "SELECT id FROM action_tokens WHERE organization_id = :org"

    async def forgot(email: str) -> UUID:
        known = await _ids(db, token_ids, org)
        response = await client.post(
            "/api/v1/auth/password/forgot", json={"organization": clinic.tenant.slug, "email": email}
        )
        assert response.status_code == 202, response.text
        [token] = await _ids(db, token_ids, org) - known
        return token

    used_token = await forgot(leaving["email"])
    response = await client.post(
        "/api/v1/auth/password/reset",
        json={
            "organization": clinic.tenant.slug,
            "token": outbox.token_for(leaving["email"]),
            "new_password": PASSWORD + " again",
        },
    )
    assert response.status_code == 204, response.text
    await add_user(client, clinic.owner, "nurse", email="forgetful@example.test")
    active_token = await forgot("forgetful@example.test")
    active_sessions = await _ids(
        db, "SELECT id FROM sessions WHERE organization_id = :org AND revoked_at IS NULL AND expires_at > now()", org
    )
    assert active_sessions and revoked_session not in active_sessions and expired_session not in active_sessions

    return World(
        clinic=clinic,
        clock=clock,
        db=db,
        ordinary=UUID(ordinary["id"]),
        controlled=UUID(controlled["id"]),
        revoked_session=revoked_session,
        expired_session=expired_session,
        active_sessions=frozenset(active_sessions),
        used_token=used_token,
        expired_token=expired_token,
        active_token=active_token,
        sent_reminder=sent_reminder,
        pending_reminder=pending_reminder,
        health_reminder=UUID(health["id"]),
    )


@pytest.fixture
async def world(
    client: Client, container: Container, clock: ControlledClock, db: SavepointDatabase, outbox: Outbox
) -> World:
    return await build_world(client, container, clock, db, outbox)


def _day(value: datetime) -> date:
    return value.astimezone(UTC).date()


async def expected_anchors(world: World) -> dict[str, dict[UUID, date]]:
    """Per source, the ended records of this world and the day their period runs from (the
    creation for prescriptions; the end for sessions, tokens and notifications)."""

    async def one(sql: str, record_id: UUID) -> date:
        [row] = await world.rows(sql, id=record_id)
        return _day(next(iter(row.values())))

    return {
        "prescriptions": {
            world.ordinary: await one("SELECT created_at FROM prescriptions WHERE id = :id", world.ordinary)
        },
        "controlled_prescriptions": {
            world.controlled: await one("SELECT created_at FROM prescriptions WHERE id = :id", world.controlled)
        },
        "sessions": {
            world.revoked_session: await one("SELECT revoked_at FROM sessions WHERE id = :id", world.revoked_session),
            world.expired_session: await one("SELECT expires_at FROM sessions WHERE id = :id", world.expired_session),
        },
        "action_tokens": {
            world.used_token: await one("SELECT used_at FROM action_tokens WHERE id = :id", world.used_token),
            world.expired_token: await one("SELECT expires_at FROM action_tokens WHERE id = :id", world.expired_token),
        },
        "appointment_reminders": {
            world.sent_reminder: await one(
                "SELECT sent_at FROM appointment_reminders WHERE id = :id", world.sent_reminder
            )
        },
        "health_reminders": {
            world.health_reminder: await one(
                "SELECT cancelled_at FROM health_reminders WHERE id = :id", world.health_reminder
            )
        },
    }


CLASSES = {
    "prescriptions": RecordClass.PRESCRIPTION,
    "controlled_prescriptions": RecordClass.CONTROLLED_PRESCRIPTION,
    "sessions": RecordClass.SESSION,
    "action_tokens": RecordClass.SESSION,
    "appointment_reminders": RecordClass.NOTIFICATION,
    "health_reminders": RecordClass.NOTIFICATION,
}


async def test_each_source_lists_its_ended_records_with_their_class_and_anchor(world: World) -> None:
    found = await world.candidates()
    expected = await expected_anchors(world)

    for source, anchors in expected.items():
        listed = {c.record_id: c for c in found[source]}
        assert set(listed) == set(anchors), source
        for record_id, anchor in anchors.items():
            candidate = listed[record_id]
            assert candidate.record_class is CLASSES[source], source
            assert candidate.created_on == anchor, (source, candidate)
    prescriptions = {c.record_id: c for c in found["prescriptions"] + found["controlled_prescriptions"]}
    assert {c.patient_id for c in prescriptions.values()} == {UUID(world.clinic.patient["id"])}
    assert {p for c in prescriptions.values() for p in c.practitioner_ids} == {UUID(world.clinic.practitioner["id"])}
    # Active sessions, tokens and reminders are never candidates.
    listed_ids = {c.record_id for candidates in found.values() for c in candidates}
    assert not (world.active_sessions | {world.active_token, world.pending_reminder}) & listed_ids

    # "Ended" is judged at the instant the engine gives (its clock), not the database's.
    expiries = await world.rows("SELECT max(expires_at) AS last FROM sessions WHERE organization_id = :org")
    after_expiry = expiries[0]["last"] + timedelta(seconds=1)
    async with world.container.use_cases.unit_of_work() as uow:
        sessions = next(s for s in uow.record_sources if s.name == "sessions")
        later = {c.record_id for c in await sessions.candidates(world.organization_id, now=after_expiry)}
    assert world.active_sessions <= later


def _due(world_anchors: dict[str, dict[UUID, date]], preset: Preset) -> dict[UUID, tuple[str, date]]:
    return {
        record_id: (source, PRESETS[preset][CLASSES[source]].due_on(anchor))
        for source, anchors in world_anchors.items()
        for record_id, anchor in anchors.items()
    }


async def _assert_due_on_the_day_not_before(world: World, due: dict[UUID, tuple[str, date]]) -> None:
    for record_id, (source, day) in due.items():
        assert record_id not in await world.plan(day - timedelta(days=1)), (source, day)
        planned = (await world.plan(day))[record_id]
        assert (planned.source, planned.record_class, planned.decision.due_on) == (source, CLASSES[source], day)


async def test_sessions_tokens_and_notifications_go_a_short_period_after_they_ended(world: World) -> None:
    anchors = await expected_anchors(world)
    short = {s: a for s, a in anchors.items() if s not in ("prescriptions", "controlled_prescriptions")}
    due = _due(short, Preset.GDPR_MINIMAL)  # sessions 1 month, notifications 6 months
    await _assert_due_on_the_day_not_before(world, due)

    # A real run the day before the earliest is due disposes of none of them.
    first = min(day for _, day in due.values())
    early = await world.run(first - timedelta(days=1))
    assert not set(early) & set(due)
    # What is active on the run's day stays (months later, those sessions have ended too
    # and go in their turn: "ended" is judged by the application's clock).
    for session in world.active_sessions:
        assert await world.exists("sessions", session)
    assert await world.exists("action_tokens", world.active_token)
    assert await world.exists("appointment_reminders", world.pending_reminder)

    last = max(day for _, day in due.values())
    outcomes = await world.run(last)
    assert {r: (p.source, p.action, o) for r, (p, o) in outcomes.items() if r in due} == {
        r: (source, Disposal.DELETE, Outcome.DISPOSED) for r, (source, _) in due.items()
    }
    for table, record_id in (
        ("sessions", world.revoked_session),
        ("sessions", world.expired_session),
        ("action_tokens", world.used_token),
        ("action_tokens", world.expired_token),
        ("appointment_reminders", world.sent_reminder),
        ("health_reminders", world.health_reminder),
    ):
        assert not await world.exists(table, record_id), table
    gone = {world.revoked_session, world.expired_session}
    refresh = await world.rows("SELECT session_id FROM refresh_tokens WHERE organization_id = :org")
    assert not gone & {r["session_id"] for r in refresh}
    deliveries = await world.rows(
        "SELECT id FROM health_reminder_deliveries WHERE reminder_id = :id", id=world.health_reminder
    )
    assert deliveries == []

    # A second run finds nothing of it; a second disposal answers False.
    assert not set(await world.run(last)) & set(due)
    async with world.container.use_cases.unit_of_work() as uow:
        for source in uow.record_sources:
            for record_id, (name, _) in due.items():
                if name == source.name:
                    assert await source.dispose(world.organization_id, record_id, Disposal.DELETE) is False


async def test_controlled_prescriptions_are_kept_longer_than_ordinary_ones(world: World) -> None:
    # france: prescriptions 3 years (here anonymised), controlled substances 10 years (deleted).
    await world.set_policy({"preset": "france", "overrides": {"prescription": {"years": 3, "action": "anonymise"}}})
    anchors = await expected_anchors(world)
    ordinary_day = anchors["prescriptions"][world.ordinary]
    controlled_day = anchors["controlled_prescriptions"][world.controlled]
    ordinary_due = PRESETS[Preset.FRANCE][RecordClass.PRESCRIPTION].due_on(ordinary_day)
    controlled_due = PRESETS[Preset.FRANCE][RecordClass.CONTROLLED_PRESCRIPTION].due_on(controlled_day)
    assert (ordinary_due.year - ordinary_day.year, controlled_due.year - controlled_day.year) == (3, 10)

    await _assert_due_on_the_day_not_before(
        world,
        {
            world.ordinary: ("prescriptions", ordinary_due),
            world.controlled: ("controlled_prescriptions", controlled_due),
        },
    )
    assert world.controlled not in await world.plan(ordinary_due + timedelta(days=365 * 6))
    assert (await world.plan(ordinary_due))[world.ordinary].action is Disposal.ANONYMISE
    assert (await world.plan(controlled_due))[world.controlled].action is Disposal.DELETE

    outcomes = await world.run(controlled_due)
    assert outcomes[world.ordinary][1] is Outcome.DISPOSED and outcomes[world.controlled][1] is Outcome.DISPOSED

    # Anonymised: the prescription and its items stay, without their free text.
    [kept] = await world.rows("SELECT notes, status FROM prescriptions WHERE id = :id", id=world.ordinary)
    assert kept["notes"] is None and kept["status"] == "signed"
    items = await world.rows(
        "SELECT medication_code, instructions FROM prescription_items WHERE prescription_id = :id", id=world.ordinary
    )
    assert items == [{"medication_code": "J01CA04", "instructions": None}]
    # Deleted: the controlled prescription and its items are gone.
    assert not await world.exists("prescriptions", world.controlled)
    assert not await world.rows("SELECT 1 FROM prescription_items WHERE prescription_id = :id", id=world.controlled)

    # The ledger keeps the anonymised one out of later runs; the deleted one answers False.
    assert not {world.ordinary, world.controlled} & set(await world.run(controlled_due + timedelta(days=1)))
    async with world.container.use_cases.unit_of_work() as uow:
        [source] = [s for s in uow.record_sources if s.name == "controlled_prescriptions"]
        assert await source.dispose(world.organization_id, world.controlled, Disposal.DELETE) is False
