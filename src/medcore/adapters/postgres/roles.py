"""The application's database role: everything the API needs, and nothing that could
change history.

The server connects with this role; migrations, disposal of old audit events by the
retention job and erasure of raw IPs run as the owner of the tables (the role that runs
``medcore db upgrade``). The role may read and append to the audit trail and move its head
forward; it holds no UPDATE, DELETE or TRUNCATE on ``audit_events`` or
``audit_checkpoints``, and does not own any table (only an owner or a superuser can
disable the append-only triggers). Run it again after every upgrade: new tables need
their grants.
"""

from __future__ import annotations

import re

import psycopg

from medcore.adapters.postgres.engine import normalise_url

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
APPEND_ONLY_TABLES = ("audit_events", "audit_checkpoints")


class RoleNameError(ValueError):
    pass


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def app_role_sql(role: str, password: str | None = None) -> list[str]:
    """The statements, in order (idempotent: creates the role or updates it)."""
    if not _ROLE.match(role):
        raise RoleNameError("use lowercase letters, digits and underscores (at most 63), not starting with a digit")
    name = f'"{role}"'
    login = f"LOGIN PASSWORD {_literal(password)}" if password else "LOGIN"
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(role)}) "
        f"THEN CREATE ROLE {name}; END IF; END $$",
        f"ALTER ROLE {name} {login} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
        f"DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), "
        f"{_literal(role)}); END $$",
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(APPEND_ONLY_TABLES)} FROM {name}",
        f"REVOKE DELETE, TRUNCATE ON audit_heads FROM {name}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {name}",
    ]


def apply_app_role(url: str, role: str, password: str | None = None) -> None:
    statements = app_role_sql(role, password)
    conninfo = normalise_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    # psycopg directly: the statements are sent as written (no parameter markers to expand).
    with psycopg.connect(conninfo) as connection, connection.transaction():
        for statement in statements:
            connection.execute(statement.encode())
