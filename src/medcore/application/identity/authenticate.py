"""Turning a bearer token or an API key into an Actor, on every request."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor, RequestMeta
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import ActorType
from medcore.domain.identity.api_key import INVALID_API_KEY, split_key
from medcore.domain.identity.ports import TokenSigner
from medcore.domain.identity.secrets import digest
from medcore.domain.identity.user import UserStatus
from medcore.domain.shared.errors import DomainError, ErrorKind
from medcore.domain.shared.ports import Clock

INVALID_ACCESS_TOKEN = DomainError(
    code="auth.invalid_token",
    message="The access token is invalid, expired or revoked.",
    kind=ErrorKind.UNAUTHENTICATED,
)


class Authenticate:
    """A token is trusted only with a live session and an active account, so logout,
    session revocation and deactivation take effect on the very next request."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, signer: TokenSigner) -> None:
        self._uow = uow
        self._clock = clock
        self._signer = signer

    async def bearer(self, token: str, meta: RequestMeta) -> Result[Actor, DomainError]:
        now = self._clock.now()
        claims = self._signer.read_access(token, now)
        if claims is None:
            return Failure(INVALID_ACCESS_TOKEN)
        async with self._uow() as uow:
            session = await uow.sessions.get(claims.organization_id, claims.session_id)
            if session is None or not session.is_active(now) or session.user_id != claims.user_id:
                return Failure(INVALID_ACCESS_TOKEN)
            user = await uow.users.get(claims.organization_id, claims.user_id)
            organization = await uow.organizations.get(claims.organization_id)
            if user is None or organization is None or user.status is not UserStatus.ACTIVE:
                return Failure(INVALID_ACCESS_TOKEN)
            enrolment_due = organization.requires_mfa(user.role) and not user.mfa_enabled
            return Success(
                Actor(
                    organization_id=user.organization_id,
                    actor_type=ActorType.USER,
                    id=user.id,
                    role=user.role,
                    # Until the required MFA is enrolled, the account may only enrol (and sign out).
                    permissions=frozenset() if enrolment_due else user.permissions,
                    session_id=session.id,
                    mfa_enrollment_required=enrolment_due,
                    meta=meta,
                )
            )

    async def api_key(self, presented: str, meta: RequestMeta) -> Result[Actor, DomainError]:
        parts = split_key(presented)
        if parts is None:
            return Failure(INVALID_API_KEY)
        public_id, secret = parts
        now = self._clock.now()
        async with self._uow() as uow:
            key = await uow.api_keys.by_public_id(public_id)
            if key is None:
                return Failure(INVALID_API_KEY)
            accepted = key.accepts(digest(secret), now)
            if isinstance(accepted, Failure):
                return Failure(accepted.failure())
            if key.mark_used(now):
                await uow.api_keys.save(key)
                await uow.commit()
            return Success(
                Actor(
                    organization_id=key.organization_id,
                    actor_type=ActorType.API_KEY,
                    id=key.id,
                    role=None,
                    permissions=key.scopes,
                    meta=meta,
                )
            )
