"""Helpers for the audit trail's integration tests: a trail with events on a database of
its own, and tampering as the database superuser would (triggers off for one session)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, create_engine, pool, text

from medcore.adapters.postgres.engine import normalise_url
from medcore.application.identity.create_organization import CreateOrganizationCommand
from medcore.application.patients.create_patient import CreatePatientCommand
from medcore.application.shared.actor import Actor, RequestMeta, system_actor
from medcore.container import Container
from medcore.domain.audit.verification import VerificationReport
from medcore.domain.identity.organization import OrganizationSettings
from tests.integration.system_helpers import system_container

PASSWORD = "correct horse battery staple"
SIGNING_SEED = "7b3qS0nT5mJ2k8sWq1vX9yZ4aB6cD0eF1gH2iJ3kL4M="  # base64 of 32 bytes, tests only


def audit_container(url: str, data_dir: Path, **settings: str) -> Container:
    return system_container(url, data_dir, **{"MEDCORE_AUDIT_SIGNING_KEY": SIGNING_SEED, **settings})


async def organization_with_events(container: Container, slug: str, reads: int = 20) -> tuple[UUID, Actor]:
    """An organization whose trail holds its creation, a patient record and ``reads`` reads
    of it (by the owner, with an IP address and a user agent)."""
    use_cases: Any = container.use_cases
    created = (
        await use_cases.create_organization().execute(
            CreateOrganizationCommand(
                slug=slug,
                name=f"Clinic {slug}",
                owner_email=f"owner@{slug}.test",
                owner_password=PASSWORD,
                settings=OrganizationSettings(mfa_required_roles=frozenset()),
            )
        )
    ).unwrap()
    meta = RequestMeta(request_id="req-audit", ip="192.0.2.10", user_agent="pytest/9 (audit)")
    actor = system_actor(created.organization.id, created.owner.id, meta)
    patient = (
        await use_cases.create_patient().execute(
            actor, CreatePatientCommand(given_name="Jeanne", family_name="Martin", birth_date=date(1980, 5, 17))
        )
    ).unwrap()
    for _ in range(reads):
        (await use_cases.get_patient().execute(actor, patient.id)).unwrap()
    return created.organization.id, actor


async def verify(container: Container, organization_id: UUID, from_checkpoint: bool = False) -> VerificationReport:
    report: VerificationReport = await container.use_cases.verify_audit_trail().verify(organization_id, from_checkpoint)
    return report


@contextmanager
def superuser(url: str) -> Iterator[Connection]:
    """A session of the database superuser with every trigger off (replica role), in a
    transaction committed at the end: what an attacker holding the server could do."""
    engine: Engine = create_engine(normalise_url(url), poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            yield connection
    finally:
        engine.dispose()


def run_sql(url: str, sql: str, params: Mapping[str, Any] | None = None) -> None:
    """Statements (separated by '; ') in one transaction as the superuser, triggers on:
    ordinary SQL."""
    engine = create_engine(normalise_url(url), poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            for statement in sql.split("; "):
                connection.execute(text(statement), dict(params or {}))
    finally:
        engine.dispose()
