"""The second step of signing in: a TOTP code or a recovery code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from returns.result import Failure, Result, Success

from medcore.application.identity.config import IdentityConfig
from medcore.application.identity.login import open_session, record_failed_attempt
from medcore.application.identity.tokens import TokenPair
from medcore.application.shared.actor import RequestMeta, anonymous_entry
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.ports import (
    PasswordHasher,
    SecretBox,
    SecretGenerator,
    TokenSigner,
    Totp,
)
from medcore.domain.identity.secrets import digest
from medcore.domain.identity.user import User
from medcore.domain.shared.errors import DomainError, ErrorKind
from medcore.domain.shared.ports import Clock, IdGenerator

INVALID_MFA_TOKEN = DomainError(
    code="auth.invalid_mfa_token",
    message="The sign-in step has expired; sign in again.",
    kind=ErrorKind.UNAUTHENTICATED,
)

_TOTP_CODE = re.compile(r"^\d{6}$")


def normalise_recovery_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def check_second_factor(user: User, code: str, totp: Totp, box: SecretBox, now: datetime) -> bool:
    """Accept a fresh TOTP code or an unused recovery code, consuming it."""
    if user.totp is None or not user.totp.confirmed:
        return False
    candidate = code.strip().replace(" ", "")
    if _TOTP_CODE.match(candidate):
        step = totp.matching_step(box.open(user.totp.sealed_secret), candidate, now)
        return step is not None and user.accept_totp_step(step, now)
    return user.use_recovery_code(digest(normalise_recovery_code(candidate)), now)


@dataclass(frozen=True, slots=True)
class VerifyMfaCommand:
    mfa_token: str
    code: str
    meta: RequestMeta


class VerifyMfa:
    """Finish a sign-in with the code from the authenticator app (each code works once) or
    one of the recovery codes. Failures count towards the account lockout."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        hasher: PasswordHasher,
        signer: TokenSigner,
        secrets: SecretGenerator,
        totp: Totp,
        box: SecretBox,
        config: IdentityConfig,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._hasher = hasher
        self._signer = signer
        self._secrets = secrets
        self._totp = totp
        self._box = box
        self._config = config

    async def execute(self, command: VerifyMfaCommand) -> Result[TokenPair, DomainError]:
        now = self._clock.now()
        challenge = self._signer.read_mfa_challenge(command.mfa_token, now)
        if challenge is None:
            return Failure(INVALID_MFA_TOKEN)
        async with self._uow() as uow:
            organization = await uow.organizations.get(challenge.organization_id)
            user = await uow.users.get(challenge.organization_id, challenge.user_id, lock=True)
            if organization is None or user is None:
                return Failure(INVALID_MFA_TOKEN)
            gate = user.check_can_sign_in(now)
            if isinstance(gate, Failure):
                return Failure(gate.failure() if gate.failure().kind is ErrorKind.LOCKED else INVALID_MFA_TOKEN)
            if not check_second_factor(user, command.code, self._totp, self._box, now):
                error = await record_failed_attempt(uow, organization, user, "auth.mfa", command.meta, now)
                await uow.commit()
                if error.kind is ErrorKind.LOCKED:
                    return Failure(error)
                return Failure(
                    DomainError(
                        code="auth.invalid_mfa_code",
                        message="The code is not correct.",
                        kind=ErrorKind.UNAUTHENTICATED,
                    )
                )
            await uow.audit.record(
                anonymous_entry(
                    organization.id,
                    "auth.mfa",
                    command.meta,
                    outcome=Outcome.SUCCESS,
                    actor_id=user.id,
                    resource_type="user",
                    resource_id=user.id,
                    details={"recovery_codes_left": len(user.recovery_code_hashes)},
                )
            )
            pair = await open_session(
                uow,
                user,
                now,
                mfa_verified=True,
                meta=command.meta,
                ids=self._ids,
                secrets=self._secrets,
                signer=self._signer,
                config=self._config,
            )
            await uow.commit()
            return Success(pair)
