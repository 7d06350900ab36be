"""The retention policy and what is due for disposal."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get, put
from litestar.datastructures import ResponseHeader
from litestar.params import JSONBody, Parameter

from medcore.application.compliance.get_retention_policy import GetRetentionPolicy
from medcore.application.compliance.plan_retention import PlanRetention
from medcore.application.compliance.update_retention_policy import (
    PolicyOverride,
    UpdateRetentionPolicy,
    UpdateRetentionPolicyCommand,
)
from medcore.application.shared.actor import Actor
from medcore.entrypoints.http.etag import etag, expected_version
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.compliance import (
    RetentionDueOut,
    RetentionPolicyOut,
    RetentionPolicyRequest,
    due_out,
    retention_policy_out,
)

Req = Request[Any, Any, Any]
ETAG_HEADER = [
    ResponseHeader(name="ETag", description="The organization's version, for If-Match", documentation_only=True)
]


@get(
    "/retention-policy",
    summary="Get the retention policy",
    description="The preset chosen and the policy in force for every record class (period, the event it runs "
    "from, the action at its end), with the preset's legal minimum.",
    security=SECURED,
    responses=documented(),
    response_headers=ETAG_HEADER,
)
async def get_retention_policy(
    actor: Inject[Actor], get_retention_policy: Inject[GetRetentionPolicy]
) -> Response[RetentionPolicyOut]:
    view = unwrap(await get_retention_policy.execute(actor))
    return Response(retention_policy_out(view.settings), headers={"ETag": etag(view.version)})


@put(
    "/retention-policy",
    summary="Set the retention policy",
    description="Choose a preset (`hipaa`, `france`, `gdpr-minimal`) and lengthen the periods of some classes "
    "in `overrides` (they replace the previous overrides). Shortening below the preset's legal minimum is "
    "refused (422 naming `overrides.<class>`). Owners only (`retention:manage`).",
    security=SECURED,
    responses=documented(412),
    response_headers=ETAG_HEADER,
)
async def put_retention_policy(
    data: JSONBody[RetentionPolicyRequest],
    request: Req,
    actor: Inject[Actor],
    update_retention_policy: Inject[UpdateRetentionPolicy],
) -> Response[RetentionPolicyOut]:
    command = UpdateRetentionPolicyCommand(
        preset=data.preset,
        overrides={
            record_class: PolicyOverride(
                years=p.years, months=p.months, anchor=p.anchor, action=p.action, min_age_years=p.min_age_years
            )
            for record_class, p in data.overrides.items()
        },
        expected_version=expected_version(request),
    )
    view = unwrap(await update_retention_policy.execute(actor, command))
    return Response(retention_policy_out(view.settings), headers={"ETag": etag(view.version)})


@get(
    "/retention/due",
    summary="What the retention job would dispose of now",
    description="The dry run of `medcore retention run`: per class, records examined, due, held and to dispose "
    "of by action, and the records themselves (the first `limit`).",
    security=SECURED,
    responses=documented(),
)
async def get_retention_due(
    actor: Inject[Actor],
    plan_retention: Inject[PlanRetention],
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 200,
) -> RetentionDueOut:
    plan = unwrap(await plan_retention.execute(actor))
    return due_out(plan, limit)


router = Router(
    path="/api/v1",
    tags=["compliance"],
    route_handlers=[get_retention_policy, put_retention_policy, get_retention_due],
)
