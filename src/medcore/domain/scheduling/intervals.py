"""Half-open time intervals ``[start, end)`` of aware UTC instants, and their algebra."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

_new = object.__new__
_set = object.__setattr__


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("intervals hold aware instants")
        if not self.start < self.end:
            raise ValueError("an interval ends after it starts")

    @classmethod
    def trusted(cls, start: datetime, end: datetime) -> Interval:
        """An interval whose bounds the caller already knows to be valid (aware, start
        before end), without checking them again: for code that builds thousands of them
        from valid ones (availability search)."""
        interval = _new(cls)
        _set(interval, "start", start)
        _set(interval, "end", end)
        return interval

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        """Back-to-back intervals (one ends when the other starts) do not overlap."""
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    def extended(self, after: timedelta) -> Interval:
        return Interval(self.start, self.end + after) if after > timedelta(0) else self


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union, as sorted disjoint intervals (touching ones are joined)."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, interval.end))
        else:
            merged.append(interval)
    return merged


def subtract(intervals: Iterable[Interval], removed: Iterable[Interval]) -> list[Interval]:
    """What remains of ``intervals`` once every part covered by ``removed`` is cut out."""
    result = merge(intervals)
    for cut in merge(removed):
        remaining: list[Interval] = []
        for interval in result:
            if not interval.overlaps(cut):
                remaining.append(interval)
                continue
            if interval.start < cut.start:
                remaining.append(Interval(interval.start, cut.start))
            if cut.end < interval.end:
                remaining.append(Interval(cut.end, interval.end))
        result = remaining
    return result


def clip(intervals: Iterable[Interval], window: Interval) -> list[Interval]:
    return [Interval(max(i.start, window.start), min(i.end, window.end)) for i in intervals if i.overlaps(window)]
