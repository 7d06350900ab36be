"""ListConsultations: consultations by patient, practitioner, status or time."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.clinical.access import clinical_scope
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.consultation import Consultation, ConsultationStatus
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ListConsultations:
    """Filters ``patient_id``, ``practitioner_id``, ``appointment_id``, ``status``, and
    ``from``/``to`` on ``started_at``; newest first unless sorted. Staff need
    ``consultations:read``; a patient account lists its own signed consultations (its other
    filters still apply). Every patient whose consultations are on the page gets an audit
    event."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[Consultation], DomainError]:
        async with self._uow() as uow:
            found = await clinical_scope(
                uow, actor, (Permission.CONSULTATIONS_READ,), action="consultation.list", resource_type="consultation"
            )
            if isinstance(found, Failure):
                return Failure(found.failure())
            scope = found.unwrap()
            if scope.patient_id is not None:
                asked = query.filters.get("patient_id")
                if asked is not None and asked != scope.patient_id:
                    # Another patient's consultations: the same empty page a stranger's id gives.
                    return Success(Page(items=[], limit=query.limit, next_cursor=None, total=0))
                if query.filters.get("status", ConsultationStatus.SIGNED.value) != ConsultationStatus.SIGNED.value:
                    return Success(Page(items=[], limit=query.limit, next_cursor=None, total=0))
                filters = {**query.filters, "patient_id": scope.patient_id, "status": ConsultationStatus.SIGNED.value}
                query = replace(query, filters=filters)
            listed = await uow.consultations.list(actor.organization_id, query)
            if isinstance(listed, Failure):
                return listed
            page = listed.unwrap()
            seen = Counter(c.patient_id for c in page.items)
            asked_for = query.filters.get("patient_id")
            if isinstance(asked_for, UUID):
                seen.setdefault(asked_for, 0)  # looking, even at nothing, is a look at the record
            for patient_id, count in sorted(seen.items()):
                await uow.audit.record(
                    actor.audit(
                        "consultation.list",
                        resource_type="patient",
                        resource_id=patient_id,
                        patient_id=patient_id,
                        details={"count": count, **scope.details()},
                    )
                )
            await uow.commit()
            return Success(page)
