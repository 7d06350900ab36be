"""What an organization books besides practitioners: rooms and equipment, and the kinds of
appointment it offers with their durations and colours."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.practitioners.changes import UNCHANGED, Change
from medcore.domain.scheduling.rules import DEFAULT_MAX_MINUTES, DEFAULT_MIN_MINUTES, DurationRule
from medcore.domain.shared.errors import DomainError, FieldIssue, invalid

MAX_NAME = 100
DURATION_STEP = 5
LONGEST_MINUTES = 480  # no appointment type lasts more than a working day
DEFAULT_COLOUR = "#4F7CAC"

_COLOUR = re.compile(r"^#[0-9A-F]{6}$")


def _check_name(raw: str) -> Result[str, FieldIssue]:
    cleaned = " ".join(raw.split())
    if not 1 <= len(cleaned) <= MAX_NAME:
        return Failure(FieldIssue("name", f"Use 1-{MAX_NAME} characters."))
    return Success(cleaned)


class RoomKind(enum.StrEnum):
    ROOM = "room"
    EQUIPMENT = "equipment"  # a bookable device (ultrasound, ECG) rather than a place


@dataclass(slots=True, kw_only=True)
class Room:
    """A room or a piece of equipment an appointment may occupy (never two at once)."""

    id: UUID
    organization_id: UUID
    name: str
    kind: RoomKind = RoomKind.ROOM
    active: bool = True
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @classmethod
    def create(
        cls, *, id: UUID, organization_id: UUID, name: str, kind: RoomKind = RoomKind.ROOM, now: datetime
    ) -> Result[Room, DomainError]:
        checked = _check_name(name)
        if isinstance(checked, Failure):
            return Failure(invalid("room.invalid", "The room is not valid.", checked.failure()))
        return Success(
            cls(
                id=id, organization_id=organization_id, name=checked.unwrap(), kind=kind, created_at=now, updated_at=now
            )
        )

    def update(
        self,
        *,
        name: Change[str] = UNCHANGED,
        kind: Change[RoomKind] = UNCHANGED,
        active: Change[bool] = UNCHANGED,
        now: datetime,
    ) -> Result[tuple[str, ...], DomainError]:
        """Apply the given fields; answers the names of those whose value changed."""
        after: dict[str, object] = {"name": self.name, "kind": self.kind, "active": self.active}
        if name is not UNCHANGED:
            checked = _check_name(name)
            if isinstance(checked, Failure):
                return Failure(invalid("room.invalid", "The room is not valid.", checked.failure()))
            after["name"] = checked.unwrap()
        if kind is not UNCHANGED:
            after["kind"] = kind
        if active is not UNCHANGED:
            after["active"] = active
        changed = tuple(key for key, value in after.items() if value != getattr(self, key))
        for key in changed:
            setattr(self, key, after[key])
        if changed:
            self.updated_at = now
        return Success(changed)


def _check_colour(raw: str) -> Result[str, FieldIssue]:
    colour = raw.strip().upper()
    if not _COLOUR.match(colour):
        return Failure(FieldIssue("colour", "Use a hex colour such as #4F7CAC."))
    return Success(colour)


def _duration_issues(default_minutes: int, min_minutes: int, max_minutes: int) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    values = {"default_minutes": default_minutes, "min_minutes": min_minutes, "max_minutes": max_minutes}
    for name, value in values.items():
        if isinstance(value, bool) or not DURATION_STEP <= value <= LONGEST_MINUTES:
            issues.append(FieldIssue(name, f"Use {DURATION_STEP} to {LONGEST_MINUTES} minutes."))
        elif value % DURATION_STEP:
            issues.append(FieldIssue(name, f"Use a multiple of {DURATION_STEP} minutes."))
    if issues:
        return issues
    if min_minutes > max_minutes:
        issues.append(FieldIssue("min_minutes", "The minimum cannot exceed the maximum."))
    elif not min_minutes <= default_minutes <= max_minutes:
        issues.append(
            FieldIssue("default_minutes", f"The default must lie between {min_minutes} and {max_minutes} minutes.")
        )
    return issues


@dataclass(slots=True, kw_only=True)
class AppointmentType:
    """A kind of appointment the organization offers: its default duration, the bounds a
    booking of this type must keep (multiples of 5 minutes) and a colour for calendars."""

    id: UUID
    organization_id: UUID
    name: str
    default_minutes: int
    min_minutes: int = DEFAULT_MIN_MINUTES
    max_minutes: int = DEFAULT_MAX_MINUTES
    colour: str = DEFAULT_COLOUR
    active: bool = True
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        organization_id: UUID,
        name: str,
        default_minutes: int,
        min_minutes: int = DEFAULT_MIN_MINUTES,
        max_minutes: int = DEFAULT_MAX_MINUTES,
        colour: str = DEFAULT_COLOUR,
        now: datetime,
    ) -> Result[AppointmentType, DomainError]:
        created = cls(
            id=id,
            organization_id=organization_id,
            name="",
            default_minutes=DEFAULT_MIN_MINUTES,
            min_minutes=DEFAULT_MIN_MINUTES,
            max_minutes=DEFAULT_MAX_MINUTES,
            created_at=now,
            updated_at=now,
        )
        updated = created.update(
            name=name,
            default_minutes=default_minutes,
            min_minutes=min_minutes,
            max_minutes=max_minutes,
            colour=colour,
            now=now,
        )
        return updated.map(lambda _: created)

    @property
    def default_duration(self) -> timedelta:
        return timedelta(minutes=self.default_minutes)

    def duration_rule(self) -> DurationRule:
        return DurationRule(min_minutes=self.min_minutes, max_minutes=self.max_minutes)

    def update(
        self,
        *,
        name: Change[str] = UNCHANGED,
        default_minutes: Change[int] = UNCHANGED,
        min_minutes: Change[int] = UNCHANGED,
        max_minutes: Change[int] = UNCHANGED,
        colour: Change[str] = UNCHANGED,
        active: Change[bool] = UNCHANGED,
        now: datetime,
    ) -> Result[tuple[str, ...], DomainError]:
        """Apply every given field, or none; the durations are judged together, after the
        change. Answers the names of the fields whose value changed."""
        issues: list[FieldIssue] = []
        new_default = self.default_minutes if default_minutes is UNCHANGED else default_minutes
        new_min = self.min_minutes if min_minutes is UNCHANGED else min_minutes
        new_max = self.max_minutes if max_minutes is UNCHANGED else max_minutes
        after: dict[str, object] = {
            "name": self.name,
            "default_minutes": new_default,
            "min_minutes": new_min,
            "max_minutes": new_max,
            "colour": self.colour,
            "active": self.active if active is UNCHANGED else active,
        }
        if name is not UNCHANGED:
            checked_name = _check_name(name)
            if isinstance(checked_name, Failure):
                issues.append(checked_name.failure())
            else:
                after["name"] = checked_name.unwrap()
        if colour is not UNCHANGED:
            checked_colour = _check_colour(colour)
            if isinstance(checked_colour, Failure):
                issues.append(checked_colour.failure())
            else:
                after["colour"] = checked_colour.unwrap()
        issues.extend(_duration_issues(new_default, new_min, new_max))
        if issues:
            return Failure(invalid("appointment_type.invalid", "The appointment type is not valid.", *issues))
        changed = tuple(key for key, value in after.items() if value != getattr(self, key))
        for key in changed:
            setattr(self, key, after[key])
        if changed:
            self.updated_at = now
        return Success(changed)
