"""iCalendar (RFC 5545) rendering with the ``icalendar`` package: calendar entries carry
times, status and a neutral summary, never the reason for the visit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from uuid import UUID

from icalendar import Calendar, Event

import medcore
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.scheduling.appointment import Appointment, AppointmentStatus

MEDIA_TYPE = "text/calendar; charset=utf-8"

_STATUS = {
    AppointmentStatus.REQUESTED: "TENTATIVE",
    AppointmentStatus.CONFIRMED: "CONFIRMED",
    AppointmentStatus.CHECKED_IN: "CONFIRMED",
    AppointmentStatus.IN_PROGRESS: "CONFIRMED",
    AppointmentStatus.COMPLETED: "CONFIRMED",
    AppointmentStatus.CANCELLED: "CANCELLED",
    AppointmentStatus.NO_SHOW: "CANCELLED",
}


def _summary(detail: str, name: tuple[str, str] | None) -> str:
    if detail == "patient_name" and name:
        return f"Appointment: {name[0]} {name[1]}"
    if detail == "patient_initials" and name:
        return f"Appointment: {name[0][:1]}. {name[1][:1]}."
    return "Appointment"


def _event(appointment: Appointment, practitioner: Practitioner, summary: str, stamp: datetime) -> Event:
    zone = practitioner.time_zone.zone
    event = Event()
    event.add("uid", f"{appointment.id}@medcore")
    event.add("dtstamp", stamp)
    event.add("dtstart", appointment.starts_at.astimezone(zone))
    event.add("dtend", appointment.ends_at.astimezone(zone))
    event.add("summary", summary)
    event.add("status", _STATUS[appointment.status])
    event.add("sequence", appointment.version - 1)
    event.add("last-modified", appointment.updated_at)
    event.add("transp", "OPAQUE")
    return event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//medcore//medcore {medcore.__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def appointment_ics(
    appointment: Appointment, practitioner: Practitioner, organization_name: str, stamp: datetime
) -> bytes:
    calendar = _calendar(organization_name)
    calendar.add("method", "PUBLISH")
    event = _event(
        appointment, practitioner, f"Appointment with {practitioner.given_name} {practitioner.family_name}", stamp
    )
    event.add("location", organization_name)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def feed_ics(
    appointments: Iterable[Appointment],
    practitioner: Practitioner,
    detail: str,
    names: Mapping[UUID, tuple[str, str]],
    stamp: datetime,
) -> bytes:
    calendar = _calendar(f"{practitioner.given_name} {practitioner.family_name}")
    for appointment in appointments:
        calendar.add_component(
            _event(appointment, practitioner, _summary(detail, names.get(appointment.patient_id)), stamp)
        )
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
