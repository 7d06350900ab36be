"""A patient's health metrics (their measurements over time) and health reminders."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, Router, delete, get, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from medcore.application.clinical.cancel_health_reminder import CancelHealthReminder, CancelHealthReminderCommand
from medcore.application.clinical.create_health_reminder import CreateHealthReminder, CreateHealthReminderCommand
from medcore.application.clinical.get_health_metrics import GetHealthMetrics, HealthMetricsCommand
from medcore.application.clinical.get_health_reminder import GetHealthReminder
from medcore.application.clinical.list_health_reminders import ListHealthReminders
from medcore.application.clinical.queries import HEALTH_REMINDER_LIST
from medcore.application.shared.actor import Actor
from medcore.domain.clinical.health_reminder import HealthReminderStatus
from medcore.domain.clinical.metrics import MetricBucket
from medcore.domain.patients.measurements import MeasurementKind
from medcore.entrypoints.http.etag import etag, expected_version
from medcore.entrypoints.http.listing import one_of, page_info, parse_list_query
from medcore.entrypoints.http.params import parse_instant
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.clinical import (
    CreateHealthReminderRequest,
    HealthReminderList,
    HealthReminderOut,
    MetricsOut,
    health_reminder_out,
    metrics_out,
)

Req = Request[Any, Any, Any]
ETAG_HEADER = [ResponseHeader(name="ETag", description="The version, for If-Match", documentation_only=True)]
_INSTANT_HELP = "An RFC 3339 instant with its offset, e.g. 2026-03-02T09:00:00+01:00"
OptionalFrom = Annotated[
    str | None,
    QueryParameter(name="from", description=_INSTANT_HELP + " (default: 30 days before `to`)", max_length=64),
]
OptionalTo = Annotated[
    str | None, QueryParameter(name="to", description=_INSTANT_HELP + " (default: now)", max_length=64)
]


@get(
    "/{patient_id:uuid}/metrics",
    summary="Health metrics: one kind of measurement over time",
    description=(
        "The measurements of `kind` (weight, blood_pressure_systolic, glucose, heart_rate...) taken in `[from, to)` "
        "(default: the last 30 days; at most five years), in the kind's canonical unit (kg, cm, mmHg, /min, degC, "
        "mmol/L, %, mL/min/1.73m2) whatever unit each was recorded in, with `summary` (count, min, max, mean) and the "
        "same per `bucket` (day, week, month) of the patient's time zone (UTC when the record has none). `points` "
        "holds the latest 2000 of the window. Measurements entered in error are left out. Staff need "
        "`health_metrics:read` (or `medical_history:read`); a patient reads their own."
    ),
    security=SECURED,
    responses=documented(404),
)
async def get_metrics(
    patient_id: FromPath[UUID],
    kind: FromQuery[MeasurementKind],
    actor: Inject[Actor],
    get_health_metrics: Inject[GetHealthMetrics],
    from_: OptionalFrom = None,
    to: OptionalTo = None,
    bucket: FromQuery[MetricBucket] = MetricBucket.DAY,
) -> MetricsOut:
    command = HealthMetricsCommand(
        patient_id=patient_id,
        kind=kind,
        start=parse_instant(from_, "from") if from_ is not None else None,
        end=parse_instant(to, "to") if to is not None else None,
        bucket=bucket,
    )
    return metrics_out(patient_id, unwrap(await get_health_metrics.execute(actor, command)))


@post(
    "/{patient_id:uuid}/health-reminders",
    summary="Set a health reminder",
    description=(
        '`text` (what the patient reads, 1-300 characters: "Take your metformin"), `times` (local HH:MM), `days` '
        "(ISO weekdays, 1 = Monday; every day when left out), `starts_on`, `ends_on` (included; open-ended when "
        "left out), `channel` (email or sms; the patient's preferred channel when left out). Times are in the "
        "patient's time zone, UTC when the record has none; only the patient's own email or phone is used. Staff "
        "need `health_metrics:write`; a patient sets their own."
    ),
    security=SECURED,
    responses=documented(404),
    response_headers=[
        ResponseHeader(name="Location", description="The reminder", documentation_only=True),
        *ETAG_HEADER,
    ],
)
async def create_health_reminder(
    patient_id: FromPath[UUID],
    data: JSONBody[CreateHealthReminderRequest],
    actor: Inject[Actor],
    create_health_reminder: Inject[CreateHealthReminder],
) -> Response[HealthReminderOut]:
    command = CreateHealthReminderCommand(
        patient_id=patient_id,
        text=data.text,
        times=tuple(data.times),
        days=tuple(data.days),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        channel=data.channel,
    )
    reminder = unwrap(await create_health_reminder.execute(actor, command))
    return Response(
        health_reminder_out(reminder),
        status_code=201,
        headers={
            "Location": f"/api/v1/patients/{patient_id}/health-reminders/{reminder.id}",
            "ETag": etag(reminder.version),
        },
    )


@get(
    "/{patient_id:uuid}/health-reminders",
    summary="List health reminders",
    description="Newest first; filter `status` (active, ended, cancelled). Staff need `health_metrics:read`; a "
    "patient lists their own.",
    security=SECURED,
    responses=documented(404),
)
async def list_health_reminders(
    patient_id: FromPath[UUID], request: Req, actor: Inject[Actor], list_health_reminders: Inject[ListHealthReminders]
) -> HealthReminderList:
    query = parse_list_query(
        request, HEALTH_REMINDER_LIST, {"status": one_of(*(s.value for s in HealthReminderStatus))}
    )
    page = unwrap(await list_health_reminders.execute(actor, patient_id, query))
    return HealthReminderList(items=[health_reminder_out(r) for r in page.items], page=page_info(page))


@get(
    "/{patient_id:uuid}/health-reminders/{reminder_id:uuid}",
    summary="Get a health reminder",
    description="Staff need `health_metrics:read`; a patient reads their own.",
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_health_reminder(
    patient_id: FromPath[UUID],
    reminder_id: FromPath[UUID],
    actor: Inject[Actor],
    get_health_reminder: Inject[GetHealthReminder],
) -> Response[HealthReminderOut]:
    reminder = unwrap(await get_health_reminder.execute(actor, patient_id, reminder_id))
    return Response(health_reminder_out(reminder), headers={"ETag": etag(reminder.version)})


@delete(
    "/{patient_id:uuid}/health-reminders/{reminder_id:uuid}",
    status_code=204,
    summary="Delete a health reminder",
    description="Nothing is sent after it; the reminder stays on record as cancelled (409 "
    "`health_reminder.cancelled` the second time). `If-Match` makes it conditional. Staff need "
    "`health_metrics:write`; a patient deletes their own.",
    security=SECURED,
    responses=documented(404, 409, 412),
)
async def delete_health_reminder(
    patient_id: FromPath[UUID],
    reminder_id: FromPath[UUID],
    request: Req,
    actor: Inject[Actor],
    cancel_health_reminder: Inject[CancelHealthReminder],
) -> None:
    command = CancelHealthReminderCommand(
        patient_id=patient_id, reminder_id=reminder_id, expected_version=expected_version(request)
    )
    unwrap(await cancel_health_reminder.execute(actor, command))


router = Router(
    path="/api/v1/patients",
    tags=["health metrics and reminders"],
    route_handlers=[
        get_metrics,
        create_health_reminder,
        list_health_reminders,
        get_health_reminder,
        delete_health_reminder,
    ],
)
