"""Tampering with the trail as the database superuser (triggers disabled), one act per test,
and `medcore audit verify` naming each act at the event where it happened.

The trail of each test: an organization's creation, a patient record and reads of it;
checkpoint A; more reads; checkpoint B, whose own event closes the trail."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Connection, text

from medcore.adapters.blobs.audit_checkpoints import checkpoint_key
from medcore.container import Container
from medcore.domain.audit.chain import StoredEvent, decode_v1, link_hash, stored_event
from medcore.domain.audit.verification import FindingKind
from tests.integration.audit.support import (
    SIGNING_SEED,
    audit_container,
    organization_with_events,
    superuser,
    verify,
)
from tests.integration.system_helpers import SECRET_KEY, flat, run_cli

pytestmark = pytest.mark.slow

K = 10  # the event tampered with, well before checkpoint A


@dataclass
class Trail:
    url: str
    data_dir: Path
    container: Container
    organization_id: UUID
    events: list[StoredEvent]
    checkpoint_a: int
    checkpoint_b: int

    @property
    def last(self) -> int:
        return self.events[-1].sequence

    def event(self, sequence: int) -> StoredEvent:
        return self.events[sequence - 1]


async def _events(container: Container, organization_id: UUID) -> list[StoredEvent]:
    async with container.use_cases.unit_of_work() as uow:
        return [e async for e in uow.audit_log.chain(organization_id)]


@pytest.fixture
async def trail(fresh_database_url: str, tmp_path: Path) -> Any:
    container = audit_container(fresh_database_url, tmp_path)
    use_cases: Any = container.use_cases
    organization_id, owner = await organization_with_events(container, "tampered", reads=20)
    [a] = await use_cases.create_audit_checkpoints().execute([organization_id])
    patient_id = decode_v1((await _events(container, organization_id))[-2].encoded)[0].patient_id
    for _ in range(8):
        await use_cases.get_patient().execute(owner, UUID(str(patient_id)))
    [b] = await use_cases.create_audit_checkpoints().execute([organization_id])
    assert a.checkpoint is not None and b.checkpoint is not None
    events = await _events(container, organization_id)
    assert events[-1].action == "audit.checkpoint"
    intact = await verify(container, organization_id)
    assert intact.intact and intact.checkpoints_checked == 2
    yield Trail(
        fresh_database_url, tmp_path, container, organization_id, events, a.checkpoint.sequence, b.checkpoint.sequence
    )
    await container.gateways.engine().dispose()


def _shift(connection: Connection, organization_id: UUID, after: int, by: int) -> None:
    """Renumber events after ``after`` by ``by`` (through negative numbers: no key clash)."""
    params = {"org": organization_id, "after": after, "by": by}
    connection.execute(
        text("UPDATE audit_events SET sequence = -sequence WHERE organization_id = :org AND sequence > :after"), params
    )
    connection.execute(
        text("UPDATE audit_events SET sequence = -sequence + :by WHERE organization_id = :org AND sequence < 0"), params
    )


def _insert(connection: Connection, organization_id: UUID, event: StoredEvent) -> None:
    fields = event.fields
    connection.execute(
        text(
            "INSERT INTO audit_events (organization_id, sequence, id, occurred_at, created_at, actor_type, actor_id, "
            "actor_role, action, outcome, resource_type, resource_id, patient_id, purpose, ip_digest, "
            "user_agent_digest, request_id, details, hash_version, prev_hash, hash) VALUES (:org, :sequence, :id, "
            "CAST(:occurred_at AS timestamptz), CAST(:created_at AS timestamptz), :actor_type, :actor_id, :actor_role, "
            ":action, :outcome, :resource_type, :resource_id, :patient_id, :purpose, :ip_digest, :user_agent_digest, "
            ":request_id, CAST(:details AS jsonb), 1, :prev_hash, :hash)"
        ),
        {
            **fields._asdict(),
            "org": organization_id,
            "details": json.dumps(dict(fields.details)),
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        },
    )


def _forged(trail: Trail, sequence: int, prev_hash: str) -> StoredEvent:
    """A well-formed event that never happened, properly hashed after ``prev_hash``."""
    model = trail.event(K).fields
    return stored_event(
        model._replace(sequence=sequence, id=str(uuid4()), action="patient.alibi", request_id="forged"), prev_hash
    )


# --- the acts ---------------------------------------------------------------------------


def change_one_event(t: Trail, c: Connection) -> tuple[FindingKind, int]:
    # DISABLE TRIGGER as the table owner would; the other acts use session_replication_role.
    c.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    c.execute(
        text("UPDATE audit_events SET action = 'patient.nothing' WHERE organization_id = :org AND sequence = :k"),
        {"org": t.organization_id, "k": K},
    )
    c.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    return FindingKind.CHANGED, K


def change_and_rewrite_every_hash(t: Trail, c: Connection) -> tuple[FindingKind, int]:
    prev = t.event(K - 1).hash
    for event in t.events[K - 1 :]:
        fields = event.fields
        if event.sequence == K:
            fields = fields._replace(action="patient.nothing")
        digest = link_hash(fields, prev)
        c.execute(
            text(
                "UPDATE audit_events SET action = :action, prev_hash = :prev, hash = :hash "
                "WHERE organization_id = :org AND sequence = :seq"
            ),
            {"action": fields.action, "prev": prev, "hash": digest, "org": t.organization_id, "seq": event.sequence},
        )
        prev = digest
    c.execute(
        text("UPDATE audit_heads SET hash = :hash WHERE organization_id = :org"),
        {"hash": prev, "org": t.organization_id},
    )
    return FindingKind.CHECKPOINT_MISMATCH, t.checkpoint_a  # only a signature outside the database can tell


def delete_one_event(t: Trail, c: Connection) -> tuple[FindingKind, int]:
    c.execute(
        text("DELETE FROM audit_events WHERE organization_id = :org AND sequence = :k"),
        {"org": t.organization_id, "k": K},
    )
    return FindingKind.MISSING, K


def delete_and_renumber(t: Trail, c: Connection) -> tuple[FindingKind, int]:
    delete_one_event(t, c)
    _shift(c, t.organization_id, K, -1)
    c.execute(
        text("UPDATE audit_heads SET sequence = sequence - 1 WHERE organization_id = :org"), {"org": t.organization_id}
    )
    return FindingKind.MISSING, K


def insert_and_renumber(t: Trail, c: Connection) -> tuple[FindingKind, int]:
    _shift(c, t.organization_id, K - 1, +1)
    _insert(c, t.organization_id, _forged(t, K, t.event(K - 1).hash))
    return FindingKind.INSERTED, K


def append_beyond_the_head(t: Trail, c: Connection) -> tuple[FindingKind, int]:
    _insert(c, t.organization_id, _forged(t, t.last + 1, t.events[-1].hash))
    return FindingKind.INSERTED, t.last + 1


def exchange_two_events(t: Trail, c: Connection) -> tuple[FindingKind, int]:
    params = {"org": t.organization_id, "k": K}
    c.execute(text("UPDATE audit_events SET sequence = -1 WHERE organization_id = :org AND sequence = :k"), params)
    c.execute(text("UPDATE audit_events SET sequence = :k WHERE organization_id = :org AND sequence = :k + 1"), params)
    c.execute(text("UPDATE audit_events SET sequence = :k + 1 WHERE organization_id = :org AND sequence = -1"), params)
    return FindingKind.REORDERED, K


def cut_the_tail(t: Trail, c: Connection) -> tuple[FindingKind, int]:
    c.execute(
        text("DELETE FROM audit_events WHERE organization_id = :org AND sequence > :keep"),
        {"org": t.organization_id, "keep": t.last - 3},
    )
    return FindingKind.TAIL_CUT, t.last - 2


def cut_the_tail_and_the_head(t: Trail, c: Connection) -> tuple[FindingKind, int]:
    keep = t.checkpoint_b - 2
    c.execute(
        text("DELETE FROM audit_events WHERE organization_id = :org AND sequence > :keep"),
        {"org": t.organization_id, "keep": keep},
    )
    c.execute(
        text("UPDATE audit_heads SET sequence = :keep, hash = :hash WHERE organization_id = :org"),
        {"org": t.organization_id, "keep": keep, "hash": t.event(keep).hash},
    )
    return FindingKind.TAIL_CUT, keep + 1  # checkpoint B still names event `checkpoint_b`


def change_a_raw_address(t: Trail, c: Connection) -> tuple[FindingKind, int]:
    c.execute(
        text("UPDATE audit_events SET ip = '203.0.113.99' WHERE organization_id = :org AND sequence = :k"),
        {"org": t.organization_id, "k": K},
    )
    return FindingKind.CHANGED, K


def delete_a_checkpoint_from_the_database(t: Trail, c: Connection) -> tuple[FindingKind, int]:
    c.execute(
        text("DELETE FROM audit_checkpoints WHERE organization_id = :org AND sequence = :s"),
        {"org": t.organization_id, "s": t.checkpoint_a},
    )
    return FindingKind.CHECKPOINT_MISSING, t.checkpoint_a


def alter_a_checkpoint_in_the_database(t: Trail, c: Connection) -> tuple[FindingKind, int]:
    c.execute(
        text("UPDATE audit_checkpoints SET hash = :h WHERE organization_id = :org AND sequence = :s"),
        {"org": t.organization_id, "s": t.checkpoint_a, "h": t.event(K).hash},
    )
    return FindingKind.CHECKPOINT_ALTERED, t.checkpoint_a


def alter_a_checkpoint_in_the_blob_store(t: Trail, c: Connection) -> tuple[FindingKind, int]:
    path = t.data_dir / "blobs" / checkpoint_key(t.organization_id, t.checkpoint_a)
    document = json.loads(path.read_text())
    document["hash"] = t.event(K).hash
    path.write_text(json.dumps(document))
    return FindingKind.CHECKPOINT_ALTERED, t.checkpoint_a


ACTS: list[Callable[[Trail, Connection], tuple[FindingKind, int]]] = [
    change_one_event,
    change_and_rewrite_every_hash,
    delete_one_event,
    delete_and_renumber,
    insert_and_renumber,
    append_beyond_the_head,
    exchange_two_events,
    cut_the_tail,
    cut_the_tail_and_the_head,
    change_a_raw_address,
    delete_a_checkpoint_from_the_database,
    alter_a_checkpoint_in_the_database,
    alter_a_checkpoint_in_the_blob_store,
]


@pytest.mark.parametrize("act", ACTS, ids=[a.__name__ for a in ACTS])
async def test_verify_names_each_tampering_act_at_its_event(
    trail: Trail, act: Callable[[Trail, Connection], tuple[FindingKind, int]]
) -> None:
    with superuser(trail.url) as connection:
        kind, sequence = act(trail, connection)

    report = await verify(trail.container, trail.organization_id)

    assert not report.intact
    first = report.first_broken
    assert first is not None
    assert (first.kind, first.sequence) == (kind, sequence), report.findings


async def test_a_checkpoint_forged_in_both_places_without_the_key_is_refused(trail: Trail) -> None:
    forged_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    forger = audit_container(trail.url, trail.data_dir, MEDCORE_AUDIT_SIGNING_KEY=forged_key)
    try:
        with superuser(trail.url) as connection:
            change_and_rewrite_every_hash(trail, connection)
        # The forger signs the rewritten head with a key of their own, in both places.
        await forger.use_cases.create_audit_checkpoints().execute([trail.organization_id], force=True)
    finally:
        await forger.gateways.engine().dispose()
    report = await verify(trail.container, trail.organization_id)
    kinds = {f.kind for f in report.findings}
    assert FindingKind.BAD_SIGNATURE in kinds and FindingKind.CHECKPOINT_MISMATCH in kinds


async def test_verify_from_the_newest_checkpoint_checks_only_what_follows(trail: Trail) -> None:
    with superuser(trail.url) as connection:
        change_one_event(trail, connection)  # before both checkpoints: out of a quick check's sight
    quick = await verify(trail.container, trail.organization_id, from_checkpoint=True)
    assert quick.intact and quick.anchor.sequence == trail.checkpoint_b
    assert quick.events_checked == trail.last - trail.checkpoint_b
    full = await verify(trail.container, trail.organization_id)
    assert not full.intact


def test_the_cli_prints_the_first_broken_link_and_fails(trail: Trail) -> None:
    env = {
        "MEDCORE_DATABASE_URL": trail.url,
        "MEDCORE_DATA_DIR": str(trail.data_dir),
        "MEDCORE_SECRET_KEY": SECRET_KEY,
        "MEDCORE_AUDIT_SIGNING_KEY": SIGNING_SEED,
        "MEDCORE_LOG_LEVEL": "WARNING",
    }
    intact = run_cli(["audit", "verify"], env)
    assert intact.exit_code == 0, intact.output
    assert "intact" in flat(intact.output)

    with superuser(trail.url) as connection:
        delete_one_event(trail, connection)
    broken = run_cli(["audit", "verify", "--org", "tampered"], env)

    assert broken.exit_code == 1, broken.output
    assert f"first broken link at event {K}: missing" in flat(broken.output)
