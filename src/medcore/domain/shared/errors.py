"""Errors that rules return (never raise) through `returns.result.Result`.

Every error has a stable machine ``code`` (``appointment.conflict``) and a ``kind`` that
says what sort of refusal it is; the HTTP layer maps kinds (and a few codes) to status
codes. Messages are written for the API reader and never carry health data.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class ErrorKind(enum.Enum):
    INVALID = "invalid"  # the request breaks a rule about its own content
    NOT_FOUND = "not_found"  # absent, or belongs to another organization
    CONFLICT = "conflict"  # clashes with the current state
    PRECONDITION_FAILED = "precondition_failed"  # an expected version did not match
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    LOCKED = "locked"
    TOO_MANY_REQUESTS = "too_many_requests"


@dataclass(frozen=True, slots=True)
class FieldIssue:
    """One problem with one input field, named by its dotted path (``items.0.dose``)."""

    field: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainError:
    code: str
    message: str
    kind: ErrorKind
    fields: tuple[FieldIssue, ...] = ()
    extra: Mapping[str, object] = field(default_factory=dict)


def invalid(code: str, message: str, *issues: FieldIssue, **extra: object) -> DomainError:
    return DomainError(code=code, message=message, kind=ErrorKind.INVALID, fields=issues, extra=extra)


def field_invalid(field_name: str, message: str, code: str = "validation_failed") -> DomainError:
    return DomainError(
        code=code,
        message=message,
        kind=ErrorKind.INVALID,
        fields=(FieldIssue(field_name, message),),
    )


def not_found(resource: str) -> DomainError:
    return DomainError(
        code=f"{resource}.not_found",
        message=f"No such {resource.replace('_', ' ')}.",
        kind=ErrorKind.NOT_FOUND,
    )


def conflict(code: str, message: str, **extra: object) -> DomainError:
    return DomainError(code=code, message=message, kind=ErrorKind.CONFLICT, extra=extra)


def forbidden(code: str = "permission_denied", message: str = "You are not allowed to do this.") -> DomainError:
    return DomainError(code=code, message=message, kind=ErrorKind.FORBIDDEN)


def unauthenticated(code: str = "auth.unauthenticated", message: str = "Authentication is required.") -> DomainError:
    return DomainError(code=code, message=message, kind=ErrorKind.UNAUTHENTICATED)


def version_mismatch(resource: str) -> DomainError:
    return DomainError(
        code="precondition_failed",
        message=f"The {resource.replace('_', ' ')} was changed by someone else; fetch it again.",
        kind=ErrorKind.PRECONDITION_FAILED,
    )


class DomainRefusal(Exception):
    """Raised by an adapter when the database refuses a change that the domain's own checks
    let through, typically because two requests raced (a unique or exclusion constraint).
    It carries the error to answer, as if the domain had caught it."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(error.code)
        self.error = error
