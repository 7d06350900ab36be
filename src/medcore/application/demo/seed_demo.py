"""SeedDemo: an organization to try medcore with, and its logins."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.identity.create_organization import (
    CreateOrganization,
    CreateOrganizationCommand,
)
from medcore.application.identity.create_user import CreateUser, CreateUserCommand
from medcore.application.shared.actor import system_actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
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
    can be tried in a minute) with an owner, a practitioner, a receptionist and a patient.
    Running it again changes nothing."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        create_organization: CreateOrganization,
        create_user: CreateUser,
    ) -> None:
        self._uow = uow
        self._create_organization = create_organization
        self._create_user = create_user

    async def execute(self) -> Result[DemoSeeded, DomainError]:
        async with self._uow() as uow:
            if await uow.organizations.slug_taken(OrganizationSlug(DEMO_SLUG)):
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
        return Success(DemoSeeded(created=True, logins=DEMO_LOGINS))
