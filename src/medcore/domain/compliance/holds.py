"""Legal holds: while a hold is active, nothing in its scope is disposed of."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.shared.errors import DomainError, conflict, field_invalid


class HoldScope(enum.StrEnum):
    PATIENT = "patient"
    PRACTITIONER = "practitioner"
    ORGANIZATION = "organization"


@dataclass(slots=True, kw_only=True)
class LegalHold:
    id: UUID
    organization_id: UUID
    scope: HoldScope
    subject_id: UUID | None  # the patient or practitioner; None for the whole organization
    reason: str
    placed_by: UUID | None
    placed_at: datetime
    released_by: UUID | None = None
    released_at: datetime | None = None
    release_note: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @staticmethod
    def check(scope: HoldScope, subject_id: UUID | None, reason: str) -> Result[None, DomainError]:
        if (scope is HoldScope.ORGANIZATION) != (subject_id is None):
            return Failure(
                field_invalid(
                    "subject_id", "Name the patient or practitioner held, and nothing for the whole organization."
                )
            )
        if not 3 <= len(reason.strip()) <= 1000:
            return Failure(field_invalid("reason", "Say why (3-1000 characters)."))
        return Success(None)

    @property
    def active(self) -> bool:
        return self.released_at is None

    def covers(self, *, patient_id: UUID | None, practitioner_ids: frozenset[UUID] = frozenset()) -> bool:
        """Whether a record of this patient (and these practitioners) is under this hold."""
        if not self.active:
            return False
        if self.scope is HoldScope.ORGANIZATION:
            return True
        if self.scope is HoldScope.PATIENT:
            return patient_id is not None and patient_id == self.subject_id
        return self.subject_id in practitioner_ids

    def release(self, by: UUID | None, note: str | None, now: datetime) -> Result[None, DomainError]:
        if self.released_at is not None:
            return Failure(conflict("legal_hold.already_released", "This hold is already released."))
        self.released_at = now
        self.released_by = by
        self.release_note = note
        self.updated_at = now
        return Success(None)
