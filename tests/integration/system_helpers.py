"""Helpers for the whole-system tests: the ``medcore`` CLI in-process, an app on a database
with real commits behind a synchronous client, free ports."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import structlog
from click.testing import Result
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient
from typer.testing import CliRunner

from medcore.adapters.postgres.engine import create_engine
from medcore.container import Container, build_container
from medcore.entrypoints.cli.main import app as cli
from medcore.entrypoints.http import metrics
from medcore.entrypoints.http.app import create_app
from medcore.settings import load_settings

SECRET_KEY = "system-tests-secret-key-0123456789-abcdefgh"


def run_cli(args: Sequence[str], env: Mapping[str, str], input: str | None = None) -> Result:
    """``medcore ARGS`` through typer's runner. The CLI configures logging for its process
    (structlog and the root logger write to the stderr of the moment, here the runner's
    stream, closed afterwards): put the test process's configuration back."""
    saved_structlog = structlog.get_config()
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    # Only the given MEDCORE_* variables: none of the test process's own may leak in.
    environment: dict[str, str | None] = {name: None for name in os.environ if name.startswith("MEDCORE_")}
    environment.update(env)
    try:
        return CliRunner().invoke(cli, list(args), env=environment, input=input)
    finally:
        structlog.configure(**saved_structlog)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def flat(text: str) -> str:
    """Rich wraps long lines at the terminal width: compare text with single spaces."""
    return " ".join(text.split())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def system_container(database_url: str, data_dir: Path, **settings: str) -> Container:
    """A container on a database where commits are real, with one connection per unit of
    work (the synchronous test client and schemathesis run requests on loops of their own)."""
    environ = {
        "MEDCORE_DATA_DIR": str(data_dir),
        "MEDCORE_RATE_LIMITS_ENABLED": "false",
        "MEDCORE_APP_URL": "https://app.example.test",
        "MEDCORE_LOG_LEVEL": "WARNING",
        **settings,
    }
    container = build_container(load_settings(environ), database_url=database_url, secret_key=SECRET_KEY.encode())
    container.gateways.engine.override(providers.Singleton(lambda: create_engine(database_url, pooled=False)))
    return container


@contextmanager
def own_app(container: Container) -> Iterator[Litestar]:
    """An app of its own on ``container``. The Prometheus pool collector is process-wide and
    follows the newest app: point it back at the previous one afterwards."""
    previous = metrics._registered._pool_status if metrics._registered is not None else None
    try:
        yield create_app(container)
    finally:
        if previous is not None and metrics._registered is not None:
            metrics._registered._pool_status = previous


@contextmanager
def system_client(container: Container) -> Iterator[TestClient[Litestar]]:
    """A synchronous Litestar test client on an app of its own."""
    with own_app(container) as app, TestClient(app=app, base_url="http://medcore.test") as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
