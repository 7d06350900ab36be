"""What the medical history routes share: list filters, narrowing, 201 answers, end commands."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from litestar import Request, Response
from litestar.datastructures import ResponseHeader

from medcore.application.patients.end_history_entry import EndEntryCommand
from medcore.application.patients.list_history_entries import ListHistoryEntries
from medcore.application.patients.queries import ENTRY_LISTS
from medcore.application.shared.actor import Actor
from medcore.domain.patients.history import (
    LIFECYCLES,
    Allergy,
    AnyEntry,
    Condition,
    EntryKind,
    EntryStatus,
    Measurement,
    Medication,
)
from medcore.domain.patients.measurements import MeasurementKind
from medcore.domain.shared.listing import Page
from medcore.entrypoints.http.etag import etag, expected_version
from medcore.entrypoints.http.listing import one_of, parse_list_query
from medcore.entrypoints.http.problems import unwrap

Req = Request[Any, Any, Any]
E = TypeVar("E", Allergy, Condition, Medication, Measurement)

ETAG_HEADER = [ResponseHeader(name="ETag", description="The version, for If-Match", documentation_only=True)]
CREATED_HEADERS = [
    ResponseHeader(name="Location", description="The new entry", documentation_only=True),
    *ETAG_HEADER,
]
READ = "Needs `medical_history:read`; a patient reads their own where the organization shows the history."
LIST = "Ended entries are included; `status=active` (`recorded` for measurements) keeps those in force. " + READ
END = (
    "Ends the entry with a status and keeps it (and every earlier state in the record's history). "
    "`If-Match` makes it conditional. Needs `medical_history:write`."
)


def _filters(kind: EntryKind) -> dict[str, Any]:
    found: dict[str, Any] = {"status": one_of(*sorted(s.value for s in LIFECYCLES[kind].all))}
    if kind is EntryKind.MEASUREMENT:
        found["kind"] = one_of(*(k.value for k in MeasurementKind))
    return found


def narrow(entry: AnyEntry, kind: type[E]) -> E:
    assert isinstance(entry, kind)
    return entry


async def list_entries(
    request: Req, actor: Actor, use_case: ListHistoryEntries, patient_id: UUID, kind: EntryKind
) -> Page[AnyEntry]:
    query = parse_list_query(request, ENTRY_LISTS[kind], _filters(kind))
    return unwrap(await use_case.execute(actor, patient_id, kind, query))


def created(patient_id: UUID, kind: EntryKind, entry: AnyEntry, body: Any) -> Response[Any]:
    return Response(
        body,
        status_code=201,
        headers={"Location": f"/api/v1/patients/{patient_id}/{kind.plural}/{entry.id}", "ETag": etag(entry.version)},
    )


def end_command(
    request: Req, patient_id: UUID, kind: EntryKind, entry_id: UUID, status: str, reason: str | None
) -> EndEntryCommand:
    return EndEntryCommand(
        patient_id=patient_id,
        kind=kind,
        entry_id=entry_id,
        status=EntryStatus(status),
        reason=reason,
        expected_version=expected_version(request),
    )
