"""ListSessions: the caller's active sessions."""

from __future__ import annotations

from collections.abc import Sequence

from returns.result import Failure, Result, Success

from medcore.application.identity.session_errors import NOT_A_SESSION
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.session import Session
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.ports import Clock


class ListSessions:
    """The caller's active sessions (devices), newest first."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor) -> Result[Sequence[Session], DomainError]:
        if actor.user_id is None:
            return Failure(NOT_A_SESSION)
        async with self._uow() as uow:
            sessions = await uow.sessions.active_for_user(actor.organization_id, actor.user_id, self._clock.now())
            return Success(sessions)
