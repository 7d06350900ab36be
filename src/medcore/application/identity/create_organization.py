"""CreateOrganization: an operator opens a new tenant with its first owner."""

from __future__ import annotations

from dataclasses import dataclass, field

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import SYSTEM_META, RequestMeta
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import ActorType, AuditEntry, Outcome
from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.organization import (
    Organization,
    OrganizationSettings,
    OrganizationSlug,
)
from medcore.domain.identity.password import PasswordPolicy
from medcore.domain.identity.permissions import Role
from medcore.domain.identity.ports import PasswordHasher
from medcore.domain.identity.user import User, UserStatus
from medcore.domain.shared.errors import DomainError, FieldIssue, conflict, invalid
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True)
class CreateOrganizationCommand:
    slug: str
    name: str
    owner_email: str
    owner_password: str
    owner_given_name: str = "Owner"
    owner_family_name: str = "Account"
    settings: OrganizationSettings = field(default_factory=OrganizationSettings)
    meta: RequestMeta = SYSTEM_META


@dataclass(frozen=True, slots=True)
class CreatedOrganization:
    organization: Organization
    owner: User


class CreateOrganization:
    """Create the organization and its owner account together (an operator's action,
    from the CLI). The owner signs in at once with the given password."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        hasher: PasswordHasher,
        policy: PasswordPolicy,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._hasher = hasher
        self._policy = policy

    async def execute(self, command: CreateOrganizationCommand) -> Result[CreatedOrganization, DomainError]:
        checks: list[Result[object, DomainError]] = [
            OrganizationSlug.parse(command.slug),
            Organization.check_name(command.name),
            EmailAddress.parse(command.owner_email, field="owner_email"),
            User.check_name(command.owner_given_name, "owner_given_name"),
            User.check_name(command.owner_family_name, "owner_family_name"),
            command.settings.validate(),
        ]
        issues: list[FieldIssue] = [i for c in checks if isinstance(c, Failure) for i in c.failure().fields]
        if issues:
            return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
        slug = OrganizationSlug.parse(command.slug).unwrap()
        email = EmailAddress.parse(command.owner_email).unwrap()
        strong = self._policy.check(command.owner_password, email, field="owner_password")
        if isinstance(strong, Failure):
            return Failure(strong.failure())
        async with self._uow() as uow:
            if await uow.organizations.slug_taken(slug):
                return Failure(conflict("organization.slug_taken", "This organization slug is taken."))
            now = self._clock.now()
            organization = Organization(
                id=self._ids.new_id(),
                slug=slug,
                name=Organization.check_name(command.name).unwrap(),
                settings=command.settings,
                created_at=now,
                updated_at=now,
            )
            owner = User(
                id=self._ids.new_id(),
                organization_id=organization.id,
                email=email,
                given_name=User.check_name(command.owner_given_name, "owner_given_name").unwrap(),
                family_name=User.check_name(command.owner_family_name, "owner_family_name").unwrap(),
                role=Role.OWNER,
                status=UserStatus.ACTIVE,
                password_hash=self._hasher.hash(command.owner_password),
                password_changed_at=now,
                created_at=now,
                updated_at=now,
            )
            await uow.organizations.add(organization)
            await uow.users.add(owner)
            for action, resource_type, resource_id in (
                ("organization.create", "organization", organization.id),
                ("user.create", "user", owner.id),
            ):
                await uow.audit.record(
                    AuditEntry(
                        organization_id=organization.id,
                        action=action,
                        outcome=Outcome.SUCCESS,
                        actor_type=ActorType.SYSTEM,
                        resource_type=resource_type,
                        resource_id=resource_id,
                        ip=command.meta.ip,
                        user_agent=command.meta.user_agent,
                        request_id=command.meta.request_id,
                        details={"role": Role.OWNER.value} if resource_type == "user" else {},
                    )
                )
            await uow.commit()
            return Success(CreatedOrganization(organization=organization, owner=owner))
