"""Recurrence with python-dateutil, restricted to the RFC 5545 subset medcore supports."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from dateutil.rrule import rrulestr
from returns.result import Failure, Result, Success

from medcore.domain.shared.errors import DomainError, field_invalid

FIELD = "recurrence.rrule"
_WEEKDAY = r"(MO|TU|WE|TH|FR|SA|SU)"
_PARTS = {
    "FREQ": re.compile(r"^(DAILY|WEEKLY|MONTHLY)$"),
    "INTERVAL": re.compile(r"^[1-9]\d{0,2}$"),
    "COUNT": re.compile(r"^[1-9]\d{0,3}$"),
    "UNTIL": re.compile(r"^\d{8}(T\d{6}Z?)?$"),
    "BYDAY": re.compile(rf"^([+-]?[1-5]?{_WEEKDAY})(,[+-]?[1-5]?{_WEEKDAY})*$"),
    "BYMONTHDAY": re.compile(r"^-?([1-9]|[12]\d|3[01])(,-?([1-9]|[12]\d|3[01]))*$"),
    "WKST": re.compile(rf"^{_WEEKDAY}$"),
}


def _refuse(message: str) -> Result[list[datetime], DomainError]:
    return Failure(field_invalid(FIELD, message, code="appointment.invalid_recurrence"))


class DateutilRecurrence:
    """``FREQ=DAILY|WEEKLY|MONTHLY``, ``INTERVAL``, ``COUNT`` or ``UNTIL`` (one of them),
    ``BYDAY`` (ordinals only with MONTHLY), ``BYMONTHDAY``, ``WKST``. The series' first
    start must be an occurrence of the rule."""

    def expand(self, rule: str, first_start: datetime, limit: int) -> Result[list[datetime], DomainError]:
        if first_start.tzinfo is None:
            raise ValueError("first_start must be aware, in the practitioner's zone")
        text = rule.strip().removeprefix("RRULE:")
        if not text or len(text) > 500:
            return _refuse("Give an RRULE such as FREQ=WEEKLY;BYDAY=MO;COUNT=10.")
        parts: dict[str, str] = {}
        for chunk in text.split(";"):
            key, sep, value = chunk.partition("=")
            key = key.strip().upper()
            value = value.strip().upper()
            if not sep or key not in _PARTS:
                return _refuse(f"'{chunk}' is not supported: use FREQ, INTERVAL, COUNT or UNTIL, BYDAY, BYMONTHDAY.")
            if key in parts:
                return _refuse(f"{key} appears twice.")
            if not _PARTS[key].match(value):
                return _refuse(f"{key}={value} is not valid here.")
            parts[key] = value
        if "FREQ" not in parts:
            return _refuse("FREQ (DAILY, WEEKLY or MONTHLY) is required.")
        if ("COUNT" in parts) == ("UNTIL" in parts):
            return _refuse("Give COUNT or UNTIL (one of them): a series is bounded.")
        if "BYDAY" in parts and parts["FREQ"] != "MONTHLY" and re.search(r"\d", parts["BYDAY"]):
            return _refuse("BYDAY ordinals (1MO, -1FR) are for FREQ=MONTHLY only.")
        if "COUNT" in parts and int(parts["COUNT"]) > limit:
            return _refuse(f"A series has at most {limit} occurrences.")
        if "UNTIL" in parts:
            parts["UNTIL"] = self._until_utc(parts["UNTIL"], first_start)
            if not parts["UNTIL"]:
                return _refuse("UNTIL is not a valid date.")
        # The first start must be an occurrence; checking its weekday and day of month here
        # also refuses rules that can never match, which dateutil would search until 9999.
        local = first_start
        weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[local.weekday()]
        if "BYDAY" in parts and weekday not in {re.sub(r"^[+-]?\d*", "", d) for d in parts["BYDAY"].split(",")}:
            return _refuse("starts_at must be the first occurrence of the rule (its weekday is not in BYDAY).")
        if "BYMONTHDAY" in parts:
            days_in_month = (local.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            allowed = {int(d) if int(d) > 0 else days_in_month.day + int(d) + 1 for d in parts["BYMONTHDAY"].split(",")}
            if local.day not in allowed:
                return _refuse("starts_at must be the first occurrence of the rule (its day is not in BYMONTHDAY).")
        normalised = ";".join(f"{k}={v}" for k, v in parts.items())
        try:
            rule_set = rrulestr(normalised, dtstart=first_start)
        except (ValueError, TypeError) as exc:
            return _refuse(f"The rule is not valid: {exc}.")
        occurrences: list[datetime] = []
        for occurrence in rule_set:
            occurrences.append(occurrence)
            if len(occurrences) > limit:
                return _refuse(f"A series has at most {limit} occurrences.")
        if not occurrences:
            return _refuse("The rule yields no occurrence.")
        if occurrences[0] != first_start:
            return _refuse("starts_at must be the first occurrence of the rule (e.g. a Monday for BYDAY=MO).")
        return Success([o.astimezone(UTC) for o in occurrences])

    @staticmethod
    def _until_utc(value: str, first_start: datetime) -> str:
        """dateutil wants UNTIL in UTC for zoned starts: a date means the end of that local day."""
        try:
            if len(value) == 8:
                day = datetime.strptime(value, "%Y%m%d").replace(tzinfo=UTC).date()
                end = datetime.combine(day, time(23, 59, 59), tzinfo=first_start.tzinfo)
                return end.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            if value.endswith("Z"):
                datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                return value
            local = datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=first_start.tzinfo)
            return local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        except ValueError:
            return ""
