"""GetPractitioner: one practitioner of the organization."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.practitioners.access import PractitionerView, sees_staff_details
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found


class GetPractitioner:
    """Needs ``practitioners:read``. Staff get the whole profile; patients (and keys scoped
    to the directory) get the directory entry: names, specialties, time zone, working hours."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, practitioner_id: UUID) -> Result[PractitionerView, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.PRACTITIONERS_READ,
                action="practitioner.read",
                resource_type="practitioner",
                resource_id=practitioner_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            practitioner = await uow.practitioners.get(actor.organization_id, practitioner_id)
            if practitioner is None:
                return Failure(not_found("practitioner"))
            return Success(PractitionerView(practitioner, full=sees_staff_details(actor)))
