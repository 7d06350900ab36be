"""In-memory repositories of the prescribing context (wired into ``FakeUnitOfWork``)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.prescribing.ports import PrescriptionRepository, PrescriptionTemplateRepository
from medcore.domain.prescribing.prescription import Prescription, PrescriptionStatus
from medcore.domain.prescribing.template import NAME_TAKEN, PrescriptionTemplate
from medcore.domain.shared.errors import DomainError, DomainRefusal, field_invalid
from medcore.domain.shared.listing import ListQuery, Page


def _page(items: list[Any], query: ListQuery, sorts: dict[str, Callable[[Any], Any]], default: str) -> Any:
    ordered = sorted(items, key=lambda i: i.id)
    keys = list(query.sort) or []
    if not keys:
        ordered.sort(key=sorts[default.lstrip("-")], reverse=default.startswith("-"))
    for key in reversed(keys):
        ordered.sort(key=sorts[key.field], reverse=key.descending)
    start = 0
    if query.cursor is not None:
        if not query.cursor.isdigit():
            return Failure(field_invalid("cursor", "bad cursor", code="pagination.invalid_cursor"))
        start = int(query.cursor)
    chunk = [copy.deepcopy(i) for i in ordered[start : start + query.limit]]
    more = start + query.limit < len(ordered)
    return Success(
        Page(items=chunk, limit=query.limit, next_cursor=str(start + query.limit) if more else None, total=len(ordered))
    )


class FakePrescriptions(PrescriptionRepository):
    def __init__(self, table: dict[UUID, Prescription], practitioners: dict[UUID, Practitioner]) -> None:
        self._table = table
        self._practitioners = practitioners

    async def add(self, prescription: Prescription) -> None:
        self._table[prescription.id] = copy.deepcopy(prescription)

    async def get(self, organization_id: UUID, prescription_id: UUID, *, lock: bool = False) -> Prescription | None:
        found = self._table.get(prescription_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def save(self, prescription: Prescription) -> bool:
        current = self._table.get(prescription.id)
        if current is None or current.version != prescription.version:
            return False
        prescription.version += 1
        self._table[prescription.id] = copy.deepcopy(prescription)
        return True

    async def list_for_patient(
        self, organization_id: UUID, patient_id: UUID, query: ListQuery, *, signed_only: bool = False
    ) -> Result[Page[Prescription], DomainError]:
        found = [
            p
            for p in self._table.values()
            if p.organization_id == organization_id
            and p.patient_id == patient_id
            and (not signed_only or p.signed_at is not None)
            and ("status" not in query.filters or p.status.value == query.filters["status"])
            and ("prescriber_id" not in query.filters or p.prescriber_id == query.filters["prescriber_id"])
        ]
        sorts = {"created_at": lambda p: p.created_at, "signed_at": lambda p: p.signed_at or p.created_at}
        page: Result[Page[Prescription], DomainError] = _page(found, query, sorts, "-created_at")
        return page

    async def by_verification_digest(self, code_digest: str) -> Prescription | None:
        return next((copy.deepcopy(p) for p in self._table.values() if p.verification_hash == code_digest), None)

    def _due(self, now: datetime) -> list[Prescription]:
        due = []
        for prescription in self._table.values():
            practitioner = self._practitioners.get(prescription.prescriber_id)
            zone = practitioner.time_zone.zone if practitioner is not None else None
            today = now.astimezone(zone).date() if zone is not None else now.date()
            if (
                prescription.status is PrescriptionStatus.SIGNED
                and prescription.valid_until is not None
                and prescription.valid_until < today
            ):
                due.append(prescription)
        return sorted(due, key=lambda p: (p.valid_until, p.id))

    async def count_due_for_expiry(self, now: datetime) -> int:
        return len(self._due(now))

    async def claim_due_for_expiry(self, now: datetime, limit: int) -> list[Prescription]:
        return [copy.deepcopy(p) for p in self._due(now)[:limit]]


class FakePrescriptionTemplates(PrescriptionTemplateRepository):
    def __init__(self, table: dict[UUID, PrescriptionTemplate]) -> None:
        self._table = table

    async def add(self, template: PrescriptionTemplate) -> None:
        if any(
            t.organization_id == template.organization_id
            and t.practitioner_id == template.practitioner_id
            and t.name.lower() == template.name.lower()
            for t in self._table.values()
        ):
            raise DomainRefusal(NAME_TAKEN)
        self._table[template.id] = copy.deepcopy(template)

    async def get(self, organization_id: UUID, template_id: UUID) -> PrescriptionTemplate | None:
        found = self._table.get(template_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[PrescriptionTemplate], DomainError]:
        found = [
            t
            for t in self._table.values()
            if t.organization_id == organization_id
            and ("practitioner_id" not in query.filters or t.practitioner_id == query.filters["practitioner_id"])
        ]
        page: Result[Page[PrescriptionTemplate], DomainError] = _page(
            found, query, {"name": lambda t: t.name, "created_at": lambda t: t.created_at}, "name"
        )
        return page

    async def delete(self, organization_id: UUID, template_id: UUID) -> bool:
        found = self._table.get(template_id)
        if found is None or found.organization_id != organization_id:
            return False
        del self._table[template_id]
        return True
