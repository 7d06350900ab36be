"""Request and response bodies of practitioners, their hours and time off, holidays, rooms
and appointment types."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, TypeVar
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from medcore.application.practitioners.access import PractitionerView
from medcore.domain.practitioners.changes import UNCHANGED, Change
from medcore.domain.practitioners.practitioner import PractitionerChanges
from medcore.domain.practitioners.resources import AppointmentType, Room, RoomKind
from medcore.domain.practitioners.schedule import Holiday, TimeOff, WeeklySchedule, format_time
from medcore.entrypoints.http.listing import PageInfo
from medcore.entrypoints.http.schemas.common import ShortText

_NO_NUL = r"^[^\x00]*$"
Code = Annotated[str, msgspec.Meta(max_length=100, pattern=_NO_NUL)]
WallTime = Annotated[str, msgspec.Meta(max_length=16, pattern=_NO_NUL, examples=["09:00"])]
Instant = Annotated[datetime, msgspec.Meta(tz=True)]
Minutes = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]


T = TypeVar("T")


def keep(value: T | UnsetType) -> Change[T]:
    """A PATCH field: absent (UNSET) keeps the current value."""
    if isinstance(value, UnsetType):
        return UNCHANGED
    return value


# --- working hours ----------------------------------------------------------------------


class WorkingHoursRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One interval of one weekday, in local wall time (``24:00`` ends the day)."""

    weekday: Annotated[int, msgspec.Meta(description="ISO weekday: Monday = 1 ... Sunday = 7")]
    start: WallTime
    end: WallTime


Rules = Annotated[list[WorkingHoursRule], msgspec.Meta(max_length=100)]


def rules_in(rules: list[WorkingHoursRule]) -> list[tuple[int, str, str]]:
    return [(r.weekday, r.start, r.end) for r in rules]


def rules_out(schedule: WeeklySchedule) -> list[WorkingHoursRule]:
    return [WorkingHoursRule(h.weekday, format_time(h.start), format_time(h.end)) for h in schedule.hours]


class WorkingHoursRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    rules: Rules


class WorkingHoursOut(msgspec.Struct, frozen=True):
    practitioner_id: UUID
    time_zone: str
    rules: list[WorkingHoursRule]
    version: int


# --- practitioners ----------------------------------------------------------------------


class CreatePractitionerRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    given_name: ShortText
    family_name: ShortText
    time_zone: Code
    user_id: UUID | None = None
    specialties: Annotated[list[Code], msgspec.Meta(max_length=50)] = []
    licence_number: ShortText | None = None
    licence_expires_on: date | None = None
    can_prescribe: bool = False
    controlled_substances: bool = False
    buffer_minutes: Minutes = 0
    daily_capacity: Minutes | None = None
    working_hours: Rules | None = None


class UpdatePractitionerRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    given_name: ShortText | UnsetType = UNSET
    family_name: ShortText | UnsetType = UNSET
    time_zone: Code | UnsetType = UNSET
    user_id: UUID | UnsetType | None = UNSET
    specialties: Annotated[list[Code], msgspec.Meta(max_length=50)] | UnsetType = UNSET
    licence_number: ShortText | UnsetType | None = UNSET
    licence_expires_on: date | UnsetType | None = UNSET
    can_prescribe: bool | UnsetType = UNSET
    controlled_substances: bool | UnsetType = UNSET
    buffer_minutes: Minutes | UnsetType = UNSET
    daily_capacity: Minutes | UnsetType | None = UNSET
    active: bool | UnsetType = UNSET

    def changes(self) -> PractitionerChanges:
        return PractitionerChanges(
            given_name=keep(self.given_name),
            family_name=keep(self.family_name),
            time_zone=keep(self.time_zone),
            user_id=keep(self.user_id),
            specialties=keep(self.specialties),
            licence_number=keep(self.licence_number),
            licence_expires_on=keep(self.licence_expires_on),
            can_prescribe=keep(self.can_prescribe),
            controlled_substances=keep(self.controlled_substances),
            buffer_minutes=keep(self.buffer_minutes),
            daily_capacity=keep(self.daily_capacity),
            active=keep(self.active),
        )


class PractitionerOut(msgspec.Struct, frozen=True):
    """Patients (and keys scoped to the directory) get the directory entry: the fields
    from ``licence_number`` on are left out for them."""

    id: UUID
    given_name: str
    family_name: str
    specialties: list[str]
    time_zone: str
    working_hours: list[WorkingHoursRule]
    active: bool
    version: int
    user_id: UUID | UnsetType | None = UNSET
    licence_number: str | UnsetType | None = UNSET
    licence_expires_on: date | UnsetType | None = UNSET
    licence_valid: bool | UnsetType = UNSET  # on today's date in the practitioner's zone
    can_prescribe: bool | UnsetType = UNSET
    controlled_substances: bool | UnsetType = UNSET
    buffer_minutes: int | UnsetType = UNSET
    daily_capacity: int | UnsetType | None = UNSET
    created_at: datetime | UnsetType = UNSET
    updated_at: datetime | UnsetType = UNSET


def practitioner_out(view: PractitionerView, now: datetime) -> PractitionerOut:
    p = view.practitioner
    directory = PractitionerOut(
        id=p.id,
        given_name=p.given_name,
        family_name=p.family_name,
        specialties=list(p.specialties),
        time_zone=p.time_zone.value,
        working_hours=rules_out(p.working_hours),
        active=p.active,
        version=p.version,
    )
    if not view.full:
        return directory
    return msgspec.structs.replace(
        directory,
        user_id=p.user_id,
        licence_number=p.licence_number,
        licence_expires_on=p.licence_expires_on,
        licence_valid=p.licence_valid_on(now.astimezone(p.time_zone.zone).date()),
        can_prescribe=p.can_prescribe,
        controlled_substances=p.controlled_substances,
        buffer_minutes=p.buffer_minutes,
        daily_capacity=p.daily_capacity,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


class PractitionerList(msgspec.Struct, frozen=True):
    items: list[PractitionerOut]
    page: PageInfo


# --- time off ---------------------------------------------------------------------------


class TimeOffRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    starts_at: Instant
    ends_at: Instant
    reason: ShortText | None = None


class TimeOffOut(msgspec.Struct, frozen=True):
    id: UUID
    practitioner_id: UUID
    starts_at: datetime
    ends_at: datetime
    reason: str | None = None


def time_off_out(time_off: TimeOff) -> TimeOffOut:
    return TimeOffOut(
        id=time_off.id,
        practitioner_id=time_off.practitioner_id,
        starts_at=time_off.interval.start.astimezone(UTC),
        ends_at=time_off.interval.end.astimezone(UTC),
        reason=time_off.reason,
    )


class TimeOffList(msgspec.Struct, frozen=True):
    items: list[TimeOffOut]
    page: PageInfo


# --- holidays ---------------------------------------------------------------------------


class HolidayRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    day: date
    name: ShortText


class HolidayOut(msgspec.Struct, frozen=True):
    id: UUID
    day: date
    name: str


def holiday_out(holiday: Holiday) -> HolidayOut:
    return HolidayOut(id=holiday.id, day=holiday.day, name=holiday.name)


class HolidayList(msgspec.Struct, frozen=True):
    items: list[HolidayOut]
    page: PageInfo


# --- rooms ------------------------------------------------------------------------------


class CreateRoomRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ShortText
    kind: RoomKind = RoomKind.ROOM


class UpdateRoomRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ShortText | UnsetType = UNSET
    kind: RoomKind | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class RoomOut(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    kind: RoomKind
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


def room_out(room: Room) -> RoomOut:
    return RoomOut(
        id=room.id,
        name=room.name,
        kind=room.kind,
        active=room.active,
        created_at=room.created_at,
        updated_at=room.updated_at,
        version=room.version,
    )


class RoomList(msgspec.Struct, frozen=True):
    items: list[RoomOut]
    page: PageInfo


# --- appointment types ------------------------------------------------------------------

Colour = Annotated[str, msgspec.Meta(max_length=16, pattern=_NO_NUL, examples=["#4F7CAC"])]


class CreateAppointmentTypeRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ShortText
    default_minutes: Minutes
    min_minutes: Minutes = 5
    max_minutes: Minutes = 240
    colour: Colour = "#4F7CAC"


class UpdateAppointmentTypeRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ShortText | UnsetType = UNSET
    default_minutes: Minutes | UnsetType = UNSET
    min_minutes: Minutes | UnsetType = UNSET
    max_minutes: Minutes | UnsetType = UNSET
    colour: Colour | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class AppointmentTypeOut(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    default_minutes: int
    min_minutes: int
    max_minutes: int
    colour: str
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


def appointment_type_out(appointment_type: AppointmentType) -> AppointmentTypeOut:
    return AppointmentTypeOut(
        id=appointment_type.id,
        name=appointment_type.name,
        default_minutes=appointment_type.default_minutes,
        min_minutes=appointment_type.min_minutes,
        max_minutes=appointment_type.max_minutes,
        colour=appointment_type.colour,
        active=appointment_type.active,
        created_at=appointment_type.created_at,
        updated_at=appointment_type.updated_at,
        version=appointment_type.version,
    )


class AppointmentTypeList(msgspec.Struct, frozen=True):
    items: list[AppointmentTypeOut]
    page: PageInfo
