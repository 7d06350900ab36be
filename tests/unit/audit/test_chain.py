"""The canonical encoding and the link hash: deterministic, versioned, and frozen."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medcore.domain.audit.chain import (
    GENESIS_HASH,
    canonical_id,
    canonical_instant,
    encode_v1,
    keyed_digest,
    link_hash,
)
from tests.unit.audit.chains import fields


def test_version_1_is_frozen_a_known_event_keeps_its_hash_for_ever() -> None:
    # If this fails, the encoding changed: every trail ever written stops verifying.
    # Add a version 2 beside version 1 instead.
    encoded = encode_v1(fields(1), GENESIS_HASH)
    assert encoded == (
        b'["medcore.audit/1","0190d6a0-0000-7000-8000-000000000001",1,"00000000-0000-0000-0000-000000000001",'
        b'"2026-03-02T09:00:01.000000Z","2026-03-02T09:00:01.000000Z","user","00000000-0000-0000-0000-0000000003e8",'
        b'"practitioner","patient.read","success","patient","00000000-0000-0000-0000-0000000007d1",'
        b'"00000000-0000-0000-0000-0000000007d1",null,null,null,"req-1",{"n":1,"self":false},'
        b'"0000000000000000000000000000000000000000000000000000000000000000"]'
    )
    assert link_hash(fields(1), GENESIS_HASH) == hashlib.sha256(encoded).hexdigest()
    assert link_hash(fields(1), GENESIS_HASH) == "0cda13bb9c2c66c8150317d839490c0a6694b4188dc0f7dbc198157ae8c53519"


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.one_of(st.none(), st.booleans(), st.integers(), st.text())))
def test_details_hash_the_same_whatever_the_key_order(details: dict[str, object]) -> None:
    reordered = dict(reversed(list(details.items())))
    assert link_hash(fields(3, details=details), "a" * 64) == link_hash(fields(3, details=reordered), "a" * 64)


@pytest.mark.parametrize(
    "change",
    [
        {"action": "patient.update"},
        {"outcome": "denied"},
        {"actor_id": None},
        {"patient_id": str(UUID(int=9))},
        {"details": {"self": True, "n": 2}},
        {"details": {"self": False, "n": "2"}},  # a string is not the number
        {"ip_digest": "f" * 64},
        {"sequence": 3},
        {"occurred_at": "2026-03-02T09:00:02.000001Z"},
    ],
)
def test_every_field_and_the_previous_hash_count(change: dict[str, object]) -> None:
    original = link_hash(fields(2), "b" * 64)
    assert link_hash(fields(2, **change), "b" * 64) != original  # type: ignore[arg-type]
    assert link_hash(fields(2), "c" * 64) != original


def test_instants_are_utc_with_microseconds_whatever_their_offset() -> None:
    paris = timezone(timedelta(hours=1))
    assert canonical_instant(datetime(2026, 3, 2, 10, 0, tzinfo=paris)) == "2026-03-02T09:00:00.000000Z"
    assert canonical_instant(datetime(2026, 3, 2, 9, 0, 0, 5, tzinfo=UTC)) == "2026-03-02T09:00:00.000005Z"
    with pytest.raises(ValueError):
        canonical_instant(datetime(2026, 3, 2, 9, 0))  # naive: the refused case
    assert canonical_id(None) is None
    assert canonical_id(UUID(int=1)) == "00000000-0000-0000-0000-000000000001"


def test_an_unknown_version_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError):
        link_hash(fields(1), GENESIS_HASH, version=2)


def test_keyed_digests_depend_on_the_key_and_keep_none() -> None:
    assert keyed_digest(b"k1", None) is None
    assert keyed_digest(b"k1", "192.0.2.1") != keyed_digest(b"k2", "192.0.2.1")
    assert keyed_digest(b"k1", "192.0.2.1") == keyed_digest(b"k1", "192.0.2.1")
    assert keyed_digest(b"k1", "192.0.2.1") != hashlib.sha256(b"192.0.2.1").hexdigest()
