"""Logout: end the current session."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from medcore.application.identity.session_errors import NOT_A_SESSION
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.session import RevocationReason
from medcore.domain.shared.errors import DomainError, not_found
from medcore.domain.shared.ports import Clock


class Logout:
    """End the caller's session: its access and refresh tokens stop working at once."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor) -> Result[None, DomainError]:
        if actor.session_id is None:
            return Failure(NOT_A_SESSION)
        async with self._uow() as uow:
            session = await uow.sessions.get(actor.organization_id, actor.session_id, lock=True)
            if session is None:
                return Failure(not_found("session"))
            now = self._clock.now()
            session.revoke(now, RevocationReason.LOGOUT)
            await uow.sessions.save(session)
            await uow.audit.record(actor.audit("auth.logout", resource_type="session", resource_id=session.id))
            await uow.commit()
            return Success(None)
