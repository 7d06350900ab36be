"""Keyset cursors and the prefix full-text query of the Postgres listing helpers."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import Column, DateTime, Integer, String
from sqlalchemy.dialects.postgresql import UUID as PgUUID

from medcore.adapters.postgres.listing import decode_cursor, encode_cursor, prefix_tsquery
from medcore.domain.shared.listing import SortKey

CREATED_AT = Column("created_at", DateTime(timezone=True))
EMAIL = Column("email", String)
RANK = Column("rank", Integer)
ID = Column("id", PgUUID(as_uuid=True))

instants = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 1, 1), timezones=st.just(UTC))


@given(
    created_at=instants,
    email=st.text(st.characters(exclude_characters="\x00"), max_size=80),  # PostgreSQL text holds no NUL
    rank=st.integers(-(2**53), 2**53),
    row_id=st.uuids(),
    descending=st.booleans(),
)
def test_a_cursor_decodes_to_the_values_it_was_made_from(
    created_at: datetime, email: str, rank: int, row_id: Any, descending: bool
) -> None:
    keys = [SortKey("created_at", descending), SortKey("email"), SortKey("rank", True), SortKey("id", descending)]
    values = [created_at, email, rank, row_id]

    cursor = encode_cursor(keys, values)

    assert re.fullmatch(r"[A-Za-z0-9_-]*", cursor)  # safe in a query string as is
    assert decode_cursor(cursor, keys, [CREATED_AT, EMAIL, RANK, ID]) == values


@given(
    made_for=st.lists(
        st.tuples(st.sampled_from(["created_at", "email", "family_name"]), st.booleans()), min_size=1, max_size=3
    ),
    used_for=st.lists(
        st.tuples(st.sampled_from(["created_at", "email", "family_name"]), st.booleans()), min_size=1, max_size=3
    ),
)
def test_a_cursor_made_for_another_sort_is_refused(
    made_for: list[tuple[str, bool]], used_for: list[tuple[str, bool]]
) -> None:
    made_keys = [SortKey(f, d) for f, d in made_for] + [SortKey("id")]
    used_keys = [SortKey(f, d) for f, d in used_for] + [SortKey("id")]
    columns = [EMAIL] * len(used_for) + [ID]
    cursor = encode_cursor(made_keys, ["x"] * len(made_for) + ["00000000-0000-0000-0000-000000000001"])

    decoded = decode_cursor(cursor, used_keys, columns)

    if made_keys == used_keys:
        assert decoded is not None
    else:
        assert decoded is None


@given(st.text(max_size=100))
@example("")
@example("not base64 !!")
@example(base64.urlsafe_b64encode(b"[1, 2]").decode())
@example(base64.urlsafe_b64encode(json.dumps({"s": "created_at,id", "v": [{"x": 1}, "y"]}).encode()).decode())
@example(
    base64.urlsafe_b64encode(json.dumps({"s": "created_at,id", "v": ["yesterday", "not-a-uuid"]}).encode()).decode()
)
@example(
    base64.urlsafe_b64encode(json.dumps({"s": "created_at,id", "v": ["2026-01-01T00:00:00+00:00"]}).encode()).decode()
)
def test_a_forged_or_garbled_cursor_is_refused_without_raising(cursor: str) -> None:
    keys = [SortKey("created_at"), SortKey("id")]

    assert decode_cursor(cursor, keys, [CREATED_AT, ID]) is None


def test_a_cursor_with_a_nul_in_a_text_value_is_refused() -> None:
    keys = [SortKey("email"), SortKey("id")]
    cursor = encode_cursor(keys, ["a\x00b", "00000000-0000-0000-0000-000000000001"])

    assert decode_cursor(cursor, keys, [EMAIL, ID]) is None


def test_a_cursor_is_bound_to_the_sort_direction() -> None:
    cursor = encode_cursor([SortKey("email"), SortKey("id")], ["a@b.cc", "00000000-0000-0000-0000-000000000001"])

    assert decode_cursor(cursor, [SortKey("email", True), SortKey("id", True)], [EMAIL, ID]) is None


# --- prefix_tsquery ---------------------------------------------------------------------------


def test_each_word_becomes_a_prefix_term() -> None:
    assert prefix_tsquery("Mar  Dup") == "mar:* & dup:*"
    assert prefix_tsquery("o'brien-smith 42") == "o:* & brien:* & smith:* & 42:*"
    assert prefix_tsquery("Hélène") == "hélène:*"


def test_text_without_letters_or_digits_gives_no_query() -> None:
    assert prefix_tsquery("") is None
    assert prefix_tsquery(" !&|:*()' _ ") is None


@given(st.text(max_size=300))
@example("a & b | !c <-> d:* 'e' (f)")
@example("x:*:A & y")
def test_prefix_tsquery_emits_only_letters_digits_prefix_marks_and_ands(text: str) -> None:
    query = prefix_tsquery(text)

    if query is None:
        assert not any(ch.isalnum() for ch in text.lower())
        return
    terms = query.split(" & ")
    assert 1 <= len(terms) <= 16
    for term in terms:
        assert term.endswith(":*")
        word = term[: -len(":*")]
        assert word
        assert all(ch.isalnum() for ch in word)
