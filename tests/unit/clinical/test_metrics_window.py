"""The window of a health metrics read: defaults, order, length and plausible bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from returns.result import Failure

from medcore.domain.clinical.metrics import DEFAULT_WINDOW, MAX_WINDOW, MetricWindow

NOW = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)


def fields(result: object) -> list[str]:
    assert isinstance(result, Failure), result
    return [i.field for i in result.failure().fields]


def test_the_window_defaults_to_the_last_thirty_days() -> None:
    assert MetricWindow.parse(None, None, NOW).unwrap() == MetricWindow(NOW - DEFAULT_WINDOW, NOW)
    end = NOW - timedelta(days=100)
    assert MetricWindow.parse(None, end, NOW).unwrap() == MetricWindow(end - DEFAULT_WINDOW, end)
    start = NOW - timedelta(days=3)
    assert MetricWindow.parse(start, None, NOW).unwrap() == MetricWindow(start, NOW)


def test_a_window_is_ordered_bounded_and_at_most_five_years() -> None:
    assert fields(MetricWindow.parse(NOW, NOW, NOW)) == ["from"]
    assert fields(MetricWindow.parse(NOW - MAX_WINDOW - timedelta(seconds=1), NOW, NOW)) == ["from"]
    assert MetricWindow.parse(NOW - MAX_WINDOW, NOW, NOW).unwrap().start == NOW - MAX_WINDOW
    ancient = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
    assert fields(MetricWindow.parse(None, ancient, NOW)) == ["to"]
    assert fields(MetricWindow.parse(datetime(9999, 1, 1, tzinfo=UTC), None, NOW)) == ["from"]
    assert fields(MetricWindow.parse(datetime(2027, 3, 1), None, NOW)) == ["from"]  # no offset
