"""The version history of a patient record: one immutable version per change of the
demographics or of a medical history entry, saying who changed what and when, with the
full state after the change."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from medcore.domain.audit.entry import ActorType


class VersionAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    END = "end"  # an entry resolved, stopped, entered in error...
    DELETE = "delete"


class VersionedResource(enum.StrEnum):
    """What a version is a version of: the record itself, or one entry of its history."""

    PATIENT = "patient"
    ALLERGY = "allergy"
    CONDITION = "condition"
    MEDICATION = "medication"
    MEASUREMENT = "measurement"


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientVersion:
    """``sequence`` numbers a patient's versions 1, 2, 3... in the order they happened; the
    history assigns it when the version is recorded (0 before)."""

    id: UUID
    organization_id: UUID
    patient_id: UUID
    resource_type: VersionedResource
    resource_id: UUID
    action: VersionAction
    changed_fields: tuple[str, ...]
    snapshot: Mapping[str, Any] = field(default_factory=dict)
    actor_type: ActorType
    actor_id: UUID | None
    recorded_at: datetime
    sequence: int = 0
