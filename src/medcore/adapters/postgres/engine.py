"""Engines and URLs."""

from __future__ import annotations

from sqlalchemy import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool


def normalise_url(url: str) -> URL:
    """Accept ``postgresql://`` (and ``postgres://``) as well as ``postgresql+psycopg://``;
    medcore always talks to PostgreSQL through psycopg 3."""
    parsed = make_url(url)
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise ValueError("medcore needs a PostgreSQL URL (postgresql://...)")
    if parsed.drivername in (
        "postgresql",
        "postgres",
        "postgresql+psycopg2",
        "postgresql+asyncpg",
    ):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


# Sessions in UTC, whatever the server's TimeZone: instants then come back with Python's own
# ``timezone.utc`` (not a ``ZoneInfo``), the tzinfo the domain computes with, and comparing
# two datetimes of one tzinfo object skips two utcoffset() calls (availability search
# compares thousands of candidate starts with the appointments).
CONNECT_ARGS = {"application_name": "medcore", "options": "-c TimeZone=UTC"}


def create_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 10, pooled: bool = True, echo: bool = False
) -> AsyncEngine:
    """``pooled=False`` opens a connection per unit of work: for callers that run each
    request on a new event loop (pooled asyncio connections belong to one loop). Statement
    parameters never appear in errors or echoed SQL (``hide_parameters``): they are the
    values of records, health data among them."""
    if not pooled:
        return create_async_engine(
            normalise_url(url), poolclass=NullPool, echo=echo, connect_args=CONNECT_ARGS, hide_parameters=True
        )
    return create_async_engine(
        normalise_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        echo=echo,
        connect_args=CONNECT_ARGS,
        hide_parameters=True,
    )
