"""Audit append throughput with 8 concurrent writers (target: >= 1,500 events/s).

    python -m benchmarks.audit.append_throughput [--seconds 15] [--writers 8] [--processes 2]

Each writer is a loop of units of work (the real SqlUnitOfWork on a durable PostgreSQL:
fsync and synchronous commit on) that each record one event and commit, as a request
reading one record does; then ten events per unit of work, as a list page of ten
patients does (one event per patient listed). Two layouts: all writers in one organization (every append waits for the same head
row: the worst case of the per-organization serialisation), and each writer in its own
organization. Writers are spread over ``--processes`` processes (Python's own work would
otherwise be the limit, not the database); the chain is verified after each run.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time
from typing import Any
from uuid import UUID

from benchmarks.audit.common import (
    container,
    fresh_database,
    machine_state,
    organization,
    start_postgres,
    url,
    write_result,
)

DATABASE = "audit_append"


async def _writers(
    organizations: list[str], writers: list[int], per_unit: int, seconds: float, ready: Any, go: Any
) -> int:
    from medcore.application.shared.actor import RequestMeta, system_actor

    built = container(url(DATABASE))
    uow = built.use_cases.unit_of_work
    meta = RequestMeta(request_id="bench", ip="192.0.2.44", user_agent="medcore-benchmark/1")

    async def writer(n: int, deadline: float) -> int:
        organization_id = UUID(organizations[n % len(organizations)])
        actor = system_actor(organization_id, organization_id, meta)
        done = 0
        while time.perf_counter() < deadline:
            async with uow() as unit:
                for _ in range(per_unit):
                    await unit.audit.record(
                        actor.audit(
                            "patient.read", resource_type="patient", patient_id=organization_id, details={"n": done}
                        )
                    )
                await unit.commit()
            done += per_unit
        return done

    try:
        async with uow() as unit:  # connected and warm before the start
            await unit.audit_log.head(UUID(organizations[0]))
        ready.put(True)
        await asyncio.to_thread(go.wait)
        deadline = time.perf_counter() + seconds
        return sum(await asyncio.gather(*(writer(n, deadline) for n in writers)))
    finally:
        await built.gateways.engine().dispose()


def _process(
    organizations: list[str], writers: list[int], per_unit: int, seconds: float, ready: Any, go: Any, out: Any
) -> None:
    out.put(asyncio.run(_writers(organizations, writers, per_unit, seconds, ready, go)))


def run(organizations: list[UUID], writers: int, processes: int, seconds: float, per_unit: int = 1) -> float:
    context = multiprocessing.get_context("spawn")
    ready, out, go = context.Queue(), context.Queue(), context.Event()
    names = [str(o) for o in organizations]
    workers = [
        context.Process(
            target=_process, args=(names, list(range(p, writers, processes)), per_unit, seconds, ready, go, out)
        )
        for p in range(processes)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get()
    go.set()
    total = sum(out.get() for _ in workers)
    for worker in workers:
        worker.join()
    return total / seconds


async def _setup(writers: int) -> tuple[list[UUID], list[UUID]]:
    built = container(fresh_database(DATABASE))
    try:
        shared = (await organization(built, "append-shared")).organization_id
        own = [(await organization(built, f"append-{n}")).organization_id for n in range(writers)]
    finally:
        await built.gateways.engine().dispose()
    return [shared], own


async def _verify(organization_ids: list[UUID]) -> bool:
    built = container(url(DATABASE))
    try:
        reports = [await built.use_cases.verify_audit_trail().verify(o) for o in organization_ids]
    finally:
        await built.gateways.engine().dispose()
    return all(r.intact for r in reports)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    start_postgres()
    shared, own = asyncio.run(_setup(args.writers))
    state = machine_state()
    one_org = run(shared, args.writers, args.processes, args.seconds)
    many_orgs = run(own, args.writers, args.processes, args.seconds)
    one_org_lists = run(shared, args.writers, args.processes, args.seconds, per_unit=10)
    many_orgs_lists = run(own, args.writers, args.processes, args.seconds, per_unit=10)
    intact = asyncio.run(_verify(shared + own))
    result = {
        "writers": args.writers,
        "processes": args.processes,
        "seconds": args.seconds,
        "events_per_second_one_organization": round(one_org),
        "events_per_second_one_organization_per_writer": round(many_orgs),
        "events_per_second_one_organization_10_per_unit": round(one_org_lists),
        "events_per_second_one_organization_per_writer_10_per_unit": round(many_orgs_lists),
        "chains_intact_after": intact,
        "machine": state,
    }
    write_result("append_throughput", result)
    print({k: v for k, v in result.items() if k != "machine"})


if __name__ == "__main__":
    main()
