"""``medcore serve``: a real server process with its own embedded PostgreSQL, as a newcomer
starts it, reached over real HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from medcore.adapters.postgres.embedded import EmbeddedPostgres
from medcore.application.demo.seed_demo import DEMO_LOGINS
from tests.integration.system_helpers import flat, free_port, run_cli

pytestmark = pytest.mark.slow

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    stdout: Path
    stderr: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.stdout.read_text(errors="replace")

    def errors(self) -> str:
        return self.stderr.read_text(errors="replace")[-4000:]


def environment(data_dir: Path) -> dict[str, str]:
    """This process's environment without any MEDCORE_* setting (no database URL: the
    server starts its own PostgreSQL), plus a data directory."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("MEDCORE_")}
    env.update(
        {
            "MEDCORE_DATA_DIR": str(data_dir),
            "PYTHONUNBUFFERED": "1",
            "COLUMNS": "200",  # rich wraps the banner at the terminal width
        }
    )
    return env


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "medcore-data"
    yield directory
    # Should a test fail half-way, do not leave its embedded server running.
    EmbeddedPostgres(directory / "postgres").stop()


def start(data_dir: Path, logs: Path, *args: str) -> Served:
    port = free_port()
    logs.mkdir(parents=True, exist_ok=True)
    stdout, stderr = logs / f"serve-{port}.out", logs / f"serve-{port}.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "medcore.entrypoints.cli.main", "serve", "--port", str(port), *args],
            env=environment(data_dir),
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own process group: the server and its workers
        )
    return Served(process, port, stdout, stderr)


def wait_until_ready(served: Served) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            pytest.fail(f"serve exited with {served.process.returncode}:\n{served.output()}\n{served.errors()}")
        try:
            if httpx.get(f"{served.base}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"not ready after {READY_TIMEOUT} s:\n{served.output()}\n{served.errors()}")


def stop(served: Served) -> int:
    served.process.send_signal(signal.SIGTERM)
    try:
        return served.process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(served.process.pid, signal.SIGKILL)
        served.process.wait()
        pytest.fail(f"serve did not stop within {STOP_TIMEOUT} s of SIGTERM:\n{served.errors()}")


@pytest.fixture
def serving(data_dir: Path) -> Iterator[list[Served]]:
    """Servers started by the test; any still running at the end are killed (before the
    ``data_dir`` fixture stops their embedded PostgreSQL)."""
    started: list[Served] = []
    yield started
    for served in started:
        if served.process.poll() is None:
            os.killpg(served.process.pid, signal.SIGKILL)
            served.process.wait()


def printed_login(banner: str) -> tuple[str, str]:
    """The credentials of the sign-in example the banner prints."""
    match = re.search(r'"organization":"demo","email":"([^"]+)","password":"([^"]+)"', banner)
    assert match, f"no sign-in example in the banner:\n{banner}"
    return match.group(1), match.group(2)


def test_serve_demo_starts_an_embedded_database_serves_http_and_stops_cleanly(
    data_dir: Path, tmp_path: Path, serving: list[Served]
) -> None:
    served = start(data_dir, tmp_path / "logs", "--demo")
    serving.append(served)
    wait_until_ready(served)

    banner = flat(served.output())
    assert f"http://localhost:{served.port}/schema" in banner
    assert f"http://localhost:{served.port}/schema/openapi.json" in banner
    for login in DEMO_LOGINS:
        assert login.email in banner
        assert login.password in banner
    assert "already present" not in banner

    email, password = printed_login(banner)
    tokens = httpx.post(
        f"{served.base}/api/v1/auth/login",
        json={"organization": "demo", "email": email, "password": password},
        timeout=10,
    )
    assert tokens.status_code == 200, tokens.text
    me = httpx.get(
        f"{served.base}/api/v1/auth/me",
        headers={"Authorization": f"Bearer {tokens.json()['access_token']}"},
        timeout=10,
    )
    assert me.status_code == 200
    assert me.json()["user"]["email"] == email
    assert me.json()["role"] == "owner"

    document = httpx.get(f"{served.base}/schema/openapi.json", timeout=10)
    assert document.status_code == 200
    assert document.json()["openapi"].startswith("3.1")
    assert "/api/v1/auth/login" in document.json()["paths"]

    embedded = EmbeddedPostgres(data_dir / "postgres")
    assert embedded.is_running()
    assert stop(served) == 0, served.errors()
    assert not embedded.is_running(), "the embedded PostgreSQL outlived the server"
    assert not (data_dir / "postgres" / "postmaster.pid").exists()

    # A second start on the same data directory finds the database and the demo data.
    again = start(data_dir, tmp_path / "logs", "--demo")
    serving.append(again)
    wait_until_ready(again)
    assert "(demo data already present)" in flat(again.output())
    relogin = httpx.post(
        f"{again.base}/api/v1/auth/login",
        json={"organization": "demo", "email": email, "password": password},
        timeout=10,
    )
    assert relogin.status_code == 200, relogin.text
    assert stop(again) == 0, again.errors()
    assert not embedded.is_running()


def test_serve_without_demo_needs_a_secret_key(fresh_database_url: str, tmp_path: Path) -> None:
    result = run_cli(
        ["serve", "--port", str(free_port())],
        {"MEDCORE_DATABASE_URL": fresh_database_url, "MEDCORE_DATA_DIR": str(tmp_path)},
    )

    assert result.exit_code == 2
    assert "MEDCORE_SECRET_KEY" in flat(result.output)
    assert not (tmp_path / "secret_key").exists(), "only --demo may generate a key"
