"""ExpirePrescriptions: the batch job that marks signed prescriptions past their validity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from medcore.application.prescribing.access import RESOURCE
from medcore.application.prescribing.facts import local_today
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import ActorType, AuditEntry, Outcome
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.shared.ports import Clock

BATCH = 200


@dataclass
class ExpiryRun:
    expired: int = 0
    organizations: set[UUID] = field(default_factory=set)


class ExpirePrescriptions:
    """Marks ``expired`` every signed prescription whose validity ended before today in its
    prescriber's time zone, across organizations, in batches of 200 each committed with
    its audit events. Idempotent (a second run finds nothing to do) and safe to run from
    several machines at once: each claims rows with ``FOR UPDATE SKIP LOCKED``. Dispensed
    and partially dispensed prescriptions keep their status (a pharmacy acted on them)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def due_count(self) -> int:
        async with self._uow() as uow:
            return await uow.prescriptions.count_due_for_expiry(self._clock.now())

    async def execute(self, *, on_progress: Callable[[int], None] | None = None) -> ExpiryRun:
        run = ExpiryRun()
        while True:
            async with self._uow() as uow:
                now = self._clock.now()
                claimed = await uow.prescriptions.claim_due_for_expiry(now, BATCH)
                if not claimed:
                    break
                prescribers: dict[tuple[UUID, UUID], Practitioner | None] = {}
                expired_now = 0
                for prescription in claimed:
                    key = (prescription.organization_id, prescription.prescriber_id)
                    if key not in prescribers:
                        prescribers[key] = await uow.practitioners.get(*key)
                    practitioner = prescribers[key]
                    today = local_today(practitioner, now) if practitioner is not None else now.date()
                    if not prescription.expire_if_due(today, now):
                        continue  # claimed at the edge of a day; the next run takes it
                    await uow.prescriptions.save(prescription)
                    await uow.audit.record(
                        AuditEntry(
                            organization_id=prescription.organization_id,
                            action="prescription.expire",
                            outcome=Outcome.SUCCESS,
                            actor_type=ActorType.SYSTEM,
                            resource_type=RESOURCE,
                            resource_id=prescription.id,
                            patient_id=prescription.patient_id,
                            details={
                                "valid_until": prescription.valid_until.isoformat()
                                if prescription.valid_until
                                else None
                            },
                        )
                    )
                    expired_now += 1
                    run.organizations.add(prescription.organization_id)
                await uow.commit()
            run.expired += expired_now
            if on_progress is not None:
                on_progress(len(claimed))
            if not expired_now:
                break  # only rows at the edge of a day were left: never loop on them
        return run
