"""ConfirmTotp: prove the authenticator works; receive recovery codes."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.identity.session_errors import NOT_A_USER
from medcore.application.identity.verify_mfa import normalise_recovery_code
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.ports import SecretBox, SecretGenerator, Totp
from medcore.domain.identity.secrets import digest
from medcore.domain.shared.errors import DomainError, conflict, field_invalid
from medcore.domain.shared.ports import Clock

RECOVERY_CODE_COUNT = 10


@dataclass(frozen=True, slots=True)
class ConfirmTotpCommand:
    code: str


class ConfirmTotp:
    """Turn two-factor authentication on with a first code from the app. Answers ten
    single-use recovery codes, shown this once. The current session counts as verified."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        totp: Totp,
        box: SecretBox,
        secrets: SecretGenerator,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._totp = totp
        self._box = box
        self._secrets = secrets

    async def execute(self, actor: Actor, command: ConfirmTotpCommand) -> Result[list[str], DomainError]:
        if actor.user_id is None:
            return Failure(NOT_A_USER)
        async with self._uow() as uow:
            user = await uow.users.get(actor.organization_id, actor.user_id, lock=True)
            assert user is not None
            if user.totp is None:
                return Failure(conflict("mfa.not_enrolling", "Start enrolment first."))
            if user.totp.confirmed:
                return Failure(
                    conflict(
                        "mfa.already_enabled",
                        "Two-factor authentication is already on.",
                    )
                )
            now = self._clock.now()
            step = self._totp.matching_step(self._box.open(user.totp.sealed_secret), command.code.strip(), now)
            if step is None:
                await uow.audit.record(
                    actor.audit(
                        "auth.mfa_confirm",
                        outcome=Outcome.FAILURE,
                        resource_type="user",
                        resource_id=user.id,
                    )
                )
                await uow.commit()
                return Failure(field_invalid("code", "The code is not correct.", code="auth.invalid_mfa_code"))
            codes = self._secrets.recovery_codes(RECOVERY_CODE_COUNT)
            user.confirm_totp(step, tuple(digest(normalise_recovery_code(c)) for c in codes), now)
            await uow.users.save(user)
            if actor.session_id is not None:
                session = await uow.sessions.get(actor.organization_id, actor.session_id, lock=True)
                if session is not None:
                    session.mfa_verified = True
                    session.updated_at = now
                    await uow.sessions.save(session)
            await uow.audit.record(actor.audit("auth.mfa_confirm", resource_type="user", resource_id=user.id))
            await uow.commit()
            return Success(codes)
