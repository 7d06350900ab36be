"""PlanRetention: the dry run. What a retention run would dispose of now, record by record."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from medcore.application.compliance.planning import RetentionPlan, build_plan, utc_today
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found
from medcore.domain.shared.ports import Clock


class PlanRetention:
    """``retention:read``. Changes nothing. When a run was interrupted, the plan is the one
    its resumption would execute (the same day, minus what it already disposed of).
    Audited as ``retention.plan`` with the counts."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor) -> Result[RetentionPlan, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.RETENTION_READ,
                action="retention.plan",
                resource_type="organization",
                resource_id=actor.organization_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            organization = await uow.organizations.get(actor.organization_id)
            if organization is None:
                return Failure(not_found("organization"))
            unfinished = await uow.retention_ledger.unfinished(organization.id)
            as_of = unfinished.as_of if unfinished is not None else utc_today(self._clock)
            plan = await build_plan(uow, organization.id, as_of, organization.settings.retention)
            await uow.audit.record(
                actor.audit(
                    "retention.plan",
                    resource_type="organization",
                    resource_id=organization.id,
                    details={"as_of": as_of.isoformat(), "due": len(plan.disposals)},
                )
            )
            await uow.commit()
            return Success(plan)
