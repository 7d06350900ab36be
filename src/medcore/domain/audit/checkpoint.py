"""Signed checkpoints: the head of an organization's chain at one moment, signed (Ed25519)
with a key the database never holds.

Whoever controls the database can rewrite the whole chain after some event and recompute
every hash; they cannot sign a checkpoint. Each checkpoint is kept twice, in the database
and in the blob store, so that removing or altering one copy is itself a finding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from medcore.domain.audit.chain import canonical_instant

_TAG_V1 = "medcore.audit.checkpoint/1"


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkpoint:
    organization_id: UUID
    sequence: int
    hash: str
    created_at: datetime
    key_id: str  # which signing key (a digest of its public key)
    signature: str  # base64 of the Ed25519 signature over ``signed_payload``

    def signed_payload(self) -> bytes:
        return checkpoint_payload(self.organization_id, self.sequence, self.hash, self.created_at)

    def same_as(self, other: Checkpoint) -> bool:
        return (
            self.organization_id == other.organization_id
            and self.sequence == other.sequence
            and self.hash == other.hash
            and canonical_instant(self.created_at) == canonical_instant(other.created_at)
            and self.key_id == other.key_id
            and self.signature == other.signature
        )


def checkpoint_payload(organization_id: UUID, sequence: int, chain_hash: str, created_at: datetime) -> bytes:
    """What is signed: ``["medcore.audit.checkpoint/1", organization, sequence, hash, time]``."""
    return json.dumps(
        [_TAG_V1, str(organization_id), sequence, chain_hash, canonical_instant(created_at)],
        separators=(",", ":"),
    ).encode()


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last event of an organization's chain as the trail's head row records it, and
    where the chain starts after a disposal of its oldest events (0 and the genesis hash
    when nothing was ever disposed)."""

    sequence: int
    hash: str
    disposed_through: int = 0
    disposed_hash: str | None = None
