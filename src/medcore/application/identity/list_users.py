"""ListUsers: the organization's accounts, filtered, searched and paginated."""

from __future__ import annotations

from returns.result import Failure, Result

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.identity.user import User
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ListUsers:
    """Filters: ``role``, ``status``, ``email``; ``q`` searches names and email."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[User], DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.USERS_READ,
                action="user.list",
                resource_type="user",
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            return await uow.users.list(actor.organization_id, query)
