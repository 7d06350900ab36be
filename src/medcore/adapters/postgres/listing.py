"""Keyset (cursor) pagination: stable under inserts, and as fast on page 1,000 as on page 1.

The cursor carries the sort and the last row's sort values, base64url-encoded JSON; a
cursor made for another sort is refused rather than silently misread.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from returns.result import Failure, Result, Success
from sqlalchemy import ColumnElement, Date, DateTime, Select, String, and_, false, func, or_, select
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncConnection

from medcore.domain.shared.errors import DomainError, field_invalid
from medcore.domain.shared.listing import ListQuery, Page, SortKey

T = TypeVar("T")

INVALID_CURSOR = field_invalid(
    "cursor",
    "This cursor is not valid for this list and sort.",
    code="pagination.invalid_cursor",
)


def _sort_signature(keys: Sequence[SortKey], scope: str = "") -> str:
    return scope + ":" + ",".join(("-" if k.descending else "") + k.field for k in keys)


def _encode_value(value: object) -> object:
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _decode_value(column: ColumnElement[Any], value: object) -> object:
    if not isinstance(value, (str, int, float, bool)):
        raise ValueError("bad cursor value")
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(str(value))
    if isinstance(column.type, Date):
        return date.fromisoformat(str(value))
    if isinstance(column.type, PgUUID):
        return UUID(str(value))
    if isinstance(column.type, String) and (not isinstance(value, str) or "\x00" in value):
        raise ValueError("bad cursor value")  # PostgreSQL would refuse to compare it: a 500
    return value


def encode_cursor(keys: Sequence[SortKey], values: Sequence[object], scope: str = "") -> str:
    raw = json.dumps(
        {"s": _sort_signature(keys, scope), "v": [_encode_value(v) for v in values]},
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str, keys: Sequence[SortKey], columns: Sequence[ColumnElement[Any]], scope: str = ""
) -> list[object] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(data, dict) or data.get("s") != _sort_signature(keys, scope):
            return None
        values = data.get("v")
        if not isinstance(values, list) or len(values) != len(columns):
            return None
        return [_decode_value(c, v) for c, v in zip(columns, values, strict=True)]
    except (
        ValueError,
        binascii.Error,
        UnicodeDecodeError,
        json.JSONDecodeError,
        TypeError,
    ):
        return None


def _after(
    columns: Sequence[ColumnElement[Any]],
    keys: Sequence[SortKey],
    values: Sequence[object],
) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order (k1, ..., kn), each key with its direction."""
    clauses: list[ColumnElement[bool]] = []
    for i, (column, key) in enumerate(zip(columns, keys, strict=True)):
        equal_prefix = [c == v for c, v in zip(columns[:i], values[:i], strict=True)]
        step = column < values[i] if key.descending else column > values[i]
        clauses.append(and_(*equal_prefix, step))
    return or_(false(), *clauses)


async def keyset_page(
    connection: AsyncConnection,
    base: Select[Any],
    query: ListQuery,
    sortable: Mapping[str, ColumnElement[Any]],
    tiebreaker: ColumnElement[Any],
    to_item: Callable[[Any], T],
    *,
    default_sort: SortKey,
    count: bool = True,
) -> Result[Page[T], DomainError]:
    scope = getattr(getattr(tiebreaker, "table", None), "name", "")  # a cursor serves one list only
    keys = list(query.sort) or [default_sort]
    keys.append(SortKey("id", descending=keys[-1].descending))
    columns = [sortable[k.field] for k in keys[:-1]] + [tiebreaker]
    statement = base
    if query.cursor:
        values = decode_cursor(query.cursor, keys, columns, scope)
        if values is None:
            return Failure(INVALID_CURSOR)
        statement = statement.where(_after(columns, keys, values))
    order = [c.desc() if k.descending else c.asc() for c, k in zip(columns, keys, strict=True)]
    rows = (await connection.execute(statement.order_by(*order).limit(query.limit + 1))).mappings().all()
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        next_cursor = encode_cursor(keys, [last[c.key] for c in columns], scope)
    total = None
    if count:
        total = (
            await connection.execute(select(func.count()).select_from(base.order_by(None).subquery()))
        ).scalar_one()
    return Success(
        Page(
            items=[to_item(r) for r in rows],
            limit=query.limit,
            next_cursor=next_cursor,
            total=total,
        )
    )


def prefix_tsquery(text: str) -> str | None:
    """A tsquery matching every word of ``text`` as a prefix (``mar dup`` -> ``mar:* & dup:*``),
    built from letters and digits only, so user input cannot inject query syntax."""
    terms = [f"{w}:*" for w in re.findall(r"[^\W_]+", text.lower())[:16]]
    return " & ".join(terms) if terms else None
