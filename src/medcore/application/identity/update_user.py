"""UpdateUser: change a user's names or role."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.identity.create_user import check_grant
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission, Role
from medcore.domain.identity.user import User, UserStatus
from medcore.domain.shared.errors import (
    DomainError,
    FieldIssue,
    conflict,
    invalid,
    not_found,
    version_mismatch,
)
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True)
class UpdateUserCommand:
    user_id: UUID
    given_name: str | None = None
    family_name: str | None = None
    role: Role | None = None
    expected_version: int | None = None


LAST_OWNER = conflict("user.last_owner", "The organization must keep at least one active owner.")


class UpdateUser:
    """Merge the given fields into the user. With ``expected_version`` (from ``If-Match``)
    the change applies only if nobody changed the user since it was read. Nobody changes
    their own role, and the last owner stays an owner."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, command: UpdateUserCommand) -> Result[User, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.USERS_WRITE,
                action="user.update",
                resource_type="user",
                resource_id=command.user_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            user = await uow.users.get(actor.organization_id, command.user_id, lock=True)
            if user is None:
                return Failure(not_found("user"))
            if command.expected_version is not None and command.expected_version != user.version:
                return Failure(version_mismatch("user"))
            issues: list[FieldIssue] = []
            names: dict[str, str | None] = {"given_name": None, "family_name": None}
            for field_name in names:
                raw = getattr(command, field_name)
                if raw is not None:
                    checked = User.check_name(raw, field_name)
                    if isinstance(checked, Failure):
                        issues.extend(checked.failure().fields)
                    else:
                        names[field_name] = checked.unwrap()
            if command.role is not None and command.role is not user.role:
                if user.id == actor.id:
                    issues.append(FieldIssue("role", "You cannot change your own role."))
                else:
                    grant = check_grant(actor, command.role)
                    if isinstance(grant, Failure):
                        issues.extend(grant.failure().fields)
                    if user.role is Role.OWNER and actor.role is not Role.OWNER:
                        issues.append(FieldIssue("role", "Only an owner can change an owner's role."))
            if issues:
                return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
            now = self._clock.now()
            changed = [name for name, value in names.items() if value is not None and value != getattr(user, name)]
            user.update_profile(
                given_name=names["given_name"],
                family_name=names["family_name"],
                now=now,
            )
            if command.role is not None and command.role is not user.role:
                if user.role is Role.OWNER:  # serialise owner changes (see DeactivateUser)
                    await uow.organizations.get(actor.organization_id, lock=True)
                if (
                    user.role is Role.OWNER
                    and user.status is UserStatus.ACTIVE
                    and await uow.users.count_active_owners(actor.organization_id) <= 1
                ):
                    return Failure(LAST_OWNER)
                user.change_role(command.role, now)
                changed.append("role")
            if not await uow.users.save(user):
                return Failure(version_mismatch("user"))
            await uow.audit.record(
                actor.audit(
                    "user.update",
                    resource_type="user",
                    resource_id=user.id,
                    details={
                        "fields": ",".join(sorted(changed)),
                        **({"role": user.role.value} if "role" in changed else {}),
                    },
                )
            )
            await uow.commit()
            return Success(user)
