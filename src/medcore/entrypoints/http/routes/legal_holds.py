"""Legal holds: while one is active, nothing in its scope is disposed of."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody

from medcore.application.compliance.get_legal_hold import GetLegalHold
from medcore.application.compliance.list_legal_holds import ListLegalHolds
from medcore.application.compliance.place_legal_hold import PlaceLegalHold, PlaceLegalHoldCommand
from medcore.application.compliance.queries import LEGAL_HOLD_LIST
from medcore.application.compliance.release_legal_hold import ReleaseLegalHold, ReleaseLegalHoldCommand
from medcore.application.shared.actor import Actor
from medcore.domain.compliance.holds import HoldScope
from medcore.entrypoints.http.etag import etag, expected_version
from medcore.entrypoints.http.listing import boolean, one_of, page_info, parse_list_query
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.compliance import (
    CreateLegalHoldRequest,
    LegalHoldList,
    LegalHoldOut,
    ReleaseLegalHoldRequest,
    hold_out,
)

Req = Request[Any, Any, Any]
ETAG_HEADER = [ResponseHeader(name="ETag", description="The version, for If-Match", documentation_only=True)]

_FILTERS = {
    "active": boolean,
    "scope": lambda value: HoldScope(one_of(*(s.value for s in HoldScope))(value)),
    "subject_id": UUID,
}


@get(
    "/",
    summary="List legal holds",
    description="Newest first. Filters: `active` (true: not released), `scope`, `subject_id`. "
    "Owners and auditors (`legal_holds:read`).",
    security=SECURED,
    responses=documented(),
)
async def list_legal_holds(
    request: Req, actor: Inject[Actor], list_legal_holds: Inject[ListLegalHolds]
) -> LegalHoldList:
    page = unwrap(await list_legal_holds.execute(actor, parse_list_query(request, LEGAL_HOLD_LIST, _FILTERS)))
    return LegalHoldList(items=[hold_out(h) for h in page.items], page=page_info(page))


@post(
    "/",
    summary="Place a legal hold",
    description="Scope `patient` or `practitioner` (name it in `subject_id`) or `organization` (no `subject_id`). "
    "Until it is released, the retention job disposes of nothing in its scope. Owners and auditors "
    "(`legal_holds:write`).",
    security=SECURED,
    responses=documented(404),
    response_headers=[
        ResponseHeader(name="Location", description="The new hold", documentation_only=True),
        *ETAG_HEADER,
    ],
)
async def place_legal_hold(
    data: JSONBody[CreateLegalHoldRequest], actor: Inject[Actor], place_legal_hold: Inject[PlaceLegalHold]
) -> Response[LegalHoldOut]:
    hold = unwrap(
        await place_legal_hold.execute(
            actor, PlaceLegalHoldCommand(scope=data.scope, reason=data.reason, subject_id=data.subject_id)
        )
    )
    return Response(
        hold_out(hold),
        status_code=201,
        headers={"Location": f"/api/v1/legal-holds/{hold.id}", "ETag": etag(hold.version)},
    )


@get(
    "/{hold_id:uuid}",
    summary="Get a legal hold",
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_legal_hold(
    hold_id: FromPath[UUID], actor: Inject[Actor], get_legal_hold: Inject[GetLegalHold]
) -> Response[LegalHoldOut]:
    hold = unwrap(await get_legal_hold.execute(actor, hold_id))
    return Response(hold_out(hold), headers={"ETag": etag(hold.version)})


@post(
    "/{hold_id:uuid}/release",
    status_code=200,
    summary="Release a legal hold",
    description="With an optional `note`. Disposal of the scope resumes with the next retention run. "
    "A released hold cannot be released again (409). `If-Match` refuses a concurrent change (412).",
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def release_legal_hold(
    hold_id: FromPath[UUID],
    data: JSONBody[ReleaseLegalHoldRequest],
    request: Req,
    actor: Inject[Actor],
    release_legal_hold: Inject[ReleaseLegalHold],
) -> Response[LegalHoldOut]:
    hold = unwrap(
        await release_legal_hold.execute(
            actor, ReleaseLegalHoldCommand(hold_id=hold_id, note=data.note, expected_version=expected_version(request))
        )
    )
    return Response(hold_out(hold), headers={"ETag": etag(hold.version)})


router = Router(
    path="/api/v1/legal-holds",
    tags=["compliance"],
    route_handlers=[list_legal_holds, place_legal_hold, get_legal_hold, release_legal_hold],
)
