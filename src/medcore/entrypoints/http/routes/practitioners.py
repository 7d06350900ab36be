"""Practitioners, their weekly working hours and their time off."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, delete, get, patch, post, put
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody

from medcore.application.practitioners.access import PractitionerView
from medcore.application.practitioners.add_time_off import AddTimeOff, AddTimeOffCommand
from medcore.application.practitioners.create_practitioner import (
    CreatePractitioner,
    CreatePractitionerCommand,
)
from medcore.application.practitioners.get_practitioner import GetPractitioner
from medcore.application.practitioners.get_time_off import GetTimeOff
from medcore.application.practitioners.list_practitioners import ListPractitioners
from medcore.application.practitioners.list_time_off import ListTimeOff
from medcore.application.practitioners.queries import PRACTITIONER_LIST, TIME_OFF_LIST
from medcore.application.practitioners.remove_time_off import RemoveTimeOff, RemoveTimeOffCommand
from medcore.application.practitioners.set_working_hours import SetWorkingHours, SetWorkingHoursCommand
from medcore.application.practitioners.update_practitioner import (
    UpdatePractitioner,
    UpdatePractitionerCommand,
)
from medcore.application.shared.actor import Actor
from medcore.domain.practitioners.practitioner import Practitioner, specialty_code
from medcore.domain.shared.ports import Clock
from medcore.entrypoints.http.etag import etag, expected_version
from medcore.entrypoints.http.listing import boolean, page_info, parse_list_query
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.practitioners import (
    CreatePractitionerRequest,
    PractitionerList,
    PractitionerOut,
    TimeOffList,
    TimeOffOut,
    TimeOffRequest,
    UpdatePractitionerRequest,
    WorkingHoursOut,
    WorkingHoursRequest,
    practitioner_out,
    rules_in,
    rules_out,
    time_off_out,
)

Req = Request[Any, Any, Any]
ETAG_HEADER = [ResponseHeader(name="ETag", description="The version, for If-Match", documentation_only=True)]
LOCATION_HEADER = ResponseHeader(name="Location", description="The new resource", documentation_only=True)

_OFFSET_AS_SPACE = re.compile(r" (\d{2}:?\d{2})$")


def instant(value: str) -> datetime:
    """An RFC 3339 instant with an offset; a ``+`` left unencoded in a query string arrives
    as a space, and is read back as the ``+`` it was."""
    try:
        parsed = datetime.fromisoformat(_OFFSET_AS_SPACE.sub(r"+\1", value.strip()))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError("Use an RFC 3339 instant with an offset, such as 2026-03-01T09:00:00Z.")
    return parsed


_PRACTITIONER_FILTERS = {"specialty": specialty_code, "active": boolean, "has_user": boolean}
_TIME_OFF_FILTERS = {"from": instant, "to": instant}


def _full(practitioner: Practitioner) -> PractitionerView:
    """Writers hold ``practitioners:write``: they see the whole profile."""
    return PractitionerView(practitioner, full=True)


def _hours(practitioner: Practitioner) -> Response[WorkingHoursOut]:
    body = WorkingHoursOut(
        practitioner_id=practitioner.id,
        time_zone=practitioner.time_zone.value,
        rules=rules_out(practitioner.working_hours),
        version=practitioner.version,
    )
    return Response(body, headers={"ETag": etag(practitioner.version)})


@get(
    "/",
    summary="List practitioners",
    description="Filters: `specialty` (a code such as `general_practice`), `active`, `has_user` (staff only); `q` searches "
    "given and family names; sort by `family_name` (default), `given_name`, `created_at` (prefix `-` for "
    "descending). Patients get directory entries: names, specialties, time zone, working hours.",
    security=SECURED,
    responses=documented(),
)
async def list_practitioners(
    request: Req, actor: Inject[Actor], list_practitioners: Inject[ListPractitioners], clock: Inject[Clock]
) -> PractitionerList:
    query = parse_list_query(request, PRACTITIONER_LIST, _PRACTITIONER_FILTERS)
    page = unwrap(await list_practitioners.execute(actor, query))
    now = clock.now()
    return PractitionerList(items=[practitioner_out(v, now) for v in page.items], page=page_info(page))


@post(
    "/",
    summary="Create a practitioner",
    description="`time_zone` is an IANA name (`Europe/Paris`). `user_id` links the account of a practitioner or "
    "nurse, who may then manage their own working hours and time off. Prescribing needs a `licence_number`; "
    "`controlled_substances` needs `can_prescribe`. `working_hours` may be given now or later.",
    security=SECURED,
    responses=documented(409),
    response_headers=[LOCATION_HEADER, *ETAG_HEADER],
)
async def create_practitioner(
    data: JSONBody[CreatePractitionerRequest],
    actor: Inject[Actor],
    create_practitioner: Inject[CreatePractitioner],
    clock: Inject[Clock],
) -> Response[PractitionerOut]:
    command = CreatePractitionerCommand(
        given_name=data.given_name,
        family_name=data.family_name,
        time_zone=data.time_zone,
        user_id=data.user_id,
        specialties=data.specialties,
        licence_number=data.licence_number,
        licence_expires_on=data.licence_expires_on,
        can_prescribe=data.can_prescribe,
        controlled_substances=data.controlled_substances,
        buffer_minutes=data.buffer_minutes,
        daily_capacity=data.daily_capacity,
        working_hours=rules_in(data.working_hours) if data.working_hours is not None else None,
    )
    practitioner = unwrap(await create_practitioner.execute(actor, command))
    return Response(
        practitioner_out(_full(practitioner), clock.now()),
        status_code=201,
        headers={"Location": f"/api/v1/practitioners/{practitioner.id}", "ETag": etag(practitioner.version)},
    )


@get(
    "/{practitioner_id:uuid}",
    summary="Get a practitioner",
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_practitioner(
    practitioner_id: FromPath[UUID],
    actor: Inject[Actor],
    get_practitioner: Inject[GetPractitioner],
    clock: Inject[Clock],
) -> Response[PractitionerOut]:
    view = unwrap(await get_practitioner.execute(actor, practitioner_id))
    return Response(practitioner_out(view, clock.now()), headers={"ETag": etag(view.practitioner.version)})


@patch(
    "/{practitioner_id:uuid}",
    summary="Update a practitioner",
    description="Merge semantics; `null` clears `user_id`, `licence_number`, `licence_expires_on` and "
    "`daily_capacity`. `active: false` takes the practitioner out of booking. Send `If-Match` with the ETag to "
    "refuse the change if the practitioner changed meanwhile (412).",
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def update_practitioner(
    practitioner_id: FromPath[UUID],
    data: JSONBody[UpdatePractitionerRequest],
    request: Req,
    actor: Inject[Actor],
    update_practitioner: Inject[UpdatePractitioner],
    clock: Inject[Clock],
) -> Response[PractitionerOut]:
    command = UpdatePractitionerCommand(practitioner_id, data.changes(), expected_version(request))
    practitioner = unwrap(await update_practitioner.execute(actor, command))
    return Response(practitioner_out(_full(practitioner), clock.now()), headers={"ETag": etag(practitioner.version)})


@get(
    "/{practitioner_id:uuid}/working-hours",
    summary="Get a practitioner's weekly working hours",
    description="Local wall times in the practitioner's time zone; ISO weekdays (Monday = 1).",
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_working_hours(
    practitioner_id: FromPath[UUID], actor: Inject[Actor], get_practitioner: Inject[GetPractitioner]
) -> Response[WorkingHoursOut]:
    return _hours(unwrap(await get_practitioner.execute(actor, practitioner_id)).practitioner)


@put(
    "/{practitioner_id:uuid}/working-hours",
    summary="Replace a practitioner's weekly working hours",
    description="`rules` replace all current hours: several intervals per weekday (ISO, Monday = 1), not "
    "overlapping, as local wall times `HH:MM` in the practitioner's time zone (`24:00` ends a day); 09:00 stays "
    "09:00 across daylight-saving changes. Allowed with `practitioners:write`, or to the person linked to the "
    "practitioner. The ETag is the practitioner's; `If-Match` is optional.",
    security=SECURED,
    responses=documented(404, 412),
    response_headers=ETAG_HEADER,
)
async def set_working_hours(
    practitioner_id: FromPath[UUID],
    data: JSONBody[WorkingHoursRequest],
    request: Req,
    actor: Inject[Actor],
    set_working_hours: Inject[SetWorkingHours],
) -> Response[WorkingHoursOut]:
    command = SetWorkingHoursCommand(practitioner_id, rules_in(data.rules), expected_version(request))
    return _hours(unwrap(await set_working_hours.execute(actor, command)))


@post(
    "/{practitioner_id:uuid}/time-off",
    summary="Add time off",
    description="`[starts_at, ends_at)`, instants with an offset; the practitioner cannot be booked then. "
    "Allowed with `practitioners:write`, or to the person linked to the practitioner.",
    security=SECURED,
    responses=documented(404),
    response_headers=[LOCATION_HEADER],
)
async def add_time_off(
    practitioner_id: FromPath[UUID],
    data: JSONBody[TimeOffRequest],
    actor: Inject[Actor],
    add_time_off: Inject[AddTimeOff],
) -> Response[TimeOffOut]:
    command = AddTimeOffCommand(practitioner_id, data.starts_at, data.ends_at, data.reason)
    time_off = unwrap(await add_time_off.execute(actor, command))
    return Response(
        time_off_out(time_off),
        status_code=201,
        headers={"Location": f"/api/v1/practitioners/{practitioner_id}/time-off/{time_off.id}"},
    )


@get(
    "/{practitioner_id:uuid}/time-off",
    summary="List a practitioner's time off",
    description="Filters `from` and `to` (instants with an offset) keep the time off overlapping that span; "
    "sorted by `starts_at`. For the practice's staff and the person linked to the practitioner.",
    security=SECURED,
    responses=documented(404),
)
async def list_time_off(
    practitioner_id: FromPath[UUID], request: Req, actor: Inject[Actor], list_time_off: Inject[ListTimeOff]
) -> TimeOffList:
    query = parse_list_query(request, TIME_OFF_LIST, _TIME_OFF_FILTERS)
    page = unwrap(await list_time_off.execute(actor, practitioner_id, query))
    return TimeOffList(items=[time_off_out(t) for t in page.items], page=page_info(page))


@get(
    "/{practitioner_id:uuid}/time-off/{time_off_id:uuid}",
    summary="Get one stretch of time off",
    security=SECURED,
    responses=documented(404),
)
async def get_time_off(
    practitioner_id: FromPath[UUID], time_off_id: FromPath[UUID], actor: Inject[Actor], get_time_off: Inject[GetTimeOff]
) -> TimeOffOut:
    return time_off_out(unwrap(await get_time_off.execute(actor, practitioner_id, time_off_id)))


@delete(
    "/{practitioner_id:uuid}/time-off/{time_off_id:uuid}",
    status_code=204,
    summary="Remove time off",
    description="Allowed with `practitioners:write`, or to the person linked to the practitioner.",
    security=SECURED,
    responses=documented(404),
)
async def remove_time_off(
    practitioner_id: FromPath[UUID],
    time_off_id: FromPath[UUID],
    actor: Inject[Actor],
    remove_time_off: Inject[RemoveTimeOff],
) -> None:
    unwrap(await remove_time_off.execute(actor, RemoveTimeOffCommand(practitioner_id, time_off_id)))


router = Router(
    path="/api/v1/practitioners",
    tags=["practitioners"],
    route_handlers=[
        list_practitioners,
        create_practitioner,
        get_practitioner,
        update_practitioner,
        get_working_hours,
        set_working_hours,
        add_time_off,
        list_time_off,
        get_time_off,
        remove_time_off,
    ],
)
