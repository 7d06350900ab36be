"""The chain as PostgreSQL keeps it: appended by the use cases, gapless and forkless under
concurrency, append-only against ordinary SQL (even the owner's), disposable and erasable
only through their narrow paths, readable through indexes, and built for events written
before it existed."""

from __future__ import annotations

import asyncio
import hmac
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from returns.result import Failure
from sqlalchemy import Engine, create_engine, event, pool, select, text
from sqlalchemy.exc import DBAPIError

from medcore.adapters.postgres import migrate
from medcore.adapters.postgres.database import SavepointDatabase
from medcore.adapters.postgres.engine import normalise_url
from medcore.adapters.postgres.tables import audit_events
from medcore.adapters.security.audit_digests import audit_digest_key
from medcore.application.shared.actor import Actor, RequestMeta, system_actor
from medcore.container import Container
from medcore.domain.audit.chain import ChainFields, decode_v1, encode_v1, hash_of_encoding, keyed_digest
from medcore.domain.audit.entry import ActorType, AuditEntry, Outcome
from medcore.domain.audit.ports import AuditFilter
from medcore.domain.shared.listing import ListQuery, SortKey
from tests.integration.audit.support import audit_container, organization_with_events, run_sql, verify
from tests.integration.helpers import make_tenant
from tests.integration.system_helpers import SECRET_KEY

pytestmark = pytest.mark.slow


@pytest.fixture
def sync_engine(fresh_database_url: str) -> Iterator[Engine]:
    engine = create_engine(normalise_url(fresh_database_url), poolclass=pool.NullPool)
    yield engine
    engine.dispose()


async def test_use_cases_append_a_verifiable_chain_with_keyed_digests(
    fresh_database_url: str, tmp_path: Path, sync_engine: Engine
) -> None:
    container = audit_container(fresh_database_url, tmp_path)
    try:
        organization_id, _ = await organization_with_events(container, "chained", reads=5)
        report = await verify(container, organization_id)
    finally:
        await container.gateways.engine().dispose()

    assert report.intact, report.findings
    assert report.recomputed == 0, "PostgreSQL's encoding and encode_v1 disagreed"
    with sync_engine.connect() as connection:
        rows = (
            connection.execute(
                select(audit_events).where(audit_events.c.organization_id == organization_id).order_by("sequence")
            )
            .mappings()
            .all()
        )
    assert [r["sequence"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(rows))
    read = [r for r in rows if r["action"] == "patient.read"]
    assert len(read) == 5
    key = audit_digest_key(SECRET_KEY.encode())
    assert read[0]["ip"] == "192.0.2.10"
    assert read[0]["ip_digest"] == hmac.new(key, b"192.0.2.10", sha256).hexdigest()
    assert read[0]["user_agent_digest"] == keyed_digest(key, "pytest/9 (audit)")
    assert read[0]["actor_role"] is None  # a system actor (CLI) has no role
    assert {r["hash_version"] for r in rows} == {1}


TRICKY_TEXT = [
    'quote " and backslash \\ and slash /',
    "tab\tnewline\ncarriage\rbell\x07 escape\x1b unit\x1f",
    "accents: é à ü ß, CJK: 医疗, emoji: 🩺💊, RTL: مرحبا",
    "line separator \u2028 and paragraph \u2029 and BOM \ufeff",
    "\u00a0non-breaking\u00a0space and del \x7f",
    "",
]


def _entry(organization_id: UUID, n: int, value: str) -> AuditEntry:
    return AuditEntry(
        organization_id=organization_id,
        action=f"test.{value[:20]}",
        outcome=Outcome.SUCCESS,
        actor_type=ActorType.USER,
        actor_id=uuid4(),
        actor_role="nurse",
        resource_type=value,
        resource_id=uuid4(),
        patient_id=None if n % 2 else uuid4(),
        purpose=value or None,
        ip=f"2001:db8::{n}",
        user_agent=value or None,
        request_id=value,
        details={
            value: n,
            "Z": True,
            "a": None,
            "é": "ü",
            "🩺": value,
            "big": 2**62,
            "neg": -7,
            "10": "numeric-looking key",
            "9": "sorts after 10",
        },
    )


async def test_postgresqls_encoding_of_stored_events_is_encode_v1(container: Container, db: SavepointDatabase) -> None:
    """Verification hashes the encoding PostgreSQL formats; it must be byte for byte the one
    the appending side hashed, for every kind of text (else verify slows to Python's pace)."""
    tenant = await make_tenant(container)
    async with container.use_cases.unit_of_work() as uow:
        for n, value in enumerate(TRICKY_TEXT * 3):
            await uow.audit.record(_entry(tenant.organization_id, n, value))
        await uow.commit()
    async with container.use_cases.unit_of_work() as uow:
        read = [e async for e in uow.audit_log.chain(tenant.organization_id)]
    tricky = [e for e in read if e.action.startswith("test.")]
    assert len(tricky) == len(TRICKY_TEXT) * 3
    for stored in read:
        assert hash_of_encoding(stored.encoded) == stored.hash, stored.encoded
        fields, prev_hash = decode_v1(stored.encoded)
        assert encode_v1(fields, prev_hash).decode() == stored.encoded
        assert prev_hash == stored.prev_hash and fields.sequence == stored.sequence
    report = await container.use_cases.verify_audit_trail().verify(tenant.organization_id)
    assert report.intact and report.recomputed == 0, report


async def test_concurrent_writers_never_fork_or_skip(fresh_database_url: str, tmp_path: Path) -> None:
    container = audit_container(fresh_database_url, tmp_path)
    use_cases: Any = container.use_cases
    try:
        first, actor_a = await organization_with_events(container, "busy-a", reads=0)
        second, actor_b = await organization_with_events(container, "busy-b", reads=0)

        async def writer(actor: Actor, n: int) -> None:
            for i in range(15):
                async with use_cases.unit_of_work() as uow:
                    for j in range(1 + (i + n) % 3):  # units of work of one to three events
                        await uow.audit.record(actor.audit("test.write", details={"writer": n, "i": i, "j": j}))
                    await uow.commit()

        await asyncio.gather(*(writer(actor_a if n % 2 else actor_b, n) for n in range(8)))
        reports = [await verify(container, org) for org in (first, second)]
    finally:
        await container.gateways.engine().dispose()
    for report in reports:
        assert report.intact, report.findings
    written = sum(1 + (i + n) % 3 for n in range(8) for i in range(15))
    assert reports[0].events_checked + reports[1].events_checked >= written


@pytest.mark.parametrize(
    ("statement", "refused"),
    [
        ("UPDATE audit_events SET action = 'patient.nothing'", "UPDATE"),
        ("UPDATE audit_events SET ip = NULL", "UPDATE"),  # erasure needs its own switch
        ("DELETE FROM audit_events", "DELETE"),
        ("TRUNCATE audit_events CASCADE", "TRUNCATE"),
        ("UPDATE audit_checkpoints SET hash = 'x'", "UPDATE"),
        ("DELETE FROM audit_checkpoints", "DELETE"),
        ("TRUNCATE audit_checkpoints", "TRUNCATE"),
        ("UPDATE audit_heads SET sequence = sequence - 1", "UPDATE"),
        ("UPDATE audit_heads SET hash = 'x'", "UPDATE"),
        ("DELETE FROM audit_heads", "DELETE"),
        ("TRUNCATE audit_heads CASCADE", "TRUNCATE"),
        # The switch for disposal opens DELETE only, and only for the transaction that set it:
        ("SET LOCAL medcore.audit_disposal = 'on'; UPDATE audit_events SET action = 'x'", "UPDATE"),
    ],
)
async def test_ordinary_sql_cannot_change_history_even_as_owner(
    fresh_database_url: str, tmp_path: Path, statement: str, refused: str
) -> None:
    container = audit_container(fresh_database_url, tmp_path)
    try:
        await organization_with_events(container, "fixed", reads=2)
        await container.use_cases.create_audit_checkpoints().execute()
    finally:
        await container.gateways.engine().dispose()
    with pytest.raises(DBAPIError) as raised:
        run_sql(fresh_database_url, statement)  # the superuser: ordinary SQL, triggers on
    assert "append-only" in str(raised.value) or "only moves forward" in str(raised.value)
    assert refused in str(raised.value)


async def test_disposal_after_a_checkpoint_is_the_only_deletion_and_is_recorded(
    fresh_database_url: str, tmp_path: Path
) -> None:
    container = audit_container(fresh_database_url, tmp_path)
    use_cases: Any = container.use_cases
    try:
        organization_id, owner = await organization_with_events(container, "retained", reads=10)
        job = system_actor(organization_id, organization_id, RequestMeta(user_agent="medcore-retention"))
        later = datetime.now(UTC) + timedelta(days=1)

        refused = await use_cases.dispose_audit_events().execute(job, later)
        assert isinstance(refused, Failure) and refused.failure().code == "audit.no_checkpoint"
        not_a_job = owner.with_meta(RequestMeta())
        user = Actor(
            organization_id=organization_id,
            actor_type=ActorType.USER,
            id=not_a_job.id,
            role=None,
            permissions=not_a_job.permissions,
        )
        assert isinstance(await use_cases.dispose_audit_events().execute(user, later), Failure)

        [created] = await use_cases.create_audit_checkpoints().execute([organization_id])
        assert created.checkpoint is not None
        await use_cases.get_patient().execute(owner, await _a_patient(container, organization_id))  # after it
        disposed = (await use_cases.dispose_audit_events().execute(job, later)).unwrap()
        assert disposed.through_sequence == created.checkpoint.sequence  # never past the checkpoint
        assert disposed.disposed == created.checkpoint.sequence

        report = await verify(container, organization_id)
        assert report.intact, report.findings
        assert report.anchor.reason == "disposal" and report.anchor.sequence == disposed.through_sequence
        again = await use_cases.dispose_audit_events().execute(job, later)
        assert isinstance(again, Failure) and again.failure().code == "audit.no_checkpoint"  # the rest is unsealed
        async with use_cases.unit_of_work() as uow:
            events = [e async for e in uow.audit_log.chain(organization_id)]
    finally:
        await container.gateways.engine().dispose()
    dispose = [e for e in events if e.action == "audit.dispose"]
    assert len(dispose) == 1
    details = decode_v1(dispose[0].encoded)[0].details
    assert details["through_sequence"] == disposed.through_sequence
    assert details["checkpoint_sequence"] == created.checkpoint.sequence
    assert min(e.sequence for e in events) == disposed.through_sequence + 1
    with pytest.raises(DBAPIError, match="append-only"):
        run_sql(fresh_database_url, "DELETE FROM audit_events")


async def _a_patient(container: Container, organization_id: UUID) -> UUID:
    async with container.use_cases.unit_of_work() as uow:
        row = (
            await uow.audit_log.list(organization_id, AuditFilter(action="patient.create"), ListQuery(limit=1))
        ).unwrap()
    patient_id = row.items[0].patient_id
    assert patient_id is not None
    return patient_id


async def test_erasing_raw_addresses_keeps_the_chain_verifiable(
    fresh_database_url: str, tmp_path: Path, sync_engine: Engine
) -> None:
    container = audit_container(fresh_database_url, tmp_path)
    try:
        organization_id, _ = await organization_with_events(container, "erased", reads=3)
        with pytest.raises(DBAPIError, match="append-only"):  # another column: refused even with the switch
            run_sql(
                fresh_database_url,
                "SET LOCAL medcore.audit_redaction = 'on'; UPDATE audit_events SET ip = NULL, purpose = 'x'",
            )
        with pytest.raises(DBAPIError, match="append-only"):  # replacing, not erasing: refused
            run_sql(
                fresh_database_url, "SET LOCAL medcore.audit_redaction = 'on'; UPDATE audit_events SET ip = '1.1.1.1'"
            )
        run_sql(
            fresh_database_url,
            "SET LOCAL medcore.audit_redaction = 'on'; UPDATE audit_events SET ip = NULL, user_agent = NULL "
            "WHERE organization_id = :org",
            {"org": organization_id},
        )
        report = await verify(container, organization_id)
    finally:
        await container.gateways.engine().dispose()
    assert report.intact, report.findings
    with sync_engine.connect() as connection:
        left = connection.execute(
            text("SELECT count(*) FROM audit_events WHERE ip IS NOT NULL OR user_agent IS NOT NULL")
        ).scalar_one()
        digests = connection.execute(text("SELECT count(*) FROM audit_events WHERE ip_digest IS NOT NULL")).scalar_one()
    assert left == 0 and digests > 0


async def test_queries_by_patient_and_by_actor_use_their_indexes(container: Container, db: SavepointDatabase) -> None:
    tenant = await make_tenant(container)
    patient, actor = uuid4(), uuid4()
    # Enough rows for the planner to prefer an index (bulk rows: only the plan matters here).
    await db.connection.execute(
        text(
            "INSERT INTO audit_events (id, organization_id, sequence, occurred_at, created_at, actor_type, actor_id, "
            "action, outcome, resource_type, resource_id, patient_id, details, hash_version, prev_hash, hash) "
            "SELECT gen_random_uuid(), :org, 1000 + n, now(), now(), 'user', "
            "CASE WHEN n % 500 = 0 THEN CAST(:actor AS uuid) ELSE gen_random_uuid() END, 'patient.read', 'success', "
            "'patient', NULL, CASE WHEN n % 700 = 0 THEN CAST(:patient AS uuid) ELSE gen_random_uuid() END, '{}', "
            "1, 'x', 'y' FROM generate_series(1, 30000) n"
        ),
        {"org": tenant.organization_id, "actor": actor, "patient": patient},
    )
    await db.connection.execute(text("ANALYZE audit_events"))

    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "audit_events" in statement:
            captured.append((statement, parameters))

    sync = db.connection.sync_connection
    assert sync is not None
    event.listen(sync, "before_cursor_execute", capture)
    try:
        async with container.use_cases.unit_of_work() as uow:
            for criteria in (
                AuditFilter(patient_id=patient),
                AuditFilter(actor_id=actor),
                AuditFilter(patient_id=patient, occurred_from=datetime(2020, 1, 1, tzinfo=UTC)),
            ):
                page = (await uow.audit_log.list(tenant.organization_id, criteria, ListQuery(limit=50))).unwrap()
                assert page.items
            oldest_first = ListQuery(limit=50, sort=(SortKey("sequence"),))
            (await uow.audit_log.access_log(tenant.organization_id, patient, oldest_first)).unwrap()
    finally:
        event.remove(sync, "before_cursor_execute", capture)
    assert len(captured) == 4
    expected = [
        "ix_audit_events_organization_id_patient_id",
        "ix_audit_events_organization_id_actor_id",
        "ix_audit_events_organization_id_patient_id",
        "ix_audit_events_organization_id_patient_id",
    ]
    for (statement, parameters), index in zip(captured, expected, strict=True):
        raw: Any = await db.connection.get_raw_connection()
        async with raw.driver_connection.cursor() as cursor:
            await cursor.execute("EXPLAIN " + statement, parameters)
            plan = "\n".join(row[0] for row in await cursor.fetchall())
        assert index in plan, plan
        assert "Seq Scan on audit_events" not in plan, plan


async def test_the_migration_chains_events_written_before_it(
    fresh_database_url: str, tmp_path: Path, sync_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDCORE_SECRET_KEY", SECRET_KEY)  # the deployment's key, as `medcore db upgrade` sees it
    migrate.downgrade(fresh_database_url, "0006")
    organization_id = uuid4()
    now = datetime(2026, 1, 5, 8, 30, 0, 123456, tzinfo=UTC)
    with sync_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organizations (id, slug, name, settings, created_at, updated_at, version) "
                "VALUES (:id, 'legacy', 'Legacy', '{}', :now, :now, 1)"
            ),
            {"id": organization_id, "now": now},
        )
        for sequence in range(1, 8):
            connection.execute(
                text(
                    "INSERT INTO audit_events (id, organization_id, sequence, occurred_at, actor_type, actor_id, "
                    "action, outcome, resource_type, resource_id, patient_id, ip, user_agent, request_id, details, "
                    "created_at) VALUES (:id, :org, :seq, :at, 'user', :actor, 'patient.read', 'success', 'patient', "
                    ":patient, :patient, '198.51.100.4', 'legacy-agent', :req, CAST(:details AS jsonb), :at)"
                ),
                {
                    "id": uuid4(),
                    "org": organization_id,
                    "seq": sequence,
                    "at": now + timedelta(seconds=sequence),
                    "actor": uuid4(),
                    "patient": uuid4(),
                    "req": f"legacy-{sequence}",
                    "details": f'{{"self": false, "n": {sequence}}}',
                },
            )
        connection.execute(
            text(
                "INSERT INTO audit_heads (organization_id, sequence, created_at, updated_at, version) "
                "VALUES (:org, 7, :now, :now, 1)"
            ),
            {"org": organization_id, "now": now},
        )
    migrate.upgrade(fresh_database_url)

    container = audit_container(fresh_database_url, tmp_path)
    try:
        report = await verify(container, organization_id)
    finally:
        await container.gateways.engine().dispose()
    assert report.intact, report.findings
    assert report.events_checked == 7
    with sync_engine.connect() as connection:
        digest = connection.execute(
            text("SELECT ip_digest FROM audit_events WHERE organization_id = :org AND sequence = 1"),
            {"org": organization_id},
        ).scalar_one()
        head = connection.execute(
            text("SELECT hash FROM audit_heads WHERE organization_id = :org"), {"org": organization_id}
        ).scalar_one()
        last = connection.execute(
            text("SELECT hash FROM audit_events WHERE organization_id = :org AND sequence = 7"),
            {"org": organization_id},
        ).scalar_one()
    assert digest == keyed_digest(audit_digest_key(SECRET_KEY.encode()), "198.51.100.4")
    assert head == last


def test_the_chain_fields_are_what_the_table_stores_but_the_raw_values() -> None:
    chained = set(ChainFields._fields)
    stored = {c.name for c in audit_events.columns}
    assert stored - chained == {"ip", "user_agent", "hash_version", "prev_hash", "hash"}
    assert chained - stored == set()
