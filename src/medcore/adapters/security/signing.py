"""Ed25519 signatures for audit checkpoints.

The signing key comes from settings (``MEDCORE_AUDIT_SIGNING_KEY``: a base64 32-byte seed,
or a PEM private key); verification trusts its public key and any others configured
(``MEDCORE_AUDIT_TRUSTED_KEYS``), so checkpoints signed before a key rotation still verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from medcore.adapters.security.secrets import derive_key


class SigningKeyError(ValueError):
    """A configured key that cannot be read (the message names no key material)."""


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(key: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the start of its SHA-256."""
    return "ed25519:" + hashlib.sha256(public_key_bytes(key)).hexdigest()[:16]


def load_signing_key(value: str) -> Ed25519PrivateKey:
    """A PEM private key (PKCS#8) or the base64 of a raw 32-byte seed."""
    text = value.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError) as exc:
            raise SigningKeyError("not a readable PEM private key") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError("the PEM key is not an Ed25519 key")
        return key
    try:
        seed = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SigningKeyError("expected a PEM key or the base64 of a 32-byte seed") from exc
    if len(seed) != 32:
        raise SigningKeyError(f"a base64 seed must hold 32 bytes, not {len(seed)}")
    return Ed25519PrivateKey.from_private_bytes(seed)


def load_public_key(value: str) -> Ed25519PublicKey:
    """A PEM public key or the base64 of a raw 32-byte public key."""
    text = value.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.encode())
        except (ValueError, TypeError) as exc:
            raise SigningKeyError("not a readable PEM public key") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise SigningKeyError("the PEM key is not an Ed25519 key")
        return key
    try:
        raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError) as exc:
        raise SigningKeyError("expected a PEM public key or the base64 of 32 bytes") from exc


def development_signing_key(secret_key: bytes) -> Ed25519PrivateKey:
    """Without a configured signing key (development only): one derived from the secret key.
    Anyone holding the secret key can then sign checkpoints: configure a key of its own."""
    return Ed25519PrivateKey.from_private_bytes(derive_key(secret_key, "audit-checkpoint-signing"))


class Ed25519CheckpointSigner:
    """Signs with ``private_key`` (when this process may sign) and verifies against its
    public key and the ``trusted`` ones (a machine that only verifies needs no private key)."""

    def __init__(self, private_key: Ed25519PrivateKey | None, trusted: Iterable[Ed25519PublicKey] = ()) -> None:
        self._private = private_key
        self.public_key = private_key.public_key() if private_key is not None else None
        keys = [*([self.public_key] if self.public_key is not None else []), *trusted]
        self._trusted = {key_id_of(k): k for k in keys}

    def _signing_key(self) -> Ed25519PrivateKey:
        if self._private is None:
            raise SigningKeyError("no audit signing key is configured: this process can only verify")
        return self._private

    @property
    def key_id(self) -> str:
        return key_id_of(self._signing_key().public_key())

    @property
    def public_key_base64(self) -> str:
        return base64.b64encode(public_key_bytes(self._signing_key().public_key())).decode()

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self._signing_key().sign(payload)).decode()

    def verify(self, payload: bytes, signature: str, key_id: str) -> bool:
        key = self._trusted.get(key_id)
        if key is None:
            return False
        try:
            key.verify(base64.b64decode(signature, validate=True), payload)
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True
