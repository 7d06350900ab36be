"""The SQL one booking request sends, as PostgreSQL logs it (log_statement=all on the run
database for the time of one request): what booking.pgbench.sql must reproduce. Run it
after changing the booking path, and bring the pgbench script up to date.

    python -m benchmarks.booking.capture_statements     # prints, and writes results/booking/statements.log
"""

from __future__ import annotations

import json
import re
import time
import urllib.request

from benchmarks.booking.common import (
    BASE_URL,
    PG_DIR,
    RESULTS,
    RUN_DB,
    admin_execute,
    fresh_run_database,
    load_seed,
    start_postgres,
)
from benchmarks.booking.run_api import login, medcore_server

_ENTRY = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] (LOG|DETAIL):\s+(.*)$")


def capture() -> list[str]:
    seed = load_seed()
    start_postgres()
    fresh_run_database()
    admin_execute(f"ALTER DATABASE {RUN_DB} SET log_statement = 'all'")
    practitioner = seed["practitioners"][0]
    try:
        with medcore_server(workers=1):
            token = login()
            log = PG_DIR / "server.log"
            offset = log.stat().st_size
            body = json.dumps(
                {
                    "practitioner_id": practitioner["id"],
                    "patient_id": seed["patients"][0],
                    "room_id": practitioner["room_id"],
                    "starts_at": seed["booking_days"][3],
                    "duration_minutes": 20,
                    "reason": "Consultation",
                }
            ).encode()
            request = urllib.request.Request(
                f"{BASE_URL}/api/v1/appointments",
                data=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10) as answer:
                status = answer.status
            time.sleep(0.5)  # the server log is written asynchronously
            with log.open("rb") as handle:
                handle.seek(offset)
                text = handle.read().decode(errors="replace")
    finally:
        admin_execute(f"ALTER DATABASE {RUN_DB} RESET log_statement")
    statements: list[str] = [f"-- POST /api/v1/appointments answered {status}"]
    current: list[str] = []
    for line in text.splitlines():
        entry = _ENTRY.match(line)
        if entry is not None:
            if current:
                statements.append(" ".join(current))
            current = []
            _pid, kind, message = entry.groups()
            if kind == "LOG" and message.startswith(("statement: ", "execute ")):
                current = [message.split(": ", 1)[1]]
        elif current and line.startswith("\t"):
            current.append(line.strip())
    if current:
        statements.append(" ".join(current))
    return statements


def main() -> None:
    statements = capture()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "statements.log").write_text("\n".join(statements) + "\n")
    for statement in statements:
        print(statement if len(statement) <= 240 else statement[:237] + "...")
    print(f"{len(statements) - 1} statements (including BEGIN/COMMIT and pool pings)")


if __name__ == "__main__":
    main()
