"""Availability search: the starts a booking would accept."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Router, get
from litestar.params import FromPath, QueryParameter

from medcore.application.scheduling.search_availability import SearchAvailability, SearchAvailabilityCommand
from medcore.application.shared.actor import Actor
from medcore.entrypoints.http.params import FromInstant, ToInstant, parse_instant
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.scheduling import AvailabilityOut, MultiAvailabilityOut, slots_out

DurationParam = Annotated[int | None, QueryParameter(name="duration_minutes", ge=1, le=1440)]
TypeParam = Annotated[
    UUID | None,
    QueryParameter(name="appointment_type", description="An appointment type id (its default duration and bounds)"),
]

DESCRIPTION = (
    "Every start on the organization's grid between `from` and `to` (at most 62 days) where a booking of "
    "`duration_minutes` (or the `appointment_type`'s default duration) by the caller would be accepted: within "
    "working hours in the practitioner's time zone (correct across daylight-saving changes), outside time off and "
    "holidays, clear of other appointments and their buffers, within daily capacity, minimum notice (patients) and "
    "the booking horizon."
)


@get(
    "/api/v1/practitioners/{practitioner_id:uuid}/availability",
    summary="Free slots of a practitioner",
    description=DESCRIPTION,
    security=SECURED,
    responses=documented(404),
    tags=["appointments"],
)
async def practitioner_availability(
    practitioner_id: FromPath[UUID],
    actor: Inject[Actor],
    search_availability: Inject[SearchAvailability],
    from_: FromInstant,
    to: ToInstant,
    duration_minutes: DurationParam = None,
    appointment_type: TypeParam = None,
) -> AvailabilityOut:
    [found] = unwrap(
        await search_availability.execute(
            actor,
            SearchAvailabilityCommand(
                practitioner_ids=(practitioner_id,),
                window_start=parse_instant(from_, "from"),
                window_end=parse_instant(to, "to"),
                duration_minutes=duration_minutes,
                appointment_type_id=appointment_type,
            ),
        )
    )
    return AvailabilityOut(practitioner_id=found.practitioner_id, slots=slots_out(found.slots))


@get(
    "/api/v1/availability",
    summary="Free slots of several practitioners",
    description=DESCRIPTION + " Repeat `practitioner_id` for each practitioner (at most 20).",
    security=SECURED,
    responses=documented(404),
    tags=["appointments"],
)
async def availability(
    actor: Inject[Actor],
    search_availability: Inject[SearchAvailability],
    practitioner_id: Annotated[list[UUID], QueryParameter(name="practitioner_id", min_items=1, max_items=20)],
    from_: FromInstant,
    to: ToInstant,
    duration_minutes: DurationParam = None,
    appointment_type: TypeParam = None,
) -> MultiAvailabilityOut:
    found = unwrap(
        await search_availability.execute(
            actor,
            SearchAvailabilityCommand(
                practitioner_ids=tuple(practitioner_id),
                window_start=parse_instant(from_, "from"),
                window_end=parse_instant(to, "to"),
                duration_minutes=duration_minutes,
                appointment_type_id=appointment_type,
            ),
        )
    )
    return MultiAvailabilityOut(
        practitioners=[AvailabilityOut(practitioner_id=f.practitioner_id, slots=slots_out(f.slots)) for f in found]
    )


router = Router(path="/", route_handlers=[practitioner_availability, availability])
