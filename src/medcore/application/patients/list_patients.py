"""ListPatients: the organization's patient records, searched, filtered and paginated."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.patient import Patient
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ListPatients:
    """Needs ``patients:read``. ``q`` finds names, MRN, email and phone by the start of
    their words and tolerates a typo; filters ``sex``, ``birth_date_from``,
    ``birth_date_to``, ``has_user``, ``user_id``, ``mrn``. Every patient returned gets a
    ``patient.list`` audit event, so that each patient's access log is complete."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[Patient], DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.PATIENTS_READ, action="patient.list", resource_type="patient"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            listed = await uow.patients.list(actor.organization_id, query)
            if isinstance(listed, Failure):
                return listed
            page = listed.unwrap()
            for patient in page.items:
                await uow.audit.record(
                    actor.audit(
                        "patient.list",
                        resource_type="patient",
                        resource_id=patient.id,
                        patient_id=patient.id,
                        details={"search": query.search is not None},
                    )
                )
            await uow.commit()
            return Success(page)
