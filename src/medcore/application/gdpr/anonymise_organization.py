"""AnonymiseOrganization: test data from real data, with every identity replaced."""

from __future__ import annotations

from collections.abc import Mapping

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.gdpr.ports import AnonymisedCopy
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, conflict

ACTION = "organization.anonymised_copy"


class AnonymiseOrganization:
    """Copies the actor's organization into another PostgreSQL database (migrated to head)
    with names, emails, phones, addresses and record numbers replaced, dates of birth
    shifted and free text blanked, consistently across tables. An operator's command
    (``medcore anonymise``); the copy is recorded in the source's audit trail (table counts
    only, never the target's address)."""

    def __init__(self, uow: UnitOfWorkFactory, copier: AnonymisedCopy) -> None:
        self._uow = uow
        self._copier = copier

    async def execute(self, actor: Actor, target_url: str) -> Result[Mapping[str, int], DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.ORGANIZATION_WRITE, action=ACTION, resource_type="organization"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
        try:
            counts = await self._copier.copy(actor.organization_id, target_url)
        except ValueError as exc:
            return Failure(conflict("anonymise.target_not_empty", str(exc).capitalize() + "."))
        async with self._uow() as uow:
            await uow.audit.record(
                actor.audit(
                    ACTION,
                    resource_type="organization",
                    resource_id=actor.organization_id,
                    details={"tables": len(counts), "rows": sum(counts.values())},
                )
            )
            await uow.commit()
        return Success(counts)
