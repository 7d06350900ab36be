"""List queries: filters, sorts and cursor pagination, as a value the repositories accept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class SortKey:
    field: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A validated list request. Filters and sort keys are checked against what each list
    allows before a query is built; unknown ones never reach this point."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    sort: tuple[SortKey, ...] = ()
    filters: Mapping[str, object] = field(default_factory=dict)
    search: str | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    limit: int
    next_cursor: str | None
    total: int | None


@dataclass(frozen=True, slots=True)
class ListSpec:
    """What one list accepts: its filters, its sort keys, its default order, and whether
    ``q`` searches it."""

    filters: frozenset[str]
    sorts: frozenset[str]
    default_sort: str
    searchable: bool = False
