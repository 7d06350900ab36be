"""RFC 9457 problem details: every error medcore answers has this shape.

One table maps error kinds (and a few codes) to HTTP statuses. A 500 says nothing about
its cause beyond the request id; the log has the details.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import traceback
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from returns.result import Result, Success

from medcore.domain.shared.errors import (
    DomainError,
    DomainRefusal,
    ErrorKind,
    FieldIssue,
)

log = structlog.get_logger("medcore.http")

T = TypeVar("T")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://medcore.dev/problems/"

STATUS_BY_KIND: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.PRECONDITION_FAILED: 412,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.LOCKED: 423,
    ErrorKind.TOO_MANY_REQUESTS: 429,
}

TITLES: dict[int, str] = {
    400: "Malformed request",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid request",
    423: "Account locked",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}

GENERIC_CODES: dict[int, str] = {
    400: "malformed_request",
    401: "auth.unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


class Problem(msgspec.Struct, frozen=True, omit_defaults=True):
    """An RFC 9457 problem document, with medcore's stable ``code`` and the request id."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Raised by handlers (through ``unwrap``) to answer a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: Sequence[FieldIssue] = (),
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = tuple(errors)
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    @classmethod
    def from_domain(cls, error: DomainError) -> ProblemError:
        return cls(
            STATUS_BY_KIND[error.kind],
            error.code,
            error.message,
            errors=error.fields,
            extra=dict(error.extra),
        )


def _json_safe(value: Any) -> Any:
    """Problem extras as JSON: instants in UTC, dataclasses as objects without empty fields."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _json_safe(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value


def problem_response(
    request: Request[Any, Any, Any] | None,
    status: int,
    code: str,
    detail: str | None,
    *,
    errors: Sequence[FieldIssue] = (),
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[bytes]:
    request_id = None
    instance = None
    if request is not None:
        # Unmatched routes (404, 405) never reach the context middleware: fix the id here too.
        from medcore.entrypoints.http.context import request_id_of

        request_id = request_id_of(request.scope)
        instance = request.url.path
    document: dict[str, Any] = msgspec.to_builtins(
        Problem(
            type=TYPE_BASE + code,
            title=TITLES.get(status, "Error"),
            status=status,
            code=code,
            detail=detail,
            instance=instance,
            request_id=request_id,
            errors=[FieldError(e.field, e.message) for e in errors] or None,
        )
    )
    for key, value in (extra or {}).items():
        document.setdefault(key, _json_safe(value))
    return Response(
        content=msgspec.json.encode(document),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def _problem_error_handler(request: Request[Any, Any, Any], exc: ProblemError) -> Response[bytes]:
    return problem_response(
        request,
        exc.status,
        exc.code,
        exc.detail,
        errors=exc.errors,
        extra=exc.extra,
        headers=exc.headers,
    )


def _refusal_handler(request: Request[Any, Any, Any], exc: DomainRefusal) -> Response[bytes]:
    return _problem_error_handler(request, ProblemError.from_domain(exc.error))


_NAMED_FIELD = re.compile(r"(?:missing required field|unknown field) `([^`]+)`")


def _field_of(entry: Mapping[str, Any]) -> str:
    key = str(entry.get("key") or "")
    source = entry.get("source")
    if source == "body":
        path = key.removeprefix("$.")
        path = "" if path == "data" else path  # the body parameter itself, not a field
        named = _NAMED_FIELD.search(str(entry.get("message", "")))
        if named:  # a missing or unknown field is named in the message, not the path
            path = f"{path}.{named.group(1)}" if path else named.group(1)
        return path or "body"
    return key or "request"


def _friendly(message: str) -> str:
    if "^[^\\x00]*$" in message or "^[^\x00]*$" in message:
        return "Text must not contain NUL characters."
    return message


def _validation_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [
        FieldIssue(_field_of(e), _friendly(str(e.get("message", "Invalid value."))))
        for e in extra
        if isinstance(e, Mapping)
    ]
    malformed = any("malformed" in issue.message.lower() or "json is" in issue.message.lower() for issue in errors)
    if malformed or (not errors and "malformed" in (exc.detail or "").lower()):
        return problem_response(request, 400, "malformed_request", "The request body is not valid JSON.")
    return problem_response(
        request,
        422,
        "validation_failed",
        "Some fields are missing or not valid.",
        errors=errors,
    )


def _http_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    detail = exc.detail if status < 500 else "Something went wrong on our side."
    if isinstance(exc, NotAuthorizedException):
        return problem_response(
            request,
            401,
            "auth.unauthenticated",
            "Authentication is required.",
            headers={"WWW-Authenticate": 'Bearer realm="medcore"'},
        )
    headers = dict(exc.headers or {})
    if status == 413:
        detail = "The request body is larger than this server accepts."
    if status == 404:
        detail = "No such resource."
    return problem_response(request, status, GENERIC_CODES.get(status, "error"), detail, headers=headers)


def _internal_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    # Where it failed, never what it held: an exception's message can carry values (a
    # database error quotes the row it refused), and values here may be health data.
    stack = "".join(traceback.format_tb(exc.__traceback__))
    log.error("http.unhandled_error", error_type=type(exc).__name__, stack=stack)
    return problem_response(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal_error",
        "Something went wrong on our side. Quote the request id if you contact support.",
    )


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    ProblemError: _problem_error_handler,
    DomainRefusal: _refusal_handler,
    ValidationException: _validation_handler,
    HTTPException: _http_handler,
    Exception: _internal_handler,
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI documentation of the problem responses an operation can give."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=TITLES.get(status, "Error"),
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in statuses
    }


def unwrap(result: Result[T, DomainError]) -> T:
    """The value of a Success, or raise the Failure's error as a problem."""
    if isinstance(result, Success):
        value: T = result.unwrap()
        return value
    raise ProblemError.from_domain(result.failure())


__all__ = [
    "EXCEPTION_HANDLERS",
    "PROBLEM_MEDIA_TYPE",
    "Problem",
    "ProblemError",
    "problem_response",
    "problem_responses",
    "unwrap",
]
