"""User administration."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody
from msgspec import UNSET

from medcore.application.identity.create_user import CreateUser, CreateUserCommand
from medcore.application.identity.deactivate_user import DeactivateUser
from medcore.application.identity.get_user import GetUser
from medcore.application.identity.list_users import ListUsers
from medcore.application.identity.queries import USER_LIST
from medcore.application.identity.update_user import UpdateUser, UpdateUserCommand
from medcore.application.shared.actor import Actor
from medcore.domain.identity.permissions import Role
from medcore.domain.identity.user import UserStatus
from medcore.domain.shared.ports import Clock
from medcore.entrypoints.http.etag import etag, expected_version
from medcore.entrypoints.http.listing import one_of, page_info, parse_list_query
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.identity import (
    CreateUserRequest,
    UpdateUserRequest,
    UserList,
    UserOut,
    user_out,
)

Req = Request[Any, Any, Any]
ETAG_HEADER = [ResponseHeader(name="ETag", description="The version, for If-Match", documentation_only=True)]

_FILTERS = {
    "role": one_of(*(r.value for r in Role)),
    "status": one_of(*(s.value for s in UserStatus)),
    "email": lambda value: value.strip().lower(),
}


@get(
    "/",
    summary="List users",
    description="Filters: `role`, `status`, `email`; `q` searches names and email; sort by "
    "`created_at`, `email`, `family_name`, `given_name` (prefix `-` for descending).",
    security=SECURED,
    responses=documented(),
)
async def list_users(
    request: Req,
    actor: Inject[Actor],
    list_users: Inject[ListUsers],
    clock: Inject[Clock],
) -> UserList:
    page = unwrap(await list_users.execute(actor, parse_list_query(request, USER_LIST, _FILTERS)))
    now = clock.now()
    return UserList(items=[user_out(u, now) for u in page.items], page=page_info(page))


@post(
    "/",
    summary="Create a user",
    description="With a password the account can sign in at once; without one, the person is invited by email.",
    security=SECURED,
    responses=documented(409),
    response_headers=[
        ResponseHeader(name="Location", description="The new user", documentation_only=True),
        *ETAG_HEADER,
    ],
)
async def create_user(
    data: JSONBody[CreateUserRequest],
    actor: Inject[Actor],
    create_user: Inject[CreateUser],
    clock: Inject[Clock],
) -> Response[UserOut]:
    user = unwrap(
        await create_user.execute(
            actor,
            CreateUserCommand(
                email=data.email,
                role=data.role,
                given_name=data.given_name,
                family_name=data.family_name,
                password=data.password,
            ),
        )
    )
    return Response(
        user_out(user, clock.now()),
        status_code=201,
        headers={"Location": f"/api/v1/users/{user.id}", "ETag": etag(user.version)},
    )


@get(
    "/{user_id:uuid}",
    summary="Get a user",
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_user(
    user_id: FromPath[UUID], actor: Inject[Actor], get_user: Inject[GetUser], clock: Inject[Clock]
) -> Response[UserOut]:
    user = unwrap(await get_user.execute(actor, user_id))
    return Response(user_out(user, clock.now()), headers={"ETag": etag(user.version)})


@patch(
    "/{user_id:uuid}",
    summary="Update a user's names or role",
    description="Merge semantics. Send `If-Match` with the ETag to refuse the change if the user changed meanwhile (412).",
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def update_user(
    user_id: FromPath[UUID],
    data: JSONBody[UpdateUserRequest],
    request: Req,
    actor: Inject[Actor],
    update_user: Inject[UpdateUser],
    clock: Inject[Clock],
) -> Response[UserOut]:
    command = UpdateUserCommand(
        user_id=user_id,
        given_name=None if data.given_name is UNSET else data.given_name,
        family_name=None if data.family_name is UNSET else data.family_name,
        role=None if data.role is UNSET else data.role,
        expected_version=expected_version(request),
    )
    user = unwrap(await update_user.execute(actor, command))
    return Response(user_out(user, clock.now()), headers={"ETag": etag(user.version)})


@post(
    "/{user_id:uuid}/deactivate",
    status_code=200,
    summary="Deactivate a user",
    description="The account can no longer sign in; its sessions end at once.",
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def deactivate_user(
    user_id: FromPath[UUID],
    request: Req,
    actor: Inject[Actor],
    deactivate_user: Inject[DeactivateUser],
    clock: Inject[Clock],
) -> Response[UserOut]:
    user = unwrap(await deactivate_user.execute(actor, user_id, expected_version(request)))
    return Response(user_out(user, clock.now()), headers={"ETag": etag(user.version)})


router = Router(
    path="/api/v1/users",
    tags=["users"],
    route_handlers=[list_users, create_user, get_user, update_user, deactivate_user],
)
