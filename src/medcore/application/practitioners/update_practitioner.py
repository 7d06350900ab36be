"""UpdatePractitioner: change a practitioner's profile, licence, authorisations or calendar
settings."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.practitioners.access import check_link
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.changes import UNCHANGED
from medcore.domain.practitioners.practitioner import Practitioner, PractitionerChanges
from medcore.domain.shared.errors import DomainError, not_found, version_mismatch
from medcore.domain.shared.ports import Clock

# Changes whose new value the audit trail keeps (authorisations and links, not names).
_AUDITED_VALUES = ("can_prescribe", "controlled_substances", "active")


@dataclass(frozen=True, slots=True)
class UpdatePractitionerCommand:
    practitioner_id: UUID
    changes: PractitionerChanges
    expected_version: int | None = None


class UpdatePractitioner:
    """Merge the given fields into the practitioner (``null`` clears the optional ones:
    ``user_id``, ``licence_number``, ``licence_expires_on``, ``daily_capacity``). With
    ``expected_version`` (from ``If-Match``) the change applies only if nobody changed the
    practitioner since it was read. ``active: false`` takes the practitioner out of booking;
    their appointments stay."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, command: UpdatePractitionerCommand) -> Result[Practitioner, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.PRACTITIONERS_WRITE,
                action="practitioner.update",
                resource_type="practitioner",
                resource_id=command.practitioner_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            practitioner = await uow.practitioners.get(actor.organization_id, command.practitioner_id, lock=True)
            if practitioner is None:
                return Failure(not_found("practitioner"))
            if command.expected_version is not None and command.expected_version != practitioner.version:
                return Failure(version_mismatch("practitioner"))
            changed = practitioner.update(command.changes, self._clock.now())
            if isinstance(changed, Failure):
                return Failure(changed.failure())
            fields = changed.unwrap()
            if not fields:
                return Success(practitioner)
            new_user = command.changes.user_id
            if "user_id" in fields and new_user is not UNCHANGED and new_user is not None:
                linkable = await check_link(uow, actor.organization_id, new_user, practitioner.id)
                if isinstance(linkable, Failure):
                    return Failure(linkable.failure())
            if not await uow.practitioners.save(practitioner):
                return Failure(version_mismatch("practitioner"))
            details: dict[str, str | int | bool | None] = {"fields": ",".join(sorted(fields))}
            if "user_id" in fields:
                details["user_id"] = str(practitioner.user_id) if practitioner.user_id else None
            for name in _AUDITED_VALUES:
                if name in fields:
                    details[name] = bool(getattr(practitioner, name))
            await uow.audit.record(
                actor.audit(
                    "practitioner.update", resource_type="practitioner", resource_id=practitioner.id, details=details
                )
            )
            await uow.commit()
            return Success(practitioner)
