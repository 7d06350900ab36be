"""DeactivateUser: close an account; its sessions end at once."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.identity.update_user import LAST_OWNER
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission, Role
from medcore.domain.identity.session import RevocationReason
from medcore.domain.identity.user import User, UserStatus
from medcore.domain.shared.errors import (
    DomainError,
    conflict,
    not_found,
    version_mismatch,
)
from medcore.domain.shared.ports import Clock


class DeactivateUser:
    """The account can no longer sign in, and every token it holds stops working on the
    next request. Records about the person stay (retention decides their fate)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, actor: Actor, user_id: UUID, expected_version: int | None = None
    ) -> Result[User, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.USERS_WRITE,
                action="user.deactivate",
                resource_type="user",
                resource_id=user_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            user = await uow.users.get(actor.organization_id, user_id, lock=True)
            if user is None:
                return Failure(not_found("user"))
            if expected_version is not None and expected_version != user.version:
                return Failure(version_mismatch("user"))
            if user.id == actor.id:
                return Failure(
                    conflict(
                        "user.cannot_deactivate_self",
                        "You cannot deactivate your own account.",
                    )
                )
            if user.role is Role.OWNER:
                if actor.role is not Role.OWNER:
                    return Failure(
                        conflict(
                            "user.owner_protected",
                            "Only an owner can deactivate an owner.",
                        )
                    )
                # Owner changes are serialised on the organization row, so two owners cannot
                # remove each other at the same moment and leave the organization with none.
                await uow.organizations.get(actor.organization_id, lock=True)
                if user.status is UserStatus.ACTIVE and await uow.users.count_active_owners(actor.organization_id) <= 1:
                    return Failure(LAST_OWNER)
            now = self._clock.now()
            deactivated = user.deactivate(now)
            if isinstance(deactivated, Failure):
                return Failure(deactivated.failure())
            await uow.users.save(user)
            revoked = await uow.sessions.revoke_all_for_user(
                actor.organization_id, user.id, now, RevocationReason.USER_DEACTIVATED
            )
            await uow.audit.record(
                actor.audit(
                    "user.deactivate",
                    resource_type="user",
                    resource_id=user.id,
                    details={"sessions_revoked": revoked},
                )
            )
            await uow.commit()
            return Success(user)
