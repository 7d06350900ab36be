"""Calendar feeds: a practitioner's appointments for calendar clients, at a secret URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWork, UnitOfWorkFactory
from medcore.domain.audit.entry import ActorType, AuditEntry, Outcome
from medcore.domain.identity.permissions import Permission
from medcore.domain.identity.ports import SecretGenerator
from medcore.domain.identity.secrets import digest
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.scheduling.appointment import Appointment
from medcore.domain.scheduling.calendar_feed import CalendarFeed
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.shared.errors import DomainError, ErrorKind, not_found
from medcore.domain.shared.ports import Clock, IdGenerator

FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=180)

UNKNOWN_FEED = DomainError(code="calendar_feed.not_found", message="No such calendar feed.", kind=ErrorKind.NOT_FOUND)


async def _managed_practitioner(
    uow: UnitOfWork, actor: Actor, practitioner_id: UUID, action: str
) -> Result[Practitioner, DomainError]:
    """A practitioner manages their own feed; others need ``practitioners:write``."""
    practitioner = await uow.practitioners.get(actor.organization_id, practitioner_id)
    if practitioner is None:
        return Failure(not_found("practitioner"))
    if actor.user_id is not None and practitioner.user_id == actor.user_id and not actor.mfa_enrollment_required:
        return Success(practitioner)
    allowed = await authorize(
        uow,
        actor,
        Permission.PRACTITIONERS_WRITE,
        action=action,
        resource_type="practitioner",
        resource_id=practitioner_id,
    )
    if isinstance(allowed, Failure):
        return Failure(allowed.failure())
    return Success(practitioner)


@dataclass(frozen=True, slots=True)
class IssuedFeed:
    feed: CalendarFeed
    token: str  # shown once, inside the feed URL


class CreateCalendarFeed:
    """Issue (or re-issue) the practitioner's feed URL; any previous URL stops working."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, secrets: SecretGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._secrets = secrets

    async def execute(self, actor: Actor, practitioner_id: UUID) -> Result[IssuedFeed, DomainError]:
        async with self._uow() as uow:
            managed = await _managed_practitioner(uow, actor, practitioner_id, "calendar_feed.create")
            if isinstance(managed, Failure):
                return Failure(managed.failure())
            now = self._clock.now()
            previous = await uow.calendar_feeds.active_for(actor.organization_id, practitioner_id)
            if previous is not None and previous.revoke(now):
                await uow.calendar_feeds.save(previous)
            token = self._secrets.token()
            feed = CalendarFeed(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                practitioner_id=practitioner_id,
                token_hash=digest(token),
                created_by=actor.id,
                created_at=now,
                updated_at=now,
            )
            await uow.calendar_feeds.add(feed)
            await uow.audit.record(
                actor.audit(
                    "calendar_feed.create",
                    resource_type="calendar_feed",
                    resource_id=feed.id,
                    details={"practitioner_id": str(practitioner_id), "replaced": previous is not None},
                )
            )
            await uow.commit()
            return Success(IssuedFeed(feed=feed, token=token))


class RevokeCalendarFeed:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, practitioner_id: UUID) -> Result[None, DomainError]:
        async with self._uow() as uow:
            managed = await _managed_practitioner(uow, actor, practitioner_id, "calendar_feed.revoke")
            if isinstance(managed, Failure):
                return Failure(managed.failure())
            feed = await uow.calendar_feeds.active_for(actor.organization_id, practitioner_id)
            if feed is None:
                return Failure(UNKNOWN_FEED)
            feed.revoke(self._clock.now())
            await uow.calendar_feeds.save(feed)
            await uow.audit.record(
                actor.audit("calendar_feed.revoke", resource_type="calendar_feed", resource_id=feed.id)
            )
            await uow.commit()
            return Success(None)


@dataclass(frozen=True, slots=True)
class FeedContent:
    practitioner: Practitioner
    appointments: list[Appointment]
    detail: str  # busy | patient_initials | patient_name
    patient_names: dict[UUID, tuple[str, str]]  # only when the organization shows them


class ReadCalendarFeed:
    """What a calendar client fetching the secret URL sees: the practitioner's occupying
    appointments from 30 days back to 180 days ahead, with no clinical details and patient
    names only as far as the organization's ``calendar_detail`` setting allows."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, token: str) -> Result[FeedContent, DomainError]:
        async with self._uow() as uow:
            feed = await uow.calendar_feeds.by_token(digest(token))
            if feed is None or not feed.active:
                return Failure(UNKNOWN_FEED)
            practitioner = await uow.practitioners.get(feed.organization_id, feed.practitioner_id)
            organization = await uow.organizations.get(feed.organization_id)
            if practitioner is None or organization is None:
                return Failure(UNKNOWN_FEED)
            now = self._clock.now()
            window = Interval(now - FEED_PAST, now + FEED_FUTURE)
            appointments = await uow.appointments.for_practitioner(feed.organization_id, practitioner.id, window)
            detail = organization.settings.scheduling.calendar_detail
            names: dict[UUID, tuple[str, str]] = {}
            if detail != "busy":
                for patient_id in sorted({a.patient_id for a in appointments}):
                    patient = await uow.patients.get(feed.organization_id, patient_id)
                    if patient is not None:
                        names[patient_id] = (patient.given_name, patient.family_name)
                        await uow.audit.record(
                            AuditEntry(
                                organization_id=feed.organization_id,
                                action="calendar_feed.read",
                                outcome=Outcome.SUCCESS,
                                actor_type=ActorType.SYSTEM,
                                resource_type="calendar_feed",
                                resource_id=feed.id,
                                patient_id=patient_id,
                                details={"detail": detail},
                            )
                        )
            feed.last_fetched_at = now
            feed.updated_at = now
            await uow.calendar_feeds.save(feed)
            await uow.commit()
            return Success(
                FeedContent(practitioner=practitioner, appointments=appointments, detail=detail, patient_names=names)
            )
