"""The waitlist."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, delete, get, post
from litestar.params import FromPath, JSONBody

from medcore.application.scheduling.join_waitlist import JoinWaitlist, JoinWaitlistCommand
from medcore.application.scheduling.leave_waitlist import LeaveWaitlist
from medcore.application.scheduling.list_waitlist import ListWaitlist
from medcore.application.scheduling.queries import WAITLIST_LIST
from medcore.application.shared.actor import Actor
from medcore.domain.scheduling.waitlist import WaitlistStatus
from medcore.entrypoints.http.listing import one_of, page_info, parse_list_query
from medcore.entrypoints.http.params import uuid_value
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.scheduling import WaitlistEntryOut, WaitlistList, WaitlistRequest, waitlist_out

Req = Request[Any, Any, Any]


@post(
    "/",
    summary="Join the waitlist",
    description="Wait for a practitioner (`practitioner_id`) or any practitioner of a `specialty`, between "
    "`window_start` and `window_end`. When a matching slot frees, the oldest entry is offered it by email or SMS.",
    security=SECURED,
    responses=documented(404),
)
async def join(
    data: JSONBody[WaitlistRequest], actor: Inject[Actor], join_waitlist: Inject[JoinWaitlist]
) -> Response[WaitlistEntryOut]:
    entry = unwrap(
        await join_waitlist.execute(
            actor,
            JoinWaitlistCommand(
                window_start=data.window_start,
                window_end=data.window_end,
                patient_id=data.patient_id,
                practitioner_id=data.practitioner_id,
                specialty=data.specialty,
                note=data.note,
            ),
        )
    )
    return Response(waitlist_out(entry), status_code=201, headers={"Location": f"/api/v1/waitlist/{entry.id}"})


@get(
    "/",
    summary="List waitlist entries",
    description="Filters: practitioner_id, patient_id, status.",
    security=SECURED,
    responses=documented(),
)
async def list_entries(request: Req, actor: Inject[Actor], list_waitlist: Inject[ListWaitlist]) -> WaitlistList:
    converters = {
        "practitioner_id": uuid_value,
        "patient_id": uuid_value,
        "status": one_of(*(s.value for s in WaitlistStatus)),
    }
    page = unwrap(await list_waitlist.execute(actor, parse_list_query(request, WAITLIST_LIST, converters)))
    return WaitlistList(items=[waitlist_out(e) for e in page.items], page=page_info(page))


@delete(
    "/{entry_id:uuid}", status_code=204, summary="Leave the waitlist", security=SECURED, responses=documented(404, 409)
)
async def leave(entry_id: FromPath[UUID], actor: Inject[Actor], leave_waitlist: Inject[LeaveWaitlist]) -> None:
    unwrap(await leave_waitlist.execute(actor, entry_id))


router = Router(path="/api/v1/waitlist", tags=["appointments"], route_handlers=[join, list_entries, leave])
