"""What the audit write adds to a request (target: <= 2 ms at p50).

    python -m benchmarks.audit.request_latency [--samples 2000]

The GetPatient use case (authorization, the read, its audit event, COMMIT) in process
against a durable PostgreSQL, alternately with the real audit trail and with one that
discards the event (same code path otherwise: the read-only transaction then commits
without writing). The difference of the medians is the audit write: the head row lock, the
event's hash, the INSERT with the head's advance, and the WAL flush at COMMIT.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import date
from typing import Any

from benchmarks.audit.common import (
    container,
    fresh_database,
    machine_state,
    organization,
    percentile,
    start_postgres,
    write_result,
)

DATABASE = "audit_latency"


class _DiscardedAudit:
    async def record(self, entry: Any) -> None:
        return None

    async def flush(self) -> None:
        return None


async def main(samples: int) -> dict[str, Any]:
    from medcore.adapters.postgres.unit_of_work import SqlUnitOfWork
    from medcore.application.patients.create_patient import CreatePatientCommand

    start_postgres()
    built = container(fresh_database(DATABASE))
    try:
        actor = await organization(built, "latency")
        patient = (
            await built.use_cases.create_patient().execute(
                actor, CreatePatientCommand(given_name="Jeanne", family_name="Martin", birth_date=date(1980, 5, 17))
            )
        ).unwrap()
        real = built.use_cases.get_patient()

        class WithoutAudit(SqlUnitOfWork):
            async def __aenter__(self) -> Any:
                await super().__aenter__()
                self.audit = _DiscardedAudit()  # type: ignore[assignment]
                return self

        from medcore.application.patients.get_patient import GetPatient

        database, clock, ids = built.gateways.database(), built.core.clock(), built.core.ids()
        bare = GetPatient(lambda: WithoutAudit(database, clock, ids))
        timings: dict[str, list[float]] = {"with_audit": [], "without_audit": []}
        cpu: dict[str, list[float]] = {"with_audit": [], "without_audit": []}
        for i in range(samples + 200):  # alternate, so both see the same machine
            for name, use_case in (("with_audit", real), ("without_audit", bare)):
                began, began_cpu = time.perf_counter(), time.thread_time()
                result = await use_case.execute(actor, patient.id)
                elapsed = (time.perf_counter() - began) * 1000
                elapsed_cpu = (time.thread_time() - began_cpu) * 1000
                result.unwrap()
                if i >= 200:  # warm-up
                    timings[name].append(elapsed)
                    cpu[name].append(elapsed_cpu)
        state = machine_state()
    finally:
        await built.gateways.engine().dispose()
    with_p50, without_p50 = percentile(timings["with_audit"], 50), percentile(timings["without_audit"], 50)
    return {
        "samples": samples,
        "with_audit_ms": {"p50": round(with_p50, 3), "p99": round(percentile(timings["with_audit"], 99), 3)},
        "without_audit_ms": {"p50": round(without_p50, 3), "p99": round(percentile(timings["without_audit"], 99), 3)},
        "added_p50_ms": round(with_p50 - without_p50, 3),
        "python_cpu_p50_ms": {name: round(percentile(values, 50), 3) for name, values in cpu.items()},
        "machine": state,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    result = asyncio.run(main(args.samples))
    write_result("request_latency", result)
    print({k: v for k, v in result.items() if k != "machine"})
