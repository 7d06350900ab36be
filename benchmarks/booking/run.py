"""The whole booking benchmark in one command, ending with a summary table.

    benchmarks/booking/run.sh                  # seed if needed (300,000 appointments), then every phase
    benchmarks/booking/run.sh --small          # a quick check of the pipeline (3,000 appointments)
    benchmarks/booking/run.sh --duration 30    # shorter phases

Phases: the API (bookings at 32 connections, then at 1; availability searches at 1 and at
32), pgbench on the same SQL at 32 clients, availability in process. Each phase that writes
starts from a fresh copy of the seed. Raw results: benchmarks/results/booking/*.json; the
table: benchmarks/results/booking/summary.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

from benchmarks.booking import availability, run_api, run_pgbench
from benchmarks.booking.common import RESULTS, ROOT, load_seed, machine_state, write_result

API_P99_TARGET_MS = 50.0
RATIO_TARGET = 0.5
AVAILABILITY_P99_TARGET_MS = 20.0


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def summary(results: dict[str, Any], seed: dict[str, Any], started: dict[str, Any], ended: dict[str, Any]) -> str:
    booking = results["api_booking"]
    booking_c1 = results["api_booking_c1"]
    pgbench = results["pgbench_booking"]
    avail_c1 = results["api_availability_c1"]
    avail_cn = next(v for k, v in results.items() if k.startswith("api_availability_c") and k != "api_availability_c1")
    inproc = results["inprocess_availability"]
    ratio = booking["requests_per_s"] / pgbench["tps"] if pgbench["tps"] else 0.0
    statuses = booking["statuses"]
    other = booking["other_statuses"] + sum(booking["socket_errors"].values())
    params = seed["params"]
    cpu = booking["cpu"]["cpu_ms_per_request"]
    cpu_c1 = booking_c1["cpu"]["cpu_ms_per_request"]
    rows = [
        ("Measure", "Result", "Target", "Met"),
        (
            f"API booking, {booking['connections']} connections: throughput",
            f"{booking['requests_per_s']:.1f} req/s",
            "",
            "",
        ),
        (
            "API booking: latency p50 / p99",
            f"{booking['latency_ms']['p50']:.1f} / {booking['latency_ms']['p99']:.1f} ms",
            f"p99 <= {API_P99_TARGET_MS:.0f} ms",
            _yes(booking["latency_ms"]["p99"] <= API_P99_TARGET_MS),
        ),
        (
            "API booking: 201 / 409 / anything else",
            f"{statuses.get(201, 0)} / {statuses.get(409, 0)} / {other}",
            "anything else = 0",
            _yes(other == 0),
        ),
        (
            f"pgbench, same SQL, {pgbench['clients']} clients: throughput",
            f"{pgbench['tps']:.1f} tps ({pgbench['booked']} booked, {pgbench['conflicts']} conflicts)",
            "",
            "",
        ),
        (
            "pgbench: latency p50 / p99",
            f"{pgbench['latency_ms']['p50']:.1f} / {pgbench['latency_ms']['p99']:.1f} ms",
            "",
            "",
        ),
        ("Ratio API / pgbench", f"{100 * ratio:.1f} %", f">= {100 * RATIO_TARGET:.0f} %", _yes(ratio >= RATIO_TARGET)),
        (
            "API booking, 1 connection: throughput, p50 / p99",
            f"{booking_c1['requests_per_s']:.1f} req/s, "
            f"{booking_c1['latency_ms']['p50']:.1f} / {booking_c1['latency_ms']['p99']:.1f} ms",
            "",
            "",
        ),
        (
            "CPU per booking (32 conn.): medcore / PostgreSQL",
            f"{cpu['medcore']:.1f} / {cpu['postgres']:.1f} ms",
            "",
            "",
        ),
        (
            "CPU per booking (1 conn.): medcore / PostgreSQL",
            f"{cpu_c1['medcore']:.1f} / {cpu_c1['postgres']:.1f} ms",
            "",
            "",
        ),
        (
            "CPU per pgbench transaction: PostgreSQL / pgbench",
            f"{pgbench['cpu']['cpu_ms_per_request']['postgres']:.1f} / "
            f"{pgbench['cpu']['cpu_ms_per_request']['load generator']:.1f} ms",
            "",
            "",
        ),
        (
            "Availability (30 days, 20 min), HTTP, 1 connection: p50 / p99",
            f"{avail_c1['latency_ms']['p50']:.1f} / {avail_c1['latency_ms']['p99']:.1f} ms "
            f"({avail_c1['requests_per_s']:.1f} req/s)",
            f"p99 <= {AVAILABILITY_P99_TARGET_MS:.0f} ms",
            _yes(avail_c1["latency_ms"]["p99"] <= AVAILABILITY_P99_TARGET_MS),
        ),
        (
            f"Availability, HTTP, {avail_cn['connections']} connections: throughput, p50 / p99",
            f"{avail_cn['requests_per_s']:.1f} req/s, "
            f"{avail_cn['latency_ms']['p50']:.1f} / {avail_cn['latency_ms']['p99']:.1f} ms",
            "",
            "",
        ),
        (
            "Availability in process: use case p50 / p99",
            f"{inproc['use_case_ms']['p50']:.1f} / {inproc['use_case_ms']['p99']:.1f} ms",
            "",
            "",
        ),
        (
            "Availability in process: computation alone p50 / p99",
            f"{inproc['compute_ms']['p50']:.1f} / {inproc['compute_ms']['p99']:.1f} ms "
            f"(CPU p50 {inproc['compute_cpu_ms']['p50']:.1f} ms; {inproc['mean_slots']:.0f} slots, "
            f"{inproc['mean_appointments_in_window']:.0f} appointments)",
            "",
            "",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        f"Booking benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {params['appointments']:,} appointments, "
        f"{params['practitioners']} practitioners, {params['patients']:,} patients (seeded {seed['seeded_at'][:16]})",
        "",
    ]
    for index, row in enumerate(rows):
        lines.append("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |")
        if index == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    busy = [r["cpu"]["cores_used"] for r in (booking, pgbench, avail_c1)]
    lines += [
        "",
        f"Machine: {started['cpus']} CPUs; load average {' '.join(started['loadavg'])} at the start, "
        f"{' '.join(ended['loadavg'])} at the end.",
        "Cores used by processes outside the benchmark during the API booking, pgbench and availability "
        f"phases: {', '.join(str(b.get('other', 0.0)) for b in busy)} (of {started['cpus']}).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="seed 3,000 appointments (pipeline check)")
    parser.add_argument("--reseed", action="store_true", help="seed again even if a seed exists")
    parser.add_argument("--duration", type=int, default=60, help="seconds of each measured booking phase")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--samples", type=int, default=500, help="in-process availability searches")
    args = parser.parse_args()

    started_at = time.monotonic()
    started = machine_state()
    seed_command = [sys.executable, "-m", "benchmarks.booking.seed"]
    if args.small:
        seed_command.append("--small")
    if args.reseed:
        seed_command.append("--force")
    subprocess.run(seed_command, check=True, cwd=ROOT)
    seed = load_seed()

    results: dict[str, Any] = {}
    results.update(
        run_api.run(
            ["booking", "availability"],
            duration=args.duration,
            warmup=args.warmup,
            connections=args.connections,
            threads=1,
        )
    )
    results["pgbench_booking"] = run_pgbench.run(
        duration=args.duration, warmup=args.warmup, clients=args.connections, threads=2
    )
    results["inprocess_availability"] = availability.run(args.samples, max(10, args.samples // 10))
    ended = machine_state()
    table = summary(results, seed, started, ended)
    write_result("machine", {"start": started, "end": ended, "seconds": round(time.monotonic() - started_at)})
    (RESULTS / "summary.md").write_text(table + "\n")
    print()
    print(table)
    print(f"\nRaw results in {RESULTS.relative_to(ROOT)}/ ; took {time.monotonic() - started_at:.0f} s.")


if __name__ == "__main__":
    main()
