"""Engines and URLs."""

from __future__ import annotations

from sqlalchemy import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


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


def create_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10, echo: bool = False) -> AsyncEngine:
    return create_async_engine(
        normalise_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        echo=echo,
        connect_args={"application_name": "medcore"},
    )
