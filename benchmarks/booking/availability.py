"""Availability search in process, without HTTP: the SearchAvailability use case as the
front-desk account (signed in through the Login use case), one practitioner, 30 days,
20-minute slots; and, separately, the domain computation alone (the calendar and the
appointments loaded beforehand), to tell the database reads from the Python work.

    python -m benchmarks.booking.availability [--samples 500]

Runs on a fresh copy of the seed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from benchmarks.booking.common import (
    fresh_run_database,
    load_seed,
    machine_state,
    medcore_env,
    percentiles,
    staff_login,
    start_postgres,
    url,
    write_result,
)

WINDOW = timedelta(days=30)
MINUTES = 20


async def measure(samples: int, warmup: int) -> dict[str, Any]:
    from returns.result import Failure

    from medcore.application.scheduling.booking_context import load_context, load_policy, load_practitioner
    from medcore.application.scheduling.search_availability import SearchAvailabilityCommand
    from medcore.container import build_container
    from medcore.domain.scheduling.intervals import Interval
    from medcore.domain.scheduling.rules import Booker, DurationRule
    from medcore.settings import load_settings

    seed = load_seed()
    container = build_container(load_settings(), database_url=url())
    try:
        actor, _token = await staff_login(container)
        search = container.use_cases.search_availability()
        gc.collect()
        gc.freeze()  # as the server does at startup (medcore.entrypoints.http.app)
        uow_factory = container.use_cases.unit_of_work
        rng = random.Random(7)
        practitioners = [UUID(p["id"]) for p in seed["practitioners"]]
        days = [datetime.fromisoformat(d) - timedelta(hours=8) for d in seed["booking_days"]]

        use_case_ms: list[float] = []
        compute_ms: list[float] = []
        compute_cpu_ms: list[float] = []
        slots_found: list[int] = []
        appointments_seen: list[int] = []
        for i in range(warmup + samples):
            practitioner_id = rng.choice(practitioners)
            start = rng.choice(days).astimezone(UTC)
            command = SearchAvailabilityCommand(
                practitioner_ids=(practitioner_id,),
                window_start=start,
                window_end=start + WINDOW,
                duration_minutes=MINUTES,
            )
            began = time.perf_counter()
            result = await search.execute(actor, command)
            elapsed = (time.perf_counter() - began) * 1000
            if isinstance(result, Failure):
                raise SystemExit(f"availability failed: {result.failure()}")
            # The same search's domain work alone, on data loaded beforehand.
            async with uow_factory() as uow:
                policy = await load_policy(uow, actor.organization_id)
                practitioner = (await load_practitioner(uow, actor.organization_id, practitioner_id)).unwrap()
                window = Interval(command.window_start, command.window_end)
                context = await load_context(uow, actor.organization_id, practitioner, [window], policy=policy)
            began, began_cpu = time.perf_counter(), time.process_time()
            slots = context.checker.free_slots(
                window,
                timedelta(minutes=MINUTES),
                duration_rule=DurationRule(),
                booker=Booker(is_patient=False),
                now=datetime.now(UTC),
            )
            computed = (time.perf_counter() - began) * 1000
            computed_cpu = (time.process_time() - began_cpu) * 1000
            if i >= warmup:
                use_case_ms.append(elapsed)
                compute_ms.append(computed)
                compute_cpu_ms.append(computed_cpu)
                slots_found.append(len(result.unwrap()[0].slots))
                appointments_seen.append(len(context.checker.practitioner_appointments))
                assert len(slots) == slots_found[-1], "the use case and the computation disagree"
        use_case = percentiles(use_case_ms)
        compute = percentiles(compute_ms)
        return {
            "samples": samples,
            "window_days": WINDOW.days,
            "duration_minutes": MINUTES,
            "mean_slots": round(sum(slots_found) / len(slots_found), 1),
            "mean_appointments_in_window": round(sum(appointments_seen) / len(appointments_seen), 1),
            "use_case_ms": _as_dict(use_case),
            "compute_ms": _as_dict(compute),
            "compute_cpu_ms": _as_dict(percentiles(compute_cpu_ms)),
        }
    finally:
        await container.gateways.engine().dispose()


def _as_dict(p: Any) -> dict[str, float]:
    return {
        "p50": round(p.p50_ms, 2),
        "p99": round(p.p99_ms, 2),
        "mean": round(p.mean_ms, 2),
        "max": round(p.max_ms, 2),
    }


def run(samples: int, warmup: int) -> dict[str, Any]:
    load_seed()
    start_postgres()
    fresh_run_database()
    os.environ.update(medcore_env())
    before = machine_state()
    result = asyncio.run(measure(samples, warmup))
    result["machine_before"], result["machine_after"] = before, machine_state()
    write_result("inprocess_availability", result)
    print(
        f"  availability in process: use case p50 {result['use_case_ms']['p50']} ms, "
        f"p99 {result['use_case_ms']['p99']} ms; computation alone p50 {result['compute_ms']['p50']} ms, "
        f"p99 {result['compute_ms']['p99']} ms (CPU p50 {result['compute_cpu_ms']['p50']} ms); "
        f"{result['mean_slots']} slots, "
        f"{result['mean_appointments_in_window']} appointments in the window on average",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    run(args.samples, args.warmup)


if __name__ == "__main__":
    main()
