"""Headers on every response: the request id, security headers, and an access log line."""

from __future__ import annotations

import time

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import Message, Scope

from medcore.entrypoints.http.context import is_https, request_id_of, state

access_log = structlog.get_logger("medcore.access")

API_CSP = "default-src 'none'; frame-ancestors 'none'"
# The API reference page loads its viewer from a CDN.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://unpkg.com; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://unpkg.com https://fonts.googleapis.com; "
    "font-src 'self' data: https://fonts.gstatic.com https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "connect-src 'self'; frame-ancestors 'none'"
)


def security_headers_hook(trust_forwarded: bool):  # type: ignore[no-untyped-def]
    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
            return
        headers = MutableScopeHeaders.from_message(message)
        request_id = request_id_of(scope)
        headers["X-Request-ID"] = request_id
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        docs = scope["path"].startswith("/schema")
        headers["Content-Security-Policy"] = DOCS_CSP if docs else API_CSP
        if "cache-control" not in headers:
            headers["Cache-Control"] = "no-store"  # responses may carry health data
        if is_https(scope, trust_forwarded):
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        started = state(scope).get("started")
        access_log.info(
            "http.request",
            method=scope.get("method"),
            route=scope.get("path_template") or "<unmatched>",  # the template, never ids or query strings
            status=message["status"],
            duration_ms=round((time.perf_counter() - started) * 1000, 2) if started else None,
            request_id=request_id,
        )

    return before_send
