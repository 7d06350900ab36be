"""Tenant isolation as a state machine: two organizations, A and B, grow users, API keys and
sessions; every identity of one tries every identity endpoint with the other's ids.

The invariant (domain-rules.md, section 1): no request authenticated in one organization
can read, list, change or learn the existence of anything in the other. A foreign id gets
exactly the answer a random id gets (404 when the caller may use the endpoint at all), a
list never shows the other's rows, and nothing of the other organization changes: not a
row, not an audit event.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, Table, create_engine, pool, select

from medcore.adapters.postgres.engine import normalise_url
from medcore.adapters.postgres.schema import metadata
from medcore.adapters.postgres.tables import api_keys, organizations, sessions, users
from medcore.application.identity.create_organization import CreateOrganizationCommand
from medcore.container import Container
from medcore.domain.identity.organization import OrganizationSettings
from medcore.domain.identity.permissions import Permission, Role, permissions_of
from tests.integration.system_helpers import bearer, system_client, system_container

PASSWORD = "correct horse battery staple"
NO_MFA = OrganizationSettings(mfa_required_roles=frozenset())
ALL_PERMISSIONS = sorted(p.value for p in Permission)

_numbers = itertools.count(1)

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10).map(str.title)


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    table: Table
    permission: str | None  # None: the caller's own sessions


# Every identity endpoint that takes an id.
PROBES = [
    Probe("GET", "/api/v1/users/{}", users, "users:read"),
    Probe("PATCH", "/api/v1/users/{}", users, "users:write"),
    Probe("POST", "/api/v1/users/{}/deactivate", users, "users:write"),
    Probe("POST", "/api/v1/api-keys/{}/rotate", api_keys, "api_keys:write"),
    Probe("DELETE", "/api/v1/api-keys/{}", api_keys, "api_keys:write"),
    Probe("DELETE", "/api/v1/auth/sessions/{}", sessions, None),
]


@dataclass
class World:
    client: TestClient[Litestar]
    container: Container
    engine: Engine


@dataclass(frozen=True)
class Identity:
    label: str
    headers: dict[str, str]
    permissions: frozenset[str]
    user_id: UUID | None  # None for an API key


@dataclass
class Org:
    label: str
    id: UUID
    slug: str
    owner: Identity
    identities: list[Identity] = field(default_factory=list)
    emails: set[str] = field(default_factory=set)
    can_sign_in: list[str] = field(default_factory=list)  # emails with a password, not signed in yet


def signature(response: Any) -> tuple[Any, ...]:
    """What a caller can observe of an answer, less what is unique to each request."""
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in ("instance", "request_id")}
    return response.status_code, response.headers.get("content-type"), repr(body)


class TenancyMachine(RuleBasedStateMachine):
    world: World  # set by the test before running

    def __init__(self) -> None:
        super().__init__()
        self.a = self._new_org("A")
        self.b = self._new_org("B")

    # --- plumbing -----------------------------------------------------------------------

    @property
    def client(self) -> TestClient[Litestar]:
        return self.world.client

    def _new_org(self, label: str) -> Org:
        number = next(_numbers)
        slug = f"tenant-{label.lower()}-{number}"
        email = f"owner@{slug}.test"
        created = self.client.blocking_portal.call(
            self.world.container.use_cases.create_organization().execute,
            CreateOrganizationCommand(
                slug=slug,
                name=f"Tenant {label} {number}",
                owner_email=email,
                owner_password=PASSWORD,
                settings=NO_MFA,
            ),
        ).unwrap()
        token = self._sign_in(slug, email)
        owner = Identity(
            f"{label}:owner", bearer(token), frozenset(p.value for p in permissions_of(Role.OWNER)), created.owner.id
        )
        org = Org(label, created.organization.id, slug, owner, [owner], {email})
        # Something of every kind from the start: an invited user (no password to hash)
        # and an API key with every permission.
        self._create_user(org, f"user{next(_numbers)}@{slug}.test", Role.NURSE, False, "Ivy", "Invited")
        self._create_api_key(org, set(ALL_PERMISSIONS))
        return org

    def _create_user(
        self, org: Org, email: str, role: Role, with_password: bool, given_name: str, family_name: str
    ) -> None:
        payload: dict[str, Any] = {
            "email": email,
            "role": role.value,
            "given_name": given_name,
            "family_name": family_name,
        }
        if with_password:
            payload["password"] = PASSWORD
        response = self.client.post("/api/v1/users", json=payload, headers=org.owner.headers)
        assert response.status_code == 201, response.text
        org.emails.add(email)
        if with_password:
            org.can_sign_in.append(email)

    def _create_api_key(self, org: Org, scopes: set[str]) -> None:
        response = self.client.post(
            "/api/v1/api-keys",
            json={"name": f"integration {next(_numbers)}", "scopes": sorted(scopes)},
            headers=org.owner.headers,
        )
        assert response.status_code == 201, response.text
        key = response.json()["key"]
        org.identities.append(Identity(f"{org.label}:key", {"X-API-Key": key}, frozenset(scopes), None))

    def _sign_in(self, slug: str, email: str) -> str:
        response = self.client.post(
            "/api/v1/auth/login", json={"organization": slug, "email": email, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def _pair(self, attacker_is_a: bool) -> tuple[Org, Org]:
        return (self.a, self.b) if attacker_is_a else (self.b, self.a)

    def _ids(self, table: Table, org: Org) -> list[UUID]:
        with self.world.engine.connect() as connection:
            rows = connection.execute(
                select(table.c.id).where(table.c.organization_id == org.id).order_by(table.c.id)
            ).scalars()
            return list(rows)

    def _user_emails(self, org: Org) -> list[str]:
        with self.world.engine.connect() as connection:
            rows = connection.execute(
                select(users.c.email).where(users.c.organization_id == org.id).order_by(users.c.email)
            ).scalars()
            return list(rows)

    def _snapshot(self, org: Org) -> dict[str, list[str]]:
        """Every row that belongs to ``org``, in every table."""
        found: dict[str, list[str]] = {}
        with self.world.engine.connect() as connection:
            for table in metadata.sorted_tables:
                column = table.c.id if table is organizations else table.c.get("organization_id")
                if column is None:
                    continue
                rows = connection.execute(select(table).where(column == org.id)).mappings()
                found[table.name] = sorted(repr(dict(row)) for row in rows)
        return found

    # --- growing both organizations -----------------------------------------------------

    @rule(
        in_a=st.booleans(),
        role=st.sampled_from([r for r in Role if r is not Role.OWNER]),
        with_password=st.booleans(),
        reuse_foreign_email=st.booleans(),
        given_name=names,
        family_name=names,
    )
    def add_user(
        self,
        in_a: bool,
        role: Role,
        with_password: bool,
        reuse_foreign_email: bool,
        given_name: str,
        family_name: str,
    ) -> None:
        org, other = self._pair(in_a)
        candidates = sorted(set(self._user_emails(other)) - org.emails)
        if reuse_foreign_email and candidates:
            # Emails are unique per organization only: a 409 here would reveal that the
            # address has an account in the other organization.
            email = candidates[next(_numbers) % len(candidates)]
        else:
            email = f"user{next(_numbers)}@{org.slug}.test"
        self._create_user(org, email, role, with_password, given_name, family_name)

    @rule(in_a=st.booleans(), scopes=st.sets(st.sampled_from(ALL_PERMISSIONS), min_size=1))
    def add_api_key(self, in_a: bool, scopes: set[str]) -> None:
        self._create_api_key(self._pair(in_a)[0], scopes)

    @precondition(lambda self: bool(self.a.can_sign_in or self.b.can_sign_in))
    @rule(in_a=st.booleans())
    def sign_in_a_user(self, in_a: bool) -> None:
        org, _ = self._pair(in_a)
        if not org.can_sign_in:
            org, _ = self._pair(not in_a)
        email = org.can_sign_in.pop(0)
        token = self._sign_in(org.slug, email)
        me = self.client.get("/api/v1/auth/me", headers=bearer(token)).json()
        org.identities.append(
            Identity(f"{org.label}:{me['role']}", bearer(token), frozenset(me["permissions"]), UUID(me["user"]["id"]))
        )

    # --- trying the other organization's ids ----------------------------------------------

    @rule(
        data=st.data(),
        attacker_is_a=st.booleans(),
        if_match=st.sampled_from([None, '"1"', '"2"', "*"]),
        random_id=st.uuids(),
    )
    def foreign_ids_answer_like_random_ids_and_change_nothing(
        self,
        data: st.DataObject,
        attacker_is_a: bool,
        if_match: str | None,
        random_id: UUID,
    ) -> None:
        """One identity of one organization tries every endpoint that takes an id with ids
        of the other organization."""
        attacker, victim = self._pair(attacker_is_a)
        identity = data.draw(st.sampled_from(attacker.identities), label="identity")
        targets = {
            table.name: data.draw(st.sampled_from(self._ids(table, victim)), label=f"foreign {table.name} id")
            for table in (users, api_keys, sessions)
        }
        headers = dict(identity.headers)
        if if_match is not None:
            headers["If-Match"] = if_match

        before = self._snapshot(victim)
        for probe in PROBES:
            body: dict[str, Any] | None = None
            if probe.method == "PATCH":
                body = {"given_name": "Mallory"}
            elif probe.path.endswith("/rotate"):
                body = {"overlap_minutes": 0}
            foreign = self.client.request(
                probe.method, probe.path.format(targets[probe.table.name]), json=body, headers=headers
            )
            unknown = self.client.request(probe.method, probe.path.format(random_id), json=body, headers=headers)

            where = f"{identity.label}: {probe.method} {probe.path}"
            assert signature(foreign) == signature(unknown), (
                f"{where} tells a foreign id from a random one: "
                f"{foreign.status_code} {foreign.text} vs {unknown.status_code} {unknown.text}"
            )
            assert foreign.headers["content-type"] == "application/problem+json", where
            if probe.permission is None:  # one's own sessions: only a signed-in user has any
                expected = 404 if identity.user_id is not None else 422
            else:
                expected = 404 if probe.permission in identity.permissions else 403
            assert foreign.status_code == expected, f"{where}: {foreign.text}"
        assert self._snapshot(victim) == before, f"{identity.label} changed organization {victim.label}"

    # --- lists and the caller's own organization ----------------------------------------

    @rule(
        data=st.data(),
        attacker_is_a=st.booleans(),
        listing=st.sampled_from(
            [("/api/v1/users", users, "users:read"), ("/api/v1/api-keys", api_keys, "api_keys:read")]
        ),
        search=st.sampled_from(["none", "email", "q", "limit"]),
    )
    def lists_show_exactly_the_callers_own_rows(
        self,
        data: st.DataObject,
        attacker_is_a: bool,
        listing: tuple[str, Table, str],
        search: str,
    ) -> None:
        attacker, victim = self._pair(attacker_is_a)
        identity = data.draw(st.sampled_from(attacker.identities), label="identity")
        path, table, permission = listing
        params: dict[str, str] = {"limit": "200"}
        if table is users and search in ("email", "q"):
            with self.world.engine.connect() as connection:
                target = data.draw(
                    st.sampled_from(
                        list(
                            connection.execute(
                                select(users.c.email, users.c.family_name).where(users.c.organization_id == victim.id)
                            )
                        )
                    ),
                    label="foreign user",
                )
            params = {"email": target.email} if search == "email" else {"q": target.family_name}
        elif search == "limit":
            params = {"limit": "1"}

        response = self.client.get(path, params=params, headers=identity.headers)

        if permission not in identity.permissions:
            assert response.status_code == 403, response.text
            return
        assert response.status_code == 200, response.text
        listed = {UUID(item["id"]) for item in response.json()["items"]}
        own = set(self._ids(table, attacker))
        assert not listed & set(self._ids(table, victim)), f"{identity.label} listed rows of {victim.label}"
        assert listed <= own
        if params == {"limit": "200"}:
            assert listed == own, "the list lost some of the caller's own rows"

    @rule(data=st.data(), attacker_is_a=st.booleans())
    def sessions_list_shows_only_the_callers_sessions(self, data: st.DataObject, attacker_is_a: bool) -> None:
        attacker, victim = self._pair(attacker_is_a)
        identity = data.draw(st.sampled_from(attacker.identities), label="identity")

        response = self.client.get("/api/v1/auth/sessions", headers=identity.headers)

        if identity.user_id is None:
            assert response.status_code == 422, response.text
            assert response.json()["code"] == "auth.not_a_session"
            return
        assert response.status_code == 200, response.text
        listed = {UUID(item["id"]) for item in response.json()["items"]}
        assert listed
        assert not listed & set(self._ids(sessions, victim))
        with self.world.engine.connect() as connection:
            mine = set(
                connection.execute(
                    select(sessions.c.id).where(
                        sessions.c.organization_id == attacker.id, sessions.c.user_id == identity.user_id
                    )
                ).scalars()
            )
        assert listed <= mine

    @rule(data=st.data(), attacker_is_a=st.booleans())
    def me_and_my_organization_are_my_own(self, data: st.DataObject, attacker_is_a: bool) -> None:
        attacker, _ = self._pair(attacker_is_a)
        identity = data.draw(st.sampled_from(attacker.identities), label="identity")

        me = self.client.get("/api/v1/auth/me", headers=identity.headers)
        assert me.status_code == 200, me.text
        assert me.json()["organization"]["id"] == str(attacker.id)

        current = self.client.get("/api/v1/organizations/current", headers=identity.headers)
        if "organization:read" in identity.permissions:
            assert current.status_code == 200, current.text
            assert current.json()["id"] == str(attacker.id)
            assert current.json()["slug"] == attacker.slug
        else:
            assert current.status_code == 403, current.text


@pytest.fixture
def world(fresh_database_url: str, tmp_path: Path) -> Iterator[World]:
    container = system_container(fresh_database_url, tmp_path)
    engine = create_engine(normalise_url(fresh_database_url), poolclass=pool.NullPool)
    try:
        with system_client(container) as client:
            yield World(client=client, container=container, engine=engine)
    finally:
        engine.dispose()


def test_no_request_of_one_organization_reads_lists_changes_or_detects_the_other(world: World) -> None:
    TenancyMachine.world = world
    run_state_machine_as_test(
        TenancyMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            # No shrinking: a failing run of at most 15 steps reads well as it is, and
            # shrinking one through real HTTP and a real database takes minutes.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
        ),
    )
