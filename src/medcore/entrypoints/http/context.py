"""Per-request context: the request id, the client address, the authenticated actor.

The middleware here runs for every routed request. It fixes the request id (accepting a
well-formed ``X-Request-ID``), binds it to the logs, and authenticates the caller when it
presents a bearer token or an API key; handlers that need a caller ask for ``actor``.
"""

from __future__ import annotations

import re
import time
from typing import Any

import structlog
import uuid6
from litestar import Request
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from returns.result import Failure

from medcore.application.identity.authenticate import Authenticate
from medcore.application.shared.actor import Actor, RequestMeta
from medcore.domain.shared.errors import DomainError
from medcore.entrypoints.http.problems import ProblemError

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def state(scope: Scope) -> dict[str, Any]:
    return scope.setdefault("state", {})


def request_id_of(scope: Scope) -> str:
    current = state(scope)
    if "request_id" not in current:
        offered = Headers.from_scope(scope).get("x-request-id")
        current["request_id"] = offered if offered and _REQUEST_ID.match(offered) else uuid6.uuid7().hex
    return str(current["request_id"])


def client_ip(scope: Scope, trust_forwarded: bool) -> str | None:
    if trust_forwarded:
        forwarded = Headers.from_scope(scope).get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64] or None
    client = scope.get("client")
    return client[0] if client else None


def is_https(scope: Scope, trust_forwarded: bool) -> bool:
    if trust_forwarded and Headers.from_scope(scope).get("x-forwarded-proto", "").lower() == "https":
        return True
    return scope.get("scheme") == "https"


def meta_of(scope: Scope) -> RequestMeta:
    meta = state(scope).get("meta")
    assert isinstance(meta, RequestMeta), "request context middleware did not run"
    return meta


def _credentials(headers: Headers) -> tuple[str, str] | None:
    api_key = headers.get("x-api-key")
    if api_key:
        return "api_key", api_key.strip()
    authorization = headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        return ("bearer" if scheme.lower() == "bearer" else "unsupported"), token.strip()
    return None


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _require_json_body(scope: Scope, headers: Headers) -> None:
    """Request bodies are JSON (routes may declare other media types in ``opt["accepts"]``)."""
    if scope.get("method") not in _BODY_METHODS:
        return
    has_body = headers.get("content-length", "0") not in ("", "0") or "transfer-encoding" in headers
    if not has_body:
        return
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    handler = scope.get("route_handler")
    accepted = tuple(handler.opt.get("accepts", ())) if handler is not None else ()
    if media_type == "application/json" or media_type.endswith("+json") or media_type in accepted:
        return
    raise ProblemError(
        415, "unsupported_media_type", "Send the request body as JSON, with 'Content-Type: application/json'."
    )


class RequestContextMiddleware:
    """Request id, client meta, authentication, structured-log context."""

    def __init__(self, app: ASGIApp, authenticate: Any, trust_forwarded: bool) -> None:
        self.app = app
        self._authenticate_provider = authenticate
        self._trust_forwarded = trust_forwarded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        current = state(scope)
        current["started"] = time.perf_counter()
        request_id = request_id_of(scope)
        headers = Headers.from_scope(scope)
        meta = RequestMeta(
            request_id=request_id,
            ip=client_ip(scope, self._trust_forwarded),
            user_agent=(headers.get("user-agent") or "")[:512] or None,
        )
        current["meta"] = meta
        structlog.contextvars.bind_contextvars(request_id=request_id)
        _require_json_body(scope, headers)
        try:
            credentials = _credentials(headers)
            if credentials is not None:
                current["auth_error"] = None
                authenticate: Authenticate = self._authenticate_provider()
                kind, secret = credentials
                if kind == "unsupported" or not secret:
                    current["auth_error"] = "unsupported"
                else:
                    result = await (
                        authenticate.api_key(secret, meta) if kind == "api_key" else authenticate.bearer(secret, meta)
                    )
                    if isinstance(result, Failure):
                        error: DomainError = result.failure()
                        current["auth_error"] = error
                    else:
                        actor: Actor = result.unwrap()
                        current["actor"] = actor
                        structlog.contextvars.bind_contextvars(
                            organization_id=str(actor.organization_id),
                            actor_id=str(actor.id),
                        )
            await self.app(scope, receive, send)
        finally:
            structlog.contextvars.unbind_contextvars("request_id", "organization_id", "actor_id")


UNAUTHENTICATED_HEADERS = {"WWW-Authenticate": 'Bearer realm="medcore"'}


def current_actor(request: Request[Any, Any, Any]) -> Actor:
    """The authenticated caller, or a 401 problem."""
    current = state(request.scope)
    actor = current.get("actor")
    if isinstance(actor, Actor):
        return actor
    error = current.get("auth_error")
    if isinstance(error, DomainError):
        raise ProblemError(401, error.code, error.message, headers=UNAUTHENTICATED_HEADERS)
    if error == "unsupported":
        raise ProblemError(
            401,
            "auth.unsupported_scheme",
            "Use 'Authorization: Bearer <token>' or 'X-API-Key: <key>'.",
            headers=UNAUTHENTICATED_HEADERS,
        )
    raise ProblemError(
        401,
        "auth.unauthenticated",
        "Authentication is required.",
        headers=UNAUTHENTICATED_HEADERS,
    )


def optional_actor(scope: Scope) -> Actor | None:
    actor = state(scope).get("actor")
    return actor if isinstance(actor, Actor) else None
