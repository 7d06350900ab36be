"""Practitioners: the people patients book. A practitioner is a profile in the organization's
directory (names, specialties), professional facts (licence, prescribing authorisations) and
the settings of their calendar (time zone, weekly hours, buffer, daily capacity).

A practitioner may be linked to one account of the organization (role practitioner or
nurse) so that the person can manage their own hours and time off; a practitioner without
an account is still bookable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.practitioners.changes import UNCHANGED, Change
from medcore.domain.practitioners.schedule import Holiday, TimeOff, TimeZoneName, WeeklySchedule
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.rules import PractitionerCalendar
from medcore.domain.shared.errors import DomainError, FieldIssue, invalid

MAX_NAME = 100
MAX_SPECIALTIES = 20
MAX_BUFFER_MINUTES = 120
MAX_DAILY_CAPACITY = 200
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)

_SPECIALTY = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
_LICENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]{0,49}$")

INVALID = "practitioner.invalid"


def check_name(raw: str, field_name: str) -> Result[str, FieldIssue]:
    cleaned = " ".join(raw.split())
    if not 1 <= len(cleaned) <= MAX_NAME:
        return Failure(FieldIssue(field_name, f"Use 1-{MAX_NAME} characters."))
    return Success(cleaned)


def specialty_code(raw: str) -> str:
    """``General practice`` and ``general-practice`` are both ``general_practice``."""
    return "_".join(raw.strip().lower().replace("-", " ").split())


def check_specialties(raw: Sequence[str], field_name: str = "specialties") -> Result[tuple[str, ...], FieldIssue]:
    codes: list[str] = []
    for index, value in enumerate(raw):
        code = specialty_code(value)
        if not _SPECIALTY.match(code):
            return Failure(
                FieldIssue(
                    f"{field_name}.{index}",
                    "Use 2-60 letters, digits or underscores, starting with a letter (general_practice).",
                )
            )
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_SPECIALTIES:
        return Failure(FieldIssue(field_name, f"At most {MAX_SPECIALTIES} specialties."))
    return Success(tuple(codes))


def _check_licence_number(raw: str | None) -> Result[str | None, FieldIssue]:
    if raw is None:
        return Success(None)
    cleaned = " ".join(raw.split())
    if not _LICENCE.match(cleaned):
        return Failure(
            FieldIssue("licence_number", "Use 1-50 letters, digits, spaces, dots, slashes or dashes, or null.")
        )
    return Success(cleaned)


def _check_day(raw: date | None, field_name: str) -> Result[date | None, FieldIssue]:
    if raw is not None and not EARLIEST_DAY <= raw <= LATEST_DAY:
        return Failure(FieldIssue(field_name, "Use a date between 1900-01-01 and 2199-12-31."))
    return Success(raw)


def _check_buffer(raw: int) -> Result[int, FieldIssue]:
    if isinstance(raw, bool) or not 0 <= raw <= MAX_BUFFER_MINUTES:
        return Failure(FieldIssue("buffer_minutes", f"Use 0 to {MAX_BUFFER_MINUTES} minutes."))
    return Success(raw)


def _check_capacity(raw: int | None) -> Result[int | None, FieldIssue]:
    if raw is not None and (isinstance(raw, bool) or not 1 <= raw <= MAX_DAILY_CAPACITY):
        return Failure(FieldIssue("daily_capacity", f"Use 1 to {MAX_DAILY_CAPACITY} appointments a day, or null."))
    return Success(raw)


def _check_time_zone(raw: str) -> Result[TimeZoneName, FieldIssue]:
    parsed = TimeZoneName.parse(raw)
    if isinstance(parsed, Failure):
        return Failure(parsed.failure().fields[0])
    return Success(parsed.unwrap())


@dataclass(frozen=True, slots=True, kw_only=True)
class PractitionerChanges:
    """What a create or an update sets. Fields left ``UNCHANGED`` keep their value (on
    create: their default); ``None`` clears the fields that may be empty."""

    given_name: Change[str] = UNCHANGED
    family_name: Change[str] = UNCHANGED
    user_id: Change[UUID | None] = UNCHANGED
    specialties: Change[Sequence[str]] = UNCHANGED
    licence_number: Change[str | None] = UNCHANGED
    licence_expires_on: Change[date | None] = UNCHANGED
    can_prescribe: Change[bool] = UNCHANGED
    controlled_substances: Change[bool] = UNCHANGED
    time_zone: Change[str] = UNCHANGED
    buffer_minutes: Change[int] = UNCHANGED
    daily_capacity: Change[int | None] = UNCHANGED
    active: Change[bool] = UNCHANGED

    def given(self) -> dict[str, Any]:
        """The fields this change sets, by name."""
        return {name: getattr(self, name) for name in _CHANGE_FIELDS if getattr(self, name) is not UNCHANGED}


_CHANGE_FIELDS = (
    "given_name",
    "family_name",
    "user_id",
    "specialties",
    "licence_number",
    "licence_expires_on",
    "can_prescribe",
    "controlled_substances",
    "time_zone",
    "buffer_minutes",
    "daily_capacity",
    "active",
)

_CHECKS: Mapping[str, Any] = {
    "given_name": lambda v: check_name(v, "given_name"),
    "family_name": lambda v: check_name(v, "family_name"),
    "user_id": Success,
    "specialties": check_specialties,
    "licence_number": _check_licence_number,
    "licence_expires_on": lambda v: _check_day(v, "licence_expires_on"),
    "can_prescribe": Success,
    "controlled_substances": Success,
    "time_zone": _check_time_zone,
    "buffer_minutes": _check_buffer,
    "daily_capacity": _check_capacity,
    "active": Success,
}


def _cross_field_issues(values: Mapping[str, Any]) -> list[FieldIssue]:
    """Rules between fields, judged on the state after the change."""
    issues: list[FieldIssue] = []
    if values["licence_expires_on"] is not None and values["licence_number"] is None:
        issues.append(FieldIssue("licence_expires_on", "A licence expiry needs a licence_number."))
    if values["can_prescribe"] and values["licence_number"] is None:
        issues.append(FieldIssue("can_prescribe", "Prescribing needs a licence_number."))
    if values["controlled_substances"] and not values["can_prescribe"]:
        issues.append(FieldIssue("controlled_substances", "A controlled-substance authorisation needs can_prescribe."))
    return issues


@dataclass(slots=True, kw_only=True)
class Practitioner:
    id: UUID
    organization_id: UUID
    given_name: str
    family_name: str
    time_zone: TimeZoneName
    user_id: UUID | None = None
    specialties: tuple[str, ...] = ()
    licence_number: str | None = None
    licence_expires_on: date | None = None
    can_prescribe: bool = False
    controlled_substances: bool = False  # authorised to prescribe controlled substances
    buffer_minutes: int = 0  # kept free after each appointment
    daily_capacity: int | None = None  # most appointments in one local day; None: no limit
    working_hours: WeeklySchedule = field(default_factory=WeeklySchedule)
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
        changes: PractitionerChanges,
        now: datetime,
        working_hours: WeeklySchedule | None = None,
    ) -> Result[Practitioner, DomainError]:
        """A new practitioner: names and time zone are required, the rest has defaults."""
        missing = [
            FieldIssue(name, "This field is required.")
            for name in ("given_name", "family_name", "time_zone")
            if getattr(changes, name) is UNCHANGED
        ]
        if missing:
            return Failure(invalid(INVALID, "Some fields are not valid.", *missing))
        practitioner = cls(
            id=id,
            organization_id=organization_id,
            given_name="",
            family_name="",
            time_zone=TimeZoneName("UTC"),
            working_hours=working_hours or WeeklySchedule(),
            created_at=now,
            updated_at=now,
        )
        return practitioner.update(changes, now).map(lambda _: practitioner)

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def update(self, changes: PractitionerChanges, now: datetime) -> Result[tuple[str, ...], DomainError]:
        """Apply every given field, or none of them; answers the names of the fields whose
        value changed."""
        issues: list[FieldIssue] = []
        checked: dict[str, Any] = {}
        for name, raw in changes.given().items():
            outcome = _CHECKS[name](raw)
            if isinstance(outcome, Failure):
                issues.append(outcome.failure())
            else:
                checked[name] = outcome.unwrap()
        if issues:
            return Failure(invalid(INVALID, "Some fields are not valid.", *issues))
        after = {name: checked.get(name, getattr(self, name)) for name in _CHANGE_FIELDS}
        cross = _cross_field_issues(after)
        if cross:
            return Failure(invalid(INVALID, "Some fields are not valid.", *cross))
        changed = tuple(name for name in _CHANGE_FIELDS if after[name] != getattr(self, name))
        for name in changed:
            setattr(self, name, after[name])
        if changed:
            self.updated_at = now
        return Success(changed)

    def set_working_hours(self, schedule: WeeklySchedule, now: datetime) -> bool:
        """Replace the weekly hours; False when they were already exactly these."""
        if schedule == self.working_hours:
            return False
        self.working_hours = schedule
        self.updated_at = now
        return True

    def licence_valid_on(self, day: date) -> bool:
        """A licence is valid up to and including its expiry day; a licence recorded without
        an expiry does not lapse. No licence number, no valid licence."""
        if self.licence_number is None:
            return False
        return self.licence_expires_on is None or day <= self.licence_expires_on

    def calendar(
        self,
        time_off: Iterable[Interval | TimeOff] = (),
        holidays: Iterable[date | Holiday] = (),
    ) -> PractitionerCalendar:
        """What the booking rules need of this practitioner's time, with the time off and
        organization holidays around the window being judged."""
        intervals = sorted(t.interval if isinstance(t, TimeOff) else t for t in time_off)
        days = sorted({h.day if isinstance(h, Holiday) else h for h in holidays})
        return PractitionerCalendar(
            practitioner_id=self.id,
            zone=self.time_zone.zone,
            schedule=self.working_hours,
            buffer=timedelta(minutes=self.buffer_minutes),
            daily_capacity=self.daily_capacity,
            time_off=tuple(intervals),
            holidays=tuple(days),
        )
