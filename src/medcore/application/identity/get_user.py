"""GetUser: one account of the organization."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.identity.user import User
from medcore.domain.shared.errors import DomainError, not_found


class GetUser:
    """Anyone may read their own account; reading others needs ``users:read``."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, user_id: UUID) -> Result[User, DomainError]:
        async with self._uow() as uow:
            if user_id != actor.user_id:
                allowed = await authorize(
                    uow,
                    actor,
                    Permission.USERS_READ,
                    action="user.read",
                    resource_type="user",
                    resource_id=user_id,
                )
                if isinstance(allowed, Failure):
                    return Failure(allowed.failure())
            user = await uow.users.get(actor.organization_id, user_id)
            if user is None:
                return Failure(not_found("user"))
            return Success(user)
