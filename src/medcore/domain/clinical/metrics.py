"""Health metrics: a patient's measurements of one kind over a time range, as a series and
as simple aggregates (count, min, max, mean) per day, week or month of the patient's time
zone. Values are in the kind's canonical unit (kg, cm, mmHg, /min, degC, mmol/L, %...),
whatever unit each was recorded in. The measurements themselves live in the patients
context; this is a read of them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.patients.measurements import SCALES, MeasurementKind
from medcore.domain.practitioners.schedule import TimeZoneName
from medcore.domain.shared.errors import DomainError, FieldIssue, invalid

DEFAULT_WINDOW = timedelta(days=30)
MAX_WINDOW = timedelta(days=1830)  # five years
MAX_POINTS = 2000
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class MetricBucket(enum.StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, from Monday
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class MetricWindow:
    """``[start, end)``, two aware instants."""

    start: datetime
    end: datetime

    @classmethod
    def parse(cls, start: datetime | None, end: datetime | None, now: datetime) -> Result[MetricWindow, DomainError]:
        """Defaults: the 30 days before ``end``, ``end`` now. At most five years."""
        issues: list[FieldIssue] = []
        for name, value in (("from", start), ("to", end)):
            if value is not None and value.tzinfo is None:
                issues.append(FieldIssue(name, "Give the instant with its offset (Z or +01:00)."))
            elif value is not None and not EARLIEST <= value <= LATEST:
                issues.append(FieldIssue(name, "Use an instant between 1900 and 2200."))
        if issues:
            return Failure(invalid("validation_failed", "Some parameters are not valid.", *issues))
        until = end or now
        since = start or until - DEFAULT_WINDOW
        if since >= until:
            issues.append(FieldIssue("from", "Must be before `to`."))
        elif until - since > MAX_WINDOW:
            issues.append(FieldIssue("from", "Ask for at most five years at a time."))
        if issues:
            return Failure(invalid("validation_failed", "Some parameters are not valid.", *issues))
        return Success(cls(since, until))


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricsQuery:
    kind: MeasurementKind
    window: MetricWindow
    bucket: MetricBucket
    zone: TimeZoneName
    max_points: int = MAX_POINTS

    @property
    def unit(self) -> str:
        return SCALES[self.kind].canonical_unit


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricPoint:
    measurement_id: UUID
    measured_at: datetime
    value: float  # in the kind's canonical unit
    recorded_by_patient: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricAggregate:
    """Measurements of one period (``start`` is its first local day), or of the whole window."""

    count: int
    minimum: float
    maximum: float
    mean: float
    start: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricSeries:
    """``points`` are the latest ``max_points`` of the window, oldest first (``truncated``
    says some earlier ones were left out); the aggregates always cover the whole window."""

    points: tuple[MetricPoint, ...]
    truncated: bool
    buckets: tuple[MetricAggregate, ...]
    summary: MetricAggregate | None
