"""Audit entries: who did what to which resource, when, from where, and how it ended.

Details name things by opaque ids and codes only; health data never enters the trail.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID


class ActorType(enum.StrEnum):
    USER = "user"
    API_KEY = "api_key"
    SYSTEM = "system"  # a batch job or the CLI acting as the operator
    ANONYMOUS = "anonymous"  # before authentication (a failed login, a reset request)


class Outcome(enum.StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One event, before the trail gives it a sequence number and a time."""

    organization_id: UUID
    action: str  # "auth.login", "user.create", "patient.read" ...
    outcome: Outcome
    actor_type: ActorType
    actor_id: UUID | None = None
    actor_role: str | None = None  # the actor's role when it acted (users), kept in the chain
    resource_type: str | None = None
    resource_id: UUID | None = None
    patient_id: UUID | None = None
    purpose: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    details: Mapping[str, str | int | bool | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedEvent:
    """An event as the trail keeps it: numbered, timed and chained."""

    organization_id: UUID
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
    ip: str | None  # raw values: may have been erased since (their digests stay chained)
    user_agent: str | None
    request_id: str | None
    details: Mapping[str, str | int | bool | None]
    prev_hash: str
    hash: str
