"""RevokeSession: sign one of one's own sessions out."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.identity.session_errors import NOT_A_SESSION
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.session import RevocationReason
from medcore.domain.shared.errors import DomainError, not_found
from medcore.domain.shared.ports import Clock


class RevokeSession:
    """Sign one of the caller's own sessions out (a lost phone, a shared computer)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, session_id: UUID) -> Result[None, DomainError]:
        if actor.user_id is None:
            return Failure(NOT_A_SESSION)
        async with self._uow() as uow:
            session = await uow.sessions.get(actor.organization_id, session_id, lock=True)
            if session is None or session.user_id != actor.user_id:
                return Failure(not_found("session"))
            now = self._clock.now()
            if session.revoke(now, RevocationReason.REVOKED_BY_USER):
                await uow.sessions.save(session)
                await uow.audit.record(
                    actor.audit(
                        "auth.session_revoke",
                        resource_type="session",
                        resource_id=session.id,
                    )
                )
                await uow.commit()
            return Success(None)
