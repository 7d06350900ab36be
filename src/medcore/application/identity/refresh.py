"""Refresh: exchange a refresh token for a new pair (rotation with reuse detection)."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.identity.config import IdentityConfig
from medcore.application.identity.tokens import TokenPair, new_refresh_token, token_pair
from medcore.application.shared.actor import RequestMeta, anonymous_entry
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.ports import SecretGenerator, TokenSigner
from medcore.domain.identity.secrets import digest
from medcore.domain.identity.session import INVALID_REFRESH_TOKEN, RevocationReason
from medcore.domain.identity.user import UserStatus
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True)
class RefreshCommand:
    refresh_token: str
    meta: RequestMeta


class RefreshSession:
    """Each refresh token works once and is replaced by a new one. Using a replaced token
    again signs the whole session out, because it means the token was copied."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        signer: TokenSigner,
        secrets: SecretGenerator,
        config: IdentityConfig,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._signer = signer
        self._secrets = secrets
        self._config = config

    async def execute(self, command: RefreshCommand) -> Result[TokenPair, DomainError]:
        async with self._uow() as uow:
            found = await uow.sessions.by_refresh_token(digest(command.refresh_token), lock=True)
            if found is None:
                return Failure(INVALID_REFRESH_TOKEN)
            session, generation = found
            now = self._clock.now()
            user = await uow.users.get(session.organization_id, session.user_id)
            if user is None or user.status is not UserStatus.ACTIVE:
                return Failure(INVALID_REFRESH_TOKEN)
            refresh = new_refresh_token(self._secrets)
            already_revoked = session.revoked_at is not None
            rotated = session.rotate(generation, refresh.digest, now)
            if isinstance(rotated, Failure):
                if not already_revoked and session.revoked_reason is RevocationReason.REFRESH_TOKEN_REUSE:
                    await uow.sessions.save(session)
                    await uow.audit.record(
                        anonymous_entry(
                            session.organization_id,
                            "auth.refresh_token_reuse",
                            command.meta,
                            outcome=Outcome.FAILURE,
                            actor_id=user.id,
                            resource_type="session",
                            resource_id=session.id,
                            details={"presented_generation": generation},
                        )
                    )
                    await uow.commit()
                return Failure(rotated.failure())
            await uow.sessions.save(session)
            await uow.sessions.remember_refresh_token(session)
            await uow.audit.record(
                anonymous_entry(
                    session.organization_id,
                    "auth.refresh",
                    command.meta,
                    outcome=Outcome.SUCCESS,
                    actor_id=user.id,
                    resource_type="session",
                    resource_id=session.id,
                )
            )
            organization = await uow.organizations.get(session.organization_id)
            enrolment_due = organization is not None and organization.requires_mfa(user.role) and not user.mfa_enabled
            await uow.commit()
            return Success(
                token_pair(
                    session, refresh.secret, self._signer, self._config, now, mfa_enrollment_required=enrolment_due
                )
            )
