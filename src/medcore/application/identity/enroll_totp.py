"""EnrollTotp: start two-factor authentication with an authenticator app."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.identity.config import IdentityConfig
from medcore.application.identity.session_errors import NOT_A_USER
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.ports import SecretBox, Totp
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True)
class TotpEnrolment:
    secret: str  # base32, for typing into an app
    otpauth_uri: str  # for a QR code


class EnrollTotp:
    """Create a new TOTP secret for the caller. It takes effect once confirmed with a code;
    enrolling again before confirming replaces the pending secret."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        totp: Totp,
        box: SecretBox,
        config: IdentityConfig,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._totp = totp
        self._box = box
        self._config = config

    async def execute(self, actor: Actor) -> Result[TotpEnrolment, DomainError]:
        if actor.user_id is None:
            return Failure(NOT_A_USER)
        async with self._uow() as uow:
            user = await uow.users.get(actor.organization_id, actor.user_id, lock=True)
            organization = await uow.organizations.get(actor.organization_id)
            assert user is not None
            assert organization is not None
            secret = self._totp.new_secret()
            started = user.start_totp_enrolment(self._box.seal(secret), self._clock.now())
            if isinstance(started, Failure):
                return Failure(started.failure())
            await uow.users.save(user)
            await uow.audit.record(actor.audit("auth.mfa_enroll", resource_type="user", resource_id=user.id))
            await uow.commit()
            uri = self._totp.provisioning_uri(secret, f"{user.email} ({organization.slug})", self._config.issuer)
            return Success(TotpEnrolment(secret=secret, otpauth_uri=uri))
