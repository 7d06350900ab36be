"""List parameters (``limit``, ``cursor``, ``sort``, ``q`` and filters), checked against
what each list accepts: an unknown filter or sort key is a 422, never silently ignored."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from litestar import Request

from medcore.domain.shared.errors import FieldIssue
from medcore.domain.shared.listing import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ListQuery,
    ListSpec,
    Page,
    SortKey,
)
from medcore.entrypoints.http.problems import ProblemError

_RESERVED = frozenset({"limit", "cursor", "sort", "q"})


class PageInfo(msgspec.Struct, frozen=True):
    limit: int
    next_cursor: str | None
    total: int | None


def parse_list_query(
    request: Request[Any, Any, Any],
    spec: ListSpec,
    converters: Mapping[str, Callable[[str], object]] | None = None,
) -> ListQuery:
    params = request.query_params
    issues: list[FieldIssue] = []
    for name in params:
        if name not in _RESERVED and name not in spec.filters:
            allowed = ", ".join(sorted(spec.filters)) or "none"
            issues.append(FieldIssue(name, f"Unknown filter. Filters for this list: {allowed}."))
    limit = DEFAULT_LIMIT
    raw_limit = params.get("limit")
    if raw_limit is not None:
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
            issues.append(FieldIssue("limit", f"Must be a whole number from 1 to {MAX_LIMIT}."))
        else:
            limit = int(raw_limit)
    sort: list[SortKey] = []
    raw_sort = params.get("sort")
    if raw_sort is not None:
        for part in raw_sort.split(","):
            name = part.strip()
            descending = name.startswith("-")
            name = name.lstrip("-+")
            if name not in spec.sorts:
                issues.append(
                    FieldIssue(
                        "sort",
                        f"Cannot sort by '{name}'. Sort keys: {', '.join(sorted(spec.sorts))}.",
                    )
                )
            elif any(k.field == name for k in sort):
                issues.append(FieldIssue("sort", f"'{name}' appears twice."))
            else:
                sort.append(SortKey(name, descending))
    search = params.get("q")
    if search is not None:
        if not spec.searchable:
            issues.append(FieldIssue("q", "This list has no free-text search."))
        elif not 1 <= len(search.strip()) <= 200:
            issues.append(FieldIssue("q", "Use 1-200 characters."))
    filters: dict[str, object] = {}
    for name in spec.filters:
        values = params.getall(name, [])
        if not values:
            continue
        if len(values) > 1:
            issues.append(FieldIssue(name, "Give this filter once."))
            continue
        convert = (converters or {}).get(name, str)
        if "\x00" in values[0]:  # PostgreSQL text cannot hold it
            issues.append(FieldIssue(name, "Invalid value."))
            continue
        try:
            filters[name] = convert(values[0])
        except ValueError as exc:
            issues.append(FieldIssue(name, str(exc) or "Invalid value."))
    cursor = params.get("cursor")
    if cursor is not None and not 1 <= len(cursor) <= 2048:
        issues.append(FieldIssue("cursor", "This cursor is not valid for this list and sort."))
    if issues:
        raise ProblemError(
            422,
            "validation_failed",
            "Some list parameters are not valid.",
            errors=issues,
        )
    return ListQuery(
        limit=limit,
        cursor=cursor,
        sort=tuple(sort),
        filters=filters,
        search=search.strip() if search else None,
    )


def page_info(page: Page[Any]) -> PageInfo:
    return PageInfo(limit=page.limit, next_cursor=page.next_cursor, total=page.total)


def boolean(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValueError("Use true or false.")


def one_of(*choices: str) -> Callable[[str], str]:
    def convert(value: str) -> str:
        if value not in choices:
            raise ValueError(f"Use one of: {', '.join(choices)}.")
        return value

    return convert
