"""Offering a freed slot to the waitlist, first come first served."""

from __future__ import annotations

import uuid

from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.audit.entry import ActorType, AuditEntry, Outcome
from medcore.domain.notifications.ports import Channel, Notification, Notifier
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.shared.ports import Clock

_OFFER_NAMESPACE = uuid.UUID("6f1f8a52-2f2a-4a64-9c39-3d1d9b7f0c11")


async def offer_freed_slot(
    uow: UnitOfWork,
    notifier: Notifier,
    clock: Clock,
    practitioner: Practitioner,
    slot: Interval,
    request_id: str | None,
) -> uuid.UUID | None:
    """Offer ``slot`` to the oldest waiting entry it serves (by practitioner or specialty,
    with a window containing the slot). Delivery happens inside the transaction with an id
    derived from the entry and the slot, so a retried run never sends the same offer twice.
    Returns the entry offered, if any."""
    now = clock.now()
    if slot.start <= now:
        return None
    organization_id = practitioner.organization_id
    for entry in await uow.waitlist.waiting_for(organization_id, practitioner.id, practitioner.specialties, slot):
        patient = await uow.patients.get(organization_id, entry.patient_id)
        if patient is None:
            continue
        entry.offer(slot, practitioner.id, now)
        await uow.waitlist.save(entry)
        await uow.audit.record(
            AuditEntry(
                organization_id=organization_id,
                action="waitlist.offer",
                outcome=Outcome.SUCCESS,
                actor_type=ActorType.SYSTEM,
                resource_type="waitlist_entry",
                resource_id=entry.id,
                patient_id=entry.patient_id,
                request_id=request_id,
                details={"practitioner_id": str(practitioner.id)},
            )
        )
        wants_sms = str(getattr(patient.preferred_channel, "value", patient.preferred_channel)) == "sms"
        channel, to = (Channel.SMS, patient.phone) if wants_sms and patient.phone else (Channel.EMAIL, patient.email)
        if to:
            local = slot.start.astimezone(practitioner.time_zone.zone)
            await notifier.deliver(
                Notification(
                    id=uuid.uuid5(_OFFER_NAMESPACE, f"{entry.id}:{slot.start.isoformat()}"),
                    organization_id=organization_id,
                    channel=channel,
                    to=to,
                    subject="An earlier appointment is available",
                    text=(
                        f"A slot is free with {practitioner.given_name} {practitioner.family_name} on "
                        f"{local:%A %d %B %Y at %H:%M} ({practitioner.time_zone.value}). "
                        "Book it from your patient portal or call the practice."
                    ),
                    kind="waitlist.offer",
                )
            )
        return entry.id
    return None
