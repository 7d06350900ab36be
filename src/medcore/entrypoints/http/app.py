"""The Litestar application factory."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from litestar import Litestar, Request
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import (
    JsonRenderPlugin,
    SwaggerRenderPlugin,
    YamlRenderPlugin,
)
from litestar.openapi.spec import Components, SecurityScheme, Tag

import medcore
from medcore.container import Container
from medcore.entrypoints.http.context import RequestContextMiddleware, current_actor
from medcore.entrypoints.http.headers import security_headers_hook
from medcore.entrypoints.http.idempotency import IdempotencyMiddleware
from medcore.entrypoints.http.metrics import (
    PROMETHEUS,
    MetricsController,
    register_pool_metrics,
)
from medcore.entrypoints.http.problems import EXCEPTION_HANDLERS
from medcore.entrypoints.http.ratelimit import RateLimitMiddleware, RateLimits
from medcore.entrypoints.http.routes import (
    api_keys,
    appointments,
    audit,
    auth,
    availability,
    calendar,
    consultation_templates,
    consultations,
    formulary,
    gdpr,
    health,
    legal_holds,
    organizations,
    patient_health,
    patient_history,
    patient_measurements,
    patients,
    practitioners,
    prescription_templates,
    prescriptions,
    resources,
    retention,
    users,
    waitlist,
)

DESCRIPTION = """
The medcore HTTP API. Authenticate with `Authorization: Bearer <access token>` (from
`POST /api/v1/auth/login`) or, for integrations, `X-API-Key: mc_live_...`.

Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`.
Lists take `limit` (1-200), `cursor`, `sort` and the filters each list documents; unknown
parameters are refused with 422. `POST` accepts `Idempotency-Key`; mutable resources carry
an `ETag` that `If-Match` turns into a precondition (412).
"""


def _resolver(provider: Callable[[], Any]) -> Provide:
    def resolve() -> Any:
        return provider()

    return Provide(resolve, sync_to_thread=False)


def _dependencies(container: Container) -> dict[str, Provide]:
    """Litestar's own DI, resolving from the container: one named dependency per use case."""
    use_cases: Any = container.use_cases
    dependencies = {name: _resolver(provider) for name, provider in use_cases.providers.items()}
    dependencies["clock"] = _resolver(container.core.clock)
    dependencies["readiness"] = _resolver(container.gateways.readiness)
    dependencies["formulary"] = _resolver(container.gateways.formulary)
    dependencies["public_url"] = _resolver(lambda: container.settings().public_url)

    def actor(request: Request[Any, Any, Any]) -> Any:
        return current_actor(request)

    dependencies["actor"] = Provide(actor, sync_to_thread=False)
    return dependencies


def _pool_status(container: Container):  # type: ignore[no-untyped-def]
    def status() -> dict[str, int] | None:
        pool: Any = container.gateways.engine().pool
        if not hasattr(pool, "checkedout"):
            return None
        return {
            "checked_out": pool.checkedout(),
            "idle": pool.checkedin(),
            "overflow": max(0, pool.overflow()),
        }

    return status


def _freeze_startup_heap() -> None:
    """Move what startup allocated (modules, table metadata, compiled statements, the
    formulary) out of the garbage collector's reach: its full collections otherwise walk
    all of it and stall a request for 50-100 ms now and then (docs/performance.md, Booking)."""
    gc.collect()
    gc.freeze()


def create_app(container: Container) -> Litestar:
    settings = container.settings()
    limits = RateLimits(settings) if settings.rate_limits_enabled else None
    register_pool_metrics(_pool_status(container))

    async def dispose_engine() -> None:
        await container.gateways.engine().dispose()

    openapi = OpenAPIConfig(
        title="medcore API",
        version=medcore.__version__,
        description=DESCRIPTION.strip(),
        path="/schema",
        render_plugins=[
            SwaggerRenderPlugin(path="/"),
            JsonRenderPlugin(),
            YamlRenderPlugin(),
        ],
        components=Components(
            security_schemes={
                "BearerAuth": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
                "ApiKeyAuth": SecurityScheme(type="apiKey", name="X-API-Key", security_scheme_in="header"),
            }
        ),
        tags=[
            Tag(name="auth", description="Sign-in, sessions, passwords, MFA"),
            Tag(name="users", description="Accounts of the organization"),
            Tag(name="api keys", description="Keys for integrations"),
            Tag(name="organization", description="The tenant and its settings"),
            Tag(name="patients", description="Patient records, their search and version history"),
            Tag(name="medical history", description="Allergies, conditions, medications, body measurements"),
            Tag(name="practitioners", description="Practitioners, their working hours and time off"),
            Tag(name="resources", description="Rooms and equipment, appointment types, holidays"),
            Tag(name="appointments", description="Booking, availability, the waitlist, calendars"),
            Tag(name="consultations", description="Consultations, their signature and addenda, templates"),
            Tag(name="health metrics and reminders", description="Measurements over time, reminders for patients"),
            Tag(name="prescriptions", description="Prescriptions, their checks, signature, PDF and verification"),
            Tag(name="formulary", description="The medications a prescription may name"),
            Tag(name="audit", description="The tamper-evident audit trail, its exports, and patients' access logs"),
            Tag(name="gdpr", description="A patient's data export and erasure"),
            Tag(name="compliance", description="Legal holds, the retention policy and what is due for disposal"),
            Tag(name="operations", description="Health probes"),
        ],
        use_handler_docstrings=False,
    )
    return Litestar(
        route_handlers=[
            auth.router,
            users.router,
            api_keys.router,
            organizations.router,
            patients.router,
            patient_history.router,
            patient_measurements.router,
            practitioners.router,
            resources.holidays_router,
            resources.rooms_router,
            resources.appointment_types_router,
            appointments.router,
            availability.router,
            waitlist.router,
            calendar.router,
            consultations.router,
            consultations.appointment_consultation_router,
            consultation_templates.router,
            patient_health.router,
            prescriptions.router,
            prescriptions.patient_prescriptions_router,
            prescription_templates.router,
            formulary.router,
            audit.router,
            audit.access_log_router,
            gdpr.router,
            legal_holds.router,
            retention.router,
            health.router,
            MetricsController,
        ],
        dependencies=_dependencies(container),
        on_startup=[_freeze_startup_heap],
        middleware=[
            DefineMiddleware(
                RequestContextMiddleware,
                authenticate=container.use_cases.authenticate,
                trust_forwarded=settings.trust_forwarded_headers,
            ),
            PROMETHEUS.middleware,
            DefineMiddleware(RateLimitMiddleware, limits=limits),
            DefineMiddleware(
                IdempotencyMiddleware,
                store=container.gateways.idempotency,
                clock=container.core.clock,
                max_body=settings.max_body_bytes,
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[security_headers_hook(settings.trust_forwarded_headers)],
        openapi_config=openapi,
        compression_config=CompressionConfig(backend="brotli", brotli_gzip_fallback=True, minimum_size=1024),
        cors_config=CORSConfig(
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=[
                "Authorization",
                "X-API-Key",
                "Content-Type",
                "Idempotency-Key",
                "If-Match",
                "X-Request-ID",
            ],
            expose_headers=[
                "ETag",
                "Location",
                "X-Request-ID",
                "Retry-After",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
            ],
            allow_credentials=False,
        )
        if settings.cors_origins
        else None,
        request_max_body_size=settings.max_body_bytes,
        on_shutdown=[dispose_engine],
        debug=False,
    )
