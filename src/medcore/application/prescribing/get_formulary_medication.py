"""GetFormularyMedication: one medication of the formulary, by its ATC code."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.prescribing.formulary import Formulary, Medication
from medcore.domain.shared.errors import DomainError, not_found


class GetFormularyMedication:
    """Needs ``prescriptions:read`` or ``prescriptions:write``: limits, forms, routes,
    controlled schedule and contraindications of one medication."""

    def __init__(self, uow: UnitOfWorkFactory, formulary: Formulary) -> None:
        self._uow = uow
        self._formulary = formulary

    async def execute(self, actor: Actor, code: str) -> Result[Medication, DomainError]:
        if actor.mfa_enrollment_required or not (
            actor.can(Permission.PRESCRIPTIONS_READ) or actor.can(Permission.PRESCRIPTIONS_WRITE)
        ):
            async with self._uow() as uow:
                denied = await authorize(
                    uow, actor, Permission.PRESCRIPTIONS_READ, action="formulary.read", resource_type="formulary"
                )
                assert isinstance(denied, Failure)
                return Failure(denied.failure())
        medication = self._formulary.medication(code)
        if medication is None:
            return Failure(not_found("medication"))
        return Success(medication)
