"""Building hash chains, and the tampering acts a database superuser could commit, for the
verification tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from medcore.domain.audit.chain import GENESIS_HASH, ChainFields, StoredEvent, stored_event, with_sequence
from medcore.domain.audit.checkpoint import ChainHead

ORG = UUID("0190d6a0-0000-7000-8000-000000000001")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fields(number: int, action: str = "patient.read", **changes: object) -> ChainFields:
    sequence = number
    at = START + timedelta(seconds=sequence)
    base = ChainFields(
        organization_id=str(ORG),
        sequence=sequence,
        id=str(UUID(int=sequence)),
        occurred_at=at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        created_at=at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        actor_type="user",
        actor_id=str(UUID(int=1000)),
        actor_role="practitioner",
        action=action,
        outcome="success",
        resource_type="patient",
        resource_id=str(UUID(int=2000 + sequence % 7)),
        patient_id=str(UUID(int=2000 + sequence % 7)),
        purpose=None,
        ip_digest=None,
        user_agent_digest=None,
        request_id=f"req-{sequence}",
        details={"self": False, "n": sequence},
    )
    return base._replace(**changes)  # type: ignore[arg-type]


def chain(length: int, start: int = 1, prev: str = GENESIS_HASH) -> list[StoredEvent]:
    events = []
    for sequence in range(start, start + length):
        event = stored_event(fields(sequence), prev)
        events.append(event)
        prev = event.hash
    return events


def head_of(events: list[StoredEvent]) -> ChainHead:
    last = events[-1]
    return ChainHead(sequence=last.sequence, hash=last.hash)


def relink(events: list[StoredEvent], start: int = 0) -> list[StoredEvent]:
    """Recompute every hash from ``start`` on, as an attacker who rewrites the tail would."""
    out = list(events[:start])
    prev = out[-1].hash if out else GENESIS_HASH
    for event in events[start:]:
        rewritten = stored_event(event.fields, prev)
        out.append(rewritten)
        prev = rewritten.hash
    return out


def tampered(event: StoredEvent, **changes: object) -> StoredEvent:
    """The event with some columns changed, its stored links kept (a plain UPDATE)."""
    return stored_event(event.fields._replace(**changes), event.prev_hash, event.hash)  # type: ignore[arg-type]


def rehashed(event: StoredEvent, **changes: object) -> StoredEvent:
    """The event changed and its own hash recomputed (an attacker who knows the encoding)."""
    return stored_event(event.fields._replace(**changes), event.prev_hash)  # type: ignore[arg-type]


def renumbered(events: list[StoredEvent], shift: int, start_index: int) -> list[StoredEvent]:
    """Events from ``start_index`` on with their sequence moved by ``shift`` (hashes kept)."""
    return events[:start_index] + [
        stored_event(with_sequence(e.fields, e.sequence + shift), e.prev_hash, e.hash) for e in events[start_index:]
    ]
