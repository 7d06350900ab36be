"""ResetPassword: set a password with a reset or invitation link."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import RequestMeta, anonymous_entry
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.action_token import (
    INVALID_TOKEN,
    TokenPurpose,
)
from medcore.domain.identity.organization import OrganizationSlug
from medcore.domain.identity.password import PasswordPolicy
from medcore.domain.identity.ports import (
    PasswordHasher,
)
from medcore.domain.identity.secrets import digest
from medcore.domain.identity.session import RevocationReason
from medcore.domain.identity.user import UserStatus
from medcore.domain.shared.errors import (
    DomainError,
)
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True)
class ResetPasswordCommand:
    organization: str
    token: str
    new_password: str
    meta: RequestMeta


class ResetPassword:
    """Set a new password with a reset link, or the first one with an invitation link.
    All sessions of the account are signed out."""

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

    async def execute(self, command: ResetPasswordCommand) -> Result[None, DomainError]:
        slug = OrganizationSlug.parse(command.organization, field="organization")
        if isinstance(slug, Failure):
            return Failure(INVALID_TOKEN)
        async with self._uow() as uow:
            organization = await uow.organizations.by_slug(slug.unwrap())
            if organization is None:
                return Failure(INVALID_TOKEN)
            token = await uow.action_tokens.by_hash(organization.id, digest(command.token), lock=True)
            if token is None or token.purpose not in (
                TokenPurpose.PASSWORD_RESET,
                TokenPurpose.INVITATION,
            ):
                return Failure(INVALID_TOKEN)
            user = await uow.users.get(organization.id, token.user_id, lock=True)
            now = self._clock.now()
            if user is None or user.status is UserStatus.DEACTIVATED or isinstance(token.consume(now), Failure):
                return Failure(INVALID_TOKEN)
            checked = self._policy.check(command.new_password, user.email, field="new_password")
            if isinstance(checked, Failure):
                return Failure(checked.failure())
            password_hash = self._hasher.hash(command.new_password)
            if token.purpose is TokenPurpose.INVITATION:
                accepted = user.accept_invitation(password_hash, now)
                if isinstance(accepted, Failure):
                    return Failure(INVALID_TOKEN)
            else:
                user.set_password(password_hash, now)
            await uow.action_tokens.save(token)
            await uow.users.save(user)
            revoked = await uow.sessions.revoke_all_for_user(
                organization.id, user.id, now, RevocationReason.PASSWORD_CHANGED
            )
            await uow.audit.record(
                anonymous_entry(
                    organization.id,
                    "auth.invitation_accept" if token.purpose is TokenPurpose.INVITATION else "auth.password_reset",
                    command.meta,
                    outcome=Outcome.SUCCESS,
                    actor_id=user.id,
                    resource_type="user",
                    resource_id=user.id,
                    details={"sessions_revoked": revoked},
                )
            )
            await uow.commit()
            return Success(None)
