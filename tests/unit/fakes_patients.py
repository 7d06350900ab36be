"""In-memory repositories of the patients context (wired into ``FakeUnitOfWork``)."""

from __future__ import annotations

import copy
import dataclasses
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from typing import Any
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.patients.history import AnyEntry, EntryKind, Measurement, MedicalHistory
from medcore.domain.patients.measurements import MeasurementKind
from medcore.domain.patients.patient import ACCOUNT_ALREADY_LINKED, MRN_TAKEN, Patient
from medcore.domain.patients.ports import MedicalHistoryRepository, PatientRepository
from medcore.domain.patients.values import MedicalRecordNumber
from medcore.domain.patients.versions import PatientVersion, VersionedResource
from medcore.domain.shared.errors import DomainError, DomainRefusal, field_invalid
from medcore.domain.shared.listing import ListQuery, Page


def _page(items: Sequence[Any], query: ListQuery, sorts: dict[str, Callable[[Any], Any]], default: str) -> Any:
    """Sort by the query's keys (then id), cut one page; the cursor is an offset."""
    ordered = sorted(items, key=lambda i: i.id)
    for key in reversed(query.sort or ()):
        ordered.sort(key=sorts[key.field], reverse=key.descending)
    if not query.sort:
        name = default.lstrip("-")
        ordered.sort(key=sorts[name], reverse=default.startswith("-"))
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


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _matches(search: str, patient: Patient) -> bool:
    """Every word of the search starts a word of the record (no typo tolerance here: the
    Postgres adapter's trigram search is tested against Postgres)."""
    fields = [patient.given_name, patient.family_name, patient.mrn, patient.email or "", patient.phone or ""]
    words = [w for f in fields for w in re.findall(r"[^\W_]+", _fold(f))]
    return all(any(w.startswith(t) for w in words) for t in re.findall(r"[^\W_]+", _fold(search)))


class FakePatients(PatientRepository):
    def __init__(self, table: dict[UUID, Patient], counters: dict[UUID, int]) -> None:
        self._table = table
        self._counters = counters

    def _check_unique(self, patient: Patient) -> None:
        for other in self._table.values():
            if other.id == patient.id or other.organization_id != patient.organization_id:
                continue
            if other.mrn == patient.mrn:
                raise DomainRefusal(MRN_TAKEN)
            if patient.user_id is not None and other.user_id == patient.user_id and not other.deleted:
                raise DomainRefusal(ACCOUNT_ALREADY_LINKED)

    async def add(self, patient: Patient) -> None:
        self._check_unique(patient)
        self._table[patient.id] = copy.deepcopy(patient)

    async def get(self, organization_id: UUID, patient_id: UUID, *, lock: bool = False) -> Patient | None:
        found = self._table.get(patient_id)
        if found is None or found.organization_id != organization_id or found.deleted:
            return None
        return copy.deepcopy(found)

    async def by_user(self, organization_id: UUID, user_id: UUID) -> Patient | None:
        return next(
            (
                copy.deepcopy(p)
                for p in self._table.values()
                if p.organization_id == organization_id and p.user_id == user_id and not p.deleted
            ),
            None,
        )

    async def next_mrn(self, organization_id: UUID) -> str:
        self._counters[organization_id] = self._counters.get(organization_id, 0) + 1
        return MedicalRecordNumber.generated(self._counters[organization_id]).value

    async def mrn_taken(self, organization_id: UUID, mrn: str) -> bool:
        return any(p.organization_id == organization_id and p.mrn == mrn for p in self._table.values())

    async def save(self, patient: Patient) -> bool:
        current = self._table.get(patient.id)
        if current is None or current.version != patient.version:
            return False
        self._check_unique(patient)
        patient.version += 1
        self._table[patient.id] = copy.deepcopy(patient)
        return True

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Patient], DomainError]:
        f = query.filters

        def kept(p: Patient) -> bool:
            return (
                p.organization_id == organization_id
                and not p.deleted
                and ("sex" not in f or p.sex.value == f["sex"])
                and ("birth_date_from" not in f or p.birth_date >= f["birth_date_from"])  # type: ignore[operator]
                and ("birth_date_to" not in f or p.birth_date <= f["birth_date_to"])  # type: ignore[operator]
                and ("has_user" not in f or (p.user_id is not None) == f["has_user"])
                and ("user_id" not in f or p.user_id == f["user_id"])
                and ("mrn" not in f or p.mrn == f["mrn"])
                and (query.search is None or _matches(query.search, p))
            )

        sorts: dict[str, Callable[[Any], Any]] = {
            name: (lambda p, n=name: getattr(p, n))
            for name in ("family_name", "given_name", "birth_date", "created_at", "mrn")
        }
        result: Result[Page[Patient], DomainError] = _page(
            [p for p in self._table.values() if kept(p)], query, sorts, "family_name"
        )
        return result


class FakeMedicalHistory(MedicalHistoryRepository):
    def __init__(self, entries: dict[UUID, AnyEntry], versions: list[PatientVersion]) -> None:
        self._entries = entries
        self._versions = versions

    def _of(self, organization_id: UUID, patient_id: UUID, kind: EntryKind | None = None) -> list[AnyEntry]:
        return [
            e
            for e in self._entries.values()
            if e.organization_id == organization_id
            and e.patient_id == patient_id
            and (kind is None or e.entry_kind is kind)
        ]

    async def add(self, entry: AnyEntry) -> None:
        self._entries[entry.id] = copy.deepcopy(entry)

    async def get(
        self, organization_id: UUID, patient_id: UUID, kind: EntryKind, entry_id: UUID, *, lock: bool = False
    ) -> AnyEntry | None:
        found = next((e for e in self._of(organization_id, patient_id, kind) if e.id == entry_id), None)
        return copy.deepcopy(found)

    async def save(self, entry: AnyEntry) -> bool:
        current = self._entries.get(entry.id)
        if current is None or current.version != entry.version:
            return False
        entry.version += 1
        self._entries[entry.id] = copy.deepcopy(entry)
        return True

    async def list(
        self, organization_id: UUID, patient_id: UUID, kind: EntryKind, query: ListQuery
    ) -> Result[Page[AnyEntry], DomainError]:
        f = query.filters
        kept = [
            e
            for e in self._of(organization_id, patient_id, kind)
            if ("status" not in f or e.status.value == f["status"])
            and ("kind" not in f or (isinstance(e, Measurement) and e.kind.value == f["kind"]))
        ]
        sorts: dict[str, Callable[[Any], Any]] = {
            "created_at": lambda e: e.created_at,
            "measured_at": lambda e: e.measured_at,
        }
        result: Result[Page[AnyEntry], DomainError] = _page(
            kept, query, sorts, "-measured_at" if kind is EntryKind.MEASUREMENT else "created_at"
        )
        return result

    async def history(self, organization_id: UUID, patient_id: UUID) -> MedicalHistory:
        return MedicalHistory.of(copy.deepcopy(self._of(organization_id, patient_id)))

    async def latest_measurement(
        self, organization_id: UUID, patient_id: UUID, kind: MeasurementKind
    ) -> Measurement | None:
        return (await self.history(organization_id, patient_id)).latest(kind)

    async def record_version(self, version: PatientVersion) -> PatientVersion:
        previous = [
            v.sequence
            for v in self._versions
            if v.organization_id == version.organization_id and v.patient_id == version.patient_id
        ]
        recorded = dataclasses.replace(version, sequence=max(previous, default=0) + 1)
        self._versions.append(recorded)
        return recorded

    async def versions(
        self,
        organization_id: UUID,
        patient_id: UUID,
        query: ListQuery,
        *,
        resource_types: Collection[VersionedResource] | None = None,
    ) -> Result[Page[PatientVersion], DomainError]:
        f = query.filters
        kept = [
            v
            for v in self._versions
            if v.organization_id == organization_id
            and v.patient_id == patient_id
            and (resource_types is None or v.resource_type in resource_types)
            and ("resource_type" not in f or v.resource_type.value == f["resource_type"])
            and ("resource_id" not in f or v.resource_id == f["resource_id"])
        ]
        result: Result[Page[PatientVersion], DomainError] = _page(
            kept, query, {"sequence": lambda v: v.sequence}, "sequence"
        )
        return result
