"""What a printed prescription shows: enough for a pharmacist to dispense and to check it,
nothing of the record beyond that."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class PrintablePrescription:
    prescription_id: UUID
    organization_name: str
    prescriber_name: str
    prescriber_licence: str | None
    prescriber_specialties: tuple[str, ...]
    patient_name: str
    patient_birth_date: date
    items: tuple[str, ...]  # each in plain language
    issued_on: date
    valid_until: date
    verification_code: str  # formatted, as a pharmacist types it
