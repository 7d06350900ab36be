"""What every route module shares: the security requirement and problem documentation."""

from __future__ import annotations

from typing import Any, TypeAlias, TypeVar

from litestar.di import NamedDependency
from litestar.params import SkipValidation

from medcore.entrypoints.http.problems import problem_responses

T = TypeVar("T")

# A use case (or other service) injected by name from the container.
Inject: TypeAlias = NamedDependency[SkipValidation[T]]

SECURED: list[dict[str, list[str]]] = [{"BearerAuth": []}, {"ApiKeyAuth": []}]


def documented(*statuses: int) -> dict[int, Any]:
    """Problem responses of an authenticated operation: always 400, 401, 403, 422 and 429.
    (400, malformed JSON, replaces the plain-JSON 400 that Litestar would document.)"""
    return problem_responses(*sorted({400, 401, 403, 415, 422, 429, *statuses}))


def public(*statuses: int) -> dict[int, Any]:
    return problem_responses(*sorted({400, 415, 422, 429, *statuses}))
