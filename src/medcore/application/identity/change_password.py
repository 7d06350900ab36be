"""ChangePassword: a signed-in user changes their own password."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.identity.login import lockout_policy
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.password import PasswordPolicy
from medcore.domain.identity.ports import (
    PasswordHasher,
)
from medcore.domain.identity.session import RevocationReason
from medcore.domain.shared.errors import (
    DomainError,
    field_invalid,
)
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True)
class ChangePasswordCommand:
    current_password: str
    new_password: str


class ChangePassword:
    """Change one's own password. Every other session is signed out; this one stays."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        hasher: PasswordHasher,
        policy: PasswordPolicy,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = hasher
        self._policy = policy

    async def execute(self, actor: Actor, command: ChangePasswordCommand) -> Result[None, DomainError]:
        if actor.user_id is None:
            return Failure(
                field_invalid(
                    "Authorization",
                    "API keys have no password.",
                    code="auth.not_a_user",
                )
            )
        async with self._uow() as uow:
            user = await uow.users.get(actor.organization_id, actor.user_id, lock=True)
            organization = await uow.organizations.get(actor.organization_id)
            assert user is not None
            assert organization is not None
            now = self._clock.now()
            gate = user.check_can_sign_in(now)
            if isinstance(gate, Failure) and user.is_locked(now):
                return Failure(gate.failure())  # no guessing the current password while locked
            if user.password_hash is None or not self._hasher.verify(user.password_hash, command.current_password):
                locked = user.record_failed_login(now, lockout_policy(organization))
                await uow.users.save(user)
                await uow.audit.record(
                    actor.audit(
                        "auth.password_change",
                        outcome=Outcome.FAILURE,
                        resource_type="user",
                        resource_id=user.id,
                        details={"reason": "bad_current_password", "locked": locked},
                    )
                )
                await uow.commit()
                return Failure(
                    field_invalid(
                        "current_password",
                        "The current password is not correct.",
                        code="auth.invalid_credentials",
                    )
                )
            checked = self._policy.check(command.new_password, user.email, field="new_password")
            if isinstance(checked, Failure):
                return Failure(checked.failure())
            if command.new_password == command.current_password:
                return Failure(
                    field_invalid(
                        "new_password",
                        "Choose a password different from the current one.",
                    )
                )
            user.set_password(self._hasher.hash(command.new_password), now)
            await uow.users.save(user)
            revoked = await uow.sessions.revoke_all_for_user(
                user.organization_id,
                user.id,
                now,
                RevocationReason.PASSWORD_CHANGED,
                keep=actor.session_id,
            )
            await uow.audit.record(
                actor.audit(
                    "auth.password_change",
                    resource_type="user",
                    resource_id=user.id,
                    details={"sessions_revoked": revoked},
                )
            )
            await uow.commit()
            return Success(None)
