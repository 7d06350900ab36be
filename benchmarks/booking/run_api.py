"""Drive the HTTP API with wrk: bookings (POST /api/v1/appointments) and availability
searches (GET /api/v1/practitioners/{id}/availability), against ``medcore serve`` (granian,
2 workers) on a fresh copy of the seeded database.

    python -m benchmarks.booking.run_api                       # booking, then availability
    python -m benchmarks.booking.run_api --duration 30 --scenario booking

The server runs with production settings (durable PostgreSQL, JSON access logs at INFO to a
file, real bearer-token authentication and audit), except rate limits set out of reach: one
client, one account and one organization sending hundreds of requests per second would
otherwise be answered 429.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from typing import Any

from benchmarks.booking.common import (
    BASE_URL,
    HERE,
    LUA_DATA,
    ORG_SLUG,
    PORT,
    RESULTS,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    VENV_BIN,
    WaitSampler,
    cpu_seconds,
    cpu_used,
    fresh_run_database,
    load_seed,
    machine_state,
    medcore_env,
    start_postgres,
    write_result,
)


@contextmanager
def medcore_server(workers: int = 2) -> Any:
    """``medcore serve`` on the run database, stopped (with its workers) on exit."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = (RESULTS / "server.log").open("ab")
    process = subprocess.Popen(
        [str(VENV_BIN / "medcore"), "serve", "--host", "127.0.0.1", "--port", str(PORT), "--workers", str(workers)],
        env=medcore_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped with its workers, and nothing else
    )
    try:
        _wait_ready(process)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _wait_ready(process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"medcore serve exited ({process.returncode}); see {RESULTS / 'server.log'}")
        try:
            with urllib.request.urlopen(f"{BASE_URL}/health/ready", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("medcore serve did not become ready")


def login() -> str:
    """A bearer token of the front-desk account, through the real login endpoint."""
    body = json.dumps({"organization": ORG_SLUG, "email": STAFF_EMAIL, "password": STAFF_PASSWORD}).encode()
    request = urllib.request.Request(
        f"{BASE_URL}/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        token: str = json.loads(answer.read())["access_token"]
    return token


def wrk(script: str, token: str, *, connections: int, duration: int, threads: int = 1) -> dict[str, Any]:
    """Run wrk with one of the Lua scripts; returns the script's BENCH_RESULT, in ms."""
    env = dict(os.environ, BENCH_TOKEN=token, BENCH_DATA=str(LUA_DATA), BENCH_COMMON=str(HERE / "wrk_common.lua"))
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(HERE / script),
        BASE_URL,
    ]
    cpu_before = cpu_seconds()
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    cpu_after = cpu_seconds()
    line = next(x for x in completed.stdout.splitlines() if x.startswith("BENCH_RESULT "))
    raw = json.loads(line.removeprefix("BENCH_RESULT "))
    seconds = raw["duration_us"] / 1e6
    statuses = {int(k): v for k, v in raw["statuses"].items()}
    return {
        "script": script,
        "connections": connections,
        "threads": threads,
        "duration_s": round(seconds, 2),
        "requests": raw["requests"],
        "requests_per_s": round(raw["requests"] / seconds, 1),
        "statuses": statuses,
        "other_statuses": sum(n for s, n in statuses.items() if s not in (200, 201, 409)),
        "socket_errors": raw["errors"],
        "latency_ms": {k: round(v / 1000, 2) for k, v in raw["latency_us"].items()},
        "unexpected_bodies": raw["unexpected_bodies"],
        "cpu": cpu_used(cpu_before, cpu_after, raw["requests"]),
        "wrk_output": completed.stdout,
    }


def run(scenarios: list[str], *, duration: int, warmup: int, connections: int, threads: int) -> dict[str, Any]:
    load_seed()
    start_postgres()
    fresh_run_database()
    results: dict[str, Any] = {}
    with medcore_server():
        token = login()
        if "booking" in scenarios:
            print(f"booking: warm-up {warmup} s, then {duration} s at {connections} connections", flush=True)
            wrk("booking.lua", token, connections=connections, duration=warmup, threads=threads)
            before = machine_state()
            with WaitSampler() as waits:
                measured = wrk("booking.lua", token, connections=connections, duration=duration, threads=threads)
            measured["machine_before"], measured["machine_after"] = before, machine_state()
            measured["database_sessions"] = waits.report()
            results["api_booking"] = measured
            write_result("api_booking", measured)
            _print("booking", measured)
            # One client: the time a booking takes without queueing, and its CPU cost.
            print(f"booking: {max(5, duration // 3)} s at 1 connection", flush=True)
            before = machine_state()
            measured = wrk("booking.lua", token, connections=1, duration=max(5, duration // 3), threads=1)
            measured["machine_before"], measured["machine_after"] = before, machine_state()
            results["api_booking_c1"] = measured
            write_result("api_booking_c1", measured)
            _print("booking c=1", measured)
        if "availability" in scenarios:
            wrk("availability.lua", token, connections=1, duration=max(3, warmup // 2), threads=1)
            for label, clients in (("1", 1), (str(connections), connections)):
                print(f"availability: {duration // 2} s at {clients} connection(s)", flush=True)
                before = machine_state()
                measured = wrk(
                    "availability.lua",
                    token,
                    connections=clients,
                    duration=max(5, duration // 2),
                    threads=min(threads, clients),
                )
                measured["machine_before"], measured["machine_after"] = before, machine_state()
                results[f"api_availability_c{label}"] = measured
                write_result(f"api_availability_c{label}", measured)
                _print(f"availability c={clients}", measured)
    return results


def _print(label: str, result: dict[str, Any]) -> None:
    latency = result["latency_ms"]
    print(
        f"  {label}: {result['requests_per_s']} req/s, p50 {latency['p50']} ms, p99 {latency['p99']} ms, "
        f"statuses {result['statuses']}, socket errors {result['socket_errors']}; "
        f"cores used {result['cpu']['cores_used']}, CPU ms/request {result['cpu']['cpu_ms_per_request']}",
        flush=True,
    )
    if "database_sessions" in result:
        print(f"    database sessions (average number): {result['database_sessions']}")
    for body in result["unexpected_bodies"]:
        print(f"    unexpected answer: {body}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", action="append", choices=["booking", "availability"])
    parser.add_argument("--duration", type=int, default=60, help="seconds measured (availability: half)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (2 cores: keep wrk small)")
    args = parser.parse_args()
    run(
        args.scenario or ["booking", "availability"],
        duration=args.duration,
        warmup=args.warmup,
        connections=args.connections,
        threads=args.threads,
    )


if __name__ == "__main__":
    main()
