"""CreateApiKey: a key for an integration, with chosen permissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.api_key import ApiKey, format_key
from medcore.domain.identity.permissions import Permission, parse_permissions
from medcore.domain.identity.ports import SecretGenerator
from medcore.domain.identity.secrets import digest
from medcore.domain.shared.errors import DomainError, FieldIssue, invalid
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True)
class CreateApiKeyCommand:
    name: str
    scopes: tuple[str, ...]
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IssuedApiKey:
    key: ApiKey
    secret: str  # the whole key string, shown once


class CreateApiKey:
    """Scopes are permissions, and no wider than the creator's own. The key string is
    answered once and cannot be recovered: only its hash is kept."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        secrets: SecretGenerator,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._secrets = secrets

    async def execute(self, actor: Actor, command: CreateApiKeyCommand) -> Result[IssuedApiKey, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.API_KEYS_WRITE,
                action="api_key.create",
                resource_type="api_key",
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            now = self._clock.now()
            scopes, unknown = parse_permissions(command.scopes)
            issues: list[FieldIssue] = []
            name = " ".join(command.name.split())
            if not 1 <= len(name) <= 100:
                issues.append(FieldIssue("name", "Use 1-100 characters."))
            if unknown:
                issues.append(FieldIssue("scopes", f"Unknown permissions: {', '.join(sorted(unknown))}."))
            if not scopes and not unknown:
                issues.append(FieldIssue("scopes", "Give the key at least one permission."))
            beyond = sorted(p.value for p in scopes - actor.permissions)
            if beyond:
                issues.append(
                    FieldIssue(
                        "scopes",
                        f"You cannot grant permissions you do not hold: {', '.join(beyond)}.",
                    )
                )
            if command.expires_at is not None and command.expires_at <= now:
                issues.append(FieldIssue("expires_at", "Must be in the future."))
            if issues:
                return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
            public_id = self._secrets.key_id()
            secret = self._secrets.token()
            key = ApiKey(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                name=name,
                key_id=public_id,
                secret_hash=digest(secret),
                scopes=scopes,
                created_by=actor.id,
                expires_at=command.expires_at,
                created_at=now,
                updated_at=now,
            )
            await uow.api_keys.add(key)
            await uow.audit.record(
                actor.audit(
                    "api_key.create",
                    resource_type="api_key",
                    resource_id=key.id,
                    details={"scopes": ",".join(sorted(p.value for p in scopes))},
                )
            )
            await uow.commit()
            return Success(IssuedApiKey(key=key, secret=format_key(public_id, secret)))
