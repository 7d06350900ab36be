"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Literal

import msgspec
from litestar import Response, Router, get
from litestar.openapi.datastructures import ResponseSpec

from medcore.application.platform.health import ReadinessProbe
from medcore.entrypoints.http.routes.common import Inject

EXEMPT = {"rate_limit": "exempt"}


class Health(msgspec.Struct, frozen=True):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = {}


@get("/live", summary="The process is up", opt=EXEMPT, cache=False)
async def live() -> Health:
    return Health(status="ok")


@get(
    "/ready",
    summary="The database answers and its schema is current",
    opt=EXEMPT,
    responses={503: ResponseSpec(Health, description="Not ready: a check failed", generate_examples=False)},
)
async def ready(readiness: Inject[ReadinessProbe]) -> Response[Health]:
    checks = await readiness.check()
    healthy = all(value == "ok" for value in checks.values())
    return Response(
        Health(status="ok" if healthy else "unavailable", checks=checks),
        status_code=200 if healthy else 503,
    )


router = Router(
    path="/health",
    tags=["operations"],
    route_handlers=[live, ready],
    include_in_schema=True,
)
