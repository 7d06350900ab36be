"""SeedDemo: an organization to try medcore with, and its logins."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.demo.demo_appointments import SeedDemoAppointments
from medcore.application.demo.demo_clinical import SeedDemoClinical
from medcore.application.demo.demo_patients import SeedDemoPatients
from medcore.application.demo.demo_practitioners import SeedDemoPractitioners
from medcore.application.identity.create_organization import (
    CreateOrganization,
    CreateOrganizationCommand,
)
from medcore.application.identity.create_user import CreateUser, CreateUserCommand
from medcore.application.shared.actor import Actor, system_actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.organization import OrganizationSettings, OrganizationSlug
from medcore.domain.identity.permissions import Role
from medcore.domain.shared.errors import DomainError

DEMO_SLUG = "demo"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    role: Role
    email: str
    password: str
    name: str


# Published in the README: this organization is for trying medcore, never for real data.
DEMO_LOGINS = (
    DemoLogin(Role.OWNER, "owner@demo.medcore.dev", "sunlit-harbour-7421", "Olivia Owner"),
    DemoLogin(
        Role.PRACTITIONER,
        "dr.martin@demo.medcore.dev",
        "quiet-meadow-3856",
        "Claire Martin",
    ),
    DemoLogin(
        Role.RECEPTIONIST,
        "reception@demo.medcore.dev",
        "amber-lantern-9034",
        "Rémi Durand",
    ),
    DemoLogin(
        Role.PATIENT,
        "jean.dupont@demo.medcore.dev",
        "silver-orchard-5167",
        "Jean Dupont",
    ),
)


@dataclass(frozen=True, slots=True)
class DemoSeeded:
    created: bool
    logins: tuple[DemoLogin, ...]


class SeedDemo:
    """Create the ``demo`` organization (self-registration open, MFA not required, so it
    can be tried in a minute) with an owner, a practitioner, a receptionist and a patient,
    patient records (Jean Dupont's linked to the patient login), Jean's appointments with
    Dr Martin in the coming days, a "General consultation" template and Jean's signed
    consultation of last week. Running it again changes nothing (but adds what an older
    version did not seed)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        create_organization: CreateOrganization,
        create_user: CreateUser,
        *,
        practitioners: SeedDemoPractitioners | None = None,
        patients: SeedDemoPatients | None = None,
        appointments: SeedDemoAppointments | None = None,
        clinical: SeedDemoClinical | None = None,
    ) -> None:
        self._uow = uow
        self._create_organization = create_organization
        self._create_user = create_user
        self._practitioners = practitioners
        self._patients = patients
        self._appointments = appointments
        self._clinical = clinical

    async def execute(self) -> Result[DemoSeeded, DomainError]:
        async with self._uow() as uow:
            existing = await uow.organizations.by_slug(OrganizationSlug(DEMO_SLUG))
            owner_account = (
                await uow.users.by_email(existing.id, EmailAddress(DEMO_LOGINS[0].email)) if existing else None
            )
        if existing is not None:
            # Seeded before: top up what later versions add (each part adds only what is missing).
            if owner_account is not None:
                topped_up = await self._top_up(system_actor(existing.id, owner_account.id))
                if isinstance(topped_up, Failure):
                    return Failure(topped_up.failure())
            return Success(DemoSeeded(created=False, logins=DEMO_LOGINS))
        owner, *others = DEMO_LOGINS
        given, family = owner.name.split(" ", 1)
        created = await self._create_organization.execute(
            CreateOrganizationCommand(
                slug=DEMO_SLUG,
                name="Demo Clinic",
                owner_email=owner.email,
                owner_password=owner.password,
                owner_given_name=given,
                owner_family_name=family,
                settings=OrganizationSettings(self_registration=True, mfa_required_roles=frozenset()),
            )
        )
        if isinstance(created, Failure):
            return Failure(created.failure())
        organization = created.unwrap().organization
        actor = system_actor(organization.id, created.unwrap().owner.id)
        for login in others:
            given, family = login.name.split(" ", 1)
            user = await self._create_user.execute(
                actor,
                CreateUserCommand(
                    email=login.email,
                    role=login.role,
                    given_name=given,
                    family_name=family,
                    password=login.password,
                ),
            )
            if isinstance(user, Failure):
                return Failure(user.failure())
        topped_up = await self._top_up(actor)
        if isinstance(topped_up, Failure):
            return Failure(topped_up.failure())
        return Success(DemoSeeded(created=True, logins=DEMO_LOGINS))

    async def _top_up(self, actor: Actor) -> Result[None, DomainError]:
        """The demo data beyond the accounts, each part idempotent."""
        if self._practitioners is not None:
            seeded = await self._practitioners.execute(actor)
            if isinstance(seeded, Failure):
                return Failure(seeded.failure())
        if self._patients is not None:
            records = await self._patients.execute(actor)
            if isinstance(records, Failure):
                return Failure(records.failure())
        if self._appointments is not None:
            booked = await self._appointments.execute(actor)
            if isinstance(booked, Failure):
                return Failure(booked.failure())
        if self._clinical is not None:
            written = await self._clinical.execute(actor)
            if isinstance(written, Failure):
                return Failure(written.failure())
        return Success(None)
