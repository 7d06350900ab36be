"""RotateApiKey: a new secret for the same key, with the old one valid for a while."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.identity.create_api_key import IssuedApiKey
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.api_key import MAX_OVERLAP, format_key
from medcore.domain.identity.permissions import Permission
from medcore.domain.identity.ports import SecretGenerator
from medcore.domain.identity.secrets import digest
from medcore.domain.shared.errors import (
    DomainError,
    field_invalid,
    not_found,
    version_mismatch,
)
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True)
class RotateApiKeyCommand:
    api_key_id: UUID
    overlap: timedelta = timedelta(hours=24)
    expected_version: int | None = None


class RotateApiKey:
    """The previous secret keeps working for the overlap window (at most 7 days, 0 to cut it
    at once), so that an integration can switch without downtime."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, secrets: SecretGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._secrets = secrets

    async def execute(self, actor: Actor, command: RotateApiKeyCommand) -> Result[IssuedApiKey, DomainError]:
        if not timedelta(0) <= command.overlap <= MAX_OVERLAP:
            return Failure(field_invalid("overlap_minutes", "Must be between 0 and 10080 minutes (7 days)."))
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.API_KEYS_WRITE,
                action="api_key.rotate",
                resource_type="api_key",
                resource_id=command.api_key_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            key = await uow.api_keys.get(actor.organization_id, command.api_key_id, lock=True)
            if key is None:
                return Failure(not_found("api_key"))
            if command.expected_version is not None and command.expected_version != key.version:
                return Failure(version_mismatch("api_key"))
            secret = self._secrets.token()
            rotated = key.rotate(digest(secret), command.overlap, self._clock.now())
            if isinstance(rotated, Failure):
                return Failure(rotated.failure())
            await uow.api_keys.save(key)
            await uow.audit.record(
                actor.audit(
                    "api_key.rotate",
                    resource_type="api_key",
                    resource_id=key.id,
                    details={"overlap_minutes": int(command.overlap.total_seconds() // 60)},
                )
            )
            await uow.commit()
            return Success(IssuedApiKey(key=key, secret=format_key(key.key_id, secret)))
