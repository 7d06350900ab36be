"""GetOrganization: the caller's organization and its settings."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.organization import Organization
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found


class GetOrganization:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor) -> Result[Organization, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.ORGANIZATION_READ,
                action="organization.read",
                resource_type="organization",
                resource_id=actor.organization_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            organization = await uow.organizations.get(actor.organization_id)
            if organization is None:
                return Failure(not_found("organization"))
            return Success(organization)
