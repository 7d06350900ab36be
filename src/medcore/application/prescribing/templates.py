"""What the template use cases share: items stored with a template, and who manages whose."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from medcore.application.prescribing.access import own_practitioner
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.prescribing.template import PrescriptionTemplate
from medcore.domain.shared.errors import DomainError, forbidden

RESOURCE = "prescription_template"
NOT_YOURS = forbidden(
    "prescription_template.not_yours", "This is another practitioner's template: you prescribe as yourself."
)


async def check_owner(uow: UnitOfWork, actor: Actor, template: PrescriptionTemplate) -> Result[None, DomainError]:
    """A prescribing practitioner uses and manages their own templates; staff who do not
    prescribe themselves (nurses, the practice's owner) manage any."""
    own = await own_practitioner(uow, actor)
    if own is not None and own.id != template.practitioner_id:
        return Failure(NOT_YOURS)
    return Success(None)
