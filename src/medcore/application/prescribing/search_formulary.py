"""SearchFormulary: the medications a prescription may name, by name or ATC code."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.prescribing.formulary import Formulary, Medication
from medcore.domain.shared.errors import DomainError, field_invalid
from medcore.domain.shared.listing import ListQuery, Page

INVALID_CURSOR = field_invalid(
    "cursor", "This cursor is not valid for this list and sort.", code="pagination.invalid_cursor"
)
_SORTS = {"name": lambda m: (m.name, m.code), "code": lambda m: (m.code, m.name)}


class SearchFormulary:
    """Needs ``prescriptions:read`` or ``prescriptions:write``. ``q`` matches the start of an
    ATC code (``J01C``: every penicillin) or any part of a name or ingredient; without a
    sort, the best matches come first (code or name prefix), then by name. Filter
    ``controlled``: only (or no) controlled substances."""

    def __init__(self, uow: UnitOfWorkFactory, formulary: Formulary) -> None:
        self._uow = uow
        self._formulary = formulary

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[Medication], DomainError]:
        if actor.mfa_enrollment_required or not (
            actor.can(Permission.PRESCRIPTIONS_READ) or actor.can(Permission.PRESCRIPTIONS_WRITE)
        ):
            async with self._uow() as uow:
                denied = await authorize(
                    uow, actor, Permission.PRESCRIPTIONS_READ, action="formulary.search", resource_type="formulary"
                )
                assert isinstance(denied, Failure)
                return Failure(denied.failure())
        everything = self._formulary.all()
        found = list(self._formulary.search(query.search, len(everything)) if query.search else everything)
        if "controlled" in query.filters:
            wanted = bool(query.filters["controlled"])
            found = [m for m in found if (m.controlled_schedule is not None) == wanted]
        if query.sort or not query.search:
            for key in reversed(query.sort or ()):
                found.sort(key=_SORTS[key.field], reverse=key.descending)
            if not query.sort:
                found.sort(key=_SORTS["name"])
        start = 0
        if query.cursor is not None:
            if not query.cursor.isdigit() or int(query.cursor) > len(found):
                return Failure(INVALID_CURSOR)
            start = int(query.cursor)
        end = start + query.limit
        return Success(
            Page(
                items=found[start:end],
                limit=query.limit,
                next_cursor=str(end) if end < len(found) else None,
                total=len(found),
            )
        )
