"""The caller's organization."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, patch
from litestar.datastructures import ResponseHeader
from litestar.params import JSONBody
from msgspec import UNSET

from medcore.application.identity.get_organization import GetOrganization
from medcore.application.identity.update_organization import (
    UpdateOrganization,
    UpdateOrganizationCommand,
)
from medcore.application.shared.actor import Actor
from medcore.entrypoints.http.etag import etag, expected_version
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.identity import (
    OrganizationOut,
    UpdateOrganizationRequest,
    organization_out,
)

Req = Request[Any, Any, Any]
ETAG_HEADER = [ResponseHeader(name="ETag", description="The version, for If-Match", documentation_only=True)]


@get(
    "/current",
    summary="Get my organization and its settings",
    security=SECURED,
    responses=documented(),
    response_headers=ETAG_HEADER,
)
async def get_current(actor: Inject[Actor], get_organization: Inject[GetOrganization]) -> Response[OrganizationOut]:
    organization = unwrap(await get_organization.execute(actor))
    return Response(organization_out(organization), headers={"ETag": etag(organization.version)})


@patch(
    "/current",
    summary="Rename my organization or change its settings",
    description="Merge semantics; settings: `self_registration`, `mfa_required_roles`, `lockout_threshold` (3-20), "
    "`lockout_minutes` (1-1440). Every change is audited. `If-Match` makes it conditional (412).",
    security=SECURED,
    responses=documented(412),
    response_headers=ETAG_HEADER,
)
async def update_current(
    data: JSONBody[UpdateOrganizationRequest],
    request: Req,
    actor: Inject[Actor],
    update_organization: Inject[UpdateOrganization],
) -> Response[OrganizationOut]:
    settings = data.settings if data.settings is not UNSET else None

    def setting(name: str) -> Any:
        if settings is None:
            return None
        value = getattr(settings, name)
        return None if value is UNSET else value

    roles = setting("mfa_required_roles")
    command = UpdateOrganizationCommand(
        name=None if data.name is UNSET else data.name,
        self_registration=setting("self_registration"),
        mfa_required_roles=frozenset(roles) if roles is not None else None,
        lockout_threshold=setting("lockout_threshold"),
        lockout_minutes=setting("lockout_minutes"),
        scheduling=scheduling.changes() if (scheduling := setting("scheduling")) is not None else None,
        patients=patients.changes() if (patients := setting("patients")) is not None else None,
        expected_version=expected_version(request),
    )
    organization = unwrap(await update_organization.execute(actor, command))
    return Response(organization_out(organization), headers={"ETag": etag(organization.version)})


router = Router(
    path="/api/v1/organizations",
    tags=["organization"],
    route_handlers=[get_current, update_current],
)
