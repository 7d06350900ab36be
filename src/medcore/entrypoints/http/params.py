"""Parsing of query parameters shared by routes: instants and ids."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeAlias
from uuid import UUID

from litestar.params import QueryParameter

from medcore.domain.shared.errors import FieldIssue
from medcore.entrypoints.http.problems import ProblemError

_INSTANT_HELP = "An RFC 3339 instant with its offset, e.g. 2026-03-02T09:00:00+01:00"

FromInstant: TypeAlias = Annotated[str, QueryParameter(name="from", description=_INSTANT_HELP, max_length=64)]
ToInstant: TypeAlias = Annotated[str, QueryParameter(name="to", description=_INSTANT_HELP, max_length=64)]


def instant(value: str) -> datetime:
    """An RFC 3339 instant with its offset; naive times are ambiguous and refused."""
    try:
        # A '+' in a query string arrives as a space when the client did not encode it.
        parsed = datetime.fromisoformat(value.strip().replace(" ", "+").replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"Use {_INSTANT_HELP}.") from None
    if parsed.tzinfo is None:
        raise ValueError("Give the offset, e.g. 2026-03-02T09:00:00+01:00 or ...Z.")
    return parsed


def parse_instant(value: str, field: str) -> datetime:
    try:
        return instant(value)
    except ValueError as exc:
        raise ProblemError(
            422, "validation_failed", "Some parameters are not valid.", errors=[FieldIssue(field, str(exc))]
        ) from exc


def uuid_value(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise ValueError("Not a valid id.") from None
