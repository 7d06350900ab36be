"""The ``medcore`` command line, run in-process against a database of its own (real commits)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure, Result, Success
from sqlalchemy import Engine, create_engine, pool, select

from medcore.adapters.postgres import migrate
from medcore.adapters.postgres.engine import normalise_url
from medcore.adapters.postgres.tables import organizations, users
from medcore.application.demo.seed_demo import DEMO_LOGINS
from medcore.application.identity.login import LoginCommand
from medcore.application.identity.tokens import TokenPair
from medcore.application.shared.actor import SYSTEM_META
from medcore.domain.shared.errors import DomainError
from tests.integration.system_helpers import flat, run_cli, system_container

PASSWORD = "violet-tundra-canoe-4821"


@pytest.fixture
def env(fresh_database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "MEDCORE_DATABASE_URL": fresh_database_url,
        "MEDCORE_DATA_DIR": str(tmp_path),
        "MEDCORE_LOG_FORMAT": "json",
        "MEDCORE_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def sync_engine(fresh_database_url: str) -> Iterator[Engine]:
    engine = create_engine(normalise_url(fresh_database_url), poolclass=pool.NullPool)
    yield engine
    engine.dispose()


def sign_in(url: str, data_dir: Path, slug: str, email: str, password: str) -> Result[Any, DomainError]:
    """Sign in through the Login use case, as the HTTP API would."""

    async def attempt() -> Result[Any, DomainError]:
        container = system_container(url, data_dir)
        try:
            return await container.use_cases.login().execute(
                LoginCommand(organization=slug, email=email, password=password, meta=SYSTEM_META)
            )
        finally:
            await container.gateways.engine().dispose()

    return asyncio.run(attempt())


def create_org(env: dict[str, str], slug: str, email: str, *extra: str) -> Any:
    return run_cli(
        ["orgs", "create", "--slug", slug, "--name", f"Clinic {slug}", "--owner-email", email, *extra],
        env,
    )


def outbox_messages(data_dir: Path, to: str) -> list[Any]:
    found = [message_from_bytes(p.read_bytes()) for p in sorted((data_dir / "outbox").glob("*.eml"))]
    return [m for m in found if m["To"] == to]


def test_orgs_create_prints_the_ids_and_the_owner_can_sign_in(
    env: dict[str, str], fresh_database_url: str, tmp_path: Path, sync_engine: Engine
) -> None:
    result = create_org(env, "riverside", "boss@riverside.test", "--owner-password", PASSWORD)

    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["organization"]["slug"] == "riverside"
    assert printed["organization"]["name"] == "Clinic riverside"
    assert printed["owner"]["email"] == "boss@riverside.test"
    with sync_engine.connect() as connection:
        org_id = connection.execute(select(organizations.c.id).where(organizations.c.slug == "riverside")).scalar_one()
        owner = connection.execute(select(users).where(users.c.organization_id == org_id)).mappings().one()
    assert printed["organization"]["id"] == str(org_id)
    assert printed["owner"]["id"] == str(owner["id"])
    assert owner["role"] == "owner"

    signed_in = sign_in(fresh_database_url, tmp_path, "riverside", "boss@riverside.test", PASSWORD)
    assert isinstance(signed_in, Success), signed_in
    assert isinstance(signed_in.unwrap(), TokenPair)
    wrong = sign_in(fresh_database_url, tmp_path, "riverside", "boss@riverside.test", PASSWORD + "x")
    assert isinstance(wrong, Failure)


def test_orgs_create_takes_the_owner_password_from_the_environment(
    env: dict[str, str], fresh_database_url: str, tmp_path: Path
) -> None:
    result = create_org({**env, "MEDCORE_OWNER_PASSWORD": PASSWORD}, "lakeside", "boss@lakeside.test")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["organization"]["slug"] == "lakeside"
    assert isinstance(sign_in(fresh_database_url, tmp_path, "lakeside", "boss@lakeside.test", PASSWORD), Success)


def test_orgs_create_refuses_a_taken_slug_and_leaves_the_first_organization_alone(
    env: dict[str, str], sync_engine: Engine
) -> None:
    assert create_org(env, "hilltop", "first@hilltop.test", "--owner-password", PASSWORD).exit_code == 0

    again = create_org(env, "hilltop", "second@hilltop.test", "--owner-password", PASSWORD)

    assert again.exit_code != 0
    assert "slug is taken" in flat(again.output)
    assert "organization.slug_taken" in again.output
    with sync_engine.connect() as connection:
        owners = connection.execute(
            select(users.c.email).join(organizations).where(organizations.c.slug == "hilltop")
        ).scalars()
        assert list(owners) == ["first@hilltop.test"]


def test_orgs_create_refuses_a_weak_password_and_says_why(env: dict[str, str], sync_engine: Engine) -> None:
    result = create_org(env, "weakling", "boss@weakling.test", "--owner-password", "short")

    assert result.exit_code != 0
    output = flat(result.output)
    assert "password.too_weak" in output
    assert "owner_password: Use at least 12 characters." in output
    with sync_engine.connect() as connection:
        assert connection.execute(select(organizations.c.id).where(organizations.c.slug == "weakling")).first() is None


def test_users_create_with_a_password_makes_an_account_that_signs_in(
    env: dict[str, str], fresh_database_url: str, tmp_path: Path
) -> None:
    assert create_org(env, "northside", "boss@northside.test", "--owner-password", PASSWORD).exit_code == 0

    result = run_cli(
        [
            "users",
            "create",
            "--org",
            "northside",
            "--email",
            "nurse@northside.test",
            "--role",
            "nurse",
            "--password",
            PASSWORD,
        ],
        env,
    )

    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["email"] == "nurse@northside.test"
    assert printed["role"] == "nurse"
    assert printed["status"] == "active"
    assert outbox_messages(tmp_path, "nurse@northside.test") == []
    assert isinstance(sign_in(fresh_database_url, tmp_path, "northside", "nurse@northside.test", PASSWORD), Success)


def test_users_create_without_a_password_invites_by_email(
    env: dict[str, str], fresh_database_url: str, tmp_path: Path
) -> None:
    assert create_org(env, "southside", "boss@southside.test", "--owner-password", PASSWORD).exit_code == 0

    result = run_cli(
        ["users", "create", "--org", "southside", "--email", "dr.who@southside.test", "--role", "practitioner"],
        env,
    )

    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["role"] == "practitioner"
    assert printed["status"] == "invited"
    invitations = outbox_messages(tmp_path, "dr.who@southside.test")
    assert len(invitations) == 1
    body = invitations[0].get_payload(decode=True).decode()
    assert "token=" in body
    assert isinstance(sign_in(fresh_database_url, tmp_path, "southside", "dr.who@southside.test", PASSWORD), Failure)


def test_users_create_in_an_unknown_organization_fails(env: dict[str, str]) -> None:
    result = run_cli(["users", "create", "--org", "nowhere", "--email", "x@nowhere.test", "--role", "nurse"], env)

    assert result.exit_code == 1
    assert "No organization 'nowhere'" in flat(result.output)


def test_db_current_downgrade_and_upgrade(env: dict[str, str], fresh_database_url: str) -> None:
    current = run_cli(["db", "current"], env)
    assert current.exit_code == 0, current.output
    assert "up to date" in current.output
    assert str(migrate.head_revision()) in current.output

    downgraded = run_cli(["db", "downgrade"], env)
    assert downgraded.exit_code == 0, downgraded.output
    assert migrate.state(fresh_database_url).pending

    pending = run_cli(["db", "current"], env)
    assert pending.exit_code == 1
    assert "migrations pending" in pending.output

    refused = create_org(env, "toosoon", "boss@toosoon.test", "--owner-password", PASSWORD)
    assert refused.exit_code == 2
    assert "medcore db upgrade" in flat(refused.output)

    upgraded = run_cli(["db", "upgrade"], env)
    assert upgraded.exit_code == 0, upgraded.output
    assert migrate.state(fresh_database_url).up_to_date
    again = run_cli(["db", "current"], env)
    assert again.exit_code == 0
    assert "up to date" in again.output


def test_demo_seed_prints_the_logins_and_running_it_twice_changes_nothing(
    env: dict[str, str], fresh_database_url: str, tmp_path: Path, sync_engine: Engine
) -> None:
    first = run_cli(["demo", "seed"], env)

    assert first.exit_code == 0, first.output
    for login in DEMO_LOGINS:
        assert login.email in first.output
        assert login.password in first.output
    assert "already existed" not in first.output

    def demo_users() -> list[tuple[str, str]]:
        with sync_engine.connect() as connection:
            rows = connection.execute(
                select(users.c.email, users.c.role)
                .join(organizations)
                .where(organizations.c.slug == "demo")
                .order_by(users.c.email)
            )
            return [(row.email, row.role) for row in rows]

    seeded = demo_users()
    assert sorted((login.email, login.role.value) for login in DEMO_LOGINS) == seeded

    second = run_cli(["demo", "seed"], env)

    assert second.exit_code == 0, second.output
    assert "already existed" in flat(second.output)
    for login in DEMO_LOGINS:
        assert login.email in second.output
    assert demo_users() == seeded
    owner = DEMO_LOGINS[0]
    assert isinstance(sign_in(fresh_database_url, tmp_path, "demo", owner.email, owner.password), Success)


@pytest.mark.parametrize("command", [["db", "current"], ["demo", "seed"]])
def test_an_invalid_setting_stops_the_command_naming_the_variable(env: dict[str, str], command: list[str]) -> None:
    result = run_cli(command, {**env, "MEDCORE_ACCESS_TOKEN_MINUTES": "abc"})

    assert result.exit_code == 2
    assert "MEDCORE_ACCESS_TOKEN_MINUTES" in flat(result.output)


def test_a_database_url_that_is_not_postgresql_is_refused_by_name(env: dict[str, str]) -> None:
    result = run_cli(["db", "current"], {**env, "MEDCORE_DATABASE_URL": "mysql://somewhere/db"})

    assert result.exit_code == 2
    assert "MEDCORE_DATABASE_URL" in flat(result.output)
