"""RevokeApiKey: the key stops working at once."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.api_key import ApiKey
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found
from medcore.domain.shared.ports import Clock


class RevokeApiKey:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, api_key_id: UUID) -> Result[ApiKey, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.API_KEYS_WRITE,
                action="api_key.revoke",
                resource_type="api_key",
                resource_id=api_key_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            key = await uow.api_keys.get(actor.organization_id, api_key_id, lock=True)
            if key is None:
                return Failure(not_found("api_key"))
            revoked = key.revoke(self._clock.now())
            if isinstance(revoked, Failure):
                return Failure(revoked.failure())
            await uow.api_keys.save(key)
            await uow.audit.record(actor.audit("api_key.revoke", resource_type="api_key", resource_id=key.id))
            await uow.commit()
            return Success(key)
