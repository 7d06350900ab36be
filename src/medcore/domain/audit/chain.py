"""The hash chain: each organization's events, linked by SHA-256 in sequence order.

Every event stores ``prev_hash`` (the hash of the event before it; 64 zeros for the first)
and ``hash`` = SHA-256 over the canonical encoding of the event and ``prev_hash``. The
encoding is versioned: version 1 is a JSON array with a fixed field order, instants in UTC
with microseconds, ids as lowercase hyphenated UUIDs and details with sorted keys. A
version, once written, never changes: events hashed under it must verify for ever.

The raw IP and user agent are not chained: their keyed digests are (HMAC-SHA256 with a
key derived from the deployment secret), so that the raw values can be erased later (GDPR,
retention) and the chain still verifies, while the digests reveal nothing by themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import NamedTuple
from uuid import UUID

GENESIS_HASH = "0" * 64
CHAIN_VERSION = 1
_TAG_V1 = "medcore.audit/1"

DetailValue = str | int | bool | None


class ChainFields(NamedTuple):
    """What version 1 of the encoding covers, as canonical primitives, in encoding order.

    Everything stored about an event is here, but the raw IP and user agent (covered by
    their digests)."""

    organization_id: str
    sequence: int
    id: str
    occurred_at: str
    created_at: str
    actor_type: str
    actor_id: str | None
    actor_role: str | None
    action: str
    outcome: str
    resource_type: str | None
    resource_id: str | None
    patient_id: str | None
    purpose: str | None
    ip_digest: str | None
    user_agent_digest: str | None
    request_id: str | None
    details: Mapping[str, DetailValue]


class StoredEvent(NamedTuple):
    """An event as read back for verification: its numbering and links, its canonical
    encoding (``encoded``: the chained fields and ``prev_hash``, as the hash covers them),
    and the erasable raw values beside their digests.

    A reader may produce ``encoded`` by other means than ``encode_v1`` (the database can
    format it while Python hashes): the walk checks it against ``hash``, and on any
    mismatch recomputes the hash from the decoded fields with ``encode_v1`` itself, so a
    reader's formatting can never hide a change, only cost time."""

    sequence: int
    prev_hash: str
    hash: str
    action: str
    encoded: str
    hash_version: int = CHAIN_VERSION
    ip: str | None = None
    user_agent: str | None = None
    ip_digest: str | None = None
    user_agent_digest: str | None = None

    @property
    def fields(self) -> ChainFields:
        return decode_v1(self.encoded)[0]


def stored_event(
    fields: ChainFields,
    prev_hash: str,
    hash: str | None = None,  # the column's name
    *,
    ip: str | None = None,
    user_agent: str | None = None,
) -> StoredEvent:
    """A stored event from its fields (its hash computed unless given: a tampered row keeps
    the hash it had)."""
    encoded = encode_v1(fields, prev_hash)
    return StoredEvent(
        sequence=fields.sequence,
        prev_hash=prev_hash,
        hash=hash if hash is not None else hashlib.sha256(encoded).hexdigest(),
        action=fields.action,
        encoded=encoded.decode("utf-8", "surrogatepass"),
        ip=ip,
        user_agent=user_agent,
        ip_digest=fields.ip_digest,
        user_agent_digest=fields.user_agent_digest,
    )


def canonical_instant(value: datetime) -> str:
    """``2026-03-01T08:00:00.000000Z``: UTC, always six fractional digits."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: audit instants are aware UTC")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_id(value: UUID | None) -> str | None:
    return None if value is None else str(value)


_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)


def encode_v1(fields: ChainFields, prev_hash: str) -> bytes:
    """Version 1: ``["medcore.audit/1", <fields in order>..., prev_hash]`` as compact JSON,
    UTF-8, object keys sorted."""
    return _encoder.encode([_TAG_V1, *fields, prev_hash]).encode("utf-8", "surrogatepass")


def link_hash(fields: ChainFields, prev_hash: str, version: int = CHAIN_VERSION) -> str:
    """The hash of an event linked after ``prev_hash``."""
    if version != 1:
        raise ValueError(f"unknown audit chain version {version}")
    return hashlib.sha256(encode_v1(fields, prev_hash)).hexdigest()


def decode_v1(encoded: str) -> tuple[ChainFields, str]:
    """The fields and ``prev_hash`` of a version 1 encoding; ValueError when it is none."""
    try:
        values = json.loads(encoded)
    except json.JSONDecodeError as exc:
        raise ValueError("not a version 1 audit encoding") from exc
    if not isinstance(values, list) or len(values) != len(ChainFields._fields) + 2 or values[0] != _TAG_V1:
        raise ValueError("not a version 1 audit encoding")
    fields = ChainFields._make(values[1:-1])
    if not isinstance(fields.sequence, int) or not isinstance(fields.details, dict) or not isinstance(values[-1], str):
        raise ValueError("not a version 1 audit encoding")
    return fields, values[-1]


def hash_of_encoding(encoded: str) -> str:
    return hashlib.sha256(encoded.encode("utf-8", "surrogatepass")).hexdigest()


def keyed_digest(key: bytes, value: str | None) -> str | None:
    """HMAC-SHA256 of an erasable value (IP, user agent); ``None`` stays ``None``."""
    if value is None:
        return None
    return hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def with_sequence(fields: ChainFields, sequence: int) -> ChainFields:
    return fields._replace(sequence=sequence)
