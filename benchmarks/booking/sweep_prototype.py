"""A prototype, not used by medcore: ``SlotChecker.free_slots`` as one sweep over the
candidates, to size what rewriting it would gain. It answers the same slots (checked here
on real calendars of the seeded database, for staff and for patients) and shows the CPU
time of both.

    python -m benchmarks.booking.sweep_prototype [--searches 40]

The sweep keeps one pointer into the practitioner's appointments (sorted by start) with the
running maximum of their blocked ends, so a candidate clashes exactly when that maximum
passes its start; it steps over a clash to its end, evaluates the rules that do not depend
on the start once, and checks the rest with comparisons. Adopting it would mean keeping
the property test "free slots are exactly the starts booking accepts" on it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from benchmarks.booking.common import fresh_run_database, load_seed, medcore_env, start_postgres, url


def sweep_free_slots(
    checker: Any, window: Any, duration: timedelta, *, duration_rule: Any, booker: Any, now: datetime
) -> list[Any]:
    from medcore.domain.scheduling.intervals import Interval
    from medcore.domain.scheduling.rules import next_on_grid, on_grid

    calendar, policy = checker.calendar, checker.policy
    zone, step, reach = calendar.zone, policy.granularity, duration + calendar.buffer
    minutes = duration.total_seconds() / 60
    if (
        minutes % policy.slot_granularity_minutes
        or not duration_rule.min_minutes <= minutes <= duration_rule.max_minutes
    ):
        return []
    earliest = now + policy.min_notice if booker.is_patient else now
    latest = now + policy.max_horizon
    appointments = checker._practitioner  # occupying, sorted by start
    starts = [a.starts_at for a in appointments]
    blocked_until: list[datetime] = []
    for a in appointments:
        blocked_until.append(max(blocked_until[-1], a.blocked_until) if blocked_until else a.blocked_until)
    capacity = calendar.daily_capacity
    slots: list[Any] = []
    seen = 0
    for stretch in calendar.available(window):
        start = next_on_grid(stretch.start, zone, step)
        while start + duration <= stretch.end:
            if start > latest:
                return slots
            if start <= now or start < earliest or not on_grid(start, zone, step):
                start += step
                continue
            while seen < len(starts) and starts[seen] < start + reach:
                seen += 1
            if seen and blocked_until[seen - 1] > start:
                while start + step < blocked_until[seen - 1]:
                    start += step
            elif capacity is None or checker._per_day[checker.local_day(start)] < capacity:
                slots.append(Interval(start, start + duration))
            start += step
    return slots


async def compare(searches: int) -> None:
    from medcore.application.scheduling.booking_context import load_context, load_policy, load_practitioner
    from medcore.container import build_container
    from medcore.domain.scheduling.intervals import Interval
    from medcore.domain.scheduling.rules import Booker, DurationRule
    from medcore.settings import load_settings

    seed = load_seed()
    container = build_container(load_settings(), database_url=url())
    organization_id = UUID(seed["organization_id"])
    rng = random.Random(1)
    contexts = []
    try:
        async with container.use_cases.unit_of_work() as uow:
            policy = await load_policy(uow, organization_id)
            for _ in range(searches):
                practitioner_id = UUID(rng.choice(seed["practitioners"])["id"])
                start = datetime.fromisoformat(rng.choice(seed["booking_days"])).astimezone(UTC) - timedelta(hours=8)
                window = Interval(start, start + timedelta(days=30))
                practitioner = (await load_practitioner(uow, organization_id, practitioner_id)).unwrap()
                context = await load_context(uow, organization_id, practitioner, [window], policy=policy)
                contexts.append((window, context))
    finally:
        await container.gateways.engine().dispose()
    now = datetime.now(UTC)
    for booker in (Booker(), Booker(is_patient=True)):
        current: list[float] = []
        sweep: list[float] = []
        for window, context in contexts * 3:
            args = {"duration_rule": DurationRule(), "booker": booker, "now": now}
            began = time.process_time()
            expected = context.checker.free_slots(window, timedelta(minutes=20), **args)
            current.append((time.process_time() - began) * 1000)
            began = time.process_time()
            found = sweep_free_slots(context.checker, window, timedelta(minutes=20), **args)
            sweep.append((time.process_time() - began) * 1000)
            assert found == expected, "the sweep disagrees with SlotChecker.free_slots"
        who = "patient" if booker.is_patient else "staff"
        print(
            f"{who}: free_slots {statistics.median(current):.2f} ms CPU (median), "
            f"sweep {statistics.median(sweep):.2f} ms; same slots in {len(contexts)} searches"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--searches", type=int, default=40)
    args = parser.parse_args()
    load_seed()
    start_postgres()
    fresh_run_database()
    os.environ.update(medcore_env())
    asyncio.run(compare(args.searches))


if __name__ == "__main__":
    main()
