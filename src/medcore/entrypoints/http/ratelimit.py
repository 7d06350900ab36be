"""Rate limits per client IP, per user or API key, and per organization, with a strict
limit on authentication endpoints. The counters live in memory by default (per process)
or in a shared store such as Redis (``MEDCORE_RATE_LIMIT_STORAGE=redis://...``)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from medcore.entrypoints.http.context import meta_of, optional_actor
from medcore.entrypoints.http.problems import ProblemError
from medcore.settings import Settings


def _async_uri(uri: str) -> str:
    return uri if uri.startswith("async+") else f"async+{uri}"


@dataclass(frozen=True, slots=True)
class _Verdict:
    limit: int
    remaining: int
    reset_in: int


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self.limiter = MovingWindowRateLimiter(storage_from_string(_async_uri(settings.rate_limit_storage)))
        self.auth = parse(settings.rate_limit_auth)
        self.ip = parse(settings.rate_limit_ip)
        self.user = parse(settings.rate_limit_user)
        self.organization = parse(settings.rate_limit_organization)

    async def check(self, item: RateLimitItem, *identifiers: str) -> tuple[bool, _Verdict]:
        allowed = await self.limiter.hit(item, *identifiers)
        stats = await self.limiter.get_window_stats(item, *identifiers)
        reset_in = max(1, math.ceil(stats.reset_time - time.time()))
        return allowed, _Verdict(limit=item.amount, remaining=max(0, stats.remaining), reset_in=reset_in)


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: RateLimits | None) -> None:
        self.app = app
        self._limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limits = self._limits
        handler = scope.get("route_handler")
        kind = handler.opt.get("rate_limit") if handler is not None else None
        if limits is None or scope["type"] != ScopeType.HTTP or kind == "exempt":
            await self.app(scope, receive, send)
            return
        ip = meta_of(scope).ip or "unknown"
        checks: list[tuple[RateLimitItem, tuple[str, ...]]] = [(limits.ip, ("ip", ip))]
        if kind == "auth":
            checks.append((limits.auth, ("auth", ip)))
        actor = optional_actor(scope)
        if actor is not None:
            checks.append((limits.user, ("actor", str(actor.id))))
            checks.append((limits.organization, ("organization", str(actor.organization_id))))
        tightest: _Verdict | None = None
        for item, identifiers in checks:
            allowed, verdict = await limits.check(item, *identifiers)
            if not allowed:
                raise ProblemError(
                    429,
                    "rate_limited",
                    f"Too many requests; retry in {verdict.reset_in} seconds.",
                    headers={
                        "Retry-After": str(verdict.reset_in),
                        "RateLimit-Limit": str(verdict.limit),
                        "RateLimit-Remaining": "0",
                        "RateLimit-Reset": str(verdict.reset_in),
                    },
                )
            if tightest is None or verdict.remaining < tightest.remaining:
                tightest = verdict
        assert tightest is not None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["RateLimit-Limit"] = str(tightest.limit)
                headers["RateLimit-Remaining"] = str(tightest.remaining)
                headers["RateLimit-Reset"] = str(tightest.reset_in)
            await send(message)

        await self.app(scope, receive, send_with_headers)
