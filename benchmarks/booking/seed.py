"""Seed the booking benchmark's database.

    python -m benchmarks.booking.seed                 # 300,000 appointments, 200 practitioners, 20,000 patients
    python -m benchmarks.booking.seed --small         # a quick pipeline check
    python -m benchmarks.booking.seed --force         # seed again

The directory (organization, owner, front-desk account, practitioners with working hours
Mon-Fri 08:00-19:00 Europe/Paris and buffers of 0, 5 or 10 minutes, a room each, public
holidays, time off) is created through medcore's own use cases. Patients (with their first
version) and appointments (with their reminders) are written in bulk SQL, with the values
the repositories would write; their ``patient.create`` and ``appointment.create`` audit
events go through medcore's audit trail (head, sequence, chain). Every database constraint
holds: appointments are non-overlapping per practitioner (with the buffer), per room and
per patient among the occupying statuses.

The seeded database (``bench_seed``) is left untouched by the runs: each measured phase
works on a fresh file copy (``bench_run``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from math import gcd
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from dateutil.easter import easter

from benchmarks.booking.common import (
    DATA,
    LUA_DATA,
    ORG_SLUG,
    RUN_DB,
    SEED_DB,
    SEED_FILE,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    TIME_ZONE,
    admin_execute,
    dsn,
    medcore_env,
    start_postgres,
    url,
)

PAST_DAYS = 365  # history: most of a practice's appointments are behind it
FUTURE_DAYS = 180  # the default booking horizon
BOOKING_DAYS = (2, 61)  # benchmark bookings land in these days from today (both reminders ahead)
TIME_OFF_AT = (-100, 70)  # one week of leave starting these many days from today (every 10th practitioner)
SEED_HOURS = range(8, 19)  # seeded appointments start on the hour, 08:00-18:00 local
SEED_MINUTES = (15, 20, 30, 40)  # with the buffer (<= 10), always within the hour: no overlaps
AUDIT_BATCH = 5_000  # audit events appended per transaction while seeding
LAST_BOOKABLE_SLOT = 128  # 5-minute slots from 08:00: the last 20-minute booking starts at 18:40

GIVEN = ("Jean", "Marie", "Louis", "Camille", "Hugo", "Léa", "Lucas", "Chloé", "Nathan", "Inès", "Éloïse", "Jules")
FAMILY = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau")


def french_holidays(first: date, last: date) -> list[tuple[date, str]]:
    days: list[tuple[date, str]] = []
    for year in range(first.year, last.year + 1):
        easter_sunday = easter(year)
        for day, name in (
            (date(year, 1, 1), "New Year"),
            (easter_sunday + timedelta(days=1), "Easter Monday"),
            (date(year, 5, 1), "Labour Day"),
            (date(year, 5, 8), "Victory in Europe Day"),
            (easter_sunday + timedelta(days=39), "Ascension"),
            (easter_sunday + timedelta(days=50), "Whit Monday"),
            (date(year, 7, 14), "Bastille Day"),
            (date(year, 8, 15), "Assumption"),
            (date(year, 11, 1), "All Saints"),
            (date(year, 11, 11), "Armistice"),
            (date(year, 12, 25), "Christmas"),
        ):
            if first <= day <= last:
                days.append((day, name))
    return sorted(set(days))


def _ok(result: Any) -> Any:
    from returns.result import Failure

    if isinstance(result, Failure):
        raise SystemExit(f"seeding failed: {result.failure()}")
    return result.unwrap()


async def seed_directory(today: date) -> dict[str, Any]:
    """Organization, accounts, practitioners, rooms, holidays, time off: through the use cases."""
    from medcore.application.identity.create_organization import CreateOrganizationCommand
    from medcore.application.identity.create_user import CreateUserCommand
    from medcore.application.practitioners.add_time_off import AddTimeOffCommand
    from medcore.application.practitioners.create_holiday import CreateHolidayCommand
    from medcore.application.practitioners.create_practitioner import CreatePractitionerCommand
    from medcore.application.practitioners.create_room import CreateRoomCommand
    from medcore.application.shared.actor import system_actor
    from medcore.container import build_container
    from medcore.domain.identity.permissions import Role
    from medcore.settings import load_settings

    args = SEED_ARGS
    container = build_container(load_settings(), database_url=url(SEED_DB))
    use_cases = container.use_cases
    try:
        created = _ok(
            await use_cases.create_organization().execute(
                CreateOrganizationCommand(
                    slug=ORG_SLUG,
                    name="Benchmark practice",
                    owner_email="owner@bench.medcore.dev",
                    owner_password="Amber-Falcon-Orchard-58",  # unused: the benchmark signs in as the front desk
                )
            )
        )
        organization_id = created.organization.id
        operator = system_actor(organization_id, organization_id)  # as `medcore users create` does
        staff = _ok(
            await use_cases.create_user().execute(
                operator,
                CreateUserCommand(
                    email=STAFF_EMAIL,
                    role=Role.RECEPTIONIST,
                    given_name="Front",
                    family_name="Desk",
                    password=STAFF_PASSWORD,
                ),
            )
        )
        first, last = today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)
        holidays = french_holidays(first, last)
        for day, name in holidays:
            _ok(await use_cases.create_holiday().execute(operator, CreateHolidayCommand(day=day, name=name)))
        zone = ZoneInfo(TIME_ZONE)
        practitioners: list[dict[str, Any]] = []
        for n in range(1, args.practitioners + 1):
            practitioner = _ok(
                await use_cases.create_practitioner().execute(
                    operator,
                    CreatePractitionerCommand(
                        given_name=GIVEN[n % len(GIVEN)],
                        family_name=f"{FAMILY[n % len(FAMILY)]} {n:03d}",
                        time_zone=TIME_ZONE,
                        specialties=("general_practice",),
                        buffer_minutes=(0, 5, 10)[n % 3],
                        working_hours=[(weekday, "08:00", "19:00") for weekday in range(1, 6)],
                    ),
                )
            )
            room = _ok(await use_cases.create_room().execute(operator, CreateRoomCommand(name=f"Room {n:03d}")))
            off: list[str] = []
            if n % 10 == 0:
                for offset in TIME_OFF_AT:
                    start = today + timedelta(days=offset)
                    _ok(
                        await use_cases.add_time_off().execute(
                            operator,
                            AddTimeOffCommand(
                                practitioner_id=practitioner.id,
                                starts_at=datetime.combine(start, datetime.min.time(), zone),
                                ends_at=datetime.combine(start + timedelta(days=7), datetime.min.time(), zone),
                                reason="Leave",
                            ),
                        )
                    )
                    off.extend((start + timedelta(days=i)).isoformat() for i in range(7))
            practitioners.append(
                {
                    "n": n,
                    "id": str(practitioner.id),
                    "room_id": str(room.id),
                    "buffer_minutes": practitioner.buffer_minutes,
                    "time_off_days": off,
                }
            )
        return {
            "organization_id": str(organization_id),
            "staff_user_id": str(staff.id),
            "holidays": [day.isoformat() for day, _ in holidays],
            "practitioners": practitioners,
        }
    finally:
        await container.gateways.engine().dispose()


def patient_rows(organization_id: UUID, count: int, now: datetime) -> list[dict[str, Any]]:
    """Patients as CreatePatient would register them (generated MRNs, reachable by email)."""
    from medcore.adapters.postgres.patients import search_text
    from medcore.domain.patients.patient import Patient
    from medcore.domain.patients.values import MedicalRecordNumber, Sex

    rng = random.Random(20261122)
    rows: list[dict[str, Any]] = []
    for n in range(1, count + 1):
        created_at = now - timedelta(days=rng.uniform(PAST_DAYS + 30, 3 * PAST_DAYS))
        patient = Patient.register(
            id=_uuid7_at(created_at, rng),
            organization_id=organization_id,
            mrn=MedicalRecordNumber.generated(n).value,
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            birth_date=date(1940, 1, 1) + timedelta(days=rng.randrange(80 * 365)),
            now=created_at,
            sex=rng.choice((Sex.FEMALE, Sex.MALE)),
            email=f"patient{n}@bench.medcore.dev",
            phone=f"+336{n:08d}",
            preferred_language="fr",
        ).unwrap()
        rows.append(
            {
                "n": n,
                "patient": patient,
                "search_text": search_text(patient),
                "snapshot": json.dumps(patient.snapshot()),
                "fields": list(patient.recorded_fields()),
            }
        )
    return rows


def _uuid7_at(instant: datetime, rng: random.Random) -> UUID:
    """A version-7 id as medcore would have given at ``instant`` (time-ordered)."""
    millis = int(instant.timestamp() * 1000)
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= rng.getrandbits(12) << 64
    value |= 0b10 << 62
    value |= rng.getrandbits(62)
    return UUID(int=value)


def seed_bulk(directory: dict[str, Any], today: date, now: datetime) -> dict[str, Any]:
    import psycopg

    args = SEED_ARGS
    organization_id = UUID(directory["organization_id"])
    staff_id = UUID(directory["staff_user_id"])
    patients = patient_rows(organization_id, args.patients, now)
    started = time.perf_counter()
    with psycopg.connect(dsn(SEED_DB)) as conn:
        conn.execute("SET synchronous_commit = off")
        # --- patients and their first version ------------------------------------------------------
        conn.execute(
            """CREATE TEMP TABLE seed_patients (
                n int PRIMARY KEY, id uuid, mrn text, given_name text, family_name text, birth_date date,
                sex text, email text, phone text, search_text text, created_at timestamptz,
                snapshot jsonb, fields text[])"""
        )
        with conn.cursor().copy(
            "COPY seed_patients (n, id, mrn, given_name, family_name, birth_date, sex, email, phone, "
            "search_text, created_at, snapshot, fields) FROM STDIN"
        ) as copy:
            for row in patients:
                p = row["patient"]
                copy.write_row(
                    (
                        row["n"],
                        p.id,
                        p.mrn,
                        p.given_name,
                        p.family_name,
                        p.birth_date,
                        p.sex.value,
                        p.email,
                        p.phone,
                        row["search_text"],
                        p.created_at,
                        row["snapshot"],
                        row["fields"],
                    )
                )
        conn.execute(
            """INSERT INTO patients (id, organization_id, mrn, given_name, family_name, birth_date, sex, email,
                   phone, preferred_language, preferred_channel, search_text, search_vector, created_at,
                   updated_at, version)
               SELECT id, %(org)s, mrn, given_name, family_name, birth_date, sex, email, phone, 'fr', 'email',
                   search_text, to_tsvector('simple', search_text), created_at, created_at, 1
               FROM seed_patients ORDER BY n""",
            {"org": organization_id},
        )
        conn.execute(
            """INSERT INTO patient_versions (id, organization_id, patient_id, sequence, resource_type, resource_id,
                   action, changed_fields, snapshot, actor_type, actor_id, recorded_at, created_at)
               SELECT uuidv7(created_at - clock_timestamp()), %(org)s, id, 1, 'patient', id, 'create', fields,
                   snapshot, 'user', %(staff)s, created_at, created_at
               FROM seed_patients""",
            {"org": organization_id, "staff": staff_id},
        )
        conn.execute(
            """INSERT INTO patient_mrn_counters (organization_id, last_value, created_at, updated_at, version)
               VALUES (%(org)s, %(n)s, now(), now(), 1)
               ON CONFLICT (organization_id) DO UPDATE SET last_value = EXCLUDED.last_value""",
            {"org": organization_id, "n": args.patients},
        )
        print(f"  patients: {args.patients} in {time.perf_counter() - started:.1f} s", flush=True)

        # --- appointments ---------------------------------------------------------------------------
        started = time.perf_counter()
        conn.execute("CREATE TEMP TABLE seed_practitioners (n int PRIMARY KEY, id uuid, room_id uuid, buffer int)")
        conn.execute("CREATE TEMP TABLE seed_time_off (n int, day date, PRIMARY KEY (n, day))")
        with conn.cursor().copy("COPY seed_practitioners (n, id, room_id, buffer) FROM STDIN") as copy:
            for p in directory["practitioners"]:
                copy.write_row((p["n"], p["id"], p["room_id"], p["buffer_minutes"]))
        with conn.cursor().copy("COPY seed_time_off (n, day) FROM STDIN") as copy:
            for p in directory["practitioners"]:
                for day in p["time_off_days"]:
                    copy.write_row((p["n"], day))
        per_practitioner, extra = divmod(args.appointments, args.practitioners)
        multiplier = next(m for m in range(97, 10_000) if gcd(m, args.patients) == 1)
        if args.practitioners > args.patients:
            raise SystemExit("need at least as many patients as practitioners")
        conn.execute(
            """CREATE TEMP TABLE seed_appointments AS
               WITH days AS (
                   SELECT d::date AS day FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
                   WHERE extract(isodow FROM d) < 6
                     AND d::date NOT IN (SELECT day FROM holidays WHERE organization_id = %(org)s)
               ),
               candidates AS (
                   SELECT p.n AS pn, p.id AS practitioner_id, p.room_id, p.buffer,
                          ((d.day + make_time(h, 0, 0)) AT TIME ZONE %(zone)s) AS starts_at,
                          row_number() OVER (
                              PARTITION BY p.n ORDER BY hashtext(p.n || ':' || d.day || ':' || h), d.day, h
                          ) AS pick
                   FROM seed_practitioners p CROSS JOIN days d CROSS JOIN generate_series(%(first_hour)s::int, %(last_hour)s::int) AS h
                   WHERE NOT EXISTS (SELECT 1 FROM seed_time_off o WHERE o.n = p.n AND o.day = d.day)
               ),
               chosen AS (
                   SELECT c.*,
                          row_number() OVER (PARTITION BY c.starts_at ORDER BY c.pn) - 1 AS rank_at,
                          (%(minutes)s::int[])[1 + abs(hashtext('m' || c.pn || ':' || c.starts_at)) %% %(kinds)s] AS minutes,
                          abs(hashtext('s' || c.pn || ':' || c.starts_at)) %% 100 AS roll,
                          1 + abs(hashtext('b' || c.pn || ':' || c.starts_at)) %% 30 AS booked_days_ahead
                   FROM candidates c
                   WHERE c.pick <= %(per)s + CASE WHEN c.pn <= %(extra)s THEN 1 ELSE 0 END
               )
               SELECT c.*, c.starts_at + make_interval(mins => c.minutes) AS ends_at,
                      least(c.starts_at - make_interval(days => c.booked_days_ahead), %(now)s::timestamptz)
                          AS created_at,
                      1 + ((floor(extract(epoch FROM c.starts_at) / 3600)::bigint * 7919 + c.rank_at * %(mult)s)
                           %% %(patients)s) AS patient_n
               FROM chosen c""",
            {
                "first": today - timedelta(days=PAST_DAYS),
                "last": today + timedelta(days=FUTURE_DAYS),
                "org": organization_id,
                "zone": TIME_ZONE,
                "per": per_practitioner,
                "extra": extra,
                "now": now,
                "mult": multiplier,
                "patients": args.patients,
                "first_hour": SEED_HOURS.start,
                "last_hour": SEED_HOURS.stop - 1,
                "minutes": list(SEED_MINUTES),
                "kinds": len(SEED_MINUTES),
            },
        )
        (seeded,) = conn.execute("SELECT count(*) FROM seed_appointments").fetchone() or (0,)
        if seeded != args.appointments:
            raise SystemExit(f"only {seeded} appointment slots fit in the calendars; lower --appointments")
        conn.execute(
            """CREATE TEMP TABLE seed_final AS
               SELECT a.*, pt.id AS patient_id, uuidv7(a.created_at - clock_timestamp()) AS id,
                   CASE WHEN a.ends_at <= %(now)s THEN
                            CASE WHEN a.roll < 85 THEN 'completed' WHEN a.roll < 93 THEN 'cancelled' ELSE 'no_show' END
                        ELSE CASE WHEN a.roll < 90 THEN 'confirmed' ELSE 'cancelled' END
                   END AS status,
                   least(a.created_at + (a.starts_at - a.created_at) / 2, %(now)s::timestamptz) AS cancelled_at
               FROM seed_appointments a JOIN seed_patients pt ON pt.n = a.patient_n""",
            {"now": now},
        )
        conn.execute(
            """INSERT INTO appointments (id, organization_id, practitioner_id, patient_id, room_id, starts_at, ends_at,
                   blocked_until, buffer_minutes, status, reason, booked_by, booked_by_patient, patient_exclusive,
                   cancellation_reason, cancelled_late, cancelled_at, cancelled_by, status_changed_at, created_at,
                   updated_at, version)
               SELECT id, %(org)s, practitioner_id, patient_id, room_id, starts_at, ends_at,
                   ends_at + make_interval(mins => buffer), buffer, status, 'Consultation', %(staff)s, false, true,
                   CASE WHEN status = 'cancelled' THEN 'patient_request' END,
                   CASE WHEN status = 'cancelled' THEN starts_at - cancelled_at < interval '24 hours' END,
                   CASE WHEN status = 'cancelled' THEN cancelled_at END,
                   CASE WHEN status = 'cancelled' THEN %(staff)s::uuid END,
                   CASE status WHEN 'cancelled' THEN cancelled_at WHEN 'confirmed' THEN created_at ELSE ends_at END,
                   created_at,
                   CASE status WHEN 'cancelled' THEN cancelled_at WHEN 'confirmed' THEN created_at ELSE ends_at END,
                   CASE status WHEN 'completed' THEN 4 WHEN 'confirmed' THEN 1 ELSE 2 END
               FROM seed_final ORDER BY created_at, id""",
            {"org": organization_id, "staff": staff_id},
        )
        conn.execute(
            """INSERT INTO appointment_reminders (id, organization_id, appointment_id, due_at, channel, status,
                   sent_at, created_at, updated_at, version)
               SELECT uuidv7(a.created_at - clock_timestamp()), %(org)s, a.id, r.due, 'email',
                   CASE WHEN a.status = 'cancelled' AND r.due > a.cancelled_at THEN 'cancelled'
                        WHEN r.due <= %(now)s THEN 'sent' ELSE 'pending' END,
                   CASE WHEN NOT (a.status = 'cancelled' AND r.due > a.cancelled_at) AND r.due <= %(now)s
                        THEN r.due END,
                   a.created_at,
                   CASE WHEN a.status = 'cancelled' AND r.due > a.cancelled_at THEN a.cancelled_at
                        WHEN r.due <= %(now)s THEN r.due ELSE a.created_at END,
                   CASE WHEN r.due <= %(now)s OR a.status = 'cancelled' THEN 2 ELSE 1 END
               FROM seed_final a
               CROSS JOIN LATERAL (VALUES (a.starts_at - interval '24 hours'), (a.starts_at - interval '2 hours'))
                   AS r(due)
               WHERE r.due > a.created_at""",
            {"org": organization_id, "now": now},
        )
        events = conn.execute(
            """SELECT created_at, 'patient', id, id, NULL::uuid FROM seed_patients
               UNION ALL
               SELECT created_at, 'appointment', id, patient_id, practitioner_id FROM seed_final
               ORDER BY 1, 3"""
        ).fetchall()
        statuses = dict(conn.execute("SELECT status, count(*) FROM appointments GROUP BY status ORDER BY 1").fetchall())
        (reminders,) = conn.execute("SELECT count(*) FROM appointment_reminders").fetchone() or (0,)

        # --- lookup tables for pgbench (schema "bench", ignored by medcore) -------------------------
        zone = ZoneInfo(TIME_ZONE)
        booking_days = [
            datetime.combine(day, datetime.min.time().replace(hour=8), zone)
            for day in (today + timedelta(days=i) for i in range(BOOKING_DAYS[0], BOOKING_DAYS[1] + 1))
            if day.isoweekday() < 6 and day.isoformat() not in set(directory["holidays"])
        ]
        conn.execute("CREATE SCHEMA bench")
        conn.execute("CREATE TABLE bench.practitioners (n int PRIMARY KEY, id uuid NOT NULL, room_id uuid NOT NULL)")
        conn.execute("CREATE TABLE bench.patients (n int PRIMARY KEY, id uuid NOT NULL)")
        conn.execute("CREATE TABLE bench.days (n int PRIMARY KEY, starts_at timestamptz NOT NULL)")
        conn.execute("INSERT INTO bench.practitioners SELECT n, id, room_id FROM seed_practitioners")
        conn.execute("INSERT INTO bench.patients SELECT n, id FROM seed_patients")
        with conn.cursor().copy("COPY bench.days (n, starts_at) FROM STDIN") as copy:
            for n, day in enumerate(booking_days, start=1):
                copy.write_row((n, day))
        conn.commit()
        print(
            f"  appointments: {args.appointments} ({statuses}), reminders: {reminders}, "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    return {
        "patients": [str(row["patient"].id) for row in patients],
        "booking_days": [day.isoformat() for day in booking_days],
        "statuses": statuses,
        "reminders": reminders,
        "events": events,
    }


async def write_audit(directory: dict[str, Any], events: list[tuple[Any, ...]]) -> int:
    """The ``patient.create`` and ``appointment.create`` events of the bulk rows, appended in
    time order through medcore's own audit trail (so its head, sequence and any chain it
    keeps stay valid), as the front-desk account that booked them; stamped at seeding time."""
    from medcore.application.shared.actor import Actor
    from medcore.container import build_container
    from medcore.domain.audit.entry import ActorType
    from medcore.domain.identity.permissions import Role, permissions_of
    from medcore.settings import load_settings

    staff = Actor(
        organization_id=UUID(directory["organization_id"]),
        actor_type=ActorType.USER,
        id=UUID(directory["staff_user_id"]),
        role=Role.RECEPTIONIST,
        permissions=permissions_of(Role.RECEPTIONIST),
    )
    container = build_container(load_settings(), database_url=url(SEED_DB))
    try:
        for first in range(0, len(events), AUDIT_BATCH):
            async with container.use_cases.unit_of_work() as uow:
                for _created_at, kind, resource_id, patient_id, practitioner_id in events[first : first + AUDIT_BATCH]:
                    if kind == "patient":
                        entry = staff.audit(
                            "patient.create",
                            resource_type="patient",
                            resource_id=resource_id,
                            patient_id=patient_id,
                            details={"mrn_generated": True, "linked_account": False},
                        )
                    else:
                        entry = staff.audit(
                            "appointment.create",
                            resource_type="appointment",
                            resource_id=resource_id,
                            patient_id=patient_id,
                            details={"practitioner_id": str(practitioner_id), "series_id": None, "override": False},
                        )
                    await uow.audit.record(entry)
                await uow.commit()
    finally:
        await container.gateways.engine().dispose()
    return len(events)


def finish() -> None:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(dsn(SEED_DB), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE, FREEZE)")
        conn.execute("CHECKPOINT")
    print(f"  vacuum analyze + checkpoint in {time.perf_counter() - started:.1f} s", flush=True)


def write_lua_data(seed: dict[str, Any]) -> None:
    """The ids and days the wrk scripts pick from."""
    lines = ["return {", "  practitioners = {"]
    lines += [f'    {{"{p["id"]}", "{p["room_id"]}"}},' for p in seed["practitioners"]]
    lines += ["  },", "  patients = {"]
    lines += [f'    "{patient}",' for patient in seed["patients"]]
    lines += ["  },", "  days = {"]
    lines += [f"    {int(datetime.fromisoformat(day).timestamp())}," for day in seed["booking_days"]]
    lines += ["  },", f"  slots = {LAST_BOOKABLE_SLOT + 1},", "}", ""]
    LUA_DATA.write_text("\n".join(lines))


SEED_ARGS = argparse.Namespace()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appointments", type=int, default=300_000)
    parser.add_argument("--practitioners", type=int, default=200)
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--small", action="store_true", help="3,000 appointments, 20 practitioners, 500 patients")
    parser.add_argument("--force", action="store_true", help="seed again even if a seed exists")
    args = parser.parse_args()
    if args.small:
        args.appointments, args.practitioners, args.patients = 3_000, 20, 500
    SEED_ARGS.__dict__.update(vars(args))
    params = {"appointments": args.appointments, "practitioners": args.practitioners, "patients": args.patients}

    DATA.mkdir(parents=True, exist_ok=True)
    start_postgres()
    if SEED_FILE.exists() and not args.force:
        existing = json.loads(SEED_FILE.read_text())
        if existing.get("params") == params:
            print(f"Seed present ({params}, seeded {existing['seeded_at']}); --force to seed again.")
            return
    started = time.perf_counter()
    SEED_FILE.unlink(missing_ok=True)
    admin_execute(
        f"DROP DATABASE IF EXISTS {RUN_DB} WITH (FORCE)",
        f"DROP DATABASE IF EXISTS {SEED_DB} WITH (FORCE)",
        f"CREATE DATABASE {SEED_DB}",
        # Seeding only: the directory's use cases commit one by one. Reset below.
        f"ALTER DATABASE {SEED_DB} SET synchronous_commit = off",
    )
    os.environ.update(medcore_env(SEED_DB))
    from medcore.adapters.postgres import migrate

    migrate.upgrade(url(SEED_DB))
    print(f"Seeding {params} into {SEED_DB}", flush=True)
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(TIME_ZONE)).date()
    directory = asyncio.run(seed_directory(today))
    print(f"  directory (use cases) in {time.perf_counter() - started:.1f} s", flush=True)
    bulk = seed_bulk(directory, today, now)
    events = bulk.pop("events")
    audit_started = time.perf_counter()
    asyncio.run(write_audit(directory, events))
    print(f"  audit events: {len(events)} in {time.perf_counter() - audit_started:.1f} s", flush=True)
    admin_execute(f"ALTER DATABASE {SEED_DB} RESET synchronous_commit")
    finish()
    seed = {
        "params": params,
        "seeded_at": now.isoformat(),
        "org_slug": ORG_SLUG,
        "staff_email": STAFF_EMAIL,
        **directory,
        **bulk,
    }
    SEED_FILE.write_text(json.dumps(seed))
    write_lua_data(seed)
    print(f"Seeded in {time.perf_counter() - started:.1f} s -> {SEED_FILE.relative_to(DATA.parent.parent)}")


if __name__ == "__main__":
    main()
