"""Random secrets, TOTP, and the secret box for data medcore must read back."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from datetime import datetime

import pyotp
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed


class RandomSecrets:
    def token(self) -> str:
        return secrets.token_urlsafe(32)

    def key_id(self) -> str:
        return secrets.token_hex(8)

    def recovery_codes(self, count: int) -> list[str]:
        codes = []
        for _ in range(count):
            raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
            codes.append(f"{raw[:5]}-{raw[5:]}")
        return codes


class PyOtpTotp:
    """RFC 6238 with 30-second steps and 6 digits, accepting the previous and next step for
    clock drift."""

    interval = 30

    def new_secret(self) -> str:
        return pyotp.random_base32()

    def provisioning_uri(self, secret: str, account: str, issuer: str) -> str:
        return pyotp.TOTP(secret, interval=self.interval).provisioning_uri(name=account, issuer_name=issuer)

    def matching_step(self, secret: str, code: str, now: datetime) -> int | None:
        if not (code.isascii() and code.isdigit()):
            return None  # never a code; and compare_digest raises TypeError on non-ASCII text
        totp = pyotp.TOTP(secret, interval=self.interval)
        current = totp.timecode(now)
        for step in (current, current - 1, current + 1):
            if secrets.compare_digest(totp.generate_otp(step), code):
                return step
        return None

    def code_at(self, secret: str, now: datetime) -> str:
        """The code an authenticator shows at ``now`` (for tests and the demo)."""
        return pyotp.TOTP(secret, interval=self.interval).at(now)


class AesGcmSecretBox:
    """AES-256-GCM with a key derived (HKDF) from the deployment's secret key."""

    def __init__(self, secret_key: bytes) -> None:
        key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"medcore secret box v1").derive(secret_key)
        self._aead = AESGCM(key)

    def seal(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), b"medcore")
        return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, sealed: str) -> str:
        version, _, payload = sealed.partition(":")
        if version != "v1":
            raise ValueError("unknown secret box version")
        raw = base64.urlsafe_b64decode(payload.encode())
        return self._aead.decrypt(raw[:12], raw[12:], b"medcore").decode()


def derive_key(secret_key: bytes, purpose: str) -> bytes:
    """Separate keys for separate uses, all from the one deployment secret."""
    return hashlib.sha256(purpose.encode() + b"\x00" + secret_key).digest()
