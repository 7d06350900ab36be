"""``Idempotency-Key`` on POST: the same key with the same request replays the first
response; the same key with another request is refused (422); a key whose first request
is still running answers 409. Keys are scoped to the caller and kept 24 hours.

Operations whose response carries a secret shown once (tokens, API keys) refuse the header
rather than store that secret.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from medcore.application.platform.idempotency import IdempotencyStore, StoredResponse
from medcore.domain.shared.errors import FieldIssue
from medcore.domain.shared.ports import Clock
from medcore.entrypoints.http.context import optional_actor
from medcore.entrypoints.http.problems import ProblemError

_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_REPLAYED_HEADERS = frozenset({"content-type", "location", "etag", "content-encoding", "vary"})


def _problem(status: int, code: str, detail: str) -> ProblemError:
    return ProblemError(
        status,
        code,
        detail,
        errors=[FieldIssue("Idempotency-Key", detail)] if status == 422 else (),
    )


class IdempotencyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        store: Callable[[], IdempotencyStore],
        clock: Callable[[], Clock],
        max_body: int,
    ) -> None:
        self.app = app
        self._store = store
        self._clock = clock
        self._max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        key = Headers.from_scope(scope).get("idempotency-key")
        if key is None:
            await self.app(scope, receive, send)
            return
        handler = scope.get("route_handler")
        if handler is not None and handler.opt.get("idempotency") == "unsupported":
            raise _problem(
                422,
                "idempotency.unsupported",
                "This operation answers a secret shown once, so it cannot be replayed: send it without Idempotency-Key.",
            )
        if not _KEY.match(key):
            raise _problem(422, "idempotency.invalid_key", "Use 1-255 visible ASCII characters.")
        actor = optional_actor(scope)
        if actor is None:  # the handler answers 401
            await self.app(scope, receive, send)
            return

        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:
                raise ProblemError(
                    413,
                    "body_too_large",
                    "The request body is larger than this server accepts.",
                )
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        fingerprint = hashlib.sha256(
            b"\x00".join(
                [
                    scope["method"].encode(),
                    scope["path"].encode(),
                    scope.get("query_string", b""),
                    body,
                ]
            )
        ).hexdigest()
        store = self._store()
        now = self._clock().now()
        principal = f"{actor.actor_type.value}:{actor.id}"
        record = await store.claim(actor.organization_id, principal, key, fingerprint, now)
        if record is not None:
            if record.fingerprint != fingerprint:
                raise _problem(
                    422,
                    "idempotency.key_reused",
                    "This key was already used with a different request.",
                )
            if record.response is None:
                raise ProblemError(
                    409,
                    "idempotency.in_progress",
                    "A request with this key is still being processed.",
                )
            await self._replay(record.response, send)
            return

        delivered = False

        async def replay_receive() -> Any:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 500
        headers: list[tuple[str, str]] = []
        response_body: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers", []):
                    decoded = name.decode("latin-1").lower()
                    if decoded in _REPLAYED_HEADERS:
                        headers.append((decoded, value.decode("latin-1")))
            elif message["type"] == "http.response.body":
                response_body.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            await store.release(actor.organization_id, principal, key)
            raise
        if status >= 500:
            await store.release(actor.organization_id, principal, key)
        else:
            await store.complete(
                actor.organization_id,
                principal,
                key,
                StoredResponse(status=status, headers=tuple(headers), body=b"".join(response_body)),
                self._clock().now(),
            )

    @staticmethod
    async def _replay(response: StoredResponse, send: Send) -> None:
        raw_headers: list[tuple[bytes, bytes]] = [
            (n.encode("latin-1"), v.encode("latin-1")) for n, v in response.headers
        ]
        raw_headers.append((b"idempotent-replayed", b"true"))
        raw_headers.append((b"content-length", str(len(response.body)).encode()))
        start: Any = {
            "type": "http.response.start",
            "status": response.status,
            "headers": raw_headers,
        }
        await send(start)
        await send({"type": "http.response.body", "body": response.body, "more_body": False})
