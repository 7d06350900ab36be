"""Prescriptions a consultation links: only the same patient's, in the same organization."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.shared.errors import DomainError, FieldIssue, invalid


async def check_links(
    uow: UnitOfWork, organization_id: UUID, patient_id: UUID, prescription_ids: Sequence[UUID]
) -> Result[None, DomainError]:
    """Each id must be a prescription of this patient; unknown ones (or another patient's,
    which answer the same) are refused by position."""
    if not prescription_ids:
        return Success(None)
    found = await uow.prescription_links.of_patient(organization_id, patient_id, prescription_ids)
    issues = [
        FieldIssue(f"prescription_ids.{index}", "No such prescription for this patient.")
        for index, prescription_id in enumerate(prescription_ids)
        if prescription_id not in found
    ]
    if issues:
        return Failure(invalid("validation_failed", "Some linked prescriptions are not valid.", *issues))
    return Success(None)
