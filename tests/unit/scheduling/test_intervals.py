"""Half-open intervals and their algebra, against sets of covered minutes as the oracle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medcore.domain.scheduling.intervals import Interval, clip, merge, subtract

BASE = datetime(2026, 6, 8, tzinfo=UTC)


def span(start: int, end: int) -> Interval:
    return Interval(BASE + timedelta(minutes=start), BASE + timedelta(minutes=end))


def minutes(intervals: list[Interval] | tuple[Interval, ...]) -> set[int]:
    """The minutes an interval list covers (all bounds are whole minutes from BASE)."""
    covered: set[int] = set()
    for i in intervals:
        covered |= set(range(int((i.start - BASE) / timedelta(minutes=1)), int((i.end - BASE) / timedelta(minutes=1))))
    return covered


@st.composite
def intervals(draw: st.DrawFn, low: int = 0, high: int = 240) -> Interval:
    start = draw(st.integers(low, high - 1))
    return span(start, draw(st.integers(start + 1, high)))


interval_lists = st.lists(intervals(), max_size=8)
fast = settings(max_examples=150, deadline=None)


def assert_sorted_and_apart(result: list[Interval]) -> None:
    """Sorted, disjoint and not even touching: touching pieces would have been joined."""
    for earlier, later in pairwise(result):
        assert earlier.end < later.start


def test_interval_refuses_naive_instants_and_empty_or_reversed_spans() -> None:
    with pytest.raises(ValueError):
        Interval(datetime(2026, 6, 8, 9), datetime(2026, 6, 8, 10))
    with pytest.raises(ValueError):
        span(10, 10)
    with pytest.raises(ValueError):
        span(10, 5)


def test_back_to_back_intervals_do_not_overlap_but_share_a_minute_do() -> None:
    assert not span(0, 30).overlaps(span(30, 60))
    assert not span(30, 60).overlaps(span(0, 30))
    assert span(0, 31).overlaps(span(30, 60))
    assert span(0, 30).duration == timedelta(minutes=30)


def test_extended_adds_time_after_the_end_only_for_a_positive_buffer() -> None:
    assert span(0, 30).extended(timedelta(minutes=10)) == span(0, 40)
    assert span(0, 30).extended(timedelta(0)) == span(0, 30)
    assert span(0, 30).extended(timedelta(minutes=-10)) == span(0, 30)


@fast
@given(a=intervals(), b=intervals())
def test_overlap_and_containment_follow_the_covered_minutes(a: Interval, b: Interval) -> None:
    assert a.overlaps(b) == b.overlaps(a) == bool(minutes([a]) & minutes([b]))
    assert a.contains(b) == (minutes([b]) <= minutes([a]))


@fast
@given(items=interval_lists)
def test_merge_covers_the_same_minutes_as_sorted_apart_intervals_and_is_idempotent(items: list[Interval]) -> None:
    merged = merge(items)

    assert minutes(merged) == minutes(items)
    assert_sorted_and_apart(merged)
    assert merge(merged) == merged
    assert merge(reversed(items)) == merged
    assert all(any(m.contains(i) for m in merged) for i in items)


@fast
@given(items=interval_lists, removed=interval_lists)
def test_subtract_keeps_exactly_what_was_not_removed(items: list[Interval], removed: list[Interval]) -> None:
    result = subtract(items, removed)

    assert minutes(result) == minutes(items) - minutes(removed)
    assert not any(r.overlaps(cut) for r in result for cut in removed)
    assert all(any(i.contains(r) for i in merge(items)) for r in result)
    assert_sorted_and_apart(result)


@fast
@given(items=interval_lists, window=intervals())
def test_clip_keeps_the_part_inside_the_window(items: list[Interval], window: Interval) -> None:
    result = clip(merge(items), window)

    assert minutes(result) == minutes(items) & minutes([window])
    assert all(window.contains(r) for r in result)


def test_subtract_splits_an_interval_around_a_cut_inside_it() -> None:
    assert subtract([span(0, 60)], [span(20, 30)]) == [span(0, 20), span(30, 60)]
    assert subtract([span(0, 60)], [span(0, 60)]) == []
    assert subtract([span(0, 60)], [span(60, 90)]) == [span(0, 60)]
