"""Checkpoint signatures (Ed25519) and the checkpoint documents kept in the blob store."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from uuid import UUID

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from medcore.adapters.blobs.audit_checkpoints import checkpoint_document, checkpoint_key, read_document
from medcore.adapters.security.signing import (
    Ed25519CheckpointSigner,
    SigningKeyError,
    development_signing_key,
    load_public_key,
    load_signing_key,
)
from medcore.domain.audit.checkpoint import Checkpoint, checkpoint_payload

ORG = UUID("0190d6a0-0000-7000-8000-00000000000a")
SEED = base64.b64encode(bytes(range(32))).decode()


def signed(signer: Ed25519CheckpointSigner, sequence: int = 42) -> Checkpoint:
    at = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)
    return Checkpoint(
        organization_id=ORG,
        sequence=sequence,
        hash="a" * 64,
        created_at=at,
        key_id=signer.key_id,
        signature=signer.sign(checkpoint_payload(ORG, sequence, "a" * 64, at)),
    )


def test_a_seed_and_its_pem_are_the_same_key() -> None:
    from_seed = load_signing_key(SEED)
    pem = from_seed.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    assert Ed25519CheckpointSigner(load_signing_key(pem)).key_id == Ed25519CheckpointSigner(from_seed).key_id


@pytest.mark.parametrize(
    "value", ["c2hvcnQ=", "not base64 at all!", "-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----"]
)
def test_unreadable_keys_are_refused_without_echoing_them(value: str) -> None:
    with pytest.raises(SigningKeyError) as refused:
        load_signing_key(value)
    assert value not in str(refused.value)


def test_signatures_verify_with_the_key_and_trusted_keys_only() -> None:
    signer = Ed25519CheckpointSigner(load_signing_key(SEED))
    other = Ed25519CheckpointSigner(Ed25519PrivateKey.generate())
    checkpoint = signed(signer)

    assert signer.verify(checkpoint.signed_payload(), checkpoint.signature, checkpoint.key_id)
    assert not other.verify(checkpoint.signed_payload(), checkpoint.signature, checkpoint.key_id)
    tampered = checkpoint_payload(ORG, 43, "a" * 64, checkpoint.created_at)
    assert not signer.verify(tampered, checkpoint.signature, checkpoint.key_id)
    assert not signer.verify(checkpoint.signed_payload(), "not-base64!", checkpoint.key_id)
    # After a rotation, the new signer trusts the old public key.
    rotated = Ed25519CheckpointSigner(Ed25519PrivateKey.generate(), [load_public_key(signer.public_key_base64)])
    assert rotated.verify(checkpoint.signed_payload(), checkpoint.signature, checkpoint.key_id)


def test_a_verifying_only_signer_cannot_sign() -> None:
    public = load_public_key(Ed25519CheckpointSigner(load_signing_key(SEED)).public_key_base64)
    verifier = Ed25519CheckpointSigner(None, [public])
    with pytest.raises(SigningKeyError):
        verifier.sign(b"x")


def test_the_development_key_is_derived_from_the_secret_key() -> None:
    one = Ed25519CheckpointSigner(development_signing_key(b"s" * 40)).key_id
    assert one == Ed25519CheckpointSigner(development_signing_key(b"s" * 40)).key_id
    assert one != Ed25519CheckpointSigner(development_signing_key(b"t" * 40)).key_id


def test_checkpoint_documents_round_trip_and_name_their_key() -> None:
    signer = Ed25519CheckpointSigner(load_signing_key(SEED))
    checkpoint = signed(signer)
    document = checkpoint_document(checkpoint, signer.public_key_base64)
    data = json.loads(document)

    assert checkpoint_key(ORG, 42) == f"audit/checkpoints/{ORG}/00000000000000000042.json"
    assert data["algorithm"] == "Ed25519" and data["public_key"] == signer.public_key_base64
    assert read_document(ORG, 42, document).same_as(checkpoint)
    unreadable = read_document(ORG, 42, b"{not json")
    assert unreadable.sequence == 42 and not signer.verify(
        unreadable.signed_payload(), unreadable.signature, unreadable.key_id
    )
