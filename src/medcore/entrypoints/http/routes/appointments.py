"""Appointments: booking, reading, the status machine, cancelling, rescheduling."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from medcore.application.scheduling.appointment_calendar import GetAppointmentCalendar
from medcore.application.scheduling.appointment_stats import AppointmentStats, StatsCommand
from medcore.application.scheduling.book_appointment import BookAppointment, BookAppointmentCommand
from medcore.application.scheduling.cancel_appointment import CancelAppointment, CancelAppointmentCommand, SeriesScope
from medcore.application.scheduling.change_status import ChangeAppointmentStatus, ChangeStatusCommand
from medcore.application.scheduling.get_appointment import GetAppointment
from medcore.application.scheduling.list_appointments import ListAppointments
from medcore.application.scheduling.queries import APPOINTMENT_LIST
from medcore.application.scheduling.reschedule_appointment import RescheduleAppointment, RescheduleCommand
from medcore.application.shared.actor import Actor
from medcore.domain.scheduling.appointment import AppointmentStatus, CancellationReason
from medcore.domain.shared.ports import Clock
from medcore.entrypoints.http import ics
from medcore.entrypoints.http.etag import etag, expected_version
from medcore.entrypoints.http.listing import one_of, page_info, parse_list_query
from medcore.entrypoints.http.params import FromInstant, ToInstant, instant, parse_instant, uuid_value
from medcore.entrypoints.http.problems import PROBLEM_MEDIA_TYPE, unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.scheduling import (
    AppointmentConflictProblem,
    AppointmentList,
    AppointmentOut,
    AppointmentsOut,
    BookAppointmentRequest,
    CancelRequest,
    RescheduleRequest,
    SeriesOut,
    StatsOut,
    appointment_out,
    series_out,
    stats_out,
)

Req = Request[Any, Any, Any]
ETAG_HEADER = [ResponseHeader(name="ETag", description="The version, for If-Match", documentation_only=True)]
CONFLICT = {
    409: ResponseSpec(
        data_container=AppointmentConflictProblem,
        description="The time is not free (appointment.conflict, with every conflict), or an invalid transition",
        media_type=PROBLEM_MEDIA_TYPE,
        generate_examples=False,
    )
}

_LIST_FILTERS = {
    "practitioner_id": uuid_value,
    "patient_id": uuid_value,
    "room_id": uuid_value,
    "series_id": uuid_value,
    "status": one_of(*(s.value for s in AppointmentStatus)),
    "from": instant,
    "to": instant,
}


@post(
    "/",
    summary="Book an appointment or a recurring series",
    description=(
        "Give `ends_at`, `duration_minutes`, or an `appointment_type_id` (its default duration). Times follow the "
        "organization's grid and must lie inside the practitioner's availability (staff with appointments:override "
        "may book outside it with `override_reason`). 409 `appointment.conflict` lists every conflict (practitioner, "
        "patient, room, availability, capacity); other rule breaks are 422 with their own codes "
        "(appointment.in_past, appointment.too_short_notice, appointment.beyond_horizon, appointment.granularity, "
        "appointment.invalid_duration). With `recurrence.rrule` (FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, COUNT or UNTIL, "
        "BYDAY, BYMONTHDAY; at most 100 occurrences, in the practitioner's time zone) the answer is the series; it "
        "is all-or-nothing unless `skip_conflicts`, which books the rest and lists the skipped occurrences."
    ),
    security=SECURED,
    responses={**documented(404), **CONFLICT},
    response_headers=[
        ResponseHeader(name="Location", description="The appointment (or its series)", documentation_only=True)
    ],
)
async def book(
    data: JSONBody[BookAppointmentRequest], actor: Inject[Actor], book_appointment: Inject[BookAppointment]
) -> Response[AppointmentOut | SeriesOut]:
    booking = unwrap(
        await book_appointment.execute(
            actor,
            BookAppointmentCommand(
                practitioner_id=data.practitioner_id,
                starts_at=data.starts_at,
                patient_id=data.patient_id,
                ends_at=data.ends_at,
                duration_minutes=data.duration_minutes,
                appointment_type_id=data.appointment_type_id,
                room_id=data.room_id,
                reason=data.reason,
                rrule=data.recurrence.rrule if data.recurrence else None,
                skip_conflicts=data.skip_conflicts,
                override_reason=data.override_reason,
            ),
        )
    )
    if booking.series_id is not None:
        return Response(
            series_out(booking),
            status_code=201,
            headers={"Location": f"/api/v1/appointments?series_id={booking.series_id}"},
        )
    [appointment] = booking.appointments
    return Response(
        appointment_out(appointment),
        status_code=201,
        headers={"Location": f"/api/v1/appointments/{appointment.id}", "ETag": etag(appointment.version)},
    )


@get(
    "/",
    summary="List appointments",
    description="Filters: practitioner_id, patient_id, room_id, series_id, status, from, to (on starts_at); "
    "sort by starts_at (default) or created_at. A patient account sees its own appointments only.",
    security=SECURED,
    responses=documented(),
)
async def list_appointments(
    request: Req, actor: Inject[Actor], list_appointments: Inject[ListAppointments]
) -> AppointmentList:
    page = unwrap(await list_appointments.execute(actor, parse_list_query(request, APPOINTMENT_LIST, _LIST_FILTERS)))
    return AppointmentList(items=[appointment_out(a) for a in page.items], page=page_info(page))


@get(
    "/stats",
    summary="Appointment statistics for dashboards",
    description="Counts by status, no-show and late-cancellation rates, and utilisation of working hours "
    "(practitioner grouping), for appointments starting between `from` and `to`.",
    security=SECURED,
    responses=documented(),
)
async def stats(
    actor: Inject[Actor],
    appointment_stats: Inject[AppointmentStats],
    from_: FromInstant,
    to: ToInstant,
    group_by: FromQuery[Literal["practitioner", "status", "day"]] = "practitioner",
) -> StatsOut:
    command = StatsCommand(
        window_start=parse_instant(from_, "from"), window_end=parse_instant(to, "to"), group_by=group_by
    )
    groups = unwrap(await appointment_stats.execute(actor, command))
    return StatsOut(group_by=group_by, groups=[stats_out(g) for g in groups])


@get(
    "/{appointment_id:uuid}",
    summary="Get an appointment",
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_appointment(
    appointment_id: FromPath[UUID], actor: Inject[Actor], get_appointment: Inject[GetAppointment]
) -> Response[AppointmentOut]:
    appointment = unwrap(await get_appointment.execute(actor, appointment_id))
    return Response(appointment_out(appointment), headers={"ETag": etag(appointment.version)})


@get(
    "/{appointment_id:uuid}/ics",
    summary="The appointment as an iCalendar file",
    security=SECURED,
    responses=documented(404),
    media_type=ics.MEDIA_TYPE,
)
async def appointment_ics(
    appointment_id: FromPath[UUID],
    actor: Inject[Actor],
    get_appointment_calendar: Inject[GetAppointmentCalendar],
    clock: Inject[Clock],
) -> Response[bytes]:
    entry = unwrap(await get_appointment_calendar.execute(actor, appointment_id))
    body = ics.appointment_ics(entry.appointment, entry.practitioner, entry.organization_name, clock.now())
    return Response(
        body,
        media_type=ics.MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="appointment-{appointment_id}.ics"'},
    )


def _transition(target: AppointmentStatus, path: str, summary: str):  # type: ignore[no-untyped-def]
    @post(
        f"/{{appointment_id:uuid}}/{path}",
        status_code=200,
        summary=summary,
        description="Illegal transitions answer 409 appointment.invalid_transition. `If-Match` makes it conditional.",
        security=SECURED,
        responses=documented(404, 409, 412),
        response_headers=ETAG_HEADER,
        name=f"appointment_{path.replace('-', '_')}",
    )
    async def handler(
        appointment_id: FromPath[UUID],
        request: Req,
        actor: Inject[Actor],
        change_appointment_status: Inject[ChangeAppointmentStatus],
    ) -> Response[AppointmentOut]:
        appointment = unwrap(
            await change_appointment_status.execute(
                actor, ChangeStatusCommand(appointment_id, target, expected_version(request))
            )
        )
        return Response(appointment_out(appointment), headers={"ETag": etag(appointment.version)})

    return handler


confirm = _transition(AppointmentStatus.CONFIRMED, "confirm", "Confirm an appointment")
check_in = _transition(AppointmentStatus.CHECKED_IN, "check-in", "Check the patient in")
start = _transition(AppointmentStatus.IN_PROGRESS, "start", "Start the appointment")
complete = _transition(AppointmentStatus.COMPLETED, "complete", "Complete the appointment")
no_show = _transition(AppointmentStatus.NO_SHOW, "no-show", "Record that the patient did not come")


@post(
    "/{appointment_id:uuid}/cancel",
    status_code=200,
    summary="Cancel an appointment (or part of its series)",
    description="`scope`: this (default), following, all. Cancelling less than the organization's late-cancellation "
    "window before the start marks it late. The freed slot is offered to the waitlist.",
    security=SECURED,
    responses=documented(404, 409, 412),
)
async def cancel(
    appointment_id: FromPath[UUID],
    data: JSONBody[CancelRequest],
    request: Req,
    actor: Inject[Actor],
    cancel_appointment: Inject[CancelAppointment],
) -> AppointmentsOut:
    cancelled = unwrap(
        await cancel_appointment.execute(
            actor,
            CancelAppointmentCommand(
                appointment_id=appointment_id,
                reason=CancellationReason(data.reason),
                note=data.note,
                scope=SeriesScope(data.scope),
                expected_version=expected_version(request),
            ),
        )
    )
    return AppointmentsOut(appointments=[appointment_out(a) for a in cancelled])


@post(
    "/{appointment_id:uuid}/reschedule",
    summary="Move an appointment (or part of its series)",
    description="Atomic: a new appointment linked to the old one, which becomes cancelled with reason `rescheduled`. "
    "The move does not conflict with the appointment it replaces. With scope following/all, every chosen "
    "occurrence moves by the same local wall-clock shift, all or nothing.",
    security=SECURED,
    responses={**documented(404, 412), **CONFLICT},
    response_headers=[ResponseHeader(name="Location", description="The new appointment", documentation_only=True)],
)
async def reschedule(
    appointment_id: FromPath[UUID],
    data: JSONBody[RescheduleRequest],
    request: Req,
    actor: Inject[Actor],
    reschedule_appointment: Inject[RescheduleAppointment],
) -> Response[AppointmentOut | AppointmentsOut]:
    moved = unwrap(
        await reschedule_appointment.execute(
            actor,
            RescheduleCommand(
                appointment_id=appointment_id,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                duration_minutes=data.duration_minutes,
                practitioner_id=data.practitioner_id,
                room_id=data.room_id,
                scope=SeriesScope(data.scope),
                override_reason=data.override_reason,
                expected_version=expected_version(request),
            ),
        )
    )
    if data.scope == "this":
        [appointment] = moved
        return Response(
            appointment_out(appointment),
            status_code=201,
            headers={"Location": f"/api/v1/appointments/{appointment.id}", "ETag": etag(appointment.version)},
        )
    return Response(AppointmentsOut(appointments=[appointment_out(a) for a in moved]), status_code=201)


router = Router(
    path="/api/v1/appointments",
    tags=["appointments"],
    route_handlers=[
        book,
        list_appointments,
        stats,
        get_appointment,
        appointment_ics,
        confirm,
        check_in,
        start,
        complete,
        no_show,
        cancel,
        reschedule,
    ],
)
