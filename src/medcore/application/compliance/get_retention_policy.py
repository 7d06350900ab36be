"""GetRetentionPolicy: the organization's retention settings and the policy in force for
each record class."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.compliance.retention import RetentionSettings
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found


@dataclass(frozen=True, slots=True)
class RetentionPolicyView:
    settings: RetentionSettings
    version: int  # the organization's version (If-Match of the update)


class GetRetentionPolicy:
    """``retention:read`` (owners, admins... through the role table; auditors)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor) -> Result[RetentionPolicyView, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.RETENTION_READ,
                action="retention_policy.read",
                resource_type="organization",
                resource_id=actor.organization_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            organization = await uow.organizations.get(actor.organization_id)
            if organization is None:
                return Failure(not_found("organization"))
            return Success(RetentionPolicyView(organization.settings.retention, organization.version))
