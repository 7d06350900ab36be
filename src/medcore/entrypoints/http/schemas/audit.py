"""Response bodies of the audit endpoints, and the export encodings (NDJSON, CSV)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from uuid import UUID

import msgspec

from medcore.domain.audit.entry import ActorType, Outcome, RecordedEvent
from medcore.domain.audit.ports import AccessLogEntry
from medcore.entrypoints.http.listing import PageInfo

DetailValue = str | int | bool | None


class AuditEventOut(msgspec.Struct, frozen=True):
    sequence: int
    id: UUID
    occurred_at: datetime
    action: str
    outcome: Outcome
    actor_type: ActorType
    actor_id: UUID | None
    actor_role: str | None
    resource_type: str | None
    resource_id: UUID | None
    patient_id: UUID | None
    purpose: str | None
    ip: str | None  # null once erased (its digest stays in the chain)
    user_agent: str | None
    request_id: str | None
    details: dict[str, DetailValue]
    prev_hash: str
    hash: str


class AuditEventList(msgspec.Struct, frozen=True):
    items: list[AuditEventOut]
    page: PageInfo


def audit_event_out(event: RecordedEvent) -> AuditEventOut:
    return AuditEventOut(
        sequence=event.sequence,
        id=event.id,
        occurred_at=event.occurred_at.astimezone(UTC),
        action=event.action,
        outcome=event.outcome,
        actor_type=event.actor_type,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        resource_type=event.resource_type,
        resource_id=event.resource_id,
        patient_id=event.patient_id,
        purpose=event.purpose,
        ip=event.ip,
        user_agent=event.user_agent,
        request_id=event.request_id,
        details=dict(event.details),
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


_NDJSON = msgspec.json.Encoder()
CSV_COLUMNS: list[object] = list(AuditEventOut.__struct_fields__)


def ndjson_line(event: RecordedEvent) -> bytes:
    return _NDJSON.encode(audit_event_out(event)) + b"\n"


def csv_header() -> bytes:
    return _csv_row(CSV_COLUMNS)


def csv_line(event: RecordedEvent) -> bytes:
    out = audit_event_out(event)
    values: list[object] = []
    for name in AuditEventOut.__struct_fields__:
        value = getattr(out, name)
        if name == "details":
            value = json.dumps(value, sort_keys=True, separators=(",", ":"))
        elif isinstance(value, datetime):
            value = value.isoformat().replace("+00:00", "Z")
        values.append("" if value is None else value)
    return _csv_row(values)


def _csv_row(values: list[object]) -> bytes:
    buffer = io.StringIO()
    # Cells starting with = + - @ are kept as text by spreadsheets only when quoted with a
    # leading apostrophe: audit values are ids and codes, but user agents are not ours.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_neutralised(v) for v in values])
    return buffer.getvalue().encode()


def _neutralised(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class AccessLogActor(msgspec.Struct, frozen=True):
    type: ActorType
    role: str | None  # at the time of the access
    name: str | None  # staff and integrations by name; other patients never
    id: UUID | None
    is_you: bool  # the patient themselves


class AccessLogEntryOut(msgspec.Struct, frozen=True):
    sequence: int
    occurred_at: datetime
    action: str
    outcome: Outcome
    purpose: str | None
    resource_type: str | None
    resource_id: UUID | None
    actor: AccessLogActor


class AccessLogList(msgspec.Struct, frozen=True):
    items: list[AccessLogEntryOut]
    page: PageInfo


def access_log_entry_out(entry: AccessLogEntry, you: UUID | None) -> AccessLogEntryOut:
    return AccessLogEntryOut(
        sequence=entry.sequence,
        occurred_at=entry.occurred_at.astimezone(UTC),
        action=entry.action,
        outcome=entry.outcome,
        purpose=entry.purpose,
        resource_type=entry.resource_type,
        resource_id=entry.resource_id,
        actor=AccessLogActor(
            type=entry.actor_type,
            role=entry.actor_role,
            name=entry.actor_name,
            id=entry.actor_id,
            is_you=you is not None and entry.actor_id == you,
        ),
    )
