"""Digests of high-entropy secrets (refresh tokens, API key secrets, one-time tokens).

Those secrets carry 256 bits of randomness, so a fast digest is enough to store them: a
slow password hash would only cost CPU. Passwords, which people choose, use the password
hasher port instead.
"""

from __future__ import annotations

import hashlib
import hmac


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
