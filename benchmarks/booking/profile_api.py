"""Where the server's time goes under load: py-spy samples both workers of ``medcore serve``
while wrk drives one scenario, then the frames that hold the most samples are printed
(only samples holding the GIL, i.e. Python work; --idle-too for wall-clock).

    pip install --target /tmp/pyspy py-spy     # not a dependency of medcore
    python -m benchmarks.booking.profile_api booking --py-spy /tmp/pyspy/bin/py-spy [--seconds 20]

Writes the raw folded stacks to benchmarks/results/booking/pyspy_<scenario>_<pid>.txt
(flame graph tools read them).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from benchmarks.booking.common import RESULTS, fresh_run_database, load_seed, start_postgres
from benchmarks.booking.run_api import login, medcore_server, wrk

_DATABASE_FRAMES = (
    "Repository._execute",
    "AsyncConnection.execute",
    "SqlUnitOfWork",
    "PgAuditTrail",
    "greenlet_spawn",
    "psycopg",
)


def _category(stack: str) -> str:
    if "serve (medcore" not in stack:  # SQLAlchemy runs the driver in greenlets, with stacks of their own
        return "database access: SQLAlchemy and psycopg (in greenlets)"
    if any(frame in stack for frame in _DATABASE_FRAMES):
        return "database access: SQLAlchemy and psycopg (awaiting side)"
    if "Authenticate.bearer" in stack:
        return "authentication, besides its queries"
    if "BookAppointment" in stack or "SearchAvailability" in stack:
        return "use case and domain rules"
    if "limits/" in stack:
        return "rate limiting"
    return "HTTP: granian, Litestar, middleware, JSON, event loop"


def categories(files: list[Path]) -> str:
    counts: Counter[str] = Counter()
    for path in files:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if stack and count.isdigit():
                counts[_category(stack)] += int(count)
    total = sum(counts.values()) or 1
    return "\n".join(f"  {100 * n / total:5.1f} %  {name}" for name, n in counts.most_common())


def top_frames(files: list[Path], limit: int = 40) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for path in files:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            samples = int(count)
            total += samples
            frames = [re.sub(r":\d+\)", ")", frame) for frame in stack.split(";")]
            own[frames[-1]] += samples
            for frame in set(frames):
                inclusive[frame] += samples
    lines = [f"{total} samples", "", "own time:"]
    lines += [f"  {100 * n / total:5.1f} %  {frame[:150]}" for frame, n in own.most_common(limit // 2)]
    lines += ["", "inclusive (frames under the request handlers):"]
    shown = [(f, n) for f, n in inclusive.most_common(4 * limit) if "medcore/" in f or "sqlalchemy/" in f]
    lines += [f"  {100 * n / total:5.1f} %  {frame[:150]}" for frame, n in shown[:limit]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["booking", "availability"])
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or "py-spy")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--idle-too", action="store_true", help="sample wall-clock, not only GIL-holding time")
    args = parser.parse_args()

    load_seed()
    start_postgres()
    fresh_run_database()
    RESULTS.mkdir(parents=True, exist_ok=True)
    with medcore_server() as server:
        token = login()
        wrk(f"{args.scenario}.lua", token, connections=args.connections, duration=5)  # warm-up
        workers = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=True
        ).stdout.split()
        outputs = [RESULTS / f"pyspy_{args.scenario}_{pid}.txt" for pid in workers]
        spies = [
            subprocess.Popen(
                [args.py_spy, "record", "-p", pid, "-d", str(args.seconds), "-r", "200", "-f", "raw", "-o", str(out)]
                + ([] if args.idle_too else ["--gil"])
                + ["--nonblocking"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for pid, out in zip(workers, outputs, strict=True)
        ]
        measured = wrk(f"{args.scenario}.lua", token, connections=args.connections, duration=args.seconds)
        for spy in spies:
            spy.wait()
    print(
        f"{args.scenario}: {measured['requests_per_s']} req/s, p50 {measured['latency_ms']['p50']} ms, "
        f"p99 {measured['latency_ms']['p99']} ms while profiling\n"
    )
    found = [o for o in outputs if o.exists()]
    print("where the workers' Python time goes:")
    print(categories(found))
    print()
    print(top_frames(found))


if __name__ == "__main__":
    main()
