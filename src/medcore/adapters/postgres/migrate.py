"""Schema migrations (Alembic), driven from code: ``medcore db upgrade|downgrade|current``."""

from __future__ import annotations

from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

from medcore.adapters.postgres.engine import normalise_url


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "medcore.adapters.postgres:migrations")
    config.set_main_option(
        "sqlalchemy.url",
        normalise_url(url).render_as_string(hide_password=False).replace("%", "%%"),
    )
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "-1") -> None:
    command.downgrade(alembic_config(url), revision)


@dataclass(frozen=True, slots=True)
class SchemaState:
    current: tuple[str, ...]
    head: str | None

    @property
    def up_to_date(self) -> bool:
        return self.head is not None and self.current == (self.head,)

    @property
    def pending(self) -> bool:
        return not self.up_to_date


def state(url: str) -> SchemaState:
    config = alembic_config(url)
    script = ScriptDirectory.from_config(config)
    engine = create_engine(normalise_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    finally:
        engine.dispose()
    return SchemaState(current=tuple(current), head=script.get_current_head())


def revisions(url: str) -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(url))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", "medcore.adapters.postgres:migrations")
    return ScriptDirectory.from_config(config).get_current_head()
