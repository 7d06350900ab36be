"""The audit trail: queries, exports, and a patient record's access log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from litestar import Request, Router, get
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath, FromQuery
from litestar.response import Stream

from medcore.application.audit.export_audit_events import ExportAuditEvents, ExportAuditEventsCommand
from medcore.application.audit.get_access_log import GetAccessLog
from medcore.application.audit.list_audit_events import ListAuditEvents
from medcore.application.audit.queries import ACCESS_LOG_LIST, AUDIT_EVENT_LIST, audit_filter
from medcore.application.shared.actor import Actor
from medcore.domain.audit.entry import Outcome, RecordedEvent
from medcore.domain.shared.errors import FieldIssue
from medcore.domain.shared.listing import ListSpec
from medcore.entrypoints.http.listing import one_of, page_info, parse_list_query
from medcore.entrypoints.http.params import instant, uuid_value
from medcore.entrypoints.http.problems import ProblemError, unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.audit import (
    AccessLogList,
    AuditEventList,
    access_log_entry_out,
    audit_event_out,
    csv_header,
    csv_line,
    ndjson_line,
)

Req = Request[Any, Any, Any]

NDJSON = "application/x-ndjson"
CSV = "text/csv; charset=utf-8"

_FILTERS = {
    "patient_id": uuid_value,
    "actor_id": uuid_value,
    "resource_id": uuid_value,
    "action": lambda value: value.strip()[:100],
    "resource_type": lambda value: value.strip()[:100],
    "outcome": one_of(*(o.value for o in Outcome)),
    "from": instant,
    "to": instant,
}
_FILTER_HELP = (
    "Filters: `patient_id`, `actor_id`, `resource_id`, `action` (`patient.read`), `resource_type` (`patient`), "
    "`outcome` (`success`, `failure`, `denied`), `from` (inclusive) and `to` (exclusive) as RFC 3339 instants "
    "with their offset."
)
_EXPORT_SPEC = ListSpec(
    filters=AUDIT_EVENT_LIST.filters | {"format"},
    sorts=frozenset(),
    default_sort="sequence",
)


@get(
    "/",
    summary="List audit events",
    description=f"Needs `audit:read` (auditors and owners). {_FILTER_HELP} Newest first; `sort=sequence` for the "
    "oldest first. Cursor pagination by sequence; `page.total` is omitted (counting the trail is not worth it). "
    "Each event carries its chain links (`prev_hash`, `hash`). Reading the trail is itself audited.",
    security=SECURED,
    responses=documented(),
)
async def list_audit_events(
    request: Req, actor: Inject[Actor], list_audit_events: Inject[ListAuditEvents]
) -> AuditEventList:
    page = unwrap(await list_audit_events.execute(actor, parse_list_query(request, AUDIT_EVENT_LIST, _FILTERS)))
    return AuditEventList(items=[audit_event_out(e) for e in page.items], page=page_info(page))


@dataclass
class _ExportOperation(Operation):
    """The export answers NDJSON or CSV, as ``format`` asks: both are documented."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            text = Schema(type=OpenAPIType.STRING)
            ok.content = {NDJSON: OpenAPIMediaType(schema=text), "text/csv": OpenAPIMediaType(schema=text)}


@get(
    "/export",
    summary="Export audit events (NDJSON or CSV)",
    description=f"Needs `audit:read`. `format=ndjson` (default: one JSON event per line) or `format=csv` (a header "
    f"line, then one event per line; `details` as JSON). {_FILTER_HELP} Oldest first, streamed, up to the last "
    "event recorded when the export was asked for. The export is itself audited.",
    security=SECURED,
    responses=documented(),
    media_type=NDJSON,
    operation_class=_ExportOperation,
)
async def export_audit_events(
    request: Req,
    actor: Inject[Actor],
    export_audit_events: Inject[ExportAuditEvents],
    format: FromQuery[Literal["ndjson", "csv"]] = "ndjson",
) -> Stream:
    query = parse_list_query(request, _EXPORT_SPEC, _FILTERS)
    unexpected = [name for name in ("limit", "cursor", "sort") if name in request.query_params]
    if unexpected:
        raise ProblemError(
            422,
            "validation_failed",
            "An export has no pages.",
            errors=[
                FieldIssue(name, "Not accepted by the export: it streams every matching event.") for name in unexpected
            ],
        )
    events = unwrap(
        await export_audit_events.execute(
            actor, ExportAuditEventsCommand(criteria=audit_filter(query.filters), format=format)
        )
    )
    if format == "csv":
        return Stream(
            _csv(events),
            media_type=CSV,
            # The handler's documented media type would win over the response's: say it here.
            headers={
                "Content-Type": CSV,
                "Content-Disposition": 'attachment; filename="audit-events.csv"',
                "Cache-Control": "no-store",
            },
        )
    return Stream(
        _ndjson(events),
        media_type=NDJSON,
        headers={"Content-Disposition": 'attachment; filename="audit-events.ndjson"', "Cache-Control": "no-store"},
    )


async def _ndjson(events: AsyncIterator[RecordedEvent]) -> AsyncIterator[bytes]:
    async for event in events:
        yield ndjson_line(event)


async def _csv(events: AsyncIterator[RecordedEvent]) -> AsyncIterator[bytes]:
    yield csv_header()
    async for event in events:
        yield csv_line(event)


@get(
    "/{patient_id:uuid}/access-log",
    summary="Who accessed a patient record",
    description="The accounting of accesses to one record, newest first: who (staff by role and name; "
    "integrations by key name; other patients by role only), when, what action on which resource, the outcome "
    "(refused attempts included) and the stated purpose. Visible to the patient themselves and to holders of "
    "`audit:read` (auditors, owners). Reading it is itself recorded (and appears in it).",
    security=SECURED,
    responses=documented(404),
)
async def patient_access_log(
    patient_id: FromPath[UUID], request: Req, actor: Inject[Actor], get_access_log: Inject[GetAccessLog]
) -> AccessLogList:
    page = unwrap(await get_access_log.execute(actor, patient_id, parse_list_query(request, ACCESS_LOG_LIST)))
    return AccessLogList(items=[access_log_entry_out(e, actor.user_id) for e in page.items], page=page_info(page))


router = Router(path="/api/v1/audit-events", tags=["audit"], route_handlers=[list_audit_events, export_audit_events])
access_log_router = Router(path="/api/v1/patients", tags=["audit"], route_handlers=[patient_access_log])
