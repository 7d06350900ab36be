"""What the organization books besides practitioners and the days it is closed: rooms and
equipment, appointment types, holidays."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody

from medcore.application.practitioners.create_appointment_type import (
    CreateAppointmentType,
    CreateAppointmentTypeCommand,
)
from medcore.application.practitioners.create_holiday import CreateHoliday, CreateHolidayCommand
from medcore.application.practitioners.create_room import CreateRoom, CreateRoomCommand
from medcore.application.practitioners.delete_holiday import DeleteHoliday
from medcore.application.practitioners.get_appointment_type import GetAppointmentType
from medcore.application.practitioners.get_holiday import GetHoliday
from medcore.application.practitioners.get_room import GetRoom
from medcore.application.practitioners.list_appointment_types import ListAppointmentTypes
from medcore.application.practitioners.list_holidays import ListHolidays
from medcore.application.practitioners.list_rooms import ListRooms
from medcore.application.practitioners.queries import APPOINTMENT_TYPE_LIST, HOLIDAY_LIST, ROOM_LIST
from medcore.application.practitioners.update_appointment_type import (
    UpdateAppointmentType,
    UpdateAppointmentTypeCommand,
)
from medcore.application.practitioners.update_room import UpdateRoom, UpdateRoomCommand
from medcore.application.shared.actor import Actor
from medcore.domain.practitioners.resources import RoomKind
from medcore.entrypoints.http.etag import etag, expected_version
from medcore.entrypoints.http.listing import boolean, one_of, page_info, parse_list_query
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.practitioners import (
    AppointmentTypeList,
    AppointmentTypeOut,
    CreateAppointmentTypeRequest,
    CreateRoomRequest,
    HolidayList,
    HolidayOut,
    HolidayRequest,
    RoomList,
    RoomOut,
    UpdateAppointmentTypeRequest,
    UpdateRoomRequest,
    appointment_type_out,
    holiday_out,
    keep,
    room_out,
)

Req = Request[Any, Any, Any]
ETAG_HEADER = [ResponseHeader(name="ETag", description="The version, for If-Match", documentation_only=True)]
LOCATION_HEADER = ResponseHeader(name="Location", description="The new resource", documentation_only=True)


def day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("Use a date such as 2026-12-25.") from None


# --- holidays ---------------------------------------------------------------------------


@get(
    "/",
    summary="List holidays",
    description="Days the whole organization is closed. Filters `from` and `to` (dates, both included); sorted "
    "by `day`.",
    security=SECURED,
    responses=documented(),
)
async def list_holidays(request: Req, actor: Inject[Actor], list_holidays: Inject[ListHolidays]) -> HolidayList:
    page = unwrap(await list_holidays.execute(actor, parse_list_query(request, HOLIDAY_LIST, {"from": day, "to": day})))
    return HolidayList(items=[holiday_out(h) for h in page.items], page=page_info(page))


@post(
    "/",
    summary="Declare a holiday",
    description="Nobody can be booked that day (the whole local day, in each practitioner's time zone). One "
    "holiday per day: another on the same day is a 409.",
    security=SECURED,
    responses=documented(409),
    response_headers=[LOCATION_HEADER],
)
async def create_holiday(
    data: JSONBody[HolidayRequest], actor: Inject[Actor], create_holiday: Inject[CreateHoliday]
) -> Response[HolidayOut]:
    holiday = unwrap(await create_holiday.execute(actor, CreateHolidayCommand(data.day, data.name)))
    return Response(holiday_out(holiday), status_code=201, headers={"Location": f"/api/v1/holidays/{holiday.id}"})


@get("/{holiday_id:uuid}", summary="Get a holiday", security=SECURED, responses=documented(404))
async def get_holiday(holiday_id: FromPath[UUID], actor: Inject[Actor], get_holiday: Inject[GetHoliday]) -> HolidayOut:
    return holiday_out(unwrap(await get_holiday.execute(actor, holiday_id)))


@delete(
    "/{holiday_id:uuid}",
    status_code=204,
    summary="Delete a holiday",
    description="Practitioners are bookable that day again, within their working hours.",
    security=SECURED,
    responses=documented(404),
)
async def delete_holiday(
    holiday_id: FromPath[UUID], actor: Inject[Actor], delete_holiday: Inject[DeleteHoliday]
) -> None:
    unwrap(await delete_holiday.execute(actor, holiday_id))


holidays_router = Router(
    path="/api/v1/holidays",
    tags=["resources"],
    route_handlers=[list_holidays, create_holiday, get_holiday, delete_holiday],
)

# --- rooms ------------------------------------------------------------------------------

_ROOM_FILTERS = {"kind": one_of(*(k.value for k in RoomKind)), "active": boolean}


@get(
    "/",
    summary="List rooms and equipment",
    description="Filters `kind` (`room`, `equipment`) and `active`; sort by `name` (default) or `created_at`.",
    security=SECURED,
    responses=documented(),
)
async def list_rooms(request: Req, actor: Inject[Actor], list_rooms: Inject[ListRooms]) -> RoomList:
    page = unwrap(await list_rooms.execute(actor, parse_list_query(request, ROOM_LIST, _ROOM_FILTERS)))
    return RoomList(items=[room_out(r) for r in page.items], page=page_info(page))


@post(
    "/",
    summary="Create a room or piece of equipment",
    description="Names are unique regardless of case (409). An appointment given a room never overlaps another "
    "in that room.",
    security=SECURED,
    responses=documented(409),
    response_headers=[LOCATION_HEADER, *ETAG_HEADER],
)
async def create_room(
    data: JSONBody[CreateRoomRequest], actor: Inject[Actor], create_room: Inject[CreateRoom]
) -> Response[RoomOut]:
    room = unwrap(await create_room.execute(actor, CreateRoomCommand(data.name, data.kind)))
    return Response(
        room_out(room), status_code=201, headers={"Location": f"/api/v1/rooms/{room.id}", "ETag": etag(room.version)}
    )


@get("/{room_id:uuid}", summary="Get a room", security=SECURED, responses=documented(404), response_headers=ETAG_HEADER)
async def get_room(room_id: FromPath[UUID], actor: Inject[Actor], get_room: Inject[GetRoom]) -> Response[RoomOut]:
    room = unwrap(await get_room.execute(actor, room_id))
    return Response(room_out(room), headers={"ETag": etag(room.version)})


@patch(
    "/{room_id:uuid}",
    summary="Update a room",
    description="Merge semantics. `active: false` keeps the room from new appointments. `If-Match` makes the "
    "change conditional (412).",
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def update_room(
    room_id: FromPath[UUID],
    data: JSONBody[UpdateRoomRequest],
    request: Req,
    actor: Inject[Actor],
    update_room: Inject[UpdateRoom],
) -> Response[RoomOut]:
    command = UpdateRoomCommand(
        room_id=room_id,
        name=keep(data.name),
        kind=keep(data.kind),
        active=keep(data.active),
        expected_version=expected_version(request),
    )
    room = unwrap(await update_room.execute(actor, command))
    return Response(room_out(room), headers={"ETag": etag(room.version)})


rooms_router = Router(
    path="/api/v1/rooms",
    tags=["resources"],
    route_handlers=[list_rooms, create_room, get_room, update_room],
)

# --- appointment types ------------------------------------------------------------------


@get(
    "/",
    summary="List appointment types",
    description="Filter `active`; sort by `name` (default), `default_minutes` or `created_at`.",
    security=SECURED,
    responses=documented(),
)
async def list_appointment_types(
    request: Req, actor: Inject[Actor], list_appointment_types: Inject[ListAppointmentTypes]
) -> AppointmentTypeList:
    query = parse_list_query(request, APPOINTMENT_TYPE_LIST, {"active": boolean})
    page = unwrap(await list_appointment_types.execute(actor, query))
    return AppointmentTypeList(items=[appointment_type_out(t) for t in page.items], page=page_info(page))


@post(
    "/",
    summary="Create an appointment type",
    description="Durations in minutes, multiples of 5, with `min_minutes <= default_minutes <= max_minutes` "
    "(5 to 480; the bounds default to 5 and 240). `colour` is `#RRGGBB`. Names are unique regardless of case.",
    security=SECURED,
    responses=documented(409),
    response_headers=[LOCATION_HEADER, *ETAG_HEADER],
)
async def create_appointment_type(
    data: JSONBody[CreateAppointmentTypeRequest],
    actor: Inject[Actor],
    create_appointment_type: Inject[CreateAppointmentType],
) -> Response[AppointmentTypeOut]:
    command = CreateAppointmentTypeCommand(
        name=data.name,
        default_minutes=data.default_minutes,
        min_minutes=data.min_minutes,
        max_minutes=data.max_minutes,
        colour=data.colour,
    )
    appointment_type = unwrap(await create_appointment_type.execute(actor, command))
    return Response(
        appointment_type_out(appointment_type),
        status_code=201,
        headers={
            "Location": f"/api/v1/appointment-types/{appointment_type.id}",
            "ETag": etag(appointment_type.version),
        },
    )


@get(
    "/{appointment_type_id:uuid}",
    summary="Get an appointment type",
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_appointment_type(
    appointment_type_id: FromPath[UUID], actor: Inject[Actor], get_appointment_type: Inject[GetAppointmentType]
) -> Response[AppointmentTypeOut]:
    appointment_type = unwrap(await get_appointment_type.execute(actor, appointment_type_id))
    return Response(appointment_type_out(appointment_type), headers={"ETag": etag(appointment_type.version)})


@patch(
    "/{appointment_type_id:uuid}",
    summary="Update an appointment type",
    description="Merge semantics; the durations are checked together after the change. Booked appointments keep "
    "their times; `active: false` stops new bookings of the type. `If-Match` makes the change conditional (412).",
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def update_appointment_type(
    appointment_type_id: FromPath[UUID],
    data: JSONBody[UpdateAppointmentTypeRequest],
    request: Req,
    actor: Inject[Actor],
    update_appointment_type: Inject[UpdateAppointmentType],
) -> Response[AppointmentTypeOut]:
    command = UpdateAppointmentTypeCommand(
        appointment_type_id=appointment_type_id,
        name=keep(data.name),
        default_minutes=keep(data.default_minutes),
        min_minutes=keep(data.min_minutes),
        max_minutes=keep(data.max_minutes),
        colour=keep(data.colour),
        active=keep(data.active),
        expected_version=expected_version(request),
    )
    appointment_type = unwrap(await update_appointment_type.execute(actor, command))
    return Response(appointment_type_out(appointment_type), headers={"ETag": etag(appointment_type.version)})


appointment_types_router = Router(
    path="/api/v1/appointment-types",
    tags=["resources"],
    route_handlers=[list_appointment_types, create_appointment_type, get_appointment_type, update_appointment_type],
)
