"""API keys for integrations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, delete, get, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody

from medcore.application.identity.create_api_key import (
    CreateApiKey,
    CreateApiKeyCommand,
)
from medcore.application.identity.list_api_keys import ListApiKeys
from medcore.application.identity.queries import API_KEY_LIST
from medcore.application.identity.revoke_api_key import RevokeApiKey
from medcore.application.identity.rotate_api_key import (
    RotateApiKey,
    RotateApiKeyCommand,
)
from medcore.application.shared.actor import Actor
from medcore.domain.shared.ports import Clock
from medcore.entrypoints.http.etag import expected_version
from medcore.entrypoints.http.listing import boolean, page_info, parse_list_query
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.identity import (
    ApiKeyIssued,
    ApiKeyList,
    CreateApiKeyRequest,
    RotateApiKeyRequest,
    api_key_out,
)

Req = Request[Any, Any, Any]
SECRET_ONCE = {"idempotency": "unsupported"}


@get(
    "/",
    summary="List API keys",
    description="Filter `active=true|false`; sort by `created_at` or `name`. Secrets are never shown again.",
    security=SECURED,
    responses=documented(),
)
async def list_api_keys(
    request: Req,
    actor: Inject[Actor],
    list_api_keys: Inject[ListApiKeys],
    clock: Inject[Clock],
) -> ApiKeyList:
    page = unwrap(await list_api_keys.execute(actor, parse_list_query(request, API_KEY_LIST, {"active": boolean})))
    now = clock.now()
    return ApiKeyList(items=[api_key_out(k, now) for k in page.items], page=page_info(page))


@post(
    "/",
    summary="Create an API key",
    description="Scopes are permissions, no wider than your own. The `key` is shown in this answer only.",
    security=SECURED,
    responses=documented(),
    opt=SECRET_ONCE,
    response_headers=[ResponseHeader(name="Location", description="The new key", documentation_only=True)],
)
async def create_api_key(
    data: JSONBody[CreateApiKeyRequest],
    actor: Inject[Actor],
    create_api_key: Inject[CreateApiKey],
    clock: Inject[Clock],
) -> Response[ApiKeyIssued]:
    issued = unwrap(
        await create_api_key.execute(
            actor,
            CreateApiKeyCommand(name=data.name, scopes=tuple(data.scopes), expires_at=data.expires_at),
        )
    )
    return Response(
        ApiKeyIssued(api_key=api_key_out(issued.key, clock.now()), key=issued.secret),
        status_code=201,
        headers={"Location": f"/api/v1/api-keys/{issued.key.id}"},
    )


@post(
    "/{api_key_id:uuid}/rotate",
    status_code=200,
    summary="Rotate an API key",
    description="Issues a new secret for the key; the previous one keeps working for `overlap_minutes` (default 24 h, at most 7 days).",
    security=SECURED,
    responses=documented(404, 409, 412),
    opt=SECRET_ONCE,
)
async def rotate_api_key(
    api_key_id: FromPath[UUID],
    request: Req,
    actor: Inject[Actor],
    rotate_api_key: Inject[RotateApiKey],
    clock: Inject[Clock],
    data: JSONBody[RotateApiKeyRequest | None] = None,
) -> ApiKeyIssued:
    overlap = timedelta(minutes=(data or RotateApiKeyRequest()).overlap_minutes)
    issued = unwrap(
        await rotate_api_key.execute(
            actor,
            RotateApiKeyCommand(
                api_key_id=api_key_id,
                overlap=overlap,
                expected_version=expected_version(request),
            ),
        )
    )
    return ApiKeyIssued(api_key=api_key_out(issued.key, clock.now()), key=issued.secret)


@delete(
    "/{api_key_id:uuid}",
    status_code=204,
    summary="Revoke an API key",
    security=SECURED,
    responses=documented(404, 409),
)
async def revoke_api_key(
    api_key_id: FromPath[UUID], actor: Inject[Actor], revoke_api_key: Inject[RevokeApiKey]
) -> None:
    unwrap(await revoke_api_key.execute(actor, api_key_id))


router = Router(
    path="/api/v1/api-keys",
    tags=["api keys"],
    route_handlers=[list_api_keys, create_api_key, rotate_api_key, revoke_api_key],
)
