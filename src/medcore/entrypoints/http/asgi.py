"""The ASGI application as served by each server worker (``medcore serve``)."""

from __future__ import annotations

from litestar import Litestar

from medcore.container import build_container
from medcore.entrypoints.http.app import create_app
from medcore.entrypoints.logging import configure_logging
from medcore.settings import SettingsError, load_settings


def app_from_environment() -> Litestar:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    if not settings.database_url:
        raise SettingsError("MEDCORE_DATABASE_URL is required by server workers (medcore serve sets it).")
    return create_app(build_container(settings, database_url=settings.database_url))
